/* API: the problem list (问题清单) — roles, the effect against hand-computed numbers on a
 * hand-made history, suggestions with hotspots at the radius and day boundaries, bad input that
 * changes nothing, status transitions and the audit trail. */
#include "harness.h"
#include "scenario.h"

#include <check.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MGR  api.manager_key
#define DASH api.dash_key

/* The date part of at(): "YYYY-MM-DD". */
static const char *date_of(const char *when)
{
    static char ring[16][11];
    static int k;
    char *s = ring[k++ % 16];
    snprintf(s, 11, "%s", when);
    return s;
}

static json_t *req(const char *method, const char *path, const char *key, const char *body,
                   long want)
{
    long st = 0;
    json_t *b = body ? json_loads(body, 0, NULL) : NULL;
    ck_assert_msg(!body || b, "bad test body %s", body);
    json_t *r = b ? send_json(method, path, key, b, NULL, &st) : get_json(path, key, &st);
    json_decref(b);
    char *text = r ? json_dumps(r, JSON_COMPACT) : NULL;
    ck_assert_msg(st == want, "%s %s: %ld, expected %ld: %s", method, path, st, want,
                  text ? text : "(no body)");
    free(text);
    return gc(r);
}

static long total_problems(void)
{
    return (long)jint(req("GET", "/v1/problems?limit=1", DASH, NULL, 200), "total");
}

static long updates_of(long long id)
{
    char path[64];
    snprintf(path, sizeof(path), "/v1/problems/%lld", id);
    return (long)json_array_size(jget(req("GET", path, DASH, NULL, 200), "updates"));
}

static long long create(const char *body)
{
    return jint(req("POST", "/v1/problems", MGR, body, 201), "id");
}

/* ---- roles ---- */

START_TEST(roles)
{
    const char *body = "{\"title\":\"医保报销比例争议\",\"scope\":{\"category\":\"SB.YB.BL\"},"
                       "\"source\":\"manual\"}";
    long before = total_problems();
    req("POST", "/v1/problems", DASH, body, 403);
    req("POST", "/v1/problems", api.crm_key, body, 403);
    req("GET", "/v1/problems", api.crm_key, NULL, 403);
    req("GET", "/v1/problems/suggestions", api.crm_key, NULL, 403);
    ck_assert_int_eq(total_problems(), before);
    long long id = create(body);
    ck_assert_int_gt(id, 0);
    req("POST", "/v1/problems", api.admin_key, body, 201);
    char path[96];
    snprintf(path, sizeof(path), "/v1/problems/%lld", id);
    req("GET", path, DASH, NULL, 200);
    req("GET", path, MGR, NULL, 200);
    req("GET", path, api.crm_key, NULL, 403);
    req("PATCH", path, DASH, "{\"department\":\"市政局\"}", 403);
    req("PATCH", path, MGR, "{\"department\":\"市政局\"}", 200);
    snprintf(path, sizeof(path), "/v1/problems/%lld/notes", id);
    req("POST", path, DASH, "{\"note\":\"例会讨论\"}", 403);
    req("POST", path, MGR, "{\"note\":\"例会讨论\"}", 201);
    snprintf(path, sizeof(path), "/v1/problems/%lld/measures", id);
    req("POST", path, DASH, "{\"description\":\"更换灯泡\",\"effective_date\":\"2026-01-01\"}",
        403);
    snprintf(path, sizeof(path), "/v1/problems/%lld/status", id);
    req("POST", path, DASH, "{\"status\":\"in_progress\"}", 403);
    /* A manager still may not touch settings, categories, units or targets (keys are made
     * only by the command line), nor read them. */
    req("PATCH", "/v1/admin/settings", MGR, "{\"hotspot_days\":3}", 403);
    static const char *const admin[] = {"/v1/admin/categories", "/v1/admin/units",
                                        "/v1/admin/targets"};
    json_t *tree = req("GET", "/v1/admin/categories", api.admin_key, NULL, 200);
    for (size_t i = 0; i < sizeof(admin) / sizeof(admin[0]); i++) {
        CHECK(error_is(403, req("PUT", admin[i], MGR, "{}", 403), 403, "forbidden", NULL));
        req("GET", admin[i], MGR, NULL, 403);
    }
    req("GET", "/v1/admin/settings", MGR, NULL, 403);
    req("GET", "/v1/admin/settings/audit", MGR, NULL, 403);
    ck_assert(json_equal(req("GET", "/v1/admin/categories", api.admin_key, NULL, 200), tree));
}
END_TEST

/* ---- the effect, on a hand-made history in HB.ZS (two leaves) ---- */

/* A citizen's ticket handled and closed the same day, then a second call: a repeat. */
static void pair(const char *idp, int months_ago, int day, int who, const char *cat,
                 const char *unit, bool again)
{
    char id1[32], id2[32];
    snprintf(id1, sizeof(id1), "%s-1", idp);
    snprintf(id2, sizeof(id2), "%s-2", idp);
    json_t *a = POST_TICKET(201, .id = id1, .at = at(months_ago, day, 9, 0), .phone = phone(who),
                            .category = cat, .description = "市民反映噪声问题，请尽快处理。");
    CHECK(decision_is(a, "new", "R1", 0));
    HANDLE(id1, .unit = unit, .team = "T1", .handler = "H1", .months_ago = months_ago, .day = day,
           .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    if (!again)
        return;
    json_t *b =
        POST_TICKET(201, .id = id2, .at = at(months_ago, day + 8, 9, 0), .phone = phone(who),
                    .category = cat, .description = "问题依旧，再次反映噪声问题。");
    CHECK(decision_is(b, "repeat", "R6", 1));
}

START_TEST(effect_hand_computed)
{
    /* Month -3: JZ 2 complaints 1 repeat, SH 2 and 1; month -2: JZ 2 and 1; month -1: SH 1 and
     * 0; HB.DQ.YY (outside the scope) 2 and 1 in month -2. */
    pair("EF-A", 3, 2, 101, "HB.ZS.JZ", "U01", true);
    pair("EF-B", 3, 3, 102, "HB.ZS.SH", "U02", true);
    pair("EF-C", 2, 2, 103, "HB.ZS.JZ", "U01", true);
    pair("EF-D", 1, 2, 104, "HB.ZS.SH", "U01", false);
    pair("EF-E", 2, 4, 105, "HB.DQ.YY", "U01", true);

    long long id = create("{\"title\":\"噪声污染反复投诉\",\"scope\":{\"category\":\"HB.ZS\"},"
                          "\"source\":\"manual\",\"department\":\"生态环境局\"}");
    char path[96], body[256];
    snprintf(path, sizeof(path), "/v1/problems/%lld/measures", id);
    snprintf(body, sizeof(body), "{\"description\":\"夜间施工审批收紧\",\"effective_date\":\"%s\"}",
             date_of(at(1, 1, 0, 0)));
    req("POST", path, MGR, body, 201);
    snprintf(path, sizeof(path), "/v1/problems/%lld?months_before=2", id);
    json_t *p = req("GET", path, DASH, NULL, 200);
    json_t *e = jget(p, "effect");
    /* Months -3 .. 0: before -3, -2; after -1 and the running month (not averaged). */
    ck_assert_int_eq(json_array_size(jget(e, "months")), 4);
    ck_assert_int_eq(jint(e, "months[0].complaints"), 4);
    ck_assert_int_eq(jint(e, "months[0].repeats"), 2);
    ck_assert_str_eq(jstr(e, "months[0].side"), "before");
    ck_assert_int_eq(jint(e, "months[1].complaints"), 2);
    ck_assert_int_eq(jint(e, "months[1].repeats"), 1);
    ck_assert_int_eq(jint(e, "months[2].complaints"), 1);
    ck_assert_int_eq(jint(e, "months[2].repeats"), 0);
    ck_assert_str_eq(jstr(e, "months[2].side"), "after");
    ck_assert_int_eq(jbool(e, "months[3].complete"), 0);
    /* Before: 3 repeats of 6 complaints in 2 months; after: 0 of 1 in 1 month. */
    ck_assert_int_eq(jint(e, "before.months"), 2);
    ck_assert_int_eq(jint(e, "before.repeats"), 3);
    ck_assert_int_eq(jint(e, "before.complaints"), 6);
    ck_assert(fabs(json_real_value(jget(e, "before.repeats_per_month")) - 1.5) < 1e-9);
    ck_assert(fabs(json_real_value(jget(e, "before.repeat_rate")) - 0.5) < 1e-9);
    ck_assert_int_eq(jint(e, "after.months"), 1);
    ck_assert(fabs(json_real_value(jget(e, "after.repeat_rate")) - 0.0) < 1e-9);
    ck_assert(fabs(json_real_value(jget(e, "change.repeats_per_month")) + 1.5) < 1e-9);
    ck_assert(fabs(json_real_value(jget(e, "change.repeats_per_month_ratio")) + 1.0) < 1e-9);
    ck_assert(fabs(json_real_value(jget(e, "change.repeat_rate")) + 0.5) < 1e-9);
    ck_assert(jisnull(e, "unit"));

    /* The same numbers as the KPI answer by category at level 2. */
    char kpi[128];
    snprintf(kpi, sizeof(kpi), "/v1/kpi/repeats?by=category&level=2&from=%.7s&to=%.7s",
             at(3, 1, 0, 0), at(2, 1, 0, 0));
    json_t *k = req("GET", kpi, DASH, NULL, 200);
    long c = 0, r = 0;
    size_t i;
    json_t *row;
    json_array_foreach(jget(k, "rows"), i, row) if (!strcmp(jstr(row, "group"), "HB.ZS"))
    {
        c += (long)jint(row, "complaints");
        r += (long)jint(row, "repeats");
    }
    ck_assert_int_eq(c, 6);
    ck_assert_int_eq(r, 3);

    /* One unit (known from its dispatches): U01's tickets in HB.ZS only. A complaint counts
     * under the unit it is dispatched to (the second calls never are), a repeat under the
     * unit of the ticket it repeats (EF-B's is U02's). Before (-3, -2): complaints 1 + 1,
     * repeats 1 + 1: 1 a month, rate 1; after (-1): 1 complaint, no repeat. */
    long long uid = create("{\"title\":\"U01 噪声整改\",\"scope\":{\"category\":\"HB.ZS\","
                           "\"unit\":\"U01\"},\"source\":\"manual\"}");
    snprintf(path, sizeof(path), "/v1/problems/%lld/measures", uid);
    json_t *u = req("POST", path, MGR, body, 201);
    ck_assert_str_eq(jstr(u, "scope.unit"), "U01");
    ck_assert_str_eq(jstr(u, "effect.unit"), "U01");
    snprintf(path, sizeof(path), "/v1/problems/%lld?months_before=2", uid);
    e = jget(req("GET", path, DASH, NULL, 200), "effect");
    ck_assert_int_eq(jint(e, "months[0].complaints"), 1);
    ck_assert_int_eq(jint(e, "months[0].repeats"), 1);
    ck_assert_int_eq(jint(e, "months[1].complaints"), 1);
    ck_assert_int_eq(jint(e, "months[1].repeats"), 1);
    ck_assert_int_eq(jint(e, "before.complaints"), 2);
    ck_assert_int_eq(jint(e, "before.repeats"), 2);
    ck_assert(fabs(json_real_value(jget(e, "before.repeat_rate")) - 1.0) < 1e-9);
    ck_assert_int_eq(jint(e, "after.complaints"), 1);
    ck_assert_int_eq(jint(e, "after.repeats"), 0);
    ck_assert(fabs(json_real_value(jget(e, "change.repeats_per_month")) + 1.0) < 1e-9);
    ck_assert(fabs(json_real_value(jget(e, "change.repeat_rate")) + 1.0) < 1e-9);
    /* U02's, without a measure: its one complaint and one repeat (month -3), all before. */
    long long u2 = create("{\"title\":\"U02\",\"scope\":{\"category\":\"HB.ZS.SH\","
                          "\"unit\":\"U02\"},\"source\":\"manual\"}");
    snprintf(path, sizeof(path), "/v1/problems/%lld?months_before=4", u2);
    e = jget(req("GET", path, DASH, NULL, 200), "effect");
    ck_assert(jisnull(e, "measured_from"));
    ck_assert_int_eq(jint(e, "before.repeats"), 1);
    ck_assert_int_eq(jint(e, "before.complaints"), 1);
}
END_TEST

/* The unit-and-leaf rows intake and dispatch kept are what migration 0007 fills from the
 * tickets of a database that had them: the same query, here over the effect's history. */
static long sql_value(const char *sql)
{
    PGconn *c = PQconnectdb(api.db_url);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
    PGresult *res = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c);
    return n;
}

#define KEPT                                                                                       \
    "SELECT key, month, version, sum(complaints) AS c, sum(repeats) AS r FROM kpi_counts"          \
    " WHERE dim = 5 GROUP BY 1, 2, 3 HAVING sum(complaints) <> 0 OR sum(repeats) <> 0"
#define BACKFILL                                                                                   \
    "SELECT key, month, version, sum(c) AS c, sum(r) AS r FROM ("                                  \
    " SELECT t.category || '/' || t.unit AS key, t.received_month AS month,"                       \
    "  t.definition_version AS version, 1 AS c, 0 AS r"                                            \
    " FROM tickets t WHERE t.creates_work_order AND coalesce(t.unit, '') <> ''"                    \
    " UNION ALL SELECT t.category || '/' || t.repeat_unit, t.received_month,"                      \
    "  t.definition_version, 0, 1"                                                                 \
    " FROM tickets t WHERE t.counts_as_repeat AND coalesce(t.repeat_unit, '') <> '') s"            \
    " WHERE octet_length(key) <= 256 GROUP BY key, month, version"

START_TEST(unit_category_backfill_is_what_intake_kept)
{
    ck_assert_int_ge(sql_value("SELECT count(*) FROM (" KEPT ") k"), 4);
    ck_assert_int_eq(sql_value("SELECT count(*) FROM ((" KEPT " EXCEPT " BACKFILL
                               ") UNION ALL (" BACKFILL " EXCEPT " KEPT ")) d"),
                     0);
}
END_TEST

/* ---- suggestions and hotspots ---- */

/* A citizen's one call at a place `m` metres north of 23.1°N 113.3°E. */
static void located(const char *id, const char *when, int who, const char *cat, double m)
{
    json_t *a = POST_TICKET(201, .id = id, .at = when, .phone = phone(who), .category = cat,
                            .has_location = true,
                            .lat = 23.1 + m / (6371008.8 * 3.14159265358979323846 / 180.0),
                            .lon = 113.3, .description = "同一地点多人反映同一问题。");
    CHECK(decision_is(a, "new", "R1", 0));
}

static json_t *suggestion(json_t *answer, const char *source, const char *category)
{
    size_t i;
    json_t *s;
    json_array_foreach(jget(answer, "suggestions"), i,
                       s) if (!strcmp(jstr(s, "source"), source) &&
                              !strcmp(jstr(s, "category"), category)) return s;
    return NULL;
}

START_TEST(hotspot_boundaries)
{
    /* CG.SZ.LD: five citizens, the farthest 249 m from the newest: a hotspot. CG.SZ.PS: the
     * fifth 251 m away: none. JT.GJ.TB: the first exactly 7 days before the newest: a hotspot.
     * JT.GJ.XL: the first 7 days and a minute before: none. All in month -1. */
    for (int i = 0; i < 4; i++) {
        char id[32];
        snprintf(id, sizeof(id), "HS-LD-%d", i);
        located(id, at(1, 12, 9, i), 200 + i, "CG.SZ.LD", 10.0 * i);
        snprintf(id, sizeof(id), "HS-PS-%d", i);
        located(id, at(1, 12, 9, i), 210 + i, "CG.SZ.PS", 10.0 * i);
        snprintf(id, sizeof(id), "HS-TB-%d", i);
        located(id, i == 0 ? at(1, 3, 10, 0) : at(1, 8, 10, i), 220 + i, "JT.GJ.TB", 0);
        snprintf(id, sizeof(id), "HS-XL-%d", i);
        located(id, i == 0 ? at(1, 3, 10, 0) : at(1, 8, 10, i), 230 + i, "JT.GJ.XL", 0);
    }
    located("HS-LD-4", at(1, 12, 10, 0), 204, "CG.SZ.LD", -219.0); /* 249 m from the farthest */
    located("HS-PS-4", at(1, 12, 10, 0), 214, "CG.SZ.PS", -221.0); /* 251 m from HS-PS-3 */
    located("HS-TB-4", at(1, 10, 10, 0), 224, "JT.GJ.TB", 0);
    located("HS-XL-4", at(1, 10, 10, 1), 234, "JT.GJ.XL", 0);

    char path[96];
    snprintf(path, sizeof(path), "/v1/problems/suggestions?at=%.7s", at(1, 1, 0, 0));
    json_t *s = req("GET", path, DASH, NULL, 200);
    ck_assert_int_eq(jint(s, "hotspot.min_citizens"), 5);
    ck_assert_int_eq(jint(s, "hotspot.radius_m"), 250);
    ck_assert_int_eq(jint(s, "hotspot.days"), 7);
    json_t *ld = suggestion(s, "hotspot", "CG.SZ.LD");
    char *dump = json_dumps(s, JSON_COMPACT);
    ck_assert_msg(ld != NULL, "no hotspot in CG.SZ.LD: %s", dump);
    free(dump);
    ck_assert_int_eq(jint(ld, "citizens"), 5);
    ck_assert_int_eq(jint(ld, "tickets"), 5);
    ck_assert_ptr_null(suggestion(s, "hotspot", "CG.SZ.PS"));
    json_t *tb = suggestion(s, "hotspot", "JT.GJ.TB");
    ck_assert_msg(tb != NULL, "no hotspot in JT.GJ.TB");
    ck_assert_ptr_null(suggestion(s, "hotspot", "JT.GJ.XL"));
    CHECK(times_at_offset(tb, "+08:00"));

    /* Its body creates the problem in one call; then the suggestion is gone. */
    json_t *body = jget(ld, "problem");
    long st;
    json_t *created = gc(post_json("/v1/problems", MGR, body, &st));
    ck_assert_int_eq(st, 201);
    ck_assert_str_eq(jstr(created, "source"), "hotspot");
    ck_assert_str_eq(jstr(created, "scope.category"), "CG.SZ.LD");
    s = req("GET", path, DASH, NULL, 200);
    ck_assert_ptr_null(suggestion(s, "hotspot", "CG.SZ.LD"));
    ck_assert_ptr_nonnull(suggestion(s, "hotspot", "JT.GJ.TB"));

    /* A smaller radius: the LD cluster's 249 m is now outside (settings are read per call). */
    req("PATCH", "/v1/admin/settings", api.admin_key, "{\"hotspot_radius_m\": 100}", 200);
    s = req("GET", path, DASH, NULL, 200);
    ck_assert_int_eq(jint(s, "hotspot.radius_m"), 100);
    ck_assert_ptr_nonnull(suggestion(s, "hotspot", "JT.GJ.TB"));
    req("PATCH", "/v1/admin/settings", api.admin_key, "{\"hotspot_radius_m\": 250}", 200);
}
END_TEST

START_TEST(top_problems_suggested)
{
    /* Month -2 of the effect history: repeats in HB.ZS.JZ and HB.DQ.YY (one each). */
    char path[96];
    snprintf(path, sizeof(path), "/v1/problems/suggestions?at=%.7s", at(2, 1, 0, 0));
    json_t *s = req("GET", path, DASH, NULL, 200);
    json_t *jz = suggestion(s, "top_problem", "HB.ZS.JZ");
    ck_assert_msg(jz != NULL, "HB.ZS.JZ is a top problem of the month");
    ck_assert_int_eq(jint(jz, "repeats"), 1);
    ck_assert_str_eq(jstr(jz, "problem.source_period"), jstr(s, "period"));
    ck_assert_ptr_nonnull(jget(s, "definition_versions"));
    long st;
    json_t *made = gc(post_json("/v1/problems", MGR, jget(jz, "problem"), &st));
    ck_assert_int_eq(st, 201);
    ck_assert_str_eq(jstr(made, "source"), "top_problem");
    s = req("GET", path, DASH, NULL, 200);
    ck_assert_ptr_null(suggestion(s, "top_problem", "HB.ZS.JZ"));
    ck_assert_ptr_nonnull(suggestion(s, "top_problem", "HB.DQ.YY"));
    req("GET", "/v1/problems/suggestions?at=2026-13", DASH, NULL, 400);
}
END_TEST

/* ---- bad input changes nothing ---- */

/* clang-format off */
static const struct bad_case {
    const char *body;
    long status;
    const char *code, *field;
} bad_creates[] = {
    {"{\"title\":\"x\",\"scope\":{\"category\":\"NOPE\"},\"source\":\"manual\"}", 422, "unknown_category", "scope.category"},
    {"{\"title\":\"x\",\"scope\":{\"category\":\"HB\",\"unit\":\"U-NOBODY\"},\"source\":\"manual\"}", 422, "unknown_unit", "scope.unit"},
    {"{\"title\":\"x\",\"scope\":{\"category\":\"HB\"},\"source\":\"rumour\"}", 400, "invalid_field", "source"},
    {"{\"title\":\"x\",\"scope\":{\"category\":\"HB\"},\"source\":\"anomaly\"}", 400, "invalid_field", "source_period"},
    {"{\"title\":\"x\",\"scope\":{\"category\":\"HB\"},\"source\":\"anomaly\",\"source_period\":\"2026-13\"}", 400, "invalid_field", "source_period"},
    {"{\"title\":\"x\",\"scope\":{\"category\":\"HB\"},\"source\":\"anomaly\",\"source_period\":\"2026-10\",\"due_date\":\"2026-09-30\"}", 400, "invalid_field", "due_date"},
    {"{\"title\":\"x\",\"scope\":{\"category\":\"HB\"},\"source\":\"manual\",\"due_date\":\"2026-02-30\"}", 400, "invalid_field", "due_date"},
    {"{\"title\":\"  \",\"scope\":{\"category\":\"HB\"},\"source\":\"manual\"}", 400, "invalid_field", "title"},
    {"{\"scope\":{\"category\":\"HB\"},\"source\":\"manual\"}", 400, "invalid_field", "title"},
    {"{\"title\":\"x\",\"scope\":{},\"source\":\"manual\"}", 400, "invalid_field", "scope.category"},
    {"{\"title\":\"x\",\"scope\":{\"category\":\"HB\"},\"source\":\"manual\",\"colour\":1}", 400, "invalid_field", "colour"},
    {"[1]", 400, "invalid_json", NULL},
};
/* clang-format on */

START_TEST(bad_create_changes_nothing)
{
    const struct bad_case *c = &bad_creates[_i];
    long before = total_problems(), st;
    json_t *b = json_loads(c->body, 0, NULL);
    json_t *r = gc(send_json("POST", "/v1/problems", MGR, b, NULL, &st));
    json_decref(b);
    CHECK(error_is(st, r, c->status, c->code, c->field));
    ck_assert_int_eq(total_problems(), before);
}
END_TEST

START_TEST(overlong_strings)
{
    char title[700] = "", body[1200];
    for (int i = 0; i < 201; i++)
        strcat(title, "问");
    snprintf(body, sizeof(body),
             "{\"title\":\"%s\",\"scope\":{\"category\":\"HB\"},\"source\":\"manual\"}", title);
    long before = total_problems();
    json_t *r = req("POST", "/v1/problems", MGR, body, 400);
    CHECK(error_is(400, r, 400, "invalid_field", "title"));
    ck_assert_int_eq(total_problems(), before);
    /* 200 characters fit. */
    title[strlen(title) - strlen("问")] = '\0';
    snprintf(body, sizeof(body),
             "{\"title\":\"%s\",\"scope\":{\"category\":\"HB\"},\"source\":\"manual\"}", title);
    req("POST", "/v1/problems", MGR, body, 201);
}
END_TEST

START_TEST(bad_writes_change_nothing)
{
    long long id = create("{\"title\":\"排水管道堵塞\",\"scope\":{\"category\":\"CG.SZ.PS\"},"
                          "\"source\":\"anomaly\",\"source_period\":\"2026-01\"}");
    char path[96];
    long n = updates_of(id);
    snprintf(path, sizeof(path), "/v1/problems/%lld/measures", id);
    /* Before the period that surfaced it; after today; not a date; empty. */
    CHECK(error_is(
        400,
        req("POST", path, MGR, "{\"description\":\"疏通\",\"effective_date\":\"2025-12-31\"}", 400),
        400, "invalid_field", "effective_date"));
    req("POST", path, MGR, "{\"description\":\"疏通\",\"effective_date\":\"2999-01-01\"}", 400);
    req("POST", path, MGR, "{\"description\":\"疏通\",\"effective_date\":\"01/02/2026\"}", 400);
    req("POST", path, MGR, "{\"description\":\"\",\"effective_date\":\"2026-01-05\"}", 400);
    snprintf(path, sizeof(path), "/v1/problems/%lld/notes", id);
    req("POST", path, MGR, "{\"note\":\"例会\",\"date\":\"2999-01-01\"}", 400);
    req("POST", path, MGR, "{\"note\":\"\"}", 400);
    snprintf(path, sizeof(path), "/v1/problems/%lld", id);
    req("PATCH", path, MGR, "{}", 400);
    req("PATCH", path, MGR, "{\"due_date\":\"2025-01-01\"}", 400);
    ck_assert_int_eq(updates_of(id), n);
    /* Unknown problems and ids. */
    req("GET", "/v1/problems/999999", DASH, NULL, 404);
    req("GET", "/v1/problems/abc", DASH, NULL, 404);
    req("POST", "/v1/problems/999999/notes", MGR, "{\"note\":\"x\"}", 404);
    req("GET", "/v1/problems?status=done", DASH, NULL, 400);
    req("GET", "/v1/problems?overdue=maybe", DASH, NULL, 400);
    req("GET", "/v1/problems?limit=0", DASH, NULL, 400);
    snprintf(path, sizeof(path), "/v1/problems/%lld?months_before=25", id);
    req("GET", path, DASH, NULL, 400);
}
END_TEST

/* ---- transitions and the audit trail ---- */

static const char *allowed_are(json_t *r, const char *want)
{
    return codes_are(jget(r, "allowed"), want);
}

START_TEST(transitions_and_audit)
{
    long long id = create("{\"title\":\"公交脱班\",\"scope\":{\"category\":\"JT.GJ\"},"
                          "\"source\":\"manual\",\"due_date\":\"2020-01-31\"}");
    char path[96], status[96];
    snprintf(status, sizeof(status), "/v1/problems/%lld/status", id);
    json_t *r = req("POST", status, MGR, "{\"status\":\"verified_fixed\"}", 409);
    CHECK(error_is(409, r, 409, "invalid_transition", "status"));
    CHECK(allowed_are(r, "in_progress"));
    ck_assert_str_eq(jstr(r, "from"), "open");
    r = req("POST", status, MGR, "{\"status\":\"in_progress\",\"note\":\"交通局牵头整改\"}", 200);
    ck_assert_str_eq(jstr(r, "status"), "in_progress");
    CHECK(codes_are(jget(r, "allowed_transitions"), "verified_fixed,closed_unfixed"));
    r = req("POST", status, MGR, "{\"status\":\"open\"}", 409);
    CHECK(allowed_are(r, "verified_fixed,closed_unfixed"));

    /* Overdue: due in 2020 and in progress. */
    json_t *list = req("GET", "/v1/problems?overdue=true&status=in_progress", DASH, NULL, 200);
    ck_assert_int_ge(jint(list, "total"), 1);
    ck_assert_int_eq(jbool(list, "problems[0].overdue"), 1);
    ck_assert_int_eq(jint(list, "problems[0].id"), id);

    snprintf(path, sizeof(path), "/v1/problems/%lld", id);
    req("PATCH", path, MGR, "{\"department\":\"交通运输局\",\"due_date\":\"2099-12-31\"}", 200);
    list = req("GET", "/v1/problems?department=%E4%BA%A4%E9%80%9A%E8%BF%90%E8%BE%93%E5%B1%80", DASH,
               NULL, 200);
    ck_assert_int_eq(jint(list, "total"), 1);
    ck_assert_int_eq(jbool(list, "problems[0].overdue"), 0);
    r = req("POST", status, api.admin_key, "{\"status\":\"verified_fixed\"}", 200);
    r = req("POST", status, MGR, "{\"status\":\"closed_unfixed\"}", 409);
    CHECK(allowed_are(r, ""));

    /* Who, when, what: every write is an update. */
    r = req("GET", path, DASH, NULL, 200);
    json_t *u = jget(r, "updates");
    ck_assert_int_eq(json_array_size(u), 4);
    ck_assert_str_eq(jstr(u, "[0].kind"), "created");
    ck_assert_str_eq(jstr(u, "[0].recorded_by"), "t-manager");
    ck_assert_str_eq(jstr(u, "[1].kind"), "status");
    ck_assert_str_eq(jstr(u, "[1].old_status"), "open");
    ck_assert_str_eq(jstr(u, "[1].new_status"), "in_progress");
    ck_assert_str_eq(jstr(u, "[1].note"), "交通局牵头整改");
    ck_assert_str_eq(jstr(u, "[2].kind"), "edited");
    ck_assert(jisnull(u, "[2].changes.department[0]"));
    ck_assert_str_eq(jstr(u, "[2].changes.department[1]"), "交通运输局");
    ck_assert_str_eq(jstr(u, "[2].changes.due_date[0]"), "2020-01-31");
    ck_assert_str_eq(jstr(u, "[3].new_status"), "verified_fixed");
    ck_assert_str_eq(jstr(u, "[3].recorded_by"), "bootstrap");
    CHECK(times_at_offset(u, "+08:00"));
}
END_TEST

/* Status changes follow one another in time; a refused change (a move not allowed, a date
 * before the last change) writes nothing. */
START_TEST(status_dates_in_order)
{
    long long id = create("{\"title\":\"共享单车乱停放\",\"scope\":{\"category\":\"JT.GJ\"},"
                          "\"source\":\"anomaly\",\"source_period\":\"2026-01\"}");
    char path[96], status[96];
    snprintf(path, sizeof(path), "/v1/problems/%lld", id);
    snprintf(status, sizeof(status), "/v1/problems/%lld/status", id);
    req("POST", status, MGR, "{\"status\":\"in_progress\",\"date\":\"2026-03-10\"}", 200);
    long n = updates_of(id);
    json_t *r =
        req("POST", status, MGR, "{\"status\":\"verified_fixed\",\"date\":\"2026-03-09\"}", 422);
    CHECK(error_is(422, r, 422, "event_out_of_order", "date"));
    r = req("POST", status, MGR, "{\"status\":\"open\",\"date\":\"2026-03-11\"}", 409);
    CHECK(error_is(409, r, 409, "invalid_transition", "status"));
    ck_assert_str_eq(jstr(r, "from"), "in_progress");
    CHECK(allowed_are(r, "verified_fixed,closed_unfixed"));
    /* Before the period that surfaced it, after today. */
    req("POST", status, MGR, "{\"status\":\"closed_unfixed\",\"date\":\"2025-12-31\"}", 400);
    req("POST", status, MGR, "{\"status\":\"closed_unfixed\",\"date\":\"2999-01-01\"}", 400);
    ck_assert_int_eq(updates_of(id), n);
    ck_assert_str_eq(jstr(req("GET", path, DASH, NULL, 200), "status"), "in_progress");
    /* The same day is in order; a note may be dated before it (minutes written late). */
    req("POST", status, MGR, "{\"status\":\"verified_fixed\",\"date\":\"2026-03-10\"}", 200);
    snprintf(path, sizeof(path), "/v1/problems/%lld/notes", id);
    req("POST", path, MGR, "{\"note\":\"二月例会纪要\",\"date\":\"2026-02-20\"}", 201);
    ck_assert_int_eq(updates_of(id), n + 2);
}
END_TEST

START_TEST(list_paging)
{
    long total = total_problems();
    ck_assert_int_ge(total, 3);
    json_t *p1 = req("GET", "/v1/problems?limit=2", DASH, NULL, 200);
    json_t *p2 = req("GET", "/v1/problems?limit=2&offset=2", DASH, NULL, 200);
    ck_assert_int_eq(json_array_size(jget(p1, "problems")), 2);
    ck_assert_int_eq(jint(p1, "total"), total);
    ck_assert_int_eq(jint(p2, "offset"), 2);
    ck_assert_int_gt(jint(p1, "problems[0].id"), jint(p1, "problems[1].id"));
    ck_assert_int_gt(jint(p1, "problems[1].id"), jint(p2, "problems[0].id"));
}
END_TEST

int main(void)
{
    harness_start("problems");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, roles);
    tcase_add_test(tc, effect_hand_computed);
    tcase_add_test(tc, unit_category_backfill_is_what_intake_kept);
    tcase_add_test(tc, hotspot_boundaries);
    tcase_add_test(tc, top_problems_suggested);
    tcase_add_loop_test(tc, bad_create_changes_nothing, 0,
                        (int)(sizeof(bad_creates) / sizeof(bad_creates[0])));
    tcase_add_test(tc, overlong_strings);
    tcase_add_test(tc, bad_writes_change_nothing);
    tcase_add_test(tc, transitions_and_audit);
    tcase_add_test(tc, status_dates_in_order);
    tcase_add_test(tc, list_paging);
    return harness_run(s, tc);
}
