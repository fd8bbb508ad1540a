/* The decision of DOMAIN.md: rules R1-R7 applied to a new ticket and its candidates, pure. */
#include "repeatd/decide.h"
#include "repeatd/months.h"

#include <errno.h>
#include <string.h>

/* Two tickets that both carry coordinates and lie farther apart than the radius are two
 * problems ("一码归一码"); without coordinates on either side the category alone decides. */
static bool same_problem(const rd_ticket_in *t, const rd_prior *c, const rd_settings *s)
{
    if (!t->has_location || !c->has_location)
        return true;
    return !rd_different_place(t->lat, t->lon, c->lat, c->lon, s->same_place_radius_m);
}

/* P: the latest candidate on the same problem. Ties are broken by ticket id so that the
 * answer does not depend on the order in which the store returned rows. */
const rd_prior *rd_pick_prior(const rd_ticket_in *t, const rd_prior *cands, size_t n,
                              const rd_settings *s)
{
    const rd_prior *p = NULL;

    for (size_t i = 0; i < n; i++) {
        const rd_prior *c = &cands[i];
        if (!same_problem(t, c, s))
            continue;
        if (!p || c->received_at > p->received_at ||
            (c->received_at == p->received_at && strcmp(c->ticket_id, p->ticket_id) > 0))
            p = c;
    }
    return p;
}

static void add_action(rd_decision *d, rd_action_code code, bool mandatory)
{
    if (d->n_actions < RD_ACTIONS_MAX)
        d->actions[d->n_actions++] = (rd_action){.code = code, .mandatory = mandatory};
}

/* A decision that starts a chain of its own: R1, R4, R7. */
static void set_new_chain(rd_decision *d, const rd_ticket_in *t, rd_decision_kind kind,
                          rd_rule rule)
{
    d->kind = kind;
    d->rule = rule;
    d->creates_work_order = true;
    d->chain_id = t->ticket_id;
    d->repeat_ordinal = 0;
}

/* An excluded call (R2, R3, R5) creates no work order and does not advance P's chain: it is
 * recorded as one more call about P. */
static void set_excluded(rd_decision *d, const rd_prior *p, rd_decision_kind kind, rd_rule rule,
                         rd_action_code action)
{
    d->kind = kind;
    d->rule = rule;
    d->creates_work_order = false;
    d->chain_id = p->chain_id;
    d->repeat_ordinal = p->repeat_ordinal;
    add_action(d, action, false);
}

static void decide_in_progress(rd_decision *d, const rd_ticket_in *t, const rd_prior *p,
                               const rd_settings *s)
{
    set_excluded(d, p, RD_DECISION_EXCLUDED_IN_PROGRESS, RD_RULE_R2, RD_ACTION_EXPLAIN_PROGRESS);
    d->past_deadline = p->has_deadline && t->received_at > p->deadline;
    /* This call is call number p->calls + 1 about P (P's own first call not counted). */
    if (d->past_deadline || p->calls + 1 >= s->expedite_after_calls)
        add_action(d, RD_ACTION_EXPEDITE, false);
}

static bool is_unmeetable(const rd_ticket_in *t, const rd_prior *p)
{
    bool policy = t->category_is_policy || t->claim == RD_CLAIM_POLICY_DISPUTE ||
                  p->outcome == RD_OUTCOME_POLICY_EXPLAINED;
    return policy && !t->new_evidence;
}

static bool is_closed_and_accepted(const rd_ticket_in *t, const rd_prior *p)
{
    return !p->open && p->closeout_accepted && !p->false_closeout &&
           t->claim == RD_CLAIM_DISSATISFIED && !t->new_evidence;
}

static unsigned root_causes_of(const rd_prior *p)
{
    unsigned c = 0;

    if (!p->contact_reached)
        c |= RD_CAUSE_PRIOR_CONTACT_FAILED;
    if (!p->followup_reached)
        c |= RD_CAUSE_PRIOR_NO_FOLLOWUP;
    /* 无法追溯首次处理情况: the first handling's record lacked required elements. Inspection
     * refuses such a close-out and a ticket cannot close without one that passes, so on a
     * closed P the trace is a rejection on record (or, for history loaded from elsewhere, no
     * accepted close-out at all). */
    if (!p->closeout_accepted || p->closeout_rejections > 0)
        c |= RD_CAUSE_PRIOR_INCOMPLETE_RECORD;
    if (p->false_closeout)
        c |= RD_CAUSE_PRIOR_FALSE_CLOSEOUT;
    if (p->closeout_unresolved)
        c |= RD_CAUSE_PRIOR_UNRESOLVED;
    return c;
}

/* The action each root cause calls for, in rd_root_cause bit order; prior_unresolved is
 * answered by the repeat's dispatch itself and has no action of its own. */
static const struct {
    rd_root_cause cause;
    rd_action_code action;
} cause_actions[] = {
    {RD_CAUSE_PRIOR_CONTACT_FAILED, RD_ACTION_CONFIRM_CONTACT_PREFERENCES},
    {RD_CAUSE_PRIOR_NO_FOLLOWUP, RD_ACTION_REQUIRE_FOLLOWUP},
    {RD_CAUSE_PRIOR_INCOMPLETE_RECORD, RD_ACTION_TRACE_PRIOR_HANDLING},
    {RD_CAUSE_PRIOR_FALSE_CLOSEOUT, RD_ACTION_ESCALATE_TO_SUPERVISOR},
};

static void decide_repeat(rd_decision *d, const rd_prior *p, const rd_settings *s)
{
    d->kind = RD_DECISION_REPEAT;
    d->rule = RD_RULE_R6;
    d->creates_work_order = true;
    d->counts_as_repeat = true;
    d->chain_id = p->chain_id;
    d->repeat_ordinal = p->repeat_ordinal + 1;
    d->root_causes = root_causes_of(p);

    if (rd_green_channel_reached(d->repeat_ordinal, s))
        add_action(d, RD_ACTION_GREEN_CHANNEL, false);
    /* 系铃解铃: back to whoever handled P; without a known handler it must still be
     * dispatched somewhere, so it gets a plain dispatch. */
    if (p->handler[0] != '\0')
        add_action(d, RD_ACTION_DISPATCH_TO_ORIGINAL_HANDLER, p->false_closeout);
    else
        add_action(d, RD_ACTION_DISPATCH, false);
    add_action(d, RD_ACTION_EXPEDITE, false);
    for (size_t i = 0; i < sizeof(cause_actions) / sizeof(cause_actions[0]); i++)
        if (d->root_causes & cause_actions[i].cause)
            add_action(d, cause_actions[i].action, false);
}

/* R2-R7, in the order of DOMAIN.md's table: the first rule that matches wins. */
static void decide_with_prior(rd_decision *d, const rd_ticket_in *t, const rd_prior *p,
                              const rd_settings *s)
{
    d->related = p;
    d->in_window = rd_within_natural_months(rd_month_index(p->received_at, p->received_offset),
                                            rd_month_index(t->received_at, t->received_offset),
                                            s->repeat_window_months);

    if (p->open) {
        decide_in_progress(d, t, p, s);
    } else if (is_unmeetable(t, p)) {
        set_excluded(d, p, RD_DECISION_EXCLUDED_UNMEETABLE, RD_RULE_R3, RD_ACTION_EXPLAIN_POLICY);
    } else if (p->outcome == RD_OUTCOME_RESOLVED && t->claim == RD_CLAIM_RECURRED) {
        set_new_chain(d, t, RD_DECISION_SIMILAR_NEW, RD_RULE_R4);
        add_action(d, RD_ACTION_EXPLAIN_PREVIOUS_FIXED, false);
        add_action(d, RD_ACTION_DISPATCH, false);
    } else if (is_closed_and_accepted(t, p)) {
        set_excluded(d, p, RD_DECISION_EXCLUDED_CLOSED, RD_RULE_R5, RD_ACTION_EXPLAIN_RESULT);
    } else {
        /* R6/R7 read a missing claim as "unresolved" and say so, so the agent can re-ask. */
        if (t->claim == RD_CLAIM_NONE)
            d->assumptions |= RD_ASSUMED_CLAIM_UNRESOLVED;
        if (d->in_window) {
            decide_repeat(d, p, s);
        } else {
            set_new_chain(d, t, RD_DECISION_NEW, RD_RULE_R7);
            add_action(d, RD_ACTION_DISPATCH, false);
        }
    }
}

int rd_decide(const rd_ticket_in *t, const rd_prior *cands, size_t n, const rd_settings *s,
              rd_decision *ret)
{
    if (!t || !t->ticket_id || !s || !ret || (n > 0 && !cands))
        return -EINVAL;

    rd_decision d = {0};
    const rd_prior *p = rd_pick_prior(t, cands, n, s);

    if (p) {
        decide_with_prior(&d, t, p, s);
    } else {
        set_new_chain(&d, t, RD_DECISION_NEW, RD_RULE_R1);
        add_action(&d, RD_ACTION_DISPATCH, false);
    }
    *ret = d;
    return 0;
}

bool rd_green_channel_reached(int repeat_ordinal, const rd_settings *s)
{
    return repeat_ordinal >= 1 && repeat_ordinal >= s->green_channel_min_repeats;
}

bool rd_chain_in_green_channel(int newest_repeat_ordinal, bool newest_repeat_open,
                               const rd_settings *s)
{
    return newest_repeat_open && rd_green_channel_reached(newest_repeat_ordinal, s);
}
