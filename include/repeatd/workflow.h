/* Workflow enforcement (固化流程): which steps a ticket still lacks before it may be closed. */
#pragma once

#include "repeatd/domain.h"
#include "repeatd/settings.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rd_workflow_state {
    bool dispatched;
    bool contact_reached;
    int contact_failures; /* failed contact attempts on record */
    bool closeout_accepted;
    bool followup_recorded;
} rd_workflow_state;

typedef enum rd_step {
    RD_STEP_DISPATCHED = 1u << 0,
    RD_STEP_CONTACT = 1u << 1, /* reached, or contact_failure_attempts failed attempts */
    RD_STEP_CLOSEOUT = 1u << 2,
    RD_STEP_FOLLOWUP = 1u << 3,
} rd_step;
#define RD_STEP_COUNT 4

/* The missing steps as rd_step bits; 0 means the ticket may be closed. */
unsigned rd_workflow_missing(const rd_workflow_state *w, const rd_settings *s);

/* Wire name of one step bit: "dispatched", "contact", "closeout", "followup". */
const char *rd_step_name(rd_step step);

/* The order of events (固化流程 in time): what a ticket's record says happened when. */
typedef struct rd_event_times {
    int64_t received_at;
    bool closeout_accepted; /* the accepted close-out in force, and when it was */
    int64_t closeout_accepted_at;
    bool followup_recorded;
    int64_t followup_at;
    bool closed;
    int64_t closed_at;
} rd_event_times;

/* The times of a new event. */
typedef struct rd_event_when {
    rd_event_type type;
    int64_t at;
    bool has_deadline; /* dispatched */
    int64_t deadline;
    bool has_contact_time; /* closeout */
    int64_t contact_time;
    int64_t now; /* a contact time after now is left to the close-out inspection */
} rd_event_when;

/* Why an event cannot be dated where it is, or NULL when it can. The rules, to the second:
 * every event is at or after the ticket's reception; a deadline after its dispatch; a close-out
 * at or after the contact it reports (unless that contact is in the future, a defect of the
 * inspection); a follow-up at or after the accepted close-out; a closing at or after the
 * accepted close-out and the follow-up; a reopening at or after the closing. A contact attempt
 * may precede the dispatch (the hotline may call first). On
 * failure *ret_field names the field at fault ("at", "deadline", "contact_time"). */
const char *rd_event_out_of_order(const rd_event_times *t, const rd_event_when *e,
                                  const char **ret_field);
