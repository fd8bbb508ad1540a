/* The store of KPIs: aggregate upserts on the write path, grouped reads for dashboards. Reads
 * return structs, their columns read by name; the wire format is codec/kpi_json.c's. */
#include "repeatd/kpi_store.h"

#include "repeatd/pg_array.h"
#include "repeatd/result.h"
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
    " CROSS JOIN (VALUES ($5::smallint, $1::text), ($6::smallint, $2::text)) AS d(dim, key)"
    " GROUP BY 1, 2, 4 ORDER BY 1, 2, 4"
    " ON CONFLICT (dim, month, key, code) DO UPDATE SET n = k.n + EXCLUDED.n",
    6};

/* Counts are summed as integer (a month's or a year's count per group fits): sum() over bigint
 * aggregates in numeric, several times slower on the year-by-handler answers. */

/* Period starts are aligned to the calendar: month - (month % period) works because month
 * indices count from January of year 0. A version whose numbers all net to zero for a period
 * and key (the complaint of a ticket re-dispatched elsewhere) made none of them: it is left
 * out, and a row with nothing left is no row. */
/* The rows kept and the page of both grouped reads: the rows after the cursor ($7, $8) in the
 * answer's order; a row only when one of the metrics of the mask $6 (bit 1 << rd_kpi_metric;
 * 0: any) is not zero in its sums; at most $9 rows (NULL: all). The caller starts the months
 * ($4) at the cursor's period, so a page reads no month before it. */
#define GROUPED_PAGE                                                                               \
    " WHERE (c <> 0 OR r <> 0 OR ct <> 0 OR f <> 0 OR i <> 0 OR j <> 0 OR x <> 0)"                 \
    " AND (p, key) > ($7::integer, $8::text)"                                                      \
    " GROUP BY 1, 2"                                                                               \
    " HAVING $6::integer = 0 OR (($6 & 1) <> 0 AND sum(c::integer) <> 0)"                          \
    "  OR (($6 & 2) <> 0 AND sum(r::integer) <> 0) OR (($6 & 4) <> 0 AND sum(ct::integer) <> 0)"   \
    "  OR (($6 & 8) <> 0 AND sum(f::integer) <> 0) OR (($6 & 16) <> 0 AND sum(i::integer) <> 0)"   \
    "  OR (($6 & 32) <> 0 AND sum(j::integer) <> 0) OR (($6 & 64) <> 0 AND sum(x::integer) <> 0)"  \
    " ORDER BY 1, 2 LIMIT $9::bigint"

static const rd_stmt q_grouped = {
    "kpi_grouped",
    "SELECT p, key, sum(c::integer) AS complaints, sum(r::integer) AS repeats,"
    " sum(ct::integer) AS contacted, sum(f::integer) AS first_contact_failed,"
    " sum(i::integer) AS closeouts_inspected, sum(j::integer) AS closeouts_rejected,"
    " sum(x::integer) AS false_closeouts,"
    " array_to_string(array_agg(version ORDER BY version), ',') AS versions FROM ("
    " SELECT k.month - k.month % $3::integer AS p, k.key, k.version, sum(k.complaints::integer) AS "
    "c,"
    "  sum(k.repeats::integer) AS r, sum(k.contacted::integer) AS ct, "
    "sum(k.first_contact_failed::integer) AS f,"
    "  sum(k.closeouts_inspected::integer) AS i, sum(k.closeouts_rejected::integer) AS j,"
    "  sum(k.false_closeouts::integer) AS x"
    " FROM kpi_counts k WHERE k.dim = $1 AND k.month BETWEEN $4 AND $5"
    " AND $2::integer >= 0" /* the level: unused without a roll-up, typed all the same */
    " GROUP BY 1, 2, 3) v" GROUPED_PAGE,
    9};

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
    " SELECT p, key, sum(c::integer) AS complaints, sum(r::integer) AS repeats,"
    " sum(ct::integer) AS contacted, sum(f::integer) AS first_contact_failed,"
    " sum(i::integer) AS closeouts_inspected, sum(j::integer) AS closeouts_rejected,"
    " sum(x::integer) AS false_closeouts,"
    " array_to_string(array_agg(version ORDER BY version), ',') AS versions FROM ("
    " SELECT k.month - k.month % $3::integer AS p, coalesce(lv.code, k.key) AS key, k.version,"
    "  sum(k.complaints::integer) AS c, sum(k.repeats::integer) AS r, sum(k.contacted::integer) AS "
    "ct,"
    "  sum(k.first_contact_failed::integer) AS f, sum(k.closeouts_inspected::integer) AS i,"
    "  sum(k.closeouts_rejected::integer) AS j, sum(k.false_closeouts::integer) AS x"
    " FROM kpi_counts k LEFT JOIN lv ON lv.leaf = k.key AND lv.level = $2::integer"
    " WHERE k.dim = $1 AND k.month BETWEEN $4 AND $5"
    " GROUP BY 1, 2, 3) v" GROUPED_PAGE,
    9};

/* A page of monthly rows, read key by key: the (month, key) pairs after the cursor come in the
 * primary key's order from its index, and each is summed by its own index look-up as the page
 * needs it, so the LIMIT stops the scan after the page's rows (a hash of the whole range, as
 * q_grouped is planned, must read every month first). The rows and their numbers are
 * q_grouped's: the version sums that cancel out are left out, then a key with nothing left.
 * Months only: a quarter's or a year's rows are not in the index's order. */
static const rd_stmt q_grouped_month_page = {
    "kpi_grouped_month_page",
    "SELECT d.month AS p, d.key, a.complaints, a.repeats, a.contacted, a.first_contact_failed,"
    " a.closeouts_inspected, a.closeouts_rejected, a.false_closeouts, a.versions FROM"
    " (SELECT DISTINCT month, key FROM kpi_counts"
    "  WHERE dim = $1 AND month BETWEEN $4 AND $5 AND (month, key) > ($7::integer, $8::text)"
    "  AND $2::integer >= 0 AND $3::integer = 1" /* typed all the same */
    "  ORDER BY month, key) d"
    " CROSS JOIN LATERAL (SELECT sum(c::integer) AS complaints, sum(r::integer) AS repeats,"
    "  sum(ct::integer) AS contacted, sum(f::integer) AS first_contact_failed,"
    "  sum(i::integer) AS closeouts_inspected, sum(j::integer) AS closeouts_rejected,"
    "  sum(x::integer) AS false_closeouts,"
    "  array_to_string(array_agg(version ORDER BY version), ',') AS versions FROM ("
    "   SELECT k.version, sum(k.complaints::integer) AS c, sum(k.repeats::integer) AS r,"
    "   sum(k.contacted::integer) AS ct, sum(k.first_contact_failed::integer) AS f,"
    "   sum(k.closeouts_inspected::integer) AS i, sum(k.closeouts_rejected::integer) AS j,"
    "   sum(k.false_closeouts::integer) AS x"
    "   FROM kpi_counts k WHERE k.dim = $1 AND k.month = d.month AND k.key = d.key"
    "   GROUP BY k.version) v"
    "  WHERE c <> 0 OR r <> 0 OR ct <> 0 OR f <> 0 OR i <> 0 OR j <> 0 OR x <> 0"
    "  HAVING count(*) > 0 AND ($6::integer = 0 OR (($6 & 1) <> 0 AND sum(c::integer) <> 0)"
    "  OR (($6 & 2) <> 0 AND sum(r::integer) <> 0) OR (($6 & 4) <> 0 AND sum(ct::integer) <> 0)"
    "  OR (($6 & 8) <> 0 AND sum(f::integer) <> 0) OR (($6 & 16) <> 0 AND sum(i::integer) <> 0)"
    "  OR (($6 & 32) <> 0 AND sum(j::integer) <> 0) OR (($6 & 64) <> 0 AND sum(x::integer) <> 0)))"
    "  a"
    " ORDER BY 1, 2 LIMIT $9::bigint",
    9};

/* Per period (aligned like q_grouped's) and key: each row of an answer gets its own period's. */
static const rd_stmt q_top_defects = {
    "kpi_top_defects",
    "SELECT p, key, rn, code, n FROM ("
    " SELECT p, key, code, n,"
    "  row_number() OVER (PARTITION BY p, key ORDER BY n DESC, code) AS rn FROM ("
    "  SELECT month - month % $5::integer AS p, key, code, sum(n::integer) AS n"
    "  FROM kpi_defects WHERE dim = $1 AND month BETWEEN $2 AND $3 GROUP BY 1, 2, 3) a) d"
    " WHERE rn <= $4 ORDER BY p, key, rn",
    5};

/* The newest repeat of each chain, by the partial index ticket_state_green: open repeats at or
 * above the threshold. That is a prefilter for the index and the LIMIT; whether a chain is in
 * the green channel is rd_chain_in_green_channel's to say (app/kpi_green.c), hence `open`. The
 * chain's first ticket (fs, its state) gives the original assignment and time; the latest
 * ticket's facts come from the partition of its month. Times as epoch microseconds with
 * the offset of time_zone ($3) at each. Whether a later repeat of the chain exists is one range
 * of ticket_state_chain (migrations/0015), not a probe of every month's facts. */
/* Laid out by hand: clang-format breaks SQL strings at the RD_SQL_* macros. */
// clang-format off
static const rd_stmt q_green = {
    "green_channel",
    "SELECT s.chain_id, s.ticket_id AS latest_ticket_id, t.category,"
    " t.phone_masked AS citizen, s.repeat_ordinal AS repeats, s.status = 'open' AS open,"
    " " RD_SQL_US("fs.received_at") " AS first_received_us,"
    " " RD_SQL_OFFSET("fs.received_at", "$3") " AS first_received_tz,"
    " " RD_SQL_US("s.received_at") " AS latest_received_us,"
    " " RD_SQL_OFFSET("s.received_at", "$3") " AS latest_received_tz,"
    " " RD_SQL_US("s.deadline") " AS deadline_us,"
    " " RD_SQL_OFFSET("s.deadline", "$3") " AS deadline_tz,"
    " fs.unit AS original_unit, fs.team AS original_team, fs.handler AS original_handler,"
    " s.unit, s.team, s.handler"
    " FROM ticket_state s"
    " JOIN ticket_facts t ON t.ticket_id = s.ticket_id AND t.received_at = s.received_at"
    " JOIN ticket_state fs ON fs.ticket_id = s.chain_id"
    " WHERE s.status = 'open' AND s.green_ordinal >= $1"
    "   AND NOT EXISTS (SELECT 1 FROM ticket_state n WHERE n.chain_id = s.chain_id"
    "                   AND n.green_ordinal > s.repeat_ordinal)"
    " ORDER BY fs.received_at, s.chain_id LIMIT $2",
    3};
// clang-format on

/* The admin answers were once built by jsonb, whose objects hold their keys shorter first, then
 * bytewise: the same order, so that the answers read as they did. */
static const rd_stmt q_names = {"org_names",
                                "SELECT kind, code, name FROM org_names ORDER BY"
                                " octet_length(kind), kind COLLATE \"C\","
                                " octet_length(code), code COLLATE \"C\"",
                                0};
static const rd_stmt q_names_of = {"org_names_of",
                                   "SELECT code, name, parent FROM org_names WHERE kind = $1", 1};
static const rd_stmt q_category_names = {"category_names",
                                         "SELECT code, name, parent FROM categories", 0};
static const rd_stmt q_name_upsert = {
    "org_name_upsert",
    "INSERT INTO org_names (kind, code, name, parent) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (kind, code) DO UPDATE SET name = EXCLUDED.name, parent = EXCLUDED.parent,"
    " updated_at = now()",
    4};
/* The rate as jsonb wrote it (float8 to numeric: 15 significant digits), which the ranking
 * compared against. */
static const rd_stmt q_targets = {"kpi_targets",
                                  "SELECT scope, code, period, target_rate::numeric AS rate"
                                  " FROM kpi_targets ORDER BY"
                                  " octet_length(scope), scope COLLATE \"C\","
                                  " octet_length(code), code COLLATE \"C\","
                                  " octet_length(period), period COLLATE \"C\"",
                                  0};
static const rd_stmt q_target_upsert = {
    "kpi_target_upsert",
    "INSERT INTO kpi_targets (scope, code, period, target_rate, updated_by)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, code, period) DO UPDATE SET"
    " target_rate = EXCLUDED.target_rate, updated_by = EXCLUDED.updated_by, updated_at = now()",
    5};

static const rd_stmt q_month_now = {
    "month_now",
    "SELECT (extract(year FROM now() AT TIME ZONE $1) * 12"
    " + extract(month FROM now() AT TIME ZONE $1) - 1)::integer AS month",
    1};

/* Every row of res into a new array of `size`-byte elements by `spec`. */
static int read_all(PGresult *res, const rd_col *spec, size_t size, void **ret, size_t *ret_n)
{
    rd_rows rows;
    int r = rd_rows_open(&rows, res, spec);
    if (r < 0)
        return r;
    size_t n = (size_t)PQntuples(res);
    char *all = calloc(n ? n : 1, size);
    if (!all)
        return -ENOMEM;
    for (size_t i = 0; r == 0 && i < n; i++)
        r = rd_rows_read(&rows, (int)i, all + i * size);
    if (r < 0) {
        free(all);
        return r;
    }
    *ret = all;
    *ret_n = n;
    return 0;
}

/* Run stmt and read its rows by spec (see read_all). */
static int query_all(rd_db *db, const rd_stmt *stmt, const char *const *params, const rd_col *spec,
                     size_t size, void **ret, size_t *ret_n)
{
    PGresult *res;
    int r = rd_db_exec(db, stmt, params, &res);
    if (r < 0)
        return r;
    r = read_all(res, spec, size, ret, ret_n);
    PQclear(res);
    return r;
}

typedef struct month_now {
    int month;
} month_now;

static const rd_col month_now_cols[] = {RD_COL("month", RD_COL_INT, month_now, month), {0}};

int store_month_now(rd_db *db, const char *tz, int *ret)
{
    const char *params[] = {tz};
    month_now *m;
    size_t n;
    int r = query_all(db, &q_month_now, params, month_now_cols, sizeof(*m), (void **)&m, &n);
    if (r < 0)
        return r;
    if (n == 1)
        *ret = m->month;
    free(m);
    return n == 1 ? 0 : -EIO;
}

int store_kpi_apply(rd_db *db, const rd_kpi_deltas *ds)
{
    return store_kpi_apply_many(db, ds->d, ds->n);
}

int store_kpi_apply_many(rd_db *db, const rd_kpi_delta *deltas, size_t n)
{
    if (n == 0)
        return 0;
    enum { DIM, KEY, MONTH, VERSION, VALUES0 };
    rd_text cols[VALUES0 + RD_KPI_METRIC_COUNT_] = {0};
    const size_t n_cols = sizeof(cols) / sizeof(cols[0]);
    int r = 0;
    for (size_t c = 0; r == 0 && c < n_cols; c++)
        r = rd_text_put(&cols[c], "{", 1);
    for (size_t i = 0; r == 0 && i < n; i++) {
        const rd_kpi_delta *d = &deltas[i];
        bool first = i == 0;
        r = store_array_long(&cols[DIM], d->dim, first);
        if (r == 0)
            r = store_array_text(&cols[KEY], d->key, first);
        if (r == 0)
            r = store_array_long(&cols[MONTH], d->month, first);
        if (r == 0)
            r = store_array_long(&cols[VERSION], d->version, first);
        for (int m = 0; r == 0 && m < RD_KPI_METRIC_COUNT_; m++)
            r = store_array_long(&cols[VALUES0 + m], d->values[m], first);
    }
    for (size_t c = 0; r == 0 && c < n_cols; c++)
        r = rd_text_put(&cols[c], "}", 1);
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
    rd_text codes = {0};
    char m[16];
    snprintf(m, sizeof(m), "%d", month);
    int r = rd_text_put(&codes, "{", 1);
    for (size_t i = 0; r == 0 && i < n; i++)
        r = store_array_text(&codes, rd_defect_name(defects[i].code), i == 0);
    if (r == 0)
        r = rd_text_put(&codes, "}", 1);
    char dim_unit[8], dim_handler[8];
    snprintf(dim_unit, sizeof(dim_unit), "%d", (int)RD_DIM_UNIT);
    snprintf(dim_handler, sizeof(dim_handler), "%d", (int)RD_DIM_HANDLER);
    const char *params[] = {unit, handler, m, codes.p, dim_unit, dim_handler};
    if (r == 0)
        r = rd_db_run(db, &q_defects, params);
    free(codes.p);
    return r;
}

static const rd_stmt q_defects_many = {
    "kpi_defects_many",
    "INSERT INTO kpi_defects AS k (dim, key, month, code, n)"
    " SELECT d.dim, d.key, d.month, d.code, d.n"
    " FROM unnest($1::smallint[], $2::text[], $3::integer[], $4::text[], $5::bigint[])"
    "  AS d(dim, key, month, code, n)"
    " ORDER BY 1, 3, 2, 4"
    " ON CONFLICT (dim, month, key, code) DO UPDATE SET n = k.n + EXCLUDED.n",
    5};

int store_kpi_defects_many(rd_db *db, const store_kpi_defect_count *rows, size_t n)
{
    if (n == 0)
        return 0;
    rd_text cols[5] = {0};
    int r = 0;
    for (size_t c = 0; r == 0 && c < 5; c++)
        r = rd_text_put(&cols[c], "{", 1);
    for (size_t i = 0; r == 0 && i < n; i++) {
        bool first = i == 0;
        r = store_array_long(&cols[0], rows[i].dim, first);
        if (r == 0)
            r = store_array_text(&cols[1], rows[i].key, first);
        if (r == 0)
            r = store_array_long(&cols[2], rows[i].month, first);
        if (r == 0)
            r = store_array_text(&cols[3], rows[i].code, first);
        if (r == 0)
            r = store_array_long(&cols[4], rows[i].n, first);
    }
    for (size_t c = 0; r == 0 && c < 5; c++)
        r = rd_text_put(&cols[c], "}", 1);
    const char *params[5];
    for (size_t c = 0; c < 5; c++)
        params[c] = cols[c].p;
    if (r == 0)
        r = rd_db_run(db, &q_defects_many, params);
    for (size_t c = 0; c < 5; c++)
        free(cols[c].p);
    return r;
}

/* The versions text holds at most 64 numbers of up to 10 digits and a comma each, so a buffer
 * of 1024 always holds the first 64 whole: what parse_versions keeps. */
static void parse_versions(const char *s, rd_kpi_row *row)
{
    row->n_versions = 0;
    while (*s && row->n_versions < (int)(sizeof(row->versions) / sizeof(row->versions[0]))) {
        char *end;
        row->versions[row->n_versions++] = (int)strtol(s, &end, 10);
        s = *end == ',' ? end + 1 : end;
    }
}

/* A row of q_grouped as read, before its counts go into rd_kpi_row's array. */
typedef struct grouped_row {
    int period_start;
    char key[RD_ID_MAX];
    int64_t v[RD_KPI_METRIC_COUNT_];
    char versions[1024];
} grouped_row;

/* Column names are the metrics' wire names (rd_kpi_metric_name). */
static const rd_col grouped_cols[] = {
    RD_COL("p", RD_COL_INT, grouped_row, period_start),
    RD_COL_T("key", grouped_row, key),
    {.name = "complaints", .type = RD_COL_INT64, .offset = offsetof(grouped_row, v)},
    {.name = "repeats",
     .type = RD_COL_INT64,
     .offset = offsetof(grouped_row, v) + RD_KPI_REPEATS * sizeof(int64_t)},
    {.name = "contacted",
     .type = RD_COL_INT64,
     .offset = offsetof(grouped_row, v) + RD_KPI_CONTACTED * sizeof(int64_t)},
    {.name = "first_contact_failed",
     .type = RD_COL_INT64,
     .offset = offsetof(grouped_row, v) + RD_KPI_FIRST_CONTACT_FAILED * sizeof(int64_t)},
    {.name = "closeouts_inspected",
     .type = RD_COL_INT64,
     .offset = offsetof(grouped_row, v) + RD_KPI_CLOSEOUTS_INSPECTED * sizeof(int64_t)},
    {.name = "closeouts_rejected",
     .type = RD_COL_INT64,
     .offset = offsetof(grouped_row, v) + RD_KPI_CLOSEOUTS_REJECTED * sizeof(int64_t)},
    {.name = "false_closeouts",
     .type = RD_COL_INT64,
     .offset = offsetof(grouped_row, v) + RD_KPI_FALSE_CLOSEOUTS * sizeof(int64_t)},
    RD_COL_T("versions", grouped_row, versions),
    {0},
};

int store_kpi_grouped(rd_db *db, rd_kpi_dim dim, int level, int period_months, int from, int to,
                      rd_kpi_row **ret, size_t *ret_n)
{
    return store_kpi_grouped_page(db, dim, level, period_months, from, to, RD_KPI_NEED_ANY, NULL, 0,
                                  ret, ret_n);
}

int store_kpi_grouped_page(rd_db *db, rd_kpi_dim dim, int level, int period_months, int from,
                           int to, unsigned need, const rd_kpi_cursor *after, long limit,
                           rd_kpi_row **ret, size_t *ret_n)
{
    /* No cursor: after a period before the first, so that every row is after it. */
    int after_p = after ? after->period_start : from - period_months;
    if (after && after->period_start > from)
        from = after->period_start; /* no month before the cursor's period holds a row after it */
    char d[8], l[16], p[16], f[16], t[16], nd[16], ap[16], lim[24];
    snprintf(d, sizeof(d), "%d", (int)dim);
    snprintf(l, sizeof(l), "%d", level);
    snprintf(p, sizeof(p), "%d", period_months);
    snprintf(f, sizeof(f), "%d", from);
    snprintf(t, sizeof(t), "%d", to);
    snprintf(nd, sizeof(nd), "%u", need);
    snprintf(ap, sizeof(ap), "%d", after_p);
    snprintf(lim, sizeof(lim), "%ld", limit);
    const char *params[] = {d, l, p, f, t, nd, ap, after ? after->key : "", limit > 0 ? lim : NULL};
    PGresult *res;
    bool rollup = dim == RD_DIM_CATEGORY && level > 0;
    const rd_stmt *q = rollup                            ? &q_grouped_level
                       : limit > 0 && period_months == 1 ? &q_grouped_month_page
                                                         : &q_grouped;
    int r = rd_db_exec(db, q, params, &res);
    if (r < 0)
        return r;
    rd_rows cols;
    r = rd_rows_open(&cols, res, grouped_cols);
    size_t n = (size_t)PQntuples(res);
    rd_kpi_row *rows = r < 0 ? NULL : calloc(n ? n : 1, sizeof(*rows));
    if (r == 0 && !rows)
        r = -ENOMEM;
    for (size_t i = 0; r == 0 && i < n; i++) {
        grouped_row g;
        r = rd_rows_read(&cols, (int)i, &g);
        if (r < 0)
            break;
        rows[i].period_start = g.period_start;
        memcpy(rows[i].key, g.key, sizeof(g.key));
        for (int m = 0; m < RD_KPI_METRIC_COUNT_; m++)
            rows[i].v[m] = (long)g.v[m];
        parse_versions(g.versions, &rows[i]);
    }
    PQclear(res);
    if (r < 0) {
        free(rows);
        return r;
    }
    *ret = rows;
    *ret_n = n;
    return 0;
}

static const rd_col defect_cols[] = {
    RD_COL("p", RD_COL_INT, rd_kpi_defect_count, period_start),
    RD_COL_T("key", rd_kpi_defect_count, key),
    RD_COL("rn", RD_COL_INT, rd_kpi_defect_count, rank),
    RD_COL_T("code", rd_kpi_defect_count, code),
    {.name = "n", .type = RD_COL_INT64, .offset = offsetof(rd_kpi_defect_count, count)},
    {0},
};

int store_kpi_top_defects(rd_db *db, rd_kpi_dim dim, int period_months, int from, int to,
                          int per_key, rd_kpi_defect_count **ret, size_t *ret_n)
{
    char d[8], f[16], t[16], k[16], p[16];
    snprintf(d, sizeof(d), "%d", (int)dim);
    snprintf(f, sizeof(f), "%d", from);
    snprintf(t, sizeof(t), "%d", to);
    snprintf(k, sizeof(k), "%d", per_key);
    snprintf(p, sizeof(p), "%d", period_months);
    const char *params[] = {d, f, t, k, p};
    return query_all(db, &q_top_defects, params, defect_cols, sizeof(**ret), (void **)ret, ret_n);
}

/* A nullable text column with its flag. */
#define COL_T_OPT(col, st, field, flag)                                                            \
    {                                                                                              \
        .name = col, .type = RD_COL_TEXT, .offset = offsetof(st, field),                           \
        .size = sizeof(((st *)0)->field), .set_offset = offsetof(st, flag), .has_set = true        \
    }

static const rd_col green_cols[] = {
    RD_COL_T("chain_id", rd_green_chain, chain_id),
    RD_COL_T("latest_ticket_id", rd_green_chain, latest_ticket_id),
    RD_COL_T("category", rd_green_chain, category),
    COL_T_OPT("citizen", rd_green_chain, citizen, has_citizen),
    RD_COL("repeats", RD_COL_INT, rd_green_chain, repeats),
    RD_COL("open", RD_COL_BOOL, rd_green_chain, open),
    RD_COL("first_received_us", RD_COL_INT64, rd_green_chain, first_received_us),
    RD_COL("first_received_tz", RD_COL_INT, rd_green_chain, first_received_tz),
    RD_COL("latest_received_us", RD_COL_INT64, rd_green_chain, latest_received_us),
    RD_COL("latest_received_tz", RD_COL_INT, rd_green_chain, latest_received_tz),
    RD_COL_OPT("deadline_us", RD_COL_INT64, rd_green_chain, deadline_us, has_deadline),
    RD_COL("deadline_tz", RD_COL_INT, rd_green_chain, deadline_tz),
    COL_T_OPT("original_unit", rd_green_chain, original_unit, has_original_unit),
    COL_T_OPT("original_team", rd_green_chain, original_team, has_original_team),
    COL_T_OPT("original_handler", rd_green_chain, original_handler, has_original_handler),
    COL_T_OPT("unit", rd_green_chain, unit, has_unit),
    COL_T_OPT("team", rd_green_chain, team, has_team),
    COL_T_OPT("handler", rd_green_chain, handler, has_handler),
    {0},
};

int store_green_candidates(rd_db *db, int min_ordinal, int limit, const char *time_zone,
                           rd_green_chain **ret, size_t *ret_n)
{
    char m[16], l[16];
    snprintf(m, sizeof(m), "%d", min_ordinal);
    snprintf(l, sizeof(l), "%d", limit);
    const char *params[] = {m, l, time_zone};
    return query_all(db, &q_green, params, green_cols, sizeof(**ret), (void **)ret, ret_n);
}

typedef struct name_row {
    char kind[16];
    rd_kpi_name n;
} name_row;

static const rd_col name_cols[] = {
    RD_COL_T("code", rd_kpi_name, code),
    RD_COL_T("name", rd_kpi_name, name),
    RD_COL_T("parent", rd_kpi_name, parent),
    {0},
};

int store_kpi_names(rd_db *db, rd_kpi_dim dim, rd_kpi_name **ret, size_t *ret_n)
{
    const char *params[] = {rd_kpi_dim_name(dim)};
    int r = query_all(db, dim == RD_DIM_CATEGORY ? &q_category_names : &q_names_of,
                      dim == RD_DIM_CATEGORY ? NULL : params, name_cols, sizeof(**ret),
                      (void **)ret, ret_n);
    for (size_t i = 0; r == 0 && i < *ret_n; i++)
        (*ret)[i].dim = dim;
    return r;
}

static const rd_col org_name_cols[] = {
    RD_COL_T("kind", name_row, kind),
    RD_COL_T("code", name_row, n.code),
    RD_COL_T("name", name_row, n.name),
    {0},
};

int store_org_names(rd_db *db, rd_kpi_name **ret, size_t *ret_n)
{
    name_row *rows;
    size_t n;
    int r = query_all(db, &q_names, NULL, org_name_cols, sizeof(*rows), (void **)&rows, &n);
    if (r < 0)
        return r;
    rd_kpi_name *names = calloc(n ? n : 1, sizeof(*names));
    if (!names)
        r = -ENOMEM;
    for (size_t i = 0; r == 0 && i < n; i++) {
        names[i] = rows[i].n;
        if (rd_kpi_dim_parse(rows[i].kind, &names[i].dim) < 0)
            r = -EIO;
    }
    free(rows);
    if (r < 0) {
        free(names);
        return r;
    }
    *ret = names;
    *ret_n = n;
    return 0;
}

int store_org_name_upsert(rd_db *db, const char *kind, const char *code, const char *name,
                          const char *parent)
{
    const char *params[] = {kind, code, name, parent};
    return rd_db_run(db, &q_name_upsert, params);
}

typedef struct target_row {
    char scope[16];
    rd_kpi_target t;
} target_row;

static const rd_col target_cols[] = {
    RD_COL_T("scope", target_row, scope),
    RD_COL_T("code", target_row, t.code),
    RD_COL_T("period", target_row, t.period),
    RD_COL("rate", RD_COL_DOUBLE, target_row, t.rate),
    {0},
};

int store_targets(rd_db *db, rd_kpi_target **ret, size_t *ret_n)
{
    target_row *rows;
    size_t n;
    int r = query_all(db, &q_targets, NULL, target_cols, sizeof(*rows), (void **)&rows, &n);
    if (r < 0)
        return r;
    rd_kpi_target *targets = calloc(n ? n : 1, sizeof(*targets));
    if (!targets)
        r = -ENOMEM;
    for (size_t i = 0; r == 0 && i < n; i++) {
        targets[i] = rows[i].t;
        if (rd_kpi_dim_parse(rows[i].scope, &targets[i].scope) < 0)
            r = -EIO;
    }
    free(rows);
    if (r < 0) {
        free(targets);
        return r;
    }
    *ret = targets;
    *ret_n = n;
    return 0;
}

int store_target_upsert(rd_db *db, const char *scope, const char *code, const char *period,
                        double rate, const char *who)
{
    char v[32];
    snprintf(v, sizeof(v), "%.17g", rate);
    const char *params[] = {scope, code, period, v, who};
    return rd_db_run(db, &q_target_upsert, params);
}

/* The decision mix from the aggregates' decision rows (migration 0017): a period's count of a
 * decision is its months' sum, shards and all. */
static const rd_stmt q_decisions = {
    "kpi_decisions",
    "SELECT month - month % $1::integer AS p, key AS decision, version,"
    " sum(complaints::integer) AS n"
    " FROM kpi_counts WHERE dim = $4 AND month BETWEEN $2 AND $3"
    " GROUP BY 1, 2, 3 HAVING sum(complaints::integer) <> 0 ORDER BY 1, 2, 3",
    4};

typedef struct decision_row {
    int period_start;
    char decision[32];
    int version;
    int64_t n;
} decision_row;

static const rd_col decision_cols[] = {
    RD_COL("p", RD_COL_INT, decision_row, period_start),
    RD_COL_T("decision", decision_row, decision),
    RD_COL("version", RD_COL_INT, decision_row, version),
    RD_COL("n", RD_COL_INT64, decision_row, n),
    {0},
};

int store_kpi_decisions(rd_db *db, int period_months, int from, int to, rd_kpi_decision_count **ret,
                        size_t *ret_n)
{
    char p[16], f[16], t[16];
    snprintf(p, sizeof(p), "%d", period_months);
    snprintf(f, sizeof(f), "%d", from);
    snprintf(t, sizeof(t), "%d", to);
    char d[8];
    snprintf(d, sizeof(d), "%d", (int)RD_DIM_DECISION);
    const char *params[] = {p, f, t, d};
    decision_row *rows;
    size_t n;
    int r = query_all(db, &q_decisions, params, decision_cols, sizeof(*rows), (void **)&rows, &n);
    if (r < 0)
        return r;
    rd_kpi_decision_count *counts = calloc(n ? n : 1, sizeof(*counts));
    if (!counts)
        r = -ENOMEM;
    for (size_t i = 0; r == 0 && i < n; i++) {
        counts[i].period_start = rows[i].period_start;
        counts[i].version = rows[i].version;
        counts[i].n = (long)rows[i].n;
        if (rd_decision_parse(rows[i].decision, &counts[i].decision) < 0)
            r = -EIO;
    }
    free(rows);
    if (r < 0) {
        free(counts);
        return r;
    }
    *ret = counts;
    *ret_n = n;
    return 0;
}
