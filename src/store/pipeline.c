/* Pipelining: the statements of a transaction sent in flights (libpq's pipeline mode), one
 * sync and one wait per flight instead of one per statement. */
#include "repeatd/pool.h"

#include "pool_private.h"

#include "repeatd/log.h"

#include <errno.h>

static const char *what_of(const rd_pipe_entry *e)
{
    return e->stmt ? e->stmt->name : "simple";
}

static bool has_unanswered(const rd_db *db)
{
    for (int i = 0; i < db->pipe_n; i++)
        if (db->pipe[i].used && !db->pipe[i].answered)
            return true;
    return false;
}

/* Entries at the end that hold nothing any more are given back (tickets are indices, so an
 * entry in the middle waits for the ones after it). */
static void trim(rd_db *db)
{
    while (db->pipe_n > 0 && !db->pipe[db->pipe_n - 1].used)
        db->pipe_n--;
}

void rd_db_pipeline_reset(rd_db *db)
{
    for (int i = 0; i < db->pipe_n; i++)
        PQclear(db->pipe[i].res);
    db->pipe_n = 0;
    db->pipe_depth = 0;
    db->pipe_error = 0;
}

/* A Parse the server skipped or refused: the statement is not prepared on this connection. */
static void forget_prepared(rd_db *db, const rd_stmt *stmt)
{
    for (int i = 0; i < db->n_prepared; i++) {
        if (db->prepared[i] == stmt) {
            db->prepared[i] = db->prepared[--db->n_prepared];
            return;
        }
    }
}

/* The connection failed or did not answer in time: nothing of the flight can be trusted. */
static int lost(rd_db *db, int r)
{
    db->broken = true;
    if (r == -ETIMEDOUT)
        rd_log(RD_LOG_WARN, "database did not answer in time: connection dropped");
    r = r == -ETIMEDOUT ? -ETIMEDOUT : -ECONNRESET;
    for (int i = 0; i < db->pipe_n; i++) {
        PQclear(db->pipe[i].res);
        db->pipe[i] = (rd_pipe_entry){0};
    }
    db->pipe_n = 0;
    if (!db->pipe_error)
        db->pipe_error = r;
    return db->pipe_error;
}

/* Wait until PQgetResult will not block, by the connection's deadline. */
static int wait_ready(rd_db *db)
{
    PGconn *c = db->conn;
    while (PQisBusy(c)) {
        int r = rd_db_wait_socket(c, db->deadline_ms, false);
        if (r < 0)
            return r;
        if (!PQconsumeInput(c))
            return -ECONNRESET;
    }
    return 0;
}

/* One answer, for the oldest unanswered entry. */
static void answer(rd_db *db, rd_pipe_entry *e, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    e->answered = true;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        if (e->keep)
            e->res = res;
        else
            PQclear(res);
    } else {
        if (e->prepare)
            forget_prepared(db, e->stmt);
        /* The first failure speaks for the flight; the server skipped what came after it
         * (PGRES_PIPELINE_ABORTED) until the sync. */
        if (st != PGRES_PIPELINE_ABORTED && !db->pipe_error)
            db->pipe_error = rd_db_result_error(db, res, what_of(e));
        PQclear(res);
    }
    if (!e->keep)
        e->used = false;
}

int rd_db_flush(rd_db *db)
{
    if (!db->pipe_depth || !has_unanswered(db))
        return db->pipe_error;
    PGconn *c = db->conn;
    if (!PQpipelineSync(c))
        return lost(db, -ECONNRESET);
    int r = 0, f;
    while (r == 0 && (f = PQflush(c)) != 0)
        r = f < 0 ? -ECONNRESET : rd_db_wait_socket(c, db->deadline_ms, true);
    int next = 0, nulls = 0;
    while (r == 0) {
        r = wait_ready(db);
        if (r < 0)
            break;
        PGresult *res = PQgetResult(c);
        if (!res) {
            /* One NULL ends each statement's answer; more in a row: the connection failed. */
            if (PQstatus(c) != CONNECTION_OK || ++nulls > 2)
                r = -ECONNRESET;
            continue;
        }
        nulls = 0;
        if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        while (next < db->pipe_n && (!db->pipe[next].used || db->pipe[next].answered))
            next++;
        if (next == db->pipe_n) { /* an answer to nothing we sent: the protocol is lost */
            PQclear(res);
            rd_log(RD_LOG_ERROR, "pipeline: an answer without a statement");
            r = -ECONNRESET;
            break;
        }
        answer(db, &db->pipe[next], res);
        if (db->broken)
            r = -ECONNRESET;
    }
    if (r < 0)
        return lost(db, r);
    trim(db);
    return db->pipe_error;
}

/* A free entry at the end; when all are taken, the flight ends first to free some. */
static int slot(rd_db *db, int *ret)
{
    if (db->pipe_n >= RD_PIPE_MAX) {
        int r = rd_db_flush(db);
        if (r < 0)
            return r;
        if (db->pipe_n >= RD_PIPE_MAX) {
            rd_log(RD_LOG_ERROR, "pipeline: more than %d answers held", RD_PIPE_MAX);
            return -EIO;
        }
    }
    *ret = db->pipe_n++;
    db->pipe[*ret] = (rd_pipe_entry){.used = true};
    return 0;
}

static int send_failed(rd_db *db, int k, const char *what)
{
    db->pipe[k].used = false;
    trim(db);
    int r = rd_db_result_error(db, NULL, what);
    if (!db->pipe_error)
        db->pipe_error = r;
    return db->pipe_error;
}

int rd_db_pipe_send(rd_db *db, const rd_stmt *stmt, const char *sql, const char *const *params,
                    int *ret_ticket)
{
    if (db->pipe_error)
        return db->pipe_error;
    PGconn *c = db->conn;
    int k, r;
    if (stmt && !rd_db_is_prepared(db, stmt) && db->n_prepared < RD_STMTS_PER_CONN) {
        if ((r = slot(db, &k)) < 0)
            return r;
        if (!PQsendPrepare(c, stmt->name, stmt->sql, stmt->n_params, NULL))
            return send_failed(db, k, stmt->name);
        db->pipe[k].stmt = stmt;
        db->pipe[k].prepare = true;
        db->prepared[db->n_prepared++] = stmt; /* forgotten again if the server skips it */
    }
    if ((r = slot(db, &k)) < 0)
        return r;
    int sent;
    if (!stmt)
        sent = PQsendQueryParams(c, sql, 0, NULL, NULL, NULL, NULL, 0);
    else if (rd_db_is_prepared(db, stmt))
        sent = PQsendQueryPrepared(c, stmt->name, stmt->n_params, params, NULL, NULL, 0);
    else /* the table of prepared statements is full: unnamed, parsed each time */
        sent = PQsendQueryParams(c, stmt->sql, stmt->n_params, NULL, params, NULL, NULL, 0);
    if (!sent)
        return send_failed(db, k, stmt ? stmt->name : "simple");
    db->pipe[k].stmt = stmt;
    db->pipe[k].keep = ret_ticket != NULL;
    if (ret_ticket)
        *ret_ticket = k;
    return 0;
}

int rd_db_send(rd_db *db, const rd_stmt *stmt, const char *const *params, int *ret_ticket)
{
    if (!db->pipe_depth)
        return ret_ticket ? -EINVAL : rd_db_run(db, stmt, params);
    return rd_db_pipe_send(db, stmt, NULL, params, ret_ticket);
}

int rd_db_take(rd_db *db, int ticket, PGresult **ret)
{
    if (!db->pipe_depth || ticket < 0 || ticket >= db->pipe_n || !db->pipe[ticket].used ||
        !db->pipe[ticket].keep)
        return db->pipe_error ? db->pipe_error : -EINVAL;
    rd_pipe_entry *e = &db->pipe[ticket];
    int r = e->answered ? db->pipe_error : rd_db_flush(db);
    if (r == 0 && !e->res)
        r = -EIO; /* answered without a result and without an error: cannot be */
    if (r == 0)
        *ret = e->res;
    else
        PQclear(e->res);
    *e = (rd_pipe_entry){0};
    trim(db);
    return r;
}

int rd_db_pipeline_begin(rd_db *db)
{
    if (db->pipe_depth > 0) {
        db->pipe_depth++;
        return 0;
    }
    if (!db->conn || PQenterPipelineMode(db->conn) != 1)
        return rd_db_result_error(db, NULL, "pipeline");
    db->pipe_depth = 1;
    db->pipe_error = 0;
    db->pipe_n = 0;
    return 0;
}

int rd_db_pipeline_end(rd_db *db)
{
    if (db->pipe_depth == 0)
        return 0;
    if (--db->pipe_depth > 0)
        return db->pipe_error;
    db->pipe_depth = 1; /* for the flush */
    int r = db->broken ? (db->pipe_error ? db->pipe_error : -ECONNRESET) : rd_db_flush(db);
    rd_db_pipeline_reset(db);
    if (!db->broken && PQexitPipelineMode(db->conn) != 1) {
        rd_log(RD_LOG_ERROR, "pipeline: cannot leave pipeline mode: connection dropped");
        db->broken = true;
        if (r == 0)
            r = -EIO;
    }
    return r;
}

bool rd_db_pipelined(const rd_db *db)
{
    return db->pipe_depth > 0;
}
