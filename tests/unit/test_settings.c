/* The settings table: defaults of DOMAIN.md, bounds, types and the definition-version flag. */
#include "repeatd/settings.h"

#include "rd_test.h"

#include <check.h>
#include <errno.h>
#include <string.h>

START_TEST(test_defaults)
{
    static const char *const bp[] = {"已处理", "已维修", "已解决", "处理完毕", "已办结", "已回复"};
    rd_settings s;

    memset(&s, 0x7F, sizeof(s));
    rd_settings_defaults(&s);
    ck_assert_int_eq(s.repeat_window_months, 1);
    ck_assert_int_eq(s.lookback_months, 12);
    ck_assert_int_eq(s.same_place_radius_m, 250);
    ck_assert_int_eq(s.green_channel_min_repeats, 2);
    ck_assert_int_eq(s.expedite_after_calls, 2);
    ck_assert_int_eq(s.contact_failure_attempts, 3);
    ck_assert_str_eq(s.time_zone, "Asia/Shanghai");
    ck_assert_int_eq(s.closeout_min_chars, 10);
    ck_assert_uint_eq(s.n_closeout_boilerplate, 6);
    for (size_t i = 0; i < 6; i++)
        ck_assert_str_eq(s.closeout_boilerplate[i], bp[i]);
    ck_assert_int_eq(s.ranking_min_complaints, 20);
    ck_assert_int_eq(s.ranking_bottom_n, 3);
    ck_assert_int_eq(s.programme_exit_months, 2);
    ck_assert_int_eq(s.green_channel_verify_days, 3);
    ck_assert_int_eq(s.hotspot_min_citizens, 5);
    ck_assert_int_eq(s.hotspot_radius_m, 250);
    ck_assert_int_eq(s.hotspot_days, 7);
    ck_assert_int_eq(s.retain_months, 0);
    ck_assert_int_eq(s.definition_version, 0);
}
END_TEST

/* Retention: 0 keeps everything; else never fewer months than the look-up reads, one more
 * for the months of time_zone that begin in the UTC month before. */
START_TEST(test_retention_months)
{
    static const struct {
        int retain, lookback, want;
    } cases[] = {
        {0, 12, 0},   {0, 1, 0}, {1, 12, 13}, {12, 12, 13},     {13, 12, 13},
        {14, 12, 14}, {1, 1, 2}, {2, 1, 2},   {1200, 60, 1200}, {3, 60, 61},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rd_settings s;
        rd_settings_defaults(&s);
        ck_assert_int_eq(rd_settings_set_int(&s, "retain_months", cases[i].retain), 0);
        ck_assert_int_eq(rd_settings_set_int(&s, "lookback_months", cases[i].lookback), 0);
        ck_assert_msg(rd_settings_retention_months(&s) == cases[i].want,
                      "retain %d lookback %d: %d, not %d", cases[i].retain, cases[i].lookback,
                      rd_settings_retention_months(&s), cases[i].want);
    }
}
END_TEST

/* The table lists the settings in DOMAIN.md's order with the right types and flags. */
START_TEST(test_table)
{
    static const struct {
        const char *name;
        rd_setting_type type;
        bool defines_repeat;
    } want[] = {
        {"repeat_window_months", RD_SETTING_INT, true},
        {"lookback_months", RD_SETTING_INT, true},
        {"same_place_radius_m", RD_SETTING_INT, true},
        {"green_channel_min_repeats", RD_SETTING_INT, true},
        {"expedite_after_calls", RD_SETTING_INT, true},
        {"contact_failure_attempts", RD_SETTING_INT, false},
        {"time_zone", RD_SETTING_TIME_ZONE, true},
        {"closeout_min_chars", RD_SETTING_INT, false},
        {"closeout_boilerplate", RD_SETTING_TEXT_LIST, false},
        {"ranking_min_complaints", RD_SETTING_INT, false},
        {"ranking_bottom_n", RD_SETTING_INT, false},
        {"programme_exit_months", RD_SETTING_INT, false},
        {"green_channel_verify_days", RD_SETTING_INT, false},
        {"hotspot_min_citizens", RD_SETTING_INT, false},
        {"hotspot_radius_m", RD_SETTING_INT, false},
        {"hotspot_days", RD_SETTING_INT, false},
        {"retain_months", RD_SETTING_INT, false},
    };
    ck_assert_uint_eq(rd_setting_count, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < rd_setting_count; i++) {
        ck_assert_str_eq(rd_setting_defs[i].name, want[i].name);
        ck_assert_int_eq(rd_setting_defs[i].type, want[i].type);
        ck_assert_int_eq(rd_setting_defs[i].defines_repeat, want[i].defines_repeat);
        ck_assert_ptr_eq(rd_setting_find(want[i].name), &rd_setting_defs[i]);
    }
}
END_TEST

/* Integer bounds: min and max are accepted and land in the struct, one beyond is refused
 * and leaves the value alone. */
static const struct bound_case {
    const char *name;
    long min, max;
    size_t offset;
} bounds[] = {
    {"repeat_window_months", 1, 24, offsetof(rd_settings, repeat_window_months)},
    {"lookback_months", 1, 60, offsetof(rd_settings, lookback_months)},
    {"same_place_radius_m", 0, 100000, offsetof(rd_settings, same_place_radius_m)},
    {"green_channel_min_repeats", 1, 100, offsetof(rd_settings, green_channel_min_repeats)},
    {"expedite_after_calls", 1, 100, offsetof(rd_settings, expedite_after_calls)},
    {"contact_failure_attempts", 1, 20, offsetof(rd_settings, contact_failure_attempts)},
    {"closeout_min_chars", 1, 500, offsetof(rd_settings, closeout_min_chars)},
    {"ranking_min_complaints", 0, 1000000, offsetof(rd_settings, ranking_min_complaints)},
    {"ranking_bottom_n", 0, 1000, offsetof(rd_settings, ranking_bottom_n)},
    {"programme_exit_months", 1, 24, offsetof(rd_settings, programme_exit_months)},
    {"green_channel_verify_days", 1, 365, offsetof(rd_settings, green_channel_verify_days)},
    {"hotspot_min_citizens", 2, 1000, offsetof(rd_settings, hotspot_min_citizens)},
    {"hotspot_radius_m", 1, 100000, offsetof(rd_settings, hotspot_radius_m)},
    {"hotspot_days", 1, 92, offsetof(rd_settings, hotspot_days)},
    {"retain_months", 0, 1200, offsetof(rd_settings, retain_months)},
};

static int field_of(const rd_settings *s, size_t offset)
{
    int v;
    memcpy(&v, (const char *)s + offset, sizeof(v));
    return v;
}

START_TEST(test_int_bounds)
{
    const struct bound_case *c = &bounds[_i];
    rd_settings s, defaults;

    rd_settings_defaults(&s);
    rd_settings_defaults(&defaults);
    const rd_setting_def *def = rd_setting_find(c->name);
    ck_assert_ptr_nonnull(def);
    ck_assert_int_eq(def->min, c->min);
    ck_assert_int_eq(def->max, c->max);

    ck_assert_int_eq(rd_settings_set_int(&s, c->name, c->min - 1), -EINVAL);
    ck_assert_int_eq(rd_settings_set_int(&s, c->name, c->max + 1), -EINVAL);
    ck_assert_int_eq(rd_settings_set_int(&s, c->name, -2147483648L), -EINVAL);
    ck_assert_int_eq(memcmp(&s, &defaults, sizeof(s)), 0);

    ck_assert_int_eq(rd_settings_set_int(&s, c->name, c->min), 0);
    ck_assert_int_eq(field_of(&s, c->offset), c->min);
    ck_assert_int_eq(rd_settings_set_int(&s, c->name, c->max), 0);
    ck_assert_int_eq(field_of(&s, c->offset), c->max);
    long got = 0;
    ck_assert_int_eq(rd_settings_get_int(&s, c->name, &got), 0);
    ck_assert_int_eq(got, c->max);
}
END_TEST

START_TEST(test_unknown_and_wrong_type)
{
    static const char *const one[] = {"x"};
    rd_settings s;

    rd_settings_defaults(&s);
    ck_assert_ptr_null(rd_setting_find("no_such_setting"));
    ck_assert_ptr_null(rd_setting_find(NULL));
    ck_assert_int_eq(rd_settings_set_int(&s, "no_such_setting", 1), -ENOENT);
    ck_assert_int_eq(rd_settings_set_int(&s, NULL, 1), -ENOENT);
    ck_assert_int_eq(rd_settings_set_int(&s, "time_zone", 1), -ENOENT);
    ck_assert_int_eq(rd_settings_set_int(&s, "closeout_boilerplate", 1), -ENOENT);
    ck_assert_int_eq(rd_settings_set_text(&s, "repeat_window_months", "2"), -ENOENT);
    ck_assert_int_eq(rd_settings_set_text(&s, "closeout_boilerplate", "x"), -ENOENT);
    ck_assert_int_eq(rd_settings_set_list(&s, "time_zone", one, 1), -ENOENT);
    ck_assert_int_eq(rd_settings_set_list(&s, "Repeat_Window_Months", one, 1), -ENOENT);
    ck_assert_int_eq(rd_settings_set_int(NULL, "repeat_window_months", 1), -EINVAL);
    long v;
    ck_assert_int_eq(rd_settings_get_int(&s, "time_zone", &v), -ENOENT);
    ck_assert_int_eq(rd_settings_get_int(&s, "no_such_setting", &v), -ENOENT);
}
END_TEST

static const struct tz_case {
    const char *value;
    int rc;
} tz_cases[] = {
    {"Asia/Shanghai", 0},
    {"UTC", 0},
    {"Etc/GMT+8", 0},
    {"America/Argentina/Buenos_Aires", 0},
    {"America/Port-au-Prince", 0},
    {"", -EINVAL},
    {NULL, -EINVAL},
    {"../../etc/passwd", -EINVAL},
    {"Asia/Shang hai", -EINVAL},
    {"Asia/上海", -EINVAL},
    {"Asia/Shanghai;", -EINVAL},
    /* 63 bytes fit, 64 do not. */
    {"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0},
    {"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", -EINVAL},
};

START_TEST(test_time_zone)
{
    const struct tz_case *c = &tz_cases[_i];
    rd_settings s;

    rd_settings_defaults(&s);
    ck_assert_int_eq(rd_settings_set_text(&s, "time_zone", c->value), c->rc);
    ck_assert_str_eq(s.time_zone, c->rc == 0 ? c->value : "Asia/Shanghai");
}
END_TEST

START_TEST(test_boilerplate_list)
{
    static const char *const two[] = {"已处理完毕", "OK"};
    static const char *const empty_entry[] = {"已处理", ""};
    static const char *const null_entry[] = {"已处理", NULL};
    static const char *const bad_utf8[] = {"\xE5\xB7"};
    static const char *const long_entry[] = {
        "一二三四五六七八九十一二三四五六七八九十一", /* 21 chars, 63 bytes: fits */
    };
    static const char *const too_long[] = {
        "一二三四五六七八九十一二三四五六七八九十一x", /* 64 bytes */
    };
    const char *many[RD_BOILERPLATE_MAX + 1];
    rd_settings s;

    for (size_t i = 0; i < RD_BOILERPLATE_MAX + 1; i++)
        many[i] = "已处理";
    rd_settings_defaults(&s);

    ck_assert_int_eq(rd_settings_set_list(&s, "closeout_boilerplate", empty_entry, 2), -EINVAL);
    ck_assert_int_eq(rd_settings_set_list(&s, "closeout_boilerplate", null_entry, 2), -EINVAL);
    ck_assert_int_eq(rd_settings_set_list(&s, "closeout_boilerplate", bad_utf8, 1), -EINVAL);
    ck_assert_int_eq(rd_settings_set_list(&s, "closeout_boilerplate", too_long, 1), -EINVAL);
    ck_assert_int_eq(rd_settings_set_list(&s, "closeout_boilerplate", many, RD_BOILERPLATE_MAX + 1),
                     -EINVAL);
    ck_assert_int_eq(rd_settings_set_list(&s, "closeout_boilerplate", NULL, 1), -EINVAL);
    /* A refused list leaves the old one in place. */
    ck_assert_uint_eq(s.n_closeout_boilerplate, 6);
    ck_assert_str_eq(s.closeout_boilerplate[0], "已处理");

    ck_assert_int_eq(rd_settings_set_list(&s, "closeout_boilerplate", two, 2), 0);
    ck_assert_uint_eq(s.n_closeout_boilerplate, 2);
    ck_assert_str_eq(s.closeout_boilerplate[0], "已处理完毕");
    ck_assert_str_eq(s.closeout_boilerplate[1], "OK");
    ck_assert_int_eq(rd_settings_set_list(&s, "closeout_boilerplate", long_entry, 1), 0);
    ck_assert_str_eq(s.closeout_boilerplate[0], long_entry[0]);
    ck_assert_int_eq(rd_settings_set_list(&s, "closeout_boilerplate", many, RD_BOILERPLATE_MAX), 0);
    ck_assert_uint_eq(s.n_closeout_boilerplate, RD_BOILERPLATE_MAX);
    ck_assert_int_eq(rd_settings_set_list(&s, "closeout_boilerplate", NULL, 0), 0);
    ck_assert_uint_eq(s.n_closeout_boilerplate, 0);
}
END_TEST

static Suite *settings_suite(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("settings");

    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_retention_months);
    tcase_add_loop_test(tc, test_int_bounds, 0, (int)(sizeof(bounds) / sizeof(bounds[0])));
    tcase_add_test(tc, test_unknown_and_wrong_type);
    tcase_add_loop_test(tc, test_time_zone, 0, (int)(sizeof(tz_cases) / sizeof(tz_cases[0])));
    tcase_add_test(tc, test_boilerplate_list);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(settings_suite(), true);
}
