/* The caller screen pop: a citizen's open tickets and the chains of the last 24 months. */
#include "repeatd/caller_history.h"

#include "repeatd/result.h"
#include "repeatd/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Times at the offset of time_zone ($2) for each instant. */
static const rd_stmt q_open = {
    "history_open_tickets",
    "SELECT t.ticket_id, t.category, " RD_SQL_INSTANT(
        "t.received_at",
        "$2") " AS received_at,"
              " t.decision, t.repeat_ordinal, t.chain_id, t.unit, t.handler,"
              " " RD_SQL_INSTANT("t.deadline",
                                 "$2") " AS deadline"
                                       " FROM tickets t WHERE t.phone_hash = $1::bytea AND "
                                       "t.received_at >= now() - interval '24 months'"
                                       " AND t.status = 'open' AND t.creates_work_order ORDER BY "
                                       "t.received_at DESC",
    2};

/* Per chain: its counts, and its newest repeat (the highest ordinal; the latest of equals),
 * which is what core's green-channel rule reads. */
static const rd_stmt q_chains = {
    "history_chains",
    "SELECT chain_id, min(category) AS category,"
    " (count(*) FILTER (WHERE counts_as_repeat))::integer AS repeats,"
    " count(*)::integer AS calls,"
    " " RD_SQL_INSTANT(
        "min(received_at)",
        "$2") " AS first_received_at,"
              " " RD_SQL_INSTANT(
                  "max(received_at)",
                  "$2") " AS last_received_at,"
                        " bool_or(status = 'open' AND creates_work_order) AS open,"
                        " coalesce(max(repeat_ordinal) FILTER (WHERE counts_as_repeat), 0) AS "
                        "newest_repeat_ordinal,"
                        " coalesce((array_agg(status = 'open' ORDER BY repeat_ordinal DESC, "
                        "received_at DESC)"
                        "   FILTER (WHERE counts_as_repeat))[1], false) AS newest_repeat_open"
                        " FROM tickets WHERE phone_hash = $1::bytea AND received_at >= now() - "
                        "interval '24 months'"
                        " GROUP BY chain_id ORDER BY max(received_at) DESC, chain_id",
    2};

#define T rd_history_ticket
static const rd_col open_cols[] = {
    RD_COL_T("ticket_id", T, ticket_id),
    RD_COL_T("category", T, category),
    RD_COL("received_at", RD_COL_INSTANT, T, received_at),
    RD_COL_T("decision", T, decision),
    RD_COL("repeat_ordinal", RD_COL_INT, T, repeat_ordinal),
    RD_COL_T("chain_id", T, chain_id),
    RD_COL("unit", RD_COL_STRDUP, T, unit),
    RD_COL("handler", RD_COL_STRDUP, T, handler),
    RD_COL_OPT("deadline", RD_COL_INSTANT, T, deadline, has_deadline),
    {0},
};
#undef T

#define C rd_history_chain
static const rd_col chain_cols[] = {
    RD_COL_T("chain_id", C, chain_id),
    RD_COL_T("category", C, category),
    RD_COL("repeats", RD_COL_INT, C, repeats),
    RD_COL("calls", RD_COL_INT, C, calls),
    RD_COL("first_received_at", RD_COL_INSTANT, C, first_received_at),
    RD_COL("last_received_at", RD_COL_INSTANT, C, last_received_at),
    RD_COL("open", RD_COL_BOOL, C, open),
    RD_COL("newest_repeat_ordinal", RD_COL_INT, C, newest_repeat_ordinal),
    RD_COL("newest_repeat_open", RD_COL_BOOL, C, newest_repeat_open),
    {0},
};
#undef C

int store_caller_history(rd_db *db, const char *phone_hash_hex, const char *time_zone,
                         rd_caller_history *ret)
{
    char hash[72];
    snprintf(hash, sizeof(hash), "\\x%s", phone_hash_hex);
    const char *params[] = {hash, time_zone};
    rd_caller_history h = {0};
    int r = store_read_rows(db, &q_open, params, open_cols, sizeof(rd_history_ticket),
                            (void **)&h.open_tickets, &h.n_open_tickets);
    if (r == 0)
        r = store_read_rows(db, &q_chains, params, chain_cols, sizeof(rd_history_chain),
                            (void **)&h.chains, &h.n_chains);
    if (r < 0) {
        rd_caller_history_free(&h);
        return r;
    }
    *ret = h;
    return 0;
}

void rd_caller_history_free(rd_caller_history *h)
{
    if (!h)
        return;
    for (size_t i = 0; h->open_tickets && i < h->n_open_tickets; i++) {
        free(h->open_tickets[i].unit);
        free(h->open_tickets[i].handler);
    }
    free(h->open_tickets);
    free(h->chains);
    *h = (rd_caller_history){0};
}
