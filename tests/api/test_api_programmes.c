/* API: improvement programmes (末位改善专项) and the green-channel worklist (专人维护核查):
 * who may call what, a programme's months and exit criterion on a hand-made history checked
 * against hand-worked ranks, overdue check-ins, status changes and their refusals (nothing
 * changed), the audit trail, and the specialist named in the intake answer. The cases run in
 * order on one server: history posts what the others read. */
#include "kpi_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CAT "HB.ZS.JZ"

/* An instant `days_ago` days before now, in UTC (ring of static buffers). */
static const char *days_ago(int days)
{
    time_t t = time(NULL) - (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    return P("%04d-%02d-%02dT%02d:%02d:%02dZ", 1900 + tm.tm_year, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* "YYYY-MM" of the month `months_ago` before the current one in Asia/Shanghai. */
static const char *month_label(int months_ago)
{
    return P("%.7s", at(months_ago, 1, 0, 0));
}

/* A request with a JSON text body and a key that must answer `want`; the answer (gc'd). */
static json_t *call_at(int line, const char *key, const char *method, const char *path,
                       const char *body, long want)
{
    json_t *b = NULL;
    if (body) {
        json_error_t e;
        b = json_loads(body, 0, &e);
        ck_assert_msg(b, "line %d: bad test body: %s", line, e.text);
    }
    long status = 0;
    json_t *r =
        body ? send_json(method, path, key, b, NULL, &status) : get_json(path, key, &status);
    json_decref(b);
    char *text = r ? json_dumps(r, JSON_COMPACT) : NULL;
    ck_assert_msg(status == want, "line %d: %s %s: %ld, want %ld: %s", line, method, path, status,
                  want, text ? text : "(no JSON)");
    free(text);
    return gc(r);
}
#define CALL(key, method, path, body, want)                                                        \
    call_at(__LINE__, (key), (method), (path), (body), (want))
#define MANAGER(method, path, body, want) CALL(api.manager_key, (method), (path), (body), (want))
#define DASH(path)                        CALL(api.dash_key, "GET", (path), NULL, 200)

static void expect_error(int line, json_t *r, const char *code, const char *field)
{
    char *text = json_dumps(r, JSON_COMPACT);
    ck_assert_msg(r && jstr(r, "error") && !strcmp(jstr(r, "error"), code), "line %d: want %s: %s",
                  line, code, text);
    if (field)
        ck_assert_msg(jstr(r, "field") && !strcmp(jstr(r, "field"), field),
                      "line %d: want field %s: %s", line, field, text);
    free(text);
}
#define EXPECT_ERROR(r, code, field) expect_error(__LINE__, (r), (code), (field))

static int serial;

/* One complaint handled by `unit` in the month `ma` months ago, and with `repeat` a repeat of
 * it later that month, handled by the same unit: 1/0 or 2/1 complaints/repeats. */
static void unit_month(const char *unit, int ma, bool repeat)
{
    const char *ph = phone(100 + serial);
    char id1[32], id2[32];
    snprintf(id1, sizeof(id1), "PG-%d-a", serial);
    snprintf(id2, sizeof(id2), "PG-%d-b", serial);
    serial++;
    json_t *a = POST_TICKET(201, .id = id1, .at = at(ma, 2, 9, 0), .phone = ph, .category = CAT,
                            .description = "工地夜间施工噪音扰民，请尽快处理。");
    CHECK(decision_is(a, "new", "R1", 0));
    HANDLE(id1, .unit = unit, .team = P("%s-T", unit), .handler = P("%s-H", unit), .months_ago = ma,
           .day = 2, .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    if (!repeat)
        return;
    a = POST_TICKET(201, .id = id2, .at = at(ma, 12, 9, 0), .phone = ph, .category = CAT,
                    .description = "工地夜间施工噪音仍然扰民。");
    CHECK(decision_is(a, "repeat", "R6", 1));
    HANDLE(id2, .unit = unit, .team = P("%s-T", unit), .handler = P("%s-H", unit), .months_ago = ma,
           .day = 12, .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
}

static const char *green_phone = "13911112222";

/* Units PA and PB, ranked with min 1 complaint and the bottom 1 on the watch:
 *   month -4: PA 2/1 (rate .5, rank 2, watch), PB 1/0 (rank 1)
 *   month -3: the same
 *   month -2: PA 1/0 (rank 1), PB 2/1 (rank 2, watch)
 *   month -1: the same
 * and, six months ago, a green-channel chain (unit PG): G1 closed, G2 (repeat 1) closed, G3
 * (repeat 2) open: in the channel from 2 repeats. */
START_TEST(history)
{
    ADMIN("PATCH", "/v1/admin/settings", "{\"ranking_min_complaints\": 1, \"ranking_bottom_n\": 1}",
          200);
    ADMIN("PUT", "/v1/admin/units",
          "{\"units\": "
          "[{\"code\":\"PA\",\"name\":\"甲街道\"},{\"code\":\"PB\",\"name\":\"乙街道\"}]}",
          200);
    for (int ma = 4; ma >= 1; ma--) {
        unit_month("PA", ma, ma >= 3);
        unit_month("PB", ma, ma <= 2);
    }
    json_t *g = POST_TICKET(201, .id = "PG-G1", .at = at(6, 1, 9, 0), .phone = green_phone,
                            .category = CAT, .description = "工地夜间施工噪音扰民。");
    CHECK(decision_is(g, "new", "R1", 0));
    HANDLE("PG-G1", .unit = "PG", .team = "PG-T", .handler = "PG-H", .months_ago = 6, .day = 1,
           .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    g = POST_TICKET(201, .id = "PG-G2", .at = at(6, 5, 9, 0), .phone = green_phone, .category = CAT,
                    .description = "工地夜间施工噪音仍然扰民。");
    CHECK(decision_is(g, "repeat", "R6", 1));
    HANDLE("PG-G2", .unit = "PG", .team = "PG-T", .handler = "PG-H", .months_ago = 6, .day = 5,
           .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    g = POST_TICKET(201, .id = "PG-G3", .at = at(6, 10, 9, 0), .phone = green_phone,
                    .category = CAT, .description = "第三次反映工地夜间施工噪音。");
    CHECK(decision_is(g, "repeat", "R6", 2));
    ck_assert_ptr_nonnull(action_of(g, "green_channel"));
    ck_assert_ptr_null(jget(action_of(g, "green_channel"), "specialist"));
    EVENT("PG-G3", ev_dispatched(at(6, 10, 10, 0), "PG", "PG-T", "PG-H", NULL), 201);
}
END_TEST

START_TEST(roles)
{
    const char *body = "{\"scope\":\"unit\",\"code\":\"PA\",\"responsible\":\"李主任\","
                       "\"measures\":\"每周回访\",\"checkin_interval_days\":7}";
    EXPECT_ERROR(CALL(api.dash_key, "POST", "/v1/programmes", body, 403), "forbidden", NULL);
    EXPECT_ERROR(CALL(api.crm_key, "POST", "/v1/programmes", body, 403), "forbidden", NULL);
    EXPECT_ERROR(CALL(api.crm_key, "GET", "/v1/programmes", NULL, 403), "forbidden", NULL);
    EXPECT_ERROR(CALL(api.dash_key, "PUT", "/v1/green-channel/PG-G1/specialist",
                      "{\"specialist\":\"张专员\"}", 403),
                 "forbidden", NULL);
    EXPECT_ERROR(CALL(api.dash_key, "POST", "/v1/green-channel/PG-G1/verifications",
                      "{\"at\":\"2026-01-01T00:00:00Z\",\"found\":\"x\",\"solved\":true}", 403),
                 "forbidden", NULL);
    EXPECT_ERROR(CALL(api.crm_key, "GET", "/v1/reports/2026", NULL, 403), "forbidden", NULL);
    /* A manager reads what a dashboard reads, and never the settings. */
    MANAGER("GET", "/v1/kpi/ranking", NULL, 200);
    MANAGER("GET", "/v1/green-channel", NULL, 200);
    EXPECT_ERROR(MANAGER("PATCH", "/v1/admin/settings", "{\"programme_exit_months\": 3}", 403),
                 "forbidden", NULL);
    EXPECT_ERROR(MANAGER("GET", "/v1/admin/settings", NULL, 403), "forbidden", NULL);
    /* Nothing was written. */
    ck_assert_uint_eq(json_array_size(jget(DASH("/v1/programmes"), "programmes")), 0);
}
END_TEST

static long long programme_id;

static const char *month_row(json_t *p, int months_ago, const char *field)
{
    size_t i;
    json_t *m;
    json_array_foreach(jget(p, "months"), i, m)
    {
        if (!strcmp(jstr(m, "month"), month_label(months_ago))) {
            json_t *v = jget(m, field);
            char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(6));
            const char *s = P("%s", t);
            free(t);
            return s;
        }
    }
    return "(no month)";
}

START_TEST(programme_months_and_exit)
{
    json_t *p = MANAGER("POST", "/v1/programmes",
                        P("{\"scope\":\"unit\",\"code\":\"PA\",\"responsible\":\"李主任\","
                          "\"measures\":\"逐单复盘重复投诉，每周回访\",\"checkin_interval_days\":7,"
                          "\"opened_at\":\"%s\"}",
                          at(4, 20, 9, 0)),
                        201);
    programme_id = jint(p, "id");
    ck_assert_int_gt(programme_id, 0);
    ck_assert_str_eq(jstr(p, "status"), "open");
    ck_assert_str_eq(jstr(p, "opened_by"), "t-manager");
    ck_assert_str_eq(jstr(p, "opened_month"), month_label(4));
    /* Judged: -3 (watch), -2 and -1 (out): 2 months out of the bottom, 3 judged; met at 2. */
    ck_assert_int_eq(jint(p, "exit.months_out_of_bottom"), 2);
    ck_assert_int_eq(jint(p, "exit.months_judged"), 3);
    ck_assert_int_eq(jint(p, "exit.months_required"), 2);
    ck_assert_int_eq(jbool(p, "exit.met"), 1);

    json_t *d = DASH(P("/v1/programmes/%lld?before=1", programme_id));
    /* Months -5 .. 0: six of them. */
    ck_assert_uint_eq(json_array_size(jget(d, "months")), 6);
    ck_assert_str_eq(month_row(d, 5, "complaints"), "0");
    ck_assert_str_eq(month_row(d, 5, "rank"), "null");
    ck_assert_str_eq(month_row(d, 5, "since_opening"), "false");
    ck_assert_str_eq(month_row(d, 4, "complaints"), "2");
    ck_assert_str_eq(month_row(d, 4, "repeats"), "1");
    ck_assert_str_eq(month_row(d, 4, "repeat_rate"), "0.5");
    ck_assert_str_eq(month_row(d, 4, "rank"), "2");
    ck_assert_str_eq(month_row(d, 4, "watch"), "true");
    ck_assert_str_eq(month_row(d, 4, "since_opening"), "true");
    ck_assert_str_eq(month_row(d, 3, "watch"), "true");
    ck_assert_str_eq(month_row(d, 2, "complaints"), "1");
    ck_assert_str_eq(month_row(d, 2, "repeats"), "0");
    ck_assert_str_eq(month_row(d, 2, "rank"), "1");
    ck_assert_str_eq(month_row(d, 2, "watch"), "false");
    ck_assert_str_eq(month_row(d, 1, "rank"), "1");
    ck_assert_str_eq(month_row(d, 0, "complaints"), "0");
    /* The same rank as the ranking endpoint gives for that month. */
    json_t *rk = OK_GET(P("/v1/kpi/ranking?period=month&at=%s&by=unit", month_label(3)));
    size_t i;
    json_t *row;
    json_array_foreach(jget(rk, "rows"), i, row)
    {
        if (!strcmp(jstr(row, "group"), "PA"))
            ck_assert_str_eq(month_row(d, 3, "rank"), P("%lld", jint(row, "rank")));
    }

    /* With 3 months required it is not met: only 2 out. A manager cannot change it; an admin
     * can. */
    ADMIN("PATCH", "/v1/admin/settings", "{\"programme_exit_months\": 3}", 200);
    d = DASH(P("/v1/programmes/%lld", programme_id));
    ck_assert_int_eq(jint(d, "exit.months_required"), 3);
    ck_assert_int_eq(jbool(d, "exit.met"), 0);
    ADMIN("PATCH", "/v1/admin/settings", "{\"programme_exit_months\": 2}", 200);
}
END_TEST

START_TEST(checkins_and_overdue)
{
    const char *path = P("/v1/programmes/%lld/checkins", programme_id);
    /* No check-in yet: due 7 days after the opening, long past. */
    json_t *d = DASH(P("/v1/programmes/%lld", programme_id));
    ck_assert_int_eq(jbool(d, "checkin.overdue"), 1);
    ck_assert_int_eq(jint(d, "checkin.count"), 0);
    MANAGER(
        "POST", path,
        P("{\"at\":\"%s\",\"status\":\"at_risk\",\"notes\":\"整改方案已上报\"}", at(3, 1, 10, 0)),
        201);
    /* A check-in 2 days ago: due in 5 days, not overdue. */
    const char *recent = days_ago(2);
    d = MANAGER("POST", path,
                P("{\"at\":\"%s\",\"status\":\"on_track\",\"notes\":\"回访率提升\"}", recent), 201);
    ck_assert_int_eq(jint(d, "checkin.count"), 2);
    ck_assert_int_eq(jbool(d, "checkin.overdue"), 0);
    ck_assert_int_eq(jint(d, "checkin.days_overdue"), 0);
    ck_assert_str_eq(jstr(d, "checkin.last_status"), "on_track");
    ck_assert_uint_eq(json_array_size(jget(d, "checkins")), 2);
    ck_assert_str_eq(jstr(d, "checkins[1].recorded_by"), "t-manager");
    /* The list filters by overdue. */
    ck_assert_uint_eq(json_array_size(jget(DASH("/v1/programmes?overdue=false"), "programmes")), 1);
    ck_assert_uint_eq(json_array_size(jget(DASH("/v1/programmes?overdue=true"), "programmes")), 0);
    ck_assert_uint_eq(json_array_size(jget(DASH("/v1/programmes?status=closed"), "programmes")), 0);
}
END_TEST

/* Bad input is refused with the error and changes nothing. */
START_TEST(bad_input)
{
    json_t *before = DASH(P("/v1/programmes/%lld", programme_id));
    long n_audit = (long)json_array_size(jget(before, "audit"));
    EXPECT_ERROR(MANAGER("POST", "/v1/programmes",
                         "{\"scope\":\"unit\",\"code\":\"NOPE\",\"responsible\":\"李\","
                         "\"measures\":\"m\",\"checkin_interval_days\":7}",
                         422),
                 "unknown_unit", "code");
    EXPECT_ERROR(MANAGER("POST", "/v1/programmes",
                         "{\"scope\":\"unit\",\"code\":\"PA\",\"responsible\":\"李\","
                         "\"measures\":\"m\",\"checkin_interval_days\":7}",
                         409),
                 "conflict", "code");
    EXPECT_ERROR(MANAGER("POST", "/v1/programmes",
                         "{\"scope\":\"district\",\"code\":\"PB\",\"responsible\":\"李\","
                         "\"measures\":\"m\",\"checkin_interval_days\":7}",
                         400),
                 "invalid_field", "scope");
    EXPECT_ERROR(MANAGER("POST", "/v1/programmes",
                         "{\"scope\":\"unit\",\"code\":\"PB\",\"responsible\":\"李\","
                         "\"measures\":\"m\",\"checkin_interval_days\":0}",
                         400),
                 "invalid_field", "checkin_interval_days");
    EXPECT_ERROR(MANAGER("POST", "/v1/programmes",
                         "{\"scope\":\"unit\",\"code\":\"PB\",\"responsible\":\" \","
                         "\"measures\":\"m\",\"checkin_interval_days\":7}",
                         400),
                 "invalid_field", "responsible");
    /* What a manager records has happened: not in the future, not opened years ago. */
    EXPECT_ERROR(MANAGER("POST", "/v1/programmes",
                         "{\"scope\":\"unit\",\"code\":\"PB\",\"responsible\":\"李\","
                         "\"measures\":\"m\",\"checkin_interval_days\":7,"
                         "\"opened_at\":\"2002-01-01T00:00:00+08:00\"}",
                         400),
                 "invalid_field", "opened_at");
    EXPECT_ERROR(MANAGER("POST", "/v1/programmes",
                         "{\"scope\":\"unit\",\"code\":\"PB\",\"responsible\":\"李\","
                         "\"measures\":\"m\",\"checkin_interval_days\":7,"
                         "\"opened_at\":\"9999-01-01T00:00:00+08:00\"}",
                         400),
                 "invalid_field", "opened_at");
    const char *checkins = P("/v1/programmes/%lld/checkins", programme_id);
    EXPECT_ERROR(
        MANAGER("POST", checkins,
                "{\"at\":\"9999-01-01T00:00:00Z\",\"status\":\"on_track\",\"notes\":\"x\"}", 400),
        "invalid_field", "at");
    EXPECT_ERROR(
        MANAGER("POST", checkins,
                P("{\"at\":\"%s\",\"status\":\"on_track\",\"notes\":\"早于开启\"}", at(5, 1, 9, 0)),
                422),
        "event_out_of_order", "at");
    EXPECT_ERROR(MANAGER("POST", checkins,
                         "{\"at\":\"2026-01-01T00:00:00Z\",\"status\":\"fine\",\"notes\":\"x\"}",
                         400),
                 "invalid_field", "status");
    EXPECT_ERROR(
        MANAGER("POST", "/v1/programmes/999999/checkins",
                "{\"at\":\"2026-01-01T00:00:00Z\",\"status\":\"on_track\",\"notes\":\"x\"}", 404),
        "not_found", NULL);
    EXPECT_ERROR(CALL(api.dash_key, "GET", "/v1/programmes/abc", NULL, 404), "not_found", NULL);
    /* An id is digits alone, as a problem's: no sign, space or leading zero names a programme. */
    EXPECT_ERROR(CALL(api.dash_key, "GET", P("/v1/programmes/0%lld", programme_id), NULL, 404),
                 "not_found", NULL);
    EXPECT_ERROR(CALL(api.dash_key, "GET", P("/v1/programmes/+%lld", programme_id), NULL, 404),
                 "not_found", NULL);
    EXPECT_ERROR(CALL(api.dash_key, "GET", P("/v1/programmes/%%20%lld", programme_id), NULL, 404),
                 "not_found", NULL);
    /* Open → open is no change: 409 with the changes allowed. */
    json_t *r = MANAGER("POST", P("/v1/programmes/%lld/status", programme_id),
                        P("{\"status\":\"open\",\"at\":\"%s\",\"note\":\"x\"}", days_ago(1)), 409);
    EXPECT_ERROR(r, "invalid_transition", "status");
    ck_assert_str_eq(jstr(r, "from"), "open");
    ck_assert_uint_eq(json_array_size(jget(r, "allowed")), 1);
    ck_assert_str_eq(jstr(r, "allowed[0]"), "closed");
    /* Closing before the last check-in is out of order. */
    EXPECT_ERROR(MANAGER("POST", P("/v1/programmes/%lld/status", programme_id),
                         P("{\"status\":\"closed\",\"at\":\"%s\",\"note\":\"x\"}", days_ago(3)),
                         422),
                 "event_out_of_order", "at");
    EXPECT_ERROR(CALL(api.dash_key, "GET", "/v1/programmes?status=gone", NULL, 400),
                 "invalid_parameter", "status");
    EXPECT_ERROR(
        CALL(api.dash_key, "GET", P("/v1/programmes/%lld?before=99", programme_id), NULL, 400),
        "invalid_parameter", "before");
    json_t *after = DASH(P("/v1/programmes/%lld", programme_id));
    ck_assert_int_eq((long)json_array_size(jget(after, "audit")), n_audit);
    ck_assert_int_eq(jint(after, "checkin.count"), jint(before, "checkin.count"));
    ck_assert_str_eq(jstr(after, "status"), "open");
    ck_assert_uint_eq(json_array_size(jget(DASH("/v1/programmes"), "programmes")), 1);
}
END_TEST

START_TEST(close_and_audit)
{
    const char *path = P("/v1/programmes/%lld/status", programme_id);
    json_t *p = MANAGER(
        "POST", path,
        P("{\"status\":\"closed\",\"at\":\"%s\",\"note\":\"连续两月退出末位\"}", days_ago(1)), 200);
    ck_assert_str_eq(jstr(p, "status"), "closed");
    ck_assert_str_eq(jstr(p, "closed_by"), "t-manager");
    ck_assert_int_eq(jbool(p, "exit_met_at_close"), 1);
    ck_assert_int_eq(jbool(p, "checkin.overdue"), 0);
    /* Closed is final: no status change, no check-in. */
    json_t *r = MANAGER(
        "POST", path, P("{\"status\":\"closed\",\"at\":\"%s\",\"note\":\"x\"}", days_ago(0)), 409);
    EXPECT_ERROR(r, "invalid_transition", "status");
    ck_assert_str_eq(jstr(r, "from"), "closed");
    ck_assert_uint_eq(json_array_size(jget(r, "allowed")), 0);
    r = MANAGER("POST", P("/v1/programmes/%lld/checkins", programme_id),
                P("{\"at\":\"%s\",\"status\":\"on_track\",\"notes\":\"x\"}", days_ago(0)), 409);
    EXPECT_ERROR(r, "invalid_transition", NULL);
    /* The audit trail: who, when, what. */
    json_t *d = DASH(P("/v1/programmes/%lld", programme_id));
    json_t *audit = jget(d, "audit");
    ck_assert_uint_eq(json_array_size(audit), 4);
    static const char *const actions[] = {"opened", "checkin", "checkin", "closed"};
    for (size_t i = 0; i < 4; i++) {
        json_t *a = json_array_get(audit, i);
        ck_assert_str_eq(jstr(a, "action"), actions[i]);
        ck_assert_str_eq(jstr(a, "changed_by"), "t-manager");
        ck_assert_ptr_nonnull(jstr(a, "changed_at"));
    }
    ck_assert_str_eq(jstr(json_array_get(audit, 0), "detail.responsible"), "李主任");
    ck_assert_str_eq(jstr(json_array_get(audit, 3), "detail.note"), "连续两月退出末位");
    /* The unit may have a new programme now. */
    MANAGER("POST", "/v1/programmes",
            "{\"scope\":\"unit\",\"code\":\"PA\",\"responsible\":\"王科长\",\"measures\":\"复查\","
            "\"checkin_interval_days\":14}",
            201);
    ck_assert_uint_eq(json_array_size(jget(DASH("/v1/programmes?status=open"), "programmes")), 1);
    ck_assert_uint_eq(json_array_size(jget(DASH("/v1/programmes?status=closed"), "programmes")), 1);
    /* Times are compared to the second: a programme opened at hh:mm:ss.9 closes at hh:mm:ss. */
    const char *now_s = days_ago(0);
    json_t *open = jget(DASH("/v1/programmes?status=open"), "programmes[0]");
    MANAGER("POST", P("/v1/programmes/%lld/status", jint(open, "id")),
            P("{\"status\":\"closed\",\"at\":\"%s\",\"note\":\"复查结束\"}", days_ago(0)), 200);
    json_t *o = MANAGER("POST", "/v1/programmes",
                        P("{\"scope\":\"unit\",\"code\":\"PA\",\"responsible\":\"李\","
                          "\"measures\":\"m\",\"checkin_interval_days\":7,"
                          "\"opened_at\":\"%.19s.900Z\"}",
                          now_s),
                        201);
    MANAGER("POST", P("/v1/programmes/%lld/status", jint(o, "id")),
            P("{\"status\":\"closed\",\"at\":\"%s\",\"note\":\"当即关闭\"}", now_s), 200);
}
END_TEST

static json_t *worklist_row(json_t *w, const char *chain)
{
    size_t i;
    json_t *c;
    json_array_foreach(jget(w, "chains"), i, c)
    {
        if (!strcmp(jstr(c, "chain_id"), chain))
            return c;
    }
    return NULL;
}

START_TEST(green_worklist)
{
    json_t *w = DASH("/v1/green-channel");
    json_t *kpi = OK_GET("/v1/kpi/green-channel");
    /* The same chains as the KPI list. */
    ck_assert_uint_eq(json_array_size(jget(w, "chains")), json_array_size(jget(kpi, "chains")));
    json_t *g = worklist_row(w, "PG-G1");
    ck_assert_ptr_nonnull(g);
    ck_assert(jisnull(g, "assignment"));
    ck_assert_int_eq(jint(w, "unassigned"), 1);
    ck_assert_int_ge(jint(g, "days_waiting"), 150); /* received six months ago */
    ck_assert_int_eq(jint(w, "verify_days"), 3);

    /* Refusals, nothing changed. */
    EXPECT_ERROR(
        MANAGER("PUT", "/v1/green-channel/NOPE/specialist", "{\"specialist\":\"张\"}", 404),
        "not_found", NULL);
    EXPECT_ERROR(
        MANAGER("PUT", "/v1/green-channel/PG-0-a/specialist", "{\"specialist\":\"张\"}", 409),
        "not_in_green_channel", NULL);
    EXPECT_ERROR(MANAGER("POST", "/v1/green-channel/PG-G1/verifications",
                         P("{\"at\":\"%s\",\"found\":\"x\",\"solved\":false}", days_ago(0)), 409),
                 "conflict", NULL);
    EXPECT_ERROR(MANAGER("PUT", "/v1/green-channel/PG-G1/specialist", "{\"specialist\":\"\"}", 400),
                 "invalid_field", "specialist");
    EXPECT_ERROR(MANAGER("PUT", "/v1/green-channel/PG-G1/specialist",
                         "{\"specialist\":\"张\",\"assigned_at\":\"9999-01-01T00:00:00Z\"}", 400),
                 "invalid_field", "assigned_at");
    /* A chain id that is no ticket id (not UTF-8) is no chain, never a database error. */
    EXPECT_ERROR(CALL(api.dash_key, "GET", "/v1/green-channel/%FF", NULL, 404), "not_found", NULL);
    EXPECT_ERROR(MANAGER("PUT", "/v1/green-channel/%FF/specialist", "{\"specialist\":\"张\"}", 404),
                 "not_found", NULL);
    ck_assert(jisnull(DASH("/v1/green-channel/PG-G1"), "assignment"));

    /* Assigned ten days ago, never verified: overdue at 3 days. */
    json_t *c = MANAGER("PUT", "/v1/green-channel/PG-G1/specialist",
                        P("{\"specialist\":\"张专员\",\"assigned_at\":\"%s\"}", days_ago(10)), 200);
    ck_assert_str_eq(jstr(c, "assignment.specialist"), "张专员");
    ck_assert_int_eq(jbool(c, "verification_overdue"), 1);
    w = DASH("/v1/green-channel");
    g = worklist_row(w, "PG-G1");
    ck_assert_int_eq(jbool(g, "verification_overdue"), 1);
    ck_assert_int_eq(jint(g, "days_since_verification"), 10);
    ck_assert_int_eq(jint(w, "unassigned"), 0);
    ck_assert_int_eq(jint(w, "verification_overdue"), 1);

    EXPECT_ERROR(MANAGER("POST", "/v1/green-channel/PG-G1/verifications",
                         P("{\"at\":\"%s\",\"found\":\"x\",\"solved\":false}", days_ago(11)), 422),
                 "event_out_of_order", "at");
    c = MANAGER(
        "POST", "/v1/green-channel/PG-G1/verifications",
        P("{\"at\":\"%s\",\"found\":\"现场核查，施工仍在夜间进行\",\"solved\":false}", days_ago(1)),
        201);
    ck_assert_int_eq(jbool(c, "verification_overdue"), 0);
    ck_assert_uint_eq(json_array_size(jget(c, "verifications")), 1);
    ck_assert_str_eq(jstr(c, "verifications[0].specialist"), "张专员");
    ck_assert_int_eq(jbool(c, "verifications[0].solved"), 0);
    ck_assert_uint_eq(json_array_size(jget(c, "audit")), 2);
    ck_assert_str_eq(jstr(c, "audit[0].action"), "assigned");
    ck_assert_str_eq(jstr(c, "audit[1].action"), "verified");
    ck_assert_str_eq(jstr(c, "audit[1].changed_by"), "t-manager");
    g = worklist_row(DASH("/v1/green-channel"), "PG-G1");
    ck_assert_int_eq(jbool(g, "verification_overdue"), 0);
    ck_assert_int_eq(jint(g, "assignment.verifications"), 1);
    ck_assert_int_eq(jbool(g, "assignment.last_solved"), 0);
}
END_TEST

/* A new repeat on a chain with a specialist names them in the green_channel action. */
START_TEST(specialist_in_intake)
{
    HANDLE("PG-G3", .unit = "PG", .team = "PG-T", .handler = "PG-H", .months_ago = 6, .day = 12,
           .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    tk t = {.id = "PG-G4",
            .at = at(6, 20, 9, 0),
            .phone = green_phone,
            .category = CAT,
            .description = "第四次反映工地夜间施工噪音。"};
    long status;
    json_t *pre = gc(classify(&t, &status));
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(jstr(action_of(pre, "green_channel"), "specialist"), "张专员");
    json_t *a = POST_TICKET(201, .id = "PG-G4", .at = at(6, 20, 9, 0), .phone = green_phone,
                            .category = CAT, .description = "第四次反映工地夜间施工噪音。");
    CHECK(decision_is(a, "repeat", "R6", 3));
    ck_assert_str_eq(jstr(action_of(a, "green_channel"), "specialist"), "张专员");
    /* The replay answers the same. */
    a = POST_TICKET(200, .id = "PG-G4", .at = at(6, 20, 9, 0), .phone = green_phone,
                    .category = CAT, .description = "第四次反映工地夜间施工噪音。");
    ck_assert_str_eq(jstr(action_of(a, "green_channel"), "specialist"), "张专员");
}
END_TEST

int main(void)
{
    harness_start("programmes");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, history);
    tcase_add_test(tc, roles);
    tcase_add_test(tc, programme_months_and_exit);
    tcase_add_test(tc, checkins_and_overdue);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, close_and_audit);
    tcase_add_test(tc, green_worklist);
    tcase_add_test(tc, specialist_in_intake);
    return harness_run(s, tc);
}
