/* The category tree (末端节点 = leaves): look-ups for intake, upserts for admins. */
#include "repeatd/store.h"

#include "repeatd/result.h"

#include <errno.h>
#include <stdlib.h>

/* The UTC offset rides along so that intake needs one round trip for both. */
static const rd_stmt q_get = {"category_get",
                              "SELECT c.policy,"
                              " NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent = c.code)"
                              "  AS leaf,"
                              " (extract(epoch FROM ($2::timestamptz AT TIME ZONE $3))"
                              "  - extract(epoch FROM $2::timestamptz))::integer AS utc_offset"
                              " FROM categories c WHERE c.code = $1",
                              3};
static const rd_stmt q_upsert = {
    "category_upsert",
    "INSERT INTO categories (code, name, parent, policy) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent = EXCLUDED.parent,"
    " policy = EXCLUDED.policy, updated_at = now()",
    4};
static const rd_stmt q_exists = {"category_exists", "SELECT 1 FROM categories WHERE code = $1", 1};
static const rd_stmt q_list = {
    "categories_list",
    "SELECT c.code, c.name, c.parent, c.policy,"
    " NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent = c.code) AS leaf"
    " FROM categories c ORDER BY c.code",
    0};
static const rd_stmt q_count = {"categories_count", "SELECT count(*)::bigint AS n FROM categories",
                                0};
/* Walk up from the new parent; reaching `code` means the edge would close a cycle. */
static const rd_stmt q_cycle = {
    "category_cycle",
    "WITH RECURSIVE up(code, parent, depth) AS ("
    "  SELECT code, parent, 0 FROM categories WHERE code = $2"
    "  UNION ALL SELECT c.code, c.parent, up.depth + 1 FROM categories c"
    "  JOIN up ON c.code = up.parent WHERE up.depth < 100)"
    " SELECT 1 FROM up WHERE code = $1 LIMIT 1",
    2};

static const rd_col category_cols[] = {
    RD_COL("policy", RD_COL_BOOL, store_category, policy),
    RD_COL("leaf", RD_COL_BOOL, store_category, leaf),
    RD_COL("utc_offset", RD_COL_INT, store_category, utc_offset),
    {0},
};

static int category_of(int r, store_category *c, store_category *ret)
{
    if (r < 0)
        return r;
    c->found = r == 1;
    *ret = *c;
    return 0;
}

int store_category_get(rd_db *db, const char *code, const char *at, const char *time_zone,
                       store_category *ret)
{
    const char *params[] = {code, at, time_zone};
    store_category c = {0};
    return category_of(store_read_row(db, &q_get, params, category_cols, &c), &c, ret);
}

int store_category_send(rd_db *db, const char *code, const char *at, const char *time_zone,
                        int *ret_ticket)
{
    const char *params[] = {code, at, time_zone};
    return rd_db_send(db, &q_get, params, ret_ticket);
}

int store_category_take(rd_db *db, int ticket, store_category *ret)
{
    store_category c = {0};
    return category_of(store_take_row(db, ticket, category_cols, &c), &c, ret);
}

int store_category_upsert(rd_db *db, const char *code, const char *name, const char *parent,
                          bool policy)
{
    const char *params[] = {code, name, parent, policy ? "true" : "false"};
    return rd_db_run(db, &q_upsert, params);
}

static int exists_query(rd_db *db, const rd_stmt *stmt, const char *const *params)
{
    PGresult *res;
    int r = rd_db_exec(db, stmt, params, &res);
    if (r < 0)
        return r;
    r = PQntuples(res) > 0;
    PQclear(res);
    return r;
}

int store_category_exists(rd_db *db, const char *code)
{
    const char *params[] = {code};
    return exists_query(db, &q_exists, params);
}

int store_category_would_cycle(rd_db *db, const char *code, const char *parent)
{
    const char *params[] = {code, parent};
    return exists_query(db, &q_cycle, params);
}

static const rd_col list_cols[] = {
    RD_COL_T("code", rd_category, code),
    RD_COL_T("name", rd_category, name),
    {.name = "parent",
     .type = RD_COL_TEXT,
     .offset = offsetof(rd_category, parent),
     .size = sizeof(((rd_category *)0)->parent),
     .set_offset = offsetof(rd_category, has_parent),
     .has_set = true},
    RD_COL("policy", RD_COL_BOOL, rd_category, policy),
    RD_COL("leaf", RD_COL_BOOL, rd_category, leaf),
    {0},
};

int store_categories_list(rd_db *db, rd_category **ret, size_t *ret_n)
{
    return store_read_rows(db, &q_list, NULL, list_cols, sizeof(rd_category), (void **)ret, ret_n);
}

typedef struct count_row {
    int64_t n;
} count_row;

static const rd_col count_cols[] = {
    RD_COL("n", RD_COL_INT64, count_row, n),
    {0},
};

int store_categories_count(rd_db *db, size_t *ret)
{
    count_row row = {0};
    int r = store_read_row(db, &q_count, NULL, count_cols, &row);
    if (r >= 0)
        *ret = (size_t)row.n;
    return r < 0 ? r : 0;
}
