/* A prior's state as of an instant: each event type folded into the state after intake, one
 * row a case (tests/db/test_demo.c checks the fold against the rows the live path wrote). */
#include "repeatd/prior_state.h"

#include "rd_test.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

/* The state as one line: open|outcome|closed_at|unit|team|handler|deadline|calls|contact|
 * followup|accepted|rejections|unresolved|false. */
static const char *line(const rd_prior *p)
{
    static char buf[1024];
    snprintf(buf, sizeof(buf), "%d|%d|%lld|%s|%s|%s|%lld|%d|%d|%d|%d|%d|%d|%d", p->open,
             (int)p->outcome, (long long)p->closed_at, p->unit, p->team, p->handler,
             p->has_deadline ? (long long)p->deadline : -1LL, p->calls, p->contact_reached,
             p->followup_reached, p->closeout_accepted, p->closeout_rejections,
             p->closeout_unresolved, p->false_closeout);
    return buf;
}

#define DISPATCH(t, u, h, d)                                                                       \
    {                                                                                              \
        .type = RD_EVENT_DISPATCHED, .at = (t), .unit = (u), .team = "T", .handler = (h),          \
        .has_deadline = (d) > 0, .deadline = (d)                                                   \
    }
#define CONTACT(t, ok)                                                                             \
    {                                                                                              \
        .type = RD_EVENT_CONTACT_ATTEMPT, .at = (t), .reached = (ok)                               \
    }
#define CLOSEOUT(t, a, un)                                                                         \
    {                                                                                              \
        .type = RD_EVENT_CLOSEOUT, .at = (t), .accepted = (a), .unresolved = (un)                  \
    }
#define FOLLOWUP(t, ok)                                                                            \
    {                                                                                              \
        .type = RD_EVENT_FOLLOWUP, .at = (t), .reached = (ok)                                      \
    }
#define CLOSED(t, o)                                                                               \
    {                                                                                              \
        .type = RD_EVENT_CLOSED, .at = (t), .outcome = (o)                                         \
    }
#define REOPENED(t)                                                                                \
    {                                                                                              \
        .type = RD_EVENT_REOPENED, .at = (t)                                                       \
    }
#define AUDIT(t, f)                                                                                \
    {                                                                                              \
        .type = RD_EVENT_AUDIT, .at = (t), .false_closeout = (f)                                   \
    }

// clang-format off
static const struct fold_case {
    const char *name;
    rd_prior_fact facts[8];
    size_t n;
    const char *want;
} cases[] = {
    {"nothing yet", {{0}}, 0, "1|0|0||||-1|2|0|0|0|0|0|0"},
    {"dispatched", {DISPATCH(10, "U1", "H1", 99)}, 1, "1|0|0|U1|T|H1|99|2|0|0|0|0|0|0"},
    {"re-dispatched without deadline", {DISPATCH(10, "U1", "H1", 99), DISPATCH(20, "U2", NULL, 0)}, 2,
     "1|0|0|U2|T||-1|2|0|0|0|0|0|0"},
    {"contact failed", {CONTACT(10, false)}, 1, "1|0|0||||-1|2|0|0|0|0|0|0"},
    {"contact failed then reached", {CONTACT(10, false), CONTACT(11, true), CONTACT(12, false)}, 3,
     "1|0|0||||-1|2|1|0|0|0|0|0"},
    {"close-out rejected twice", {CLOSEOUT(10, false, false), CLOSEOUT(11, false, true)}, 2,
     "1|0|0||||-1|2|0|0|0|2|0|0"},
    {"close-out accepted unresolved", {CLOSEOUT(10, false, false), CLOSEOUT(11, true, true)}, 2,
     "1|0|0||||-1|2|0|0|1|1|1|0"},
    {"a later accepted close-out says resolved", {CLOSEOUT(10, true, true), CLOSEOUT(11, true, false)}, 2,
     "1|0|0||||-1|2|0|0|1|0|0|0"},
    {"follow-up reached", {FOLLOWUP(10, true), FOLLOWUP(11, false)}, 2, "1|0|0||||-1|2|0|1|0|0|0|0"},
    {"closed resolved", {CLOSEOUT(10, true, false), CLOSED(20, RD_OUTCOME_RESOLVED)}, 2,
     "0|1|20||||-1|2|0|0|1|0|0|0"},
    {"closed unresolved marks it", {CLOSED(20, RD_OUTCOME_UNRESOLVED)}, 1, "0|2|20||||-1|2|0|0|0|0|1|0"},
    {"reopened: a new close-out and follow-up needed",
     {CONTACT(5, true), CLOSEOUT(10, true, false), FOLLOWUP(11, true), CLOSED(20, RD_OUTCOME_RESOLVED),
      REOPENED(30)}, 5, "1|0|0||||-1|2|1|0|0|0|0|0"},
    {"reopened keeps the rejections and the unresolved mark",
     {CLOSEOUT(9, false, false), CLOSEOUT(10, true, true), CLOSED(20, RD_OUTCOME_UNRESOLVED), REOPENED(30)}, 4,
     "1|0|0||||-1|2|0|0|0|1|1|0"},
    {"audit found it false", {AUDIT(30, true), AUDIT(31, false)}, 2, "1|0|0||||-1|2|0|0|0|0|0|1"},
};
// clang-format on

START_TEST(test_fold)
{
    const struct fold_case *c = &cases[_i];
    /* A prior as the store returned it now, to be taken back: every field set. */
    rd_prior p = {.ticket_id = "P",
                  .received_at = 1,
                  .open = false,
                  .outcome = RD_OUTCOME_WITHDRAWN,
                  .closed_at = 500,
                  .unit = "X",
                  .team = "X",
                  .handler = "X",
                  .has_deadline = true,
                  .deadline = 7,
                  .repeat_ordinal = 3,
                  .chain_id = "C",
                  .calls = 9,
                  .contact_reached = true,
                  .followup_reached = true,
                  .closeout_accepted = true,
                  .closeout_rejections = 4,
                  .closeout_unresolved = true,
                  .false_closeout = true};
    rd_prior_at_intake(&p, 2);
    for (size_t i = 0; i < c->n; i++)
        rd_prior_fold(&p, &c->facts[i]);
    ck_assert_msg(!strcmp(line(&p), c->want), "%s: got %s, expected %s", c->name, line(&p),
                  c->want);
    /* Its identity is kept. */
    ck_assert_str_eq(p.ticket_id, "P");
    ck_assert_str_eq(p.chain_id, "C");
    ck_assert_int_eq(p.repeat_ordinal, 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("prior_state");
    TCase *tc = tcase_create("fold");
    tcase_add_loop_test(tc, test_fold, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    suite_add_tcase(s, tc);
    return rd_test_run(s, true);
}
