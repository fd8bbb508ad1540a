/* Lifecycle: one event applied to a ticket in one transaction, with the close-out inspection,
 * the workflow check and the KPI aggregates. Shared by the HTTP handler and the demo city. */
#pragma once

#include "repeatd/codec.h"
#include "repeatd/errors.h"
#include "repeatd/pool.h"

typedef struct rd_event_call {
    const char *ticket_id;
    rd_event_req ev;
    const char *body_text; /* the event as sent, JSON */
    bool want_view;        /* read the ticket back after the event (the HTTP answer) */
    bool skip_kpis;        /* REPEATD_BENCH_NO_AGGREGATES: measuring the aggregates' cost */
    /* Outcome of the transaction, reset on every try. */
    rd_err err;       /* with -ECANCELED: 404, 409 */
    unsigned missing; /* rd_step bits when the close is refused */
    rd_defect defects[RD_DEFECTS_MAX];
    size_t n_defects; /* > 0: a rejected close-out, recorded as such (the transaction commits) */
    json_t *view;
} rd_event_call;

/* The transaction body (an rd_tx_fn over an rd_event_call). */
int rd_event_tx(rd_db *db, void *cls);
