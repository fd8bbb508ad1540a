/* The transaction runner (after Taler's TEH_DB_run_transaction): the one retry policy. */
#include "repeatd/tx.h"

#include <errno.h>

#define TX_MAX_TRIES 5

static int try_once(rd_db *db, const rd_tx *tx)
{
    /* Implicit: every flight is a transaction of its own, ended by its sync. */
    bool block = !(tx->implicit && tx->pipelined && tx->readonly);
    int r = tx->pipelined ? rd_db_pipeline_begin(db) : 0;
    if (r < 0)
        return r;
    if (block)
        r = rd_db_simple(db, tx->readonly ? "BEGIN READ ONLY" : "BEGIN");
    if (r == 0) {
        r = tx->body(db, tx->in, tx->out);
        if (r > 0)
            r = -EIO; /* a body must return 0 or a negative errno: never leave it open */
    }
    if (r == 0 && block)
        r = rd_db_simple(db, "COMMIT");
    if (tx->pipelined) {
        /* What the body sent and did not wait for is answered now; a write that failed
         * there speaks for the try, even when the body went on to refuse. */
        int e = rd_db_pipeline_end(db);
        if (e < 0 && (r == 0 || r == -ECANCELED))
            r = e;
    }
    if (r < 0 && !db->broken && block)
        (void)rd_db_simple(db, "ROLLBACK");
    return r;
}

static bool retryable(int r)
{
    return r == -EAGAIN || r == -EEXIST;
}

int rd_tx_run(rd_pool *pool, rd_db **db, const rd_tx *tx)
{
    bool reconnected = false, tried = false;
    int r = 0, tries = tx->max_tries > 0 ? tx->max_tries : TX_MAX_TRIES;
    for (int attempt = 0; attempt < tries; attempt++) {
        if (!*db) {
            if (!pool)
                return -ECONNREFUSED;
            r = rd_pool_acquire(pool, db);
            if (r < 0) {
                *db = NULL;
                return r;
            }
        } else if (pool && (r = rd_pool_connect(pool, *db)) < 0) {
            return r; /* a connection taken but not connected yet, or broken */
        }
        if (tried && tx->clear)
            tx->clear(tx->out);
        tried = true;
        r = try_once(*db, tx);
        if (r == -ECONNRESET && pool && !reconnected) {
            /* The connection died: a fresh one in its place (by the same deadline), one more
             * try (not counted as a retry). A timeout is not tried again: the deadline is
             * spent. */
            (*db)->broken = true;
            reconnected = true;
            attempt--;
            continue;
        }
        if (!retryable(r))
            break;
    }
    return r;
}
