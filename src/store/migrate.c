/* Schema migrations: the compiled-in SQL files, applied in order under an advisory lock. */
#include "repeatd/migrations.h"
#include "repeatd/store.h"

#include "repeatd/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Any fixed number: every repeatd instance takes the same lock before migrating. */
#define MIGRATION_LOCK_KEY "7236471129"

static const rd_stmt q_applied = {"migrate_applied",
                                  "SELECT 1 FROM schema_migrations WHERE version = $1", 1};
static const rd_stmt q_record = {
    "migrate_record", "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2};

static int is_applied(rd_db *db, int version)
{
    char v[16];
    snprintf(v, sizeof(v), "%d", version);
    const char *params[] = {v};
    PGresult *res;
    int r = rd_db_exec(db, &q_applied, params, &res);
    if (r < 0)
        return r;
    r = PQntuples(res) > 0;
    PQclear(res);
    return r;
}

static int apply_one(rd_db *db, const rd_migration *m)
{
    char v[16];
    snprintf(v, sizeof(v), "%d", m->version);
    const char *params[] = {v, m->name};
    int r = rd_db_simple(db, "BEGIN");
    if (r == 0)
        r = rd_db_simple(db, m->sql);
    if (r == 0)
        r = rd_db_run(db, &q_record, params);
    if (r == 0)
        r = rd_db_simple(db, "COMMIT");
    if (r < 0) {
        (void)rd_db_simple(db, "ROLLBACK");
        rd_log(RD_LOG_ERROR, "migration %04d_%s failed", m->version, m->name);
        return r;
    }
    rd_log(RD_LOG_INFO, "applied migration %04d_%s", m->version, m->name);
    return 0;
}

int store_migrate(rd_db *db)
{
    int r = rd_db_simple(db, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")");
    if (r < 0)
        return r;
    r = rd_db_simple(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                         " version integer PRIMARY KEY, name text NOT NULL,"
                         " applied_at timestamptz NOT NULL DEFAULT now())");
    int applied = 0;
    for (size_t i = 0; r >= 0 && i < rd_migration_count; i++) {
        r = is_applied(db, rd_migrations[i].version);
        if (r == 0) {
            r = apply_one(db, &rd_migrations[i]);
            applied += r == 0;
        }
    }
    int u = rd_db_simple(db, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")");
    if (r < 0)
        return r;
    return u < 0 ? u : applied;
}
