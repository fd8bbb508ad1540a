/* Lifecycle: one event applied to a ticket in one transaction, with the close-out inspection,
 * the workflow check and the KPI aggregates. Shared by the HTTP handler and the tools. */
#pragma once

#include "repeatd/codec.h"
#include "repeatd/refusal.h"
#include "repeatd/service.h"

/* A validated event: made by rd_event_prepare, read-only in the transaction. */
typedef struct rd_event_in {
    rd_service *service;
    const char *ticket_id; /* borrowed */
    rd_event_req ev;       /* borrows from the body */
    char *body_text;       /* the event as sent, compact JSON (owned) */
    char request_hex[65];  /* with an event_id: the canonical body's SHA-256, for replays */
    /* An imported event without an event_id: its content key (app/import.c imp_event_key),
     * which a second import finds it by; "" otherwise. Set after rd_event_prepare. */
    char import_key[41];
    bool want_view; /* read the ticket back after the event (the HTTP answer) */
} rd_event_in;

typedef struct rd_event_out {
    /* With -ECANCELED: 404, 409 (closed, open, no work order, workflow incomplete) or, after
     * the rejected close-out was recorded and committed (驳回), 422 closeout_rejected. */
    rd_refusal refusal;
    bool replayed;        /* the same event_id and body again: nothing was recorded */
    rd_ticket_view *view; /* with want_view: the ticket after the event */
} rd_event_out;

/* Check the ticket id and parse the body (borrowed: it must outlive in). 0, or -ECANCELED
 * with *ref; release with rd_event_in_clear. */
int rd_event_prepare(rd_service *svc, const char *ticket_id, json_t *body, bool want_view,
                     rd_event_in *ret, rd_refusal *ref);
void rd_event_in_clear(rd_event_in *in);

/* Apply a prepared event on *db (see rd_tx_run). out starts zeroed or cleared. */
int rd_event_run(rd_db **db, const rd_event_in *in, rd_event_out *out);

/* The transaction body of rd_event_run (an rd_tx_body over rd_event_in and rd_event_out), for
 * a tool that applies many events in a transaction of its own; clear out before each. A
 * rejected close-out returns 0 with out->refusal.code RD_ERR_CLOSEOUT_REJECTED (recorded). */
int rd_event_tx(rd_db *db, const void *in, void *out);

/* Both: the use case of POST /v1/tickets/{id}/events. */
int rd_event(rd_service *svc, rd_db **db, const char *ticket_id, json_t *body, bool want_view,
             rd_event_out *out);

void rd_event_out_clear(rd_event_out *out);
