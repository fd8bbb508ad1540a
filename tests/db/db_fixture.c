/* Database tests: a fresh database per test program on the throwaway cluster. */
#include "db_fixture.h"

#include "repeatd/codec.h"
#include "repeatd/store.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char admin_url[1024];
static char db_name[64];
static char db_url[1200];

static void admin_exec(const char *sql)
{
    PGconn *c = PQconnectdb(admin_url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to %s: %s", admin_url, PQerrorMessage(c));
        exit(1);
    }
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
    PQfinish(c);
}

/* The URI names the database in its path: postgresql:///postgres?host=... */
static void url_with_db(const char *url, const char *name, char *out, size_t size)
{
    const char *scheme_end = strstr(url, "://");
    const char *path = scheme_end ? strchr(scheme_end + 3, '/') : NULL;
    if (!path) {
        snprintf(out, size, "%s dbname=%s", url, name); /* key=value form */
        return;
    }
    const char *query = strchr(path, '?');
    snprintf(out, size, "%.*s/%s%s", (int)(path - url), url, name, query ? query : "");
}

const char *dbt_create_database(const char *prefix)
{
    const char *url = getenv("REPEATD_TEST_DATABASE_URL");
    if (!url || !*url)
        return NULL;
    snprintf(admin_url, sizeof(admin_url), "%s", url);
    snprintf(db_name, sizeof(db_name), "%s_%ld", prefix, (long)getpid());
    char sql[128];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db_name);
    admin_exec(sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db_name);
    admin_exec(sql);
    url_with_db(url, db_name, db_url, sizeof(db_url));
    return db_url;
}

void dbt_drop_database(void)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db_name);
    admin_exec(sql);
}

rd_db *dbt_connect_prepared(void)
{
    rd_db *db = rd_db_connect(db_url);
    if (!db) {
        fprintf(stderr, "cannot connect to %s\n", db_url);
        exit(1);
    }
    rd_settings s;
    rd_settings_defaults(&s);
    json_t *d = rd_settings_to_json(&s);
    if (store_migrate(db) < 0 || store_settings_seed(db, d) < 0) {
        fprintf(stderr, "cannot prepare %s\n", db_url);
        exit(1);
    }
    json_decref(d);
    return db;
}

char *dbt_value(rd_db *db, const char *sql)
{
    PGresult *r = PQexec(db->conn, sql);
    char *v = NULL;
    size_t len = 0;
    for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); i++) {
        const char *row = PQgetisnull(r, i, 0) ? "" : PQgetvalue(r, i, 0);
        char *grown = realloc(v, len + strlen(row) + 2);
        if (!grown)
            break;
        v = grown;
        len += (size_t)sprintf(v + len, "%s%s", i ? "\n" : "", row);
    }
    PQclear(r);
    return v;
}
