/* Settings, definition versions and the settings audit trail. */
#include "repeatd/store.h"

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
                               "SELECT (SELECT revision FROM settings_revision),"
                               " (SELECT jsonb_object_agg(key, value) FROM settings)::text,"
                               " (SELECT max(version) FROM definition_versions)",
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
    "SELECT coalesce(jsonb_agg(jsonb_build_object('key', key, 'old_value', old_value,"
    " 'new_value', new_value, 'changed_by', changed_by, 'changed_at', changed_at,"
    " 'definition_version', definition_version) ORDER BY id DESC), '[]'::jsonb)::text"
    " FROM (SELECT * FROM settings_audit ORDER BY id DESC LIMIT $1) a",
    1};
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

int store_settings_load(rd_db *db, store_settings_stored *ret)
{
    PGresult *res;
    int r = rd_db_exec(db, &q_load, NULL, &res);
    if (r < 0)
        return r;
    if (PQgetisnull(res, 0, 0) || PQgetisnull(res, 0, 1) || PQgetisnull(res, 0, 2)) {
        PQclear(res); /* not seeded: the server seeds at start, so this is a broken database */
        return -EIO;
    }
    store_settings_stored s = {0};
    s.revision = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    r = store_json_column(res, 0, 1, &s.values);
    s.definition_version = atoi(PQgetvalue(res, 0, 2));
    PQclear(res);
    if (r == 0)
        *ret = s;
    return r;
}

int store_settings_revision(rd_db *db, int64_t *ret)
{
    PGresult *res;
    int r = rd_db_exec(db, &q_revision, NULL, &res);
    if (r < 0)
        return r;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return -EIO;
    }
    *ret = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
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

int store_definition_version_new(rd_db *db, json_t *settings, const char *who, int *ret_version)
{
    char *text = json_dumps(settings, JSON_COMPACT);
    if (!text)
        return -ENOMEM;
    const char *params[] = {text, who};
    PGresult *res;
    int r = rd_db_exec(db, &q_version_new, params, &res);
    free(text);
    if (r < 0)
        return r;
    *ret_version = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int store_settings_audit(rd_db *db, int limit, json_t **ret)
{
    char l[16];
    snprintf(l, sizeof(l), "%d", limit);
    const char *params[] = {l};
    PGresult *res;
    int r = rd_db_exec(db, &q_audit_list, params, &res);
    if (r < 0)
        return r;
    r = store_json_column(res, 0, 0, ret);
    PQclear(res);
    return r;
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
