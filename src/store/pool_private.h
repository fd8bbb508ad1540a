/* What pool.c shares with pipeline.c: the waits, the error mapping and the table of prepared
 * statements of one connection. Not for other files. */
#pragma once

#include "repeatd/pool.h"

/* Wait until the socket is readable (or writable) or the deadline (0: none) passes. */
int rd_db_wait_socket(PGconn *conn, int64_t deadline_ms, bool for_write);

/* Map a failed result (NULL: the connection's own error) to our error codes; logs what is not
 * the client's doing. */
int rd_db_result_error(rd_db *db, PGresult *res, const char *what);

bool rd_db_is_prepared(const rd_db *db, const rd_stmt *stmt);

/* Free what a pipeline left on db (after a connection was lost mid-flight). */
void rd_db_pipeline_reset(rd_db *db);

/* The pipelined forms of rd_db_exec, rd_db_run (ret_ticket NULL) and rd_db_simple (stmt NULL,
 * sql set), used by them while db is in pipeline mode. */
int rd_db_pipe_send(rd_db *db, const rd_stmt *stmt, const char *sql, const char *const *params,
                    int *ret_ticket);
