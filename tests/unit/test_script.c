/* The agent script: content per decision and language, and safe truncation. */
#include "repeatd/closeout.h" /* rd_utf8_valid */
#include "repeatd/script.h"

#include "rd_test.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#define T_AT   1742436000 /* 2025-03-20 10:00 +08 */
#define IN_WIN (T_AT - 10 * 86400)
#define OLD    (T_AT - 60 * 86400)
#define CST    28800

#define ASK_ZH "请向市民确认上次问题是否已解决"
#define ASK_EN "Ask the citizen whether the earlier problem was resolved"

typedef struct script_case {
    const char *name;
    rd_lang lang;
    /* the situation */
    bool no_candidate, open, past_deadline, no_handler, no_unit, false_closeout, policy;
    int64_t p_at;
    int ordinal, calls;
    rd_outcome outcome;
    rd_claim claim;
    /* the script */
    rd_decision_kind kind;
    const char *must[5];
    const char *must_not[3];
} script_case;

/* clang-format off */
static const script_case cases[] = {
    {"zh_r1_new", RD_LANG_ZH, .no_candidate = true, .kind = RD_DECISION_NEW, .must = {"新问题", "派单"}, .must_not = {"P-1001", ASK_ZH}},
    {"en_r1_new", RD_LANG_EN, .no_candidate = true, .kind = RD_DECISION_NEW, .must = {"new problem", "dispatch"}, .must_not = {"P-1001"}},
    {"zh_r2_in_progress_not_expedited", RD_LANG_ZH, .open = true, .p_at = IN_WIN, .kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .must = {"P-1001", "市政道路所", "王师傅", "办理进度"}, .must_not = {"催办"}},
    {"zh_r2_expedited_past_deadline", RD_LANG_ZH, .open = true, .past_deadline = true, .p_at = IN_WIN, .kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .must = {"P-1001", "超过办理时限", "催办"}},
    {"en_r2_expedited_past_deadline", RD_LANG_EN, .open = true, .past_deadline = true, .p_at = IN_WIN, .kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .must = {"P-1001", "past its deadline", "expedited", "still being handled"}},
    {"zh_r3_policy", RD_LANG_ZH, .policy = true, .p_at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .kind = RD_DECISION_EXCLUDED_UNMEETABLE, .must = {"P-1001", "政策"}},
    {"en_r3_policy", RD_LANG_EN, .claim = RD_CLAIM_POLICY_DISPUTE, .p_at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .kind = RD_DECISION_EXCLUDED_UNMEETABLE, .must = {"P-1001", "policy"}},
    {"zh_r4_similar", RD_LANG_ZH, .claim = RD_CLAIM_RECURRED, .p_at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .kind = RD_DECISION_SIMILAR_NEW, .must = {"P-1001", "已解决", "再次发生", "派单"}},
    {"zh_r5_closed", RD_LANG_ZH, .claim = RD_CLAIM_DISSATISFIED, .p_at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .kind = RD_DECISION_EXCLUDED_CLOSED, .must = {"P-1001", "办理结果"}},
    {"zh_r6_first_repeat_claim_given", RD_LANG_ZH, .claim = RD_CLAIM_UNRESOLVED, .p_at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED, .kind = RD_DECISION_REPEAT, .must = {"P-1001", "第1次重复投诉", "原承办单位市政道路所", "王师傅", "系铃解铃"}, .must_not = {"绿色通道", ASK_ZH, "必须"}},
    {"zh_r6_green_channel_assumed", RD_LANG_ZH, .ordinal = 1, .p_at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED, .kind = RD_DECISION_REPEAT, .must = {"P-1001", "第2次重复投诉", "绿色通道", ASK_ZH}},
    {"zh_r6_false_closeout_mandatory", RD_LANG_ZH, .claim = RD_CLAIM_UNRESOLVED, .false_closeout = true, .p_at = IN_WIN, .outcome = RD_OUTCOME_RESOLVED, .kind = RD_DECISION_REPEAT, .must = {"P-1001", "必须派回"}},
    {"zh_r6_no_handler", RD_LANG_ZH, .claim = RD_CLAIM_UNRESOLVED, .no_handler = true, .p_at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED, .kind = RD_DECISION_REPEAT, .must = {"P-1001", "请派单处理"}, .must_not = {"原承办单位", "王师傅"}},
    {"zh_r6_handler_without_unit", RD_LANG_ZH, .claim = RD_CLAIM_UNRESOLVED, .no_unit = true, .p_at = IN_WIN, .outcome = RD_OUTCOME_UNRESOLVED, .kind = RD_DECISION_REPEAT, .must = {"P-1001", "请派回原处理人员王师傅处理"}, .must_not = {"原承办单位"}},
    {"en_r2_expedited_by_calls", RD_LANG_EN, .open = true, .calls = 1, .p_at = IN_WIN, .kind = RD_DECISION_EXCLUDED_IN_PROGRESS, .must = {"P-1001", "called about it again"}, .must_not = {"deadline"}},
    {"en_r6_green_original_handler_assumed", RD_LANG_EN, .ordinal = 1, .p_at = IN_WIN, .false_closeout = true, .outcome = RD_OUTCOME_UNRESOLVED, .kind = RD_DECISION_REPEAT, .must = {"P-1001", "repeat no. 2", "green channel", "original unit 市政道路所", ASK_EN}},
    {"zh_r7_history", RD_LANG_ZH, .p_at = OLD, .outcome = RD_OUTCOME_RESOLVED, .kind = RD_DECISION_NEW, .must = {"P-1001", "历史", "新问题", ASK_ZH}},
    {"en_r7_history_claim_given", RD_LANG_EN, .claim = RD_CLAIM_UNRESOLVED, .p_at = OLD, .outcome = RD_OUTCOME_RESOLVED, .kind = RD_DECISION_NEW, .must = {"P-1001", "history", "new problem"}, .must_not = {ASK_EN}},
};
/* clang-format on */

static rd_prior make_prior(const script_case *c)
{
    rd_prior p;

    memset(&p, 0, sizeof(p));
    strcpy(p.ticket_id, "P-1001");
    strcpy(p.chain_id, "P-1001");
    p.received_at = c->p_at;
    p.received_offset = CST;
    p.open = c->open;
    p.outcome = c->open ? RD_OUTCOME_NONE : c->outcome;
    if (!c->no_handler) {
        strcpy(p.unit, "市政道路所");
        strcpy(p.team, "维修一班");
        strcpy(p.handler, "王师傅");
    }
    if (c->no_unit)
        p.unit[0] = '\0';
    p.has_deadline = c->past_deadline;
    p.deadline = T_AT - 3600;
    p.repeat_ordinal = c->ordinal;
    p.calls = c->calls;
    p.contact_reached = p.followup_reached = p.closeout_accepted = true;
    p.false_closeout = c->false_closeout;
    return p;
}

static void decide(const script_case *c, rd_prior *p, rd_decision *d)
{
    rd_settings s;
    rd_ticket_in t = {.ticket_id = "T-2002",
                      .received_at = T_AT,
                      .received_offset = CST,
                      .claim = c->claim,
                      .category_is_policy = c->policy};

    rd_settings_defaults(&s);
    *p = make_prior(c);
    ck_assert_int_eq(rd_decide(&t, p, c->no_candidate ? 0 : 1, &s, d), 0);
    ck_assert_msg(d->kind == c->kind, "%s: decided %s", c->name, rd_decision_name(d->kind));
}

START_TEST(test_script_case)
{
    const script_case *c = &cases[_i];
    rd_prior p;
    rd_decision d;
    char buf[1024];

    decide(c, &p, &d);
    size_t n = rd_script_render(&d, c->lang, buf, sizeof(buf));
    ck_assert_uint_eq(n, strlen(buf));
    ck_assert_msg(n > 0 && n < sizeof(buf) - 1, "%s: length %zu", c->name, n);
    ck_assert(rd_utf8_valid(buf, n));
    for (size_t i = 0; i < 5 && c->must[i]; i++)
        ck_assert_msg(strstr(buf, c->must[i]), "%s: '%s' not in: %s", c->name, c->must[i], buf);
    for (size_t i = 0; i < 3 && c->must_not[i]; i++)
        ck_assert_msg(!strstr(buf, c->must_not[i]), "%s: '%s' in: %s", c->name, c->must_not[i],
                      buf);
    /* Chinese scripts are Chinese: no English sentence leaks in, and vice versa. */
    if (c->lang == RD_LANG_ZH)
        ck_assert_msg(!strstr(buf, "the "), "%s: %s", c->name, buf);
    else
        ck_assert_msg(!strstr(buf, "。"), "%s: %s", c->name, buf);
}
END_TEST

/* Every buffer size from 1 up to the full length: a NUL-terminated prefix of the full text
 * that never ends inside a character. */
START_TEST(test_truncation_keeps_utf8)
{
    const script_case *c = &cases[_i];
    rd_prior p;
    rd_decision d;
    char full[1024], small[1024];

    decide(c, &p, &d);
    size_t len = rd_script_render(&d, c->lang, full, sizeof(full));
    for (size_t size = 1; size <= len + 1; size++) {
        memset(small, 'Z', sizeof(small));
        size_t n = rd_script_render(&d, c->lang, small, size);
        ck_assert_msg(n < size && small[n] == '\0' && n == strlen(small), "%s size %zu", c->name,
                      size);
        ck_assert_msg(small[size] == 'Z', "%s: wrote past size %zu", c->name, size);
        ck_assert_msg(rd_utf8_valid(small, n), "%s: size %zu cut a character", c->name, size);
        ck_assert_msg(strncmp(small, full, n) == 0, "%s: not a prefix", c->name);
        ck_assert_msg(n + 4 > size - 1 || n == len, "%s: cut %zu short of %zu", c->name, n,
                      size - 1);
    }
}
END_TEST

START_TEST(test_degenerate_buffers)
{
    const script_case *c = &cases[0];
    rd_prior p;
    rd_decision d;
    char buf[8] = "ZZZZZZZ";

    decide(c, &p, &d);
    ck_assert_uint_eq(rd_script_render(&d, RD_LANG_ZH, buf, 0), 0);
    ck_assert_int_eq(buf[0], 'Z');
    ck_assert_uint_eq(rd_script_render(&d, RD_LANG_ZH, NULL, 8), 0);
    ck_assert_uint_eq(rd_script_render(&d, RD_LANG_ZH, buf, 1), 0);
    ck_assert_str_eq(buf, "");
    /* 3-byte characters: 4 bytes of room hold one. */
    ck_assert_uint_eq(rd_script_render(&d, RD_LANG_ZH, buf, 5), 3);
    ck_assert_uint_eq(rd_script_render(NULL, RD_LANG_ZH, buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "");
}
END_TEST

static Suite *script_suite(void)
{
    Suite *s = suite_create("script");
    TCase *tc = tcase_create("script");
    int n = (int)(sizeof(cases) / sizeof(cases[0]));

    tcase_add_loop_test(tc, test_script_case, 0, n);
    tcase_add_loop_test(tc, test_truncation_keeps_utf8, 0, n);
    tcase_add_test(tc, test_degenerate_buffers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(script_suite(), true);
}
