/* Close-out inspection (工单回单要素巡检) and the UTF-8 helpers it counts characters with. */
#include "repeatd/closeout.h"

#include "rd_test.h"

#include <check.h>
#include <string.h>

#define RECEIVED 1740000000
#define NOW      (RECEIVED + 86400)

/* A close-out that passes: every text element at least 10 characters. */
#define GOOD_CAUSE   "路灯线路老化导致夜间不亮"
#define GOOD_VERIFY  "现场查看确认该路段三盏路灯损坏"
#define GOOD_OPINION "安排维修班组更换灯泡及线路"
#define GOOD_REPLY   "已电话告知市民维修结果，市民表示认可"

static rd_closeout good(void)
{
    return (rd_closeout){
        .cause = GOOD_CAUSE,
        .verification = GOOD_VERIFY,
        .handling_opinion = GOOD_OPINION,
        .reply_method = "phone",
        .has_contact_time = true,
        .contact_time = RECEIVED + 3600,
        .reply_to_citizen = GOOD_REPLY,
        .resolved = RD_TRUE,
        .satisfied = RD_TRUE,
    };
}

static rd_closeout_context ctx(void)
{
    return (rd_closeout_context){
        .ticket_received_at = RECEIVED, .now = NOW, .contact_reached = true};
}

/* Which element of a close-out a case changes. */
typedef enum field {
    F_NONE,
    F_CAUSE,
    F_VERIFY,
    F_OPINION,
    F_METHOD,
    F_REPLY,
} field;

typedef struct expected_defect {
    rd_defect_code code;
    const char *field;
} expected_defect;

typedef struct inspect_case {
    const char *name;
    field f;
    const char *text;  /* the new value of f */
    int contact_delta; /* contact_time - RECEIVED, when set_contact */
    bool set_contact, no_contact_time;
    rd_tristate resolved, satisfied; /* used when set_answers */
    bool set_answers;
    bool not_reached;
    int min_chars; /* 0: default */
    bool custom_boilerplate;
    expected_defect want[RD_DEFECTS_MAX];
    size_t n_want;
} inspect_case;

#define WANT(...)                                                                                  \
    .want = {__VA_ARGS__},                                                                         \
    .n_want = sizeof((expected_defect[]){__VA_ARGS__}) / sizeof(expected_defect)

#define MISSING    RD_DEFECT_MISSING_ELEMENT
#define SHORT      RD_DEFECT_TOO_SHORT
#define STOCK      RD_DEFECT_BOILERPLATE_ONLY
#define BEFORE     RD_DEFECT_CONTACT_TIME_BEFORE_RECEIVED
#define FUTURE     RD_DEFECT_CONTACT_TIME_IN_FUTURE
#define METHOD     RD_DEFECT_REPLY_METHOD_NOT_ALLOWED
#define NO_CONTACT RD_DEFECT_SATISFIED_WITHOUT_CONTACT

/* clang-format off */
static const inspect_case cases[] = {
    {"valid_closeout_has_no_defects", F_NONE, NULL, .n_want = 0},
    {"cause_null_missing", F_CAUSE, NULL, WANT({MISSING, "cause"})},
    {"verification_empty_missing", F_VERIFY, "", WANT({MISSING, "verification"})},
    {"opinion_whitespace_missing", F_OPINION, " \t\r\n", WANT({MISSING, "handling_opinion"})},
    {"reply_ideographic_spaces_missing", F_REPLY, "\xE3\x80\x80 \xE3\x80\x80", WANT({MISSING, "reply_to_citizen"})},
    {"boilerplate_alone", F_CAUSE, "已处理", WANT({STOCK, "cause"})},
    {"boilerplate_with_full_stop", F_VERIFY, "已维修。", WANT({STOCK, "verification"})},
    {"boilerplate_with_spaces_and_bang", F_OPINION, "\xE3\x80\x80 已解决！ ", WANT({STOCK, "handling_opinion"})},
    {"boilerplate_with_ascii_punctuation", F_REPLY, "处理完毕...!", WANT({STOCK, "reply_to_citizen"})},
    {"boilerplate_each_default_entry_已办结", F_CAUSE, "已办结", WANT({STOCK, "cause"})},
    {"boilerplate_each_default_entry_已回复", F_CAUSE, "已回复。", WANT({STOCK, "cause"})},
    {"boilerplate_plus_words_is_not_boilerplate_but_short", F_CAUSE, "已处理，路灯已更换", WANT({SHORT, "cause"})},
    {"boilerplate_plus_enough_words_passes", F_CAUSE, "已处理，路灯灯泡老化已更换完毕", .n_want = 0},
    {"chinese_11_chars_33_bytes_passes_min_10", F_CAUSE, "路灯灯泡老化已更换完毕", .n_want = 0},
    {"chinese_11_chars_short_for_min_12", F_CAUSE, "路灯灯泡老化已更换完毕", .min_chars = 12, WANT({SHORT, "cause"})},
    {"chinese_9_chars_27_bytes_short", F_VERIFY, "路灯灯泡老化已更换", WANT({SHORT, "verification"})},
    {"exactly_min_chars_passes", F_OPINION, "一二三四五六七八九十", .n_want = 0},
    {"surrounding_spaces_do_not_count", F_OPINION, "\xE3\x80\x80一二三四五六七八九 ", WANT({SHORT, "handling_opinion"})},
    {"ascii_short", F_REPLY, "fixed it", WANT({SHORT, "reply_to_citizen"})},
    {"custom_list_new_entry_is_boilerplate", F_CAUSE, "已处理完毕!", .custom_boilerplate = true, WANT({STOCK, "cause"})},
    {"custom_list_old_entry_is_only_short", F_CAUSE, "已处理", .custom_boilerplate = true, WANT({SHORT, "cause"})},
    {"reply_method_null_missing", F_METHOD, NULL, WANT({MISSING, "reply_method"})},
    {"reply_method_empty_missing", F_METHOD, "", WANT({MISSING, "reply_method"})},
    {"reply_method_email_not_allowed", F_METHOD, "email", WANT({METHOD, "reply_method"})},
    {"reply_method_case_matters", F_METHOD, "Phone", WANT({METHOD, "reply_method"})},
    {"reply_method_sms", F_METHOD, "sms", .n_want = 0},
    {"reply_method_visit", F_METHOD, "visit", .n_want = 0},
    {"reply_method_letter", F_METHOD, "letter", .n_want = 0},
    {"reply_method_app", F_METHOD, "app", .n_want = 0},
    {"contact_time_missing", .no_contact_time = true, WANT({MISSING, "contact_time"})},
    {"contact_time_before_received", .set_contact = true, .contact_delta = -1, WANT({BEFORE, "contact_time"})},
    {"contact_time_at_received_ok", .set_contact = true, .contact_delta = 0, .n_want = 0},
    {"contact_time_at_now_ok", .set_contact = true, .contact_delta = 86400, .n_want = 0},
    {"contact_time_in_future", .set_contact = true, .contact_delta = 86401, WANT({FUTURE, "contact_time"})},
    {"resolved_unset", .set_answers = true, .resolved = RD_UNSET, .satisfied = RD_TRUE, WANT({MISSING, "resolved"})},
    {"satisfied_unset", .set_answers = true, .resolved = RD_FALSE, .satisfied = RD_UNSET, WANT({MISSING, "satisfied"})},
    {"satisfied_without_contact", .not_reached = true, WANT({NO_CONTACT, "satisfied"})},
    {"not_satisfied_without_contact_ok", .not_reached = true, .set_answers = true, .resolved = RD_FALSE, .satisfied = RD_FALSE, .n_want = 0},
    {"satisfied_unset_without_contact_only_missing", .not_reached = true, .set_answers = true, .resolved = RD_TRUE, .satisfied = RD_UNSET, WANT({MISSING, "satisfied"})},
};
/* clang-format on */

static void apply(const inspect_case *c, rd_closeout *co, rd_closeout_context *cx, rd_settings *s)
{
    static const char *const custom[] = {"已处理完毕", "已办理"};

    switch (c->f) {
    case F_CAUSE:
        co->cause = c->text;
        break;
    case F_VERIFY:
        co->verification = c->text;
        break;
    case F_OPINION:
        co->handling_opinion = c->text;
        break;
    case F_METHOD:
        co->reply_method = c->text;
        break;
    case F_REPLY:
        co->reply_to_citizen = c->text;
        break;
    case F_NONE:
        break;
    }
    if (c->set_contact)
        co->contact_time = RECEIVED + c->contact_delta;
    if (c->no_contact_time)
        co->has_contact_time = false;
    if (c->set_answers) {
        co->resolved = c->resolved;
        co->satisfied = c->satisfied;
    }
    if (c->not_reached)
        cx->contact_reached = false;
    if (c->min_chars)
        ck_assert_int_eq(rd_settings_set_int(s, "closeout_min_chars", c->min_chars), 0);
    if (c->custom_boilerplate)
        ck_assert_int_eq(rd_settings_set_list(s, "closeout_boilerplate", custom, 2), 0);
}

static void check_defects(const char *name, const rd_defect *got, size_t n,
                          const expected_defect *want, size_t n_want)
{
    ck_assert_msg(n == n_want, "%s: %zu defects, expected %zu (first %s/%s)", name, n, n_want,
                  n ? rd_defect_name(got[0].code) : "-", n ? got[0].field : "-");
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(got[i].code == want[i].code, "%s: defect %zu is %s, expected %s", name, i,
                      rd_defect_name(got[i].code), rd_defect_name(want[i].code));
        ck_assert_msg(strcmp(got[i].field, want[i].field) == 0, "%s: field %s, expected %s", name,
                      got[i].field, want[i].field);
    }
}

START_TEST(test_inspect_case)
{
    const inspect_case *c = &cases[_i];
    rd_closeout co = good();
    rd_closeout_context cx = ctx();
    rd_settings s;
    rd_defect d[RD_DEFECTS_MAX];

    rd_settings_defaults(&s);
    apply(c, &co, &cx, &s);
    size_t n = rd_closeout_inspect(&co, &cx, &s, d);
    check_defects(c->name, d, n, c->want, c->n_want);
}
END_TEST

/* Everything missing: one defect per element, in the order of the struct. */
START_TEST(test_all_missing_in_struct_order)
{
    static const expected_defect want[] = {
        {MISSING, "cause"},        {MISSING, "verification"}, {MISSING, "handling_opinion"},
        {MISSING, "reply_method"}, {MISSING, "contact_time"}, {MISSING, "reply_to_citizen"},
        {MISSING, "resolved"},     {MISSING, "satisfied"},
    };
    rd_closeout co = {.resolved = RD_UNSET, .satisfied = RD_UNSET};
    rd_closeout_context cx = ctx();
    rd_settings s;
    rd_defect d[RD_DEFECTS_MAX];

    rd_settings_defaults(&s);
    size_t n = rd_closeout_inspect(&co, &cx, &s, d);
    check_defects("all_missing", d, n, want, sizeof(want) / sizeof(want[0]));
}
END_TEST

/* Several defects at once: elements first, then the cross check. */
START_TEST(test_several_defects_in_order)
{
    static const expected_defect want[] = {
        {STOCK, "cause"},         {SHORT, "handling_opinion"}, {METHOD, "reply_method"},
        {FUTURE, "contact_time"}, {NO_CONTACT, "satisfied"},
    };
    rd_closeout co = good();
    rd_closeout_context cx = ctx();
    rd_settings s;
    rd_defect d[RD_DEFECTS_MAX];

    co.cause = "已处理";
    co.handling_opinion = "已换灯泡";
    co.reply_method = "wechat";
    co.contact_time = NOW + 60;
    cx.contact_reached = false;
    rd_settings_defaults(&s);
    size_t n = rd_closeout_inspect(&co, &cx, &s, d);
    check_defects("several", d, n, want, sizeof(want) / sizeof(want[0]));
}
END_TEST

START_TEST(test_null_arguments)
{
    rd_closeout co = good();
    rd_closeout_context cx = ctx();
    rd_settings s;
    rd_defect d[RD_DEFECTS_MAX];

    rd_settings_defaults(&s);
    ck_assert_uint_eq(rd_closeout_inspect(NULL, &cx, &s, d), 0);
    ck_assert_uint_eq(rd_closeout_inspect(&co, NULL, &s, d), 0);
    ck_assert_uint_eq(rd_closeout_inspect(&co, &cx, NULL, d), 0);
    ck_assert_uint_eq(rd_closeout_inspect(&co, &cx, &s, NULL), 0);
}
END_TEST

START_TEST(test_defect_names_and_messages)
{
    static const char *const names[RD_DEFECT_COUNT_] = {
        "missing_element",           "too_short",
        "boilerplate_only",          "contact_time_before_received",
        "contact_time_in_future",    "reply_method_not_allowed",
        "satisfied_without_contact",
    };
    for (int c = 0; c < RD_DEFECT_COUNT_; c++) {
        ck_assert_str_eq(rd_defect_name((rd_defect_code)c), names[c]);
        const char *m = rd_defect_message((rd_defect_code)c);
        ck_assert(m && strlen(m) > 10 && m[strlen(m) - 1] == '.');
    }
    ck_assert_str_eq(rd_defect_name(RD_DEFECT_COUNT_), "unknown");
    ck_assert_ptr_nonnull(rd_defect_message((rd_defect_code)99));
}
END_TEST

static const struct utf8_case {
    const char *name;
    const char *s;
    size_t len;
    bool valid;
} utf8_cases[] = {
    {"empty", "", 0, true},
    {"ascii", "hello", 5, true},
    {"chinese", "路灯", 6, true},
    {"two_byte", "\xC3\xA9", 2, true},
    {"three_byte_min", "\xE0\xA0\x80", 3, true},
    {"four_byte_min", "\xF0\x90\x80\x80", 4, true},
    {"max_code_point", "\xF4\x8F\xBF\xBF", 4, true},
    {"before_surrogates", "\xED\x9F\xBF", 3, true},
    {"after_surrogates", "\xEE\x80\x80", 3, true},
    {"emoji", "\xF0\x9F\x98\x80", 4, true},
    {"overlong_nul", "\xC0\x80", 2, false},
    {"overlong_c1", "\xC1\xBF", 2, false},
    {"overlong_three", "\xE0\x80\xAF", 3, false},
    {"overlong_four", "\xF0\x8F\xBF\xBF", 4, false},
    {"above_max", "\xF4\x90\x80\x80", 4, false},
    {"f5_lead", "\xF5\x80\x80\x80", 4, false},
    {"ff", "\xFF", 1, false},
    {"surrogate_low_end", "\xED\xBF\xBF", 3, false},
    {"surrogate_high_start", "\xED\xA0\x80", 3, false},
    {"lone_continuation", "\x80", 1, false},
    {"truncated_three", "\xE8\xB7", 2, false},
    {"truncated_by_len", "路", 2, false},
    {"truncated_two", "\xC3", 1, false},
    {"bad_continuation", "\xC3\x28", 2, false},
    {"embedded_nul", "a\0b", 3, false},
};

START_TEST(test_utf8_valid)
{
    const struct utf8_case *c = &utf8_cases[_i];
    ck_assert_msg(rd_utf8_valid(c->s, c->len) == c->valid, "%s", c->name);
}
END_TEST

START_TEST(test_utf8_chars)
{
    ck_assert_uint_eq(rd_utf8_chars("路灯灯泡老化已更换完毕"), 11);
    ck_assert_uint_eq(strlen("路灯灯泡老化已更换完毕"), 33);
    ck_assert_uint_eq(rd_utf8_chars("a路\xF0\x9F\x98\x80"), 3);
    ck_assert_uint_eq(rd_utf8_chars(""), 0);
    ck_assert_uint_eq(rd_utf8_chars(NULL), 0);
    ck_assert(!rd_utf8_valid(NULL, 0));
}
END_TEST

static Suite *closeout_suite(void)
{
    Suite *s = suite_create("closeout");
    TCase *tc = tcase_create("inspect");
    TCase *tu = tcase_create("utf8");

    tcase_add_loop_test(tc, test_inspect_case, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, test_all_missing_in_struct_order);
    tcase_add_test(tc, test_several_defects_in_order);
    tcase_add_test(tc, test_null_arguments);
    tcase_add_test(tc, test_defect_names_and_messages);
    tcase_add_loop_test(tu, test_utf8_valid, 0, (int)(sizeof(utf8_cases) / sizeof(utf8_cases[0])));
    tcase_add_test(tu, test_utf8_chars);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, tu);
    return s;
}

int main(void)
{
    return rd_test_run(closeout_suite(), true);
}
