/* Workflow enforcement (固化流程): the steps missing before a ticket may be closed. */
#include "repeatd/workflow.h"

#include "rd_test.h"

#include <check.h>

#define D  RD_STEP_DISPATCHED
#define CT RD_STEP_CONTACT
#define CO RD_STEP_CLOSEOUT
#define F  RD_STEP_FOLLOWUP

static const struct wf_case {
    const char *name;
    rd_workflow_state w;
    int attempts; /* contact_failure_attempts; 0: default 3 */
    unsigned want;
} cases[] = {
    {"all_done", {true, true, 0, true, true}, 0, 0},
    {"nothing_done", {false, false, 0, false, false}, 0, D | CT | CO | F},
    {"not_dispatched", {false, true, 0, true, true}, 0, D},
    {"not_reached_no_attempts", {true, false, 0, true, true}, 0, CT},
    {"not_reached_2_failures", {true, false, 2, true, true}, 0, CT},
    {"not_reached_3_failures_stand_in", {true, false, 3, true, true}, 0, 0},
    {"not_reached_4_failures_stand_in", {true, false, 4, true, true}, 0, 0},
    {"reached_after_failures", {true, true, 2, true, true}, 0, 0},
    {"3_failures_not_enough_when_5_required", {true, false, 3, true, true}, 5, CT},
    {"5_failures_when_5_required", {true, false, 5, true, true}, 5, 0},
    {"1_failure_when_1_required", {true, false, 1, true, true}, 1, 0},
    {"no_closeout", {true, true, 0, false, true}, 0, CO},
    {"no_followup", {true, true, 0, true, false}, 0, F},
    {"not_dispatched_no_closeout", {false, true, 0, false, true}, 0, D | CO},
    {"failures_stand_in_rest_missing", {false, false, 3, false, false}, 0, D | CO | F},
};

START_TEST(test_case)
{
    const struct wf_case *c = &cases[_i];
    rd_settings s;

    rd_settings_defaults(&s);
    if (c->attempts)
        ck_assert_int_eq(rd_settings_set_int(&s, "contact_failure_attempts", c->attempts), 0);
    ck_assert_msg(rd_workflow_missing(&c->w, &s) == c->want, "%s: got %#x, expected %#x", c->name,
                  rd_workflow_missing(&c->w, &s), c->want);
}
END_TEST

/* Every combination of the four flags with 0, 2 and 3 failed attempts: each step is
 * missing exactly when its own condition fails, independently of the others. */
START_TEST(test_every_combination)
{
    static const int failures[] = {0, 2, 3};
    rd_settings s;

    rd_settings_defaults(&s);
    for (unsigned bits = 0; bits < 16; bits++) {
        for (size_t k = 0; k < 3; k++) {
            rd_workflow_state w = {
                .dispatched = bits & 1,
                .contact_reached = bits & 2,
                .contact_failures = failures[k],
                .closeout_accepted = bits & 4,
                .followup_recorded = bits & 8,
            };
            unsigned want = (w.dispatched ? 0 : D) |
                            (w.contact_reached || failures[k] >= 3 ? 0 : CT) |
                            (w.closeout_accepted ? 0 : CO) | (w.followup_recorded ? 0 : F);
            ck_assert_uint_eq(rd_workflow_missing(&w, &s), want);
        }
    }
}
END_TEST

START_TEST(test_step_names)
{
    ck_assert_str_eq(rd_step_name(RD_STEP_DISPATCHED), "dispatched");
    ck_assert_str_eq(rd_step_name(RD_STEP_CONTACT), "contact");
    ck_assert_str_eq(rd_step_name(RD_STEP_CLOSEOUT), "closeout");
    ck_assert_str_eq(rd_step_name(RD_STEP_FOLLOWUP), "followup");
    ck_assert_str_eq(rd_step_name((rd_step)(D | CT)), "unknown");
}
END_TEST

/* The order of events: a ticket received at 1000, with an accepted close-out at 3000 and a
 * follow-up at 4000 (closed at 5000 where the row says so), and the event to date. */
enum { RECV = 1000, CLOSEOUT_AT = 3000, FOLLOWUP_AT = 4000, CLOSED_AT = 5000, NOW = 100000 };

/* clang-format off */
static const struct order_case {
    const char *name;
    bool closed;
    rd_event_type type;
    int64_t at, deadline, contact_time; /* 0: not given */
    const char *field;                  /* NULL: in order */
} order_cases[] = {
    {"dispatched at reception",           false, RD_EVENT_DISPATCHED,      RECV,        0,     0,     NULL},
    {"dispatched before reception",       false, RD_EVENT_DISPATCHED,      RECV - 1,    0,     0,     "at"},
    {"deadline after dispatch",           false, RD_EVENT_DISPATCHED,      2000,        2001,  0,     NULL},
    {"deadline at dispatch",              false, RD_EVENT_DISPATCHED,      2000,        2000,  0,     "deadline"},
    {"contact before reception",          false, RD_EVENT_CONTACT_ATTEMPT, 999,         0,     0,     "at"},
    {"contact after reception",           false, RD_EVENT_CONTACT_ATTEMPT, 1500,        0,     0,     NULL},
    {"closeout after its contact",        false, RD_EVENT_CLOSEOUT,        3500,        0,     3400,  NULL},
    {"closeout at its contact",           false, RD_EVENT_CLOSEOUT,        3500,        0,     3500,  NULL},
    {"closeout before its contact",       false, RD_EVENT_CLOSEOUT,        3500,        0,     3600,  "contact_time"},
    {"contact in the future: inspection", false, RD_EVENT_CLOSEOUT,        3500,        0,     NOW + 1, NULL},
    {"followup before the closeout",      false, RD_EVENT_FOLLOWUP,        CLOSEOUT_AT - 1, 0, 0,     "at"},
    {"followup at the closeout",          false, RD_EVENT_FOLLOWUP,        CLOSEOUT_AT, 0,     0,     NULL},
    {"closed before the followup",        false, RD_EVENT_CLOSED,          FOLLOWUP_AT - 1, 0, 0,     "at"},
    {"closed before the closeout",        false, RD_EVENT_CLOSED,          CLOSEOUT_AT - 1, 0, 0,     "at"},
    {"closed after both",                 false, RD_EVENT_CLOSED,          FOLLOWUP_AT, 0,     0,     NULL},
    {"reopened before the closing",       true,  RD_EVENT_REOPENED,        CLOSED_AT - 1, 0,   0,     "at"},
    {"reopened after the closing",        true,  RD_EVENT_REOPENED,        CLOSED_AT,   0,     0,     NULL},
    {"audit before reception",            true,  RD_EVENT_AUDIT,           RECV - 1,    0,     0,     "at"},
    {"audit before the closing",          true,  RD_EVENT_AUDIT,           CLOSED_AT - 1, 0,   0,     NULL},
};
/* clang-format on */

START_TEST(test_event_order)
{
    const struct order_case *c = &order_cases[_i];
    rd_event_times t = {
        .received_at = RECV,
        .closeout_accepted = true,
        .closeout_accepted_at = CLOSEOUT_AT,
        .followup_recorded = true,
        .followup_at = FOLLOWUP_AT,
        .closed = c->closed,
        .closed_at = CLOSED_AT,
    };
    rd_event_when e = {.type = c->type,
                       .at = c->at,
                       .has_deadline = c->deadline != 0,
                       .deadline = c->deadline,
                       .has_contact_time = c->contact_time != 0,
                       .contact_time = c->contact_time,
                       .now = NOW};
    const char *field = NULL, *why = rd_event_out_of_order(&t, &e, &field);
    if (!c->field) {
        ck_assert_msg(why == NULL, "%s: refused (%s)", c->name, why ? why : "");
    } else {
        ck_assert_msg(why != NULL, "%s: accepted", c->name);
        ck_assert_str_eq(field, c->field);
    }
}
END_TEST

static Suite *workflow_suite(void)
{
    Suite *s = suite_create("workflow");
    TCase *tc = tcase_create("workflow");

    tcase_add_loop_test(tc, test_case, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, test_every_combination);
    tcase_add_test(tc, test_step_names);
    tcase_add_loop_test(tc, test_event_order, 0,
                        (int)(sizeof(order_cases) / sizeof(order_cases[0])));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(workflow_suite(), true);
}
