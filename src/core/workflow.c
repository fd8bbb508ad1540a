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
