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
