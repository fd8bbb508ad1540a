/* Domain vocabulary of DOMAIN.md: the enums every layer shares, and their wire names. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An instant as the API writes it: unix microseconds, and the UTC offset (seconds) of the
 * configured time_zone at that instant. */
typedef struct rd_instant {
    int64_t us;
    int32_t offset;
} rd_instant;

/* Lengths are in bytes and include the terminating NUL. */
/* Ticket ids, unit/team/handler codes, chain ids: 64 characters of UTF-8, 4 bytes at most
 * each. */
#define RD_ID_MAX 257

/* A node of the category tree (names: 1 to 200 characters of UTF-8). */
typedef struct rd_category {
    char code[RD_ID_MAX];
    char name[4 * 200 + 1];
    bool has_parent;
    char parent[RD_ID_MAX];
    bool policy;
    bool leaf;
} rd_category;

typedef enum rd_claim {
    RD_CLAIM_NONE = 0, /* the agent did not say: R6/R7 assume "unresolved" */
    RD_CLAIM_UNRESOLVED,
    RD_CLAIM_DISSATISFIED,
    RD_CLAIM_RECURRED,
    RD_CLAIM_POLICY_DISPUTE,
} rd_claim;

typedef enum rd_outcome {
    RD_OUTCOME_NONE = 0, /* not closed */
    RD_OUTCOME_RESOLVED,
    RD_OUTCOME_UNRESOLVED,
    RD_OUTCOME_POLICY_EXPLAINED,
    RD_OUTCOME_WITHDRAWN,
} rd_outcome;

typedef enum rd_decision_kind {
    RD_DECISION_NEW = 0,
    RD_DECISION_REPEAT,
    RD_DECISION_SIMILAR_NEW,
    RD_DECISION_EXCLUDED_IN_PROGRESS,
    RD_DECISION_EXCLUDED_CLOSED,
    RD_DECISION_EXCLUDED_UNMEETABLE,
} rd_decision_kind;

typedef enum rd_rule {
    RD_RULE_R1 = 1,
    RD_RULE_R2,
    RD_RULE_R3,
    RD_RULE_R4,
    RD_RULE_R5,
    RD_RULE_R6,
    RD_RULE_R7,
} rd_rule;

typedef enum rd_action_code {
    RD_ACTION_DISPATCH = 0,
    RD_ACTION_DISPATCH_TO_ORIGINAL_HANDLER,
    RD_ACTION_EXPEDITE,
    RD_ACTION_GREEN_CHANNEL,
    RD_ACTION_EXPLAIN_PROGRESS,
    RD_ACTION_EXPLAIN_POLICY,
    RD_ACTION_EXPLAIN_PREVIOUS_FIXED,
    RD_ACTION_EXPLAIN_RESULT,
    RD_ACTION_CONFIRM_CONTACT_PREFERENCES,
    RD_ACTION_REQUIRE_FOLLOWUP,
    RD_ACTION_TRACE_PRIOR_HANDLING,
    RD_ACTION_ESCALATE_TO_SUPERVISOR,
    RD_ACTION_COUNT_
} rd_action_code;

/* Root causes of a repeat, read off the prior ticket (溯源); a bit set. */
typedef enum rd_root_cause {
    RD_CAUSE_PRIOR_CONTACT_FAILED = 1u << 0,
    RD_CAUSE_PRIOR_NO_FOLLOWUP = 1u << 1,
    RD_CAUSE_PRIOR_INCOMPLETE_RECORD = 1u << 2,
    RD_CAUSE_PRIOR_FALSE_CLOSEOUT = 1u << 3,
    RD_CAUSE_PRIOR_UNRESOLVED = 1u << 4,
} rd_root_cause;
#define RD_CAUSE_COUNT 5

typedef enum rd_event_type {
    RD_EVENT_DISPATCHED = 0,
    RD_EVENT_CONTACT_ATTEMPT,
    RD_EVENT_CLOSEOUT,
    RD_EVENT_FOLLOWUP,
    RD_EVENT_CLOSED,
    RD_EVENT_REOPENED,
    RD_EVENT_AUDIT,
} rd_event_type;

typedef enum rd_contact_outcome {
    RD_CONTACT_REACHED = 0,
    RD_CONTACT_NO_ANSWER,
    RD_CONTACT_BUSY,
    RD_CONTACT_REJECTED,
    RD_CONTACT_POWERED_OFF,
    RD_CONTACT_WRONG_NUMBER,
} rd_contact_outcome;

/* manager: the quality staff who run the improvement loop; reads what dashboard reads and
 * writes problems, programmes and green-channel assignments, never settings or keys. */
typedef enum rd_role {
    RD_ROLE_CRM = 0,
    RD_ROLE_DASHBOARD,
    RD_ROLE_ADMIN,
    RD_ROLE_MANAGER,
} rd_role;

typedef enum rd_lang {
    RD_LANG_ZH = 0,
    RD_LANG_EN,
} rd_lang;

/* Wire names (API.md). The *_name functions never return NULL for a valid enum value;
 * the *_parse functions return 0 and set *ret on a known name, -EINVAL otherwise. */
const char *rd_claim_name(rd_claim c);
int rd_claim_parse(const char *s, rd_claim *ret);
const char *rd_outcome_name(rd_outcome o);
int rd_outcome_parse(const char *s, rd_outcome *ret);
const char *rd_decision_name(rd_decision_kind d);
int rd_decision_parse(const char *s, rd_decision_kind *ret);
const char *rd_rule_name(rd_rule r);
int rd_rule_parse(const char *s, rd_rule *ret);
const char *rd_action_name(rd_action_code a);
int rd_action_parse(const char *s, rd_action_code *ret);
const char *rd_root_cause_name(rd_root_cause c);
int rd_root_cause_parse(const char *s, rd_root_cause *ret);
const char *rd_event_type_name(rd_event_type t);
int rd_event_type_parse(const char *s, rd_event_type *ret);
const char *rd_contact_outcome_name(rd_contact_outcome o);
int rd_contact_outcome_parse(const char *s, rd_contact_outcome *ret);
const char *rd_role_name(rd_role r);
int rd_role_parse(const char *s, rd_role *ret);
/* Whether a key of role `have` may call an operation that needs `needed`: admin may call
 * everything, manager also what dashboard may. */
bool rd_role_allows(rd_role have, rd_role needed);
