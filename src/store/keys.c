/* API keys: only their SHA-256 is stored; the key itself is shown once at creation. */
#include "repeatd/store.h"

#include "repeatd/result.h"

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

typedef struct key_row {
    char name[65], role[16];
} key_row;

static const rd_col key_cols[] = {
    RD_COL_T("name", key_row, name),
    RD_COL_T("role", key_row, role),
    {0},
};

int store_key_find(rd_db *db, const char *hash_hex, char *ret_name, size_t name_size,
                   char *ret_role, size_t role_size)
{
    char bytea[80];
    snprintf(bytea, sizeof(bytea), "\\x%s", hash_hex);
    const char *params[] = {bytea};
    key_row row;
    int r = store_read_row(db, &q_find, params, key_cols, &row);
    if (r == 1) {
        snprintf(ret_name, name_size, "%s", row.name);
        snprintf(ret_role, role_size, "%s", row.role);
    }
    return r;
}

static const rd_stmt q_ping = {"ping", "SELECT 1", 0};

int store_ping(rd_db *db)
{
    return rd_db_run(db, &q_ping, NULL);
}
