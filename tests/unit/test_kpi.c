/* KPI math: periods, rates, rankings, anomaly scores and aggregate deltas, as table rows. */
#include "repeatd/kpi.h"

#include "rd_test.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#define MI(y, m) ((y)*12 + (m)-1)
#define N_OF(a)  ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- periods ---- */

/* Labels that parse, and the first month they stand for; each must also print back as itself. */
static const struct period_case {
    rd_period_kind k;
    const char *label;
    int first;
} period_cases[] = {
    {RD_PERIOD_MONTH, "2026-10", MI(2026, 10)},   {RD_PERIOD_MONTH, "2026-01", MI(2026, 1)},
    {RD_PERIOD_MONTH, "2025-12", MI(2025, 12)},   {RD_PERIOD_MONTH, "1900-01", MI(1900, 1)},
    {RD_PERIOD_MONTH, "9999-12", MI(9999, 12)},   {RD_PERIOD_QUARTER, "2026-Q1", MI(2026, 1)},
    {RD_PERIOD_QUARTER, "2026-Q2", MI(2026, 4)},  {RD_PERIOD_QUARTER, "2026-Q3", MI(2026, 7)},
    {RD_PERIOD_QUARTER, "2026-Q4", MI(2026, 10)}, {RD_PERIOD_YEAR, "2026", MI(2026, 1)},
    {RD_PERIOD_YEAR, "1900", MI(1900, 1)},        {RD_PERIOD_YEAR, "9999", MI(9999, 1)},
};

START_TEST(test_period_parse_and_label)
{
    const struct period_case *c = &period_cases[_i];
    int first = -1;
    char label[RD_PERIOD_LABEL_MAX];

    ck_assert_msg(rd_period_parse(c->k, c->label, &first) == 0, "%s does not parse", c->label);
    ck_assert_int_eq(first, c->first);
    rd_period_label(c->k, first, label);
    ck_assert_str_eq(label, c->label);
    /* Every month of the period has the same label and start. */
    for (int m = first; m < first + rd_period_months(c->k); m++) {
        rd_period_label(c->k, m, label);
        ck_assert_str_eq(label, c->label);
        ck_assert_int_eq(rd_period_start(c->k, m), first);
    }
}
END_TEST

static const struct period_reject {
    rd_period_kind k;
    const char *label;
} period_rejects[] = {
    {RD_PERIOD_MONTH, NULL},         {RD_PERIOD_MONTH, ""},          {RD_PERIOD_MONTH, "2026-13"},
    {RD_PERIOD_MONTH, "2026-00"},    {RD_PERIOD_MONTH, "2026-1"},    {RD_PERIOD_MONTH, "2026-10 "},
    {RD_PERIOD_MONTH, " 2026-10"},   {RD_PERIOD_MONTH, "2026-10x"},  {RD_PERIOD_MONTH, "2026/10"},
    {RD_PERIOD_MONTH, "1899-12"},    {RD_PERIOD_MONTH, "0000-01"},   {RD_PERIOD_MONTH, "26-10"},
    {RD_PERIOD_MONTH, "20261-10"},   {RD_PERIOD_MONTH, "2026-+1"},   {RD_PERIOD_MONTH, "2026"},
    {RD_PERIOD_MONTH, "2026-Q4"},    {RD_PERIOD_QUARTER, "2026-Q5"}, {RD_PERIOD_QUARTER, "2026-Q0"},
    {RD_PERIOD_QUARTER, "2026-q4"},  {RD_PERIOD_QUARTER, "2026Q4"},  {RD_PERIOD_QUARTER, "2026-Q"},
    {RD_PERIOD_QUARTER, "2026-Q41"}, {RD_PERIOD_QUARTER, "2026-10"}, {RD_PERIOD_QUARTER, "2026"},
    {RD_PERIOD_YEAR, "2026-10"},     {RD_PERIOD_YEAR, "202"},        {RD_PERIOD_YEAR, "20260"},
    {RD_PERIOD_YEAR, "1899"},        {RD_PERIOD_YEAR, "-2026"},      {RD_PERIOD_YEAR, "2026\n"},
    {(rd_period_kind)7, "2026"},
};

START_TEST(test_period_reject)
{
    const struct period_reject *c = &period_rejects[_i];
    int first = 12345;

    ck_assert_msg(rd_period_parse(c->k, c->label, &first) == -EINVAL, "%s parsed",
                  c->label ? c->label : "(null)");
    ck_assert_msg(first == 12345, "output written on failure");
}
END_TEST

START_TEST(test_period_parse_null_output)
{
    ck_assert_int_eq(rd_period_parse(RD_PERIOD_YEAR, "2026", NULL), -EINVAL);
}
END_TEST

/* A label of any kind is told apart by its shape. */
START_TEST(test_period_parse_any)
{
    rd_period_kind k = RD_PERIOD_YEAR;
    int first = -1;
    ck_assert_int_eq(rd_period_parse_any("2026-10", &k, &first), 0);
    ck_assert_int_eq(k, RD_PERIOD_MONTH);
    ck_assert_int_eq(first, MI(2026, 10));
    ck_assert_int_eq(rd_period_parse_any("2026-Q3", &k, &first), 0);
    ck_assert_int_eq(k, RD_PERIOD_QUARTER);
    ck_assert_int_eq(first, MI(2026, 7));
    ck_assert_int_eq(rd_period_parse_any("2026", &k, &first), 0);
    ck_assert_int_eq(k, RD_PERIOD_YEAR);
    ck_assert_int_eq(first, MI(2026, 1));
    const char *bad[] = {NULL, "", "2026-13", "2026-Q5", "2026-", "26", "2026-10-01", "2026 "};
    for (int i = 0; i < N_OF(bad); i++) {
        k = RD_PERIOD_QUARTER;
        first = -1;
        ck_assert_int_eq(rd_period_parse_any(bad[i], &k, &first), -EINVAL);
        ck_assert_int_eq(k, RD_PERIOD_QUARTER); /* untouched */
        ck_assert_int_eq(first, -1);
    }
}
END_TEST

/* Period starts around year boundaries: the quarter of December starts in October. */
static const struct start_case {
    rd_period_kind k;
    int month, want;
} start_cases[] = {
    {RD_PERIOD_MONTH, MI(2026, 12), MI(2026, 12)},
    {RD_PERIOD_QUARTER, MI(2026, 12), MI(2026, 10)},
    {RD_PERIOD_QUARTER, MI(2026, 10), MI(2026, 10)},
    {RD_PERIOD_QUARTER, MI(2026, 9), MI(2026, 7)},
    {RD_PERIOD_QUARTER, MI(2027, 1), MI(2027, 1)},
    {RD_PERIOD_QUARTER, MI(2027, 3), MI(2027, 1)},
    {RD_PERIOD_YEAR, MI(2026, 12), MI(2026, 1)},
    {RD_PERIOD_YEAR, MI(2027, 1), MI(2027, 1)},
    {RD_PERIOD_MONTH, MI(2027, 1), MI(2027, 1)},
};

START_TEST(test_period_start)
{
    const struct start_case *c = &start_cases[_i];
    ck_assert_int_eq(rd_period_start(c->k, c->month), c->want);
}
END_TEST

START_TEST(test_period_extremes_do_not_crash)
{
    char label[RD_PERIOD_LABEL_MAX];
    for (int k = RD_PERIOD_MONTH; k <= RD_PERIOD_YEAR; k++) {
        ck_assert_int_le(rd_period_start((rd_period_kind)k, INT_MAX), INT_MAX);
        ck_assert_int_eq(rd_period_start((rd_period_kind)k, INT_MIN), INT_MIN);
        rd_period_label((rd_period_kind)k, INT_MAX, label);
        rd_period_label((rd_period_kind)k, INT_MIN, label);
        ck_assert_int_lt((int)strlen(label), RD_PERIOD_LABEL_MAX);
    }
    rd_period_label(RD_PERIOD_QUARTER, MI(-1, 12), label);
    ck_assert_str_eq(label, "-001-Q4");
}
END_TEST

START_TEST(test_period_kind_names)
{
    static const char *const names[] = {"month", "quarter", "year"};
    for (int k = 0; k < N_OF(names); k++) {
        rd_period_kind got;
        ck_assert_int_eq(rd_period_kind_parse(names[k], &got), 0);
        ck_assert_int_eq(got, k);
        ck_assert_str_eq(rd_period_kind_name((rd_period_kind)k), names[k]);
    }
    ck_assert_int_eq(rd_period_months(RD_PERIOD_MONTH), 1);
    ck_assert_int_eq(rd_period_months(RD_PERIOD_QUARTER), 3);
    ck_assert_int_eq(rd_period_months(RD_PERIOD_YEAR), 12);

    rd_period_kind got = RD_PERIOD_YEAR;
    ck_assert_int_eq(rd_period_kind_parse("Month", &got), -EINVAL);
    ck_assert_int_eq(rd_period_kind_parse("week", &got), -EINVAL);
    ck_assert_int_eq(rd_period_kind_parse(NULL, &got), -EINVAL);
    ck_assert_int_eq(rd_period_kind_parse("month", NULL), -EINVAL);
    ck_assert_int_eq(got, RD_PERIOD_YEAR);
    ck_assert_str_eq(rd_period_kind_name((rd_period_kind)9), "unknown");
}
END_TEST

/* ---- rates ---- */

static const struct rate_case {
    long num, den;
    double want;
} rate_cases[] = {
    {0, 0, -1.0}, {5, 0, -1.0}, {0, 10, 0.0}, {1, 4, 0.25}, {3, 3, 1.0}, {7, 2, 3.5},
};

START_TEST(test_rate)
{
    const struct rate_case *c = &rate_cases[_i];
    ck_assert_double_eq(rd_rate(c->num, c->den), c->want);
}
END_TEST

/* ---- ranking ---- */

#define RANK_ROWS_MAX 8
#define NO_TARGET     -1.0

/* A ranking: rows in (complaints, repeats, target or NO_TARGET), and what each row gets. */
typedef struct rank_case {
    const char *name;
    long min_complaints;
    int bottom_n;
    size_t n;
    struct {
        long complaints, repeats;
        double target;
    } in[RANK_ROWS_MAX];
    struct {
        bool ranked;
        int rank, target_met;
        bool watch;
    } want[RANK_ROWS_MAX];
} rank_case;

/* clang-format off */
static const rank_case rank_cases[] = {
    {"ties_share_rank_competition_style", 0, 0, 4, {{10, 1, NO_TARGET}, {10, 2, NO_TARGET}, {20, 4, NO_TARGET}, {10, 5, NO_TARGET}}, {{true, 1, -1, false}, {true, 2, -1, false}, {true, 2, -1, false}, {true, 4, -1, false}}},
    {"input_order_kept", 0, 1, 3, {{10, 5, NO_TARGET}, {10, 0, NO_TARGET}, {10, 2, NO_TARGET}}, {{true, 3, -1, true}, {true, 1, -1, false}, {true, 2, -1, false}}},
    {"below_min_volume_listed_unranked", 20, 1, 3, {{19, 0, NO_TARGET}, {20, 2, NO_TARGET}, {40, 8, NO_TARGET}}, {{false, 0, -1, false}, {true, 1, -1, false}, {true, 2, -1, true}}},
    {"unranked_row_does_not_push_ranks", 20, 0, 3, {{5, 5, NO_TARGET}, {20, 2, NO_TARGET}, {30, 6, NO_TARGET}}, {{false, 0, -1, false}, {true, 1, -1, false}, {true, 2, -1, false}}},
    {"bottom_2_with_tie_at_boundary_flags_three", 0, 2, 5, {{10, 1, NO_TARGET}, {10, 2, NO_TARGET}, {10, 3, NO_TARGET}, {10, 3, NO_TARGET}, {10, 5, NO_TARGET}}, {{true, 1, -1, false}, {true, 2, -1, false}, {true, 3, -1, true}, {true, 3, -1, true}, {true, 5, -1, true}}},
    {"bottom_1_all_tied_flags_all", 0, 1, 3, {{10, 2, NO_TARGET}, {5, 1, NO_TARGET}, {20, 4, NO_TARGET}}, {{true, 1, -1, true}, {true, 1, -1, true}, {true, 1, -1, true}}},
    {"bottom_n_larger_than_ranked_flags_all_ranked", 10, 5, 3, {{10, 2, NO_TARGET}, {5, 1, NO_TARGET}, {20, 1, NO_TARGET}}, {{true, 2, -1, true}, {false, 0, -1, false}, {true, 1, -1, true}}},
    {"bottom_0_flags_none", 0, 0, 2, {{10, 2, NO_TARGET}, {10, 9, NO_TARGET}}, {{true, 1, -1, false}, {true, 2, -1, false}}},
    {"targets_met_missed_absent_and_exact", 0, 0, 4, {{10, 1, 0.15}, {10, 2, 0.15}, {10, 1, NO_TARGET}, {10, 1, 0.1}}, {{true, 1, 1, false}, {true, 4, 0, false}, {true, 1, -1, false}, {true, 1, 1, false}}},
    {"exact_target_from_other_fraction", 0, 0, 1, {{30, 9, 0.3}}, {{true, 1, 1, false}}},
    {"target_judged_for_unranked_rows_too", 20, 0, 2, {{5, 0, 0.1}, {5, 3, 0.1}}, {{false, 0, 1, false}, {false, 0, 0, false}}},
    {"zero_complaints_no_rate_no_rank_no_target", 0, 3, 2, {{0, 0, 0.1}, {10, 1, 0.1}}, {{false, 0, -1, false}, {true, 1, 1, true}}},
    {"min_complaints_0_still_needs_one_complaint", 0, 1, 2, {{0, 0, NO_TARGET}, {1, 1, NO_TARGET}}, {{false, 0, -1, false}, {true, 1, -1, true}}},
};
/* clang-format on */

START_TEST(test_rank)
{
    const rank_case *c = &rank_cases[_i];
    rd_rank_row rows[RANK_ROWS_MAX];

    for (size_t i = 0; i < c->n; i++)
        rows[i] = (rd_rank_row){
            .complaints = c->in[i].complaints,
            .repeats = c->in[i].repeats,
            .has_target = c->in[i].target != NO_TARGET,
            .target = c->in[i].target,
            /* Stale outputs, to be overwritten. */
            .rank = 99,
            .target_met = 99,
            .watch = true,
            .ranked = true,
        };
    rd_rank(rows, c->n, c->min_complaints, c->bottom_n);

    for (size_t i = 0; i < c->n; i++) {
        const rd_rank_row *r = &rows[i];
        ck_assert_msg(r->complaints == c->in[i].complaints, "%s row %zu: input moved", c->name, i);
        ck_assert_msg(r->rate == rd_rate(c->in[i].repeats, c->in[i].complaints), "%s row %zu rate",
                      c->name, i);
        ck_assert_msg(r->ranked == c->want[i].ranked, "%s row %zu ranked %d", c->name, i,
                      r->ranked);
        ck_assert_msg(r->rank == c->want[i].rank, "%s row %zu rank %d, expected %d", c->name, i,
                      r->rank, c->want[i].rank);
        ck_assert_msg(r->target_met == c->want[i].target_met,
                      "%s row %zu target_met %d, expected %d", c->name, i, r->target_met,
                      c->want[i].target_met);
        ck_assert_msg(r->watch == c->want[i].watch, "%s row %zu watch %d", c->name, i, r->watch);
    }
}
END_TEST

START_TEST(test_rank_empty)
{
    rd_rank(NULL, 0, 20, 3);
    rd_rank(NULL, 5, 20, 3);
}
END_TEST

/* ---- anomalies ---- */

#define NO_P -1.0

/* clang-format off */
static const struct anomaly_case {
    const char *name;
    long observed;
    long history[6];
    size_t n_history;
    double min_score;
    long min_observed;
    double want_baseline, want_p, want_score; /* want_p, want_score NO_P: only bounds checked */
    bool want_flagged;
} anomaly_cases[] = {
    /* 1 - e^-0.5: one call against a quiet past is mildly surprising, but under min_observed. */
    {"quiet_past_one_call_not_flagged", 1, {0, 0, 0}, 3, 3.0, 3, 0.5, 0.39346934028736658, 0.405089102854537, false},
    {"no_history_uses_floor", 1, {0}, 0, 0.0, 1, 0.5, 0.39346934028736658, 0.405089102854537, true},
    {"six_against_one_flagged", 6, {1, 1, 1, 1}, 4, 3.0, 3, 1.0, 5.94184817581693e-4, 3.22607844934274, true},
    {"six_against_one_needs_min_observed", 6, {2, 0, 1, 1}, 4, 3.0, 7, 1.0, 5.94184817581693e-4, 3.22607844934274, false},
    {"six_against_one_needs_min_score", 6, {1, 1, 1, 1}, 4, 3.5, 3, 1.0, 5.94184817581693e-4, 3.22607844934274, false},
    {"observed_at_baseline_scores_0", 4, {3, 5}, 2, 0.0, 0, 4.0, NO_P, 0.0, true},
    {"observed_below_baseline_scores_0", 2, {3, 5}, 2, 1.0, 0, 4.0, NO_P, 0.0, false},
    {"observed_0_p_1", 0, {3, 5}, 2, 1.0, 0, 4.0, 1.0, 0.0, false},
    {"history_mean_fractional", 2, {1, 0}, 2, 0.0, 0, 0.5, 0.090204010431049865, 1.04477415348515, true},
    /* About 3.3 sigma; checked against mpmath's regularized incomplete gamma. */
    {"large_counts_1000_vs_900", 1000, {900, 900, 900}, 3, 3.0, 3, 900.0, NO_P, 3.25971449093078, true},
    {"underflowing_p_caps_score", 10000, {1, 1}, 2, 3.0, 3, 1.0, 0.0, 300.0, true},
};
/* clang-format on */

START_TEST(test_anomaly)
{
    const struct anomaly_case *c = &anomaly_cases[_i];
    rd_anomaly a =
        rd_anomaly_score(c->observed, c->history, c->n_history, c->min_score, c->min_observed);

    ck_assert_msg(fabs(a.baseline - c->want_baseline) < 1e-12, "%s: baseline %g", c->name,
                  a.baseline);
    ck_assert_msg(isfinite(a.p_value) && a.p_value >= 0.0 && a.p_value <= 1.0, "%s: p %g", c->name,
                  a.p_value);
    ck_assert_msg(isfinite(a.score) && a.score >= 0.0 && a.score <= 300.0, "%s: score %g", c->name,
                  a.score);
    if (c->want_p != NO_P)
        ck_assert_msg(fabs(a.p_value - c->want_p) <= 1e-12 * c->want_p + 1e-300,
                      "%s: p %.17g, expected %.17g", c->name, a.p_value, c->want_p);
    if (c->want_score != NO_P)
        ck_assert_msg(fabs(a.score - c->want_score) < 1e-9, "%s: score %.15g, expected %.15g",
                      c->name, a.score, c->want_score);
    ck_assert_msg(a.flagged == c->want_flagged, "%s: flagged %d", c->name, a.flagged);
}
END_TEST

/* 1000 against 900: about 3.3 sigma; the score must be a sane finite number near the normal
 * approximation (p ~ 5.5e-4, score ~ 3.26), not NaN or inf from e^-900 or 1000!. */
START_TEST(test_anomaly_large_counts)
{
    long h[] = {900};
    rd_anomaly a = rd_anomaly_score(1000, h, 1, 3.0, 3);
    ck_assert(isfinite(a.score));
    ck_assert_double_gt(a.score, 2.5);
    ck_assert_double_lt(a.score, 4.0);

    /* Monotone in the observed count, and continuous across the mean. */
    double last = 0.0;
    for (long obs = 850; obs <= 1100; obs++) {
        rd_anomaly b = rd_anomaly_score(obs, h, 1, 3.0, 3);
        ck_assert_msg(isfinite(b.p_value) && b.p_value > 0.0 && b.p_value <= 1.0, "obs %ld p %g",
                      obs, b.p_value);
        ck_assert_msg(b.score >= last, "obs %ld: score %g below %g", obs, b.score, last);
        last = b.score;
    }

    /* Huge baselines and counts stay finite. */
    long big[] = {100000000};
    rd_anomaly c = rd_anomaly_score(100050000, big, 1, 3.0, 3);
    ck_assert(isfinite(c.score) && c.score > 0.0 && c.score < 300.0);
    rd_anomaly d = rd_anomaly_score(LONG_MAX, big, 1, 3.0, 3);
    ck_assert_double_eq(d.score, 300.0);
    ck_assert(d.flagged);
}
END_TEST

/* The tail against a direct sum of the pmf, for every small case. */
START_TEST(test_anomaly_matches_direct_sum)
{
    for (long base = 1; base <= 12; base++) {
        for (long obs = 0; obs <= 40; obs++) {
            double lambda = (double)base, pmf = exp(-lambda), below = 0.0;
            for (long j = 0; j < obs; j++) {
                below += pmf;
                pmf *= lambda / (double)(j + 1);
            }
            /* Above the mean the tail is summed upward, to avoid 1 - (1 - tiny). */
            double tail = 0.0, t = pmf;
            for (long j = obs; j < obs + 200; j++) {
                tail += t;
                t *= lambda / (double)(j + 1);
            }
            double want = obs <= base ? 1.0 - below : tail;
            rd_anomaly a = rd_anomaly_score(obs, &base, 1, 0.0, 0);
            ck_assert_msg(fabs(a.p_value - want) <= 1e-12 * want + 1e-15,
                          "base %ld obs %ld: p %.17g, expected %.17g", base, obs, a.p_value, want);
        }
    }
}
END_TEST

START_TEST(test_anomaly_null_history)
{
    rd_anomaly a = rd_anomaly_score(1, NULL, 5, 0.0, 0);
    ck_assert_double_eq(a.baseline, RD_ANOMALY_BASELINE_FLOOR);
}
END_TEST

/* ---- names ---- */

START_TEST(test_kpi_names)
{
    static const char *const metrics[] = {"complaints",          "repeats",
                                          "contacted",           "first_contact_failed",
                                          "closeouts_inspected", "closeouts_rejected",
                                          "false_closeouts"};
    static const char *const dims[] = {"total",    "unit",          "team",    "handler",
                                       "category", "unit_category", "decision"};

    ck_assert_int_eq(N_OF(metrics), RD_KPI_METRIC_COUNT_);
    ck_assert_int_eq(N_OF(dims), RD_DIM_COUNT_);
    for (int m = 0; m < RD_KPI_METRIC_COUNT_; m++)
        ck_assert_str_eq(rd_kpi_metric_name((rd_kpi_metric)m), metrics[m]);
    for (int d = 0; d < RD_DIM_COUNT_; d++) {
        rd_kpi_dim got;
        ck_assert_str_eq(rd_kpi_dim_name((rd_kpi_dim)d), dims[d]);
        ck_assert_int_eq(rd_kpi_dim_parse(dims[d], &got), 0);
        ck_assert_int_eq(got, d);
    }
    rd_kpi_dim got = RD_DIM_TEAM;
    ck_assert_int_eq(rd_kpi_dim_parse("Unit", &got), -EINVAL);
    ck_assert_int_eq(rd_kpi_dim_parse("complaints", &got), -EINVAL);
    ck_assert_int_eq(rd_kpi_dim_parse(NULL, &got), -EINVAL);
    ck_assert_int_eq(rd_kpi_dim_parse("unit", NULL), -EINVAL);
    ck_assert_int_eq(got, RD_DIM_TEAM);
    ck_assert_str_eq(rd_kpi_metric_name(RD_KPI_METRIC_COUNT_), "unknown");
    ck_assert_str_eq(rd_kpi_dim_name((rd_kpi_dim)-1), "unknown");
}
END_TEST

/* ---- deltas ---- */

#define MONTH   MI(2026, 10)
#define VERSION 3
#define CAT     "0301"

typedef enum op {
    OP_INTAKE,
    OP_DISPATCH,
} op;

/* An expected entry: dim, key, complaints, repeats (other metrics must be 0). */
typedef struct want_delta {
    rd_kpi_dim dim;
    const char *key;
    long complaints, repeats;
} want_delta;

typedef struct delta_case {
    const char *name;
    op op;
    bool creates_work_order, counts_as_repeat; /* intake */
    rd_assignment a, b;                        /* intake: prior = a; dispatch: a -> b */
    bool a_null;                               /* pass NULL instead of &a */
    want_delta want[RD_KPI_DELTAS_MAX];
    size_t n_want;
} delta_case;

#define WANT(...)                                                                                  \
    .want = {__VA_ARGS__}, .n_want = sizeof((want_delta[]){__VA_ARGS__}) / sizeof(want_delta)

#define WHO(u, t, h)                                                                               \
    {                                                                                              \
        .unit = u, .team = t, .handler = h                                                         \
    }
#define TOTAL    RD_DIM_TOTAL
#define UNIT     RD_DIM_UNIT
#define TEAM     RD_DIM_TEAM
#define HANDLER  RD_DIM_HANDLER
#define CATEGORY RD_DIM_CATEGORY
#define UNITCAT  RD_DIM_UNIT_CATEGORY

/* clang-format off */
static const delta_case delta_cases[] = {
    {"intake_new_ticket", OP_INTAKE, true, false, .a = WHO("U01", "T3", "H17"), WANT({TOTAL, "", 1, 0}, {CATEGORY, CAT, 1, 0})},
    {"intake_repeat_of_U01_T3_H17", OP_INTAKE, true, true, .a = WHO("U01", "T3", "H17"), WANT({TOTAL, "", 1, 1}, {CATEGORY, CAT, 1, 1}, {UNIT, "U01", 0, 1}, {TEAM, "T3", 0, 1}, {HANDLER, "H17", 0, 1}, {UNITCAT, CAT "/U01", 0, 1})},
    {"intake_repeat_without_prior", OP_INTAKE, true, true, .a_null = true, WANT({TOTAL, "", 1, 1}, {CATEGORY, CAT, 1, 1})},
    {"intake_excluded_call_adds_nothing", OP_INTAKE, false, false, .a = WHO("U01", "T3", "H17"), .n_want = 0},
    {"dispatch_from_empty", OP_DISPATCH, .a = WHO("", "", ""), .b = WHO("U01", "T3", "H17"), WANT({UNIT, "U01", 1, 0}, {TEAM, "T3", 1, 0}, {HANDLER, "H17", 1, 0}, {UNITCAT, CAT "/U01", 1, 0})},
    {"dispatch_from_null_is_from_empty", OP_DISPATCH, .a_null = true, .b = WHO("U01", "T3", "H17"), WANT({UNIT, "U01", 1, 0}, {TEAM, "T3", 1, 0}, {HANDLER, "H17", 1, 0}, {UNITCAT, CAT "/U01", 1, 0})},
    {"redispatch_other_handler_only", OP_DISPATCH, .a = WHO("U01", "T3", "H17"), .b = WHO("U01", "T3", "H18"), WANT({HANDLER, "H17", -1, 0}, {HANDLER, "H18", 1, 0})},
    {"redispatch_other_unit_same_team_code", OP_DISPATCH, .a = WHO("U01", "T3", "H17"), .b = WHO("U02", "T3", "H17"), WANT({UNIT, "U01", -1, 0}, {UNIT, "U02", 1, 0}, {UNITCAT, CAT "/U01", -1, 0}, {UNITCAT, CAT "/U02", 1, 0})},
    {"dispatch_without_change_adds_nothing", OP_DISPATCH, .a = WHO("U01", "T3", "H17"), .b = WHO("U01", "T3", "H17"), .n_want = 0},
};
/* clang-format on */

/* Field by field: struct padding may differ between two equal lists. */
static bool deltas_eq(const rd_kpi_deltas *a, const rd_kpi_deltas *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const rd_kpi_delta *x = &a->d[i], *y = &b->d[i];
        if (x->dim != y->dim || strcmp(x->key, y->key) != 0 || x->month != y->month ||
            x->version != y->version || memcmp(x->values, y->values, sizeof(x->values)) != 0)
            return false;
    }
    return true;
}

static const rd_kpi_delta *find(const rd_kpi_deltas *ds, rd_kpi_dim dim, const char *key)
{
    for (size_t i = 0; i < ds->n; i++)
        if (ds->d[i].dim == dim && strcmp(ds->d[i].key, key) == 0)
            return &ds->d[i];
    return NULL;
}

START_TEST(test_deltas)
{
    const delta_case *c = &delta_cases[_i];
    rd_kpi_deltas ds = {.n = 0};
    const rd_assignment *a = c->a_null ? NULL : &c->a;

    if (c->op == OP_INTAKE)
        rd_kpi_intake(&ds, CAT, MONTH, VERSION, c->creates_work_order, c->counts_as_repeat, a);
    else
        rd_kpi_dispatch(&ds, CAT, MONTH, VERSION, a, &c->b);

    ck_assert_msg(ds.n == c->n_want, "%s: %zu entries, expected %zu", c->name, ds.n, c->n_want);
    for (size_t i = 0; i < c->n_want; i++) {
        const want_delta *w = &c->want[i];
        const rd_kpi_delta *d = find(&ds, w->dim, w->key);
        ck_assert_msg(d != NULL, "%s: no %s \"%s\"", c->name, rd_kpi_dim_name(w->dim), w->key);
        ck_assert_int_eq(d->month, MONTH);
        ck_assert_int_eq(d->version, VERSION);
        for (int m = 0; m < RD_KPI_METRIC_COUNT_; m++) {
            long want = m == RD_KPI_COMPLAINTS ? w->complaints
                        : m == RD_KPI_REPEATS  ? w->repeats
                                               : 0;
            ck_assert_msg(d->values[m] == want, "%s: %s \"%s\" %s = %ld, expected %ld", c->name,
                          rd_kpi_dim_name(w->dim), w->key, rd_kpi_metric_name((rd_kpi_metric)m),
                          d->values[m], want);
        }
    }
}
END_TEST

/* rd_kpi_add merges by (dim, key, month, version) and keeps entries that come to zero. */
START_TEST(test_kpi_add_merges_and_keeps_zeros)
{
    rd_kpi_deltas ds = {.n = 0};
    rd_assignment who = WHO("U01", "T3", "H17");

    rd_kpi_add(&ds, &who, CAT, MONTH, VERSION, RD_KPI_CONTACTED, 1);
    rd_kpi_add(&ds, &who, CAT, MONTH, VERSION, RD_KPI_FIRST_CONTACT_FAILED, 1);
    ck_assert_uint_eq(ds.n, 5);
    ck_assert_int_eq(find(&ds, UNIT, "U01")->values[RD_KPI_CONTACTED], 1);
    ck_assert_int_eq(find(&ds, UNIT, "U01")->values[RD_KPI_FIRST_CONTACT_FAILED], 1);

    rd_kpi_add(&ds, &who, CAT, MONTH, VERSION, RD_KPI_CONTACTED, -1);
    rd_kpi_add(&ds, &who, CAT, MONTH, VERSION, RD_KPI_FIRST_CONTACT_FAILED, -1);
    ck_assert_uint_eq(ds.n, 5);
    ck_assert_int_eq(find(&ds, TOTAL, "")->values[RD_KPI_CONTACTED], 0);

    /* Another month or version is another entry; with NULL who only the total and the
     * category (NULL: "") count. */
    rd_kpi_add(&ds, &who, CAT, MONTH + 1, VERSION, RD_KPI_CONTACTED, 1);
    ck_assert_uint_eq(ds.n, 10);
    rd_kpi_deltas other = {.n = 0};
    rd_kpi_add(&other, NULL, NULL, MONTH, VERSION + 1, RD_KPI_CLOSEOUTS_INSPECTED, 2);
    ck_assert_uint_eq(other.n, 2);
    for (size_t i = 0; i < other.n; i++) {
        ck_assert_str_eq(other.d[i].key, "");
        ck_assert_int_eq(other.d[i].version, VERSION + 1);
        ck_assert_int_eq(other.d[i].values[RD_KPI_CLOSEOUTS_INSPECTED], 2);
    }

    /* A bad metric or list is ignored. */
    rd_kpi_add(&other, NULL, NULL, MONTH, VERSION, RD_KPI_METRIC_COUNT_, 1);
    rd_kpi_add(NULL, &who, CAT, MONTH, VERSION, RD_KPI_COMPLAINTS, 1);
    ck_assert_uint_eq(other.n, 2);
}
END_TEST

/* An over-long key is cut to the key slot, still NUL-terminated, and still merges. */
START_TEST(test_kpi_add_long_category)
{
    char cat[RD_ID_MAX + 100];
    memset(cat, 'c', sizeof(cat) - 1);
    cat[sizeof(cat) - 1] = '\0';
    rd_kpi_deltas ds = {.n = 0};

    rd_kpi_add(&ds, NULL, cat, MONTH, VERSION, RD_KPI_REPEATS, 1);
    rd_kpi_add(&ds, NULL, cat, MONTH, VERSION, RD_KPI_REPEATS, 1);
    ck_assert_uint_eq(ds.n, 2);
    ck_assert_uint_eq(strlen(ds.d[1].key), RD_ID_MAX - 1);
    ck_assert_int_eq(ds.d[1].values[RD_KPI_REPEATS], 2);
}
END_TEST

/* The unit's leaf key: "leaf/unit", nothing when either is empty or they do not fit; only
 * complaints and repeats count there. */
START_TEST(test_unit_category_key)
{
    char key[RD_ID_MAX], unit[RD_ID_MAX];
    ck_assert(rd_kpi_unit_category_key("HB.ZS.JZ", "U01", key));
    ck_assert_str_eq(key, "HB.ZS.JZ/U01");
    ck_assert(!rd_kpi_unit_category_key("HB.ZS.JZ", "", key));
    ck_assert_str_eq(key, "");
    ck_assert(!rd_kpi_unit_category_key(NULL, "U01", key));
    memset(unit, 'u', sizeof(unit) - 1);
    unit[RD_ID_MAX - 1 - strlen("0301/")] = '\0'; /* fits exactly */
    ck_assert(rd_kpi_unit_category_key(CAT, unit, key));
    ck_assert_uint_eq(strlen(key), RD_ID_MAX - 1);
    unit[RD_ID_MAX - 1 - strlen("0301/")] = 'u';
    unit[RD_ID_MAX - strlen("0301/")] = '\0'; /* one too many */
    ck_assert(!rd_kpi_unit_category_key(CAT, unit, key));

    rd_kpi_deltas ds = {.n = 0};
    rd_assignment who = WHO("U01", "T3", "H17");
    rd_kpi_add(&ds, &who, CAT, MONTH, VERSION, RD_KPI_CLOSEOUTS_INSPECTED, 1);
    ck_assert_ptr_null(find(&ds, UNITCAT, CAT "/U01"));
    rd_kpi_add(&ds, &who, CAT, MONTH, VERSION, RD_KPI_REPEATS, 1);
    ck_assert_int_eq(find(&ds, UNITCAT, CAT "/U01")->values[RD_KPI_REPEATS], 1);
}
END_TEST

/* A full list is never written past, and each call lands whole or not at all, so that the
 * total always equals the sum over units. */
START_TEST(test_kpi_deltas_full)
{
    rd_kpi_deltas ds = {.n = 0};
    rd_assignment who = WHO("U01", "T3", "H17");

    /* Three months fill 18 of 24 slots (six dimensions each); a fourth fits exactly, a fifth
     * needs 6 more and is refused whole. */
    for (int m = 0; m < 5; m++)
        rd_kpi_add(&ds, &who, CAT, MONTH + m, VERSION, RD_KPI_COMPLAINTS, 1);
    ck_assert_uint_eq(ds.n, 24);
    /* Merging into existing entries still works when full. */
    rd_kpi_add(&ds, &who, CAT, MONTH, VERSION, RD_KPI_COMPLAINTS, 1);
    ck_assert_int_eq(find(&ds, HANDLER, "H17")->values[RD_KPI_COMPLAINTS], 2);

    /* A dispatch or intake that does not fit leaves the list as it was. */
    rd_kpi_deltas before = ds;
    rd_assignment to = WHO("U02", "T4", "H18");
    rd_kpi_dispatch(&ds, CAT, MONTH, VERSION, &who, &to);
    ck_assert(deltas_eq(&ds, &before));
    rd_kpi_intake(&ds, CAT, MONTH + 7, VERSION, true, true, &who);
    ck_assert(deltas_eq(&ds, &before));

    rd_kpi_intake(NULL, CAT, MONTH, VERSION, true, true, &who);
    rd_kpi_dispatch(NULL, CAT, MONTH, VERSION, &who, &to);
}
END_TEST

/* Every ticket counts once under its decision, excluded calls too, in its month and version:
 * two tickets of one decision make one entry of 2, another decision or month its own. Nothing
 * else adds to the decision dimension, and a call with nothing to name adds nothing. */
START_TEST(test_kpi_decided)
{
    rd_kpi_deltas ds = {.n = 0};
    rd_kpi_intake(&ds, CAT, MONTH, VERSION, false, false, NULL); /* an excluded call */
    ck_assert_uint_eq(ds.n, 0);
    rd_kpi_decided(&ds, "excluded_in_progress", MONTH, VERSION);
    rd_kpi_decided(&ds, "excluded_in_progress", MONTH, VERSION);
    rd_kpi_decided(&ds, "repeat", MONTH, VERSION);
    rd_kpi_decided(&ds, "repeat", MONTH + 1, VERSION);
    rd_kpi_decided(&ds, "", MONTH, VERSION);
    rd_kpi_decided(&ds, NULL, MONTH, VERSION);
    rd_kpi_decided(NULL, "new", MONTH, VERSION);
    ck_assert_uint_eq(ds.n, 3);
    const rd_kpi_delta *d = find(&ds, RD_DIM_DECISION, "excluded_in_progress");
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(d->month, MONTH);
    ck_assert_int_eq(d->version, VERSION);
    for (int m = 0; m < RD_KPI_METRIC_COUNT_; m++)
        ck_assert_int_eq(d->values[m], m == RD_KPI_COMPLAINTS ? 2 : 0);
    ck_assert_int_eq(ds.d[1].values[RD_KPI_COMPLAINTS], 1);
    ck_assert_int_eq(ds.d[2].month, MONTH + 1);

    /* A ticket's other deltas never reach the decision rows. */
    rd_assignment who = WHO("U01", "T3", "H17");
    rd_kpi_intake(&ds, CAT, MONTH, VERSION, true, true, &who);
    rd_kpi_add(&ds, &who, CAT, MONTH, VERSION, RD_KPI_CONTACTED, 1);
    size_t decision_rows = 0;
    for (size_t i = 0; i < ds.n; i++)
        decision_rows += ds.d[i].dim == RD_DIM_DECISION;
    ck_assert_uint_eq(decision_rows, 3);
    ck_assert_int_eq(find(&ds, RD_DIM_DECISION, "excluded_in_progress")->values[RD_KPI_COMPLAINTS],
                     2);
}
END_TEST

/* Intake then dispatch into one list: the complaint moves from "" to the unit, and the rows
 * that net to zero go. */
START_TEST(test_intake_then_dispatch)
{
    rd_kpi_deltas ds = {.n = 0};
    rd_assignment who = WHO("U01", "T3", "H17");

    rd_kpi_intake(&ds, CAT, MONTH, VERSION, true, false, NULL);
    rd_kpi_dispatch(&ds, CAT, MONTH, VERSION, NULL, &who);
    ck_assert_uint_eq(ds.n, 6);
    ck_assert_int_eq(find(&ds, UNITCAT, CAT "/U01")->values[RD_KPI_COMPLAINTS], 1);
    ck_assert_int_eq(find(&ds, TOTAL, "")->values[RD_KPI_COMPLAINTS], 1);
    ck_assert_int_eq(find(&ds, CATEGORY, CAT)->values[RD_KPI_COMPLAINTS], 1);
    ck_assert_int_eq(find(&ds, UNIT, "U01")->values[RD_KPI_COMPLAINTS], 1);
    ck_assert_int_eq(find(&ds, TEAM, "T3")->values[RD_KPI_COMPLAINTS], 1);
    ck_assert_int_eq(find(&ds, HANDLER, "H17")->values[RD_KPI_COMPLAINTS], 1);
    ck_assert_ptr_null(find(&ds, UNIT, ""));
}
END_TEST

static Suite *kpi_suite(void)
{
    Suite *s = suite_create("kpi");
    TCase *tc = tcase_create("kpi");

    tcase_add_loop_test(tc, test_period_parse_and_label, 0, N_OF(period_cases));
    tcase_add_loop_test(tc, test_period_reject, 0, N_OF(period_rejects));
    tcase_add_test(tc, test_period_parse_null_output);
    tcase_add_test(tc, test_period_parse_any);
    tcase_add_loop_test(tc, test_period_start, 0, N_OF(start_cases));
    tcase_add_test(tc, test_period_extremes_do_not_crash);
    tcase_add_test(tc, test_period_kind_names);
    tcase_add_loop_test(tc, test_rate, 0, N_OF(rate_cases));
    tcase_add_loop_test(tc, test_rank, 0, N_OF(rank_cases));
    tcase_add_test(tc, test_rank_empty);
    tcase_add_loop_test(tc, test_anomaly, 0, N_OF(anomaly_cases));
    tcase_add_test(tc, test_anomaly_large_counts);
    tcase_add_test(tc, test_anomaly_matches_direct_sum);
    tcase_add_test(tc, test_anomaly_null_history);
    tcase_add_test(tc, test_kpi_names);
    tcase_add_loop_test(tc, test_deltas, 0, N_OF(delta_cases));
    tcase_add_test(tc, test_kpi_add_merges_and_keeps_zeros);
    tcase_add_test(tc, test_kpi_add_long_category);
    tcase_add_test(tc, test_unit_category_key);
    tcase_add_test(tc, test_kpi_deltas_full);
    tcase_add_test(tc, test_intake_then_dispatch);
    tcase_add_test(tc, test_kpi_decided);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(kpi_suite(), true);
}
