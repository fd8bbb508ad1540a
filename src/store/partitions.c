/* Monthly partitions of ticket_facts and ticket_events (migrations/0011): made ahead, and on
 * demand for the month of a ticket that has none yet; dropped by retention (migrations/0012).
 * Creating or dropping one locks its parent briefly, so it runs in a transaction of its own,
 * never inside intake's. */
#include "repeatd/store.h"

#include "repeatd/result.h"

#include <errno.h>
#include <stdio.h>

static const rd_stmt q_ahead = {"partitions_ahead", "SELECT rd_ensure_months($1::integer) AS made",
                                1};
static const rd_stmt q_month = {"partition_month", "SELECT rd_ensure_month($1::timestamptz)", 1};
static const rd_stmt q_range = {"partitions_range",
                                "SELECT rd_ensure_month(m AT TIME ZONE 'UTC') FROM generate_series("
                                " date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC'),"
                                " $2::timestamptz AT TIME ZONE 'UTC', interval '1 month') AS m",
                                2};
static const rd_stmt q_drop = {"partitions_drop",
                               "SELECT month, tickets, open_tickets, dropped"
                               " FROM rd_drop_months($1::integer, to_date($2, 'YYYY-MM'),"
                               " $3::integer)",
                               3};

typedef struct made_row {
    int made;
} made_row;

int store_partitions_ahead(rd_db *db, int months)
{
    static const rd_col cols[] = {
        RD_COL("made", RD_COL_INT, made_row, made),
        {0},
    };
    char m[16];
    snprintf(m, sizeof(m), "%d", months);
    const char *params[] = {m};
    made_row row = {0};
    int r = store_read_row(db, &q_ahead, params, cols, &row);
    if (r < 0)
        return r;
    return r == 0 ? -EIO : row.made;
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

int store_drop_months(rd_db *db, int keep, const char *after, int max_drop, store_month_drop **ret,
                      size_t *ret_n)
{
    static const rd_col cols[] = {
        RD_COL_T("month", store_month_drop, month),
        RD_COL("tickets", RD_COL_INT64, store_month_drop, tickets),
        RD_COL("open_tickets", RD_COL_INT64, store_month_drop, open_tickets),
        RD_COL("dropped", RD_COL_BOOL, store_month_drop, dropped),
        {0},
    };
    if (keep < 1 || max_drop < 1)
        return -EINVAL;
    char k[16], m[16];
    snprintf(k, sizeof(k), "%d", keep);
    snprintf(m, sizeof(m), "%d", max_drop);
    const char *params[] = {k, after, m};
    return store_read_rows(db, &q_drop, params, cols, sizeof(**ret), (void **)ret, ret_n);
}
