/* PostgreSQL connections: a fixed pool guarded by a mutex, lazy (re)connection. */
#include "repeatd/pool.h"

#include "pool_private.h"

#include "repeatd/log.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rd_pool {
    char *conninfo;
    int timeout_ms;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    int size;
    int n_free;
    rd_db **free_list; /* stack of idle connections */
};

int64_t rd_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Server notices ("relation already exists, skipping") are not errors: keep them out of the
 * structured log. */
static void drop_notice(void *arg, const char *message) {}

/* Wait until the connection's socket is readable (or writable) or its deadline passes. */
int rd_db_wait_socket(PGconn *conn, int64_t deadline_ms, bool for_write)
{
    for (;;) {
        int wait = -1;
        if (deadline_ms) {
            int64_t left = deadline_ms - rd_mono_ms();
            if (left <= 0)
                return -ETIMEDOUT;
            wait = left > INT_MAX ? INT_MAX : (int)left;
        }
        struct pollfd pfd = {.fd = PQsocket(conn), .events = for_write ? POLLOUT : POLLIN};
        if (pfd.fd < 0)
            return -ECONNRESET;
        int n = poll(&pfd, 1, wait);
        if (n > 0)
            return 0;
        if (n == 0)
            return -ETIMEDOUT;
        if (errno != EINTR)
            return -errno;
    }
}

static void log_connect_failure(PGconn *c, int r)
{
    char msg[256];
    if (r == -ETIMEDOUT)
        snprintf(msg, sizeof(msg), "no answer in time");
    else
        snprintf(msg, sizeof(msg), "%s", c ? PQerrorMessage(c) : "out of memory");
    msg[strcspn(msg, "\n")] = '\0';
    rd_log(RD_LOG_WARN, "database connection failed: %s", msg);
}

/* Connect by the deadline (0: libpq's own blocking connect). With a timeout, libpq's
 * connect_timeout, TCP keepalives and tcp_user_timeout are set too, so that a dead peer is
 * noticed by the kernel as well; the operator's connection string comes last and wins. */
static int open_conn(const char *conninfo, int timeout_ms, int64_t deadline_ms, PGconn **ret)
{
    static const char *const keys[] = {"application_name",
                                       "connect_timeout",
                                       "keepalives",
                                       "keepalives_idle",
                                       "keepalives_interval",
                                       "keepalives_count",
                                       "tcp_user_timeout",
                                       "dbname",
                                       NULL};
    char connect_s[16], idle_s[16], interval_s[16], user_ms[16];
    int t = timeout_ms > 0 ? timeout_ms : 3000;
    snprintf(connect_s, sizeof(connect_s), "%d", t < 2000 ? 2 : (t + 999) / 1000);
    snprintf(idle_s, sizeof(idle_s), "%d", t < 2000 ? 1 : t / 2000);
    snprintf(interval_s, sizeof(interval_s), "%d", t < 3000 ? 1 : t / 3000);
    snprintf(user_ms, sizeof(user_ms), "%d", t);
    const char *values[] = {"repeatd", connect_s, "1",      idle_s, interval_s,
                            "3",       user_ms,   conninfo, NULL};
    PGconn *c = PQconnectStartParams(keys, values, 1);
    int r = c && PQstatus(c) != CONNECTION_BAD ? 0 : -ECONNREFUSED;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (r == 0 && st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED) {
            r = -ECONNREFUSED;
            break;
        }
        r = rd_db_wait_socket(c, deadline_ms, st == PGRES_POLLING_WRITING);
        if (r == 0)
            st = PQconnectPoll(c);
    }
    if (r == 0 && timeout_ms > 0) {
        /* The server cancels a statement of ours that runs longer than we wait for it. */
        char set[64];
        snprintf(set, sizeof(set), "SET statement_timeout = %d", timeout_ms);
        PGresult *res = PQexec(c, set);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            r = -ECONNREFUSED;
        PQclear(res);
        if (r == 0 && PQsetnonblocking(c, 1) != 0)
            r = -ECONNREFUSED;
    }
    if (r < 0) {
        log_connect_failure(c, r);
        PQfinish(c);
        return r;
    }
    PQsetNoticeProcessor(c, drop_notice, NULL);
    *ret = c;
    return 0;
}

rd_db *rd_db_connect(const char *conninfo)
{
    rd_db *db = calloc(1, sizeof(*db));
    if (!db)
        return NULL;
    if (open_conn(conninfo, 0, 0, &db->conn) < 0) {
        free(db);
        return NULL;
    }
    return db;
}

void rd_db_close(rd_db *db)
{
    if (!db)
        return;
    rd_db_pipeline_reset(db);
    if (db->conn)
        PQfinish(db->conn);
    free(db);
}

int rd_pool_new(const char *conninfo, int size, int timeout_ms, rd_pool **ret)
{
    rd_pool *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->timeout_ms = timeout_ms;
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
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p->freed, &attr);
    pthread_condattr_destroy(&attr);
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

static int64_t deadline_after(int timeout_ms)
{
    return timeout_ms > 0 ? rd_mono_ms() + timeout_ms : 0;
}

int rd_pool_connect(rd_pool *p, rd_db *db)
{
    if (db->conn && (db->broken || PQstatus(db->conn) != CONNECTION_OK)) {
        rd_db_pipeline_reset(db);
        PQfinish(db->conn);
        db->conn = NULL;
    }
    if (db->conn)
        return 0;
    db->n_prepared = 0; /* prepared statements die with the old connection */
    db->broken = false;
    return open_conn(p->conninfo, p->timeout_ms, db->deadline_ms, &db->conn);
}

int rd_pool_try_take(rd_pool *p, int64_t deadline_ms, rd_db **ret)
{
    pthread_mutex_lock(&p->lock);
    rd_db *db = p->n_free > 0 ? p->free_list[--p->n_free] : NULL;
    pthread_mutex_unlock(&p->lock);
    if (!db)
        return -EAGAIN;
    db->deadline_ms = deadline_ms ? deadline_ms : deadline_after(p->timeout_ms);
    db->error_column[0] = '\0';
    *ret = db;
    return 0;
}

int rd_pool_acquire(rd_pool *p, rd_db **ret)
{
    int64_t deadline = deadline_after(p->timeout_ms);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until); /* the condition variable's clock, set below */
    until.tv_sec += p->timeout_ms / 1000;
    until.tv_nsec += (long)(p->timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&p->lock);
    int w = 0;
    while (p->n_free == 0 && w == 0)
        w = p->timeout_ms > 0 ? pthread_cond_timedwait(&p->freed, &p->lock, &until)
                              : pthread_cond_wait(&p->freed, &p->lock);
    rd_db *db = p->n_free > 0 ? p->free_list[--p->n_free] : NULL;
    pthread_mutex_unlock(&p->lock);
    if (!db)
        return -ETIMEDOUT;
    db->deadline_ms = deadline;
    db->error_column[0] = '\0';
    int r = rd_pool_connect(p, db);
    if (r < 0) {
        rd_pool_release(p, db);
        return r;
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
    if (db->pipe_depth) { /* a pipeline left open: its state is unknown, never reused */
        rd_log(RD_LOG_ERROR, "connection released in pipeline mode: dropped");
        rd_db_pipeline_reset(db);
        db->broken = true;
    }
    db->deadline_ms = 0;
    if (db->conn && db->broken) { /* close now: a stalled server is not waited on later */
        PQfinish(db->conn);
        db->conn = NULL;
    }
    pthread_mutex_lock(&p->lock);
    p->free_list[p->n_free++] = db;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

/* PostgreSQL's message with every quoted part masked: a data error quotes the value it
 * refused ("invalid input syntax for type integer: \"13800138000\""), which may be a phone
 * number or a citizen's words; the log keeps the shape of the message, never the input. */
static void mask_quoted(const char *in, char *out, size_t size)
{
    size_t o = 0;
    bool quoted = false;
    for (const char *c = in; *c && *c != '\n' && o + 4 < size; c++) {
        if (*c == '"') {
            if (!quoted) {
                memcpy(out + o, "\"...", 4);
                o += 4;
            }
            quoted = !quoted;
            if (quoted)
                continue;
        }
        if (!quoted)
            out[o++] = *c;
    }
    out[o] = '\0';
}

/* Map a failed result to our error codes; logs what is not the client's doing. */
int rd_db_result_error(rd_db *db, PGresult *res, const char *what)
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
    if (state && !strcmp(state, "57014")) /* statement_timeout: the database is too slow */
        return -ETIMEDOUT;
    char msg[300];
    mask_quoted(res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn), msg, sizeof(msg));
    /* A row for a month whose partition is not made yet: the caller makes it and tries again. */
    if (state && !strcmp(state, "23514") && strstr(msg, "no partition of relation")) {
        rd_log(RD_LOG_INFO, "sql %s: %s", what, msg);
        return -ENOENT;
    }
    if (state &&
        (!strncmp(state, "22", 2) || !strncmp(state, "23", 2) || !strncmp(state, "54", 2))) {
        const char *col = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
        snprintf(db->error_column, sizeof(db->error_column), "%s", col ? col : "");
        rd_log(RD_LOG_WARN, "sql %s refused a value (%s): %s", what, state, msg);
        return -EDOM;
    }
    rd_log(RD_LOG_ERROR, "sql %s failed (%s): %s", what, state ? state : "-", msg);
    return -EIO;
}

/* After a PQsend*: flush, then collect the results by the connection's deadline. The first
 * error result wins (as PQexec), else the last result. */
static int await_result(rd_db *db, PGresult **ret)
{
    PGconn *c = db->conn;
    int r = 0, f;
    while (r == 0 && (f = PQflush(c)) != 0)
        r = f < 0 ? -ECONNRESET : rd_db_wait_socket(c, db->deadline_ms, true);
    PGresult *keep = NULL, *res;
    for (;;) {
        while (r == 0 && PQisBusy(c)) {
            r = rd_db_wait_socket(c, db->deadline_ms, false);
            if (r == 0 && !PQconsumeInput(c))
                break; /* the connection failed: PQgetResult says how */
        }
        if (r < 0)
            break;
        if (!(res = PQgetResult(c)))
            break;
        ExecStatusType st = PQresultStatus(res);
        bool keep_error = keep && PQresultStatus(keep) != PGRES_TUPLES_OK &&
                          PQresultStatus(keep) != PGRES_COMMAND_OK;
        if (keep_error) {
            PQclear(res);
        } else {
            PQclear(keep);
            keep = res;
        }
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH ||
            PQstatus(c) == CONNECTION_BAD)
            break; /* a COPY goes on with its own calls */
    }
    if (r < 0) {
        /* No answer in time (or the socket failed): what the server does with the statement
         * is unknown, so the connection is dropped, never reused. */
        PQclear(keep);
        db->broken = true;
        if (r == -ETIMEDOUT)
            rd_log(RD_LOG_WARN, "database did not answer in time: connection dropped");
        return r == -ETIMEDOUT ? -ETIMEDOUT : -ECONNRESET;
    }
    *ret = keep;
    return 0;
}

bool rd_db_is_prepared(const rd_db *db, const rd_stmt *stmt)
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
    if (rd_db_is_prepared(db, stmt))
        return 0;
    if (db->n_prepared >= RD_STMTS_PER_CONN)
        return 1;
    PGresult *res = NULL;
    int r = PQsendPrepare(db->conn, stmt->name, stmt->sql, stmt->n_params, NULL)
                ? await_result(db, &res)
                : rd_db_result_error(db, NULL, stmt->name);
    if (r < 0)
        return r;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        r = rd_db_result_error(db, res, stmt->name);
    else
        db->prepared[db->n_prepared++] = stmt;
    PQclear(res);
    return r;
}

/* Every statement is sent and its answer awaited by the connection's deadline. */
static int finish(rd_db *db, int sent, const char *what, PGresult **ret)
{
    PGresult *res = NULL;
    int r = sent ? await_result(db, &res) : rd_db_result_error(db, NULL, what);
    if (r < 0)
        return r;
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        r = rd_db_result_error(db, res, what);
        PQclear(res);
        return r;
    }
    *ret = res;
    return 0;
}

int rd_db_exec(rd_db *db, const rd_stmt *stmt, const char *const *params, PGresult **ret)
{
    if (db->pipe_depth) {
        int ticket;
        int r = rd_db_pipe_send(db, stmt, NULL, params, &ticket);
        return r < 0 ? r : rd_db_take(db, ticket, ret);
    }
    int r = prepare(db, stmt);
    if (r < 0)
        return r;
    int sent =
        r == 0
            ? PQsendQueryPrepared(db->conn, stmt->name, stmt->n_params, params, NULL, NULL, 0)
            : PQsendQueryParams(db->conn, stmt->sql, stmt->n_params, NULL, params, NULL, NULL, 0);
    return finish(db, sent, stmt->name, ret);
}

int rd_db_run(rd_db *db, const rd_stmt *stmt, const char *const *params)
{
    if (db->pipe_depth)
        return rd_db_pipe_send(db, stmt, NULL, params, NULL);
    PGresult *res;
    int r = rd_db_exec(db, stmt, params, &res);
    if (r == 0)
        PQclear(res);
    return r;
}

int rd_db_simple(rd_db *db, const char *sql)
{
    if (db->pipe_depth)
        return rd_db_pipe_send(db, NULL, sql, NULL, NULL);
    PGresult *res;
    int r = finish(db, PQsendQuery(db->conn, sql), "simple", &res);
    if (r == 0)
        PQclear(res);
    return r;
}
