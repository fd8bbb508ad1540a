/* PostgreSQL connections: a fixed pool, statements prepared once per connection. */
#pragma once

#include <libpq-fe.h>
#include <stdbool.h>

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
} rd_db;

typedef struct rd_pool rd_pool;

/* A pool of `size` connections; connects lazily, so it succeeds while the database is down. */
int rd_pool_new(const char *conninfo, int size, rd_pool **ret);
void rd_pool_free(rd_pool *p);

/* Take a healthy connection, waiting for a free one. -ECONNREFUSED when the database cannot
 * be reached now (the caller answers 503). */
int rd_pool_acquire(rd_pool *p, rd_db **ret);
void rd_pool_release(rd_pool *p, rd_db *db);

/* Connections in the pool and how many are idle now. */
void rd_pool_stats(rd_pool *p, int *ret_size, int *ret_idle);

/* Connect one connection outside the pool (commands). NULL with a message on stderr. */
rd_db *rd_db_connect(const char *conninfo);
void rd_db_close(rd_db *db);

/* Run a prepared statement with text parameters (NULL = SQL NULL). On success *ret is a
 * result the caller PQclear()s. Errors: -ECONNRESET connection lost, -EAGAIN serialization
 * failure or deadlock (retry), -EEXIST unique violation, -EIO anything else (logged). */
int rd_db_exec(rd_db *db, const rd_stmt *stmt, const char *const *params, PGresult **ret);

/* Same, discarding the result. */
int rd_db_run(rd_db *db, const rd_stmt *stmt, const char *const *params);

/* Plain SQL without parameters (BEGIN, COMMIT, migrations). Same errors. */
int rd_db_simple(rd_db *db, const char *sql);
