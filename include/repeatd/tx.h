/* The transaction runner: begin, run a body, commit; the one retry policy of the service. */
#pragma once

#include "repeatd/pool.h"

/* The body of a transaction (after Taler's TEH_DB_run_transaction, whose rule is kept: the
 * input is read-only). It reads `in` and writes its results into `out` only. Return 0 to
 * commit, a negative errno to roll back; -ECANCELED for a refusal the body described in `out`.
 * A body may run more than once: before every retry the runner calls the transaction's
 * `clear` on `out`, so a body never has to undo a try of its own. */
typedef int (*rd_tx_body)(rd_db *db, const void *in, void *out);

typedef struct rd_tx {
    rd_tx_body body;
    const void *in;
    void *out;
    void (*clear)(void *out); /* frees and zeroes what a try left in out; NULL: nothing to */
    bool readonly;
    /* Tries in all on deadlocks and the like; 0 for the default (5). A body that locks many
     * rows at once (the demo's whole citizen in one transaction) may need more. */
    int max_tries;
    /* Run in pipeline mode (rd_db_pipeline_begin): BEGIN goes with the body's first flight and
     * COMMIT with its last, and the body's writes (rd_db_run) are checked at its next read or
     * at COMMIT. For a body that never acts on a write's error before its end. */
    bool pipelined;
    /* With pipelined and readonly: no BEGIN and no COMMIT, each flight (the statements up to a
     * sync) is one implicit transaction of the server's. Under READ COMMITTED, where each
     * statement of a transaction block takes a snapshot of its own as well, the reads see what
     * they would in a block; the body must write nothing. A classification rides in one flight
     * this way instead of two. */
    bool implicit;
} rd_tx;

/* Run tx on *db, acquiring one from `pool` when *db is NULL (the caller releases *db when it is
 * done with it; it may be another connection than the one passed in). The policy, here alone:
 *  - a serialization failure or deadlock (SQLSTATE 40001, 40P01), or a unique violation (a
 *    concurrent insert of the same key: the next try sees the row), is tried again, up to
 *    5 tries in all (tx->max_tries when set);
 *  - a connection that died (the database restarted) is replaced by a fresh one, once, and
 *    the transaction tried on it;
 *  - nothing waits past the connection's deadline (rd_db.deadline_ms, set by the pool): then
 *    -ETIMEDOUT, not tried again.
 * Returns the body's result, -ECONNREFUSED when no connection can be had, -ECONNRESET when the
 * database went away, -ETIMEDOUT when it did not answer in time, -EDOM when it refused a value
 * of the input, or -EIO. `pool` may be NULL for a single-connection command: then a lost
 * connection is not replaced. */
int rd_tx_run(rd_pool *pool, rd_db **db, const rd_tx *tx);
