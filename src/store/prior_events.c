/* A prior's history up to an instant: its events and the excluded calls about it, for the
 * decision of a ticket that arrives late (app/intake.c takes the prior back to that instant).
 * Both read only the partitions of the months they can be in: the prior's received_at (unix
 * seconds, the second it falls in) is a parameter, so PostgreSQL prunes when it starts.
 * An event's body is stored without its type and time (columns of their own): they are put
 * back, so that it parses as the request it was. */
#include "repeatd/store.h"

#include "repeatd/result.h"

#include <stdio.h>
#include <stdlib.h>

static const rd_stmt q_events_until = {
    "prior_events_until",
    "SELECT e.type, floor(extract(epoch FROM e.at))::bigint AS at, e.accepted,"
    " e.body || jsonb_build_object('type', e.type, 'at',"
    "  to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) AS body"
    " FROM ticket_events e WHERE e.ticket_id = $1 AND e.at <= $2::timestamptz"
    "  AND e.received_at >= to_timestamp($3::bigint)"
    "  AND e.received_at < to_timestamp($3::bigint + 1) ORDER BY e.id",
    3};
static const rd_stmt q_calls_until = {
    "prior_calls_until",
    "SELECT count(*)::integer AS calls FROM ticket_facts WHERE related_ticket_id = $1"
    " AND NOT creates_work_order AND received_at <= $2::timestamptz"
    " AND received_at >= to_timestamp($3::bigint)",
    3};

static const rd_col event_cols[] = {
    RD_COL_T("type", store_prior_event, type),
    RD_COL("at", RD_COL_INT64, store_prior_event, at),
    RD_COL("accepted", RD_COL_BOOL, store_prior_event, accepted),
    RD_COL("body", RD_COL_JSON, store_prior_event, body),
    {0},
};

int store_prior_events(rd_db *db, const char *ticket_id, int64_t received_at, const char *until,
                       store_prior_event **ret, size_t *ret_n)
{
    char at[24];
    snprintf(at, sizeof(at), "%lld", (long long)received_at);
    const char *params[] = {ticket_id, until, at};
    return store_read_rows(db, &q_events_until, params, event_cols, sizeof(store_prior_event),
                           (void **)ret, ret_n);
}

void store_prior_events_free(store_prior_event *e, size_t n)
{
    for (size_t i = 0; e && i < n; i++)
        rd_row_free(event_cols, &e[i]);
    free(e);
}

typedef struct calls_row {
    int calls;
} calls_row;

static const rd_col calls_cols[] = {
    RD_COL("calls", RD_COL_INT, calls_row, calls),
    {0},
};

int store_prior_calls(rd_db *db, const char *ticket_id, int64_t received_at, const char *until,
                      int *ret)
{
    char at[24];
    snprintf(at, sizeof(at), "%lld", (long long)received_at);
    const char *params[] = {ticket_id, until, at};
    calls_row c = {0};
    int r = store_read_row(db, &q_calls_until, params, calls_cols, &c);
    if (r < 0)
        return r;
    *ret = c.calls;
    return 0;
}
