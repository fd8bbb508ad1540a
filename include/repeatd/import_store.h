/* What an import's in-memory fold asks the database (store/import_store.c): the category and
 * time facts of a batch of tickets, which citizens and ticket ids are stored already, and the
 * COPY of the rows it made. */
#pragma once

#include "repeatd/pool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What intake's category look-up and candidate query read for one ticket, as the database
 * computes them (store/categories.c, store/tickets.c): the category, the UTC offset of
 * time_zone at received_at, and the first instant inside lookback_months before it. */
typedef struct store_import_fact {
    bool found, leaf, policy;
    int utc_offset;
    int64_t lookback_start; /* unix seconds */
} store_import_fact;

/* One round trip for n tickets: category codes[i] received at times[i] (RFC 3339). */
int store_import_facts(rd_db *db, size_t n, const char *const *codes, const char *const *times,
                       const char *time_zone, int lookback_months, store_import_fact *ret);

/* Which of the problems (rd_problem_key of citizen and category, as decimal text) have a
 * stored work order, and which of the ticket ids are stored: ret_problem[i], ret_id[j] set true
 * for those. Two index look-ups on ticket_state, whatever the number of partitions. */
int store_import_stored(rd_db *db, size_t n_problems, const char *const *problem_keys,
                        bool *ret_problem, size_t n_ids, const char *const *ids, bool *ret_id);

/* COPY `len` bytes of COPY text-format rows (each line ends in \n) by `copy_sql`
 * ("COPY table (columns) FROM STDIN"), in the open transaction. */
int store_copy_in(rd_db *db, const char *copy_sql, const char *data, size_t len);
