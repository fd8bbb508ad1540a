/* Workflow enforcement (固化流程): which steps a ticket still lacks before it may be closed. */
#pragma once

#include "repeatd/settings.h"
#include <stdbool.h>
#include <stddef.h>

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
