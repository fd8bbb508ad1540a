/* The transaction runner: begin, run a callback, commit; retry serialization failures. */
#pragma once

#include "repeatd/pool.h"

/* The body of a transaction. Return 0 to commit, a negative errno to roll back. Use
 * -ECANCELED for a domain refusal the caller has recorded in its own state. The body may run
 * more than once (retries), so it must reset whatever state it fills. */
typedef int (*rd_tx_fn)(rd_db *db, void *cls);

/* Run fn in one transaction on db (READ COMMITTED), retrying -EAGAIN (40001, 40P01) up to
 * 5 times. Returns fn's error, -ECONNRESET when the database went away, or -EIO. */
int rd_tx_run(rd_db *db, rd_tx_fn fn, void *cls);

/* The same in a READ ONLY transaction. */
int rd_tx_run_readonly(rd_db *db, rd_tx_fn fn, void *cls);
