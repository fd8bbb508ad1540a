/* Monthly partitions of ticket_facts and ticket_events (migrations/0011): made ahead, and on
 * demand for the month of a ticket that has none yet. Creating one locks its parent briefly, so
 * it runs in a transaction of its own, never inside intake's. */
#include "repeatd/store.h"

#include <stdio.h>

static const rd_stmt q_ahead = {"partitions_ahead", "SELECT rd_ensure_months($1::integer)", 1};
static const rd_stmt q_month = {"partition_month", "SELECT rd_ensure_month($1::timestamptz)", 1};
static const rd_stmt q_range = {"partitions_range",
                                "SELECT rd_ensure_month(m AT TIME ZONE 'UTC') FROM generate_series("
                                " date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC'),"
                                " $2::timestamptz AT TIME ZONE 'UTC', interval '1 month') AS m",
                                2};

int store_partitions_ahead(rd_db *db, int months)
{
    char m[16];
    snprintf(m, sizeof(m), "%d", months);
    const char *params[] = {m};
    return rd_db_run(db, &q_ahead, params);
}

int store_partition_for(rd_db *db, const char *at)
{
    const char *params[] = {at};
    return rd_db_run(db, &q_month, params);
}

int store_partitions_range(rd_db *db, const char *from, const char *to)
{
    const char *params[] = {from, to};
    return rd_db_run(db, &q_range, params);
}
