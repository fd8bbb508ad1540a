/* Settings, definition versions and the settings audit trail. */
#include "repeatd/store.h"

#include "repeatd/result.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static const rd_stmt q_seed = {
    "settings_seed",
    "INSERT INTO settings (key, value) SELECT key, value FROM jsonb_each($1::jsonb)"
    " ON CONFLICT (key) DO NOTHING",
    1};
static const rd_stmt q_seed_version = {
    "settings_seed_version",
    "INSERT INTO definition_versions (version, settings, created_by)"
    " SELECT 1, (SELECT jsonb_object_agg(key, value) FROM settings), 'defaults'"
    " WHERE NOT EXISTS (SELECT 1 FROM definition_versions)",
    0};
/* The revision first: a change committed between the columns' snapshots makes the settings
 * newer than the revision, never older, so a cache keyed by it is at worst reloaded once. */
static const rd_stmt q_load = {"settings_load",
                               "SELECT (SELECT revision FROM settings_revision) AS revision,"
                               " (SELECT jsonb_object_agg(key, value) FROM settings)::text"
                               "  AS vals,"
                               " (SELECT max(version) FROM definition_versions) AS version",
                               0};
static const rd_stmt q_revision = {"settings_revision", "SELECT revision FROM settings_revision",
                                   0};
static const rd_stmt q_bump = {"settings_bump",
                               "UPDATE settings_revision SET revision = revision + 1", 0};
static const rd_stmt q_lock = {"settings_lock",
                               "SELECT 1 FROM definition_versions ORDER BY version DESC"
                               " LIMIT 1 FOR UPDATE",
                               0};
static const rd_stmt q_update = {"settings_update",
                                 "UPDATE settings SET value = $2::jsonb WHERE key = $1", 2};
static const rd_stmt q_audit_insert = {
    "settings_audit_insert",
    "INSERT INTO settings_audit (key, old_value, new_value, changed_by, definition_version)"
    " VALUES ($1, $2::jsonb, $3::jsonb, $4, $5)",
    5};
static const rd_stmt q_version_new = {
    "definition_version_new",
    "INSERT INTO definition_versions (version, settings, created_by)"
    " SELECT coalesce(max(version), 0) + 1, $1::jsonb, $2 FROM definition_versions"
    " RETURNING version",
    2};
static const rd_stmt q_audit_list = {
    "settings_audit_list",
    "SELECT key, old_value::text AS old_value, new_value::text AS new_value, changed_by,"
    " " RD_SQL_INSTANT("changed_at", "$2") " AS changed_at, definition_version"
                                           " FROM settings_audit ORDER BY id DESC LIMIT $1",
    2};
static const rd_stmt q_tz = {"time_zone_exists", "SELECT 1 FROM pg_timezone_names WHERE name = $1",
                             1};

static int run_json_param(rd_db *db, const rd_stmt *stmt, json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text)
        return -ENOMEM;
    const char *params[] = {text};
    int r = rd_db_run(db, stmt, params);
    free(text);
    return r;
}

int store_settings_seed(rd_db *db, json_t *defaults)
{
    int r = run_json_param(db, &q_seed, defaults);
    if (r == 0)
        r = rd_db_run(db, &q_seed_version, NULL);
    return r < 0 ? r : rd_db_run(db, &q_bump, NULL);
}

/* Read together, to one snapshot each: see q_load. */
typedef struct loaded_row {
    bool has_revision, has_values, has_version;
    int64_t revision;
    json_t *values;
    int version;
} loaded_row;

static const rd_col load_cols[] = {
    RD_COL_OPT("revision", RD_COL_INT64, loaded_row, revision, has_revision),
    RD_COL_OPT("vals", RD_COL_JSON, loaded_row, values, has_values),
    RD_COL_OPT("version", RD_COL_INT, loaded_row, version, has_version),
    {0},
};

int store_settings_load(rd_db *db, store_settings_stored *ret)
{
    loaded_row row = {0};
    int r = store_read_row(db, &q_load, NULL, load_cols, &row);
    if (r < 0)
        return r;
    if (!row.has_revision || !row.has_values || !row.has_version) {
        /* not seeded: the server seeds at start, so this is a broken database */
        rd_row_free(load_cols, &row);
        return -EIO;
    }
    *ret = (store_settings_stored){
        .revision = row.revision, .values = row.values, .definition_version = row.version};
    return 0;
}

typedef struct one_int64 {
    int64_t v;
} one_int64;

static const rd_col revision_cols[] = {
    RD_COL("revision", RD_COL_INT64, one_int64, v),
    {0},
};

static int revision_of(int r, const one_int64 *row, int64_t *ret)
{
    if (r < 0)
        return r;
    if (r == 0)
        return -EIO; /* the migration writes the one row */
    *ret = row->v;
    return 0;
}

int store_settings_revision(rd_db *db, int64_t *ret)
{
    one_int64 row;
    int r = store_read_row(db, &q_revision, NULL, revision_cols, &row);
    return revision_of(r, &row, ret);
}

int store_settings_revision_send(rd_db *db, int *ret_ticket)
{
    return rd_db_send(db, &q_revision, NULL, ret_ticket);
}

int store_settings_revision_take(rd_db *db, int ticket, int64_t *ret)
{
    one_int64 row;
    int r = store_take_row(db, ticket, revision_cols, &row);
    return revision_of(r, &row, ret);
}

int store_settings_lock(rd_db *db)
{
    return rd_db_run(db, &q_lock, NULL);
}

int store_settings_update(rd_db *db, const char *key, json_t *old_value, json_t *new_value,
                          const char *who, int definition_version)
{
    char *old_text = old_value ? json_dumps(old_value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    char *new_text = json_dumps(new_value, JSON_COMPACT | JSON_ENCODE_ANY);
    char version[16];
    snprintf(version, sizeof(version), "%d", definition_version);
    int r = -ENOMEM;
    if (new_text && (old_text || !old_value)) {
        const char *p1[] = {key, new_text};
        r = rd_db_run(db, &q_update, p1);
        const char *p2[] = {key, old_text, new_text, who, version};
        if (r == 0)
            r = rd_db_run(db, &q_audit_insert, p2);
        if (r == 0)
            r = rd_db_run(db, &q_bump, NULL);
    }
    free(old_text);
    free(new_text);
    return r;
}

static const rd_col version_cols[] = {
    RD_COL("version", RD_COL_INT64, one_int64, v),
    {0},
};

int store_definition_version_new(rd_db *db, json_t *settings, const char *who, int *ret_version)
{
    char *text = json_dumps(settings, JSON_COMPACT);
    if (!text)
        return -ENOMEM;
    const char *params[] = {text, who};
    one_int64 row;
    int r = store_read_row(db, &q_version_new, params, version_cols, &row);
    free(text);
    if (r < 0)
        return r;
    if (r == 0)
        return -EIO;
    *ret_version = (int)row.v;
    return 0;
}

#define A rd_settings_change
static const rd_col audit_cols[] = {
    RD_COL_T("key", A, key),
    RD_COL("old_value", RD_COL_JSON, A, old_value),
    RD_COL("new_value", RD_COL_JSON, A, new_value),
    RD_COL_T("changed_by", A, changed_by),
    RD_COL("changed_at", RD_COL_INSTANT, A, changed_at),
    RD_COL("definition_version", RD_COL_INT, A, definition_version),
    {0},
};
#undef A

int store_settings_audit(rd_db *db, int limit, const char *time_zone, rd_settings_change **ret,
                         size_t *ret_n)
{
    char l[16];
    snprintf(l, sizeof(l), "%d", limit);
    const char *params[] = {l, time_zone};
    return store_read_rows(db, &q_audit_list, params, audit_cols, sizeof(rd_settings_change),
                           (void **)ret, ret_n);
}

void rd_settings_changes_free(rd_settings_change *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        rd_row_free(audit_cols, &list[i]);
    free(list);
}

int store_time_zone_exists(rd_db *db, const char *name)
{
    const char *params[] = {name};
    PGresult *res;
    int r = rd_db_exec(db, &q_tz, params, &res);
    if (r < 0)
        return r;
    r = PQntuples(res) > 0;
    PQclear(res);
    return r;
}
