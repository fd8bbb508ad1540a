/* API: administration. The category tree (validation, cycles, leaves, the policy mark), the
 * settings (validation naming the key, the audit trail, definition versions and their effect
 * on decisions), and the health endpoints that need no key. */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *admin(const char *method, const char *path, const char *body_text, long *st)
{
    json_t *j = NULL;
    http(method, path, api.admin_key, body_text ? "application/json" : NULL, body_text,
         body_text ? strlen(body_text) : 0, st, &j);
    return gc(j);
}

static json_t *settings_now(void)
{
    long st;
    json_t *s = admin("GET", "/v1/admin/settings", NULL, &st);
    ck_assert_int_eq(st, 200);
    return s;
}

static json_t *patch(const char *body_text, long want)
{
    long st;
    json_t *r = admin("PATCH", "/v1/admin/settings", body_text, &st);
    ck_assert_msg(st == want, "PATCH %s: %ld, expected %ld", body_text, st, want);
    return r;
}

static json_t *category_of(const char *code)
{
    long st;
    json_t *all = admin("GET", "/v1/admin/categories", NULL, &st);
    ck_assert_int_eq(st, 200);
    size_t i;
    json_t *c;
    json_array_foreach(jget(all, "categories"), i, c)
    {
        if (!strcmp(jstr(c, "code"), code))
            return c;
    }
    return NULL;
}

START_TEST(health_needs_no_key)
{
    long st;
    http_reply r;
    json_t *h = gc(get_json("/healthz", NULL, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(h, "status"), "ok");
    h = gc(get_json("/readyz", NULL, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(h, "status"), "ready");
    http_request rq = {.method = "GET", .path = "/readyz", .raw_authorization = "Bearer nope"};
    ck_assert_int_eq(http_send(&rq, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.content_type, "application/json");
    http_reply_free(&r);
}
END_TEST

/* The defaults of DOMAIN.md, by their names, and definition version 1. Runs first. */
START_TEST(settings_defaults)
{
    json_t *s = settings_now();
    json_t *want = json_pack(
        "{s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:i, s:[s,s,s,s,s,s], s:i, s:i, s:i, s:i, s:i, s:i, "
        "s:i, "
        "s:i, s:i}",
        "repeat_window_months", 1, "lookback_months", 12, "same_place_radius_m", 250,
        "green_channel_min_repeats", 2, "expedite_after_calls", 2, "contact_failure_attempts", 3,
        "time_zone", "Asia/Shanghai", "closeout_min_chars", 10, "closeout_boilerplate", "已处理",
        "已维修", "已解决", "处理完毕", "已办结", "已回复", "ranking_min_complaints", 20,
        "ranking_bottom_n", 3, "programme_exit_months", 2, "green_channel_verify_days", 3,
        "hotspot_min_citizens", 5, "hotspot_radius_m", 250, "hotspot_days", 7, "definition_version",
        1, "retain_months", 0);
    char *got = json_dumps(s, JSON_SORT_KEYS | JSON_COMPACT);
    ck_assert_msg(json_equal(s, want), "settings: %s", got);
    free(got);
    json_decref(want);
}
END_TEST

START_TEST(categories_listed)
{
    json_t *jz = category_of("HB.ZS.JZ");
    ck_assert_ptr_nonnull(jz);
    ck_assert_str_eq(jstr(jz, "name"), "建筑施工噪声");
    ck_assert_str_eq(jstr(jz, "parent"), "HB.ZS");
    ck_assert_int_eq(jbool(jz, "leaf"), 1);
    ck_assert_int_eq(jbool(jz, "policy"), 0);
    json_t *zs = category_of("HB.ZS");
    ck_assert_int_eq(jbool(zs, "leaf"), 0);
    ck_assert(jisnull(category_of("HB"), "parent"));
    ck_assert_int_eq(jbool(category_of("SB.YB.BL"), "policy"), 1);
    long st;
    json_t *all = admin("GET", "/v1/admin/categories", NULL, &st);
    ck_assert_int_eq(json_array_size(jget(all, "categories")), 17);
    json_t *r = gc(get_json("/v1/admin/categories", api.dash_key, &st));
    CHECK(error_is(st, r, 403, "forbidden", NULL));
}
END_TEST

typedef struct cat_row {
    const char *name, *body;
    long status;
    const char *error, *field;
} cat_row;

/* clang-format off */
static const cat_row cat_rows[] = {
    {"categories not an array", "{\"categories\":{}}", 400, "invalid_field", "categories"},
    {"no categories", "{\"tree\":[]}", 400, "invalid_field", "categories"},
    {"empty list", "{\"categories\":[]}", 400, "invalid_field", "categories"},
    {"extra member", "{\"categories\":[{\"code\":\"ZX\",\"name\":\"x\"}],\"x\":1}", 400, "invalid_field", "categories"},
    {"no code", "{\"categories\":[{\"name\":\"政务服务\"}]}", 400, "invalid_field", "categories[0].code"},
    {"code with a space", "{\"categories\":[{\"code\":\"ZW BS\",\"name\":\"政务服务\"}]}", 400, "invalid_field", "categories[0].code"},
    {"empty code", "{\"categories\":[{\"code\":\"\",\"name\":\"政务服务\"}]}", 400, "invalid_field", "categories[0].code"},
    {"empty name", "{\"categories\":[{\"code\":\"ZX\",\"name\":\"\"}]}", 400, "invalid_field", "categories[0].name"},
    {"name a number", "{\"categories\":[{\"code\":\"ZX\",\"name\":5}]}", 400, "invalid_field", "categories[0].name"},
    {"own parent", "{\"categories\":[{\"code\":\"ZX\",\"name\":\"x\",\"parent\":\"ZX\"}]}", 400, "invalid_field", "categories[0].parent"},
    {"policy a string", "{\"categories\":[{\"code\":\"ZX\",\"name\":\"x\",\"policy\":\"yes\"}]}", 400, "invalid_field", "categories[0].policy"},
    {"unknown member", "{\"categories\":[{\"code\":\"ZX\",\"name\":\"x\",\"leaf\":true}]}", 400, "invalid_field", "categories[0].leaf"},
    {"second entry bad", "{\"categories\":[{\"code\":\"ZX\",\"name\":\"x\"},{\"code\":\"ZX.1\"}]}", 400, "invalid_field", "categories[1].name"},
    {"unknown parent", "{\"categories\":[{\"code\":\"ZX\",\"name\":\"政务服务\",\"parent\":null}," "{\"code\":\"ZX.BS\",\"name\":\"办事服务\",\"parent\":\"ZY\"}]}", 422, "invalid_category_tree", "categories[1].parent"},
    {"cycle through the stored tree", "{\"categories\":[{\"code\":\"HB\",\"name\":\"环境保护\",\"parent\":\"HB.ZS.JZ\"}]}", 422, "invalid_category_tree", "categories[0].parent"},
    {"cycle within the body", "{\"categories\":[{\"code\":\"ZX\",\"name\":\"甲\"}," "{\"code\":\"ZX.1\",\"name\":\"乙\",\"parent\":\"ZX\"}," "{\"code\":\"ZX\",\"name\":\"甲\",\"parent\":\"ZX.1\"}]}", 422, "invalid_category_tree", "categories[2].parent"},
};
/* clang-format on */

/* Every refused PUT leaves the tree as it was: none of its entries is stored. */
START_TEST(categories_put_validation)
{
    const cat_row *r = &cat_rows[_i];
    long st;
    json_t *j = admin("PUT", "/v1/admin/categories", r->body, &st);
    const char *m = error_is(st, j, r->status, r->error, r->field);
    ck_assert_msg(m == NULL, "%s: %s", r->name, m);
    ck_assert_ptr_null(category_of("ZX"));
    ck_assert_ptr_null(category_of("ZX.1"));
    ck_assert_ptr_null(category_of("ZX.BS"));
    ck_assert(jisnull(category_of("HB"), "parent"));
    json_t *all = admin("GET", "/v1/admin/categories", NULL, &st);
    ck_assert_int_eq(json_array_size(jget(all, "categories")), 17);
}
END_TEST

START_TEST(categories_upsert_and_leaves)
{
    long st;
    json_t *r = admin("PUT", "/v1/admin/categories",
                      "{\"categories\":[{\"code\":\"ZW\",\"name\":\"政务服务\",\"parent\":null},"
                      "{\"code\":\"ZW.BS\",\"name\":\"办事服务\",\"parent\":\"ZW\"},"
                      "{\"code\":\"ZW.BS.CL\",\"name\":\"办事材料\",\"parent\":\"ZW.BS\"}]}",
                      &st);
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(jint(r, "upserted"), 3);
    ck_assert_int_eq(jint(r, "total"), 20);
    json_t *a = POST_TICKET(201, .id = "ADM-CAT-1", .at = at(2, 3, 9, 0), .phone = phone(401),
                            .category = "ZW.BS.CL",
                            .description = "办理业务时窗口要求提供的材料与网上公布的不一致。");
    CHECK(decision_is(a, "new", "R1", 0));

    r = admin("PUT", "/v1/admin/categories",
              "{\"categories\":[{\"code\":\"ZW.BS.CL\",\"name\":\"办事材料要求\","
              "\"parent\":\"ZW.BS\"}]}",
              &st);
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(jint(r, "total"), 20);
    ck_assert_str_eq(jstr(category_of("ZW.BS.CL"), "name"), "办事材料要求");

    /* A child makes the leaf an inner node: tickets must name the new leaf. */
    r = admin("PUT", "/v1/admin/categories",
              "{\"categories\":[{\"code\":\"ZW.BS.CL.YC\",\"name\":\"材料要求不一致\","
              "\"parent\":\"ZW.BS.CL\"}]}",
              &st);
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(jbool(category_of("ZW.BS.CL"), "leaf"), 0);
    json_t *e = gc(post_ticket(
        &(tk){.id = "ADM-CAT-2", .at = at(2, 4, 9, 0), .phone = phone(401), .category = "ZW.BS.CL"},
        &st));
    CHECK(error_is(st, e, 422, "unknown_category", "category"));
    a = POST_TICKET(201, .id = "ADM-CAT-3", .at = at(2, 4, 9, 0), .phone = phone(401),
                    .category = "ZW.BS.CL.YC");
    CHECK(decision_is(a, "new", "R1", 0));
    /* A ticket stored under the old leaf still replays its stored decision. */
    json_t *replay = POST_TICKET(200, .id = "ADM-CAT-1", .at = at(2, 3, 9, 0), .phone = phone(401),
                                 .category = "ZW.BS.CL",
                                 .description = "办理业务时窗口要求提供的材料与网上公布的不一致。");
    CHECK(decision_is(replay, "new", "R1", 0));
}
END_TEST

/* The policy mark decides R3 for calls about a closed P, and can be taken back. */
START_TEST(policy_mark_changes_decisions)
{
    long st;
    admin("PUT", "/v1/admin/categories",
          "{\"categories\":[{\"code\":\"GJJ\",\"name\":\"住房公积金\"},"
          "{\"code\":\"GJJ.TQ\",\"name\":\"公积金提取条件\",\"parent\":\"GJJ\",\"policy\":false}]}",
          &st);
    ck_assert_int_eq(st, 200);
    POST_TICKET(201, .id = "ADM-POL-1", .at = at(2, 2, 9, 0), .phone = phone(402),
                .category = "GJJ.TQ", .description = "认为公积金提取条件过严，要求放宽。");
    HANDLE("ADM-POL-1", .unit = "GJJ-01", .team = "T1", .handler = "H-Qian", .months_ago = 2,
           .day = 3, .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    tk again = {.id = "ADM-POL-2",
                .at = at(2, 12, 9, 0),
                .phone = phone(402),
                .category = "GJJ.TQ",
                .claim = "unresolved"};
    json_t *c = gc(classify(&again, &st));
    CHECK(decision_is(c, "repeat", "R6", 1));

    admin("PUT", "/v1/admin/categories",
          "{\"categories\":[{\"code\":\"GJJ.TQ\",\"name\":\"公积金提取条件\",\"parent\":\"GJJ\","
          "\"policy\":true}]}",
          &st);
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(jbool(category_of("GJJ.TQ"), "policy"), 1);
    c = gc(classify(&again, &st));
    CHECK(decision_is(c, "excluded_unmeetable", "R3", 0));
    CHECK(codes_are(jget(c, "actions"), "explain_policy"));
    tk evidence = again;
    evidence.new_evidence = 1;
    c = gc(classify(&evidence, &st));
    CHECK(decision_is(c, "repeat", "R6", 1));

    /* Upserting without "policy" clears the mark. */
    admin("PUT", "/v1/admin/categories",
          "{\"categories\":[{\"code\":\"GJJ.TQ\",\"name\":\"公积金提取条件\",\"parent\":\"GJJ\"}]}",
          &st);
    ck_assert_int_eq(jbool(category_of("GJJ.TQ"), "policy"), 0);
    c = gc(classify(&again, &st));
    CHECK(decision_is(c, "repeat", "R6", 1));
}
END_TEST

typedef struct patch_row {
    const char *body, *field;
} patch_row;

static const patch_row patch_rows[] = {
    {"{\"repeat_window_months\":0}", "repeat_window_months"},
    {"{\"repeat_window_months\":25}", "repeat_window_months"},
    {"{\"repeat_window_months\":\"2\"}", "repeat_window_months"},
    {"{\"repeat_window_months\":1.5}", "repeat_window_months"},
    {"{\"repeat_window_months\":null}", "repeat_window_months"},
    {"{\"repeat_window_months\":true}", "repeat_window_months"},
    {"{\"lookback_months\":61}", "lookback_months"},
    {"{\"same_place_radius_m\":-1}", "same_place_radius_m"},
    {"{\"green_channel_min_repeats\":0}", "green_channel_min_repeats"},
    {"{\"expedite_after_calls\":101}", "expedite_after_calls"},
    {"{\"contact_failure_attempts\":0}", "contact_failure_attempts"},
    {"{\"closeout_min_chars\":0}", "closeout_min_chars"},
    {"{\"ranking_bottom_n\":-3}", "ranking_bottom_n"},
    {"{\"time_zone\":\"Mars/Olympus\"}", "time_zone"},
    {"{\"time_zone\":8}", "time_zone"},
    {"{\"time_zone\":\"\"}", "time_zone"},
    {"{\"closeout_boilerplate\":\"已处理\"}", "closeout_boilerplate"},
    {"{\"closeout_boilerplate\":[\"已处理\",5]}", "closeout_boilerplate"},
    {"{\"closeout_boilerplate\":[\"\"]}", "closeout_boilerplate"},
    {"{\"closeout_boilerplate\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\","
     "\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\",\"18\",\"19\",\"20\",\"21\",\"22\","
     "\"23\",\"24\",\"25\",\"26\",\"27\",\"28\",\"29\",\"30\",\"31\",\"32\",\"33\"]}",
     "closeout_boilerplate"},
    {"{\"repeat_windows_months\":2}", "repeat_windows_months"},
    {"{\"definition_version\":5}", "definition_version"},
    {"{\"retain_months\":-1}", "retain_months"},
    {"{\"retain_months\":1201}", "retain_months"},
    {"{\"retain_months\":\"12\"}", "retain_months"},
    /* One bad key spoils the whole PATCH: the good one is not applied either. */
    {"{\"repeat_window_months\":2,\"lookback_months\":0}", "lookback_months"},
};

/* Each bad PATCH is 400 naming the key and changes nothing. */
START_TEST(settings_patch_validation)
{
    const patch_row *r = &patch_rows[_i];
    json_t *before = settings_now();
    long st;
    json_t *j = admin("PATCH", "/v1/admin/settings", r->body, &st);
    const char *m = error_is(st, j, 400, "invalid_field", r->field);
    ck_assert_msg(m == NULL, "PATCH %s: %s", r->body, m);
    ck_assert_msg(json_equal(before, settings_now()), "PATCH %s changed the settings", r->body);
}
END_TEST

START_TEST(settings_patch_shape)
{
    long st;
    json_t *j = admin("PATCH", "/v1/admin/settings", "[]", &st);
    CHECK(error_is(st, j, 400, "invalid_json", NULL));
    j = admin("PATCH", "/v1/admin/settings", "{\"repeat_window_months\":", &st);
    CHECK(error_is(st, j, 400, "invalid_json", NULL));
    json_t *before = settings_now();
    j = patch("{}", 200);
    ck_assert(json_equal(before, j));
    j = gc(send_json("PATCH", "/v1/admin/settings", api.dash_key, gc(json_object()), NULL, &st));
    CHECK(error_is(st, j, 403, "forbidden", NULL));
    j = gc(get_json("/v1/admin/settings/audit", api.crm_key, &st));
    CHECK(error_is(st, j, 403, "forbidden", NULL));
}
END_TEST

/* A close-out usable to check what the inspection settings do. */
static json_t *closeout_cause(const char *at_, const char *contact_time, const char *cause)
{
    json_t *e = ev_closeout(at_, contact_time, true, false);
    json_object_set_new(e, "cause", json_string(cause));
    return e;
}

/* Who changed what, when, from and to: the audit trail, newest first. Inspection settings
 * take effect at once and make no new definition version. */
START_TEST(settings_audit_trail)
{
    long st;
    int version = (int)jint(settings_now(), "definition_version");
    json_t *s = patch("{\"closeout_min_chars\":12}", 200);
    ck_assert_int_eq(jint(s, "closeout_min_chars"), 12);
    ck_assert_int_eq(jint(s, "definition_version"), version);
    json_t *audit = admin("GET", "/v1/admin/settings/audit", NULL, &st);
    ck_assert_int_eq(st, 200);
    size_t rows = json_array_size(jget(audit, "changes"));
    ck_assert_str_eq(jstr(audit, "changes[0].key"), "closeout_min_chars");
    ck_assert_int_eq(jint(audit, "changes[0].old_value"), 10);
    ck_assert_int_eq(jint(audit, "changes[0].new_value"), 12);
    ck_assert_str_eq(jstr(audit, "changes[0].changed_by"), "bootstrap");
    ck_assert_ptr_nonnull(jstr(audit, "changes[0].changed_at"));
    CHECK(times_at_offset(audit, "+08:00"));
    ck_assert_int_eq(jint(audit, "changes[0].definition_version"), version);

    /* 10 characters are now too short. */
    POST_TICKET(201, .id = "ADM-AU-1", .at = at(2, 3, 9, 0), .phone = phone(403),
                .category = "CG.SZ.LD");
    EVENT("ADM-AU-1", ev_dispatched(at(2, 3, 10, 0), "SZ-LD", NULL, "H-Chen", NULL), 201);
    json_t *r = EVENT("ADM-AU-1",
                      closeout_cause(at(2, 4, 9, 0), at(2, 3, 11, 0), "路灯灯泡老化线路接触"), 422);
    CHECK(defects_are(jget(r, "defects"), "too_short@cause"));

    /* Another admin, by its own name; the same value again records nothing. */
    char key[128];
    const char *args[] = {"key", "create", "--role", "admin", "--name", "t-admin", NULL};
    ck_assert_int_eq(harness_run_repeatd(key, sizeof(key), args), 0);
    s = gc(send_json(
        "PATCH", "/v1/admin/settings", key,
        gc(json_pack("{s:i, s:[s,s,s,s,s,s,s]}", "closeout_min_chars", 10, "closeout_boilerplate",
                     "已处理", "已维修", "已解决", "处理完毕", "已办结", "已回复", "已整改")),
        NULL, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(json_array_size(jget(s, "closeout_boilerplate")), 7);
    audit = admin("GET", "/v1/admin/settings/audit", NULL, &st);
    ck_assert_int_eq(json_array_size(jget(audit, "changes")), rows + 2);
    json_t *mine = NULL;
    for (int i = 0; i < 2; i++) {
        char path[32];
        snprintf(path, sizeof(path), "changes[%d]", i);
        json_t *c = jget(audit, path);
        ck_assert_str_eq(jstr(c, "changed_by"), "t-admin");
        if (!strcmp(jstr(c, "key"), "closeout_min_chars"))
            mine = c;
        else
            ck_assert_int_eq(json_array_size(jget(c, "new_value")), 7);
    }
    ck_assert_ptr_nonnull(mine);
    ck_assert_int_eq(jint(mine, "old_value"), 12);
    ck_assert_int_eq(jint(mine, "new_value"), 10);
    patch("{\"closeout_min_chars\":10}", 200);
    audit = admin("GET", "/v1/admin/settings/audit", NULL, &st);
    ck_assert_int_eq(json_array_size(jget(audit, "changes")), rows + 2);

    /* The new stock phrase is boilerplate now. */
    r = EVENT("ADM-AU-1", closeout_cause(at(2, 4, 10, 0), at(2, 3, 11, 0), "已整改。"), 422);
    CHECK(defects_are(jget(r, "defects"), "boilerplate_only@cause"));
    patch("{\"closeout_boilerplate\":[\"已处理\",\"已维修\",\"已解决\",\"处理完毕\",\"已办结\","
          "\"已回复\"]}",
          200);
    ck_assert_int_eq(jint(settings_now(), "definition_version"), version);
}
END_TEST

/* retain_months is a setting like the others (no new definition version), and repeatd
 * maintain applies it: never fewer months than lookback_months + 1, one JSON line. */
START_TEST(retention_setting_and_maintain)
{
    int v0 = (int)jint(settings_now(), "definition_version");
    json_t *s = patch("{\"retain_months\":24}", 200);
    ck_assert_int_eq(jint(s, "retain_months"), 24);
    ck_assert_int_eq(jint(s, "definition_version"), v0);
    static const char *const args[] = {"maintain", NULL};
    char line[2048];
    ck_assert_int_eq(harness_run_repeatd(line, sizeof(line), args), 0);
    json_error_t err;
    json_t *sum = json_loads(line, 0, &err);
    ck_assert_msg(sum != NULL, "repeatd maintain printed %s", line);
    ck_assert_int_eq(jint(sum, "retain_months"), 24);
    ck_assert_int_eq(jint(sum, "keep_months"), 24);
    ck_assert_int_eq(jint(sum, "partitions_made"), 0); /* the server made them at start */
    ck_assert_int_eq(jint(sum, "months_dropped"), 0);  /* this program's tickets are recent */
    json_decref(sum);
    patch("{\"retain_months\":3}", 200);
    ck_assert_int_eq(harness_run_repeatd(line, sizeof(line), args), 0);
    sum = json_loads(line, 0, &err);
    ck_assert_msg(sum != NULL, "repeatd maintain printed %s", line);
    ck_assert_int_eq(jint(sum, "keep_months"), 13); /* lookback_months 12, plus one */
    json_decref(sum);
    patch("{\"retain_months\":0}", 200);
    /* A database that cannot be reached: exit 1, nothing on stdout. */
    char bad_url[1300];
    const char *q = strchr(api.admin_url, '?');
    snprintf(bad_url, sizeof(bad_url), "postgresql:///repeatd_no_such_db%s", q ? q : "");
    line[0] = '\0';
    ck_assert_int_eq(harness_run_repeatd_on(bad_url, line, sizeof(line), args), 1);
    ck_assert_str_eq(line, "");
}
END_TEST

/* Only the settings that define a repeat make a new definition version; each decision
 * carries the version it was made under, and stored decisions keep theirs. */
START_TEST(definition_version_and_window)
{
    int v0 = (int)jint(settings_now(), "definition_version");
    json_t *s = patch("{\"contact_failure_attempts\":4}", 200);
    ck_assert_int_eq(jint(s, "definition_version"), v0);
    patch("{\"contact_failure_attempts\":3}", 200);

    POST_TICKET(201, .id = "ADM-DV-1", .at = at(3, 20, 9, 0), .phone = phone(404),
                .category = "CG.SZ.PS", .description = "雨水井堵塞，路面积水。");
    HANDLE("ADM-DV-1", .unit = "SW-01", .team = "T1", .handler = "H-Ma", .months_ago = 3, .day = 21,
           .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    tk next = {.id = "ADM-DV-2",
               .at = at(2, 5, 9, 0),
               .phone = phone(404),
               .category = "CG.SZ.PS",
               .claim = "unresolved"};
    long st;
    json_t *c = gc(classify(&next, &st));
    CHECK(decision_is(c, "new", "R7", 0));
    ck_assert_int_eq(jint(c, "definition_version"), v0);

    /* 2 natural months: the same or the previous calendar month. */
    s = patch("{\"repeat_window_months\":2}", 200);
    ck_assert_int_eq(jint(s, "repeat_window_months"), 2);
    ck_assert_int_eq(jint(s, "definition_version"), v0 + 1);
    json_t *audit = admin("GET", "/v1/admin/settings/audit", NULL, &st);
    ck_assert_str_eq(jstr(audit, "changes[0].key"), "repeat_window_months");
    ck_assert_int_eq(jint(audit, "changes[0].definition_version"), v0 + 1);
    json_t *a = post_expect(&next, 201, NULL, __LINE__);
    CHECK(decision_is(a, "repeat", "R6", 1));
    ck_assert_int_eq(jint(a, "definition_version"), v0 + 1);
    json_t *p = gc(get_ticket("ADM-DV-1", &st));
    ck_assert_int_eq(jint(p, "decision.definition_version"), v0);

    /* A replay is the decision as made, under its own version. */
    json_t *replay = POST_TICKET(200, .id = "ADM-DV-1", .at = at(3, 20, 9, 0), .phone = phone(404),
                                 .category = "CG.SZ.PS", .description = "雨水井堵塞，路面积水。");
    ck_assert_int_eq(jint(replay, "definition_version"), v0);
    s = patch("{\"repeat_window_months\":2}", 200);
    ck_assert_int_eq(jint(s, "definition_version"), v0 + 1);
    s = patch("{\"repeat_window_months\":1}", 200);
    ck_assert_int_eq(jint(s, "definition_version"), v0 + 2);
}
END_TEST

/* Natural months are counted in the configured zone: 02:00 on the 1st in Shanghai is still
 * the previous month in UTC. */
START_TEST(time_zone_defines_natural_months)
{
    POST_TICKET(201, .id = "ADM-TZ-1", .at = at(3, 20, 10, 0), .phone = phone(405),
                .category = "HB.ZS.SH", .description = "广场舞音响声音过大。");
    HANDLE("ADM-TZ-1", .unit = "JD-05", .team = "T1", .handler = "H-He", .months_ago = 3, .day = 21,
           .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    tk next = {.id = "ADM-TZ-2",
               .at = at(2, 1, 2, 0),
               .phone = phone(405),
               .category = "HB.ZS.SH",
               .claim = "unresolved"};
    long st;
    json_t *c = gc(classify(&next, &st));
    CHECK(decision_is(c, "new", "R7", 0));
    int v = (int)jint(c, "definition_version");

    json_t *s = patch("{\"time_zone\":\"UTC\"}", 200);
    ck_assert_str_eq(jstr(s, "time_zone"), "UTC");
    ck_assert_int_eq(jint(s, "definition_version"), v + 1);
    c = gc(classify(&next, &st));
    CHECK(decision_is(c, "repeat", "R6", 1));
    ck_assert_int_eq(jint(c, "definition_version"), v + 1);

    s = patch("{\"time_zone\":\"Asia/Shanghai\"}", 200);
    ck_assert_int_eq(jint(s, "definition_version"), v + 2);
    c = gc(classify(&next, &st));
    CHECK(decision_is(c, "new", "R7", 0));
}
END_TEST

/* Every time is given at the configured zone's offset for its own instant: in New York a
 * winter ticket's times read -05:00 and a summer ticket's -04:00, in the ticket view and the
 * caller's history alike. */
START_TEST(times_carry_the_offset_of_their_instant)
{
    /* The last January and July before the previous year's end: within the caller history's
     * 24 months whatever the day the test runs. */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int year = tm.tm_year + 1900 - 1;
    char jan[32], jul[32], jan_local[40], jul_local[40];
    snprintf(jan, sizeof(jan), "%04d-01-15T15:00:00Z", year);
    snprintf(jul, sizeof(jul), "%04d-07-15T15:00:00Z", year);
    snprintf(jan_local, sizeof(jan_local), "%04d-01-15T10:00:00-05:00", year);
    snprintf(jul_local, sizeof(jul_local), "%04d-07-15T11:00:00-04:00", year);
    json_t *s = patch("{\"time_zone\":\"America/New_York\"}", 200);
    ck_assert_str_eq(jstr(s, "time_zone"), "America/New_York");
    POST_TICKET(201, .id = "ADM-DST-1", .at = jan, .phone = phone(407), .category = "CG.SZ.LD");
    POST_TICKET(201, .id = "ADM-DST-2", .at = jul, .phone = phone(408), .category = "CG.SZ.LD");
    long st;
    json_t *t = gc(get_ticket("ADM-DST-1", &st));
    json_t *t2 = gc(get_ticket("ADM-DST-2", &st));
    json_t *h = gc(get_json("/v1/callers/13900000408/history", api.crm_key, &st));
    patch("{\"time_zone\":\"Asia/Shanghai\"}", 200); /* before any check can stop the test */
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(t, "received_at"), jan_local);
    CHECK(times_at_offset(t, "-05:00"));
    ck_assert_str_eq(jstr(t2, "received_at"), jul_local);
    CHECK(times_at_offset(t2, "-04:00"));
    CHECK(times_at_offset(h, "-04:00"));
}
END_TEST

/* The admin key passes every role check. */
START_TEST(admin_key_passes_every_role)
{
    long st;
    json_t *c = gc(send_json(
        "POST", "/v1/classify", api.admin_key,
        gc(ticket_body(&(tk){
            .id = "ADM-K-1", .at = at(2, 3, 9, 0), .phone = phone(406), .category = "CG.SZ.LD"})),
        NULL, &st));
    ck_assert_int_eq(st, 200);
    CHECK(decision_is(c, "new", "R1", 0));
    c = gc(get_json("/v1/callers/13900000406/history", api.admin_key, &st));
    ck_assert_int_eq(st, 200);
}
END_TEST

/* GET /v1/whoami names the key and its role (the dashboard's write controls follow it); a key
 * that may not read the dashboard is refused as on any dashboard route. */
START_TEST(whoami_names_key_and_role)
{
    long st;
    json_t *j = gc(get_json("/v1/whoami", api.manager_key, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(j, "role"), "manager");
    ck_assert_str_eq(jstr(j, "name"), "t-manager");
    ck_assert_uint_eq(json_object_size(j), 2);
    j = gc(get_json("/v1/whoami", api.dash_key, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(j, "role"), "dashboard");
    ck_assert_str_eq(jstr(j, "name"), "t-dashboard");
    j = gc(get_json("/v1/whoami", api.admin_key, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(j, "role"), "admin");
    j = gc(get_json("/v1/whoami", api.crm_key, &st));
    ck_assert_int_eq(st, 403);
    j = gc(get_json("/v1/whoami", NULL, &st));
    ck_assert_int_eq(st, 401);
}
END_TEST

/* A real tree is larger than the default body limit: the category upload's own 4 MiB limit
 * applies while the body streams in, not only after it arrived. */
START_TEST(categories_large_tree)
{
    size_t cap = 200000, n = 0;
    char *body = malloc(cap);
    ck_assert_ptr_nonnull(body);
    n += (size_t)snprintf(body + n, cap - n,
                          "{\"categories\":[{\"code\":\"BIG\",\"name\":\"大批量目录\","
                          "\"parent\":null}");
    for (int i = 0; i < 1500; i++)
        n += (size_t)snprintf(body + n, cap - n,
                              ",{\"code\":\"BIG.%04d\",\"name\":\"末端节点%04d\","
                              "\"parent\":\"BIG\",\"policy\":false}",
                              i, i);
    n += (size_t)snprintf(body + n, cap - n, "]}");
    ck_assert_uint_gt(n, 65536);
    long st;
    json_t *r = admin("PUT", "/v1/admin/categories", body, &st);
    free(body);
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(jint(r, "upserted"), 1501);
    ck_assert_int_eq(jbool(category_of("BIG.1499"), "leaf"), 1);
}
END_TEST

int main(void)
{
    harness_start("admin");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, settings_defaults);
    tcase_add_test(tc, health_needs_no_key);
    tcase_add_test(tc, categories_listed);
    tcase_add_loop_test(tc, categories_put_validation, 0,
                        (int)(sizeof(cat_rows) / sizeof(cat_rows[0])));
    tcase_add_test(tc, categories_upsert_and_leaves);
    tcase_add_test(tc, policy_mark_changes_decisions);
    tcase_add_loop_test(tc, settings_patch_validation, 0,
                        (int)(sizeof(patch_rows) / sizeof(patch_rows[0])));
    tcase_add_test(tc, settings_patch_shape);
    tcase_add_test(tc, settings_audit_trail);
    tcase_add_test(tc, definition_version_and_window);
    tcase_add_test(tc, retention_setting_and_maintain);
    tcase_add_test(tc, time_zone_defines_natural_months);
    tcase_add_test(tc, times_carry_the_offset_of_their_instant);
    tcase_add_test(tc, admin_key_passes_every_role);
    tcase_add_test(tc, categories_large_tree);
    tcase_add_test(tc, whoami_names_key_and_role);
    return harness_run(s, tc);
}
