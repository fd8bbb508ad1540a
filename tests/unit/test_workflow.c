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

static Suite *workflow_suite(void)
{
    Suite *s = suite_create("workflow");
    TCase *tc = tcase_create("workflow");

    tcase_add_loop_test(tc, test_case, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, test_every_combination);
    tcase_add_test(tc, test_step_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(workflow_suite(), true);
}
