/* One ticket as the CRM reads it back: the request, the decision, the state, the events and
 * the later calls about it. Filled by the store (store/ticket_view.c), written as JSON by the
 * codec (codec/ticket_view_json.c). Times are instants at the configured time_zone's offset. */
#pragma once

#include "repeatd/domain.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rd_view_event {
    char type[32];
    rd_instant at;
    bool accepted;
    json_t *defects; /* NULL when none were recorded */
    rd_instant recorded_at;
    json_t *body; /* the event as sent */
} rd_view_event;

typedef struct rd_view_later_call {
    char ticket_id[RD_ID_MAX];
    rd_instant received_at;
    char decision[32];
} rd_view_later_call;

typedef struct rd_ticket_view {
    char ticket_id[RD_ID_MAX];
    rd_instant received_at;
    char *channel; /* NULL when not sent, like every char * here */
    char category[RD_ID_MAX];
    char *phone_masked;
    char *address;
    bool has_lat, has_lon;
    double lat, lon;
    char *description;
    char *claim;
    bool new_evidence;
    json_t *decision; /* the answer as given, without its script */
    char status[8];
    char *unit, *team, *handler;
    bool has_dispatched_at, has_deadline, has_closed_at;
    rd_instant dispatched_at, deadline, closed_at;
    char *outcome;
    /* state */
    bool contact_reached;
    int contact_failures;
    bool has_first_contact_failed, first_contact_failed; /* unknown until the first attempt */
    bool closeout_accepted;
    int closeout_rejections;
    bool followup_recorded, followup_reached, false_closeout;
    int calls;

    rd_view_event *events; /* in the order recorded */
    size_t n_events;
    rd_view_later_call *later_calls; /* by received_at */
    size_t n_later_calls;
} rd_ticket_view;

/* Frees what the view holds and the view itself; NULL is fine. */
void rd_ticket_view_free(rd_ticket_view *v);
