/* Natural months: rd_month_index against the C library and hand-checked dates, and windows. */
#include "repeatd/months.h"

#include "rd_test.h"

#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>

#define MI(y, m) ((y)*12 + (m)-1)

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    return (int64_t)timegm(&tm);
}

/* Hand-checked cases: a UTC instant, an offset, and the local month it falls in. */
static const struct month_case {
    const char *name;
    int y, mo, d, h, mi, s; /* UTC */
    int32_t offset;
    int want_y, want_m;
} month_cases[] = {
    {"epoch", 1970, 1, 1, 0, 0, 0, 0, 1970, 1},
    {"second_before_epoch", 1969, 12, 31, 23, 59, 59, 0, 1969, 12},
    {"epoch_at_minus_1h_is_dec_1969", 1970, 1, 1, 0, 0, 0, -3600, 1969, 12},
    {"before_epoch_at_plus_1h_is_jan_1970", 1969, 12, 31, 23, 30, 0, 3600, 1970, 1},
    {"far_past_1900", 1900, 2, 28, 23, 59, 59, 0, 1900, 2},
    {"1900_not_leap_mar1", 1900, 3, 1, 0, 0, 0, 0, 1900, 3},
    {"2000_leap_feb29", 2000, 2, 29, 12, 0, 0, 0, 2000, 2},
    {"2024_leap_feb29_last_second", 2024, 2, 29, 23, 59, 59, 0, 2024, 2},
    {"2024_mar1_first_second", 2024, 3, 1, 0, 0, 0, 0, 2024, 3},
    {"2023_feb28_plus_1s_is_mar", 2023, 3, 1, 0, 0, 0, 0, 2023, 3},
    {"shanghai_utc_1559_still_jan", 2025, 1, 31, 15, 59, 59, 28800, 2025, 1},
    {"shanghai_utc_1600_is_feb", 2025, 1, 31, 16, 0, 0, 28800, 2025, 2},
    {"shanghai_new_year_from_utc_dec31", 2024, 12, 31, 16, 0, 0, 28800, 2025, 1},
    {"minus_10h_new_year_still_dec", 2025, 1, 1, 9, 59, 59, -36000, 2024, 12},
    {"plus_14h_kiribati", 2025, 6, 30, 10, 0, 0, 50400, 2025, 7},
    {"year_2400_leap", 2400, 2, 29, 0, 0, 0, 0, 2400, 2},
    {"year_1600_dec", 1600, 12, 31, 23, 59, 59, 0, 1600, 12},
};

START_TEST(test_month_case)
{
    const struct month_case *c = &month_cases[_i];
    int64_t t = utc(c->y, c->mo, c->d, c->h, c->mi, c->s);

    ck_assert_msg(rd_month_index(t, c->offset) == MI(c->want_y, c->want_m),
                  "%s: got %d, expected %d", c->name, rd_month_index(t, c->offset),
                  MI(c->want_y, c->want_m));
}
END_TEST

/* Sweep 1601..2399 in irregular steps and a spread of offsets; gmtime_r is the oracle. */
START_TEST(test_month_sweep_against_gmtime)
{
    static const int32_t offsets[] = {0, 28800, -18000, 19800, 50400, -43200, 1};
    int64_t from = utc(1601, 1, 1, 0, 0, 0), to = utc(2399, 12, 31, 0, 0, 0);
    int64_t step = 86400 * 7 + 3607; /* drifts through every time of day */

    for (int64_t t = from; t < to; t += step) {
        for (size_t k = 0; k < sizeof(offsets) / sizeof(offsets[0]); k++) {
            time_t local = (time_t)(t + offsets[k]);
            struct tm tm;
            ck_assert_ptr_nonnull(gmtime_r(&local, &tm));
            int want = (tm.tm_year + 1900) * 12 + tm.tm_mon;
            ck_assert_msg(rd_month_index(t, offsets[k]) == want, "t=%lld offset=%d", (long long)t,
                          (int)offsets[k]);
        }
    }
}
END_TEST

START_TEST(test_month_extremes_do_not_crash)
{
    ck_assert_int_gt(rd_month_index(INT64_MAX, 50400), 0);
    ck_assert_int_lt(rd_month_index(INT64_MIN, -43200), 0);
    ck_assert_int_eq(rd_month_index(INT64_MAX, 0), INT_MAX);
    ck_assert_int_eq(rd_month_index(INT64_MIN, 0), INT_MIN);
}
END_TEST

static const struct window_case {
    const char *name;
    int earlier, later, window;
    bool want;
} window_cases[] = {
    {"same_month_window_1", MI(2025, 3), MI(2025, 3), 1, true},
    {"previous_month_window_1", MI(2025, 2), MI(2025, 3), 1, false},
    {"previous_month_window_2", MI(2025, 2), MI(2025, 3), 2, true},
    {"two_back_window_2", MI(2025, 1), MI(2025, 3), 2, false},
    {"two_back_window_3", MI(2025, 1), MI(2025, 3), 3, true},
    {"dec_to_jan_window_1", MI(2024, 12), MI(2025, 1), 1, false},
    {"dec_to_jan_window_2", MI(2024, 12), MI(2025, 1), 2, true},
    {"earlier_is_later_month", MI(2025, 4), MI(2025, 3), 12, false},
    {"window_0_never", MI(2025, 3), MI(2025, 3), 0, false},
    {"a_year_back_window_12", MI(2024, 3), MI(2025, 3), 12, false},
    {"eleven_back_window_12", MI(2024, 4), MI(2025, 3), 12, true},
    {"extremes_do_not_overflow", INT_MIN, INT_MAX, INT_MAX, false},
};

/* Civil dates and day counts are inverses, across leap days, centuries and before 1970. */
START_TEST(test_civil_round_trip)
{
    ck_assert_int_eq(rd_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(rd_days_from_civil(2000, 3, 1), 11017);
    ck_assert_int_eq(rd_days_from_civil(1969, 12, 31), -1);
    for (int64_t days = -800000; days <= 800000; days += 37) {
        int64_t y;
        int m, d;
        rd_civil_from_days(days, &y, &m, &d);
        ck_assert_int_eq(rd_days_from_civil(y, m, d), days);
    }
}
END_TEST

START_TEST(test_window_case)
{
    const struct window_case *c = &window_cases[_i];
    ck_assert_msg(rd_within_natural_months(c->earlier, c->later, c->window) == c->want, "%s",
                  c->name);
}
END_TEST

static Suite *months_suite(void)
{
    Suite *s = suite_create("months");
    TCase *tc = tcase_create("months");

    tcase_add_loop_test(tc, test_month_case, 0,
                        (int)(sizeof(month_cases) / sizeof(month_cases[0])));
    tcase_add_test(tc, test_month_sweep_against_gmtime);
    tcase_add_test(tc, test_month_extremes_do_not_crash);
    tcase_add_test(tc, test_civil_round_trip);
    tcase_add_loop_test(tc, test_window_case, 0,
                        (int)(sizeof(window_cases) / sizeof(window_cases[0])));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(months_suite(), true);
}
