/* The transaction runner (after Taler's TEH_DB_run_transaction): bounded retries. */
#include "repeatd/tx.h"

#include <errno.h>

#define TX_MAX_TRIES 5

static int run(rd_db *db, const char *begin, rd_tx_fn fn, void *cls)
{
    int r = -EAGAIN;
    for (int attempt = 0; attempt < TX_MAX_TRIES && r == -EAGAIN; attempt++) {
        r = rd_db_simple(db, begin);
        if (r < 0)
            return r;
        r = fn(db, cls);
        if (r > 0)
            r = -EIO; /* a body must return 0 or a negative errno: never leave it open */
        if (r == 0)
            r = rd_db_simple(db, "COMMIT");
        if (r < 0 && !db->broken)
            (void)rd_db_simple(db, "ROLLBACK");
    }
    return r;
}

int rd_tx_run(rd_db *db, rd_tx_fn fn, void *cls)
{
    return run(db, "BEGIN", fn, cls);
}

int rd_tx_run_readonly(rd_db *db, rd_tx_fn fn, void *cls)
{
    return run(db, "BEGIN READ ONLY", fn, cls);
}
