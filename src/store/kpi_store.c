/* The store of KPIs: aggregate upserts on the write path, grouped reads for dashboards. */
#include "repeatd/kpi_store.h"

#include "repeatd/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each connection writes its own shard of every row, so concurrent intakes never wait on one
 * another's aggregate rows (a row lock lasts until COMMIT, fsync included); readers sum at most
 * 8 shards. Rows are inserted in key order all the same. */
static const rd_stmt q_apply = {
    "kpi_apply",
    "INSERT INTO kpi_counts AS k (dim, key, month, version, shard, complaints, repeats,"
    " contacted, first_contact_failed, closeouts_inspected, closeouts_rejected,"
    " false_closeouts)"
    " SELECT d.dim, d.key, d.month, d.version,"
    "  pg_backend_pid() % 8,"
    "  d.c, d.r, d.ct, d.f, d.i, d.j, d.x"
    " FROM unnest($1::smallint[], $2::text[], $3::integer[], $4::integer[], $5::bigint[],"
    "  $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])"
    "  AS d(dim, key, month, version, c, r, ct, f, i, j, x)"
    " ORDER BY 1, 3, 2, 4"
    " ON CONFLICT (dim, month, key, version, shard) DO UPDATE SET"
    "  complaints = k.complaints + EXCLUDED.complaints, repeats = k.repeats + EXCLUDED.repeats,"
    "  contacted = k.contacted + EXCLUDED.contacted,"
    "  first_contact_failed = k.first_contact_failed + EXCLUDED.first_contact_failed,"
    "  closeouts_inspected = k.closeouts_inspected + EXCLUDED.closeouts_inspected,"
    "  closeouts_rejected = k.closeouts_rejected + EXCLUDED.closeouts_rejected,"
    "  false_closeouts = k.false_closeouts + EXCLUDED.false_closeouts",
    11};

static const rd_stmt q_defects = {
    "kpi_defects_add",
    "INSERT INTO kpi_defects AS k (dim, key, month, code, n)"
    " SELECT d.dim, d.key, $3, c.code, count(*) FROM unnest($4::text[]) AS c(code)"
    " CROSS JOIN (VALUES (1::smallint, $1::text), (3::smallint, $2::text)) AS d(dim, key)"
    " GROUP BY 1, 2, 4 ORDER BY 1, 2, 4"
    " ON CONFLICT (dim, month, key, code) DO UPDATE SET n = k.n + EXCLUDED.n",
    4};

/* Counts are summed as integer (a month's or a year's count per group fits): sum() over bigint
 * aggregates in numeric, several times slower on the year-by-handler answers. */

/* Period starts are aligned to the calendar: month - (month % period) works because month
 * indices count from January of year 0. A version whose numbers all net to zero for a period
 * and key (the complaint of a ticket re-dispatched elsewhere) made none of them: it is left
 * out, and a row with nothing left is no row. */
static const rd_stmt q_grouped = {
    "kpi_grouped",
    "SELECT p, key, sum(c::integer), sum(r::integer), sum(ct::integer), sum(f::integer), "
    "sum(i::integer), sum(j::integer), sum(x::integer),"
    " array_to_string(array_agg(version ORDER BY version), ',') FROM ("
    " SELECT k.month - k.month % $3::integer AS p, k.key, k.version, sum(k.complaints::integer) AS "
    "c,"
    "  sum(k.repeats::integer) AS r, sum(k.contacted::integer) AS ct, "
    "sum(k.first_contact_failed::integer) AS f,"
    "  sum(k.closeouts_inspected::integer) AS i, sum(k.closeouts_rejected::integer) AS j,"
    "  sum(k.false_closeouts::integer) AS x"
    " FROM kpi_counts k WHERE k.dim = $1 AND k.month BETWEEN $4 AND $5"
    " AND $2::integer >= 0" /* the level: unused without a roll-up, typed all the same */
    " GROUP BY 1, 2, 3) v"
    " WHERE c <> 0 OR r <> 0 OR ct <> 0 OR f <> 0 OR i <> 0 OR j <> 0 OR x <> 0"
    " GROUP BY 1, 2 ORDER BY 1, 2",
    5};

/* Leaves rolled up to their ancestor at `level` (1 = roots); a leaf shallower than the level
 * stands for itself. */
static const rd_stmt q_grouped_level = {
    "kpi_grouped_level",
    "WITH RECURSIVE up(leaf, code, depth) AS ("
    "  SELECT code, code, 0 FROM categories"
    "  UNION ALL SELECT u.leaf, c.parent, u.depth + 1 FROM up u"
    "  JOIN categories c ON c.code = u.code WHERE c.parent IS NOT NULL AND u.depth < 32),"
    " lv AS (SELECT leaf, code, max(depth) OVER (PARTITION BY leaf) - depth + 1 AS level"
    "  FROM up)"
    " SELECT p, key, sum(c::integer), sum(r::integer), sum(ct::integer), sum(f::integer), "
    "sum(i::integer), sum(j::integer), sum(x::integer),"
    " array_to_string(array_agg(version ORDER BY version), ',') FROM ("
    " SELECT k.month - k.month % $3::integer AS p, coalesce(lv.code, k.key) AS key, k.version,"
    "  sum(k.complaints::integer) AS c, sum(k.repeats::integer) AS r, sum(k.contacted::integer) AS "
    "ct,"
    "  sum(k.first_contact_failed::integer) AS f, sum(k.closeouts_inspected::integer) AS i,"
    "  sum(k.closeouts_rejected::integer) AS j, sum(k.false_closeouts::integer) AS x"
    " FROM kpi_counts k LEFT JOIN lv ON lv.leaf = k.key AND lv.level = $2::integer"
    " WHERE k.dim = $1 AND k.month BETWEEN $4 AND $5"
    " GROUP BY 1, 2, 3) v"
    " WHERE c <> 0 OR r <> 0 OR ct <> 0 OR f <> 0 OR i <> 0 OR j <> 0 OR x <> 0"
    " GROUP BY 1, 2 ORDER BY 1, 2",
    5};

/* Per period (aligned like q_grouped's) and key: each row of an answer gets its own period's. */
static const rd_stmt q_top_defects = {
    "kpi_top_defects",
    "SELECT coalesce(jsonb_object_agg(p::text, keys), '{}'::jsonb)::text FROM ("
    " SELECT p, jsonb_object_agg(key, codes) AS keys FROM ("
    "  SELECT p, key, jsonb_agg(jsonb_build_object('code', code, 'count', n)"
    "   ORDER BY n DESC, code) AS codes FROM ("
    "   SELECT p, key, code, n,"
    "    row_number() OVER (PARTITION BY p, key ORDER BY n DESC, code) AS rn FROM ("
    "    SELECT month - month % $5::integer AS p, key, code, sum(n::integer) AS n"
    "    FROM kpi_defects WHERE dim = $1 AND month BETWEEN $2 AND $3 GROUP BY 1, 2, 3) a) d"
    "  WHERE rn <= $4 GROUP BY p, key) k" /* only the top codes are turned into JSON */
    " GROUP BY p) t",
    5};

static const rd_stmt q_green = {
    "green_channel",
    "SELECT coalesce(jsonb_agg(g ORDER BY g.first_received_at, g.chain_id), '[]'::jsonb)::text"
    " FROM (SELECT t.chain_id, t.ticket_id AS latest_ticket_id, t.category,"
    "  t.phone_masked AS citizen, t.repeat_ordinal AS repeats,"
    "  f.received_at AS first_received_at, t.received_at AS latest_received_at,"
    "  f.unit AS original_unit, f.team AS original_team, f.handler AS original_handler,"
    "  t.unit, t.team, t.handler, t.deadline"
    "  FROM tickets t JOIN tickets f ON f.ticket_id = t.chain_id"
    "  WHERE t.status = 'open' AND t.counts_as_repeat AND t.repeat_ordinal >= $1"
    "  AND NOT EXISTS (SELECT 1 FROM tickets n WHERE n.chain_id = t.chain_id"
    "   AND n.counts_as_repeat AND n.repeat_ordinal > t.repeat_ordinal)"
    "  ORDER BY f.received_at, t.chain_id LIMIT $2) g",
    2};

static const rd_stmt q_names = {
    "org_names",
    "SELECT jsonb_build_object("
    " 'unit', coalesce(jsonb_object_agg(code, name) FILTER (WHERE kind = 'unit'), '{}'),"
    " 'team', coalesce(jsonb_object_agg(code, name) FILTER (WHERE kind = 'team'), '{}'),"
    " 'handler', coalesce(jsonb_object_agg(code, name) FILTER (WHERE kind = 'handler'), '{}')"
    ")::text FROM org_names",
    0};
static const rd_stmt q_name_upsert = {
    "org_name_upsert",
    "INSERT INTO org_names (kind, code, name, parent) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (kind, code) DO UPDATE SET name = EXCLUDED.name, parent = EXCLUDED.parent,"
    " updated_at = now()",
    4};
static const rd_stmt q_targets = {
    "kpi_targets",
    "SELECT jsonb_build_object("
    " 'unit', coalesce((SELECT jsonb_object_agg(code, p) FROM (SELECT code,"
    "   jsonb_object_agg(period, target_rate) AS p FROM kpi_targets WHERE scope = 'unit'"
    "   GROUP BY code) u), '{}'),"
    " 'team', coalesce((SELECT jsonb_object_agg(code, p) FROM (SELECT code,"
    "   jsonb_object_agg(period, target_rate) AS p FROM kpi_targets WHERE scope = 'team'"
    "   GROUP BY code) u), '{}'))::text",
    0};
static const rd_stmt q_target_upsert = {
    "kpi_target_upsert",
    "INSERT INTO kpi_targets (scope, code, period, target_rate, updated_by)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, code, period) DO UPDATE SET"
    " target_rate = EXCLUDED.target_rate, updated_by = EXCLUDED.updated_by, updated_at = now()",
    5};

static const rd_stmt q_month_now = {"month_now",
                                    "SELECT (extract(year FROM now() AT TIME ZONE $1) * 12"
                                    " + extract(month FROM now() AT TIME ZONE $1) - 1)::integer",
                                    1};

int store_month_now(rd_db *db, const char *tz, int *ret)
{
    const char *params[] = {tz};
    PGresult *res;
    int r = rd_db_exec(db, &q_month_now, params, &res);
    if (r < 0)
        return r;
    *ret = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

/* A growing text buffer for PostgreSQL array literals. */
typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static int buf_put(buf *b, const char *s, size_t len)
{
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
    return 0;
}

/* A text element of an array literal: quoted, with " and \ escaped. */
static int put_text(buf *b, const char *s, bool first)
{
    int r = buf_put(b, first ? "\"" : ",\"", first ? 1 : 2);
    for (; r == 0 && *s; s++) {
        if (*s == '"' || *s == '\\')
            r = buf_put(b, "\\", 1);
        if (r == 0)
            r = buf_put(b, s, 1);
    }
    return r ? r : buf_put(b, "\"", 1);
}

static int put_long(buf *b, long v, bool first)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%s%ld", first ? "" : ",", v);
    return buf_put(b, tmp, (size_t)n);
}

int store_kpi_apply(rd_db *db, const rd_kpi_deltas *ds)
{
    if (ds->n == 0)
        return 0;
    enum { DIM, KEY, MONTH, VERSION, VALUES0 };
    buf cols[VALUES0 + RD_KPI_METRIC_COUNT_] = {0};
    const size_t n_cols = sizeof(cols) / sizeof(cols[0]);
    int r = 0;
    for (size_t c = 0; r == 0 && c < n_cols; c++)
        r = buf_put(&cols[c], "{", 1);
    for (size_t i = 0; r == 0 && i < ds->n; i++) {
        const rd_kpi_delta *d = &ds->d[i];
        bool first = i == 0;
        r = put_long(&cols[DIM], d->dim, first);
        if (r == 0)
            r = put_text(&cols[KEY], d->key, first);
        if (r == 0)
            r = put_long(&cols[MONTH], d->month, first);
        if (r == 0)
            r = put_long(&cols[VERSION], d->version, first);
        for (int m = 0; r == 0 && m < RD_KPI_METRIC_COUNT_; m++)
            r = put_long(&cols[VALUES0 + m], d->values[m], first);
    }
    for (size_t c = 0; r == 0 && c < n_cols; c++)
        r = buf_put(&cols[c], "}", 1);
    if (r == 0) {
        const char *params[VALUES0 + RD_KPI_METRIC_COUNT_];
        for (size_t c = 0; c < n_cols; c++)
            params[c] = cols[c].p;
        r = rd_db_run(db, &q_apply, params);
    }
    for (size_t c = 0; c < n_cols; c++)
        free(cols[c].p);
    return r;
}

int store_kpi_defects_add(rd_db *db, const char *unit, const char *handler, int month,
                          const rd_defect *defects, size_t n)
{
    buf codes = {0};
    char m[16];
    snprintf(m, sizeof(m), "%d", month);
    int r = buf_put(&codes, "{", 1);
    for (size_t i = 0; r == 0 && i < n; i++)
        r = put_text(&codes, rd_defect_name(defects[i].code), i == 0);
    if (r == 0)
        r = buf_put(&codes, "}", 1);
    const char *params[] = {unit, handler, m, codes.p};
    if (r == 0)
        r = rd_db_run(db, &q_defects, params);
    free(codes.p);
    return r;
}

static void parse_versions(const char *s, rd_kpi_row *row)
{
    row->n_versions = 0;
    while (*s && row->n_versions < (int)(sizeof(row->versions) / sizeof(row->versions[0]))) {
        char *end;
        row->versions[row->n_versions++] = (int)strtol(s, &end, 10);
        s = *end == ',' ? end + 1 : end;
    }
}

int store_kpi_grouped(rd_db *db, rd_kpi_dim dim, int level, int period_months, int from, int to,
                      rd_kpi_row **ret, size_t *ret_n)
{
    char d[8], l[16], p[16], f[16], t[16];
    snprintf(d, sizeof(d), "%d", (int)dim);
    snprintf(l, sizeof(l), "%d", level);
    snprintf(p, sizeof(p), "%d", period_months);
    snprintf(f, sizeof(f), "%d", from);
    snprintf(t, sizeof(t), "%d", to);
    const char *params[] = {d, l, p, f, t};
    PGresult *res;
    bool rollup = dim == RD_DIM_CATEGORY && level > 0;
    int r = rd_db_exec(db, rollup ? &q_grouped_level : &q_grouped, params, &res);
    if (r < 0)
        return r;
    size_t n = (size_t)PQntuples(res);
    rd_kpi_row *rows = calloc(n ? n : 1, sizeof(*rows));
    if (!rows) {
        PQclear(res);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        rows[i].period_start = atoi(PQgetvalue(res, (int)i, 0));
        snprintf(rows[i].key, sizeof(rows[i].key), "%s", PQgetvalue(res, (int)i, 1));
        for (int m = 0; m < RD_KPI_METRIC_COUNT_; m++)
            rows[i].v[m] = strtol(PQgetvalue(res, (int)i, 2 + m), NULL, 10);
        parse_versions(PQgetvalue(res, (int)i, 2 + RD_KPI_METRIC_COUNT_), &rows[i]);
    }
    PQclear(res);
    *ret = rows;
    *ret_n = n;
    return 0;
}

static int json_query(rd_db *db, const rd_stmt *stmt, const char *const *params, json_t **ret)
{
    PGresult *res;
    int r = rd_db_exec(db, stmt, params, &res);
    if (r < 0)
        return r;
    r = store_json_column(res, 0, 0, ret);
    PQclear(res);
    return r;
}

int store_kpi_top_defects(rd_db *db, rd_kpi_dim dim, int period_months, int from, int to,
                          int per_key, json_t **ret)
{
    char d[8], f[16], t[16], k[16], p[16];
    snprintf(d, sizeof(d), "%d", (int)dim);
    snprintf(f, sizeof(f), "%d", from);
    snprintf(t, sizeof(t), "%d", to);
    snprintf(k, sizeof(k), "%d", per_key);
    snprintf(p, sizeof(p), "%d", period_months);
    const char *params[] = {d, f, t, k, p};
    return json_query(db, &q_top_defects, params, ret);
}

int store_green_channel(rd_db *db, int min_ordinal, int limit, json_t **ret)
{
    char m[16], l[16];
    snprintf(m, sizeof(m), "%d", min_ordinal);
    snprintf(l, sizeof(l), "%d", limit);
    const char *params[] = {m, l};
    return json_query(db, &q_green, params, ret);
}

int store_org_names(rd_db *db, json_t **ret)
{
    return json_query(db, &q_names, NULL, ret);
}

int store_org_name_upsert(rd_db *db, const char *kind, const char *code, const char *name,
                          const char *parent)
{
    const char *params[] = {kind, code, name, parent};
    return rd_db_run(db, &q_name_upsert, params);
}

int store_targets(rd_db *db, json_t **ret)
{
    return json_query(db, &q_targets, NULL, ret);
}

int store_target_upsert(rd_db *db, const char *scope, const char *code, const char *period,
                        double rate, const char *who)
{
    char v[32];
    snprintf(v, sizeof(v), "%.17g", rate);
    const char *params[] = {scope, code, period, v, who};
    return rd_db_run(db, &q_target_upsert, params);
}
