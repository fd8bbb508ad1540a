/* API: GET /v1/kpi/decisions on a small hand-made history (2025, Asia/Shanghai) with all six
 * decisions across February and March and one ticket in April: the mix of each month, quarter
 * and year, empty periods as zeros, the CSV cell for cell, what /v1/classify leaves (nothing)
 * and the parameters it refuses. The cases run in order on one server. */
#include "kpi_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *ts(const char *date, int hh, int mm)
{
    return P("%sT%02d:%02d:00+08:00", date, hh, mm);
}

#define C_JZ "HB.ZS.JZ"
#define C_SH "HB.ZS.SH"
#define C_YY "HB.DQ.YY"
#define C_PS "CG.SZ.PS"
#define C_LD "CG.SZ.LD"
#define C_XL "JT.GJ.XL"

static void ticket(const char *id, const char *when, const char *phone_no, const char *category,
                   const char *claim, const char *description, const char *decision,
                   const char *rule, int ordinal)
{
    json_t *a = POST_TICKET(
        201, .id = id, .at = when, .phone = phone_no, .category = category, .claim = claim,
        .description = description ? description : "市民反映的问题需要处理，请尽快安排。");
    const char *m = decision_is(a, decision, rule, ordinal);
    ck_assert_msg(m == NULL, "%s: %s", id, m);
}

/* Dispatched, reached, an accepted close-out, a reached follow-up and, when close, closed. */
static void handle(const char *id, const char *date, bool close)
{
    EVENT(id, ev_dispatched(ts(date, 10, 0), "DU-A", "DU-A-T1", "DU-A-H1", NULL), 201);
    if (!close)
        return;
    EVENT(id, ev_contact(ts(date, 11, 0), "reached"), 201);
    EVENT(id, ev_closeout(ts(date, 12, 0), ts(date, 11, 0), true, true), 201);
    EVENT(id, ev_followup(ts(date, 13, 0), true, true, true), 201);
    EVENT(id, ev_closed(ts(date, 14, 0), "resolved"), 201);
}

static const char *const decisions[] = {"new",
                                        "repeat",
                                        "similar_new",
                                        "excluded_in_progress",
                                        "excluded_closed",
                                        "excluded_unmeetable"};

/* One row of a decisions answer: the six counts in the order of `decisions`, the total as
 * their sum and the definition versions ("" for none, else the current version). */
static void expect_mix(int line, json_t *answer, size_t i, const char *period, const long want[6])
{
    char *text = json_dumps(answer, JSON_COMPACT);
    json_t *r = json_array_get(jget(answer, "rows"), i);
    ck_assert_msg(r && !strcmp(jstr(r, "period"), period), "line %d: row %zu is not %s in %s", line,
                  i, period, text);
    long total = 0;
    for (size_t d = 0; d < N_OF(decisions); d++) {
        ck_assert_msg(
            json_is_integer(json_object_get(r, decisions[d])) && jint(r, decisions[d]) == want[d],
            "line %d: %s %s: expected %ld in %s", line, period, decisions[d], want[d], text);
        total += want[d];
    }
    ck_assert_msg(jint(r, "total") == total, "line %d: %s: total expected %ld in %s", line, period,
                  total, text);
    json_t *v = jget(r, "definition_versions");
    ck_assert_msg(total ? json_array_size(v) == 1 &&
                              json_integer_value(json_array_get(v, 0)) == current_version()
                        : json_array_size(v) == 0,
                  "line %d: %s: definition_versions in %s", line, period, text);
    free(text);
}
#define EXPECT_MIX(a, i, period, ...)                                                              \
    expect_mix(__LINE__, (a), (i), (period), (const long[6]){__VA_ARGS__})

static void expect_frame(int line, json_t *answer, const char *period, const char *from,
                         const char *to, size_t rows)
{
    char *text = json_dumps(answer, JSON_COMPACT);
    ck_assert_msg(
        !strcmp(jstr(answer, "period"), period) && !strcmp(jstr(answer, "from"), from) &&
            !strcmp(jstr(answer, "to"), to) && json_array_size(jget(answer, "rows")) == rows,
        "line %d: expected %s %s..%s with %zu rows in %s", line, period, from, to, rows, text);
    free(text);
}
#define EXPECT_FRAME(a, period, from, to, rows)                                                    \
    expect_frame(__LINE__, (a), (period), (from), (to), (rows))

START_TEST(decisions_history)
{
    /* February: chain A (new, a repeat, a call about the open repeat), chain B (new, then a
     * dissatisfied call about its accepted close-out). */
    const char *pa = "13900239001", *pb = "13900239002";
    ticket("DM-A1", ts("2025-02-03", 9, 0), pa, C_JZ, NULL, NULL, "new", "R1", 0);
    handle("DM-A1", "2025-02-03", true);
    ticket("DM-A2", ts("2025-02-10", 9, 0), pa, C_JZ, NULL, NULL, "repeat", "R6", 1);
    handle("DM-A2", "2025-02-10", false);
    ticket("DM-A3", ts("2025-02-12", 9, 0), pa, C_JZ, NULL, NULL, "excluded_in_progress", "R2", 1);
    ticket("DM-B1", ts("2025-02-04", 8, 0), pb, C_SH, NULL, "楼上住户深夜装修噪音扰民。", "new",
           "R1", 0);
    handle("DM-B1", "2025-02-04", true);
    ticket("DM-B2", ts("2025-02-12", 21, 0), pb, C_SH, "dissatisfied", NULL, "excluded_closed",
           "R5", 0);

    /* March: chain C starts at 01:00 on the 1st in Shanghai, still February in UTC: a March
     * ticket. A policy dispute about it; chain D, fixed, then blocked again by a storm (a
     * similar new problem); E, new and left alone. */
    const char *pc = "13900239003", *pd = "13900239004", *pe = "13900239005";
    ticket("DM-C1", ts("2025-03-01", 1, 0), pc, C_YY, NULL, "楼下餐馆油烟直排，影响居民生活。",
           "new", "R1", 0);
    handle("DM-C1", "2025-03-01", true);
    ticket("DM-C2", ts("2025-03-14", 19, 0), pc, C_YY, "policy_dispute", NULL,
           "excluded_unmeetable", "R3", 0);
    ticket("DM-D1", ts("2025-03-02", 8, 0), pd, C_PS, NULL, "社区因道路施工导致污水管道堵塞。",
           "new", "R1", 0);
    handle("DM-D1", "2025-03-03", true);
    ticket("DM-D2", ts("2025-03-20", 7, 0), pd, C_PS, "recurred",
           "暴雨导致道路积水，污水管道再次出现堵塞。", "similar_new", "R4", 0);
    ticket("DM-E1", ts("2025-03-25", 9, 0), pe, C_LD, NULL, NULL, "new", "R1", 0);

    /* April: one more, the second quarter's. */
    ticket("DM-F1", ts("2025-04-02", 9, 0), "13900239006", C_XL, NULL, NULL, "new", "R1", 0);

    /* /v1/classify stores nothing, so counts nothing. */
    long st;
    json_t *c = gc(classify(
        &(tk){.id = "DM-CL-1", .at = ts("2025-03-26", 9, 0), .phone = pe, .category = C_LD}, &st));
    ck_assert_int_eq(st, 200);
    CHECK(decision_is(c, "excluded_in_progress", "R2", 0));
}
END_TEST

START_TEST(decisions_counts)
{
    json_t *a = OK_GET("/v1/kpi/decisions?period=month&at=2025-02");
    EXPECT_FRAME(a, "month", "2025-02", "2025-02", 1);
    EXPECT_MIX(a, 0, "2025-02", 2, 1, 0, 1, 1, 0);
    ck_assert_int_eq(json_array_size(jget(a, "definition_versions")), 1);

    a = OK_GET("/v1/kpi/decisions?period=month&at=2025-03");
    EXPECT_MIX(a, 0, "2025-03", 3, 0, 1, 0, 0, 1);

    /* A range, an empty month among them. */
    a = OK_GET("/v1/kpi/decisions?period=month&from=2025-01&to=2025-05");
    EXPECT_FRAME(a, "month", "2025-01", "2025-05", 5);
    EXPECT_MIX(a, 0, "2025-01", 0, 0, 0, 0, 0, 0);
    EXPECT_MIX(a, 1, "2025-02", 2, 1, 0, 1, 1, 0);
    EXPECT_MIX(a, 2, "2025-03", 3, 0, 1, 0, 0, 1);
    EXPECT_MIX(a, 3, "2025-04", 1, 0, 0, 0, 0, 0);
    EXPECT_MIX(a, 4, "2025-05", 0, 0, 0, 0, 0, 0);

    a = OK_GET("/v1/kpi/decisions?period=quarter&at=2025-Q1");
    EXPECT_FRAME(a, "quarter", "2025-Q1", "2025-Q1", 1);
    EXPECT_MIX(a, 0, "2025-Q1", 5, 1, 1, 1, 1, 1);
    a = OK_GET("/v1/kpi/decisions?period=quarter&from=2024-Q4&to=2025-Q2");
    EXPECT_FRAME(a, "quarter", "2024-Q4", "2025-Q2", 3);
    EXPECT_MIX(a, 0, "2024-Q4", 0, 0, 0, 0, 0, 0);
    EXPECT_MIX(a, 1, "2025-Q1", 5, 1, 1, 1, 1, 1);
    EXPECT_MIX(a, 2, "2025-Q2", 1, 0, 0, 0, 0, 0);

    a = OK_GET("/v1/kpi/decisions?period=year&at=2025");
    EXPECT_FRAME(a, "year", "2025", "2025", 1);
    EXPECT_MIX(a, 0, "2025", 6, 1, 1, 1, 1, 1);
    a = OK_GET("/v1/kpi/decisions?period=year&at=2024");
    EXPECT_MIX(a, 0, "2024", 0, 0, 0, 0, 0, 0);
    ck_assert_int_eq(json_array_size(jget(a, "definition_versions")), 0);

    /* Without at: the current period, one row. */
    a = OK_GET("/v1/kpi/decisions");
    ck_assert_str_eq(jstr(a, "period"), "month");
    ck_assert_int_eq(json_array_size(jget(a, "rows")), 1);

    /* Excluded calls are no complaints: the repeats answer does not have them. */
    a = OK_GET("/v1/kpi/repeats?period=quarter&at=2025-Q1");
    ck_assert_int_eq(jint(json_array_get(jget(a, "rows"), 0), "complaints"), 7);
}
END_TEST

/* The CSV of a path: every row of the JSON a line, every field a column, cell for cell. */
static void compare_csv(int line, const char *path)
{
    json_t *answer = kpi_ok_at(line, api.dash_key, path);
    http_request rq = {.method = "GET", .path = P("%s&format=csv", path), .key = api.dash_key};
    http_reply r;
    ck_assert_int_eq(http_send(&rq, &r), 0);
    ck_assert_msg(r.status == 200, "line %d: %ld %s", line, r.status, r.body);
    ck_assert_str_eq(r.content_type, "text/csv; charset=utf-8");
    ck_assert_msg(strstr(r.content_disposition, "filename=\"repeatd-decisions-"),
                  "line %d: Content-Disposition %s", line, r.content_disposition);
    const char *why = NULL;
    json_t *lines = csv_parse(r.body, r.body_len, &why);
    ck_assert_msg(lines, "line %d: %s in %s", line, why, r.body);
    http_reply_free(&r);
    json_t *head = json_array_get(lines, 0);
    static const char *const cols[] = {"period",
                                       "new",
                                       "repeat",
                                       "similar_new",
                                       "excluded_in_progress",
                                       "excluded_closed",
                                       "excluded_unmeetable",
                                       "total",
                                       "definition_versions"};
    ck_assert_int_eq(json_array_size(head), N_OF(cols));
    for (size_t k = 0; k < N_OF(cols); k++)
        ck_assert_str_eq(json_string_value(json_array_get(head, k)), cols[k]);
    json_t *rows = jget(answer, "rows");
    ck_assert_int_eq(json_array_size(lines), json_array_size(rows) + 1);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        ck_assert_int_eq(json_object_size(row), N_OF(cols));
        json_t *cells = json_array_get(lines, i + 1);
        for (size_t k = 0; k < N_OF(cols); k++) {
            char *want = cell_of(json_object_get(row, cols[k]));
            const char *got = json_string_value(json_array_get(cells, k));
            ck_assert_msg(got && !strcmp(want, got),
                          "line %d: row %zu, %s: CSV \"%s\", JSON \"%s\"", line, i, cols[k], got,
                          want);
            free(want);
        }
    }
}

START_TEST(decisions_csv_and_params)
{
    compare_csv(__LINE__, "/v1/kpi/decisions?period=month&from=2025-01&to=2025-04");
    compare_csv(__LINE__, "/v1/kpi/decisions?period=quarter&at=2025-Q1");
    compare_csv(__LINE__, "/v1/kpi/decisions?period=year&at=2025");

    BAD_PARAM("/v1/kpi/decisions?period=week", "period");
    BAD_PARAM("/v1/kpi/decisions?period=month&at=2025-13", "at");
    BAD_PARAM("/v1/kpi/decisions?period=quarter&at=2025-03", "at");
    BAD_PARAM("/v1/kpi/decisions?period=year&at=25", "at");
    BAD_PARAM("/v1/kpi/decisions?period=month&from=2025-04&to=2025-02", "from");
    BAD_PARAM("/v1/kpi/decisions?period=month&from=2015-01&to=2025-02", "to");
    BAD_PARAM("/v1/kpi/decisions?by=unit", "by");
    BAD_PARAM("/v1/kpi/decisions?period=month&at=2025-02&format=xml", "format");
    GET_ERR(api.crm_key, "/v1/kpi/decisions", 403, "forbidden", NULL);
    GET_ERR(NULL, "/v1/kpi/decisions", 401, "unauthorized", NULL);
}
END_TEST

int main(void)
{
    harness_start("kpi_decisions");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, decisions_history);
    tcase_add_test(tc, decisions_counts);
    tcase_add_test(tc, decisions_csv_and_params);
    return harness_run(s, tc);
}
