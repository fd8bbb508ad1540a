/* A prior's state as of an instant. A ticket that reaches repeatd late (a CRM's queue flushed
 * after an outage) is decided against its priors as they stood at its received_at: each prior
 * is taken back to the state its intake gave it and its lifecycle events up to that instant are
 * folded in again, each as the live path's update applies it (store/events.c). */
#pragma once

#include "repeatd/decide.h"

/* What one recorded event did to its ticket's state. */
typedef struct rd_prior_fact {
    rd_event_type type;
    int64_t at;                        /* unix seconds */
    bool accepted;                     /* closeout: it passed inspection */
    bool reached;                      /* contact_attempt, followup: the citizen was reached */
    bool unresolved;                   /* closeout: it says the problem was not resolved */
    rd_outcome outcome;                /* closed */
    bool false_closeout;               /* audit: the close-out was found false */
    const char *unit, *team, *handler; /* dispatched; NULL is "" */
    bool has_deadline;                 /* dispatched */
    int64_t deadline;
} rd_prior_fact;

/* The state a work order has right after its intake: open, not dispatched, nothing recorded.
 * Its identity (id, time, place, chain, ordinal) is kept; calls is set to `calls`. */
void rd_prior_at_intake(rd_prior *p, int calls);

/* One event folded into the state. */
void rd_prior_fold(rd_prior *p, const rd_prior_fact *f);
