/* Wire names of the domain enums (domain.h): one const table per enum, names in enum order. */
#include "repeatd/domain.h"

#include <errno.h>
#include <string.h>

static const char *const claim_names[] = {
    [RD_CLAIM_NONE] = "none",
    [RD_CLAIM_UNRESOLVED] = "unresolved",
    [RD_CLAIM_DISSATISFIED] = "dissatisfied",
    [RD_CLAIM_RECURRED] = "recurred",
    [RD_CLAIM_POLICY_DISPUTE] = "policy_dispute",
};

static const char *const outcome_names[] = {
    [RD_OUTCOME_NONE] = "none",
    [RD_OUTCOME_RESOLVED] = "resolved",
    [RD_OUTCOME_UNRESOLVED] = "unresolved",
    [RD_OUTCOME_POLICY_EXPLAINED] = "policy_explained",
    [RD_OUTCOME_WITHDRAWN] = "withdrawn",
};

static const char *const decision_names[] = {
    [RD_DECISION_NEW] = "new",
    [RD_DECISION_REPEAT] = "repeat",
    [RD_DECISION_SIMILAR_NEW] = "similar_new",
    [RD_DECISION_EXCLUDED_IN_PROGRESS] = "excluded_in_progress",
    [RD_DECISION_EXCLUDED_CLOSED] = "excluded_closed",
    [RD_DECISION_EXCLUDED_UNMEETABLE] = "excluded_unmeetable",
};

static const char *const rule_names[] = {
    [RD_RULE_R1] = "R1", [RD_RULE_R2] = "R2", [RD_RULE_R3] = "R3", [RD_RULE_R4] = "R4",
    [RD_RULE_R5] = "R5", [RD_RULE_R6] = "R6", [RD_RULE_R7] = "R7",
};

static const char *const action_names[RD_ACTION_COUNT_] = {
    [RD_ACTION_DISPATCH] = "dispatch",
    [RD_ACTION_DISPATCH_TO_ORIGINAL_HANDLER] = "dispatch_to_original_handler",
    [RD_ACTION_EXPEDITE] = "expedite",
    [RD_ACTION_GREEN_CHANNEL] = "green_channel",
    [RD_ACTION_EXPLAIN_PROGRESS] = "explain_progress",
    [RD_ACTION_EXPLAIN_POLICY] = "explain_policy",
    [RD_ACTION_EXPLAIN_PREVIOUS_FIXED] = "explain_previous_fixed",
    [RD_ACTION_EXPLAIN_RESULT] = "explain_result",
    [RD_ACTION_CONFIRM_CONTACT_PREFERENCES] = "confirm_contact_preferences",
    [RD_ACTION_REQUIRE_FOLLOWUP] = "require_followup",
    [RD_ACTION_TRACE_PRIOR_HANDLING] = "trace_prior_handling",
    [RD_ACTION_ESCALATE_TO_SUPERVISOR] = "escalate_to_supervisor",
};

/* Indexed by bit position, since rd_root_cause values are single bits. */
static const char *const root_cause_names[RD_CAUSE_COUNT] = {
    "prior_contact_failed", "prior_no_followup", "prior_incomplete_record",
    "prior_false_closeout", "prior_unresolved",
};

static const char *const event_type_names[] = {
    [RD_EVENT_DISPATCHED] = "dispatched", [RD_EVENT_CONTACT_ATTEMPT] = "contact_attempt",
    [RD_EVENT_CLOSEOUT] = "closeout",     [RD_EVENT_FOLLOWUP] = "followup",
    [RD_EVENT_CLOSED] = "closed",         [RD_EVENT_REOPENED] = "reopened",
    [RD_EVENT_AUDIT] = "audit",
};

static const char *const contact_outcome_names[] = {
    [RD_CONTACT_REACHED] = "reached",
    [RD_CONTACT_NO_ANSWER] = "no_answer",
    [RD_CONTACT_BUSY] = "busy",
    [RD_CONTACT_REJECTED] = "rejected",
    [RD_CONTACT_POWERED_OFF] = "powered_off",
    [RD_CONTACT_WRONG_NUMBER] = "wrong_number",
};

static const char *const role_names[] = {
    [RD_ROLE_CRM] = "crm",
    [RD_ROLE_DASHBOARD] = "dashboard",
    [RD_ROLE_ADMIN] = "admin",
    [RD_ROLE_MANAGER] = "manager",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Out-of-range values get "unknown" rather than NULL so that a caller formatting a corrupt
 * value into JSON or a log line does not crash. */
static const char *name_at(const char *const *names, size_t n, long i)
{
    if (i < 0 || (size_t)i >= n || !names[i])
        return "unknown";
    return names[i];
}

/* Index of s in names[first..n), or -EINVAL. */
static int index_of(const char *const *names, size_t first, size_t n, const char *s)
{
    if (!s)
        return -EINVAL;
    for (size_t i = first; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return (int)i;
    return -EINVAL;
}

const char *rd_claim_name(rd_claim c)
{
    return name_at(claim_names, N_OF(claim_names), c);
}

/* "none" is not a wire value: an absent claim is expressed by leaving the field out. */
int rd_claim_parse(const char *s, rd_claim *ret)
{
    int i = ret ? index_of(claim_names, RD_CLAIM_UNRESOLVED, N_OF(claim_names), s) : -EINVAL;
    if (i < 0)
        return i;
    *ret = (rd_claim)i;
    return 0;
}

const char *rd_outcome_name(rd_outcome o)
{
    return name_at(outcome_names, N_OF(outcome_names), o);
}

int rd_outcome_parse(const char *s, rd_outcome *ret)
{
    int i = ret ? index_of(outcome_names, RD_OUTCOME_RESOLVED, N_OF(outcome_names), s) : -EINVAL;
    if (i < 0)
        return i;
    *ret = (rd_outcome)i;
    return 0;
}

const char *rd_decision_name(rd_decision_kind d)
{
    return name_at(decision_names, N_OF(decision_names), d);
}

int rd_decision_parse(const char *s, rd_decision_kind *ret)
{
    int i = ret ? index_of(decision_names, 0, N_OF(decision_names), s) : -EINVAL;
    if (i < 0)
        return i;
    *ret = (rd_decision_kind)i;
    return 0;
}

const char *rd_rule_name(rd_rule r)
{
    return name_at(rule_names, N_OF(rule_names), r);
}

int rd_rule_parse(const char *s, rd_rule *ret)
{
    int i = ret ? index_of(rule_names, RD_RULE_R1, N_OF(rule_names), s) : -EINVAL;
    if (i < 0)
        return i;
    *ret = (rd_rule)i;
    return 0;
}

const char *rd_action_name(rd_action_code a)
{
    return name_at(action_names, N_OF(action_names), a);
}

int rd_action_parse(const char *s, rd_action_code *ret)
{
    int i = ret ? index_of(action_names, 0, N_OF(action_names), s) : -EINVAL;
    if (i < 0)
        return i;
    *ret = (rd_action_code)i;
    return 0;
}

const char *rd_root_cause_name(rd_root_cause c)
{
    for (size_t i = 0; i < RD_CAUSE_COUNT; i++)
        if ((unsigned)c == 1u << i)
            return root_cause_names[i];
    return "unknown";
}

int rd_root_cause_parse(const char *s, rd_root_cause *ret)
{
    int i = ret ? index_of(root_cause_names, 0, RD_CAUSE_COUNT, s) : -EINVAL;
    if (i < 0)
        return i;
    *ret = (rd_root_cause)(1u << i);
    return 0;
}

const char *rd_event_type_name(rd_event_type t)
{
    return name_at(event_type_names, N_OF(event_type_names), t);
}

int rd_event_type_parse(const char *s, rd_event_type *ret)
{
    int i = ret ? index_of(event_type_names, 0, N_OF(event_type_names), s) : -EINVAL;
    if (i < 0)
        return i;
    *ret = (rd_event_type)i;
    return 0;
}

const char *rd_contact_outcome_name(rd_contact_outcome o)
{
    return name_at(contact_outcome_names, N_OF(contact_outcome_names), o);
}

int rd_contact_outcome_parse(const char *s, rd_contact_outcome *ret)
{
    int i = ret ? index_of(contact_outcome_names, 0, N_OF(contact_outcome_names), s) : -EINVAL;
    if (i < 0)
        return i;
    *ret = (rd_contact_outcome)i;
    return 0;
}

const char *rd_role_name(rd_role r)
{
    return name_at(role_names, N_OF(role_names), r);
}

int rd_role_parse(const char *s, rd_role *ret)
{
    int i = ret ? index_of(role_names, 0, N_OF(role_names), s) : -EINVAL;
    if (i < 0)
        return i;
    *ret = (rd_role)i;
    return 0;
}
