/* The category tree (末端节点 = leaves): look-ups for intake, upserts for admins. */
#include "repeatd/store.h"

#include <errno.h>
#include <stdlib.h>

/* The UTC offset rides along so that intake needs one round trip for both. */
static const rd_stmt q_get = {"category_get",
                              "SELECT c.policy,"
                              " NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent = c.code),"
                              " (extract(epoch FROM ($2::timestamptz AT TIME ZONE $3))"
                              "  - extract(epoch FROM $2::timestamptz))::integer"
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
    "SELECT coalesce(jsonb_agg(jsonb_build_object('code', c.code, 'name', c.name,"
    " 'parent', c.parent, 'policy', c.policy, 'leaf',"
    " NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent = c.code)) ORDER BY c.code),"
    " '[]'::jsonb)::text FROM categories c",
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

int store_category_get(rd_db *db, const char *code, const char *at, const char *time_zone,
                       store_category *ret)
{
    const char *params[] = {code, at, time_zone};
    PGresult *res;
    int r = rd_db_exec(db, &q_get, params, &res);
    if (r < 0)
        return r;
    store_category c = {0};
    if (PQntuples(res) == 1) {
        c.found = true;
        c.policy = PQgetvalue(res, 0, 0)[0] == 't';
        c.leaf = PQgetvalue(res, 0, 1)[0] == 't';
        c.utc_offset = atoi(PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    *ret = c;
    return 0;
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

int store_categories_list(rd_db *db, json_t **ret)
{
    PGresult *res;
    int r = rd_db_exec(db, &q_list, NULL, &res);
    if (r < 0)
        return r;
    r = store_json_column(res, 0, 0, ret);
    PQclear(res);
    return r;
}
