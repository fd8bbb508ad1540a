/* API: the decision over HTTP. The article's cases, every rule R1-R7, chains, ordinals, the
 * green channel, claim defaulting, scripts in Chinese and English, classify storing nothing, and
 * late arrivals decided as of their received_at. */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Leaf categories of deploy/sample-categories.json. */
#define JZ "HB.ZS.JZ" /* 建筑施工噪声 */
#define SH "HB.ZS.SH" /* 社会生活噪声 */
#define YY "HB.DQ.YY" /* 餐饮油烟 */
#define LD "CG.SZ.LD" /* 路灯故障 */
#define PS "CG.SZ.PS" /* 排水管道堵塞 */
#define BL "SB.YB.BL" /* 医保报销比例, marked policy */
#define XL "JT.GJ.XL" /* 公交线路调整 */

/* A construction site in Guangzhou; 0.009 degrees of latitude are about 1 km. */
#define SITE_LAT 23.1291
#define SITE_LON 113.2644

#define NOISE "小区附近建筑工地经常在夜间施工，噪音严重扰民，影响居民正常休息。"

/* Handled well: reached, accepted close-out saying resolved, follow-up reached, closed. */
#define WELL(u, h, m, d)                                                                           \
    .unit = (u), .team = "T1", .handler = (h), .months_ago = (m), .day = (d), .reached = true,     \
    .closeout_resolved = true, .followup_reached = true, .outcome = "resolved"

START_TEST(r1_first_complaint_is_new)
{
    json_t *a = POST_TICKET(201, .id = "DEC-R1-1", .at = at(2, 3, 22, 30), .phone = phone(101),
                            .category = JZ, .description = NOISE, .address = "天河区某小区东门",
                            .has_location = true, .lat = SITE_LAT, .lon = SITE_LON);
    CHECK(decision_is(a, "new", "R1", 0));
    ck_assert_str_eq(jstr(a, "ticket_id"), "DEC-R1-1");
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-R1-1");
    ck_assert(jisnull(a, "related_ticket"));
    CHECK(codes_are(jget(a, "actions"), "dispatch"));
    CHECK(codes_are(jget(a, "root_causes"), ""));
    CHECK(codes_are(jget(a, "assumptions"), ""));
    ck_assert_int_eq(jint(a, "definition_version"), 1);
    ck_assert_msg(has_cjk(jstr(a, "script")), "the default script is Chinese: %s",
                  jstr(a, "script"));

    long st;
    json_t *t = gc(get_ticket("DEC-R1-1", &st));
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(t, "status"), "open");
    ck_assert_str_eq(jstr(t, "category"), JZ);
    ck_assert_str_eq(jstr(t, "decision.decision"), "new");
    ck_assert_str_eq(jstr(t, "description"), NOISE);
    ck_assert_str_eq(jstr(t, "citizen.phone_masked"), "139****0101");
    char *text = json_dumps(t, JSON_COMPACT);
    ck_assert_ptr_null(strstr(text, "13900000101")); /* only a hash and a mask are stored */
    free(text);
}
END_TEST

/* 疏漏了关键步骤: the site was warned, nobody called the citizen back, the noise came back. */
START_TEST(article_missed_followup)
{
    POST_TICKET(201, .id = "DEC-FU-1", .at = at(2, 3, 22, 0), .phone = phone(102), .category = JZ,
                .description = NOISE, .has_location = true, .lat = SITE_LAT, .lon = SITE_LON);
    HANDLE("DEC-FU-1", .unit = "CGZF-01", .team = "ZF-3", .handler = "H-Wang", .months_ago = 2,
           .day = 4, .reached = true, .closeout_resolved = true, .followup_reached = false,
           .outcome = "resolved");
    json_t *a = POST_TICKET(201, .id = "DEC-FU-2", .at = at(2, 12, 23, 0), .phone = phone(102),
                            .category = JZ, .claim = "unresolved",
                            .description = "工地夜间施工噪音再次出现，上次反映后一直没有人回访。",
                            .has_location = true, .lat = SITE_LAT + 0.0002, .lon = SITE_LON);
    CHECK(decision_is(a, "repeat", "R6", 1));
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-FU-1");
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-FU-1");
    ck_assert_str_eq(jstr(a, "related_ticket.status"), "closed");
    ck_assert_str_eq(jstr(a, "related_ticket.outcome"), "resolved");
    ck_assert_str_eq(jstr(a, "related_ticket.unit"), "CGZF-01");
    ck_assert_str_eq(jstr(a, "related_ticket.handler"), "H-Wang");
    ck_assert_ptr_nonnull(jstr(a, "related_ticket.received_at"));
    ck_assert_ptr_nonnull(jstr(a, "related_ticket.closed_at"));
    CHECK(codes_are(jget(a, "root_causes"), "prior_no_followup"));
    CHECK(codes_are(jget(a, "actions"), "dispatch_to_original_handler,expedite,require_followup"));
    json_t *orig = action_of(a, "dispatch_to_original_handler");
    ck_assert_str_eq(jstr(orig, "unit"), "CGZF-01");
    ck_assert_str_eq(jstr(orig, "team"), "ZF-3");
    ck_assert_str_eq(jstr(orig, "handler"), "H-Wang");
    ck_assert_int_eq(jbool(orig, "mandatory"), 0);
    CHECK(codes_are(jget(a, "assumptions"), ""));
}
END_TEST

/* 首次处理时未联系上用户: three failed calls, an unresolved close-out, no follow-up reached. */
START_TEST(article_contact_failed)
{
    POST_TICKET(201, .id = "DEC-CF-1", .at = at(2, 2, 9, 0), .phone = phone(103), .category = LD,
                .description = "某街道路灯夜间经常闪烁，部分路灯不亮，影响居民出行安全。");
    HANDLE("DEC-CF-1", .unit = "SZ-LD", .team = "LD-1", .handler = "H-Chen", .months_ago = 2,
           .day = 3, .failed_contacts = 3, .reached = false, .closeout_resolved = false,
           .followup_reached = false, .outcome = "unresolved");
    json_t *a = POST_TICKET(201, .id = "DEC-CF-2", .at = at(2, 15, 20, 0), .phone = phone(103),
                            .category = LD, .description = "路灯还是不亮，之前没人联系过我。");
    CHECK(decision_is(a, "repeat", "R6", 1));
    CHECK(codes_are(jget(a, "root_causes"),
                    "prior_contact_failed,prior_no_followup,prior_unresolved"));
    CHECK(codes_are(jget(a, "actions"), "dispatch_to_original_handler,expedite,"
                                        "confirm_contact_preferences,require_followup"));
    CHECK(codes_are(jget(a, "assumptions"), "claim defaulted to unresolved"));
    ck_assert_str_eq(jstr(a, "related_ticket.outcome"), "unresolved");
}
END_TEST

/* 未解决好问题: the park lights stay broken; each call is the next repeat of one chain, and
 * the second repeat enters the green channel (green_channel_min_repeats = 2). */
START_TEST(chain_ordinals_and_green_channel)
{
    const char *lights = "公园公共照明设施损坏，夜间出行不便。";
    json_t *a = POST_TICKET(201, .id = "DEC-CH-1", .at = at(2, 1, 20, 0), .phone = phone(104),
                            .category = LD, .description = lights);
    CHECK(decision_is(a, "new", "R1", 0));
    HANDLE("DEC-CH-1", .unit = "YL-01", .team = "T2", .handler = "H-Liu", .months_ago = 2, .day = 2,
           .reached = true, .closeout_resolved = false, .followup_reached = true,
           .outcome = "unresolved");

    a = POST_TICKET(201, .id = "DEC-CH-2", .at = at(2, 8, 20, 0), .phone = phone(104),
                    .category = LD, .claim = "unresolved", .description = lights);
    CHECK(decision_is(a, "repeat", "R6", 1));
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-CH-1");
    CHECK(codes_are(jget(a, "root_causes"), "prior_unresolved"));
    CHECK(codes_are(jget(a, "actions"), "dispatch_to_original_handler,expedite"));
    HANDLE("DEC-CH-2", .unit = "YL-01", .team = "T2", .handler = "H-Liu", .months_ago = 2, .day = 9,
           .reached = true, .closeout_resolved = false, .followup_reached = true,
           .outcome = "unresolved");

    a = POST_TICKET(201, .id = "DEC-CH-3", .at = at(2, 16, 20, 0), .phone = phone(104),
                    .category = LD, .claim = "unresolved", .description = lights);
    CHECK(decision_is(a, "repeat", "R6", 2));
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-CH-1");
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-CH-2");
    CHECK(codes_are(jget(a, "actions"), "green_channel,dispatch_to_original_handler,expedite"));

    /* The third repeat is still open: a fourth call is about it, in the same chain. */
    a = POST_TICKET(201, .id = "DEC-CH-4", .at = at(2, 18, 20, 0), .phone = phone(104),
                    .category = LD, .description = lights);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 2));
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-CH-1");
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-CH-3");

    /* One green-channel rule: the screen pop and the worklist agree with the intake action. */
    char path[96];
    long st;
    snprintf(path, sizeof(path), "/v1/callers/%s/history", phone(104));
    json_t *h = gc(get_json(path, api.crm_key, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(h, "chains[0].chain_id"), "DEC-CH-1");
    ck_assert_int_eq(jbool(h, "chains[0].green_channel"), 1);
    ck_assert_int_eq(jbool(h, "green_channel"), 1);
    json_t *g = gc(get_json("/v1/kpi/green-channel", api.dash_key, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(json_array_size(jget(g, "chains")), 1);
    ck_assert_str_eq(jstr(g, "chains[0].chain_id"), "DEC-CH-1");
    /* Every time at the configured zone's offset (Asia/Shanghai), as the decisions are. */
    CHECK(times_at_offset(h, "+08:00"));
    CHECK(times_at_offset(g, "+08:00"));
    CHECK(times_at_offset(gc(get_ticket("DEC-CH-3", &st)), "+08:00"));

    /* The newest repeat handled and closed, then the chain's first ticket reopened: a work
     * order of the chain is open again, but the repeat that opened the channel is closed, so
     * the chain has left it everywhere. */
    HANDLE("DEC-CH-3", .unit = "YL-01", .team = "T2", .handler = "H-Liu", .months_ago = 2,
           .day = 19, .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    EVENT("DEC-CH-1", ev_reopened(at(2, 25, 9, 0)), 201);
    h = gc(get_json(path, api.crm_key, &st));
    ck_assert_int_eq(jbool(h, "chains[0].open"), 1);
    ck_assert_int_eq(jbool(h, "chains[0].green_channel"), 0);
    ck_assert_int_eq(jbool(h, "green_channel"), 0);
    g = gc(get_json("/v1/kpi/green-channel", api.dash_key, &st));
    ck_assert_int_eq(json_array_size(jget(g, "chains")), 0);
}
END_TEST

/* Every open prior is seen: forty open work orders on one category, each at its own place, and
 * then a call about the oldest place. However many newer tickets lie elsewhere, the call is
 * about the first one, still in progress (R2). */
START_TEST(every_open_prior_is_seen)
{
    char id[32];
    for (int i = 0; i < 40; i++) {
        snprintf(id, sizeof(id), "DEC-MANY-%02d", i);
        json_t *a = POST_TICKET(201, .id = id, .at = at(3, 1 + i / 4, 8 + i % 4, 0),
                                .phone = phone(160), .category = PS, .has_location = true,
                                .lat = 23.0 + 0.01 * i, .lon = 113.3); /* ~1.1 km apart */
        CHECK(decision_is(a, "new", "R1", 0));
    }
    json_t *a = POST_TICKET(201, .id = "DEC-MANY-X", .at = at(3, 20, 9, 0), .phone = phone(160),
                            .category = PS, .has_location = true, .lat = 23.0001, .lon = 113.3);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-MANY-00");
}
END_TEST

/* 处理中问题: explain the progress; expedite from the second call, or when P is late. */
START_TEST(r2_in_progress_and_expedite)
{
    POST_TICKET(201, .id = "DEC-R2-1", .at = at(2, 5, 8, 0), .phone = phone(105), .category = PS,
                .description = "小区门口污水管道堵塞，污水外溢。");
    EVENT("DEC-R2-1", ev_dispatched(at(2, 5, 10, 0), "SW-02", "T1", "H-Zhao", at(2, 20, 18, 0)),
          201);
    json_t *a = POST_TICKET(201, .id = "DEC-R2-2", .at = at(2, 6, 9, 0), .phone = phone(105),
                            .category = PS, .claim = "unresolved");
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-R2-1");
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-R2-1");
    ck_assert_str_eq(jstr(a, "related_ticket.status"), "open");
    ck_assert_str_eq(jstr(a, "related_ticket.unit"), "SW-02");
    ck_assert(jisnull(a, "related_ticket.closed_at"));
    CHECK(codes_are(jget(a, "actions"), "explain_progress"));
    CHECK(codes_are(jget(a, "root_causes"), ""));

    a = POST_TICKET(201, .id = "DEC-R2-3", .at = at(2, 7, 9, 0), .phone = phone(105),
                    .category = PS);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    CHECK(codes_are(jget(a, "actions"), "explain_progress,expedite"));

    long st;
    json_t *p = gc(get_ticket("DEC-R2-1", &st));
    ck_assert_int_eq(jint(p, "state.calls"), 2);
    ck_assert_int_eq(json_array_size(jget(p, "later_calls")), 2);
    ck_assert_str_eq(jstr(p, "later_calls[0].ticket_id"), "DEC-R2-2");
    ck_assert_str_eq(jstr(p, "later_calls[1].decision"), "excluded_in_progress");
    ck_assert_str_eq(jstr(p, "status"), "open");

    /* Past its deadline: the first call already expedites. */
    POST_TICKET(201, .id = "DEC-R2-4", .at = at(2, 5, 8, 0), .phone = phone(106), .category = PS);
    EVENT("DEC-R2-4", ev_dispatched(at(2, 5, 10, 0), "SW-02", "T1", "H-Zhao", at(2, 8, 18, 0)),
          201);
    a = POST_TICKET(201, .id = "DEC-R2-5", .at = at(2, 10, 9, 0), .phone = phone(106),
                    .category = PS);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    CHECK(codes_are(jget(a, "actions"), "explain_progress,expedite"));
    ck_assert_int_eq(jbool(a, "evidence.past_deadline"), 1);

    /* An open ticket is a candidate at any age, beyond lookback_months. */
    POST_TICKET(201, .id = "DEC-R2-6", .at = at(14, 3, 9, 0), .phone = phone(107), .category = PS);
    a = POST_TICKET(201, .id = "DEC-R2-7", .at = at(1, 3, 9, 0), .phone = phone(107),
                    .category = PS);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-R2-6");
}
END_TEST

/* 无法达到期望值: 医保报销比例 is a policy category; a policy dispute or a P closed as
 * policy_explained is excluded too, unless there is new evidence. */
START_TEST(r3_unmeetable)
{
    const char *ratio = "对医保报销比例不满，认为自己应享受更高比例报销，要求按自己的标准执行。";
    json_t *a = POST_TICKET(201, .id = "DEC-R3-1", .at = at(2, 3, 10, 0), .phone = phone(108),
                            .category = BL, .description = ratio);
    CHECK(decision_is(a, "new", "R1", 0)); /* nothing earlier: a first call is dispatched */
    HANDLE("DEC-R3-1", .unit = "YBJ-01", .team = "ZC", .handler = "H-Sun", .months_ago = 2,
           .day = 4, .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "policy_explained");

    a = POST_TICKET(201, .id = "DEC-R3-2", .at = at(2, 10, 10, 0), .phone = phone(108),
                    .category = BL, .claim = "dissatisfied", .description = ratio);
    CHECK(decision_is(a, "excluded_unmeetable", "R3", 0));
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-R3-1");
    ck_assert_str_eq(jstr(a, "related_ticket.outcome"), "policy_explained");
    CHECK(codes_are(jget(a, "actions"), "explain_policy"));

    a = POST_TICKET(201, .id = "DEC-R3-3", .at = at(2, 11, 10, 0), .phone = phone(108),
                    .category = BL, .description = ratio);
    CHECK(decision_is(a, "excluded_unmeetable", "R3", 0));
    CHECK(codes_are(jget(a, "assumptions"), ""));

    /* New evidence lifts the exclusion; excluded calls are no candidates, P stays R3-1. */
    a = POST_TICKET(201, .id = "DEC-R3-4", .at = at(2, 12, 10, 0), .phone = phone(108),
                    .category = BL, .claim = "unresolved", .new_evidence = 1,
                    .description = "市民提供了新的政策文件，显示其情况适用更高报销比例。");
    CHECK(decision_is(a, "repeat", "R6", 1));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-R3-1");

    /* claim policy_dispute on a category that is not marked policy. */
    POST_TICKET(201, .id = "DEC-R3-5", .at = at(2, 3, 19, 0), .phone = phone(109), .category = YY,
                .description = "楼下餐馆油烟直排，影响居民生活。");
    HANDLE("DEC-R3-5", WELL("HBJ-02", "H-Zhou", 2, 4));
    a = POST_TICKET(201, .id = "DEC-R3-6", .at = at(2, 14, 19, 0), .phone = phone(109),
                    .category = YY, .claim = "policy_dispute");
    CHECK(decision_is(a, "excluded_unmeetable", "R3", 0));
    CHECK(codes_are(jget(a, "actions"), "explain_policy"));

    /* P closed as policy_explained in an ordinary category. */
    POST_TICKET(201, .id = "DEC-R3-7", .at = at(2, 3, 7, 0), .phone = phone(110), .category = XL,
                .description = "要求恢复原公交线路走向。");
    HANDLE("DEC-R3-7", .unit = "JTJ-01", .team = "XL", .handler = "H-Wu", .months_ago = 2, .day = 4,
           .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "policy_explained");
    a = POST_TICKET(201, .id = "DEC-R3-8", .at = at(2, 20, 7, 0), .phone = phone(110),
                    .category = XL);
    CHECK(decision_is(a, "excluded_unmeetable", "R3", 0));
}
END_TEST

/* 同类问题: the drain blocked by road works was fixed; after a rainstorm it blocked again. */
START_TEST(r4_similar_problem_after_storm)
{
    POST_TICKET(201, .id = "DEC-R4-1", .at = at(2, 2, 8, 0), .phone = phone(111), .category = PS,
                .description = "社区因道路施工导致污水管道堵塞。");
    HANDLE("DEC-R4-1", WELL("SW-01", "H-Ma", 2, 3));
    json_t *a = POST_TICKET(201, .id = "DEC-R4-2", .at = at(2, 20, 7, 0), .phone = phone(111),
                            .category = PS, .claim = "recurred",
                            .description = "暴雨导致道路积水，污水管道再次出现堵塞。");
    CHECK(decision_is(a, "similar_new", "R4", 0));
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-R4-2");
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-R4-1");
    ck_assert_str_eq(jstr(a, "related_ticket.outcome"), "resolved");
    CHECK(codes_are(jget(a, "actions"), "explain_previous_fixed,dispatch"));
    CHECK(codes_are(jget(a, "assumptions"), ""));

    /* The new problem is open now: the next call is about it, in its own chain. */
    a = POST_TICKET(201, .id = "DEC-R4-3", .at = at(2, 21, 7, 0), .phone = phone(111),
                    .category = PS);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-R4-2");

    /* "recurred" about a P that was never fixed is no similar problem: a repeat. */
    POST_TICKET(201, .id = "DEC-R4-4", .at = at(2, 2, 8, 0), .phone = phone(114), .category = PS);
    HANDLE("DEC-R4-4", .unit = "SW-01", .team = "T1", .handler = "H-Ma", .months_ago = 2, .day = 3,
           .reached = true, .closeout_resolved = false, .followup_reached = true,
           .outcome = "unresolved");
    a = POST_TICKET(201, .id = "DEC-R4-5", .at = at(2, 20, 7, 0), .phone = phone(114),
                    .category = PS, .claim = "recurred");
    CHECK(decision_is(a, "repeat", "R6", 1));
}
END_TEST

/* 已结案问题: an accepted close-out and a dissatisfied citizen without new evidence. */
START_TEST(r5_closed_and_new_evidence)
{
    POST_TICKET(201, .id = "DEC-R5-1", .at = at(2, 2, 21, 0), .phone = phone(112), .category = SH,
                .description = "楼上住户深夜装修噪音扰民。");
    HANDLE("DEC-R5-1", WELL("JD-05", "H-He", 2, 3));
    json_t *a = POST_TICKET(201, .id = "DEC-R5-2", .at = at(2, 9, 21, 0), .phone = phone(112),
                            .category = SH, .claim = "dissatisfied");
    CHECK(decision_is(a, "excluded_closed", "R5", 0));
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-R5-1");
    CHECK(codes_are(jget(a, "actions"), "explain_result"));

    a = POST_TICKET(201, .id = "DEC-R5-3", .at = at(2, 10, 21, 0), .phone = phone(112),
                    .category = SH, .claim = "dissatisfied", .new_evidence = 1,
                    .description = "市民提供了新的夜间噪音录音和视频。");
    CHECK(decision_is(a, "repeat", "R6", 1));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-R5-1");

    long st;
    json_t *p = gc(get_ticket("DEC-R5-1", &st));
    ck_assert_int_eq(jint(p, "state.calls"), 1); /* the excluded call, not the repeat */
}
END_TEST

/* With no claim R6 assumes "unresolved" and says so; the same call with the claim does not. */
START_TEST(r6_claim_defaults_to_unresolved)
{
    POST_TICKET(201, .id = "DEC-R6-1", .at = at(2, 2, 22, 0), .phone = phone(113), .category = JZ,
                .description = NOISE);
    HANDLE("DEC-R6-1", WELL("CGZF-02", "H-Lin", 2, 3));
    long st;
    json_t *c = gc(classify(&(tk){.id = "DEC-R6-2",
                                  .at = at(2, 9, 22, 0),
                                  .phone = phone(113),
                                  .category = JZ,
                                  .claim = "unresolved"},
                            &st));
    ck_assert_int_eq(st, 200);
    CHECK(decision_is(c, "repeat", "R6", 1));
    CHECK(codes_are(jget(c, "assumptions"), ""));
    CHECK(codes_are(jget(c, "root_causes"), ""));
    CHECK(codes_are(jget(c, "actions"), "dispatch_to_original_handler,expedite"));

    json_t *a = POST_TICKET(201, .id = "DEC-R6-2", .at = at(2, 9, 22, 0), .phone = phone(113),
                            .category = JZ);
    CHECK(decision_is(a, "repeat", "R6", 1));
    CHECK(codes_are(jget(a, "assumptions"), "claim defaulted to unresolved"));
    CHECK(codes_are(jget(a, "actions"), "dispatch_to_original_handler,expedite"));
    ck_assert_int_eq(jbool(a, "evidence.in_window"), 1);

    /* P's handler unknown: a plain dispatch instead of 系铃解铃. */
    POST_TICKET(201, .id = "DEC-R6-3", .at = at(2, 2, 22, 0), .phone = phone(124), .category = JZ);
    HANDLE("DEC-R6-3", .unit = "CGZF-02", .months_ago = 2, .day = 3, .reached = true,
           .closeout_resolved = true, .followup_reached = true, .outcome = "resolved");
    a = POST_TICKET(201, .id = "DEC-R6-4", .at = at(2, 9, 22, 0), .phone = phone(124),
                    .category = JZ, .claim = "unresolved");
    CHECK(decision_is(a, "repeat", "R6", 1));
    CHECK(codes_are(jget(a, "actions"), "dispatch,expedite"));
}
END_TEST

/* Outside the window of one natural month: new, with P as history. */
START_TEST(r7_outside_window_and_lookback)
{
    POST_TICKET(201, .id = "DEC-R7-1", .at = at(3, 10, 8, 0), .phone = phone(115), .category = LD);
    HANDLE("DEC-R7-1", WELL("SZ-LD", "H-Chen", 3, 11));
    long st;
    json_t *c = gc(classify(
        &(tk){.id = "DEC-R7-2", .at = at(2, 5, 8, 0), .phone = phone(115), .category = LD}, &st));
    ck_assert_int_eq(st, 200);
    CHECK(decision_is(c, "new", "R7", 0));
    CHECK(codes_are(jget(c, "assumptions"), "claim defaulted to unresolved"));

    json_t *a = POST_TICKET(201, .id = "DEC-R7-2", .at = at(2, 5, 8, 0), .phone = phone(115),
                            .category = LD, .claim = "unresolved");
    CHECK(decision_is(a, "new", "R7", 0));
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-R7-2");
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-R7-1");
    ck_assert_int_eq(jbool(a, "evidence.in_window"), 0);
    CHECK(codes_are(jget(a, "actions"), "dispatch"));
    CHECK(codes_are(jget(a, "assumptions"), ""));

    /* Closed more than lookback_months (12) before: no candidate at all. */
    POST_TICKET(201, .id = "DEC-LB-1", .at = at(14, 5, 8, 0), .phone = phone(116), .category = PS);
    HANDLE("DEC-LB-1", WELL("SW-01", "H-Ma", 14, 6));
    a = POST_TICKET(201, .id = "DEC-LB-2", .at = at(1, 5, 8, 0), .phone = phone(116),
                    .category = PS);
    CHECK(decision_is(a, "new", "R1", 0));
    ck_assert(jisnull(a, "related_ticket"));
}
END_TEST

/* 一码归一码: two construction sites 2 km apart are two problems; 50 m apart, one. */
START_TEST(distance_separates_problems)
{
    POST_TICKET(201, .id = "DEC-GEO-1", .at = at(2, 3, 22, 0), .phone = phone(117), .category = JZ,
                .has_location = true, .lat = SITE_LAT, .lon = SITE_LON);
    json_t *a = POST_TICKET(201, .id = "DEC-GEO-2", .at = at(2, 4, 22, 0), .phone = phone(117),
                            .category = JZ, .has_location = true, .lat = SITE_LAT + 0.018,
                            .lon = SITE_LON, .description = "另一处建筑工地夜间施工。");
    CHECK(decision_is(a, "new", "R1", 0));
    a = POST_TICKET(201, .id = "DEC-GEO-3", .at = at(2, 5, 22, 0), .phone = phone(117),
                    .category = JZ, .has_location = true, .lat = SITE_LAT + 0.00045,
                    .lon = SITE_LON);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-GEO-1");
    /* Without coordinates the category alone decides: the latest open one. */
    a = POST_TICKET(201, .id = "DEC-GEO-4", .at = at(2, 6, 22, 0), .phone = phone(117),
                    .category = JZ);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-GEO-2");
    /* Another category is another problem. */
    a = POST_TICKET(201, .id = "DEC-GEO-5", .at = at(2, 6, 23, 0), .phone = phone(117),
                    .category = SH, .has_location = true, .lat = SITE_LAT, .lon = SITE_LON);
    CHECK(decision_is(a, "new", "R1", 0));
}
END_TEST

/* Same citizen: the CRM id when sent, else the normalised phone. */
START_TEST(same_citizen_by_id_or_phone)
{
    POST_TICKET(201, .id = "DEC-CIT-1", .at = at(2, 3, 9, 0), .phone = "+86 139-0000-0118",
                .category = JZ);
    json_t *a = POST_TICKET(201, .id = "DEC-CIT-2", .at = at(2, 4, 9, 0), .phone = "13900000118",
                            .category = JZ);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-CIT-1");

    POST_TICKET(201, .id = "DEC-CIT-3", .at = at(2, 3, 9, 0), .citizen_id = "CRM-000119",
                .phone = phone(119), .category = LD);
    a = POST_TICKET(201, .id = "DEC-CIT-4", .at = at(2, 4, 9, 0), .citizen_id = "CRM-000119",
                    .phone = phone(120), .category = LD);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-CIT-3");
    /* The id-less call from the first phone is keyed by that phone: another citizen key. */
    a = POST_TICKET(201, .id = "DEC-CIT-5", .at = at(2, 5, 9, 0), .phone = phone(119),
                    .category = LD);
    CHECK(decision_is(a, "new", "R1", 0));
    /* A citizen known by id alone. */
    a = POST_TICKET(201, .id = "DEC-CIT-6", .at = at(2, 5, 9, 0), .citizen_id = "CRM-000119",
                    .category = LD);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-CIT-3");
}
END_TEST

/* Excluded calls are never candidates: the repeat after them relates to the work order. */
START_TEST(excluded_calls_are_no_candidates)
{
    POST_TICKET(201, .id = "DEC-EX-1", .at = at(2, 3, 22, 0), .phone = phone(123), .category = JZ);
    POST_TICKET(201, .id = "DEC-EX-2", .at = at(2, 4, 8, 0), .phone = phone(123), .category = JZ);
    HANDLE("DEC-EX-1", WELL("CGZF-01", "H-Wang", 2, 5));
    json_t *a = POST_TICKET(201, .id = "DEC-EX-3", .at = at(2, 12, 22, 0), .phone = phone(123),
                            .category = JZ, .claim = "unresolved");
    CHECK(decision_is(a, "repeat", "R6", 1));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "DEC-EX-1");
    ck_assert_str_eq(jstr(a, "chain_id"), "DEC-EX-1");
}
END_TEST

/* The script follows Accept-Language: Chinese by default, English on request. */
START_TEST(script_language)
{
    POST_TICKET(201, .id = "DEC-LANG-1", .at = at(2, 3, 22, 0), .phone = phone(121),
                .category = JZ);
    json_t *en = POST_TICKET_LANG("en-US,en;q=0.9", 201, .id = "DEC-LANG-2", .at = at(2, 4, 22, 0),
                                  .phone = phone(121), .category = JZ);
    CHECK(decision_is(en, "excluded_in_progress", "R2", 0));
    ck_assert_msg(is_ascii_text(jstr(en, "script")), "English script: %s", jstr(en, "script"));
    ck_assert_ptr_nonnull(strstr(jstr(en, "script"), "DEC-LANG-1"));

    json_t *zh = POST_TICKET_LANG("zh-CN,zh;q=0.9,en;q=0.8", 201, .id = "DEC-LANG-3",
                                  .at = at(2, 5, 22, 0), .phone = phone(121), .category = JZ);
    ck_assert_msg(has_cjk(jstr(zh, "script")), "Chinese script: %s", jstr(zh, "script"));

    /* A replay answers in the language asked now; the decision itself is the stored one. */
    json_t *again = POST_TICKET_LANG("zh", 200, .id = "DEC-LANG-2", .at = at(2, 4, 22, 0),
                                     .phone = phone(121), .category = JZ);
    ck_assert(has_cjk(jstr(again, "script")));
    json_t *a = json_deep_copy(en), *b = json_deep_copy(again);
    json_object_del(a, "script");
    json_object_del(b, "script");
    ck_assert_msg(json_equal(a, b), "the replayed answer differs beyond its script");
    json_decref(a);
    json_decref(b);
}
END_TEST

/* POST the ticket's body as raw bytes in a language: the reply as sent. */
static void post_raw(const tk *t, const char *lang, http_reply *ret)
{
    json_t *body = ticket_body(t);
    char *text = json_dumps(body, JSON_COMPACT);
    http_request rq = {.method = "POST",
                       .path = "/v1/tickets",
                       .key = api.crm_key,
                       .content_type = "application/json",
                       .body = text,
                       .body_len = strlen(text),
                       .accept_language = lang};
    ck_assert_int_eq(http_send(&rq, ret), 0);
    free(text);
    json_decref(body);
}

/* An answer is stored as its decision and rendered again on read: a replay is the first answer
 * byte for byte in both languages, however its prior changed since (handled, closed, its chain
 * in the green channel with a specialist named), and the ticket view shows the same decision. */
START_TEST(replays_are_byte_identical)
{
    const char *drain = "小区雨水井堵塞，下雨后积水严重。";
    POST_TICKET(201, .id = "DEC-RB-1", .at = at(2, 1, 9, 0), .phone = phone(131), .category = PS,
                .description = drain);
    HANDLE("DEC-RB-1", .unit = "YL-02", .team = "T1", .handler = "H-Wu", .months_ago = 2, .day = 2,
           .reached = true, .closeout_resolved = false, .followup_reached = true,
           .outcome = "unresolved");
    POST_TICKET(201, .id = "DEC-RB-2", .at = at(2, 5, 9, 0), .phone = phone(131), .category = PS,
                .claim = "unresolved", .description = drain);
    HANDLE("DEC-RB-2", .unit = "YL-02", .team = "T1", .handler = "H-Wu", .months_ago = 2, .day = 6,
           .reached = true, .closeout_resolved = false, .followup_reached = true,
           .outcome = "unresolved");

    /* The third call opens the green channel; a manager names the chain's specialist. */
    POST_TICKET(201, .id = "DEC-RB-3", .at = at(2, 9, 9, 0), .phone = phone(131), .category = PS,
                .claim = "unresolved", .description = drain);
    long st;
    json_t *sp = json_pack("{s:s}", "specialist", "王专员");
    gc(send_json("PUT", "/v1/green-channel/DEC-RB-1/specialist", api.manager_key, sp, NULL, &st));
    json_decref(sp);
    ck_assert_int_eq(st, 200);
    HANDLE("DEC-RB-3", .unit = "YL-02", .team = "T1", .handler = "H-Wu", .months_ago = 2, .day = 10,
           .reached = true, .closeout_resolved = false, .followup_reached = true,
           .outcome = "unresolved");
    const tk fourth = {.id = "DEC-RB-4",
                       .at = at(2, 13, 9, 0),
                       .phone = phone(131),
                       .category = PS,
                       .description = drain};
    http_reply first[2], again[2];
    post_raw(&fourth, "zh", &first[0]);
    ck_assert_int_eq(first[0].status, 201);
    CHECK(decision_is(first[0].json, "repeat", "R6", 3));
    CHECK(codes_are(jget(first[0].json, "actions"),
                    "green_channel,dispatch_to_original_handler,expedite"));
    ck_assert_str_eq(jstr(action_of(first[0].json, "green_channel"), "specialist"), "王专员");
    post_raw(&fourth, "en", &first[1]);
    ck_assert_int_eq(first[1].status, 200);
    /* P changes after the answer: reopened, handled by others, closed again. */
    EVENT("DEC-RB-3", ev_reopened(at(2, 14, 9, 0)), 201);
    HANDLE("DEC-RB-3", .unit = "YL-03", .team = "T9", .handler = "H-Zhao", .months_ago = 2,
           .day = 15, .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    post_raw(&fourth, "zh", &again[0]);
    post_raw(&fourth, "en", &again[1]);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(again[i].status, 200);
        ck_assert_msg(again[i].body_len == first[i].body_len &&
                          !memcmp(again[i].body, first[i].body, first[i].body_len),
                      "replay differs:\n%s\n%s", first[i].body, again[i].body);
    }
    json_t *view = gc(get_ticket("DEC-RB-4", &st));
    ck_assert_int_eq(st, 200);
    json_t *answer = json_deep_copy(first[0].json);
    json_object_del(answer, "script");
    ck_assert_msg(json_equal(jget(view, "decision"), answer), "the view's decision differs");
    json_decref(answer);
    for (int i = 0; i < 2; i++) {
        http_reply_free(&first[i]);
        http_reply_free(&again[i]);
    }
}
END_TEST

/* POST /v1/classify answers like POST /v1/tickets and stores nothing. */
START_TEST(classify_stores_nothing)
{
    long st;
    json_t *c = gc(classify(
        &(tk){.id = "DEC-CL-1", .at = at(2, 3, 22, 0), .phone = phone(122), .category = JZ}, &st));
    ck_assert_int_eq(st, 200);
    CHECK(decision_is(c, "new", "R1", 0));
    ck_assert_ptr_null(gc(get_ticket("DEC-CL-1", &st)));
    ck_assert_int_eq(st, 404);

    json_t *a = POST_TICKET(201, .id = "DEC-CL-1", .at = at(2, 3, 22, 0), .phone = phone(122),
                            .category = JZ);
    CHECK(decision_is(a, "new", "R1", 0));
    c = gc(classify(
        &(tk){.id = "DEC-CL-2", .at = at(2, 4, 22, 0), .phone = phone(122), .category = JZ}, &st));
    ck_assert_int_eq(st, 200);
    CHECK(decision_is(c, "excluded_in_progress", "R2", 0));
    ck_assert_ptr_null(gc(get_ticket("DEC-CL-2", &st)));
    json_t *p = gc(get_ticket("DEC-CL-1", &st));
    ck_assert_int_eq(jint(p, "state.calls"), 0);
    ck_assert_int_eq(json_array_size(jget(p, "later_calls")), 0);
    /* A preview under an id already stored is not a replay and no conflict. */
    c = gc(classify(&(tk){.id = "DEC-CL-1",
                          .at = at(2, 5, 22, 0),
                          .phone = phone(122),
                          .category = JZ,
                          .description = "不同的内容"},
                    &st));
    ck_assert_int_eq(st, 200);
}
END_TEST

/* ---- late arrivals (a CRM's queue flushed after an outage): decided as of received_at ---- */

/* A prior closed after the late call was still in progress at its time: R2, not a repeat. */
START_TEST(late_call_sees_the_prior_still_open)
{
    POST_TICKET(201, .id = "LATE-A1", .at = at(2, 2, 9, 0), .phone = phone(140), .category = LD);
    HANDLE("LATE-A1", WELL("SZ-LD", "H-Chen", 2, 10));
    json_t *a = POST_TICKET(201, .id = "LATE-A2", .at = at(2, 5, 9, 0), .phone = phone(140),
                            .category = LD, .claim = "unresolved");
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "LATE-A1");
    /* Not dispatched then: no original handler to name, no deadline passed. */
    ck_assert_ptr_null(action_of(a, "dispatch_to_original_handler"));
    long st;
    json_t *p = gc(get_ticket("LATE-A1", &st));
    ck_assert_int_eq(jint(p, "state.calls"), 1);
    ck_assert_str_eq(jstr(p, "status"), "closed"); /* the prior itself is untouched */

    /* The same call in time order, after the closing: a repeat. */
    a = POST_TICKET(201, .id = "LATE-A3", .at = at(2, 20, 9, 0), .phone = phone(140),
                    .category = LD, .claim = "unresolved");
    CHECK(decision_is(a, "repeat", "R6", 1));
}
END_TEST

/* A prior received before the lookback and closed after the late call: open then, so it is
 * the late call's prior whatever its age. */
START_TEST(late_call_sees_an_old_prior_open_then)
{
    POST_TICKET(201, .id = "LATE-B1", .at = at(15, 5, 9, 0), .phone = phone(141), .category = PS);
    HANDLE("LATE-B1", WELL("SW-01", "H-Ma", 1, 3));
    json_t *a = POST_TICKET(201, .id = "LATE-B2", .at = at(2, 5, 9, 0), .phone = phone(141),
                            .category = PS);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "LATE-B1");
    /* In time order, after its closing, it lies before the lookback: no candidate. */
    a = POST_TICKET(201, .id = "LATE-B3", .at = at(0, 1, 9, 0), .phone = phone(141),
                    .category = PS);
    CHECK(decision_is(a, "new", "R1", 0));
}
END_TEST

/* Facts recorded after the late call do not count: an audit that later found the close-out
 * false, a reopening. */
START_TEST(late_call_ignores_later_audit_and_reopening)
{
    POST_TICKET(201, .id = "LATE-C1", .at = at(2, 2, 9, 0), .phone = phone(142), .category = SH);
    HANDLE("LATE-C1", WELL("JD-05", "H-He", 2, 3));
    EVENT("LATE-C1", ev_audit(at(2, 20, 9, 0), true, "回访核实：问题未解决，办结不实。"), 201);
    json_t *a = POST_TICKET(201, .id = "LATE-C2", .at = at(2, 9, 9, 0), .phone = phone(142),
                            .category = SH, .claim = "dissatisfied");
    CHECK(decision_is(a, "excluded_closed", "R5", 0));
    a = POST_TICKET(201, .id = "LATE-C3", .at = at(2, 21, 9, 0), .phone = phone(142),
                    .category = SH, .claim = "dissatisfied");
    CHECK(decision_is(a, "repeat", "R6", 1)); /* in time order: the false close-out counts */

    POST_TICKET(201, .id = "LATE-D1", .at = at(2, 2, 9, 0), .phone = phone(143), .category = SH);
    HANDLE("LATE-D1", WELL("JD-05", "H-He", 2, 3));
    EVENT("LATE-D1", ev_reopened(at(2, 15, 9, 0)), 201);
    a = POST_TICKET(201, .id = "LATE-D2", .at = at(2, 9, 9, 0), .phone = phone(143), .category = SH,
                    .claim = "dissatisfied");
    CHECK(decision_is(a, "excluded_closed", "R5", 0)); /* closed then, reopened later */
    a = POST_TICKET(201, .id = "LATE-D3", .at = at(2, 16, 9, 0), .phone = phone(143),
                    .category = SH, .claim = "dissatisfied");
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0)); /* open again now */
}
END_TEST

/* The chain as of the late call: a repeat received after it is no candidate, so the late call
 * repeats the first ticket with ordinal 1, and the excluded calls counted are those before. */
START_TEST(late_call_in_a_chain_takes_its_place_in_time)
{
    POST_TICKET(201, .id = "LATE-E1", .at = at(2, 2, 9, 0), .phone = phone(144), .category = YY);
    HANDLE("LATE-E1", WELL("CGZF-02", "H-Lin", 2, 3));
    json_t *a = POST_TICKET(201, .id = "LATE-E2", .at = at(2, 12, 9, 0), .phone = phone(144),
                            .category = YY, .claim = "unresolved");
    CHECK(decision_is(a, "repeat", "R6", 1));
    a = POST_TICKET(201, .id = "LATE-E3", .at = at(2, 9, 9, 0), .phone = phone(144), .category = YY,
                    .claim = "unresolved");
    CHECK(decision_is(a, "repeat", "R6", 1));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "LATE-E1");
    ck_assert_str_eq(jstr(a, "chain_id"), "LATE-E1");
}
END_TEST

/* A prior received in the second half of a second (09:00:00.750): its history is read in the
 * second it falls in, not in the next one (once read as extract(epoch)::bigint, which rounds,
 * and then found no event: the late call saw the prior undispatched). */
START_TEST(late_call_sees_a_prior_received_at_a_fraction_of_a_second)
{
    char received[48];
    const char *whole = at(2, 2, 9, 0); /* ...T09:00:00+08:00 */
    snprintf(received, sizeof(received), "%.19s.750%s", whole, whole + 19);
    POST_TICKET(201, .id = "LATE-F1", .at = received, .phone = phone(145), .category = LD);
    EVENT("LATE-F1", ev_dispatched(at(2, 2, 10, 0), "SZ-LD", "T1", "H-Qian", at(2, 4, 18, 0)), 201);
    EVENT("LATE-F1", ev_contact(at(2, 8, 9, 0), "reached"), 201); /* after the late call */
    json_t *a = POST_TICKET(201, .id = "LATE-F2", .at = at(2, 6, 9, 0), .phone = phone(145),
                            .category = LD);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "LATE-F1");
    /* As of the late call: dispatched, and past its deadline. */
    ck_assert_str_eq(jstr(a, "related_ticket.unit"), "SZ-LD");
    ck_assert_str_eq(jstr(a, "related_ticket.handler"), "H-Qian");
    ck_assert_int_eq(jbool(a, "evidence.past_deadline"), 1);
    CHECK(codes_are(jget(a, "actions"), "explain_progress,expedite"));
}
END_TEST

int main(void)
{
    harness_start("decisions");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, r1_first_complaint_is_new);
    tcase_add_test(tc, article_missed_followup);
    tcase_add_test(tc, article_contact_failed);
    tcase_add_test(tc, chain_ordinals_and_green_channel);
    tcase_add_test(tc, every_open_prior_is_seen);
    tcase_add_test(tc, r2_in_progress_and_expedite);
    tcase_add_test(tc, r3_unmeetable);
    tcase_add_test(tc, r4_similar_problem_after_storm);
    tcase_add_test(tc, r5_closed_and_new_evidence);
    tcase_add_test(tc, r6_claim_defaults_to_unresolved);
    tcase_add_test(tc, r7_outside_window_and_lookback);
    tcase_add_test(tc, distance_separates_problems);
    tcase_add_test(tc, same_citizen_by_id_or_phone);
    tcase_add_test(tc, excluded_calls_are_no_candidates);
    tcase_add_test(tc, script_language);
    tcase_add_test(tc, replays_are_byte_identical);
    tcase_add_test(tc, classify_stores_nothing);
    tcase_add_test(tc, late_call_sees_the_prior_still_open);
    tcase_add_test(tc, late_call_sees_an_old_prior_open_then);
    tcase_add_test(tc, late_call_ignores_later_audit_and_reopening);
    tcase_add_test(tc, late_call_in_a_chain_takes_its_place_in_time);
    tcase_add_test(tc, late_call_sees_a_prior_received_at_a_fraction_of_a_second);
    return harness_run(s, tc);
}
