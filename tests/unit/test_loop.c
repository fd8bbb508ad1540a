/* The improvement loop's arithmetic against values worked out by hand: a programme's exit
 * criterion, overdue check-ins and verifications, the status changes of a programme. */
#include "repeatd/loop.h"

#include "rd_test.h"

#include <check.h>
#include <string.h>

/* Months as indices: 24300 = 2025-01 (2025 * 12 + 0). */
#define M(n) (24300 + (n))

#define W(n)                                                                                       \
    {                                                                                              \
        M(n), true, true                                                                           \
    } /* ranked, in the bottom N */
#define O(n)                                                                                       \
    {                                                                                              \
        M(n), true, false                                                                          \
    } /* ranked, out of the bottom */
#define U(n)                                                                                       \
    {                                                                                              \
        M(n), false, false                                                                         \
    } /* not ranked (too few complaints) */

static const struct exit_case {
    const char *what;
    rd_loop_month months[8];
    size_t n;
    int opened, last, exit_months;
    int want_out, want_judged;
    bool want_met;
} exit_cases[] = {
    /* clang-format off */
    /* Opened in 2025-01, judged 02..04: watch in 02, out in 03 and 04: a run of 2. */
    {"turned around", {W(0), W(1), O(2), O(3)}, 4, M(0), M(3), 2, 2, 3, true},
    /* The same with 3 required: 2 < 3. */
    {"not long enough", {W(0), W(1), O(2), O(3)}, 4, M(0), M(3), 3, 2, 3, false},
    /* Out, back in the bottom, out again: the relapse restarts the count (1). */
    {"relapse", {O(1), O(2), W(3), O(4)}, 4, M(0), M(4), 2, 1, 4, false},
    /* The opening month does not count, however it ranked. */
    {"opening month ignored", {O(0), W(1)}, 2, M(0), M(1), 1, 0, 1, false},
    /* Nothing judged yet: opened last month. */
    {"nothing judged", {W(0)}, 1, M(0), M(0), 2, 0, 0, false},
    /* A month with no row (no complaints) or unranked is out of the bottom. */
    {"missing and unranked months", {W(1), U(3)}, 2, M(0), M(3), 2, 2, 3, true},
    /* Watch in the latest judged month: 0, however good before. */
    {"bottom now", {O(1), O(2), O(3), W(4)}, 4, M(0), M(4), 1, 0, 4, false},
    /* Months after the last judged one (the current, partial month) are not looked at. */
    {"current month ignored", {O(1), O(2), W(3)}, 3, M(0), M(2), 2, 2, 2, true},
    /* A year boundary: opened 2025-11, judged 2025-12 and 2026-01. */
    {"across the year", {W(10), O(11), O(12)}, 3, M(10), M(12), 2, 2, 2, true},
    /* clang-format on */
};

START_TEST(exit_criterion)
{
    const struct exit_case *c = &exit_cases[_i];
    rd_exit_state st = rd_programme_exit(c->months, c->n, c->opened, c->last, c->exit_months);
    ck_assert_msg(st.months_out == c->want_out && st.months_judged == c->want_judged &&
                      st.met == c->want_met,
                  "%s: got out %d judged %d met %d, want %d %d %d", c->what, st.months_out,
                  st.months_judged, st.met, c->want_out, c->want_judged, c->want_met);
}
END_TEST

#define DAY 86400
#define T0  1767196800 /* 2025-12-31T16:00:00Z = 2026-01-01 00:00 +08:00 */

static const struct overdue_case {
    const char *what;
    long long last;
    int interval;
    long long now;
    bool want;
    int want_days;
    long long want_due;
} overdue_cases[] = {
    /* clang-format off */
    {"due exactly now: not yet",     T0, 7, T0 + 7 * DAY,           false, 0, T0 + 7 * DAY},
    {"one second past due",          T0, 7, T0 + 7 * DAY + 1,       true,  0, T0 + 7 * DAY},
    {"a day and an hour past",       T0, 7, T0 + 8 * DAY + 3600,    true,  1, T0 + 7 * DAY},
    {"ten days past a 3-day rhythm", T0, 3, T0 + 13 * DAY,          true,  10, T0 + 3 * DAY},
    {"well within",                  T0, 14, T0 + 2 * DAY,          false, 0, T0 + 14 * DAY},
    {"now before last (clock skew)", T0, 1, T0 - DAY,               false, 0, T0 + DAY},
    /* clang-format on */
};

START_TEST(overdue)
{
    const struct overdue_case *c = &overdue_cases[_i];
    int64_t due = 0;
    int days = -1;
    bool got = rd_loop_overdue(c->last, c->interval, c->now, &due, &days);
    ck_assert_msg(got == c->want && days == c->want_days && due == c->want_due,
                  "%s: got %d %d days due %lld", c->what, got, days, (long long)due);
}
END_TEST

START_TEST(days_between)
{
    ck_assert_int_eq(rd_loop_days_between(T0, T0), 0);
    ck_assert_int_eq(rd_loop_days_between(T0, T0 + DAY - 1), 0);
    ck_assert_int_eq(rd_loop_days_between(T0, T0 + DAY), 1);
    ck_assert_int_eq(rd_loop_days_between(T0, T0 + 30 * DAY + 5), 30);
    ck_assert_int_eq(rd_loop_days_between(T0 + DAY, T0), 0);
}
END_TEST

/* A manager's record: at most the clock skew ahead, at most N months of 31 days back. */
START_TEST(when_recorded)
{
    ck_assert_int_eq(rd_loop_when(T0, T0, 0), 0);
    ck_assert_int_eq(rd_loop_when(T0 + RD_LOOP_CLOCK_SKEW_S, T0, 0), 0);
    ck_assert_int_eq(rd_loop_when(T0 + RD_LOOP_CLOCK_SKEW_S + 1, T0, 0), 1);
    ck_assert_int_eq(rd_loop_when(T0 - 100 * 31 * DAY, T0, 0), 0); /* no bound back */
    ck_assert_int_eq(rd_loop_when(T0 - 36 * 31 * DAY, T0, 36), 0);
    ck_assert_int_eq(rd_loop_when(T0 - 36 * 31 * DAY - 1, T0, 36), -1);
}
END_TEST

START_TEST(transitions)
{
    const char *allowed[RD_PROGRAMME_STATUS_COUNT_];
    size_t n;
    ck_assert(rd_programme_transition(RD_PROGRAMME_OPEN, RD_PROGRAMME_CLOSED, allowed, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(allowed[0], "closed");
    ck_assert(!rd_programme_transition(RD_PROGRAMME_OPEN, RD_PROGRAMME_OPEN, allowed, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert(!rd_programme_transition(RD_PROGRAMME_CLOSED, RD_PROGRAMME_OPEN, allowed, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert(!rd_programme_transition(RD_PROGRAMME_CLOSED, RD_PROGRAMME_CLOSED, allowed, &n));
    ck_assert_uint_eq(n, 0);
    rd_programme_status s;
    ck_assert_int_eq(rd_programme_status_parse("closed", &s), 0);
    ck_assert_int_eq(s, RD_PROGRAMME_CLOSED);
    ck_assert_int_lt(rd_programme_status_parse("Closed", &s), 0);
    ck_assert_str_eq(rd_programme_status_name(RD_PROGRAMME_OPEN), "open");
}
END_TEST

START_TEST(id_parse)
{
    int64_t id = -1;
    ck_assert_int_eq(rd_loop_id_parse("1", &id), 0);
    ck_assert_int_eq(id, 1);
    ck_assert_int_eq(rd_loop_id_parse("999999999999999999", &id), 0);
    ck_assert(id == INT64_C(999999999999999999));
    const char *bad[] = {NULL, "",   "0",  "00", "07",  "+7",   "-7",
                         " 7", "7 ", "7a", "x",  "1e3", "0x1f", "1000000000000000000"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        id = -1;
        ck_assert_msg(rd_loop_id_parse(bad[i], &id) < 0, "accepted %s", bad[i] ? bad[i] : "NULL");
        ck_assert(id == -1); /* untouched */
    }
}
END_TEST

START_TEST(blank_text)
{
    ck_assert(rd_loop_blank(""));
    ck_assert(rd_loop_blank(" \t\r\n"));
    ck_assert(!rd_loop_blank(NULL));
    ck_assert(!rd_loop_blank(" x "));
    ck_assert(!rd_loop_blank("\xe3\x80\x80")); /* an ideographic space is text */
}
END_TEST

static Suite *loop_suite(void)
{
    Suite *s = suite_create("loop");
    TCase *tc = tcase_create("loop");
    tcase_add_loop_test(tc, exit_criterion, 0, (int)(sizeof(exit_cases) / sizeof(exit_cases[0])));
    tcase_add_loop_test(tc, overdue, 0, (int)(sizeof(overdue_cases) / sizeof(overdue_cases[0])));
    tcase_add_test(tc, days_between);
    tcase_add_test(tc, when_recorded);
    tcase_add_test(tc, transitions);
    tcase_add_test(tc, id_parse);
    tcase_add_test(tc, blank_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(loop_suite(), true);
}
