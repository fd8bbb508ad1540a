/* Decision vectors for rd_decide: one row per case of DOMAIN.md's table R1-R7 and its edges. */
#include "repeatd/decide.h"
#include "repeatd/months.h"

#include "rd_test.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Unix time of a civil date, as a constant expression so that rows can hold it
 * (H. Hinnant's days_from_civil, years >= 1; checked against timegm() below). */
#define YY_(y, m)          ((y) - ((m) <= 2))
#define ERA_(y, m)         (YY_(y, m) / 400)
#define YOE_(y, m)         (YY_(y, m) - ERA_(y, m) * 400)
#define DOY_(m, d)         ((153 * ((m) > 2 ? (m)-3 : (m) + 9) + 2) / 5 + (d)-1)
#define DOE_(y, m, d)      (YOE_(y, m) * 365 + YOE_(y, m) / 4 - YOE_(y, m) / 100 + DOY_(m, d))
#define DAYS(y, m, d)      ((int64_t)ERA_(y, m) * 146097 + DOE_(y, m, d) - 719468)
#define UTC(y, m, d, h, i) (DAYS(y, m, d) * 86400 + (h)*3600 + (i)*60)
/* Local time in Asia/Shanghai (UTC+8, no daylight saving since 1991). */
#define CST_OFFSET         28800
#define CST(y, m, d, h, i) (UTC(y, m, d, h, i) - CST_OFFSET)

/* A place in Shanghai and points due north of it at a distance in metres. */
#define LAT0     31.2304
#define LON0     121.4737
#define NORTH(m) (LAT0 + (m) / 6371008.8 * 57.29577951308232)

/* The usual new ticket: 20 March 2025, same month as IN_WIN, the month after OUT_WIN. */
#define T_AT    CST(2025, 3, 20, 10, 0)
#define IN_WIN  CST(2025, 3, 5, 9, 0)
#define OUT_WIN CST(2025, 2, 20, 9, 0)

/* Action aliases, so that a row's action list fits on a line. */
#define DISPATCH RD_ACTION_DISPATCH
#define ORIGINAL RD_ACTION_DISPATCH_TO_ORIGINAL_HANDLER
#define EXPEDITE RD_ACTION_EXPEDITE
#define GREEN    RD_ACTION_GREEN_CHANNEL
#define PROGRESS RD_ACTION_EXPLAIN_PROGRESS
#define POLICY   RD_ACTION_EXPLAIN_POLICY
#define PREV_FIX RD_ACTION_EXPLAIN_PREVIOUS_FIXED
#define RESULT   RD_ACTION_EXPLAIN_RESULT
#define CONFIRM  RD_ACTION_CONFIRM_CONTACT_PREFERENCES
#define FOLLOWUP RD_ACTION_REQUIRE_FOLLOWUP
#define TRACE    RD_ACTION_TRACE_PRIOR_HANDLING
#define ESCALATE RD_ACTION_ESCALATE_TO_SUPERVISOR

#define C_CONTACT    RD_CAUSE_PRIOR_CONTACT_FAILED
#define C_FOLLOWUP   RD_CAUSE_PRIOR_NO_FOLLOWUP
#define C_RECORD     RD_CAUSE_PRIOR_INCOMPLETE_RECORD
#define C_FALSE      RD_CAUSE_PRIOR_FALSE_CLOSEOUT
#define C_UNRESOLVED RD_CAUSE_PRIOR_UNRESOLVED

#define MAX_CANDS 4
#define MAX_SETS  3

/* The new ticket of a row; offsets are Asia/Shanghai unless `utc`. */
typedef struct tticket {
    int64_t at;
    bool utc;
    bool has_loc;
    double lat, lon;
    rd_claim claim;
    bool new_evidence;
    bool policy;
} tticket;

/* A candidate. Its handling is clean (contact, follow-up and close-out all fine, handler
 * known) unless a row says otherwise, so that each row names only what matters to it. */
typedef struct tprior {
    const char *id;
    int64_t at;
    bool utc;
    bool has_loc;
    double lat, lon;
    bool open;
    rd_outcome outcome;
    bool no_handler;
    bool has_deadline;
    int64_t deadline;
    int ordinal;
    const char *chain; /* NULL: its own id */
    int calls;
    bool no_contact, no_followup, no_closeout, closeout_unresolved, false_closeout;
    int rejections; /* close-outs rejected before the accepted one */
} tprior;

typedef struct texpect {
    rd_decision_kind kind;
    rd_rule rule;
    bool repeat;
    bool work_order;
    int ordinal;
    const char *chain;   /* "T" is the new ticket */
    const char *related; /* NULL: none */
    unsigned causes;
    rd_action_code actions[RD_ACTIONS_MAX];
    size_t n_actions;
    bool mandatory; /* dispatch_to_original_handler is mandatory */
    bool assumed;   /* claim assumed unresolved */
    bool in_window;
    bool past_deadline;
} texpect;

typedef struct vector {
    const char *name;
    tticket t;
    tprior c[MAX_CANDS];
    size_t n;
    struct {
        const char *name;
        long value;
    } set[MAX_SETS];
    texpect e;
} vector;

#define CANDS(...) .c = {__VA_ARGS__}, .n = sizeof((tprior[]){__VA_ARGS__}) / sizeof(tprior)
#define ACTS(...)                                                                                  \
    .actions = {__VA_ARGS__},                                                                      \
    .n_actions = sizeof((rd_action_code[]){__VA_ARGS__}) / sizeof(rd_action_code)

/* The usual expectations of each decision, so rows spell out only the rest. */
#define E_R1                                                                                       \
    .kind = RD_DECISION_NEW, .rule = RD_RULE_R1, .work_order = true, .chain = "T", ACTS(DISPATCH)
#define E_R6 .kind = RD_DECISION_REPEAT, .rule = RD_RULE_R6, .repeat = true, .work_order = true
#define E_R7                                                                                       \
    .kind = RD_DECISION_NEW, .rule = RD_RULE_R7, .work_order = true, .chain = "T", ACTS(DISPATCH)

/* One row per vector reads better than clang-format's one field per line. */
/* clang-format off */
static const vector vectors[] = {
    /* ---- R1: no candidate ---- */
    {"r1_no_candidates", .t = {.at = T_AT}, .n = 0, .e = {E_R1}},
    {"r1_only_candidate_251m_away_is_another_problem",
     .t = {.at = T_AT, .has_loc = true, .lat = LAT0, .lon = LON0},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .has_loc = true,
            .lat = NORTH(251), .lon = LON0}),
     .e = {E_R1}},
    {"r1_radius_0_any_distance_is_another_problem",
     .t = {.at = T_AT, .has_loc = true, .lat = LAT0, .lon = LON0},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .has_loc = true,
            .lat = NORTH(10), .lon = LON0}),
     .set = {{"same_place_radius_m", 0}}, .e = {E_R1}},

    /* ---- R2: P still open ---- */
    {"r2_open_no_expedite", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .open = true}),
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .chain = "P1",
           .related = "P1", ACTS(PROGRESS), .in_window = true}},
    {"r2_keeps_chain_and_ordinal_of_p", .t = {.at = T_AT},
     CANDS({.id = "P2", .at = IN_WIN, .open = true, .ordinal = 1, .chain = "P0"}),
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .ordinal = 1,
           .chain = "P0", .related = "P2", ACTS(PROGRESS), .in_window = true}},
    {"r2_expedite_past_deadline", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .open = true, .has_deadline = true, .deadline = T_AT - 1}),
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .chain = "P1",
           .related = "P1", ACTS(PROGRESS, EXPEDITE), .in_window = true, .past_deadline = true}},
    {"r2_deadline_equal_to_receipt_not_past", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .open = true, .has_deadline = true, .deadline = T_AT}),
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .chain = "P1",
           .related = "P1", ACTS(PROGRESS), .in_window = true}},
    {"r2_calls_0_expedite_after_2_no_expedite", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .open = true, .calls = 0}),
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .chain = "P1",
           .related = "P1", ACTS(PROGRESS), .in_window = true}},
    {"r2_calls_1_expedite_after_2_expedites", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .open = true, .calls = 1}),
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .chain = "P1",
           .related = "P1", ACTS(PROGRESS, EXPEDITE), .in_window = true}},
    {"r2_calls_1_expedite_after_3_no_expedite", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .open = true, .calls = 1}),
     .set = {{"expedite_after_calls", 3}},
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .chain = "P1",
           .related = "P1", ACTS(PROGRESS), .in_window = true}},
    {"r2_calls_2_expedite_after_3_expedites", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .open = true, .calls = 2}),
     .set = {{"expedite_after_calls", 3}},
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .chain = "P1",
           .related = "P1", ACTS(PROGRESS, EXPEDITE), .in_window = true}},
    {"r2_expedite_after_1_first_call_expedites", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .open = true, .calls = 0}),
     .set = {{"expedite_after_calls", 1}},
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .chain = "P1",
           .related = "P1", ACTS(PROGRESS, EXPEDITE), .in_window = true}},
    {"r2_open_outside_window_still_in_progress", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = CST(2024, 10, 1, 9, 0), .open = true}),
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .chain = "P1",
           .related = "P1", ACTS(PROGRESS)}},
    {"r2_open_wins_over_policy_category",
     .t = {.at = T_AT, .policy = true, .claim = RD_CLAIM_POLICY_DISPUTE},
     CANDS({.id = "P1", .at = IN_WIN, .open = true}),
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .chain = "P1",
           .related = "P1", ACTS(PROGRESS), .in_window = true}},

    /* ---- R3: cannot meet the expectation ---- */
    {"r3_category_marked_policy", .t = {.at = T_AT, .policy = true, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .ordinal = 1, .chain = "P0"}),
     .e = {.kind = RD_DECISION_EXCLUDED_UNMEETABLE, .rule = RD_RULE_R3, .ordinal = 1, .chain = "P0",
           .related = "P1", ACTS(POLICY), .in_window = true}},
    {"r3_claim_policy_dispute", .t = {.at = T_AT, .claim = RD_CLAIM_POLICY_DISPUTE},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {.kind = RD_DECISION_EXCLUDED_UNMEETABLE, .rule = RD_RULE_R3, .chain = "P1",
           .related = "P1", ACTS(POLICY), .in_window = true}},
    {"r3_p_closed_policy_explained", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = OUT_WIN, .outcome = RD_OUTCOME_POLICY_EXPLAINED}),
     .e = {.kind = RD_DECISION_EXCLUDED_UNMEETABLE, .rule = RD_RULE_R3, .chain = "P1",
           .related = "P1", ACTS(POLICY)}},
    {"r3_not_with_new_evidence_policy_category",
     .t = {.at = T_AT, .policy = true, .new_evidence = true, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .in_window = true}},
    {"r3_not_with_new_evidence_policy_explained", .t = {.at = T_AT, .new_evidence = true},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_POLICY_EXPLAINED}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"r3_not_with_new_evidence_policy_dispute_out_of_window",
     .t = {.at = T_AT, .new_evidence = true, .claim = RD_CLAIM_POLICY_DISPUTE},
     CANDS({.id = "P1", .at = OUT_WIN, .outcome = RD_OUTCOME_RESOLVED}),
     .e = {E_R7, .related = "P1"}},
    {"r3_wins_over_r4", .t = {.at = T_AT, .policy = true, .claim = RD_CLAIM_RECURRED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED}),
     .e = {.kind = RD_DECISION_EXCLUDED_UNMEETABLE, .rule = RD_RULE_R3, .chain = "P1",
           .related = "P1", ACTS(POLICY), .in_window = true}},

    /* ---- R4: fixed, then broke again ---- */
    {"r4_resolved_and_recurred", .t = {.at = T_AT, .claim = RD_CLAIM_RECURRED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .ordinal = 2, .chain = "P0"}),
     .e = {.kind = RD_DECISION_SIMILAR_NEW, .rule = RD_RULE_R4, .work_order = true, .chain = "T",
           .related = "P1", ACTS(PREV_FIX, DISPATCH), .in_window = true}},
    {"r4_out_of_window_too", .t = {.at = T_AT, .claim = RD_CLAIM_RECURRED},
     CANDS({.id = "P1", .at = OUT_WIN, .outcome = RD_OUTCOME_RESOLVED}),
     .e = {.kind = RD_DECISION_SIMILAR_NEW, .rule = RD_RULE_R4, .work_order = true, .chain = "T",
           .related = "P1", ACTS(PREV_FIX, DISPATCH)}},
    {"r4_wins_over_r5_with_accepted_closeout",
     .t = {.at = T_AT, .claim = RD_CLAIM_RECURRED, .new_evidence = true},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED}),
     .e = {.kind = RD_DECISION_SIMILAR_NEW, .rule = RD_RULE_R4, .work_order = true, .chain = "T",
           .related = "P1", ACTS(PREV_FIX, DISPATCH), .in_window = true}},
    {"r4_not_when_p_closed_unresolved", .t = {.at = T_AT, .claim = RD_CLAIM_RECURRED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED,
            .closeout_unresolved = true}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", .causes = C_UNRESOLVED,
           ACTS(ORIGINAL, EXPEDITE), .in_window = true}},
    {"r4_not_when_claim_unresolved", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .in_window = true}},

    /* ---- R5: closed with an accepted record, citizen dissatisfied ---- */
    {"r5_dissatisfied_with_accepted_closeout", .t = {.at = T_AT, .claim = RD_CLAIM_DISSATISFIED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .ordinal = 1, .chain = "P0"}),
     .e = {.kind = RD_DECISION_EXCLUDED_CLOSED, .rule = RD_RULE_R5, .ordinal = 1, .chain = "P0",
           .related = "P1", ACTS(RESULT), .in_window = true}},
    {"r5_out_of_window_too", .t = {.at = T_AT, .claim = RD_CLAIM_DISSATISFIED},
     CANDS({.id = "P1", .at = OUT_WIN, .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {.kind = RD_DECISION_EXCLUDED_CLOSED, .rule = RD_RULE_R5, .chain = "P1", .related = "P1",
           ACTS(RESULT)}},
    {"r5_not_when_closeout_false", .t = {.at = T_AT, .claim = RD_CLAIM_DISSATISFIED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .false_closeout = true}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", .causes = C_FALSE,
           ACTS(ORIGINAL, EXPEDITE, ESCALATE), .mandatory = true, .in_window = true}},
    {"r5_not_without_accepted_closeout", .t = {.at = T_AT, .claim = RD_CLAIM_DISSATISFIED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .no_closeout = true}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", .causes = C_RECORD,
           ACTS(ORIGINAL, EXPEDITE, TRACE), .in_window = true}},
    {"r5_not_with_new_evidence",
     .t = {.at = T_AT, .claim = RD_CLAIM_DISSATISFIED, .new_evidence = true},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .in_window = true}},
    {"r5_not_when_claim_missing", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"r5_not_then_r7_out_of_window_claim_given", .t = {.at = T_AT, .claim = RD_CLAIM_DISSATISFIED},
     CANDS({.id = "P1", .at = OUT_WIN, .outcome = RD_OUTCOME_RESOLVED, .no_closeout = true}),
     .e = {E_R7, .related = "P1"}},

    /* ---- R6: repeat ---- */
    {"r6_claim_unresolved_not_assumed", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .in_window = true}},
    {"r6_claim_missing_assumed_unresolved", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"r6_chain_ordinal_1_to_2_green_channel_default",
     .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P2", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .ordinal = 1, .chain = "P0"}),
     .e = {E_R6, .ordinal = 2, .chain = "P0", .related = "P2", ACTS(GREEN, ORIGINAL, EXPEDITE),
           .in_window = true}},
    {"r6_ordinal_1_no_green_channel", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .ordinal = 0}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .in_window = true}},
    {"r6_green_min_3_ordinal_2_no_green", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P2", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .ordinal = 1, .chain = "P0"}),
     .set = {{"green_channel_min_repeats", 3}},
     .e = {E_R6, .ordinal = 2, .chain = "P0", .related = "P2", ACTS(ORIGINAL, EXPEDITE),
           .in_window = true}},
    {"r6_green_min_3_ordinal_3_green", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P3", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .ordinal = 2, .chain = "P0"}),
     .set = {{"green_channel_min_repeats", 3}},
     .e = {E_R6, .ordinal = 3, .chain = "P0", .related = "P3", ACTS(GREEN, ORIGINAL, EXPEDITE),
           .in_window = true}},
    {"r6_green_min_1_first_repeat_green", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED}),
     .set = {{"green_channel_min_repeats", 1}},
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(GREEN, ORIGINAL, EXPEDITE),
           .in_window = true}},
    {"r6_cause_contact_failed", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .no_contact = true}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", .causes = C_CONTACT,
           ACTS(ORIGINAL, EXPEDITE, CONFIRM), .in_window = true}},
    {"r6_cause_no_followup", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .no_followup = true}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", .causes = C_FOLLOWUP,
           ACTS(ORIGINAL, EXPEDITE, FOLLOWUP), .in_window = true}},
    {"r6_cause_incomplete_record", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .no_closeout = true}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", .causes = C_RECORD,
           ACTS(ORIGINAL, EXPEDITE, TRACE), .in_window = true}},
    {"r6_cause_incomplete_record_rejected_before_accepted",
     .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .rejections = 1}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", .causes = C_RECORD,
           ACTS(ORIGINAL, EXPEDITE, TRACE), .in_window = true}},
    {"r6_cause_false_closeout_mandatory_original_handler",
     .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .false_closeout = true}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", .causes = C_FALSE,
           ACTS(ORIGINAL, EXPEDITE, ESCALATE), .mandatory = true, .in_window = true}},
    {"r6_cause_unresolved_has_no_own_action", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED,
            .closeout_unresolved = true}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", .causes = C_UNRESOLVED,
           ACTS(ORIGINAL, EXPEDITE), .in_window = true}},
    {"r6_all_causes_in_enum_order", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED, .no_contact = true,
            .no_followup = true, .no_closeout = true, .closeout_unresolved = true,
            .false_closeout = true}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1",
           .causes = C_CONTACT | C_FOLLOWUP | C_RECORD | C_FALSE | C_UNRESOLVED,
           ACTS(ORIGINAL, EXPEDITE, CONFIRM, FOLLOWUP, TRACE, ESCALATE), .mandatory = true,
           .assumed = true, .in_window = true}},
    {"r6_no_handler_plain_dispatch", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .no_handler = true}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(DISPATCH, EXPEDITE),
           .in_window = true}},
    {"r6_no_handler_green_all_causes", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P2", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED, .no_handler = true,
            .ordinal = 1, .chain = "P0", .no_contact = true, .no_followup = true,
            .no_closeout = true, .closeout_unresolved = true, .false_closeout = true}),
     .e = {E_R6, .ordinal = 2, .chain = "P0", .related = "P2",
           .causes = C_CONTACT | C_FOLLOWUP | C_RECORD | C_FALSE | C_UNRESOLVED,
           ACTS(GREEN, DISPATCH, EXPEDITE, CONFIRM, FOLLOWUP, TRACE, ESCALATE), .in_window = true}},
    {"r6_withdrawn_p_counts", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_WITHDRAWN}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .in_window = true}},

    /* ---- R7: outside the window ---- */
    {"r7_out_of_window_claim_missing_assumed", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = OUT_WIN, .outcome = RD_OUTCOME_RESOLVED, .ordinal = 1, .chain = "P0",
            .no_contact = true}),
     .e = {E_R7, .related = "P1", .assumed = true}},
    {"r7_out_of_window_claim_given", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = OUT_WIN, .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R7, .related = "P1"}},

    /* ---- natural-month windows ---- */
    {"window_1_jan31_2359_vs_feb1_0000_is_r7", .t = {.at = CST(2025, 2, 1, 0, 0)},
     CANDS({.id = "P1", .at = CST(2025, 1, 31, 23, 59), .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R7, .related = "P1", .assumed = true}},
    {"window_2_jan31_2359_vs_feb1_0000_is_r6", .t = {.at = CST(2025, 2, 1, 0, 0)},
     CANDS({.id = "P1", .at = CST(2025, 1, 31, 23, 59), .outcome = RD_OUTCOME_UNRESOLVED}),
     .set = {{"repeat_window_months", 2}},
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"window_1_feb1_0000_vs_feb28_2359_is_r6", .t = {.at = CST(2025, 2, 28, 23, 59)},
     CANDS({.id = "P1", .at = CST(2025, 2, 1, 0, 0), .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"window_1_dec31_vs_jan1_across_years_is_r7", .t = {.at = CST(2025, 1, 1, 0, 0)},
     CANDS({.id = "P1", .at = CST(2024, 12, 31, 23, 59), .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R7, .related = "P1", .assumed = true}},
    {"window_2_dec31_vs_jan1_across_years_is_r6", .t = {.at = CST(2025, 1, 1, 0, 0)},
     CANDS({.id = "P1", .at = CST(2024, 12, 31, 23, 59), .outcome = RD_OUTCOME_UNRESOLVED}),
     .set = {{"repeat_window_months", 2}},
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"window_2_dec_vs_feb_is_r7", .t = {.at = CST(2025, 2, 1, 0, 0)},
     CANDS({.id = "P1", .at = CST(2024, 12, 31, 23, 59), .outcome = RD_OUTCOME_UNRESOLVED}),
     .set = {{"repeat_window_months", 2}}, .e = {E_R7, .related = "P1", .assumed = true}},
    {"window_3_dec_vs_feb_is_r6", .t = {.at = CST(2025, 2, 1, 0, 0)},
     CANDS({.id = "P1", .at = CST(2024, 12, 1, 0, 0), .outcome = RD_OUTCOME_UNRESOLVED}),
     .set = {{"repeat_window_months", 3}},
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"window_1_leap_feb29_vs_mar1_is_r7", .t = {.at = CST(2024, 3, 1, 0, 0)},
     CANDS({.id = "P1", .at = CST(2024, 2, 29, 23, 59), .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R7, .related = "P1", .assumed = true}},
    {"window_tz_utc_jan31_1630_is_feb1_in_shanghai_r6", .t = {.at = CST(2025, 2, 10, 9, 0)},
     CANDS({.id = "P1", .at = UTC(2025, 1, 31, 16, 30), .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"window_tz_same_instants_in_utc_are_jan_vs_feb_r7",
     .t = {.at = CST(2025, 2, 10, 9, 0), .utc = true},
     CANDS({.id = "P1", .at = UTC(2025, 1, 31, 16, 30), .utc = true,
            .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R7, .related = "P1", .assumed = true}},
    {"window_tz_utc_1559_is_still_jan31_in_shanghai_r7", .t = {.at = CST(2025, 2, 10, 9, 0)},
     CANDS({.id = "P1", .at = UTC(2025, 1, 31, 15, 59), .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R7, .related = "P1", .assumed = true}},

    /* ---- same place ---- */
    {"place_249m_is_same_problem", .t = {.at = T_AT, .has_loc = true, .lat = LAT0, .lon = LON0},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED, .has_loc = true,
            .lat = NORTH(249), .lon = LON0}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"place_new_ticket_without_location_matches_far_p", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED, .has_loc = true,
            .lat = NORTH(5000), .lon = LON0}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"place_p_without_location_matches",
     .t = {.at = T_AT, .has_loc = true, .lat = LAT0, .lon = LON0},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"place_neither_with_location_matches", .t = {.at = T_AT},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"place_radius_0_same_point_matches",
     .t = {.at = T_AT, .has_loc = true, .lat = LAT0, .lon = LON0},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED, .has_loc = true,
            .lat = LAT0, .lon = LON0}),
     .set = {{"same_place_radius_m", 0}},
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},
    {"place_radius_1000_800m_matches", .t = {.at = T_AT, .has_loc = true, .lat = LAT0, .lon = LON0},
     CANDS({.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED, .has_loc = true,
            .lat = NORTH(800), .lon = LON0}),
     .set = {{"same_place_radius_m", 1000}},
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .assumed = true, .in_window = true}},

    /* ---- choosing P ---- */
    {"p_is_latest_of_several_in_any_order", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = CST(2025, 3, 1, 9, 0), .outcome = RD_OUTCOME_UNRESOLVED,
            .no_contact = true},
           {.id = "P3", .at = CST(2025, 2, 10, 9, 0), .open = true},
           {.id = "P2", .at = CST(2025, 3, 10, 9, 0), .outcome = RD_OUTCOME_UNRESOLVED,
            .ordinal = 1, .chain = "P1"}),
     .e = {E_R6, .ordinal = 2, .chain = "P1", .related = "P2", ACTS(GREEN, ORIGINAL, EXPEDITE),
           .in_window = true}},
    {"p_latest_open_wins_over_older_closed", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P1", .at = CST(2025, 3, 1, 9, 0), .outcome = RD_OUTCOME_UNRESOLVED},
           {.id = "P2", .at = CST(2025, 3, 10, 9, 0), .open = true}),
     .e = {.kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .rule = RD_RULE_R2, .chain = "P2",
           .related = "P2", ACTS(PROGRESS), .in_window = true}},
    {"p_far_latest_skipped_for_nearer_older",
     .t = {.at = T_AT, .has_loc = true, .lat = LAT0, .lon = LON0, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "P2", .at = CST(2025, 3, 15, 9, 0), .open = true, .has_loc = true,
            .lat = NORTH(1000), .lon = LON0},
           {.id = "P1", .at = CST(2025, 3, 2, 9, 0), .outcome = RD_OUTCOME_UNRESOLVED,
            .has_loc = true, .lat = NORTH(100), .lon = LON0}),
     .e = {E_R6, .ordinal = 1, .chain = "P1", .related = "P1", ACTS(ORIGINAL, EXPEDITE),
           .in_window = true}},
    {"p_tie_on_time_greater_id_wins_a_first", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "PA", .at = IN_WIN, .open = true},
           {.id = "PB", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED}),
     .e = {E_R6, .ordinal = 1, .chain = "PB", .related = "PB", ACTS(ORIGINAL, EXPEDITE),
           .in_window = true}},
    {"p_tie_on_time_greater_id_wins_b_first", .t = {.at = T_AT, .claim = RD_CLAIM_UNRESOLVED},
     CANDS({.id = "PB", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED},
           {.id = "PA", .at = IN_WIN, .open = true}),
     .e = {E_R6, .ordinal = 1, .chain = "PB", .related = "PB", ACTS(ORIGINAL, EXPEDITE),
           .in_window = true}},
};
/* clang-format on */

#define N_VECTORS (sizeof(vectors) / sizeof(vectors[0]))

static void copy_id(char dst[RD_ID_MAX], const char *src)
{
    snprintf(dst, RD_ID_MAX, "%s", src ? src : "");
}

static rd_prior make_prior(const tprior *tp)
{
    rd_prior p;

    memset(&p, 0, sizeof(p));
    copy_id(p.ticket_id, tp->id);
    p.received_at = tp->at;
    p.received_offset = tp->utc ? 0 : CST_OFFSET;
    p.has_location = tp->has_loc;
    p.lat = tp->lat;
    p.lon = tp->lon;
    p.open = tp->open;
    p.outcome = tp->open ? RD_OUTCOME_NONE : tp->outcome;
    p.closed_at = tp->open ? 0 : tp->at + 86400;
    copy_id(p.unit, tp->no_handler ? "" : "U-ROADS");
    copy_id(p.team, tp->no_handler ? "" : "TEAM-3");
    copy_id(p.handler, tp->no_handler ? "" : "H-WANG");
    p.has_deadline = tp->has_deadline;
    p.deadline = tp->deadline;
    p.repeat_ordinal = tp->ordinal;
    copy_id(p.chain_id, tp->chain ? tp->chain : tp->id);
    p.calls = tp->calls;
    p.contact_reached = !tp->no_contact;
    p.followup_reached = !tp->no_followup;
    p.closeout_accepted = !tp->no_closeout;
    p.closeout_rejections = tp->rejections;
    p.closeout_unresolved = tp->closeout_unresolved;
    p.false_closeout = tp->false_closeout;
    return p;
}

static rd_ticket_in make_ticket(const tticket *tt)
{
    return (rd_ticket_in){
        .ticket_id = "T",
        .received_at = tt->at,
        .received_offset = tt->utc ? 0 : CST_OFFSET,
        .has_location = tt->has_loc,
        .lat = tt->lat,
        .lon = tt->lon,
        .claim = tt->claim,
        .new_evidence = tt->new_evidence,
        .category_is_policy = tt->policy,
    };
}

static void check_actions(const vector *v, const rd_decision *d)
{
    const texpect *e = &v->e;

    ck_assert_msg(d->n_actions == e->n_actions, "%s: %zu actions, expected %zu (first: %s)",
                  v->name, d->n_actions, e->n_actions,
                  d->n_actions ? rd_action_name(d->actions[0].code) : "-");
    for (size_t i = 0; i < e->n_actions; i++) {
        const rd_action *a = &d->actions[i];
        bool want_mandatory = a->code == RD_ACTION_DISPATCH_TO_ORIGINAL_HANDLER && e->mandatory;
        ck_assert_msg(a->code == e->actions[i], "%s: action %zu is %s, expected %s", v->name, i,
                      rd_action_name(a->code), rd_action_name(e->actions[i]));
        ck_assert_msg(a->mandatory == want_mandatory, "%s: action %zu mandatory=%d", v->name, i,
                      a->mandatory);
    }
}

START_TEST(test_vector)
{
    const vector *v = &vectors[_i];
    const texpect *e = &v->e;
    rd_prior cands[MAX_CANDS];
    rd_settings s;
    rd_decision d;

    rd_settings_defaults(&s);
    for (size_t i = 0; i < MAX_SETS && v->set[i].name; i++)
        ck_assert_msg(rd_settings_set_int(&s, v->set[i].name, v->set[i].value) == 0,
                      "%s: setting %s", v->name, v->set[i].name);
    for (size_t i = 0; i < v->n; i++)
        cands[i] = make_prior(&v->c[i]);
    rd_ticket_in t = make_ticket(&v->t);

    ck_assert_int_eq(rd_decide(&t, v->n ? cands : NULL, v->n, &s, &d), 0);
    ck_assert_msg(d.kind == e->kind, "%s: kind %s, expected %s", v->name, rd_decision_name(d.kind),
                  rd_decision_name(e->kind));
    ck_assert_msg(d.rule == e->rule, "%s: rule %s, expected %s", v->name, rd_rule_name(d.rule),
                  rd_rule_name(e->rule));
    ck_assert_msg(d.counts_as_repeat == e->repeat, "%s: counts_as_repeat", v->name);
    ck_assert_msg(d.creates_work_order == e->work_order, "%s: creates_work_order", v->name);
    ck_assert_msg(d.repeat_ordinal == e->ordinal, "%s: ordinal %d, expected %d", v->name,
                  d.repeat_ordinal, e->ordinal);
    ck_assert_msg(d.chain_id && strcmp(d.chain_id, e->chain) == 0, "%s: chain %s, expected %s",
                  v->name, d.chain_id ? d.chain_id : "(null)", e->chain);
    if (e->related) {
        ck_assert_msg(d.related && strcmp(d.related->ticket_id, e->related) == 0,
                      "%s: related %s, expected %s", v->name,
                      d.related ? d.related->ticket_id : "(null)", e->related);
        ck_assert_msg(d.related >= cands && d.related < cands + v->n, "%s: related not in input",
                      v->name);
    } else {
        ck_assert_msg(d.related == NULL, "%s: related should be NULL", v->name);
    }
    ck_assert_msg(d.root_causes == e->causes, "%s: causes %#x, expected %#x", v->name,
                  d.root_causes, e->causes);
    check_actions(v, &d);
    ck_assert_msg(((d.assumptions & RD_ASSUMED_CLAIM_UNRESOLVED) != 0) == e->assumed,
                  "%s: assumption", v->name);
    ck_assert_msg(d.in_window == e->in_window, "%s: in_window %d", v->name, d.in_window);
    ck_assert_msg(d.past_deadline == e->past_deadline, "%s: past_deadline", v->name);
}
END_TEST

/* The row times rest on the UTC() macro: hold it to the C library. */
START_TEST(test_time_macro_matches_timegm)
{
    static const int dates[][5] = {
        {1970, 1, 1, 0, 0},     {2000, 2, 29, 12, 30}, {2024, 2, 29, 23, 59},
        {2024, 12, 31, 23, 59}, {2025, 1, 31, 16, 30}, {2100, 3, 1, 0, 0},
    };
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        const int *x = dates[i];
        struct tm tm = {.tm_year = x[0] - 1900,
                        .tm_mon = x[1] - 1,
                        .tm_mday = x[2],
                        .tm_hour = x[3],
                        .tm_min = x[4]};
        ck_assert_int_eq(UTC(x[0], x[1], x[2], x[3], x[4]), (int64_t)timegm(&tm));
    }
}
END_TEST

START_TEST(test_bad_arguments)
{
    rd_settings s;
    rd_decision d;
    rd_prior c = {.ticket_id = "P1"};
    rd_ticket_in t = {.ticket_id = "T"};
    rd_ticket_in no_id = {.ticket_id = NULL};

    rd_settings_defaults(&s);
    memset(&d, 0x5A, sizeof(d));
    ck_assert_int_eq(rd_decide(NULL, &c, 1, &s, &d), -EINVAL);
    ck_assert_int_eq(rd_decide(&t, NULL, 1, &s, &d), -EINVAL);
    ck_assert_int_eq(rd_decide(&t, &c, 1, NULL, &d), -EINVAL);
    ck_assert_int_eq(rd_decide(&t, &c, 1, &s, NULL), -EINVAL);
    ck_assert_int_eq(rd_decide(&no_id, NULL, 0, &s, &d), -EINVAL);
    /* Nothing written on failure. */
    ck_assert_int_eq(((unsigned char *)&d)[0], 0x5A);
    /* No candidates and no array is fine. */
    ck_assert_int_eq(rd_decide(&t, NULL, 0, &s, &d), 0);
    ck_assert_int_eq(d.rule, RD_RULE_R1);
    ck_assert_ptr_eq(d.chain_id, t.ticket_id);
}
END_TEST

START_TEST(test_chain_points_into_inputs)
{
    rd_settings s;
    rd_decision d;
    tprior tp = {.id = "P1", .at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED, .chain = "P0"};
    rd_prior c = make_prior(&tp);
    rd_ticket_in t = {.ticket_id = "T", .received_at = T_AT, .received_offset = CST_OFFSET};

    rd_settings_defaults(&s);
    ck_assert_int_eq(rd_decide(&t, &c, 1, &s, &d), 0);
    ck_assert_ptr_eq(d.chain_id, c.chain_id);
    ck_assert_ptr_eq(d.related, &c);
}
END_TEST

START_TEST(test_distance)
{
    /* One degree of latitude on the mean sphere: R * pi / 180. */
    ck_assert_double_eq_tol(rd_distance_m(30, 120, 31, 120), 111195.08, 0.5);
    ck_assert_double_eq_tol(rd_distance_m(LAT0, LON0, LAT0, LON0), 0.0, 1e-9);
    ck_assert_double_eq_tol(rd_distance_m(LAT0, LON0, NORTH(249), LON0), 249.0, 0.01);
    /* Shanghai People's Square to the Bund: about 1.6 km, symmetric. */
    double a = rd_distance_m(31.2304, 121.4737, 31.2400, 121.4900);
    ck_assert(a > 1500 && a < 2000);
    ck_assert_double_eq_tol(a, rd_distance_m(31.2400, 121.4900, 31.2304, 121.4737), 1e-6);
    /* Antipodes: half the circumference, no NaN. */
    ck_assert_double_eq_tol(rd_distance_m(0, 0, 0, 180), 20015114.35, 1.0);
    ck_assert(!rd_different_place(LAT0, LON0, NORTH(249), LON0, 250));
    ck_assert(rd_different_place(LAT0, LON0, NORTH(251), LON0, 250));
    ck_assert(!rd_different_place(LAT0, LON0, LAT0, LON0, 0));
}
END_TEST

/* Wire names: every value has its name, names parse back, unknown names and NULL fail. */
START_TEST(test_names_round_trip)
{
    static const char *const claims[] = {"unresolved", "dissatisfied", "recurred",
                                         "policy_dispute"};
    static const char *const outcomes[] = {"resolved", "unresolved", "policy_explained",
                                           "withdrawn"};
    static const char *const decisions[] = {"new",
                                            "repeat",
                                            "similar_new",
                                            "excluded_in_progress",
                                            "excluded_closed",
                                            "excluded_unmeetable"};
    static const char *const events[] = {"dispatched", "contact_attempt", "closeout", "followup",
                                         "closed",     "reopened",        "audit"};
    static const char *const contacts[] = {"reached",  "no_answer",   "busy",
                                           "rejected", "powered_off", "wrong_number"};
    static const char *const roles[] = {"crm", "dashboard", "admin"};

    for (int i = 0; i < 4; i++) {
        rd_claim c;
        rd_outcome o;
        ck_assert_int_eq(rd_claim_parse(claims[i], &c), 0);
        ck_assert_int_eq(c, RD_CLAIM_UNRESOLVED + i);
        ck_assert_str_eq(rd_claim_name(c), claims[i]);
        ck_assert_int_eq(rd_outcome_parse(outcomes[i], &o), 0);
        ck_assert_int_eq(o, RD_OUTCOME_RESOLVED + i);
        ck_assert_str_eq(rd_outcome_name(o), outcomes[i]);
    }
    for (int i = 0; i < 6; i++) {
        rd_decision_kind k;
        rd_contact_outcome co;
        ck_assert_int_eq(rd_decision_parse(decisions[i], &k), 0);
        ck_assert_int_eq(k, i);
        ck_assert_str_eq(rd_decision_name(k), decisions[i]);
        ck_assert_int_eq(rd_contact_outcome_parse(contacts[i], &co), 0);
        ck_assert_int_eq(co, i);
        ck_assert_str_eq(rd_contact_outcome_name(co), contacts[i]);
    }
    for (int i = 0; i < 7; i++) {
        rd_event_type e;
        char rule[3] = {'R', (char)('1' + i), 0};
        ck_assert_int_eq(rd_event_type_parse(events[i], &e), 0);
        ck_assert_int_eq(e, i);
        ck_assert_str_eq(rd_event_type_name(e), events[i]);
        ck_assert_str_eq(rd_rule_name((rd_rule)(RD_RULE_R1 + i)), rule);
    }
    for (int i = 0; i < 3; i++) {
        rd_role r;
        ck_assert_int_eq(rd_role_parse(roles[i], &r), 0);
        ck_assert_int_eq(r, i);
        ck_assert_str_eq(rd_role_name(r), roles[i]);
    }
}
END_TEST

START_TEST(test_names_unknown)
{
    rd_claim c = RD_CLAIM_RECURRED;
    rd_outcome o;
    rd_decision_kind k;
    rd_event_type e;
    rd_contact_outcome co;
    rd_role r;

    ck_assert_int_eq(rd_claim_parse("none", &c), -EINVAL); /* absent is not a wire value */
    ck_assert_int_eq(rd_claim_parse("Recurred", &c), -EINVAL);
    ck_assert_int_eq(rd_claim_parse(NULL, &c), -EINVAL);
    ck_assert_int_eq(c, RD_CLAIM_RECURRED); /* untouched */
    ck_assert_int_eq(rd_claim_parse("recurred", NULL), -EINVAL);
    ck_assert_int_eq(rd_outcome_parse("", &o), -EINVAL);
    ck_assert_int_eq(rd_outcome_parse("none", &o), -EINVAL);
    ck_assert_int_eq(rd_decision_parse("excluded", &k), -EINVAL);
    ck_assert_int_eq(rd_event_type_parse(NULL, &e), -EINVAL);
    ck_assert_int_eq(rd_event_type_parse("closed ", &e), -EINVAL);
    ck_assert_int_eq(rd_contact_outcome_parse("answered", &co), -EINVAL);
    ck_assert_int_eq(rd_role_parse("root", &r), -EINVAL);
    ck_assert_str_eq(rd_decision_name((rd_decision_kind)42), "unknown");
    ck_assert_str_eq(rd_rule_name((rd_rule)0), "unknown");
    ck_assert_str_eq(rd_rule_name((rd_rule)8), "unknown");
}
END_TEST

START_TEST(test_names_actions_and_causes)
{
    static const char *const actions[RD_ACTION_COUNT_] = {
        "dispatch",
        "dispatch_to_original_handler",
        "expedite",
        "green_channel",
        "explain_progress",
        "explain_policy",
        "explain_previous_fixed",
        "explain_result",
        "confirm_contact_preferences",
        "require_followup",
        "trace_prior_handling",
        "escalate_to_supervisor",
    };
    static const char *const causes[RD_CAUSE_COUNT] = {
        "prior_contact_failed", "prior_no_followup", "prior_incomplete_record",
        "prior_false_closeout", "prior_unresolved",
    };
    for (int i = 0; i < RD_ACTION_COUNT_; i++)
        ck_assert_str_eq(rd_action_name((rd_action_code)i), actions[i]);
    ck_assert_str_eq(rd_action_name(RD_ACTION_COUNT_), "unknown");
    for (int i = 0; i < RD_CAUSE_COUNT; i++)
        ck_assert_str_eq(rd_root_cause_name((rd_root_cause)(1u << i)), causes[i]);
    ck_assert_str_eq(rd_root_cause_name((rd_root_cause)3), "unknown");
}
END_TEST

static Suite *decide_suite(void)
{
    Suite *s = suite_create("decide");
    TCase *tv = tcase_create("vectors");
    TCase *tm = tcase_create("misc");

    tcase_add_loop_test(tv, test_vector, 0, (int)N_VECTORS);
    tcase_add_test(tm, test_time_macro_matches_timegm);
    tcase_add_test(tm, test_bad_arguments);
    tcase_add_test(tm, test_chain_points_into_inputs);
    tcase_add_test(tm, test_distance);
    tcase_add_test(tm, test_names_round_trip);
    tcase_add_test(tm, test_names_unknown);
    tcase_add_test(tm, test_names_actions_and_causes);
    suite_add_tcase(s, tv);
    suite_add_tcase(s, tm);
    return s;
}

int main(void)
{
    return rd_test_run(decide_suite(), true);
}
