/* The improvement loop's tables: programmes and their check-ins, green-channel assignments and
 * verifications, and the audit trail of every change to them. */
#include "repeatd/loop_store.h"

#include "repeatd/result.h"
#include "repeatd/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONTH_OF(col, tz)                                                                          \
    "(extract(year FROM " col " AT TIME ZONE " tz ") * 12 + extract(month FROM " col               \
    " AT TIME ZONE " tz ") - 1)::integer"

static const rd_stmt q_now = {
    "loop_now",
    "SELECT " RD_SQL_INSTANT("now()", "$1") " AS now, " MONTH_OF("now()", "$1") " AS month", 1};

typedef struct now_row {
    rd_instant now;
    int month;
} now_row;

static const rd_col now_cols[] = {
    RD_COL("now", RD_COL_INSTANT, now_row, now),
    RD_COL("month", RD_COL_INT, now_row, month),
    {0},
};

int store_loop_now(rd_db *db, const char *tz, rd_instant *ret, int *ret_month)
{
    const char *params[] = {tz};
    now_row row;
    int r = store_read_row(db, &q_now, params, now_cols, &row);
    if (r < 0)
        return r;
    if (r == 0)
        return -EIO;
    *ret = row.now;
    *ret_month = row.month;
    return 0;
}

static const rd_stmt q_month_of = {"loop_month_of",
                                   "SELECT " MONTH_OF("$1::timestamptz", "$2") " AS month", 2};

int store_month_of(rd_db *db, const char *at, const char *tz, int *ret)
{
    const char *params[] = {at, tz};
    now_row row;
    static const rd_col cols[] = {RD_COL("month", RD_COL_INT, now_row, month), {0}};
    int r = store_read_row(db, &q_month_of, params, cols, &row);
    if (r < 0)
        return r;
    if (r == 0)
        return -EIO;
    *ret = row.month;
    return 0;
}

/* kpi_counts' dims: 1 unit, 2 team (kpi.h's rd_kpi_dim). */
static const rd_stmt q_known = {
    "group_known",
    "SELECT EXISTS (SELECT 1 FROM org_names WHERE kind = $1 AND code = $2)"
    " OR EXISTS (SELECT 1 FROM kpi_counts WHERE dim = CASE $1 WHEN 'unit' THEN 1 ELSE 2 END"
    "  AND key = $2) AS known",
    2};

typedef struct bool_row {
    bool v;
} bool_row;

int store_group_known(rd_db *db, const char *scope, const char *code)
{
    const char *params[] = {scope, code};
    static const rd_col cols[] = {RD_COL("known", RD_COL_BOOL, bool_row, v), {0}};
    bool_row row = {0};
    int r = store_read_row(db, &q_known, params, cols, &row);
    return r < 0 ? r : row.v ? 1 : 0;
}

/* ---- programmes ---- */

typedef struct id_row {
    int64_t id;
} id_row;

static const rd_col id_cols[] = {RD_COL("id", RD_COL_INT64, id_row, id), {0}};

static int read_id(rd_db *db, const rd_stmt *stmt, const char *const *params, int64_t *ret)
{
    id_row row;
    int r = store_read_row(db, stmt, params, id_cols, &row);
    if (r == 1 && ret)
        *ret = row.id;
    return r;
}

static const rd_stmt q_open_of = {
    "programme_open_of",
    "SELECT id FROM programmes WHERE scope = $1 AND code = $2 AND status = 'open'", 2};

int store_programme_open_of(rd_db *db, const char *scope, const char *code, int64_t *ret_id)
{
    const char *params[] = {scope, code};
    return read_id(db, &q_open_of, params, ret_id);
}

static const rd_stmt q_insert = {
    "programme_insert",
    "INSERT INTO programmes (scope, code, responsible, measures, checkin_days, opened_at,"
    " opened_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    7};

int store_programme_insert(rd_db *db, const char *scope, const char *code, const char *responsible,
                           const char *measures, int checkin_days, const char *opened_at,
                           const char *who, int64_t *ret_id)
{
    char days[16];
    snprintf(days, sizeof(days), "%d", checkin_days);
    const char *params[] = {scope, code, responsible, measures, days, opened_at, who};
    int r = read_id(db, &q_insert, params, ret_id);
    return r < 0 ? r : r == 1 ? 0 : -EIO;
}

#define PROGRAMME_COLS(tz)                                                                         \
    "SELECT p.id, p.scope, p.code, p.responsible, p.measures, p.checkin_days,"                     \
    " " RD_SQL_INSTANT("p.opened_at", tz) " AS opened_at, " MONTH_OF(                              \
        "p.opened_at",                                                                             \
        tz) " AS opened_month, p.opened_by, p.status,"                                             \
            " " RD_SQL_INSTANT(                                                                    \
                "p.closed_at",                                                                     \
                tz) " AS closed_at,"                                                               \
                    " coalesce(" MONTH_OF(                                                         \
                        "p.closed_at",                                                             \
                        tz) ", 0) AS closed_month,"                                                \
                            " p.closed_by,"                                                        \
                            " p.close_note,"                                                       \
                            " p.exit_met_at_close,"                                                \
                            " (SELECT count(*) FROM programme_checkins c WHERE c.programme_id = "  \
                            "p.id)::integer"                                                       \
                            "  AS n_checkins,"                                                     \
                            " (SELECT " RD_SQL_INSTANT(                                            \
                                "c.at", tz) " FROM programme_checkins c"                           \
                                            "  WHERE c.programme_id = p.id ORDER BY c.at DESC, "   \
                                            "c.id DESC LIMIT 1) AS last_checkin_at,"               \
                                            " (SELECT c.status FROM programme_checkins c"          \
                                            "  WHERE c.programme_id = p.id ORDER BY c.at DESC, "   \
                                            "c.id DESC LIMIT 1) AS last_checkin_status"            \
                                            " FROM programmes p"

static const rd_stmt q_get = {"programme_get", PROGRAMME_COLS("$2") " WHERE p.id = $1", 2};
static const rd_stmt q_get_lock = {"programme_get_lock",
                                   PROGRAMME_COLS("$2") " WHERE p.id = $1 FOR UPDATE OF p", 2};
static const rd_stmt q_list = {"programme_list",
                               PROGRAMME_COLS("$2") " WHERE $1::text IS NULL OR p.status = $1"
                                                    " ORDER BY p.id DESC",
                               2};

typedef struct programme_row {
    rd_programme p;
    bool has_closed_at;
} programme_row;

static const rd_col programme_cols[] = {
    RD_COL("id", RD_COL_INT64, rd_programme, id),
    RD_COL_T("scope", rd_programme, scope),
    RD_COL_T("code", rd_programme, code),
    RD_COL("responsible", RD_COL_STRDUP, rd_programme, responsible),
    RD_COL("measures", RD_COL_STRDUP, rd_programme, measures),
    RD_COL("checkin_days", RD_COL_INT, rd_programme, checkin_days),
    RD_COL("opened_at", RD_COL_INSTANT, rd_programme, opened_at),
    RD_COL("opened_month", RD_COL_INT, rd_programme, opened_month),
    RD_COL_T("opened_by", rd_programme, opened_by),
    RD_COL_T("status", rd_programme, status),
    RD_COL_OPT("closed_at", RD_COL_INSTANT, rd_programme, closed_at, closed),
    RD_COL("closed_month", RD_COL_INT, rd_programme, closed_month),
    RD_COL_T("closed_by", rd_programme, closed_by),
    RD_COL("close_note", RD_COL_STRDUP, rd_programme, close_note),
    RD_COL("exit_met_at_close", RD_COL_BOOL, rd_programme, exit_met_at_close),
    RD_COL("n_checkins", RD_COL_INT, rd_programme, n_checkins),
    RD_COL_OPT("last_checkin_at", RD_COL_INSTANT, rd_programme, last_checkin_at, has_last_checkin),
    RD_COL_T("last_checkin_status", rd_programme, last_checkin_status),
    {0},
};

int store_programme_get(rd_db *db, int64_t id, const char *tz, bool for_update, rd_programme *ret)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    const char *params[] = {ids, tz};
    memset(ret, 0, sizeof(*ret));
    return store_read_row(db, for_update ? &q_get_lock : &q_get, params, programme_cols, ret);
}

int store_programmes_list(rd_db *db, const char *status, const char *tz, rd_programme **ret,
                          size_t *ret_n)
{
    const char *params[] = {status, tz};
    return store_read_rows(db, &q_list, params, programme_cols, sizeof(**ret), (void **)ret, ret_n);
}

void rd_programme_clear(rd_programme *p)
{
    if (!p)
        return;
    rd_row_free(programme_cols, p);
    memset(p, 0, sizeof(*p));
}

void rd_programmes_free(rd_programme *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        rd_row_free(programme_cols, &p[i]);
    free(p);
}

static const rd_stmt q_checkin_insert = {
    "checkin_insert",
    "INSERT INTO programme_checkins (programme_id, at, status, notes, recorded_by)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id",
    5};

int store_checkin_insert(rd_db *db, int64_t programme, const char *at, const char *status,
                         const char *notes, const char *who, int64_t *ret_id)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, programme);
    const char *params[] = {ids, at, status, notes, who};
    int r = read_id(db, &q_checkin_insert, params, ret_id);
    return r < 0 ? r : r == 1 ? 0 : -EIO;
}

static const rd_stmt q_checkins = {
    "checkins_of",
    "SELECT id, " RD_SQL_INSTANT("at", "$2") " AS at, status, notes, recorded_by"
                                             " FROM programme_checkins WHERE programme_id = $1"
                                             " ORDER BY at, id",
    2};

static const rd_col checkin_cols[] = {
    RD_COL("id", RD_COL_INT64, rd_checkin, id),
    RD_COL("at", RD_COL_INSTANT, rd_checkin, at),
    RD_COL_T("status", rd_checkin, status),
    RD_COL("notes", RD_COL_STRDUP, rd_checkin, notes),
    RD_COL_T("recorded_by", rd_checkin, recorded_by),
    {0},
};

int store_checkins(rd_db *db, int64_t programme, const char *tz, rd_checkin **ret, size_t *ret_n)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, programme);
    const char *params[] = {ids, tz};
    return store_read_rows(db, &q_checkins, params, checkin_cols, sizeof(**ret), (void **)ret,
                           ret_n);
}

void rd_checkins_free(rd_checkin *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        rd_row_free(checkin_cols, &c[i]);
    free(c);
}

static const rd_stmt q_close = {
    "programme_close",
    "UPDATE programmes SET status = 'closed', closed_at = $2, closed_by = $3, close_note = $4,"
    " exit_met_at_close = $5 WHERE id = $1 AND status = 'open'",
    5};

int store_programme_close(rd_db *db, int64_t id, const char *at, const char *who, const char *note,
                          bool exit_met)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    const char *params[] = {ids, at, who, note, exit_met ? "true" : "false"};
    return rd_db_run(db, &q_close, params);
}

/* ---- the audit trail ---- */

static const rd_stmt q_audit_insert = {
    "loop_audit_insert",
    "INSERT INTO loop_audit (entity, entity_id, action, detail, changed_by)"
    " VALUES ($1, $2, $3, $4::jsonb, $5)",
    5};

int store_audit_insert(rd_db *db, const char *entity, const char *entity_id, const char *action,
                       const char *detail, const char *who)
{
    const char *params[] = {entity, entity_id, action, detail, who};
    return rd_db_run(db, &q_audit_insert, params);
}

static const rd_stmt q_audit_list = {
    "loop_audit_list",
    "SELECT id, entity, entity_id, action, detail::text AS detail, changed_by,"
    " " RD_SQL_INSTANT("changed_at", "$3") " AS changed_at FROM loop_audit"
                                           " WHERE entity = $1 AND entity_id = $2 ORDER BY id",
    3};

static const rd_col audit_cols[] = {
    RD_COL("id", RD_COL_INT64, rd_audit_entry, id),
    RD_COL_T("entity", rd_audit_entry, entity),
    RD_COL_T("entity_id", rd_audit_entry, entity_id),
    RD_COL_T("action", rd_audit_entry, action),
    RD_COL("detail", RD_COL_STRDUP, rd_audit_entry, detail),
    RD_COL_T("changed_by", rd_audit_entry, changed_by),
    RD_COL("changed_at", RD_COL_INSTANT, rd_audit_entry, changed_at),
    {0},
};

int store_audit_list(rd_db *db, const char *entity, const char *entity_id, const char *tz,
                     rd_audit_entry **ret, size_t *ret_n)
{
    const char *params[] = {entity, entity_id, tz};
    return store_read_rows(db, &q_audit_list, params, audit_cols, sizeof(**ret), (void **)ret,
                           ret_n);
}

void rd_audit_free(rd_audit_entry *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++)
        rd_row_free(audit_cols, &a[i]);
    free(a);
}

/* ---- the green channel ---- */

static const rd_stmt q_chain = {
    "chain_newest_repeat",
    "SELECT EXISTS (SELECT 1 FROM ticket_state WHERE ticket_id = $1) AS exists,"
    " n.repeat_ordinal AS ordinal, n.status = 'open' AS open, n.repeat_ordinal IS NOT NULL AS has"
    " FROM (SELECT 1) x LEFT JOIN LATERAL (SELECT green_ordinal AS repeat_ordinal, status"
    "  FROM ticket_state WHERE chain_id = $1 AND green_ordinal IS NOT NULL"
    "  ORDER BY green_ordinal DESC, received_at DESC LIMIT 1) n ON true",
    1};

typedef struct chain_row {
    bool exists, open, has;
    int ordinal;
} chain_row;

int store_chain_newest_repeat(rd_db *db, const char *chain_id, bool *ret_exists, int *ret_ordinal,
                              bool *ret_open)
{
    static const rd_col cols[] = {
        RD_COL("exists", RD_COL_BOOL, chain_row, exists),
        RD_COL("ordinal", RD_COL_INT, chain_row, ordinal),
        RD_COL("open", RD_COL_BOOL, chain_row, open),
        RD_COL("has", RD_COL_BOOL, chain_row, has),
        {0},
    };
    const char *params[] = {chain_id};
    chain_row row = {0};
    int r = store_read_row(db, &q_chain, params, cols, &row);
    if (r < 0)
        return r;
    *ret_exists = row.exists;
    *ret_ordinal = row.ordinal;
    *ret_open = row.open;
    return row.has ? 1 : 0;
}

#define ASSIGNMENT_COLS(tz)                                                                        \
    "SELECT a.chain_id, a.specialist, " RD_SQL_INSTANT(                                            \
        "a.assigned_at",                                                                           \
        tz) " AS assigned_at, a.assigned_by,"                                                      \
            " (SELECT count(*) FROM green_verifications v"                                         \
            "  WHERE v.chain_id = a.chain_id)::integer AS n_verifications,"                        \
            " l.at_text AS last_verified_at, l.solved AS last_solved"                              \
            " FROM green_assignments a LEFT JOIN LATERAL (SELECT " RD_SQL_INSTANT(                 \
                "v.at", tz) " AS at_text, v.solved FROM green_verifications v"                     \
                            "  WHERE v.chain_id = a.chain_id"                                      \
                            "  ORDER BY v.at DESC, v.id DESC LIMIT 1) l ON true"

static const rd_stmt q_assignments = {
    "green_assignments_of",
    ASSIGNMENT_COLS("$2") " WHERE $1::text[] IS NULL OR a.chain_id = ANY ($1::text[])", 2};
static const rd_stmt q_assignment = {"green_assignment_get",
                                     ASSIGNMENT_COLS("$2") " WHERE a.chain_id = $1", 2};

static const rd_col assignment_cols[] = {
    RD_COL_T("chain_id", rd_green_assignment, chain_id),
    RD_COL_T("specialist", rd_green_assignment, specialist),
    RD_COL("assigned_at", RD_COL_INSTANT, rd_green_assignment, assigned_at),
    RD_COL_T("assigned_by", rd_green_assignment, assigned_by),
    RD_COL("n_verifications", RD_COL_INT, rd_green_assignment, n_verifications),
    RD_COL_OPT("last_verified_at", RD_COL_INSTANT, rd_green_assignment, last_verified_at,
               has_last_verification),
    RD_COL("last_solved", RD_COL_BOOL, rd_green_assignment, last_solved),
    {0},
};

/* A text[] literal of the ids: each quoted, '"' and '\' escaped. */
static char *array_literal(const char *const *ids, size_t n)
{
    size_t cap = 3;
    for (size_t i = 0; i < n; i++)
        cap += 2 * strlen(ids[i]) + 3;
    char *s = malloc(cap), *w = s;
    if (!s)
        return NULL;
    *w++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *w++ = ',';
        *w++ = '"';
        for (const char *c = ids[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                *w++ = '\\';
            *w++ = *c;
        }
        *w++ = '"';
    }
    *w++ = '}';
    *w = '\0';
    return s;
}

int store_green_assignments(rd_db *db, const char *const *ids, size_t n, const char *tz,
                            rd_green_assignment **ret, size_t *ret_n)
{
    char *list = ids ? array_literal(ids, n) : NULL;
    if (ids && !list)
        return -ENOMEM;
    const char *params[] = {list, tz};
    int r = store_read_rows(db, &q_assignments, params, assignment_cols, sizeof(**ret),
                            (void **)ret, ret_n);
    free(list);
    return r;
}

int store_green_assignment_get(rd_db *db, const char *chain_id, const char *tz,
                               rd_green_assignment *ret)
{
    const char *params[] = {chain_id, tz};
    memset(ret, 0, sizeof(*ret));
    return store_read_row(db, &q_assignment, params, assignment_cols, ret);
}

static const rd_stmt q_assign = {
    "green_assign",
    "INSERT INTO green_assignments (chain_id, specialist, assigned_at, assigned_by)"
    " VALUES ($1, $2, coalesce($4::timestamptz, now()), $3) ON CONFLICT (chain_id) DO UPDATE SET"
    " specialist = EXCLUDED.specialist, assigned_at = EXCLUDED.assigned_at,"
    " assigned_by = EXCLUDED.assigned_by",
    4};

int store_green_assign(rd_db *db, const char *chain_id, const char *specialist, const char *at,
                       const char *who)
{
    const char *params[] = {chain_id, specialist, who, at};
    return rd_db_run(db, &q_assign, params);
}

static const rd_stmt q_verify = {
    "green_verification_insert",
    "INSERT INTO green_verifications (chain_id, specialist, at, found, solved, recorded_by)"
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    6};

int store_green_verification_insert(rd_db *db, const char *chain_id, const char *specialist,
                                    const char *at, const char *found, bool solved, const char *who,
                                    int64_t *ret_id)
{
    const char *params[] = {chain_id, specialist, at, found, solved ? "true" : "false", who};
    int r = read_id(db, &q_verify, params, ret_id);
    return r < 0 ? r : r == 1 ? 0 : -EIO;
}

static const rd_stmt q_verifications = {
    "green_verifications_of",
    "SELECT id, specialist, " RD_SQL_INSTANT(
        "at", "$2") " AS at, found, solved, recorded_by FROM green_verifications"
                    " WHERE chain_id = $1 ORDER BY at, id",
    2};

static const rd_col verification_cols[] = {
    RD_COL("id", RD_COL_INT64, rd_green_verification, id),
    RD_COL_T("specialist", rd_green_verification, specialist),
    RD_COL("at", RD_COL_INSTANT, rd_green_verification, at),
    RD_COL("found", RD_COL_STRDUP, rd_green_verification, found),
    RD_COL("solved", RD_COL_BOOL, rd_green_verification, solved),
    RD_COL_T("recorded_by", rd_green_verification, recorded_by),
    {0},
};

int store_green_verifications(rd_db *db, const char *chain_id, const char *tz,
                              rd_green_verification **ret, size_t *ret_n)
{
    const char *params[] = {chain_id, tz};
    return store_read_rows(db, &q_verifications, params, verification_cols, sizeof(**ret),
                           (void **)ret, ret_n);
}

void rd_green_verifications_free(rd_green_verification *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        rd_row_free(verification_cols, &v[i]);
    free(v);
}

static const rd_stmt q_specialist = {
    "green_specialist", "SELECT specialist FROM green_assignments WHERE chain_id = $1", 1};

typedef struct specialist_row {
    char name[RD_NAME_MAX];
} specialist_row;

int store_green_specialist(rd_db *db, const char *chain_id, char ret[RD_NAME_MAX])
{
    static const rd_col cols[] = {RD_COL_T("specialist", specialist_row, name), {0}};
    const char *params[] = {chain_id};
    specialist_row row;
    int r = store_read_row(db, &q_specialist, params, cols, &row);
    if (r == 1)
        memcpy(ret, row.name, RD_NAME_MAX);
    return r;
}

/* Month m of time_zone starts at make_timestamptz(m / 12, m % 12 + 1, 1, ...). */
static const rd_stmt q_verification_counts = {
    "green_verification_counts",
    "SELECT count(*)::integer AS n, count(*) FILTER (WHERE solved)::integer AS solved"
    " FROM green_verifications WHERE at >= make_timestamptz($1::integer / 12,"
    " $1::integer % 12 + 1, 1, 0, 0, 0, $3)"
    " AND at < make_timestamptz(($2::integer + 1) / 12, ($2::integer + 1) % 12 + 1, 1, 0, 0, 0,"
    " $3)",
    3};

typedef struct count_row {
    int n, solved;
} count_row;

int store_green_verification_counts(rd_db *db, int from, int to, const char *tz, long *ret_n,
                                    long *ret_solved)
{
    static const rd_col cols[] = {
        RD_COL("n", RD_COL_INT, count_row, n),
        RD_COL("solved", RD_COL_INT, count_row, solved),
        {0},
    };
    char f[16], t[16];
    snprintf(f, sizeof(f), "%d", from);
    snprintf(t, sizeof(t), "%d", to);
    const char *params[] = {f, t, tz};
    count_row row = {0};
    int r = store_read_row(db, &q_verification_counts, params, cols, &row);
    if (r < 0)
        return r;
    *ret_n = row.n;
    *ret_solved = row.solved;
    return 0;
}
