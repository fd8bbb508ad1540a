/* PostgreSQL connections: a fixed pool, statements prepared once per connection. */
#pragma once

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

/* A statement: its SQL beside the name it is prepared under. Define one per query, static
 * and const, next to the function that runs it. */
typedef struct rd_stmt {
    const char *name;
    const char *sql;
    int n_params;
} rd_stmt;

#define RD_STMTS_PER_CONN 256

/* Statements of a pipeline not yet answered, or answered and kept for the caller. */
#define RD_PIPE_MAX 64

/* One statement sent in pipeline mode (rd_db_send), in the order sent. */
typedef struct rd_pipe_entry {
    const rd_stmt *stmt; /* for the log, and to forget a prepare the server never ran */
    PGresult *res;       /* kept: its answer, once collected */
    bool used;
    bool answered;
    bool keep;    /* the caller holds a ticket for its answer */
    bool prepare; /* the Parse sent ahead of its first run on this connection */
} rd_pipe_entry;

typedef struct rd_db {
    PGconn *conn;
    const rd_stmt *prepared[RD_STMTS_PER_CONN]; /* prepared on this connection */
    int n_prepared;
    bool broken; /* reconnect before the next use */
    /* CLOCK_MONOTONIC milliseconds (rd_mono_ms) after which every wait on this connection
     * (connecting, each statement's reply) gives up with -ETIMEDOUT; 0: wait for ever (the
     * commands' own connections). The pool sets it when a connection is taken. */
    int64_t deadline_ms;
    char error_column[64]; /* the column PostgreSQL named in the last -EDOM, or "" */
    /* Pipeline mode (rd_db_pipeline_begin): nesting depth, the first error seen (every later
     * call of the pipeline returns it), and the entries sent since the pipeline began. */
    int pipe_depth;
    int pipe_error;
    int pipe_n;
    rd_pipe_entry pipe[RD_PIPE_MAX];
} rd_db;

typedef struct rd_pool rd_pool;

/* CLOCK_MONOTONIC in milliseconds: the clock of every deadline. */
int64_t rd_mono_ms(void);

/* A pool of `size` connections; connects lazily, so it succeeds while the database is down.
 * `timeout_ms` (> 0) bounds every database wait of a connection taken from it: the wait for a
 * free connection, connecting (libpq's connect_timeout, keepalives, tcp_user_timeout and our
 * own poll), and every statement (statement_timeout on the server, and our poll on the
 * socket, which also holds when the server is stopped and answers nothing). */
int rd_pool_new(const char *conninfo, int size, int timeout_ms, rd_pool **ret);
void rd_pool_free(rd_pool *p);

/* Take a healthy connection, waiting for a free one. Everything the caller then does on it
 * must end by now + the pool's timeout. -ECONNREFUSED when the database cannot be reached
 * now, -ETIMEDOUT when it did not answer in time (the caller answers 503 for both). */
int rd_pool_acquire(rd_pool *p, rd_db **ret);
void rd_pool_release(rd_pool *p, rd_db *db);

/* Take a free connection without waiting (-EAGAIN when none is free) and without connecting
 * it: rd_pool_connect does that, by the deadline set here (deadline_ms, or now + the pool's
 * timeout when 0). */
int rd_pool_try_take(rd_pool *p, int64_t deadline_ms, rd_db **ret);

/* Make sure db holds a live connection, reconnecting a broken or missing one, by its
 * deadline. 0, -ECONNREFUSED or -ETIMEDOUT. */
int rd_pool_connect(rd_pool *p, rd_db *db);

/* Connections in the pool and how many are idle now. */
void rd_pool_stats(rd_pool *p, int *ret_size, int *ret_idle);

/* Connect one connection outside the pool (commands). NULL with a message on stderr. */
rd_db *rd_db_connect(const char *conninfo);
void rd_db_close(rd_db *db);

/* Run a prepared statement with text parameters (NULL = SQL NULL). On success *ret is a
 * result the caller PQclear()s. Errors: -ECONNRESET connection lost, -ETIMEDOUT no answer by
 * the deadline (the connection is then broken), -EAGAIN serialization failure or deadlock
 * (retry), -EEXIST unique violation, -EDOM the database refused a value it was given (SQLSTATE
 * class 22 data exception, class 23 other than a unique violation, class 54 program limit:
 * the caller's input, never a fault of the service; db->error_column names the column when
 * PostgreSQL does), -EIO anything else (logged). */
int rd_db_exec(rd_db *db, const rd_stmt *stmt, const char *const *params, PGresult **ret);

/* Same, discarding the result. */
int rd_db_run(rd_db *db, const rd_stmt *stmt, const char *const *params);

/* Plain SQL without parameters (BEGIN, COMMIT, migrations). Same errors. */
int rd_db_simple(rd_db *db, const char *sql);

/* Pipelining: several statements in one round trip (libpq's pipeline mode), for a transaction
 * whose statements do not each need the answer of the one before.
 *
 * Between rd_db_pipeline_begin and rd_db_pipeline_end:
 *  - rd_db_run and rd_db_simple send their statement and return at once: their errors come
 *    back from a later call (the first error of the pipeline is returned by every call after
 *    it, and nothing more is sent once it is known);
 *  - rd_db_send sends a statement whose answer the caller takes later with rd_db_take;
 *  - rd_db_exec, rd_db_take of an unanswered ticket and rd_db_flush end the flight: a sync,
 *    then every answer collected in order, by the connection's deadline (a statement that
 *    failed: the server skips the rest of the flight, and the transaction is left aborted, for
 *    the caller's ROLLBACK).
 * Calls nest: only the outermost end collects and leaves pipeline mode, so a transaction
 * body that pipelines itself rides in its runner's pipeline (which sends COMMIT with the
 * body's last writes) and still works alone (a command's own transaction). Errors are those of
 * rd_db_exec. */
int rd_db_pipeline_begin(rd_db *db);

/* Collect what is still unanswered (when outermost) and leave pipeline mode: 0, or the first
 * error of the pipeline. Results not taken are freed. */
int rd_db_pipeline_end(rd_db *db);

/* True while db is in pipeline mode. */
bool rd_db_pipelined(const rd_db *db);

/* In pipeline mode: send a prepared statement and, unless ret_ticket is NULL, keep its answer
 * for rd_db_take(*ret_ticket). Out of pipeline mode: rd_db_run (ret_ticket must be NULL). */
int rd_db_send(rd_db *db, const rd_stmt *stmt, const char *const *params, int *ret_ticket);

/* The answer of a ticket of rd_db_send (ending the flight when it has not come yet); the
 * caller PQclear()s it. A ticket is taken once. */
int rd_db_take(rd_db *db, int ticket, PGresult **ret);

/* End the flight: every statement sent so far answered; 0 or the pipeline's first error. */
int rd_db_flush(rd_db *db);
