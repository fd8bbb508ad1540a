/* API: the KPI consistency test. A seeded random history posted through the API, then every
 * number of every KPI answer over a grid of parameters compared with a recomputation from the
 * raw tables (tickets, ticket_events, categories) written from the attribution rules, never
 * read off the aggregates (kpi_counts, kpi_defects). */
#include "kpi_requests.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the database ---- */

static PGconn *db;

static void db_open(void)
{
    if (db)
        return;
    db = PQconnectdb(api.db_url);
    ck_assert_msg(PQstatus(db) == CONNECTION_OK, "cannot connect to %s: %s", api.db_url,
                  PQerrorMessage(db));
}

static void db_close(void)
{
    PQfinish(db);
    db = NULL;
}

static PGresult *q(const char *sql, int n, const char *const *params)
{
    PGresult *res = PQexecParams(db, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char msg[1024];
        snprintf(msg, sizeof(msg), "SQL failed: %s", PQerrorMessage(db));
        PQclear(res);
        ck_abort_msg("%s", msg);
    }
    return res;
}

/* ---- mismatches, collected so that one run shows them all ---- */

static char *diffs;
static size_t diffs_len, diffs_cap;
static int n_diffs, n_checked;

static void diff(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diff(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    n_diffs++;
    if (n_diffs <= 300)
        fprintf(stderr, "kpi mismatch: %s\n", line);
    size_t k = strlen(line);
    if (diffs_len + k + 2 > diffs_cap) {
        size_t cap = diffs_cap ? diffs_cap * 2 : 8192;
        while (cap < diffs_len + k + 2)
            cap *= 2;
        char *p = realloc(diffs, cap);
        if (!p)
            return;
        diffs = p;
        diffs_cap = cap;
    }
    memcpy(diffs + diffs_len, line, k);
    diffs_len += k;
    diffs[diffs_len++] = '\n';
    diffs[diffs_len] = '\0';
}

/* ---- periods ---- */

static const char *const kinds[] = {"month", "quarter", "year"};
static const int kind_months[] = {1, 3, 12};

static void label_of(int kind, int month, char out[16])
{
    int y = month / 12, m = month % 12;
    if (kind == 0)
        snprintf(out, 16, "%04d-%02d", y, m + 1);
    else if (kind == 1)
        snprintf(out, 16, "%04d-Q%d", y, m / 3 + 1);
    else
        snprintf(out, 16, "%04d", y);
}

static const char *L(int kind, int month)
{
    static char ring[16][16];
    static unsigned next;
    char *s = ring[next++ % 16];
    label_of(kind, month, s);
    return s;
}

/* The first month of a period label of the kind, or -1. */
static int month_of(int kind, const char *label)
{
    int y, m;
    char tail;
    if (!label)
        return -1;
    if (kind == 0 && sscanf(label, "%4d-%2d%c", &y, &m, &tail) == 2 && strlen(label) == 7)
        return y * 12 + m - 1;
    if (kind == 1 && sscanf(label, "%4d-Q%1d%c", &y, &m, &tail) == 2 && strlen(label) == 7)
        return y * 12 + (m - 1) * 3;
    if (kind == 2 && sscanf(label, "%4d%c", &y, &tail) == 1 && strlen(label) == 4)
        return y * 12;
    return -1;
}

/* ---- the recomputation ---- */

enum { M_COMPLAINTS, M_REPEATS, M_CONTACTED, M_FAILED, M_INSPECTED, M_REJECTED, M_FALSE, NM };

static const char *const dim_names[] = {NULL, "unit", "team", "handler", "category"};

typedef struct xrow {
    int p;
    char key[200];
    long v[NM];
    uint64_t vers; /* bit v: definition version v made some of these numbers */
} xrow;

typedef struct xset {
    xrow *r;
    size_t n, cap;
} xset;

static void xset_free(xset *s)
{
    free(s->r);
    memset(s, 0, sizeof(*s));
}

static xrow *xfind(xset *s, int p, const char *key, bool create)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->r[i].p == p && !strcmp(s->r[i].key, key))
            return &s->r[i];
    if (!create)
        return NULL;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->r = realloc(s->r, s->cap * sizeof(*s->r));
        ck_assert_ptr_nonnull(s->r);
    }
    xrow *r = &s->r[s->n++];
    memset(r, 0, sizeof(*r));
    r->p = p;
    snprintf(r->key, sizeof(r->key), "%s", key);
    return r;
}

/* The attribution rules, in SQL over the raw tables:
 *  complaints   tickets with a work order, by their current assignment ('' never dispatched);
 *  repeats      tickets counted as repeats, by tickets.repeat_* (the repeated ticket's
 *               assignment at intake);
 *  contacted    tickets with a contact attempt, by the assignment at their first attempt
 *               (lowest event id); failed when its outcome is not 'reached';
 *  inspected    close-out events by the assignment when recorded; rejected = not accepted;
 *  false        tickets with an audit that found the close-out false, by the first such;
 * all by the ticket's received month and definition version; categories rolled up to the
 * ancestor at `level` along the path from the root (a leaf shallower stays itself).
 * An empty unit, team or handler (not dispatched when it happened) is no group: such facts
 * count in the whole line and the category only (the design since 6eb168b). */
/* Every event with the assignment when it was recorded: that of the latest dispatch before it
 * (by id; the dispatches counted along the ticket's events name it), '' before the first. */
#define EVENTS_ASSIGNED                                                                            \
    "counted AS ("                                                                                 \
    " SELECT e.*, count(*) FILTER (WHERE e.type = 'dispatched')"                                   \
    "  OVER (PARTITION BY e.ticket_id ORDER BY e.id) AS dispatches FROM ticket_events e),"         \
    " ev AS ("                                                                                     \
    " SELECT e.ticket_id, e.id, e.type, e.body, e.accepted, e.defects,"                            \
    "  coalesce(d.body->>'unit', '') AS unit, coalesce(d.body->>'team', '') AS team,"              \
    "  coalesce(d.body->>'handler', '') AS handler"                                                \
    " FROM counted e LEFT JOIN counted d ON d.ticket_id = e.ticket_id"                             \
    "  AND d.dispatches = e.dispatches AND d.type = 'dispatched')"

static const char recompute_sql[] =
    "WITH RECURSIVE tree(code, path) AS ("
    "  SELECT code, ARRAY[code] FROM categories WHERE parent IS NULL"
    "  UNION ALL SELECT c.code, t.path || c.code FROM categories c JOIN tree t"
    "   ON c.parent = t.code),"
    " " EVENTS_ASSIGNED ","
    " first_contact AS ("
    "  SELECT DISTINCT ON (ticket_id) ticket_id, unit, team, handler,"
    "   (body->>'outcome') IS DISTINCT FROM 'reached' AS failed"
    "  FROM ev WHERE type = 'contact_attempt' ORDER BY ticket_id, id),"
    " first_false AS ("
    "  SELECT DISTINCT ON (ticket_id) ticket_id, unit, team, handler FROM ev"
    "  WHERE type = 'audit' AND (body->>'false_closeout')::boolean ORDER BY ticket_id, id),"
    " facts(metric, ticket_id, unit, team, handler) AS ("
    "  SELECT 0, ticket_id, coalesce(unit, ''), coalesce(team, ''), coalesce(handler, '')"
    "   FROM tickets WHERE creates_work_order"
    "  UNION ALL SELECT 1, ticket_id, coalesce(repeat_unit, ''), coalesce(repeat_team, ''),"
    "   coalesce(repeat_handler, '') FROM tickets WHERE counts_as_repeat"
    "  UNION ALL SELECT 2, ticket_id, unit, team, handler FROM first_contact"
    "  UNION ALL SELECT 3, ticket_id, unit, team, handler FROM first_contact WHERE failed"
    "  UNION ALL SELECT 4, ticket_id, unit, team, handler FROM ev WHERE type = 'closeout'"
    "  UNION ALL SELECT 5, ticket_id, unit, team, handler FROM ev"
    "   WHERE type = 'closeout' AND NOT accepted"
    "  UNION ALL SELECT 6, ticket_id, unit, team, handler FROM first_false)"
    " SELECT t.received_month - t.received_month % $3::int,"
    "  CASE $1::int WHEN 0 THEN '' WHEN 1 THEN f.unit WHEN 2 THEN f.team WHEN 3 THEN f.handler"
    "   ELSE CASE WHEN $2::int = 0 OR coalesce(array_length(tr.path, 1), 0) < $2::int"
    "    THEN t.category ELSE tr.path[$2::int] END END,"
    "  t.definition_version, f.metric, count(*)"
    " FROM facts f JOIN tickets t ON t.ticket_id = f.ticket_id"
    " LEFT JOIN tree tr ON tr.code = t.category"
    " WHERE t.received_month BETWEEN $4::int AND $5::int"
    "  AND NOT ($1::int BETWEEN 1 AND 3 AND CASE $1::int WHEN 1 THEN f.unit WHEN 2 THEN f.team"
    "   ELSE f.handler END = '')"
    " GROUP BY 1, 2, 3, 4";

/* dim: 0 total, 1 unit, 2 team, 3 handler, 4 category; months [from, to]. */
static void recompute(int dim, int level, int pm, int from, int to, xset *out)
{
    char d[16], l[16], m[16], f[16], t[16];
    snprintf(d, sizeof(d), "%d", dim);
    snprintf(l, sizeof(l), "%d", level);
    snprintf(m, sizeof(m), "%d", pm);
    snprintf(f, sizeof(f), "%d", from);
    snprintf(t, sizeof(t), "%d", to);
    const char *params[] = {d, l, m, f, t};
    PGresult *res = q(recompute_sql, 5, params);
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < PQntuples(res); i++) {
        xrow *r = xfind(out, atoi(PQgetvalue(res, i, 0)), PQgetvalue(res, i, 1), true);
        int version = atoi(PQgetvalue(res, i, 2)), metric = atoi(PQgetvalue(res, i, 3));
        ck_assert_msg(version > 0 && version < 64, "version %d", version);
        r->v[metric] += atol(PQgetvalue(res, i, 4));
        r->vers |= (uint64_t)1 << version;
    }
    PQclear(res);
}

typedef struct xdefect {
    int p;
    char key[200];
    char code[48];
    long n;
} xdefect;

typedef struct dset {
    xdefect *d;
    size_t n;
} dset;

/* Defect codes of rejected close-outs by (period, unit or handler of the event), each
 * occurrence in an event's defects counted; the most frequent first, ties by code. */
static void recompute_defects(int dim, int pm, int from, int to, dset *out)
{
    char d[16], m[16], f[16], t[16];
    snprintf(d, sizeof(d), "%d", dim);
    snprintf(m, sizeof(m), "%d", pm);
    snprintf(f, sizeof(f), "%d", from);
    snprintf(t, sizeof(t), "%d", to);
    const char *params[] = {d, m, f, t};
    PGresult *res =
        q("WITH " EVENTS_ASSIGNED " SELECT t.received_month - t.received_month % $2::int,"
          " CASE WHEN $1::int = 1 THEN e.unit ELSE e.handler END, (x->>'code') COLLATE \"C\","
          " count(*) FROM ev e JOIN tickets t ON t.ticket_id = e.ticket_id"
          " CROSS JOIN LATERAL jsonb_array_elements(e.defects) x"
          " WHERE e.type = 'closeout' AND NOT e.accepted"
          " AND t.received_month BETWEEN $3::int AND $4::int"
          " GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC, 3",
          4, params);
    out->n = (size_t)PQntuples(res);
    out->d = calloc(out->n ? out->n : 1, sizeof(*out->d));
    for (size_t i = 0; i < out->n; i++) {
        out->d[i].p = atoi(PQgetvalue(res, (int)i, 0));
        snprintf(out->d[i].key, sizeof(out->d[i].key), "%s", PQgetvalue(res, (int)i, 1));
        snprintf(out->d[i].code, sizeof(out->d[i].code), "%s", PQgetvalue(res, (int)i, 2));
        out->d[i].n = atol(PQgetvalue(res, (int)i, 3));
    }
    PQclear(res);
}

/* ---- names of groups, read from the tables ---- */

typedef struct xname {
    char kind[16], code[200], name[400];
} xname;
static xname *names;
static size_t n_names;

static void load_names(void)
{
    PGresult *res = q("SELECT kind, code, name FROM org_names"
                      " UNION ALL SELECT 'category', code, name FROM categories",
                      0, NULL);
    free(names);
    n_names = (size_t)PQntuples(res);
    names = calloc(n_names ? n_names : 1, sizeof(*names));
    for (size_t i = 0; i < n_names; i++) {
        snprintf(names[i].kind, sizeof(names[i].kind), "%s", PQgetvalue(res, (int)i, 0));
        snprintf(names[i].code, sizeof(names[i].code), "%s", PQgetvalue(res, (int)i, 1));
        snprintf(names[i].name, sizeof(names[i].name), "%s", PQgetvalue(res, (int)i, 2));
    }
    PQclear(res);
}

static const char *name_of(int dim, const char *code)
{
    if (dim == 0)
        return NULL;
    for (size_t i = 0; i < n_names; i++)
        if (!strcmp(names[i].kind, dim_names[dim]) && !strcmp(names[i].code, code))
            return names[i].name;
    return NULL;
}

/* ---- comparing pieces of answers ---- */

static uint64_t mask_of(json_t *arr, const char *ctx)
{
    uint64_t m = 0;
    long long last = 0;
    size_t i;
    json_t *v;
    if (!json_is_array(arr)) {
        diff("%s: definition_versions is not an array", ctx);
        return 0;
    }
    json_array_foreach(arr, i, v)
    {
        long long x = json_integer_value(v);
        if (!json_is_integer(v) || x <= last || x >= 64)
            diff("%s: definition_versions not ascending small integers", ctx);
        else
            m |= (uint64_t)1 << x;
        last = x;
    }
    return m;
}

static const char *mask_text(uint64_t m)
{
    static char ring[4][256];
    static unsigned next;
    char *s = ring[next++ % 4];
    s[0] = '\0';
    for (int v = 0; v < 64; v++)
        if (m & ((uint64_t)1 << v)) {
            size_t n = strlen(s);
            snprintf(s + n, 256 - n, "%s%d", n ? "," : "", v);
        }
    return s;
}

static void check_versions(json_t *arr, uint64_t want, const char *ctx)
{
    n_checked++;
    uint64_t got = mask_of(arr, ctx);
    if (got != want)
        diff("%s: definition_versions [%s], recomputed [%s]", ctx, mask_text(got), mask_text(want));
}

static void check_int(json_t *o, const char *field, long want, const char *ctx)
{
    n_checked++;
    json_t *v = json_object_get(o, field);
    if (!json_is_integer(v) || json_integer_value(v) != want) {
        char *text = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
        diff("%s: %s = %s, recomputed %ld", ctx, field, text ? text : "(absent)", want);
        free(text);
    }
}

/* A rate num/den: null without a denominator, else the double to 1e-12. */
static void check_rate(json_t *o, const char *field, long num, long den, const char *ctx)
{
    n_checked++;
    json_t *v = json_object_get(o, field);
    if (den == 0) {
        if (!json_is_null(v))
            diff("%s: %s should be null (no denominator)", ctx, field);
        return;
    }
    double want = (double)num / (double)den;
    if (!json_is_number(v) || fabs(json_number_value(v) - want) > 1e-12)
        diff("%s: %s = %.15g, recomputed %ld/%ld = %.15g", ctx, field,
             json_is_number(v) ? json_number_value(v) : -1.0, num, den, want);
}

static void check_real(json_t *o, const char *field, double want, double rel, const char *ctx)
{
    n_checked++;
    json_t *v = json_object_get(o, field);
    double got = json_number_value(v);
    double tol = rel * fmax(fabs(got), fabs(want)) + 1e-300;
    if (!json_is_number(v) || !(fabs(got - want) <= tol))
        diff("%s: %s = %.17g, recomputed %.17g", ctx, field, got, want);
}

static void check_str(json_t *o, const char *field, const char *want, const char *ctx)
{
    n_checked++;
    json_t *v = json_object_get(o, field);
    if (!want) {
        if (!json_is_null(v))
            diff("%s: %s = %s, expected null", ctx, field,
                 json_is_string(v) ? json_string_value(v) : "(not a string)");
        return;
    }
    if (!json_is_string(v) || strcmp(json_string_value(v), want))
        diff("%s: %s = %s, expected %s", ctx, field,
             json_is_string(v) ? json_string_value(v) : "(not a string)", want);
}

/* The head of a KPI answer. */
static void check_head(json_t *a, int kind, int dim, int level, int from, int to, const char *ctx)
{
    check_str(a, "period", kinds[kind], ctx);
    check_str(a, "by", dim_names[dim], ctx);
    n_checked++;
    if (level ? jint(a, "level") != level : !jisnull(a, "level"))
        diff("%s: level is not %d", ctx, level);
    check_str(a, "from", L(kind, from), ctx);
    check_str(a, "to", L(kind, to), ctx);
}

/* A row's period and group, as the recomputation's (p, key); false when unreadable. */
static bool row_key(json_t *row, int kind, int dim, int *p, const char **key, const char *ctx)
{
    *p = month_of(kind, jstr(row, "period"));
    json_t *g = json_object_get(row, "group");
    *key = dim == 0 ? (json_is_null(g) ? "" : NULL) : json_string_value(g);
    if (*p < 0 || !*key) {
        char *text = json_dumps(row, JSON_COMPACT);
        diff("%s: a row with a bad period or group: %s", ctx, text);
        free(text);
        return false;
    }
    check_str(row, "name", name_of(dim, *key), ctx);
    return true;
}

/* ---- every endpoint against the recomputation ---- */

typedef struct grid_ctx {
    int first_month, last_month; /* the history's months */
} grid_ctx;

/* The rows of `xs` that pass `keep`, matched one to one with the answer's rows. */
typedef bool (*keep_fn)(const xrow *r);

static bool keep_any(const xrow *r)
{
    (void)r;
    return true;
}
static bool keep_contacted(const xrow *r)
{
    return r->v[M_CONTACTED] > 0;
}
static bool keep_quality(const xrow *r)
{
    return r->v[M_INSPECTED] > 0 || r->v[M_FALSE] > 0;
}

/* Matches the answer's rows with the recomputed ones; returns them in answer order (NULL for
 * a row not recomputed). */
static const xrow **match_rows(json_t *rows, xset *xs, keep_fn keep, int kind, int dim,
                               uint64_t *union_vers, const char *ctx)
{
    size_t n = json_array_size(rows), want = 0;
    const xrow **out = calloc(n ? n : 1, sizeof(*out));
    bool *seen = calloc(xs->n ? xs->n : 1, sizeof(*seen));
    int last_p = -1;
    for (size_t i = 0; i < xs->n; i++)
        if (keep(&xs->r[i]))
            want++;
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_array_get(rows, i);
        int p;
        const char *key;
        if (!row_key(row, kind, dim, &p, &key, ctx))
            continue;
        if (p < last_p)
            diff("%s: rows not in period order at %s", ctx, jstr(row, "period"));
        last_p = p;
        xrow *x = xfind(xs, p, key, false);
        if (!x || !keep(x)) {
            char *text = json_dumps(row, JSON_COMPACT);
            diff("%s: row %s/%s not in the recomputation: %s", ctx, L(kind, p), key, text);
            free(text);
            continue;
        }
        size_t idx = (size_t)(x - xs->r);
        if (seen[idx])
            diff("%s: row %s/%s twice", ctx, L(kind, p), key);
        seen[idx] = true;
        out[i] = x;
        *union_vers |= x->vers;
    }
    for (size_t i = 0; i < xs->n; i++)
        if (keep(&xs->r[i]) && !seen[i])
            diff("%s: recomputed row %s/%s (complaints %ld repeats %ld contacted %ld inspected "
                 "%ld false %ld) missing from the answer",
                 ctx, L(kind, xs->r[i].p), xs->r[i].key, xs->r[i].v[M_COMPLAINTS],
                 xs->r[i].v[M_REPEATS], xs->r[i].v[M_CONTACTED], xs->r[i].v[M_INSPECTED],
                 xs->r[i].v[M_FALSE]);
    n_checked++;
    if (n != want)
        diff("%s: %zu rows, recomputed %zu", ctx, n, want);
    free(seen);
    return out;
}

static const char *dim_q(int dim, int level)
{
    if (dim == 0)
        return "";
    if (level)
        return P("&by=%s&level=%d", dim_names[dim], level);
    return P("&by=%s", dim_names[dim]);
}

static void cmp_repeats(int kind, int dim, int level, int from, int to)
{
    int pm = kind_months[kind];
    char path[700];
    snprintf(path, sizeof(path), "/v1/kpi/repeats?period=%s&from=%s&to=%s%s", kinds[kind],
             L(kind, from), L(kind, to), dim_q(dim, level));
    json_t *a = OK_GET(path);
    xset xs;
    recompute(dim, level, pm, from, to + pm - 1, &xs);
    check_head(a, kind, dim, level, from, to, path);
    uint64_t u = 0;
    json_t *rows = jget(a, "rows");
    const xrow **m = match_rows(rows, &xs, keep_any, kind, dim, &u, path);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        if (!m[i])
            continue;
        json_t *row = json_array_get(rows, i);
        char ctx[1024];
        snprintf(ctx, sizeof(ctx), "%s [%s/%s]", path, L(kind, m[i]->p), m[i]->key);
        check_int(row, "complaints", m[i]->v[M_COMPLAINTS], ctx);
        check_int(row, "repeats", m[i]->v[M_REPEATS], ctx);
        check_rate(row, "repeat_rate", m[i]->v[M_REPEATS], m[i]->v[M_COMPLAINTS], ctx);
        check_versions(jget(row, "definition_versions"), m[i]->vers, ctx);
    }
    check_versions(jget(a, "definition_versions"), u, path);
    free(m);
    xset_free(&xs);
}

/* Targets set for the consistency test: a period's own, else the standing one (""). */
static const struct {
    int dim;
    const char *code, *period;
    double rate;
} ct_targets[] = {
    {1, "CU-01", "", 0.2},
    {1, "CU-02", "", 0.3},
    {1, "CU-02", "2025-03", 0.1},
    {1, "CU-03", "2025-Q2", 0.15},
    {1, "CU-04", "2025", 0.25},
    {2, "CU-01-T1", "", 0.2},
    {2, "CU-02-T2", "2025-05", 0.05},
};

static double target_for(int dim, const char *code, const char *label)
{
    double standing = -1;
    for (size_t i = 0; i < N_OF(ct_targets); i++) {
        if (ct_targets[i].dim != dim || strcmp(ct_targets[i].code, code))
            continue;
        if (!strcmp(ct_targets[i].period, label))
            return ct_targets[i].rate;
        if (!ct_targets[i].period[0])
            standing = ct_targets[i].rate;
    }
    return standing;
}

typedef struct rank_x {
    const xrow *x;
    bool ranked;
    int rank;
    bool watch;
} rank_x;

/* a/b < c/d for non-negative counts, b and d > 0, exactly. */
static bool rate_lt(long a, long b, long c, long d)
{
    return (long long)a * d < (long long)c * b;
}

static int cmp_rank_x(const void *pa, const void *pb)
{
    const rank_x *a = pa, *b = pb;
    if (a->ranked != b->ranked)
        return a->ranked ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank - b->rank;
    return strcmp(a->x->key, b->x->key);
}

static long ct_min_complaints = 5, ct_bottom_n = 2;
static int n_falls; /* top-problem rows compared whose repeats fell: negative change rates */

static void cmp_ranking(int kind, int dim, int at)
{
    int pm = kind_months[kind];
    char path[700];
    snprintf(path, sizeof(path), "/v1/kpi/ranking?period=%s&at=%s&by=%s", kinds[kind], L(kind, at),
             dim_names[dim]);
    json_t *a = OK_GET(path);
    xset xs;
    recompute(dim, 0, pm, at, at + pm - 1, &xs);
    check_head(a, kind, dim, 0, at, at, path);
    check_int(a, "min_complaints", ct_min_complaints, path);
    check_int(a, "bottom_n", ct_bottom_n, path);
    rank_x *rx = calloc(xs.n ? xs.n : 1, sizeof(*rx));
    size_t n = 0;
    for (size_t i = 0; i < xs.n; i++)
        if (xs.r[i].key[0]) /* not yet dispatched: nobody's */
            rx[n++] = (rank_x){.x = &xs.r[i],
                               .ranked = xs.r[i].v[M_COMPLAINTS] > 0 &&
                                         xs.r[i].v[M_COMPLAINTS] >= ct_min_complaints};
    for (size_t i = 0; i < n; i++) {
        if (!rx[i].ranked)
            continue;
        int better = 0, worse = 0;
        const xrow *me = rx[i].x;
        for (size_t j = 0; j < n; j++) {
            if (!rx[j].ranked)
                continue;
            const xrow *o = rx[j].x;
            if (rate_lt(o->v[M_REPEATS], o->v[M_COMPLAINTS], me->v[M_REPEATS], me->v[M_COMPLAINTS]))
                better++;
            else if (rate_lt(me->v[M_REPEATS], me->v[M_COMPLAINTS], o->v[M_REPEATS],
                             o->v[M_COMPLAINTS]))
                worse++;
        }
        rx[i].rank = better + 1;
        rx[i].watch = worse < ct_bottom_n;
    }
    qsort(rx, n, sizeof(*rx), cmp_rank_x);
    json_t *rows = jget(a, "rows");
    n_checked++;
    if (json_array_size(rows) != n)
        diff("%s: %zu rows, recomputed %zu", path, json_array_size(rows), n);
    uint64_t u = 0;
    for (size_t i = 0; i < n && i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        const xrow *x = rx[i].x;
        char ctx[1024];
        snprintf(ctx, sizeof(ctx), "%s [row %zu: %s]", path, i, x->key);
        u |= x->vers;
        check_str(row, "group", x->key, ctx);
        check_str(row, "name", name_of(dim, x->key), ctx);
        check_int(row, "complaints", x->v[M_COMPLAINTS], ctx);
        check_int(row, "repeats", x->v[M_REPEATS], ctx);
        check_rate(row, "repeat_rate", x->v[M_REPEATS], x->v[M_COMPLAINTS], ctx);
        n_checked++;
        if (jbool(row, "ranked") != rx[i].ranked)
            diff("%s: ranked should be %d", ctx, rx[i].ranked);
        if (rx[i].ranked)
            check_int(row, "rank", rx[i].rank, ctx);
        else if (!jisnull(row, "rank"))
            diff("%s: rank should be null", ctx);
        n_checked++;
        if (jbool(row, "watch") != rx[i].watch)
            diff("%s: watch should be %d", ctx, rx[i].watch);
        double t = dim == 3 ? -1 : target_for(dim, x->key, L(kind, at));
        n_checked++;
        if (t < 0) {
            if (!jisnull(row, "target") || !jisnull(row, "target_met"))
                diff("%s: target and target_met should be null", ctx);
        } else {
            check_real(row, "target", t, 1e-13, ctx);
            if (x->v[M_COMPLAINTS] == 0) {
                if (!jisnull(row, "target_met"))
                    diff("%s: target_met should be null without complaints", ctx);
            } else {
                int met = (double)x->v[M_REPEATS] / (double)x->v[M_COMPLAINTS] <= t + 1e-12;
                if (jbool(row, "target_met") != met)
                    diff("%s: target_met should be %d (%ld/%ld against %g)", ctx, met,
                         x->v[M_REPEATS], x->v[M_COMPLAINTS], t);
            }
        }
        check_versions(jget(row, "definition_versions"), x->vers, ctx);
    }
    check_versions(jget(a, "definition_versions"), u, path);
    free(rx);
    xset_free(&xs);
}

static int cmp_top_x(const void *pa, const void *pb)
{
    const xrow *a = *(const xrow *const *)pa, *b = *(const xrow *const *)pb;
    if (a->v[M_REPEATS] != b->v[M_REPEATS])
        return a->v[M_REPEATS] > b->v[M_REPEATS] ? -1 : 1;
    return strcmp(a->key, b->key);
}

static void cmp_top(int kind, int level, int at, int limit)
{
    int pm = kind_months[kind], prev = at - pm;
    char path[700];
    snprintf(path, sizeof(path), "/v1/kpi/top-problems?period=%s&at=%s%s%s", kinds[kind],
             L(kind, at), level ? P("&level=%d", level) : "", limit ? P("&limit=%d", limit) : "");
    json_t *a = OK_GET(path);
    xset xs;
    recompute(4, level, pm, prev, at + pm - 1, &xs);
    check_head(a, kind, 4, level, at, at, path);
    check_str(a, "previous_period", L(kind, prev), path);
    const xrow **cur = calloc(xs.n ? xs.n : 1, sizeof(*cur));
    size_t n = 0;
    for (size_t i = 0; i < xs.n; i++)
        if (xs.r[i].p == at && xs.r[i].v[M_REPEATS] > 0)
            cur[n++] = &xs.r[i];
    qsort(cur, n, sizeof(*cur), cmp_top_x);
    size_t lim = (size_t)(limit ? limit : 10);
    if (n > lim)
        n = lim;
    json_t *rows = jget(a, "rows");
    n_checked++;
    if (json_array_size(rows) != n)
        diff("%s: %zu rows, recomputed %zu", path, json_array_size(rows), n);
    uint64_t u = 0;
    for (size_t i = 0; i < n && i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        const xrow *x = cur[i];
        char ctx[1024];
        snprintf(ctx, sizeof(ctx), "%s [row %zu: %s]", path, i, x->key);
        xrow *before = xfind(&xs, prev, x->key, false);
        long now = x->v[M_REPEATS], was = before ? before->v[M_REPEATS] : 0;
        n_falls += now < was;
        u |= x->vers;
        check_str(row, "period", L(kind, at), ctx);
        check_str(row, "group", x->key, ctx);
        check_str(row, "name", name_of(4, x->key), ctx);
        check_int(row, "repeats", now, ctx);
        check_int(row, "complaints", x->v[M_COMPLAINTS], ctx);
        check_int(row, "previous_repeats", was, ctx);
        check_int(row, "change", now - was, ctx);
        check_rate(row, "change_rate", now - was, was, ctx);
        check_versions(jget(row, "definition_versions"), x->vers, ctx);
    }
    check_versions(jget(a, "definition_versions"), u, path);
    free(cur);
    xset_free(&xs);
}

/* P(X >= k) for X ~ Poisson(lambda): the tail summed upwards above the mean, else one minus
 * the sum below k. */
static double poisson_tail(long k, double lambda)
{
    if (k <= 0)
        return 1.0;
    if ((double)k > lambda) {
        double term = exp((double)k * log(lambda) - lambda - lgamma((double)k + 1.0)), sum = 0;
        for (long j = k; j < k + 1000000; j++) {
            sum += term;
            term *= lambda / (double)(j + 1);
            if (term < sum * 1e-18)
                break;
        }
        return sum;
    }
    double below = 0;
    for (long j = 0; j < k; j++)
        below += exp((double)j * log(lambda) - lambda - lgamma((double)j + 1.0));
    return 1.0 - below;
}

typedef struct anom_x {
    const xrow *x;
    long history[24];
    double baseline, p, score;
} anom_x;

static int cmp_anom_x(const void *pa, const void *pb)
{
    const anom_x *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return strcmp(a->x->key, b->x->key);
}

static void cmp_anomalies(int kind, int dim, int level, int at, int baseline, int min_repeats,
                          int min_score, int limit)
{
    int pm = kind_months[kind], first = at - baseline * pm;
    char path[700];
    snprintf(path, sizeof(path),
             "/v1/kpi/anomalies?period=%s&at=%s%s&baseline=%d&min_repeats=%d"
             "&min_score=%d&limit=%d",
             kinds[kind], L(kind, at), dim_q(dim, level), baseline, min_repeats, min_score, limit);
    json_t *a = OK_GET(path);
    xset xs;
    recompute(dim, level, pm, first, at + pm - 1, &xs);
    check_head(a, kind, dim, level, at, at, path);
    check_str(jget(a, "method"), "name", "poisson_upper_tail", path);
    check_int(jget(a, "method"), "baseline_periods", baseline, path);
    check_int(jget(a, "method"), "min_repeats", min_repeats, path);
    anom_x *ax = calloc(xs.n ? xs.n : 1, sizeof(*ax));
    size_t n = 0;
    for (size_t i = 0; i < xs.n; i++) {
        const xrow *x = &xs.r[i];
        if (x->p != at || !x->key[0])
            continue;
        anom_x e = {.x = x};
        double total = 0;
        for (int b = 0; b < baseline; b++) {
            xrow *h = xfind(&xs, first + b * pm, x->key, false);
            e.history[b] = h ? h->v[M_REPEATS] : 0;
            total += (double)e.history[b];
        }
        e.baseline = total / baseline < 0.5 ? 0.5 : total / baseline;
        long obs = x->v[M_REPEATS];
        e.p = poisson_tail(obs, e.baseline);
        e.score = 0;
        if ((double)obs > e.baseline) {
            e.score = e.p > 0 ? -log10(e.p) : 300.0;
            if (e.score > 300.0)
                e.score = 300.0;
            if (e.score < 0)
                e.score = 0;
        }
        if (e.score >= min_score && obs >= min_repeats)
            ax[n++] = e;
    }
    qsort(ax, n, sizeof(*ax), cmp_anom_x);
    if (n > (size_t)limit)
        n = (size_t)limit;
    json_t *rows = jget(a, "rows");
    n_checked++;
    if (json_array_size(rows) != n)
        diff("%s: %zu rows, recomputed %zu", path, json_array_size(rows), n);
    uint64_t u = 0;
    for (size_t i = 0; i < n && i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        const anom_x *e = &ax[i];
        char ctx[1024];
        snprintf(ctx, sizeof(ctx), "%s [row %zu: %s]", path, i, e->x->key);
        u |= e->x->vers;
        check_str(row, "group", e->x->key, ctx);
        check_str(row, "name", name_of(dim, e->x->key), ctx);
        check_int(row, "observed", e->x->v[M_REPEATS], ctx);
        check_real(row, "baseline", e->baseline, 1e-13, ctx);
        check_real(row, "p_value", e->p, 1e-9, ctx);
        n_checked++;
        if (fabs(json_number_value(jget(row, "score")) - e->score) > 1e-9)
            diff("%s: score %.17g, recomputed %.17g", ctx, json_number_value(jget(row, "score")),
                 e->score);
        json_t *h = jget(row, "history");
        n_checked++;
        if (json_array_size(h) != (size_t)baseline)
            diff("%s: history of %zu periods", ctx, json_array_size(h));
        for (int b = 0; b < baseline && (size_t)b < json_array_size(h); b++)
            if (json_integer_value(json_array_get(h, (size_t)b)) != e->history[b])
                diff("%s: history[%d] = %lld, recomputed %ld", ctx, b,
                     (long long)json_integer_value(json_array_get(h, (size_t)b)), e->history[b]);
        check_versions(jget(row, "definition_versions"), e->x->vers, ctx);
    }
    check_versions(jget(a, "definition_versions"), u, path);
    free(ax);
    xset_free(&xs);
}

static void cmp_contact(int kind, int dim, int from, int to)
{
    int pm = kind_months[kind];
    char path[700];
    snprintf(path, sizeof(path), "/v1/kpi/contact-failures?period=%s&from=%s&to=%s&by=%s",
             kinds[kind], L(kind, from), L(kind, to), dim_names[dim]);
    json_t *a = OK_GET(path);
    xset xs;
    recompute(dim, 0, pm, from, to + pm - 1, &xs);
    check_head(a, kind, dim, 0, from, to, path);
    uint64_t u = 0;
    json_t *rows = jget(a, "rows");
    const xrow **m = match_rows(rows, &xs, keep_contacted, kind, dim, &u, path);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        if (!m[i])
            continue;
        json_t *row = json_array_get(rows, i);
        char ctx[1024];
        snprintf(ctx, sizeof(ctx), "%s [%s/%s]", path, L(kind, m[i]->p), m[i]->key);
        check_int(row, "contacted", m[i]->v[M_CONTACTED], ctx);
        check_int(row, "first_contact_failed", m[i]->v[M_FAILED], ctx);
        check_rate(row, "first_contact_failure_rate", m[i]->v[M_FAILED], m[i]->v[M_CONTACTED], ctx);
        check_versions(jget(row, "definition_versions"), m[i]->vers, ctx);
    }
    check_versions(jget(a, "definition_versions"), u, path);
    free(m);
    xset_free(&xs);
}

static void cmp_quality(int kind, int dim, int from, int to)
{
    int pm = kind_months[kind];
    char path[700];
    snprintf(path, sizeof(path), "/v1/kpi/closeout-quality?period=%s&from=%s&to=%s&by=%s",
             kinds[kind], L(kind, from), L(kind, to), dim_names[dim]);
    json_t *a = OK_GET(path);
    xset xs;
    dset ds;
    recompute(dim, 0, pm, from, to + pm - 1, &xs);
    recompute_defects(dim, pm, from, to + pm - 1, &ds);
    check_head(a, kind, dim, 0, from, to, path);
    uint64_t u = 0;
    json_t *rows = jget(a, "rows");
    const xrow **m = match_rows(rows, &xs, keep_quality, kind, dim, &u, path);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        if (!m[i])
            continue;
        json_t *row = json_array_get(rows, i);
        const xrow *x = m[i];
        char ctx[1024];
        snprintf(ctx, sizeof(ctx), "%s [%s/%s]", path, L(kind, x->p), x->key);
        check_int(row, "inspected", x->v[M_INSPECTED], ctx);
        check_int(row, "rejected", x->v[M_REJECTED], ctx);
        check_rate(row, "pass_rate", x->v[M_INSPECTED] - x->v[M_REJECTED], x->v[M_INSPECTED], ctx);
        check_int(row, "false_closeouts", x->v[M_FALSE], ctx);
        check_versions(jget(row, "definition_versions"), x->vers, ctx);
        /* The row's own period's defects, the 5 most frequent. */
        json_t *want = json_array();
        for (size_t k = 0; k < ds.n && json_array_size(want) < 5; k++)
            if (ds.d[k].p == x->p && !strcmp(ds.d[k].key, x->key))
                json_array_append_new(want, json_pack("{s:s, s:I}", "code", ds.d[k].code, "count",
                                                      (json_int_t)ds.d[k].n));
        n_checked++;
        if (!json_equal(jget(row, "top_defects"), want)) {
            char *g = json_dumps(jget(row, "top_defects"), JSON_COMPACT | JSON_ENCODE_ANY);
            char *w = json_dumps(want, JSON_COMPACT);
            diff("%s: top_defects %s, recomputed %s", ctx, g ? g : "(absent)", w);
            free(g);
            free(w);
        }
        json_decref(want);
    }
    check_versions(jget(a, "definition_versions"), u, path);
    free(m);
    free(ds.d);
    xset_free(&xs);
}

/* The trend's metrics: numerator, denominator (-1 for counts), complement (pass rate). */
static const struct {
    const char *name;
    int num, den;
    bool complement;
} trend_metrics[] = {
    {"complaints", M_COMPLAINTS, -1, false},
    {"repeats", M_REPEATS, -1, false},
    {"repeat_rate", M_REPEATS, M_COMPLAINTS, false},
    {"contacted", M_CONTACTED, -1, false},
    {"first_contact_failed", M_FAILED, -1, false},
    {"first_contact_failure_rate", M_FAILED, M_CONTACTED, false},
    {"closeouts_inspected", M_INSPECTED, -1, false},
    {"closeouts_rejected", M_REJECTED, -1, false},
    {"closeout_pass_rate", M_REJECTED, M_INSPECTED, true},
    {"false_closeouts", M_FALSE, -1, false},
};

static void cmp_trend(int kind, size_t metric, int dim, int level, const char *group, int to,
                      int periods)
{
    int pm = kind_months[kind], from = to - (periods - 1) * pm;
    char path[700];
    snprintf(path, sizeof(path), "/v1/kpi/trend?metric=%s&period=%s&to=%s&periods=%d%s%s%s",
             trend_metrics[metric].name, kinds[kind], L(kind, to), periods, dim_q(dim, level),
             group ? "&group=" : "", group ? url_encode(group) : "");
    json_t *a = OK_GET(path);
    xset xs;
    recompute(dim, level, pm, from, to + pm - 1, &xs);
    check_head(a, kind, dim, level, from, to, path);
    check_str(a, "metric", trend_metrics[metric].name, path);
    check_str(a, "group", group, path);
    json_t *series = jget(a, "series");
    n_checked++;
    if (json_array_size(series) != (size_t)periods)
        diff("%s: %zu points, expected %d", path, json_array_size(series), periods);
    uint64_t u = 0;
    for (int i = 0; i < periods && (size_t)i < json_array_size(series); i++) {
        int p = from + i * pm;
        json_t *pt = json_array_get(series, (size_t)i);
        char ctx[1024];
        snprintf(ctx, sizeof(ctx), "%s [%s]", path, L(kind, p));
        check_str(pt, "period", L(kind, p), ctx);
        xrow *x = xfind(&xs, p, group ? group : "", false);
        long num = x ? x->v[trend_metrics[metric].num] : 0;
        if (trend_metrics[metric].den < 0) {
            check_int(pt, "value", num, ctx);
        } else {
            long den = x ? x->v[trend_metrics[metric].den] : 0;
            check_rate(pt, "value", trend_metrics[metric].complement ? den - num : num, den, ctx);
        }
        check_versions(jget(pt, "definition_versions"), x ? x->vers : 0, ctx);
        u |= x ? x->vers : 0;
    }
    check_versions(jget(a, "definition_versions"), u, path);
    xset_free(&xs);
}

/* The green channel from the tickets: per chain, its repeats of the highest ordinal, open, at
 * or above the threshold; oldest chain first. */
static void cmp_green(int min_repeats)
{
    json_t *a = OK_GET("/v1/kpi/green-channel?limit=1000");
    check_int(a, "min_repeats", min_repeats, "green-channel");
    char m[16];
    snprintf(m, sizeof(m), "%d", min_repeats);
    const char *params[] = {m};
    PGresult *res = q("SELECT t.chain_id, t.ticket_id, t.category, t.phone_masked,"
                      " t.repeat_ordinal, coalesce(f.unit, ''), coalesce(t.unit, '')"
                      " FROM tickets t JOIN tickets f ON f.ticket_id = t.chain_id"
                      " WHERE t.counts_as_repeat AND t.status = 'open'"
                      " AND t.repeat_ordinal >= $1::int AND t.repeat_ordinal = (SELECT"
                      "  max(r.repeat_ordinal) FROM tickets r WHERE r.chain_id = t.chain_id"
                      "  AND r.counts_as_repeat)"
                      " ORDER BY f.received_at, t.chain_id, t.ticket_id",
                      1, params);
    json_t *chains = jget(a, "chains");
    int n = PQntuples(res);
    n_checked++;
    if (json_array_size(chains) != (size_t)n)
        diff("green-channel: %zu chains, recomputed %d", json_array_size(chains), n);
    for (int i = 0; i < n && (size_t)i < json_array_size(chains); i++) {
        json_t *c = json_array_get(chains, (size_t)i);
        char ctx[1024];
        snprintf(ctx, sizeof(ctx), "green-channel [%d: %s]", i, PQgetvalue(res, i, 0));
        check_str(c, "chain_id", PQgetvalue(res, i, 0), ctx);
        check_str(c, "latest_ticket_id", PQgetvalue(res, i, 1), ctx);
        check_str(c, "category", PQgetvalue(res, i, 2), ctx);
        check_str(c, "citizen", PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3), ctx);
        check_int(c, "repeats", atol(PQgetvalue(res, i, 4)), ctx);
    }
    PQclear(res);
}

/* ---- the random history ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t rng_next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

static int rnd(int n)
{
    return (int)(rng_next() % (uint64_t)n);
}

static bool chance(int percent)
{
    return rnd(100) < percent;
}

static int64_t between(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

#define MIN_S  60
#define HOUR_S 3600
#define DAY_S  86400

/* Unix time of a wall-clock time at +08:00. */
static int64_t sh_time(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
    return (int64_t)timegm(&tm) - 8 * HOUR_S;
}

/* RFC 3339 at an offset in minutes (0 written as Z), in a ring of static buffers. */
static const char *rfc3339(int64_t t, int offset_min)
{
    static char ring[16][40];
    static unsigned next;
    char *s = ring[next++ % 16];
    time_t local = (time_t)(t + offset_min * 60);
    struct tm tm;
    gmtime_r(&local, &tm);
    int n = snprintf(s, 40, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (offset_min == 0)
        snprintf(s + n, (size_t)(40 - n), "Z");
    else
        snprintf(s + n, (size_t)(40 - n), "%c%02d:%02d", offset_min < 0 ? '-' : '+',
                 abs(offset_min) / 60, abs(offset_min) % 60);
    return s;
}

static const char *sh(int64_t t)
{
    return rfc3339(t, 480);
}

/* Units (one with a comma and quotes in its code), two teams each, two handlers per team. */
static const char *const ct_units[] = {"CU-01", "CU-02", "CU-03", "CU-04", "区,\"五\"队"};
#define CT_UNITS ((int)N_OF(ct_units))

static const char *ct_team(int u, int t)
{
    return P("%s-T%d", ct_units[u], t + 1);
}

static const char *ct_handler(int u, int t, int h)
{
    return P("%s-T%d-H%d", ct_units[u], t + 1, h + 1);
}

static const char *const ct_categories[] = {"HB.ZS.JZ", "HB.ZS.SH", "HB.DQ.YY", "CG.SZ.LD",
                                            "CG.SZ.PS", "JT.GJ.XL", "JT.GJ.TB", "ZX"};
#define CT_POLICY_CATEGORY "SB.YB.BL"

/* How citizens call about a problem. */
typedef struct ct_pattern {
    const char *name;
    int calls_min, calls_max;
    int64_t gap_min, gap_max;
    int weight;
    bool fast;         /* handled quickly: a later call finds it closed */
    const char *claim; /* the claim of later calls, NULL: mixed */
    bool policy;       /* a category marked policy */
    bool two_sites;    /* the citizen has a second problem nearby-but-far, same category */
    bool crm_id;       /* identified by the CRM's id, the phone changes */
} ct_pattern;

static const ct_pattern patterns[] = {
    {"one-off", 1, 1, 0, 0, 20, false, NULL, false, false, false},
    {"persistent", 3, 5, 5 * DAY_S, 12 * DAY_S, 16, true, NULL, false, false, false},
    {"impatient", 2, 4, 4 * HOUR_S, 30 * HOUR_S, 10, false, NULL, false, false, false},
    {"dissatisfied", 2, 3, 6 * DAY_S, 15 * DAY_S, 8, true, "dissatisfied", false, false, false},
    {"recurred", 2, 3, 8 * DAY_S, 20 * DAY_S, 7, true, "recurred", false, false, false},
    {"policy dispute", 2, 3, 5 * DAY_S, 15 * DAY_S, 5, true, "policy_dispute", false, false, false},
    {"policy category", 2, 3, 3 * DAY_S, 10 * DAY_S, 4, true, NULL, true, false, false},
    {"long gaps", 2, 3, 35 * DAY_S, 70 * DAY_S, 8, true, "unresolved", false, false, false},
    {"two sites", 2, 4, 4 * DAY_S, 12 * DAY_S, 7, true, NULL, false, true, false},
    {"crm id", 2, 4, 5 * DAY_S, 14 * DAY_S, 7, true, NULL, false, false, true},
};

typedef struct ct_problem {
    int citizen, pattern, calls_left, calls_made;
    const char *category;
    bool has_loc;
    double lat, lon;
} ct_problem;

typedef struct ct_ticket {
    char id[24];
    int problem;
    int64_t received;
    bool wo, open, dispatched, reached, closeout_ok, followup;
    int fails;
    int unit, team, handler; /* -1: none */
    int64_t dispatch_at;
    bool fast;
    /* for a repeat: the repeated ticket's assignment when this one arrived */
    bool repeat;
    char rep_unit[96], rep_team[96], rep_handler[96];
} ct_ticket;

typedef enum ct_kind {
    A_CALL,
    A_PRECONTACT,
    A_DISPATCH,
    A_REDISPATCH,
    A_CONTACT,
    A_CLOSEOUT,
    A_FOLLOWUP,
    A_CLOSE,
    A_AUDIT,
    A_REOPEN,
    A_NOWO,
    A_SETTINGS,
} ct_kind;

typedef struct ct_action {
    int64_t t;
    int seq;
    ct_kind kind;
    int idx;
} ct_action;

#define CT_MAX_PROBLEMS 200
#define CT_MAX_TICKETS  1200
#define CT_MAX_ACTIONS  20000

static ct_problem problems[CT_MAX_PROBLEMS];
static int n_problems;
static ct_ticket *tickets;
static int n_tickets;
static ct_action *queue;
static int n_queue, queue_seq;
static int64_t calls_end;
/* What the history did: decisions (0..5), rejected close-outs, reopenings, re-dispatches,
 * attempts before any dispatch, attempts dated before their dispatch, tickets posted late. */
enum {
    ST_REJECTED = 6,
    ST_REOPENED,
    ST_REDISPATCHED,
    ST_PRECONTACT,
    ST_CONTACT_BEFORE_DISPATCH,
    ST_LATE,
    ST_COUNT
};
static int stats[ST_COUNT];

static void push(int64_t t, ct_kind kind, int idx)
{
    ck_assert_msg(n_queue < CT_MAX_ACTIONS, "too many actions");
    queue[n_queue++] = (ct_action){t, queue_seq++, kind, idx};
}

static bool pop(ct_action *ret)
{
    if (n_queue == 0)
        return false;
    int best = 0;
    for (int i = 1; i < n_queue; i++)
        if (queue[i].t < queue[best].t ||
            (queue[i].t == queue[best].t && queue[i].seq < queue[best].seq))
            best = i;
    *ret = queue[best];
    queue[best] = queue[--n_queue];
    return true;
}

/* Settings changed at fixed points of the timeline: each makes a new definition version
 * (time_zone included), so that the year holds more than a handful of them. */
static const struct {
    int month, day, hour;
    const char *patch;
} ct_settings[] = {
    {2, 10, 12, "{\"repeat_window_months\": 2}"},
    {2, 20, 12, "{\"lookback_months\": 13}"},
    {3, 5, 12, "{\"same_place_radius_m\": 300}"},
    {3, 20, 12, "{\"time_zone\": \"UTC\"}"},
    {4, 2, 12, "{\"green_channel_min_repeats\": 3}"},
    {4, 15, 12, "{\"expedite_after_calls\": 3}"},
    {4, 28, 12, "{\"time_zone\": \"Asia/Shanghai\", \"repeat_window_months\": 1}"},
    {5, 10, 12, "{\"lookback_months\": 12}"},
    {5, 25, 12, "{\"same_place_radius_m\": 250}"},
    {6, 5, 12, "{\"green_channel_min_repeats\": 2}"},
    {6, 15, 12, "{\"expedite_after_calls\": 2}"},
};

static const char *ct_phone(int citizen, int call)
{
    if (call < 0)
        return P("137%08d", citizen);
    return P("136%04d%04d", citizen, call); /* a CRM-id citizen calling from various phones */
}

/* A random time to start a problem: now and then just around a month's turn, where a time
 * zone decides the natural month. */
static int64_t ct_first_call(void)
{
    int64_t start = sh_time(2025, 1, 1, 0, 0), end = sh_time(2025, 6, 26, 0, 0);
    if (chance(22)) {
        int month = 2 + rnd(5); /* Feb..Jun */
        return sh_time(2025, month, 1, 0, 0) + between(-10 * HOUR_S, 10 * HOUR_S);
    }
    return between(start, end);
}

static void ct_schedule_handling(int k, int64_t t0)
{
    ct_ticket *ti = &tickets[k];
    if (chance(6))
        push(t0 + between(5 * MIN_S, 25 * MIN_S), A_PRECONTACT, k);
    if (chance(ti->fast ? 98 : 91))
        push(t0 + between(ti->fast ? 20 * MIN_S : 30 * MIN_S, ti->fast ? 3 * HOUR_S : 30 * HOUR_S),
             A_DISPATCH, k);
}

static void ct_post_event(int k, json_t *ev, long want)
{
    long st = 0;
    char type[32];
    snprintf(type, sizeof(type), "%s", jstr(ev, "type"));
    json_t *r = post_event(tickets[k].id, ev, &st);
    if (st != want) {
        char *text = r ? json_dumps(r, JSON_COMPACT) : NULL;
        char msg[2048];
        snprintf(msg, sizeof(msg), "event %s on %s: status %ld, expected %ld: %s", type,
                 tickets[k].id, st, want, text ? text : "(no JSON)");
        free(text);
        json_decref(r);
        ck_abort_msg("%s", msg);
    }
    json_decref(r);
}

static void ct_call(int pi, int64_t t)
{
    ct_problem *pr = &problems[pi];
    const ct_pattern *pat = &patterns[pr->pattern];
    ck_assert_msg(n_tickets < CT_MAX_TICKETS, "too many tickets");
    int k = n_tickets++;
    ct_ticket *ti = &tickets[k];
    memset(ti, 0, sizeof(*ti));
    snprintf(ti->id, sizeof(ti->id), "KC-%04d", k);
    ti->problem = pi;
    ti->unit = ti->team = ti->handler = -1;
    ti->fast = pat->fast;
    /* Now and then a ticket reaches us late: received earlier than it is posted. */
    ti->received = chance(4) ? t - between(HOUR_S, 2 * DAY_S) : t;
    stats[ST_LATE] += ti->received < t;
    static const int offsets[] = {480, 480, 480, 480, 480, 480, 480, 0, 0, -300};
    int offset = offsets[rnd(10)];
    const char *claim = NULL;
    if (pr->calls_made > 0) {
        if (pat->claim)
            claim = chance(80) ? pat->claim : NULL;
        else {
            static const char *const mix[] = {
                NULL, NULL, NULL, "unresolved", "unresolved", "dissatisfied", "recurred", NULL};
            claim = mix[rnd(8)];
        }
    }
    bool with_loc = pr->has_loc && chance(85);
    tk body = {
        .id = ti->id,
        .at = rfc3339(ti->received, offset),
        .phone = ct_phone(pr->citizen, patterns[pr->pattern].crm_id ? pr->calls_made : -1),
        .citizen_id = pat->crm_id ? P("CRM-%d", pr->citizen) : NULL,
        .category = pr->category,
        .claim = claim,
        .new_evidence = chance(10) ? (chance(50) ? 1 : -1) : 0,
        .has_location = with_loc,
        .lat = pr->lat,
        .lon = pr->lon,
        .address = with_loc && chance(50) ? "某区某街道某号附近" : NULL,
        .description = "市民来电反映问题，要求尽快处理。",
        .channel = chance(20) ? "app" : "phone",
    };
    long st = 0;
    json_t *a = post_ticket(&body, &st);
    if (st != 201) {
        char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
        char msg[2048];
        snprintf(msg, sizeof(msg), "POST ticket %s: status %ld: %s", ti->id, st,
                 text ? text : "(no JSON)");
        free(text);
        json_decref(a);
        ck_abort_msg("%s", msg);
    }
    ti->wo = jbool(a, "creates_work_order") == 1;
    ti->open = ti->wo;
    ti->repeat = jbool(a, "counts_as_repeat") == 1;
    const char *decision = jstr(a, "decision");
    static const char *const decisions[] = {"new",
                                            "repeat",
                                            "similar_new",
                                            "excluded_in_progress",
                                            "excluded_closed",
                                            "excluded_unmeetable"};
    for (int i = 0; i < 6; i++)
        if (decision && !strcmp(decision, decisions[i]))
            stats[i]++;
    if (ti->repeat) {
        const char *rel = jstr(a, "related_ticket.ticket_id");
        int rk = rel ? atoi(rel + 3) : -1;
        ck_assert_msg(rk >= 0 && rk < k && !strcmp(tickets[rk].id, rel), "%s: related %s", ti->id,
                      rel);
        const ct_ticket *p = &tickets[rk];
        snprintf(ti->rep_unit, sizeof(ti->rep_unit), "%s", p->unit >= 0 ? ct_units[p->unit] : "");
        snprintf(ti->rep_team, sizeof(ti->rep_team), "%s",
                 p->team >= 0 ? ct_team(p->unit, p->team) : "");
        snprintf(ti->rep_handler, sizeof(ti->rep_handler), "%s",
                 p->handler >= 0 ? ct_handler(p->unit, p->team, p->handler) : "");
    }
    json_decref(a);
    if (ti->wo)
        ct_schedule_handling(k, t);
    else if (chance(10))
        push(t + between(HOUR_S, DAY_S), A_NOWO, k);
    pr->calls_made++;
    if (--pr->calls_left > 0) {
        int64_t next = t + between(pat->gap_min, pat->gap_max);
        if (next < calls_end)
            push(next, A_CALL, pi);
    }
}

static void ct_dispatch(int k, int64_t t, bool again)
{
    ct_ticket *ti = &tickets[k];
    if (!ti->open)
        return;
    int u = rnd(CT_UNITS);
    if (again && ti->unit >= 0)
        u = (ti->unit + 1 + rnd(CT_UNITS - 1)) % CT_UNITS; /* another unit */
    int team = rnd(2), h = rnd(2);
    bool bare = chance(5); /* a unit alone, no team or handler */
    ct_post_event(k,
                  ev_dispatched(sh(t), ct_units[u], bare ? NULL : ct_team(u, team),
                                bare ? NULL : ct_handler(u, team, h),
                                chance(70) ? sh(t + 5 * DAY_S) : NULL),
                  201);
    ti->unit = u;
    ti->team = bare ? -1 : team;
    ti->handler = bare ? -1 : h;
    if (again) {
        stats[ST_REDISPATCHED]++;
        return;
    }
    ti->dispatched = true;
    ti->dispatch_at = t;
    push(t + between(10 * MIN_S, 8 * HOUR_S), A_CONTACT, k);
    if (chance(15))
        push(t + between(9 * HOUR_S, 3 * DAY_S), A_REDISPATCH, k);
}

static const char *const failures[] = {"no_answer", "busy", "rejected", "powered_off",
                                       "wrong_number"};

static void ct_contact(int k, int64_t t, bool chain)
{
    ct_ticket *ti = &tickets[k];
    if (!ti->open)
        return;
    bool reached = chance(ti->fast ? 75 : 55);
    /* Now and then the attempt's time is before the dispatch's (sent later all the same), but
     * never before the ticket was received: that is refused as out of order. */
    int64_t when = chain && chance(25) ? ti->dispatch_at - between(HOUR_S, 5 * HOUR_S) : t;
    if (when < ti->received)
        when = ti->received;
    if (when < t)
        stats[ST_CONTACT_BEFORE_DISPATCH]++;
    if (!ti->dispatched)
        stats[ST_PRECONTACT]++;
    ct_post_event(k, ev_contact(sh(when), reached ? "reached" : failures[rnd(5)]), 201);
    if (reached)
        ti->reached = true;
    else
        ti->fails++;
    if (!chain)
        return;
    if (ti->reached || ti->fails >= 3)
        push(t + between(2 * HOUR_S, 3 * DAY_S), A_CLOSEOUT, k);
    else if (chance(90))
        push(t + between(HOUR_S, 12 * HOUR_S), A_CONTACT, k);
}

/* A close-out: rejected with one of several defects now and then, else accepted. */
static void ct_closeout(int k, int64_t t)
{
    ct_ticket *ti = &tickets[k];
    if (!ti->open)
        return;
    const char *contact_time = sh(ti->received + between(30 * MIN_S, 2 * HOUR_S));
    if (chance(28)) {
        json_t *ev = ev_closeout(sh(t), contact_time, chance(70), false);
        switch (rnd(6)) {
        case 0:
            json_object_set_new(ev, "cause", json_string("已维修"));
            break;
        case 1:
            json_object_set_new(ev, "verification", json_string("现场已查看"));
            break;
        case 2:
            json_object_set_new(ev, "reply_method", json_string("fax"));
            break;
        case 3:
            json_object_del(ev, "handling_opinion");
            json_object_del(ev, "resolved");
            break;
        case 4:
            json_object_set_new(ev, "contact_time", json_string(sh(ti->received - 2 * DAY_S)));
            break;
        default:
            json_object_set_new(ev, "cause", json_string("已处理。"));
            json_object_set_new(ev, "reply_to_citizen", json_string("已解决"));
            json_object_set_new(ev, "reply_method", json_string("email"));
            break;
        }
        ct_post_event(k, ev, 422);
        stats[ST_REJECTED]++;
        push(t + between(HOUR_S, 2 * DAY_S), A_CLOSEOUT, k);
        return;
    }
    ct_post_event(k, ev_closeout(sh(t), contact_time, chance(75), ti->reached), 201);
    ti->closeout_ok = true;
    if (chance(95))
        push(t + between(2 * HOUR_S, 2 * DAY_S), A_FOLLOWUP, k);
}

static void ct_followup(int k, int64_t t)
{
    ct_ticket *ti = &tickets[k];
    if (!ti->open)
        return;
    bool reached = chance(75);
    ct_post_event(k, ev_followup(sh(t), reached, chance(70), reached && chance(70)), 201);
    ti->followup = true;
    if (chance(ti->fast ? 95 : 82))
        push(t + between(10 * MIN_S, DAY_S), A_CLOSE, k);
}

static void ct_close(int k, int64_t t)
{
    ct_ticket *ti = &tickets[k];
    if (!ti->open)
        return;
    ck_assert_msg(ti->dispatched && (ti->reached || ti->fails >= 3) && ti->closeout_ok &&
                      ti->followup,
                  "%s: the model would close too early", ti->id);
    static const char *const outcomes[] = {"resolved",   "resolved",   "resolved",
                                           "unresolved", "unresolved", "policy_explained",
                                           "withdrawn"};
    ct_post_event(k, ev_closed(sh(t), outcomes[rnd(7)]), 201);
    ti->open = false;
    if (chance(18))
        push(t + between(DAY_S, 20 * DAY_S), A_AUDIT, k);
    if (chance(9))
        push(t + between(DAY_S, 15 * DAY_S), A_REOPEN, k);
}

static void ct_audit(int k, int64_t t)
{
    ct_post_event(k, ev_audit(sh(t), chance(50), "抽查回访核实回单情况。"), 201);
    if (chance(30))
        push(t + between(DAY_S, 10 * DAY_S), A_AUDIT, k);
}

static void ct_reopen(int k, int64_t t)
{
    ct_ticket *ti = &tickets[k];
    if (ti->open)
        return;
    ct_post_event(k, ev_reopened(sh(t)), 201);
    stats[ST_REOPENED]++;
    ti->open = true;
    ti->closeout_ok = ti->followup = false;
    push(t + between(2 * HOUR_S, 3 * DAY_S), A_CLOSEOUT, k);
}

static void ct_run_history(void)
{
    tickets = calloc(CT_MAX_TICKETS, sizeof(*tickets));
    queue = calloc(CT_MAX_ACTIONS, sizeof(*queue));
    ck_assert(tickets && queue);
    calls_end = sh_time(2025, 6, 30, 20, 0);

    /* Problems: citizens with patterns; a "two sites" citizen has a second problem in the same
     * category about 1.1 km away. */
    int total_weight = 0;
    for (size_t i = 0; i < N_OF(patterns); i++)
        total_weight += patterns[i].weight;
    int citizen = 0;
    while (n_problems < 110) {
        int w = rnd(total_weight), pat = 0;
        while (w >= patterns[pat].weight)
            w -= patterns[pat++].weight;
        ct_problem *pr = &problems[n_problems++];
        pr->citizen = citizen;
        pr->pattern = pat;
        pr->calls_left =
            patterns[pat].calls_min + rnd(patterns[pat].calls_max - patterns[pat].calls_min + 1);
        pr->category = patterns[pat].policy ? CT_POLICY_CATEGORY : ct_categories[rnd(8)];
        pr->has_loc = chance(70) || patterns[pat].two_sites;
        pr->lat = 23.10 + 0.0005 * citizen;
        pr->lon = 113.25 + 0.0003 * citizen;
        push(ct_first_call(), A_CALL, n_problems - 1);
        if (patterns[pat].two_sites && n_problems < CT_MAX_PROBLEMS) {
            ct_problem *other = &problems[n_problems++];
            *other = *pr;
            other->lat += 0.01;
            push(ct_first_call(), A_CALL, n_problems - 1);
        }
        citizen++;
    }
    for (size_t i = 0; i < N_OF(ct_settings); i++)
        push(sh_time(2025, ct_settings[i].month, ct_settings[i].day, ct_settings[i].hour, 0),
             A_SETTINGS, (int)i);

    ct_action a;
    while (pop(&a)) {
        switch (a.kind) {
        case A_CALL:
            ct_call(a.idx, a.t);
            break;
        case A_PRECONTACT:
            ct_contact(a.idx, a.t, false);
            break;
        case A_DISPATCH:
            ct_dispatch(a.idx, a.t, false);
            break;
        case A_REDISPATCH:
            ct_dispatch(a.idx, a.t, true);
            break;
        case A_CONTACT:
            ct_contact(a.idx, a.t, true);
            break;
        case A_CLOSEOUT:
            ct_closeout(a.idx, a.t);
            break;
        case A_FOLLOWUP:
            ct_followup(a.idx, a.t);
            break;
        case A_CLOSE:
            ct_close(a.idx, a.t);
            break;
        case A_AUDIT:
            ct_audit(a.idx, a.t);
            break;
        case A_REOPEN:
            ct_reopen(a.idx, a.t);
            break;
        case A_NOWO: {
            ct_post_event(a.idx, ev_contact(sh(a.t), "reached"), 409);
            break;
        }
        case A_SETTINGS:
            ADMIN("PATCH", "/v1/admin/settings", ct_settings[a.idx].patch, 200);
            break;
        }
    }
    free(queue);
    queue = NULL;
}

/* Intake facts the rules rely on, checked against what the model saw and the zone in force. */
static void ct_check_intake_facts(int v_first)
{
    /* received_month: the natural month in the time zone of the ticket's definition. */
    PGresult *res = q("SELECT t.ticket_id, t.received_month, (extract(year FROM t.received_at"
                      " AT TIME ZONE (d.settings->>'time_zone')) * 12 + extract(month FROM"
                      " t.received_at AT TIME ZONE (d.settings->>'time_zone')) - 1)::int"
                      " FROM tickets t JOIN definition_versions d"
                      " ON d.version = t.definition_version"
                      " WHERE t.received_month <> (extract(year FROM t.received_at AT TIME ZONE"
                      " (d.settings->>'time_zone')) * 12 + extract(month FROM t.received_at"
                      " AT TIME ZONE (d.settings->>'time_zone')) - 1)::int",
                      0, NULL);
    for (int i = 0; i < PQntuples(res); i++)
        diff("%s: received_month %s, in its definition's zone %s", PQgetvalue(res, i, 0),
             PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
    PQclear(res);
    /* A repeat is held against the repeated ticket's assignment when it arrived. */
    res = q("SELECT ticket_id, coalesce(repeat_unit, ''), coalesce(repeat_team, ''),"
            " coalesce(repeat_handler, ''), definition_version FROM tickets"
            " WHERE ticket_id LIKE 'KC-%' AND counts_as_repeat ORDER BY ticket_id",
            0, NULL);
    int n_rep = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        int k = atoi(PQgetvalue(res, i, 0) + 3);
        const ct_ticket *ti = &tickets[k];
        n_checked++;
        n_rep++;
        if (!ti->repeat || strcmp(PQgetvalue(res, i, 1), ti->rep_unit) ||
            strcmp(PQgetvalue(res, i, 2), ti->rep_team) ||
            strcmp(PQgetvalue(res, i, 3), ti->rep_handler))
            diff("%s: repeat held against %s/%s/%s, the repeated ticket was at %s/%s/%s", ti->id,
                 PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3), ti->rep_unit,
                 ti->rep_team, ti->rep_handler);
        if (atoi(PQgetvalue(res, i, 4)) < v_first)
            diff("%s: definition version %s before the history's first", ti->id,
                 PQgetvalue(res, i, 4));
    }
    PQclear(res);
    ck_assert_msg(n_rep >= 20, "the random history has only %d repeats", n_rep);
}

START_TEST(consistency_random_history)
{
    int v_first = current_version();
    ADMIN("PATCH", "/v1/admin/settings",
          P("{\"ranking_min_complaints\": %ld, \"ranking_bottom_n\": %ld}", ct_min_complaints,
            ct_bottom_n),
          200);
    /* A root that is a leaf: at any level it stands for itself. */
    ADMIN("PUT", "/v1/admin/categories",
          "{\"categories\": [{\"code\":\"ZX\",\"name\":\"政策咨询\",\"parent\":null,"
          "\"policy\":false}]}",
          200);
    json_t *org = json_pack("{s:[], s:[], s:[]}", "units", "teams", "handlers");
    for (int u = 0; u < CT_UNITS - 1; u++) { /* the last unit has no name */
        json_array_append_new(
            json_object_get(org, "units"),
            json_pack("{s:s, s:s}", "code", ct_units[u], "name", P("测试单位%d", u + 1)));
        for (int t = 0; t < 2; t++) {
            json_array_append_new(json_object_get(org, "teams"),
                                  json_pack("{s:s, s:s, s:s}", "code", ct_team(u, t), "name",
                                            P("班组%d-%d", u + 1, t + 1), "unit", ct_units[u]));
            json_array_append_new(json_object_get(org, "handlers"),
                                  json_pack("{s:s, s:s, s:s}", "code", ct_handler(u, t, 0), "name",
                                            P("处理人%d-%d", u + 1, t + 1), "team", ct_team(u, t)));
        }
    }
    long st;
    json_decref(send_json("PUT", "/v1/admin/units", api.admin_key, org, NULL, &st));
    json_decref(org);
    ck_assert_int_eq(st, 200);
    json_t *targets = json_pack("{s:[]}", "targets");
    for (size_t i = 0; i < N_OF(ct_targets); i++) {
        json_t *t = json_pack("{s:s, s:s, s:f}", "scope", dim_names[ct_targets[i].dim], "code",
                              ct_targets[i].code, "target_rate", ct_targets[i].rate);
        if (ct_targets[i].period[0])
            json_object_set_new(t, "period", json_string(ct_targets[i].period));
        json_array_append_new(json_object_get(targets, "targets"), t);
    }
    json_decref(send_json("PUT", "/v1/admin/targets", api.admin_key, targets, NULL, &st));
    json_decref(targets);
    ck_assert_int_eq(st, 200);

    ct_run_history();
    int v_last = current_version();
    fprintf(stderr,
            "consistency: %d tickets (new %d, repeat %d, similar_new %d, in_progress %d, "
            "closed %d, unmeetable %d), %d rejected close-outs, %d reopenings, %d re-dispatches, "
            "%d attempts before a dispatch, %d dated before theirs, %d late tickets, versions "
            "%d..%d\n",
            n_tickets, stats[0], stats[1], stats[2], stats[3], stats[4], stats[5],
            stats[ST_REJECTED], stats[ST_REOPENED], stats[ST_REDISPATCHED], stats[ST_PRECONTACT],
            stats[ST_CONTACT_BEFORE_DISPATCH], stats[ST_LATE], v_first, v_last);
    ck_assert_msg(v_last - v_first == (int)N_OF(ct_settings), "versions %d..%d", v_first, v_last);
    /* The history must keep exercising what it is for, whatever the seed does. */
    for (int i = 0; i < ST_COUNT; i++)
        ck_assert_msg(stats[i] > 0, "the random history has no case of kind %d", i);
    ck_assert_msg(n_tickets >= 250, "only %d tickets", n_tickets);

    db_open();
    load_names();
    ct_check_intake_facts(v_first);
    /* The zone changes moved tickets near a month's turn into another natural month. */
    PGresult *moved = q("SELECT count(*) FROM tickets WHERE ticket_id LIKE 'KC-%' AND"
                        " received_month <> (extract(year FROM received_at AT TIME ZONE"
                        " 'Asia/Shanghai') * 12 + extract(month FROM received_at AT TIME ZONE"
                        " 'Asia/Shanghai') - 1)::int",
                        0, NULL);
    int n_moved = atoi(PQgetvalue(moved, 0, 0));
    PQclear(moved);
    ck_assert_msg(n_moved > 0, "no ticket's natural month depended on the zone in force");

    int first = 2025 * 12, last = 2025 * 12 + 5;
    for (int kind = 0; kind < 3; kind++) {
        int pm = kind_months[kind];
        int from = first - first % pm, to = last - last % pm;
        /* repeats: every grouping, the whole range */
        for (int dim = 0; dim <= 4; dim++)
            for (int level = 0; level <= (dim == 4 ? 2 : 0); level++)
                cmp_repeats(kind, dim, level, from, to);
        for (int p = from; p <= to; p += pm) {
            for (int dim = 1; dim <= 3; dim++)
                cmp_ranking(kind, dim, p);
            for (int level = 0; level <= 2; level++)
                cmp_top(kind, level, p, level == 1 ? 0 : 1000);
            cmp_anomalies(kind, 1, 0, p, 3, 1, 0, 1000);
            for (int level = 0; level <= 2; level++)
                cmp_anomalies(kind, 4, level, p, 3, 1, 0, 1000);
            cmp_anomalies(kind, 4, 0, p, 6, 3, 3, 50); /* the defaults */
            cmp_anomalies(kind, 1, 0, p, 2, 2, 1, 3);
        }
        for (int dim = 1; dim <= 3; dim++)
            cmp_contact(kind, dim, from, to);
        cmp_quality(kind, 1, from, to);
        cmp_quality(kind, 3, from, to);
        /* trend: every metric, the whole line and single groups */
        int periods = kind == 0 ? 8 : kind == 1 ? 4 : 3;
        for (size_t m = 0; m < N_OF(trend_metrics); m++) {
            cmp_trend(kind, m, 0, 0, NULL, to, periods);
            cmp_trend(kind, m, 1, 0, "CU-01", to, periods);
            cmp_trend(kind, m, 1, 0, ct_units[4], to, periods);
            cmp_trend(kind, m, 2, 0, ct_team(4, 1), to, periods);
            cmp_trend(kind, m, 3, 0, ct_handler(1, 0, 1), to, periods);
            cmp_trend(kind, m, 4, 0, "CG.SZ.LD", to, periods);
            cmp_trend(kind, m, 4, 1, "HB", to, periods);
            cmp_trend(kind, m, 4, 2, "JT.GJ", to, periods);
        }
    }
    /* A part of the range, and single months of it. */
    cmp_repeats(0, 0, 0, first + 1, first + 3);
    cmp_repeats(0, 1, 0, first + 2, first + 4);
    cmp_repeats(0, 4, 1, first + 3, first + 3);
    cmp_contact(0, 1, first + 1, first + 2);
    cmp_quality(0, 1, first + 4, first + 5);
    cmp_green(2);
    ck_assert_msg(n_falls > 0, "no top problem fell from one period to the next");

    db_close();
    fprintf(stderr, "consistency: %d numbers compared, %d mismatches\n", n_checked, n_diffs);
    if (n_diffs) {
        char head[6000];
        snprintf(head, sizeof(head), "%s", diffs);
        ck_abort_msg("%d KPI numbers differ from the recomputation (first ones; all on "
                     "stderr):\n%s",
                     n_diffs, head);
    }
    free(diffs);
    diffs = NULL;
    free(tickets);
    tickets = NULL;
    free(names);
    names = NULL;
}

int main(void)
{
    harness_start("kpi_oracle");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, consistency_random_history);
    return harness_run(s, tc);
}
