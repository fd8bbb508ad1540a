/* The store of the problem list: one function per query, columns read by name. */
#include "repeatd/problem_store.h"

#include "repeatd/result.h"
#include "repeatd/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* A problem's columns; $2 is time_zone. Overdue: a due date before today in the zone, still
 * open or in progress. */
#define OVERDUE                                                                                    \
    "(p.due_date < (now() AT TIME ZONE $2)::date AND p.status IN ('open', 'in_progress'))"
#define PROBLEM_SELECT                                                                             \
    "SELECT p.id, p.title, p.category, c.name AS category_name, p.unit, p.source,"                 \
    " p.source_period, p.department, to_char(p.due_date, 'YYYY-MM-DD') AS due_date, p.status,"     \
    " coalesce(" OVERDUE ", false) AS overdue, m.n AS measures,"                                   \
    " to_char(m.first, 'YYYY-MM-DD') AS first_effective,"                                          \
    " (extract(year FROM m.first) * 12 + extract(month FROM m.first) - 1)::integer"                \
    "  AS first_effective_month,"                                                                  \
    " to_char((p.created_at AT TIME ZONE $2)::date, 'YYYY-MM-DD') AS created_date,"                \
    " " RD_SQL_INSTANT(                                                                            \
        "p.created_at",                                                                            \
        "$2") " AS created_at,"                                                                    \
              " " RD_SQL_INSTANT(                                                                  \
                  "p.updated_at",                                                                  \
                  "$2") " AS updated_at, p.created_by"                                             \
                        " FROM problems p JOIN categories c ON c.code = p.category"                \
                        " LEFT JOIN LATERAL (SELECT count(*)::integer AS n, min(effective_date) "  \
                        "AS first"                                                                 \
                        "  FROM problem_measures WHERE problem_id = p.id) m ON true"

static const rd_stmt q_get = {"problem_get", PROBLEM_SELECT " WHERE p.id = $1", 2};
static const rd_stmt q_get_lock = {"problem_get_lock",
                                   PROBLEM_SELECT " WHERE p.id = $1 FOR UPDATE OF p", 2};

#define FILTER                                                                                     \
    " WHERE $1::bigint = 0 AND ($3::text IS NULL OR p.status = $3)"                                \
    " AND ($4::text IS NULL OR p.department = $4)"                                                 \
    " AND ($5::boolean IS NULL OR coalesce(" OVERDUE ", false) = $5)"

static const rd_stmt q_list = {"problem_list",
                               PROBLEM_SELECT FILTER " ORDER BY p.id DESC LIMIT $6 OFFSET $7", 7};
static const rd_stmt q_count = {
    "problem_count",
    "SELECT count(*)::bigint AS total FROM problems p WHERE $1::bigint = 0"
    " AND ($3::text IS NULL OR p.status = $3) AND ($4::text IS NULL OR"
    " p.department = $4) AND ($5::boolean IS NULL OR coalesce(" OVERDUE ", false) = $5)",
    5};

static const rd_stmt q_insert = {
    "problem_insert",
    "INSERT INTO problems (title, category, unit, source, source_period, department, due_date,"
    " created_by) VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8) RETURNING id",
    8};

static const rd_col problem_cols[] = {
    RD_COL("id", RD_COL_INT64, rd_problem, id),
    RD_COL_T("title", rd_problem, title),
    RD_COL_T("category", rd_problem, category),
    RD_COL_T("category_name", rd_problem, category_name),
    {.name = "unit",
     .type = RD_COL_TEXT,
     .offset = offsetof(rd_problem, unit),
     .size = RD_ID_MAX,
     .set_offset = offsetof(rd_problem, has_unit),
     .has_set = true},
    RD_COL_T("source", rd_problem, source),
    {.name = "source_period",
     .type = RD_COL_TEXT,
     .offset = offsetof(rd_problem, source_period),
     .size = RD_PROBLEM_SHORT_MAX,
     .set_offset = offsetof(rd_problem, has_source_period),
     .has_set = true},
    {.name = "department",
     .type = RD_COL_TEXT,
     .offset = offsetof(rd_problem, department),
     .size = RD_PROBLEM_TEXT_MAX,
     .set_offset = offsetof(rd_problem, has_department),
     .has_set = true},
    {.name = "due_date",
     .type = RD_COL_TEXT,
     .offset = offsetof(rd_problem, due_date),
     .size = RD_PROBLEM_DATE_MAX,
     .set_offset = offsetof(rd_problem, has_due_date),
     .has_set = true},
    RD_COL_T("status", rd_problem, status),
    RD_COL("overdue", RD_COL_BOOL, rd_problem, overdue),
    RD_COL("measures", RD_COL_INT, rd_problem, measures),
    {.name = "first_effective",
     .type = RD_COL_TEXT,
     .offset = offsetof(rd_problem, first_effective),
     .size = RD_PROBLEM_DATE_MAX,
     .set_offset = offsetof(rd_problem, has_first_effective),
     .has_set = true},
    RD_COL("first_effective_month", RD_COL_INT, rd_problem, first_effective_month),
    RD_COL_T("created_date", rd_problem, created_date),
    RD_COL("created_at", RD_COL_INSTANT, rd_problem, created_at),
    RD_COL("updated_at", RD_COL_INSTANT, rd_problem, updated_at),
    RD_COL_T("created_by", rd_problem, created_by),
    {0},
};

typedef struct id_row {
    int64_t id;
} id_row;
static const rd_col id_cols[] = {RD_COL("id", RD_COL_INT64, id_row, id), {0}};

int store_problem_insert(rd_db *db, const store_problem_new *p, int64_t *ret_id)
{
    const char *params[] = {p->title,         p->category,   p->unit,     p->source,
                            p->source_period, p->department, p->due_date, p->who};
    id_row row;
    int r = store_read_row(db, &q_insert, params, id_cols, &row);
    if (r == 1)
        *ret_id = row.id;
    return r == 1 ? 0 : r < 0 ? r : -EIO;
}

int store_problem_get(rd_db *db, int64_t id, const char *tz, bool lock, rd_problem *ret)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    const char *params[] = {ids, tz};
    return store_read_row(db, lock ? &q_get_lock : &q_get, params, problem_cols, ret);
}

typedef struct total_row {
    int64_t total;
} total_row;
static const rd_col total_cols[] = {RD_COL("total", RD_COL_INT64, total_row, total), {0}};

int store_problems_list(rd_db *db, const store_problem_filter *f, const char *tz, rd_problem **ret,
                        size_t *ret_n, long *ret_total)
{
    char limit[24], offset[24];
    snprintf(limit, sizeof(limit), "%ld", f->limit);
    snprintf(offset, sizeof(offset), "%ld", f->offset);
    const char *overdue = f->overdue < 0 ? NULL : f->overdue ? "true" : "false";
    const char *params[] = {"0", tz, f->status, f->department, overdue, limit, offset};
    total_row t;
    int r = store_read_row(db, &q_count, params, total_cols, &t);
    if (r < 0)
        return r;
    *ret_total = r == 1 ? (long)t.total : 0;
    return store_read_rows(db, &q_list, params, problem_cols, sizeof(rd_problem), (void **)ret,
                           ret_n);
}

static const rd_stmt q_measures = {
    "problem_measures",
    "SELECT id, description, to_char(effective_date, 'YYYY-MM-DD') AS effective_date,"
    " " RD_SQL_INSTANT(
        "recorded_at",
        "$2") " AS recorded_at, recorded_by"
              " FROM problem_measures WHERE problem_id = $1 ORDER BY effective_date, id",
    2};
static const rd_col measure_cols[] = {
    RD_COL("id", RD_COL_INT64, rd_problem_measure, id),
    RD_COL("description", RD_COL_STRDUP, rd_problem_measure, description),
    RD_COL_T("effective_date", rd_problem_measure, effective_date),
    RD_COL("recorded_at", RD_COL_INSTANT, rd_problem_measure, recorded_at),
    RD_COL_T("recorded_by", rd_problem_measure, recorded_by),
    {0},
};

int store_problem_measures(rd_db *db, int64_t id, const char *tz, rd_problem_measure **ret,
                           size_t *ret_n)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    const char *params[] = {ids, tz};
    return store_read_rows(db, &q_measures, params, measure_cols, sizeof(**ret), (void **)ret,
                           ret_n);
}

void store_problem_measures_free(rd_problem_measure *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        rd_row_free(measure_cols, &list[i]);
    free(list);
}

static const rd_stmt q_updates = {
    "problem_updates",
    "SELECT id, kind, to_char(date, 'YYYY-MM-DD') AS date, note, old_status, new_status,"
    " changes::text AS changes, " RD_SQL_INSTANT(
        "recorded_at", "$2") " AS recorded_at,"
                             " recorded_by FROM problem_updates WHERE problem_id = $1 ORDER BY id",
    2};
static const rd_col update_cols[] = {
    RD_COL("id", RD_COL_INT64, rd_problem_update, id),
    RD_COL_T("kind", rd_problem_update, kind),
    RD_COL_T("date", rd_problem_update, date),
    RD_COL("note", RD_COL_STRDUP, rd_problem_update, note),
    {.name = "old_status",
     .type = RD_COL_TEXT,
     .offset = offsetof(rd_problem_update, old_status),
     .size = RD_PROBLEM_SHORT_MAX,
     .set_offset = offsetof(rd_problem_update, has_old_status),
     .has_set = true},
    {.name = "new_status",
     .type = RD_COL_TEXT,
     .offset = offsetof(rd_problem_update, new_status),
     .size = RD_PROBLEM_SHORT_MAX,
     .set_offset = offsetof(rd_problem_update, has_new_status),
     .has_set = true},
    RD_COL("changes", RD_COL_STRDUP, rd_problem_update, changes),
    RD_COL("recorded_at", RD_COL_INSTANT, rd_problem_update, recorded_at),
    RD_COL_T("recorded_by", rd_problem_update, recorded_by),
    {0},
};

int store_problem_updates(rd_db *db, int64_t id, const char *tz, rd_problem_update **ret,
                          size_t *ret_n)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    const char *params[] = {ids, tz};
    return store_read_rows(db, &q_updates, params, update_cols, sizeof(**ret), (void **)ret, ret_n);
}

void store_problem_updates_free(rd_problem_update *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        rd_row_free(update_cols, &list[i]);
    free(list);
}

static const rd_stmt q_update_insert = {
    "problem_update_insert",
    "WITH t AS (UPDATE problems SET updated_at = now() WHERE id = $1)"
    " INSERT INTO problem_updates (problem_id, kind, date, note, old_status, new_status, changes,"
    " recorded_by) VALUES ($1, $2, $3::date, $4, $5, $6, $7::jsonb, $8)",
    8};

int store_problem_update_insert(rd_db *db, const store_problem_update_new *u)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, u->problem_id);
    const char *params[] = {ids,           u->kind,       u->date,    u->note,
                            u->old_status, u->new_status, u->changes, u->who};
    return rd_db_run(db, &q_update_insert, params);
}

static const rd_stmt q_measure_insert = {
    "problem_measure_insert",
    "INSERT INTO problem_measures (problem_id, description, effective_date, recorded_by)"
    " VALUES ($1, $2, $3::date, $4)",
    4};

int store_problem_measure_insert(rd_db *db, int64_t id, const char *description,
                                 const char *effective_date, const char *who)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    const char *params[] = {ids, description, effective_date, who};
    return rd_db_run(db, &q_measure_insert, params);
}

static const rd_stmt q_set_status = {"problem_set_status",
                                     "UPDATE problems SET status = $2 WHERE id = $1", 2};

int store_problem_set_status(rd_db *db, int64_t id, const char *status)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    const char *params[] = {ids, status};
    return rd_db_run(db, &q_set_status, params);
}

static const rd_stmt q_set_fields = {
    "problem_set_fields",
    "UPDATE problems SET title = $2, department = $3, due_date = $4::date WHERE id = $1", 4};

int store_problem_set_fields(rd_db *db, int64_t id, const char *title, const char *department,
                             const char *due_date)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    const char *params[] = {ids, title, department, due_date};
    return rd_db_run(db, &q_set_fields, params);
}

typedef struct date_row {
    char date[RD_PROBLEM_DATE_MAX];
} date_row;
static const rd_col date_cols[] = {RD_COL_T("date", date_row, date), {0}};
static const rd_stmt q_today = {
    "problem_today", "SELECT to_char((now() AT TIME ZONE $1)::date, 'YYYY-MM-DD') AS date", 1};

int store_today(rd_db *db, const char *tz, char ret[RD_PROBLEM_DATE_MAX])
{
    const char *params[] = {tz};
    date_row row;
    int r = store_read_row(db, &q_today, params, date_cols, &row);
    if (r == 1)
        snprintf(ret, RD_PROBLEM_DATE_MAX, "%s", row.date);
    return r == 1 ? 0 : r < 0 ? r : -EIO;
}

/* The depth from the root (1 = a root) and whether anything hangs below. */
static const rd_stmt q_level = {
    "category_level",
    "WITH RECURSIVE up(code, depth) AS (SELECT code, 1 FROM categories WHERE code = $1"
    " UNION ALL SELECT c.parent, u.depth + 1 FROM up u JOIN categories c ON c.code = u.code"
    "  WHERE c.parent IS NOT NULL AND u.depth < 32)"
    " SELECT max(depth)::integer AS level,"
    " NOT EXISTS (SELECT 1 FROM categories WHERE parent = $1) AS leaf FROM up HAVING count(*) > 0",
    1};
typedef struct level_row {
    int level;
    bool leaf;
} level_row;
static const rd_col level_cols[] = {
    RD_COL("level", RD_COL_INT, level_row, level),
    RD_COL("leaf", RD_COL_BOOL, level_row, leaf),
    {0},
};

int store_category_level(rd_db *db, const char *code, int *ret_level, bool *ret_leaf)
{
    const char *params[] = {code};
    level_row row;
    int r = store_read_row(db, &q_level, params, level_cols, &row);
    if (r == 1) {
        *ret_level = row.level;
        *ret_leaf = row.leaf;
    }
    return r;
}

static const rd_stmt q_unit_known = {
    "unit_known",
    "SELECT EXISTS (SELECT 1 FROM org_names WHERE kind = 'unit' AND code = $1)"
    " OR EXISTS (SELECT 1 FROM kpi_counts WHERE dim = 1 AND key = $1) AS known",
    1};
typedef struct known_row {
    bool known;
} known_row;
static const rd_col known_cols[] = {RD_COL("known", RD_COL_BOOL, known_row, known), {0}};

int store_unit_known(rd_db *db, const char *unit)
{
    const char *params[] = {unit};
    known_row row;
    int r = store_read_row(db, &q_unit_known, params, known_cols, &row);
    return r < 0 ? r : r == 1 && row.known;
}

static const rd_stmt q_scopes = {"problem_scopes",
                                 "SELECT category, unit, source FROM problems"
                                 " WHERE status IN ('open', 'in_progress') OR source_period = $1",
                                 1};
static const rd_col scope_cols[] = {
    RD_COL_T("category", store_problem_scope, category),
    {.name = "unit",
     .type = RD_COL_TEXT,
     .offset = offsetof(store_problem_scope, unit),
     .size = RD_ID_MAX,
     .set_offset = offsetof(store_problem_scope, has_unit),
     .has_set = true},
    RD_COL_T("source", store_problem_scope, source),
    {0},
};

int store_problem_scopes(rd_db *db, const char *period, store_problem_scope **ret, size_t *ret_n)
{
    const char *params[] = {period};
    return store_read_rows(db, &q_scopes, params, scope_cols, sizeof(**ret), (void **)ret, ret_n);
}

static const rd_stmt q_month_start = {
    "month_start",
    "SELECT extract(epoch FROM make_timestamptz($1::integer, $2::integer, 1, 0, 0, 0, $3))"
    "::bigint AS id",
    3};

int store_month_start(rd_db *db, const char *tz, int month, int64_t *ret)
{
    char y[16], m[8];
    snprintf(y, sizeof(y), "%d", month / 12);
    snprintf(m, sizeof(m), "%d", month % 12 + 1);
    const char *params[] = {y, m, tz};
    id_row row;
    int r = store_read_row(db, &q_month_start, params, id_cols, &row);
    if (r == 1)
        *ret = row.id;
    return r == 1 ? 0 : r < 0 ? r : -EIO;
}

/* One range of ticket_facts_hotspot (received_at between the bounds, located): the index covers
 * every column read, so the heap is visited only for pages not yet all-visible. */
static const rd_stmt q_located = {
    "located_tickets",
    "SELECT category, floor(extract(epoch FROM received_at))::bigint AS at,"
    " " RD_SQL_OFFSET(
        "received_at",
        "$3") " AS tz_offset, lat, lon,"
              " encode(citizen_hash, 'hex') AS citizen FROM ticket_facts"
              " WHERE received_at >= to_timestamp($1::bigint) AND received_at < "
              "to_timestamp($2::bigint)"
              " AND lat IS NOT NULL AND lon IS NOT NULL ORDER BY category, received_at",
    3};
static const rd_col located_cols[] = {
    RD_COL_T("category", store_located, category),
    RD_COL("at", RD_COL_INT64, store_located, at),
    RD_COL("tz_offset", RD_COL_INT, store_located, offset),
    RD_COL("lat", RD_COL_DOUBLE, store_located, lat),
    RD_COL("lon", RD_COL_DOUBLE, store_located, lon),
    RD_COL_T("citizen", store_located, citizen),
    {0},
};

int store_located_tickets(rd_db *db, int64_t from, int64_t until, const char *tz,
                          store_located **ret, size_t *ret_n)
{
    char f[24], u[24];
    snprintf(f, sizeof(f), "%" PRId64, from);
    snprintf(u, sizeof(u), "%" PRId64, until);
    const char *params[] = {f, u, tz};
    return store_read_rows(db, &q_located, params, located_cols, sizeof(**ret), (void **)ret,
                           ret_n);
}

/* The leaves under a category are its subtree's codes; the keys of the others match nothing.
 * One index range of kpi_counts' primary key per month range and key. */
static const rd_stmt q_unit_category = {
    "unit_category_months",
    "WITH RECURSIVE sub(code, depth) AS (SELECT code, 0 FROM categories WHERE code = $1"
    " UNION ALL SELECT c.code, s.depth + 1 FROM categories c JOIN sub s ON c.parent = s.code"
    "  WHERE s.depth < 32)"
    " SELECT k.month, sum(k.complaints::integer) AS complaints,"
    " sum(k.repeats::integer) AS repeats FROM kpi_counts k"
    " WHERE k.dim = 5 AND k.month BETWEEN $3::integer AND $4::integer"
    " AND k.key IN (SELECT code || '/' || $2 FROM sub) GROUP BY k.month ORDER BY k.month",
    4};
static const rd_col month_counts_cols[] = {
    RD_COL("month", RD_COL_INT, store_month_counts, month),
    RD_COL("complaints", RD_COL_INT64, store_month_counts, complaints),
    RD_COL("repeats", RD_COL_INT64, store_month_counts, repeats),
    {0},
};

int store_unit_category_months(rd_db *db, const char *category, const char *unit, int from, int to,
                               store_month_counts **ret, size_t *ret_n)
{
    char f[16], t[16];
    snprintf(f, sizeof(f), "%d", from);
    snprintf(t, sizeof(t), "%d", to);
    const char *params[] = {category, unit, f, t};
    return store_read_rows(db, &q_unit_category, params, month_counts_cols, sizeof(**ret),
                           (void **)ret, ret_n);
}

/* Dated by what the records say (a status change's date, a measure's effective date), created by
 * created_at in the zone. The end of the period is the day after it, or today while it runs:
 * overdue then is GET /v1/problems' overdue as of that day, with the status the changes dated
 * before it left (today: the status now). The candidates come from index ranges of 0009 (and
 * problems_status for those still open or in progress), so the cost follows what moved, not
 * the length of the list: a problem overdue at the end is open or in progress now, or reached
 * its final status after the period. */
static const rd_stmt q_movements = {
    "problem_movements",
    "WITH b AS (SELECT $1::date AS first, $2::date AS until,"
    " (now() AT TIME ZONE $3)::date AS today,"
    " $1::date::timestamp AT TIME ZONE $3 AS first_at,"
    " $2::date::timestamp AT TIME ZONE $3 AS until_at),"
    " s AS (SELECT u.problem_id,"
    "  count(*) FILTER (WHERE u.new_status = 'in_progress')::integer AS to_in_progress,"
    "  count(*) FILTER (WHERE u.new_status = 'verified_fixed')::integer AS to_verified_fixed,"
    "  count(*) FILTER (WHERE u.new_status = 'closed_unfixed')::integer AS to_closed_unfixed"
    "  FROM problem_updates u, b WHERE u.kind = 'status' AND u.date >= b.first"
    "  AND u.date < b.until GROUP BY u.problem_id),"
    " m AS (SELECT pm.problem_id, count(*)::integer AS n FROM problem_measures pm, b"
    "  WHERE pm.effective_date >= b.first AND pm.effective_date < b.until"
    "  GROUP BY pm.problem_id),"
    " c AS (SELECT p.id FROM problems p, b"
    "  WHERE p.created_at >= b.first_at AND p.created_at < b.until_at"
    " UNION SELECT problem_id FROM s UNION SELECT problem_id FROM m"
    " UNION SELECT p.id FROM problems p WHERE p.status IN ('open', 'in_progress')"
    " UNION SELECT u.problem_id FROM problem_updates u, b WHERE u.kind = 'status'"
    "  AND u.date >= b.until AND u.new_status IN ('verified_fixed', 'closed_unfixed'))"
    " SELECT * FROM (SELECT p.id, p.title, p.category, p.unit, p.department,"
    " to_char(p.due_date, 'YYYY-MM-DD') AS due_date,"
    " to_char(x.created, 'YYYY-MM-DD') AS created_date,"
    " x.created >= b.first AND x.created < b.until AS created,"
    " coalesce(s.to_in_progress, 0) AS to_in_progress,"
    " coalesce(s.to_verified_fixed, 0) AS to_verified_fixed,"
    " coalesce(s.to_closed_unfixed, 0) AS to_closed_unfixed, coalesce(m.n, 0) AS measures,"
    " e.status AS status_at_end,"
    " coalesce(x.created < b.until AND p.due_date < least(b.today, b.until)"
    "  AND e.status IN ('open', 'in_progress'), false) AS overdue_at_end"
    " FROM c JOIN problems p ON p.id = c.id CROSS JOIN b"
    " LEFT JOIN s ON s.problem_id = p.id LEFT JOIN m ON m.problem_id = p.id"
    " CROSS JOIN LATERAL (SELECT (p.created_at AT TIME ZONE $3)::date AS created) x"
    " CROSS JOIN LATERAL (SELECT CASE WHEN b.today < b.until THEN p.status ELSE"
    "  coalesce((SELECT u.new_status FROM problem_updates u WHERE u.problem_id = p.id"
    "  AND u.kind = 'status' AND u.date < b.until ORDER BY u.date DESC, u.id DESC LIMIT 1),"
    "  'open') END AS status) e) r"
    " WHERE created OR to_in_progress + to_verified_fixed + to_closed_unfixed > 0"
    " OR measures > 0 OR overdue_at_end ORDER BY id",
    3};
static const rd_col movement_cols[] = {
    RD_COL("id", RD_COL_INT64, rd_problem_movement, id),
    RD_COL_T("title", rd_problem_movement, title),
    RD_COL_T("category", rd_problem_movement, category),
    {.name = "unit",
     .type = RD_COL_TEXT,
     .offset = offsetof(rd_problem_movement, unit),
     .size = RD_ID_MAX,
     .set_offset = offsetof(rd_problem_movement, has_unit),
     .has_set = true},
    {.name = "department",
     .type = RD_COL_TEXT,
     .offset = offsetof(rd_problem_movement, department),
     .size = RD_PROBLEM_TEXT_MAX,
     .set_offset = offsetof(rd_problem_movement, has_department),
     .has_set = true},
    {.name = "due_date",
     .type = RD_COL_TEXT,
     .offset = offsetof(rd_problem_movement, due_date),
     .size = RD_PROBLEM_DATE_MAX,
     .set_offset = offsetof(rd_problem_movement, has_due_date),
     .has_set = true},
    RD_COL_T("created_date", rd_problem_movement, created_date),
    RD_COL("created", RD_COL_BOOL, rd_problem_movement, created),
    RD_COL("to_in_progress", RD_COL_INT, rd_problem_movement, to_in_progress),
    RD_COL("to_verified_fixed", RD_COL_INT, rd_problem_movement, to_verified_fixed),
    RD_COL("to_closed_unfixed", RD_COL_INT, rd_problem_movement, to_closed_unfixed),
    RD_COL("measures", RD_COL_INT, rd_problem_movement, measures),
    RD_COL_T("status_at_end", rd_problem_movement, status_at_end),
    RD_COL("overdue_at_end", RD_COL_BOOL, rd_problem_movement, overdue_at_end),
    {0},
};

int store_problem_movements(rd_db *db, const char *first, const char *until, const char *tz,
                            rd_problem_movement **ret, size_t *ret_n)
{
    const char *params[] = {first, until, tz};
    return store_read_rows(db, &q_movements, params, movement_cols, sizeof(**ret), (void **)ret,
                           ret_n);
}

static const rd_stmt q_last_status = {
    "problem_last_status",
    "SELECT to_char(max(date), 'YYYY-MM-DD') AS date FROM problem_updates"
    " WHERE problem_id = $1 AND kind = 'status' HAVING count(*) > 0",
    1};

int store_problem_last_status_date(rd_db *db, int64_t id, char ret[RD_PROBLEM_DATE_MAX])
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, id);
    const char *params[] = {ids};
    date_row row;
    int r = store_read_row(db, &q_last_status, params, date_cols, &row);
    if (r == 1)
        snprintf(ret, RD_PROBLEM_DATE_MAX, "%s", row.date);
    return r;
}
