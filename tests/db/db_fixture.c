/* Database tests: a fresh database per test program on the throwaway cluster. */
#include "db_fixture.h"

#include "rd_test.h"

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

const char *dbt_create_database(const char *prefix)
{
    const char *url = rd_test_cluster_url();
    if (!url)
        return NULL;
    snprintf(admin_url, sizeof(admin_url), "%s", url);
    snprintf(db_name, sizeof(db_name), "%s_%ld", prefix, (long)getpid());
    char err[1024];
    if (rd_test_create_database(admin_url, db_name, db_url, sizeof(db_url), err, sizeof(err)) < 0) {
        fprintf(stderr, "%s", err);
        exit(1);
    }
    return db_url;
}

void dbt_drop_database(void)
{
    char err[1024];
    if (rd_test_drop_database(admin_url, db_name, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s", err);
        exit(1);
    }
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
