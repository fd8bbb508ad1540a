/* The throwaway cluster of tests/run.sh: its URL, and a fresh database per test program. */
#include "rd_test.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rd_test_cluster_url(void)
{
    const char *url = getenv("REPEATD_TEST_DATABASE_URL");
    return url && *url ? url : NULL;
}

void rd_test_url_with_db(const char *url, const char *name, char *out, size_t size)
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

static void no_notices(void *cls, const char *message)
{
    (void)cls;
    (void)message;
}

int rd_test_admin_exec(const char *admin_url, const char *sql, char *err, size_t err_size)
{
    PGconn *c = PQconnectdb(admin_url);
    int r = 0;
    PQsetNoticeProcessor(c, no_notices, NULL);
    if (PQstatus(c) != CONNECTION_OK) {
        snprintf(err, err_size, "cannot connect to %.200s: %.500s", admin_url, PQerrorMessage(c));
        r = -1;
    } else {
        PGresult *res = PQexec(c, sql);
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            snprintf(err, err_size, "%.200s: %.500s", sql, PQerrorMessage(c));
            r = -1;
        }
        PQclear(res);
    }
    PQfinish(c);
    return r;
}

int rd_test_drop_database(const char *admin_url, const char *name, char *err, size_t err_size)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    return rd_test_admin_exec(admin_url, sql, err, err_size);
}

int rd_test_create_database(const char *admin_url, const char *name, char *ret_url, size_t url_size,
                            char *err, size_t err_size)
{
    char sql[160];
    if (rd_test_drop_database(admin_url, name, err, err_size) < 0)
        return -1;
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    if (rd_test_admin_exec(admin_url, sql, err, err_size) < 0)
        return -1;
    rd_test_url_with_db(admin_url, name, ret_url, url_size);
    return 0;
}
