/* PostgreSQL connections: a fixed pool guarded by a mutex, lazy (re)connection. */
#include "repeatd/pool.h"

#include "repeatd/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct rd_pool {
    char *conninfo;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    int size;
    int n_free;
    rd_db **free_list; /* stack of idle connections */
};

/* Fail fast when the server is gone: a CRM call waits at most a few seconds for a 503. */
static const char *const connect_keys[] = {"connect_timeout", "application_name", "keepalives_idle",
                                           "dbname", NULL};

/* Server notices ("relation already exists, skipping") are not errors: keep them out of the
 * structured log. */
static void drop_notice(void *arg, const char *message) {}

static PGconn *open_conn(const char *conninfo)
{
    /* dbname comes last so that the operator's connection string overrides our defaults. */
    const char *values[] = {"3", "repeatd", "30", conninfo, NULL};
    PGconn *c = PQconnectdbParams(connect_keys, values, 1);
    if (c && PQstatus(c) == CONNECTION_OK) {
        PQsetNoticeProcessor(c, drop_notice, NULL);
        return c;
    }
    if (c) {
        char msg[256];
        snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
        msg[strcspn(msg, "\n")] = '\0';
        rd_log(RD_LOG_WARN, "database connection failed: %s", msg);
        PQfinish(c);
    }
    return NULL;
}

rd_db *rd_db_connect(const char *conninfo)
{
    rd_db *db = calloc(1, sizeof(*db));
    if (!db)
        return NULL;
    db->conn = open_conn(conninfo);
    if (!db->conn) {
        free(db);
        return NULL;
    }
    return db;
}

void rd_db_close(rd_db *db)
{
    if (!db)
        return;
    if (db->conn)
        PQfinish(db->conn);
    free(db);
}

int rd_pool_new(const char *conninfo, int size, rd_pool **ret)
{
    rd_pool *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->conninfo = strdup(conninfo);
    p->free_list = calloc((size_t)size, sizeof(rd_db *));
    if (!p->conninfo || !p->free_list) {
        rd_pool_free(p);
        return -ENOMEM;
    }
    for (int i = 0; i < size; i++) {
        p->free_list[i] = calloc(1, sizeof(rd_db));
        if (!p->free_list[i]) {
            p->size = i;
            p->n_free = i;
            rd_pool_free(p);
            return -ENOMEM;
        }
    }
    p->size = p->n_free = size;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    *ret = p;
    return 0;
}

void rd_pool_free(rd_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_free; i++) {
        if (p->free_list[i]->conn)
            PQfinish(p->free_list[i]->conn);
        free(p->free_list[i]);
    }
    if (p->free_list && p->size) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->freed);
    }
    free(p->free_list);
    free(p->conninfo);
    free(p);
}

int rd_pool_acquire(rd_pool *p, rd_db **ret)
{
    pthread_mutex_lock(&p->lock);
    while (p->n_free == 0)
        pthread_cond_wait(&p->freed, &p->lock);
    rd_db *db = p->free_list[--p->n_free];
    pthread_mutex_unlock(&p->lock);

    if (db->conn && (db->broken || PQstatus(db->conn) != CONNECTION_OK)) {
        PQfinish(db->conn);
        db->conn = NULL;
    }
    if (!db->conn) {
        db->conn = open_conn(p->conninfo);
        db->n_prepared = 0; /* prepared statements die with the old connection */
        db->broken = false;
        if (!db->conn) {
            rd_pool_release(p, db);
            return -ECONNREFUSED;
        }
    }
    *ret = db;
    return 0;
}

void rd_pool_stats(rd_pool *p, int *ret_size, int *ret_idle)
{
    pthread_mutex_lock(&p->lock);
    *ret_size = p->size;
    *ret_idle = p->n_free;
    pthread_mutex_unlock(&p->lock);
}

void rd_pool_release(rd_pool *p, rd_db *db)
{
    pthread_mutex_lock(&p->lock);
    p->free_list[p->n_free++] = db;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

/* Map a failed result to our error codes; logs what is not the client's doing. */
static int result_error(rd_db *db, PGresult *res, const char *what)
{
    if (PQstatus(db->conn) != CONNECTION_OK) {
        db->broken = true;
        return -ECONNRESET;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01")))
        return -EAGAIN;
    if (state && !strcmp(state, "23505"))
        return -EEXIST;
    /* Class 08 (connection), 57P01 (admin shutdown) and friends: the server went away. */
    if (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3))) {
        db->broken = true;
        return -ECONNRESET;
    }
    char msg[300];
    snprintf(msg, sizeof(msg), "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
    msg[strcspn(msg, "\n")] = '\0';
    rd_log(RD_LOG_ERROR, "sql %s failed (%s): %s", what, state ? state : "-", msg);
    return -EIO;
}

static bool is_prepared(const rd_db *db, const rd_stmt *stmt)
{
    for (int i = 0; i < db->n_prepared; i++)
        if (db->prepared[i] == stmt)
            return true;
    return false;
}

/* Prepared once per connection; 1 when the table of prepared statements is full (the
 * statement then runs unnamed, parsed each time, rather than re-preparing a name). */
static int prepare(rd_db *db, const rd_stmt *stmt)
{
    if (is_prepared(db, stmt))
        return 0;
    if (db->n_prepared >= RD_STMTS_PER_CONN)
        return 1;
    PGresult *res = PQprepare(db->conn, stmt->name, stmt->sql, stmt->n_params, NULL);
    int r = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        r = result_error(db, res, stmt->name);
    else
        db->prepared[db->n_prepared++] = stmt;
    PQclear(res);
    return r;
}

int rd_db_exec(rd_db *db, const rd_stmt *stmt, const char *const *params, PGresult **ret)
{
    int r = prepare(db, stmt);
    if (r < 0)
        return r;
    PGresult *res =
        r == 0 ? PQexecPrepared(db->conn, stmt->name, stmt->n_params, params, NULL, NULL, 0)
               : PQexecParams(db->conn, stmt->sql, stmt->n_params, NULL, params, NULL, NULL, 0);
    r = 0;
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        r = result_error(db, res, stmt->name);
        PQclear(res);
        return r;
    }
    *ret = res;
    return 0;
}

int rd_db_run(rd_db *db, const rd_stmt *stmt, const char *const *params)
{
    PGresult *res;
    int r = rd_db_exec(db, stmt, params, &res);
    if (r == 0)
        PQclear(res);
    return r;
}

int rd_db_simple(rd_db *db, const char *sql)
{
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int r = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        r = result_error(db, res, "simple");
    PQclear(res);
    return r;
}
