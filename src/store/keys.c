/* API keys: only their SHA-256 is stored; the key itself is shown once at creation. */
#include "repeatd/store.h"

#include <stdio.h>

static const rd_stmt q_insert = {
    "key_insert", "INSERT INTO api_keys (name, role, key_hash) VALUES ($1, $2, $3::bytea)", 3};
static const rd_stmt q_find = {
    "key_find", "SELECT name, role FROM api_keys WHERE key_hash = $1::bytea AND revoked_at IS NULL",
    1};

int store_key_insert(rd_db *db, const char *name, const char *role, const char *hash_hex)
{
    char bytea[80];
    snprintf(bytea, sizeof(bytea), "\\x%s", hash_hex);
    const char *params[] = {name, role, bytea};
    return rd_db_run(db, &q_insert, params);
}

int store_key_find(rd_db *db, const char *hash_hex, char *ret_name, size_t name_size,
                   char *ret_role, size_t role_size)
{
    char bytea[80];
    snprintf(bytea, sizeof(bytea), "\\x%s", hash_hex);
    const char *params[] = {bytea};
    PGresult *res;
    int r = rd_db_exec(db, &q_find, params, &res);
    if (r < 0)
        return r;
    r = PQntuples(res) > 0;
    if (r) {
        snprintf(ret_name, name_size, "%s", PQgetvalue(res, 0, 0));
        snprintf(ret_role, role_size, "%s", PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return r;
}
