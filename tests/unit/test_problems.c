/* The problem list's pure rules against hand-computed values: transitions, the effect
 * arithmetic, and hotspots at the radius and day boundaries. */
#include "repeatd/problems.h"

#include "rd_test.h"

#include <check.h>
#include <math.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(s)  (1u << RD_PROBLEM_##s)

/* clang-format off */
static const struct {
    rd_problem_status from;
    unsigned allowed;
} transitions[] = {
    {RD_PROBLEM_OPEN,           BIT(IN_PROGRESS)},
    {RD_PROBLEM_IN_PROGRESS,    BIT(VERIFIED_FIXED) | BIT(CLOSED_UNFIXED)},
    {RD_PROBLEM_VERIFIED_FIXED, 0},
    {RD_PROBLEM_CLOSED_UNFIXED, 0},
};
/* clang-format on */

START_TEST(status_transitions)
{
    ck_assert_uint_eq(rd_problem_transitions(transitions[_i].from), transitions[_i].allowed);
    ck_assert(rd_problem_active(transitions[_i].from) == (transitions[_i].allowed != 0));
    rd_problem_status s;
    ck_assert_int_eq(rd_problem_status_parse(rd_problem_status_name(transitions[_i].from), &s), 0);
    ck_assert_int_eq(s, transitions[_i].from);
}
END_TEST

START_TEST(status_names)
{
    rd_problem_status s;
    ck_assert_int_lt(rd_problem_status_parse("closed", &s), 0);
    ck_assert_int_lt(rd_problem_status_parse(NULL, &s), 0);
    ck_assert_ptr_null(rd_problem_status_name(RD_PROBLEM_STATUS_COUNT_));
}
END_TEST

/* Each case: months (the last flag 0 = still running), the start, and what a person works out
 * on paper. NAN = absent. */
typedef struct effect_case {
    const char *name;
    rd_effect_month months[8];
    size_t n;
    int start;
    int before_months, after_months;
    long before_repeats, after_repeats;
    double before_rpm, after_rpm, before_rate, after_rate;
    double change, ratio, rate_change;
} effect_case;

/* clang-format off */
static const effect_case effects[] = {
    /* before: 10+6+8+4 = 28 repeats in 4 months (7/month) of 200 complaints (0.14);
     * after: 5+3+1 = 9 in 3 complete months (3/month) of 140 (9/140); the running month is out.
     * change 3 - 7 = -4, ratio -4/7, rate 9/140 - 0.14. */
    {"halved", {{100, 50, 10, true}, {101, 40, 6, true}, {102, 60, 8, true}, {103, 50, 4, true},
                {104, 50, 5, true}, {105, 50, 3, true}, {106, 40, 1, true}, {107, 30, 0, false}}, 8,
     104, 4, 3, 28, 9, 7.0, 3.0, 0.14, 9.0 / 140, -4.0, -4.0 / 7, 9.0 / 140 - 0.14},
    /* No month since the measures is complete: no after side, no change. */
    {"nothing_after_yet", {{100, 20, 2, true}, {101, 20, 4, true}, {102, 10, 1, false}}, 3,
     102, 2, 0, 6, 0, 3.0, 0.0, 0.15, -1, NAN, NAN, NAN},
    /* No repeats before: a change but no ratio; rates 0 and 2/20. */
    {"from_zero", {{100, 10, 0, true}, {101, 10, 0, true}, {102, 20, 2, true}}, 3,
     102, 2, 1, 0, 2, 0.0, 2.0, 0.0, 0.1, 2.0, NAN, 0.1},
    /* No complaints before: no rate before, so no rate change. */
    {"no_complaints_before", {{100, 0, 0, true}, {101, 10, 1, true}}, 2,
     101, 1, 1, 0, 1, 0.0, 1.0, -1, 0.1, 1.0, NAN, NAN},
    /* Measures before every month shown: everything is after. */
    {"all_after", {{100, 10, 1, true}, {101, 10, 3, true}}, 2,
     90, 0, 2, 0, 4, 0.0, 2.0, -1, 0.2, NAN, NAN, NAN},
};
/* clang-format on */

static void close_to(double got, double want, const char *what, const char *name)
{
    ck_assert_msg(fabs(got - want) < 1e-12, "%s: %s = %.15g, expected %.15g", name, what, got,
                  want);
}

START_TEST(effect_arithmetic)
{
    const effect_case *c = &effects[_i];
    rd_effect e;
    rd_problem_effect(c->months, c->n, c->start, &e);
    ck_assert_int_eq(e.before.months, c->before_months);
    ck_assert_int_eq(e.after.months, c->after_months);
    ck_assert_int_eq(e.before.repeats, c->before_repeats);
    ck_assert_int_eq(e.after.repeats, c->after_repeats);
    close_to(e.before.repeats_per_month, c->before_rpm, "before rpm", c->name);
    close_to(e.after.repeats_per_month, c->after_rpm, "after rpm", c->name);
    close_to(e.before.rate, c->before_rate, "before rate", c->name);
    close_to(e.after.rate, c->after_rate, "after rate", c->name);
    ck_assert_msg(e.has_repeats_change == !isnan(c->change), "%s: change present", c->name);
    if (e.has_repeats_change)
        close_to(e.repeats_change, c->change, "change", c->name);
    ck_assert_msg(e.has_repeats_change_ratio == !isnan(c->ratio), "%s: ratio present", c->name);
    if (e.has_repeats_change_ratio)
        close_to(e.repeats_change_ratio, c->ratio, "ratio", c->name);
    ck_assert_msg(e.has_rate_change == !isnan(c->rate_change), "%s: rate change", c->name);
    if (e.has_rate_change)
        close_to(e.rate_change, c->rate_change, "rate change", c->name);
}
END_TEST

/* Metres due north of 23°N: rd_distance_m is R·Δφ along a meridian, so these are exact. */
#define LAT0     23.0
#define LON0     113.0
#define NORTH(m) (LAT0 + (m) / (6371008.8 * 3.14159265358979323846 / 180.0))
#define DAY      86400
#define T0       1790000000 /* the anchor's second */

typedef struct hotspot_case {
    const char *name;
    rd_hotspot_point points[8]; /* ascending by time */
    size_t n;
    int want, want_citizens;
} hotspot_case;

#define P(dt, m, who)                                                                              \
    {                                                                                              \
        T0 + (dt), NORTH(m), LON0, who                                                             \
    }

/* clang-format off */
static const hotspot_case hotspots[] = {
    {"five_citizens_one_place", {P(-3 * DAY, 0, "a"), P(-2 * DAY, 100, "b"), P(-DAY, 200, "c"), P(-60, 249, "d"), P(0, 0, "e")}, 5, 1, 5},
    {"fifth_just_inside_radius", {P(-DAY, 0, "a"), P(-DAY, 10, "b"), P(-DAY, 20, "c"), P(-DAY, 30, "d"), P(0, 249.9, "e")}, 5, 1, 5},
    {"fifth_just_outside_radius", {P(-DAY, 0, "a"), P(-DAY, 10, "b"), P(-DAY, 20, "c"), P(-DAY, 30, "d"), P(0, 250.1, "e")}, 5, 0, 0},
    {"first_exactly_seven_days_before", {P(-7 * DAY, 0, "a"), P(-DAY, 0, "b"), P(-DAY, 0, "c"), P(-DAY, 0, "d"), P(0, 0, "e")}, 5, 1, 5},
    {"first_a_second_too_early", {P(-7 * DAY - 1, 0, "a"), P(-DAY, 0, "b"), P(-DAY, 0, "c"), P(-DAY, 0, "d"), P(0, 0, "e")}, 5, 0, 0},
    {"one_citizen_twice_counts_once", {P(-DAY, 0, "a"), P(-DAY, 0, "a"), P(-DAY, 0, "c"), P(-DAY, 0, "d"), P(0, 0, "e")}, 5, 0, 0},
    {"six_calls_one_hotspot", {P(-5, 0, "a"), P(-4, 0, "b"), P(-3, 0, "c"), P(-2, 0, "d"), P(-1, 0, "e"), P(0, 0, "f")}, 6, 1, 6},
    {"second_place_too_few", {P(-9, 0, "a"), P(-8, 0, "b"), P(-7, 0, "c"), P(-6, 0, "d"), P(-5, 0, "e"),
                                 P(-4, 5000, "f"), P(-3, 5000, "g"), P(0, 5000, "h")}, 8, 1, 5},
};
/* clang-format on */

START_TEST(hotspot_boundaries)
{
    const hotspot_case *c = &hotspots[_i];
    rd_hotspot_rule rule = {
        .min_citizens = 5, .radius_m = 250, .days = 7, .from = T0 - 30 * DAY, .until = T0 + 1};
    rd_hotspot out[8];
    int n = rd_hotspots_find(c->points, c->n, &rule, out, N_OF(out));
    ck_assert_msg(n == c->want, "%s: %d hotspots, expected %d", c->name, n, c->want);
    if (n > 0) {
        ck_assert_int_eq(out[0].citizens, c->want_citizens);
        ck_assert_int_eq(out[0].tickets, c->want_citizens);
    }
}
END_TEST

/* Two places with five citizens each are two hotspots; three in the second place are none. */
START_TEST(hotspot_two_places)
{
    const rd_hotspot_point pts[] = {
        P(-9, 0, "a"),    P(-8, 0, "b"),    P(-7, 0, "c"),    P(-6, 0, "d"),    P(-5, 0, "e"),
        P(-4, 5000, "f"), P(-3, 5000, "g"), P(-2, 5000, "h"), P(-1, 5000, "i"), P(0, 5000, "j"),
    };
    rd_hotspot_rule rule = {
        .min_citizens = 5, .radius_m = 250, .days = 7, .from = T0 - DAY, .until = T0 + 1};
    rd_hotspot out[4];
    ck_assert_int_eq(rd_hotspots_find(pts, N_OF(pts), &rule, out, N_OF(out)), 2);
    /* Equal citizens: the earlier anchor first. */
    ck_assert_int_eq(out[0].anchor, 4);
    ck_assert_int_eq(out[1].anchor, 9);
    ck_assert_int_eq(out[1].first_at, T0 - 4);
    ck_assert_int_eq(out[1].last_at, T0);
    /* Anchors must lie in the period: the first place's anchors are before it. */
    rule.from = T0 - 4;
    ck_assert_int_eq(rd_hotspots_find(pts, N_OF(pts), &rule, out, N_OF(out)), 1);
    ck_assert_int_eq(out[0].anchor, 9);
    /* At most max. */
    rule.from = T0 - DAY;
    ck_assert_int_eq(rd_hotspots_find(pts, N_OF(pts), &rule, out, 1), 1);
}
END_TEST

static Suite *problems_suite(void)
{
    Suite *s = suite_create("problems");
    TCase *tc = tcase_create("problems");
    tcase_add_loop_test(tc, status_transitions, 0, (int)N_OF(transitions));
    tcase_add_test(tc, status_names);
    tcase_add_loop_test(tc, effect_arithmetic, 0, (int)N_OF(effects));
    tcase_add_loop_test(tc, hotspot_boundaries, 0, (int)N_OF(hotspots));
    tcase_add_test(tc, hotspot_two_places);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(problems_suite(), true);
}
