/* An import's batch queries and its COPY (see import_store.h). */
#include "repeatd/import_store.h"

#include "repeatd/log.h"
#include "repeatd/pg_array.h"
#include "repeatd/result.h"
#include "repeatd/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The category look-up of store/categories.c and the lookback bound of store/tickets.c's
 * candidate query, over a whole batch. */
static const rd_stmt q_facts = {
    "import_facts",
    "SELECT c.code IS NOT NULL AS found, coalesce(c.policy, false) AS policy,"
    " c.code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent = c.code)"
    "  AS leaf,"
    " (extract(epoch FROM (u.t AT TIME ZONE $3)) - extract(epoch FROM u.t))::integer"
    "  AS utc_offset,"
    " extract(epoch FROM ((u.t AT TIME ZONE $3) - make_interval(months => $4::integer))"
    "  AT TIME ZONE $3)::bigint AS lookback_start"
    " FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS u(code, t, i)"
    " LEFT JOIN categories c ON c.code = u.code ORDER BY u.i",
    4};

static const rd_col fact_cols[] = {
    RD_COL("found", RD_COL_BOOL, store_import_fact, found),
    RD_COL("policy", RD_COL_BOOL, store_import_fact, policy),
    RD_COL("leaf", RD_COL_BOOL, store_import_fact, leaf),
    RD_COL("utc_offset", RD_COL_INT, store_import_fact, utc_offset),
    RD_COL("lookback_start", RD_COL_INT64, store_import_fact, lookback_start),
    {0},
};

int store_import_facts(rd_db *db, size_t n, const char *const *codes, const char *const *times,
                       const char *time_zone, int lookback_months, store_import_fact *ret)
{
    if (n == 0)
        return 0;
    rd_text a = {0}, b = {0};
    char months[16];
    snprintf(months, sizeof(months), "%d", lookback_months);
    int r = store_array_of(&a, n, codes);
    if (r == 0)
        r = store_array_of(&b, n, times);
    store_import_fact *rows = NULL;
    size_t got = 0;
    if (r == 0) {
        const char *params[] = {a.p, b.p, time_zone, months};
        r = store_read_rows(db, &q_facts, params, fact_cols, sizeof(*rows), (void **)&rows, &got);
    }
    if (r == 0 && got != n)
        r = -EIO;
    if (r == 0)
        memcpy(ret, rows, n * sizeof(*rows));
    free(rows);
    free(a.p);
    free(b.p);
    return r;
}

/* Both are index scans over a list of keys: ticket_state_open, ticket_state_pkey. */
static const rd_stmt q_problems = {"import_stored_problems",
                                   "SELECT DISTINCT problem_key::text AS hex FROM ticket_state"
                                   " WHERE creates_work_order AND problem_key = ANY ($1::bigint[])",
                                   1};
static const rd_stmt q_ids = {
    "import_stored_ids",
    "SELECT ticket_id AS hex FROM ticket_state WHERE ticket_id = ANY ($1::text[])", 1};

typedef struct key_row {
    char *hex;
} key_row;

static const rd_col key_cols[] = {
    RD_COL("hex", RD_COL_STRDUP, key_row, hex),
    {0},
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Mark the keys[i] that the statement returns. */
static int mark(rd_db *db, const rd_stmt *q, size_t n, const char *const *keys, bool *ret)
{
    for (size_t i = 0; i < n; i++)
        ret[i] = false;
    if (n == 0)
        return 0;
    rd_text a = {0};
    int r = store_array_of(&a, n, keys);
    key_row *rows = NULL;
    size_t got = 0;
    if (r == 0) {
        const char *params[] = {a.p};
        r = store_read_rows(db, q, params, key_cols, sizeof(*rows), (void **)&rows, &got);
    }
    free(a.p);
    if (r < 0)
        return r;
    qsort(rows, got, sizeof(*rows), cmp_str);
    for (size_t i = 0; i < n; i++)
        ret[i] = got && bsearch(&keys[i], rows, got, sizeof(*rows), cmp_str);
    for (size_t i = 0; i < got; i++)
        free(rows[i].hex);
    free(rows);
    return 0;
}

int store_import_stored(rd_db *db, size_t n_problems, const char *const *problem_keys,
                        bool *ret_problem, size_t n_ids, const char *const *ids, bool *ret_id)
{
    int r = mark(db, &q_problems, n_problems, problem_keys, ret_problem);
    return r < 0 ? r : mark(db, &q_ids, n_ids, ids, ret_id);
}

static int copy_error(rd_db *db, PGresult *res)
{
    if (PQstatus(db->conn) != CONNECTION_OK) {
        db->broken = true;
        return -ECONNRESET;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01")))
        return -EAGAIN;
    if (state && !strcmp(state, "23505"))
        return -EEXIST;
    char msg[300];
    snprintf(msg, sizeof(msg), "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
    msg[strcspn(msg, "\n")] = '\0';
    rd_log(RD_LOG_ERROR, "copy failed (%s): %s", state ? state : "-", msg);
    return -EIO;
}

int store_copy_in(rd_db *db, const char *copy_sql, const char *data, size_t len)
{
    if (len == 0)
        return 0;
    PGresult *res = PQexec(db->conn, copy_sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        int r = copy_error(db, res);
        PQclear(res);
        return r;
    }
    PQclear(res);
    int r = 0;
    for (size_t off = 0; r == 0 && off < len;) {
        size_t piece = len - off < (1u << 20) ? len - off : (1u << 20);
        if (PQputCopyData(db->conn, data + off, (int)piece) != 1)
            r = -ECONNRESET;
        off += piece;
    }
    if (PQputCopyEnd(db->conn, r == 0 ? NULL : "import aborted") != 1 && r == 0)
        r = -ECONNRESET;
    while ((res = PQgetResult(db->conn))) {
        /* Still copying: the end could not be sent, and libpq would answer this forever. */
        bool stuck = PQresultStatus(res) == PGRES_COPY_IN;
        if (PQresultStatus(res) != PGRES_COMMAND_OK && r == 0)
            r = stuck ? -ECONNRESET : copy_error(db, res);
        PQclear(res);
        if (stuck) {
            r = -ECONNRESET;
            break;
        }
    }
    if (r == -ECONNRESET)
        db->broken = true;
    return r;
}
