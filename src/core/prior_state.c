/* A prior's state rebuilt from its events: the same updates as store/events.c's statements,
 * one case an event type (a test folds every demo ticket's events and compares the rows). */
#include "repeatd/prior_state.h"

#include <stdio.h>

void rd_prior_at_intake(rd_prior *p, int calls)
{
    p->open = true;
    p->outcome = RD_OUTCOME_NONE;
    p->closed_at = 0;
    p->unit[0] = p->team[0] = p->handler[0] = '\0';
    p->has_deadline = false;
    p->deadline = 0;
    p->calls = calls;
    p->contact_reached = false;
    p->followup_reached = false;
    p->closeout_accepted = false;
    p->closeout_rejections = 0;
    p->closeout_unresolved = false;
    p->false_closeout = false;
}

static void copy_id(char dst[RD_ID_MAX], const char *src)
{
    snprintf(dst, RD_ID_MAX, "%s", src ? src : "");
}

void rd_prior_fold(rd_prior *p, const rd_prior_fact *f)
{
    switch (f->type) {
    case RD_EVENT_DISPATCHED: /* a re-dispatch replaces the assignment and its deadline */
        copy_id(p->unit, f->unit);
        copy_id(p->team, f->team);
        copy_id(p->handler, f->handler);
        p->has_deadline = f->has_deadline;
        p->deadline = f->has_deadline ? f->deadline : 0;
        break;
    case RD_EVENT_CONTACT_ATTEMPT:
        p->contact_reached = p->contact_reached || f->reached;
        break;
    case RD_EVENT_CLOSEOUT:
        if (f->accepted) {
            p->closeout_accepted = true;
            p->closeout_unresolved = f->unresolved;
        } else {
            p->closeout_rejections++;
        }
        break;
    case RD_EVENT_FOLLOWUP:
        p->followup_reached = p->followup_reached || f->reached;
        break;
    case RD_EVENT_CLOSED:
        p->open = false;
        p->closed_at = f->at;
        p->outcome = f->outcome;
        p->closeout_unresolved = p->closeout_unresolved || f->outcome == RD_OUTCOME_UNRESOLVED;
        break;
    case RD_EVENT_REOPENED: /* handled again: a new close-out and follow-up are needed */
        p->open = true;
        p->closed_at = 0;
        p->outcome = RD_OUTCOME_NONE;
        p->closeout_accepted = false;
        p->followup_reached = false;
        break;
    case RD_EVENT_AUDIT:
        p->false_closeout = p->false_closeout || f->false_closeout;
        break;
    }
}
