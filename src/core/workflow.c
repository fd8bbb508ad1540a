/* Workflow enforcement (固化流程): the steps a ticket still lacks before it may be closed. */
#include "repeatd/workflow.h"

static const char *const step_names[RD_STEP_COUNT] = {"dispatched", "contact", "closeout",
                                                      "followup"};

unsigned rd_workflow_missing(const rd_workflow_state *w, const rd_settings *s)
{
    unsigned missing = 0;

    if (!w || !s)
        return RD_STEP_DISPATCHED | RD_STEP_CONTACT | RD_STEP_CLOSEOUT | RD_STEP_FOLLOWUP;
    if (!w->dispatched)
        missing |= RD_STEP_DISPATCHED;
    /* A citizen who cannot be reached must not block closing forever: enough failed
     * attempts on record stand in for the contact. */
    if (!w->contact_reached && w->contact_failures < s->contact_failure_attempts)
        missing |= RD_STEP_CONTACT;
    if (!w->closeout_accepted)
        missing |= RD_STEP_CLOSEOUT;
    if (!w->followup_recorded)
        missing |= RD_STEP_FOLLOWUP;
    return missing;
}

const char *rd_step_name(rd_step step)
{
    for (unsigned i = 0; i < RD_STEP_COUNT; i++)
        if ((unsigned)step == 1u << i)
            return step_names[i];
    return "unknown";
}

static const char *late(const char **ret_field, const char *field, const char *why)
{
    *ret_field = field;
    return why;
}

const char *rd_event_out_of_order(const rd_event_times *t, const rd_event_when *e,
                                  const char **ret_field)
{
    rd_event_type k = e->type;
    if (e->at < t->received_at)
        return late(ret_field, "at", "the event is dated before the ticket was received");
    if (k == RD_EVENT_DISPATCHED && e->has_deadline && e->deadline <= e->at)
        return late(ret_field, "deadline", "the deadline is not after the dispatch");
    /* A contact time in the future is the inspection's defect (驳回, recorded), not an order. */
    if (k == RD_EVENT_CLOSEOUT && e->has_contact_time && e->contact_time <= e->now &&
        e->at < e->contact_time)
        return late(ret_field, "contact_time",
                    "the close-out is dated before the contact it reports");
    if ((k == RD_EVENT_FOLLOWUP || k == RD_EVENT_CLOSED) && t->closeout_accepted &&
        e->at < t->closeout_accepted_at)
        return late(ret_field, "at", "the event is dated before the accepted close-out");
    if (k == RD_EVENT_CLOSED && t->followup_recorded && e->at < t->followup_at)
        return late(ret_field, "at", "the closing is dated before the follow-up");
    if (k == RD_EVENT_REOPENED && t->closed && e->at < t->closed_at)
        return late(ret_field, "at", "the reopening is dated before the closing");
    return NULL;
}
