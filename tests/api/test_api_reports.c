/* API: the periodic report (通报), GET /v1/reports/{period}, on a generated history of 14
 * months: every section equals what the KPI endpoint answers for the same period (month,
 * quarter, year), the programmes and green-channel figures follow what managers recorded, and
 * bad periods are refused. The cases run in order on one server. */
#include "kpi_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const units[] = {"RU-A", "RU-B", "RU-C", "RU-D"};
static const char *const cats[] = {"HB.ZS.JZ", "CG.SZ.LD", "JT.GJ.XL"};

static unsigned long long rng = 20261007;

static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng >> 33) % n);
}

/* Each month from 14 months ago: 14 calls of 12 citizens on three categories, most handled
 * and closed (some with failed contacts, unresolved close-outs, audits finding them false),
 * some left open; halfway, a change of a setting that defines a repeat (a new version). */
START_TEST(history)
{
    ADMIN("PATCH", "/v1/admin/settings", "{\"ranking_min_complaints\": 2, \"ranking_bottom_n\": 1}",
          200);
    int n = 0;
    for (int ma = 14; ma >= 1; ma--) {
        if (ma == 6)
            ADMIN("PATCH", "/v1/admin/settings", "{\"expedite_after_calls\": 3}", 200);
        for (int k = 0; k < 14; k++) {
            char id[32];
            snprintf(id, sizeof(id), "RP-%02d-%02d", ma, k);
            int day = 1 + k * 3 / 2;
            const char *ph = phone(500 + (int)rnd(12));
            json_t *a = POST_TICKET(201, .id = id, .at = at(ma, day, 9, 0), .phone = ph,
                                    .category = cats[rnd(3)],
                                    .description = "市民反映的问题需要处理，请尽快安排。");
            n++;
            if (jbool(a, "creates_work_order") != 1)
                continue;
            const char *unit = units[rnd(4)];
            unsigned fate = rnd(10);
            if (fate == 0) { /* left open, dispatched */
                EVENT(id, ev_dispatched(at(ma, day, 10, 0), unit, P("%s-T", unit), NULL, NULL),
                      201);
                continue;
            }
            HANDLE(id, .unit = unit, .team = P("%s-T", unit), .handler = P("%s-H%u", unit, rnd(3)),
                   .months_ago = ma, .day = day, .failed_contacts = fate == 1 ? 3 : (int)rnd(2),
                   .reached = fate != 1, .closeout_resolved = fate != 2,
                   .followup_reached = fate != 3, .outcome = fate == 2 ? "unresolved" : "resolved");
            if (fate == 4)
                EVENT(id, ev_audit(at(ma, day + 3, 9, 0), true, "回访核实：问题并未解决。"), 201);
        }
    }
    ck_assert_int_eq(n, 14 * 14);
    ck_assert_int_ge(current_version(), 2);
}
END_TEST

/* Period labels of the month `ma` months ago: month, quarter, year. */
static const char *label_of(const char *kind, int ma)
{
    const char *d = at(ma, 1, 0, 0);
    int y = atoi(d), m = atoi(d + 5);
    if (!strcmp(kind, "month"))
        return P("%04d-%02d", y, m);
    if (!strcmp(kind, "quarter"))
        return P("%04d-Q%d", y, (m - 1) / 3 + 1);
    return P("%04d", y);
}

static void expect_equal(int line, const char *what, json_t *got, json_t *want)
{
    if (json_equal(got, want))
        return;
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    char msg[8192];
    snprintf(msg, sizeof(msg), "line %d: %s differs:\n report %.3000s\n kpi    %.3000s", line, what,
             g ? g : "(null)", w ? w : "(null)");
    free(g);
    free(w);
    ck_abort_msg("%s", msg);
}
#define EXPECT_EQUAL(what, got, want) expect_equal(__LINE__, (what), (got), (want))

/* The headline's numbers of one period against /v1/kpi/repeats at that label. */
static void expect_headline(int line, json_t *h, const char *kind, const char *label)
{
    json_t *k = kpi_ok_at(line, api.dash_key, P("/v1/kpi/repeats?period=%s&at=%s", kind, label));
    json_t *row = jget(k, "rows[0]");
    json_t *want = json_pack("{s:s, s:I, s:I, s:O}", "period", label, "complaints",
                             (json_int_t)(row ? jint(row, "complaints") : 0), "repeats",
                             (json_int_t)(row ? jint(row, "repeats") : 0), "repeat_rate",
                             row ? jget(row, "repeat_rate") : json_null());
    expect_equal(line, P("headline %s", label), h, want);
    json_decref(want);
}

/* Every section of the report of `label` against the KPI endpoints for the same period. */
static json_t *check_report(int line, const char *kind, const char *label_, const char *prev_,
                            const char *ago_)
{
    /* Copies: the labels live in P's ring, which the requests below go round. */
    char label[16], prev[16], ago[16], q[64];
    snprintf(label, sizeof(label), "%s", label_);
    snprintf(prev, sizeof(prev), "%s", prev_);
    snprintf(ago, sizeof(ago), "%s", ago_);
    snprintf(q, sizeof(q), "period=%s&at=%s", kind, label);
    json_t *r = kpi_ok_at(line, api.dash_key, P("/v1/reports/%s", label));
    ck_assert_str_eq(jstr(r, "period"), label);
    ck_assert_str_eq(jstr(r, "period_kind"), kind);
    ck_assert_str_eq(jstr(r, "previous_period"), prev);
    ck_assert_str_eq(jstr(r, "year_ago_period"), ago);
    expect_headline(line, jget(r, "headline.current"), kind, label);
    expect_headline(line, jget(r, "headline.previous"), kind, prev);
    expect_headline(line, jget(r, "headline.year_ago"), kind, ago);
    ck_assert_int_eq(jint(r, "headline.vs_previous.repeats"),
                     jint(r, "headline.current.repeats") - jint(r, "headline.previous.repeats"));
    ck_assert_int_eq(jint(r, "headline.vs_year_ago.complaints"),
                     jint(r, "headline.current.complaints") -
                         jint(r, "headline.year_ago.complaints"));

    json_t *ranking = json_deep_copy(jget(r, "ranking"));
    json_t *bottom = json_incref(jget(ranking, "bottom"));
    json_object_del(ranking, "bottom");
    json_t *want = kpi_ok_at(line, api.dash_key, P("/v1/kpi/ranking?%s&by=unit", q));
    expect_equal(line, "ranking", ranking, want);
    size_t i, n_watch = 0;
    json_t *row;
    json_array_foreach(jget(want, "rows"), i, row)
    {
        if (jbool(row, "watch") == 1)
            expect_equal(line, "bottom row", json_array_get(bottom, n_watch++), row);
    }
    ck_assert_uint_eq(json_array_size(bottom), n_watch);
    json_decref(bottom);
    json_decref(ranking);

    expect_equal(line, "top_problems", jget(r, "top_problems"),
                 kpi_ok_at(line, api.dash_key, P("/v1/kpi/top-problems?%s", q)));
    expect_equal(line, "anomalies by category", jget(r, "anomalies.by_category"),
                 kpi_ok_at(line, api.dash_key, P("/v1/kpi/anomalies?%s&by=category", q)));
    expect_equal(line, "anomalies by unit", jget(r, "anomalies.by_unit"),
                 kpi_ok_at(line, api.dash_key, P("/v1/kpi/anomalies?%s&by=unit", q)));
    expect_equal(line, "contact_failures", jget(r, "contact_failures"),
                 kpi_ok_at(line, api.dash_key, P("/v1/kpi/contact-failures?%s", q)));
    expect_equal(line, "closeout_quality", jget(r, "closeout_quality"),
                 kpi_ok_at(line, api.dash_key, P("/v1/kpi/closeout-quality?%s", q)));
    json_t *green = kpi_ok_at(line, api.dash_key, "/v1/kpi/green-channel?limit=1000");
    ck_assert_int_eq(jint(r, "green_channel.in_channel_now"),
                     (long long)json_array_size(jget(green, "chains")));
    ck_assert_int_eq(jint(r, "green_channel.min_repeats"), jint(green, "min_repeats"));
    /* The versions: the union of those of the answers it is made of. */
    json_t *answers[] = {
        kpi_ok_at(line, api.dash_key,
                  P("/v1/kpi/repeats?period=%s&from=%s&to=%s", kind, ago, label)),
        want,
        kpi_ok_at(line, api.dash_key, P("/v1/kpi/top-problems?%s", q)),
        kpi_ok_at(line, api.dash_key, P("/v1/kpi/anomalies?%s&by=category", q)),
        kpi_ok_at(line, api.dash_key, P("/v1/kpi/anomalies?%s&by=unit", q)),
        kpi_ok_at(line, api.dash_key, P("/v1/kpi/contact-failures?%s", q)),
        kpi_ok_at(line, api.dash_key, P("/v1/kpi/closeout-quality?%s", q)),
    };
    bool seen[64] = {false};
    for (size_t a = 0; a < N_OF(answers); a++) {
        json_t *v;
        json_array_foreach(jget(answers[a], "definition_versions"), i, v)
        {
            json_int_t x = json_integer_value(v);
            ck_assert(x > 0 && x < 64);
            seen[x] = true;
        }
    }
    json_t *union_ = json_array();
    for (int x = 1; x < 64; x++)
        if (seen[x])
            json_array_append_new(union_, json_integer(x));
    expect_equal(line, "definition_versions", jget(r, "definition_versions"), union_);
    json_decref(union_);
    return r;
}
#define CHECK_REPORT(kind, label, prev, ago) check_report(__LINE__, (kind), (label), (prev), (ago))

START_TEST(months_equal_kpis)
{
    for (int ma = 1; ma <= 3; ma++) {
        json_t *r = CHECK_REPORT("month", label_of("month", ma), label_of("month", ma + 1),
                                 label_of("month", ma + 12));
        ck_assert_int_gt(jint(r, "headline.current.complaints"), 0);
        if (ma + 12 <= 14) /* inside the history */
            ck_assert_int_gt(jint(r, "headline.year_ago.complaints"), 0);
    }
}
END_TEST

START_TEST(quarter_and_year_equal_kpis)
{
    /* The quarter 12 months ago is whole and has its predecessor and year-ago inside the
     * history only partly: the numbers must still be the endpoints'. */
    for (int ma = 1; ma <= 13; ma += 6) {
        const char *d = at(ma, 1, 0, 0);
        int y = atoi(d), m = atoi(d + 5), qn = (m - 1) / 3 + 1;
        const char *prev = qn == 1 ? P("%04d-Q4", y - 1) : P("%04d-Q%d", y, qn - 1);
        CHECK_REPORT("quarter", label_of("quarter", ma), prev, P("%04d-Q%d", y - 1, qn));
        CHECK_REPORT("year", label_of("year", ma), P("%04d", y - 1), P("%04d", y - 1));
    }
}
END_TEST

START_TEST(programmes_and_green_in_report)
{
    const char *month = label_of("month", 1);
    json_t *r = OK_GET(P("/v1/reports/%s", month));
    ck_assert_uint_eq(json_array_size(jget(r, "programmes.programmes")), 0);
    long unassigned = (long)jint(r, "green_channel.unassigned_now");
    ck_assert_int_eq(unassigned, jint(r, "green_channel.in_channel_now"));

    /* A programme opened last month for the unit at the bottom. */
    const char *bottom = jstr(r, "ranking.bottom[0].group");
    ck_assert_ptr_nonnull(bottom);
    json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "scope", "unit", "code", bottom,
                          "responsible", "质量科赵科长", "measures", "重复投诉逐单复盘",
                          "checkin_interval_days", 7, "opened_at", at(1, 3, 9, 0));
    long status;
    json_t *p = gc(post_json("/v1/programmes", api.manager_key, b, &status));
    json_decref(b);
    ck_assert_int_eq(status, 201);
    r = OK_GET(P("/v1/reports/%s", month));
    ck_assert_uint_eq(json_array_size(jget(r, "programmes.programmes")), 1);
    ck_assert_int_eq(jint(r, "programmes.opened_in_period"), 1);
    ck_assert_int_eq(jint(r, "programmes.open_now"), 1);
    ck_assert_int_eq(jint(r, "programmes.programmes[0].id"), jint(p, "id"));
    /* Not in a report of a month before it opened. */
    r = OK_GET(P("/v1/reports/%s", label_of("month", 2)));
    ck_assert_uint_eq(json_array_size(jget(r, "programmes.programmes")), 0);

    /* A chain assigned and verified today: counted in this month's report. */
    json_t *w = OK_GET("/v1/green-channel");
    const char *chain = jstr(w, "chains[0].chain_id");
    if (!chain)
        return; /* the generated history left no chain in the channel */
    b = json_pack("{s:s}", "specialist", "钱专员");
    gc(send_json("PUT", P("/v1/green-channel/%s/specialist", chain), api.manager_key, b, NULL,
                 &status));
    json_decref(b);
    ck_assert_int_eq(status, 200);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    b = json_pack("{s:s, s:s, s:b}", "at",
                  P("%04d-%02d-%02dT%02d:%02d:%02dZ", 1900 + tm.tm_year, tm.tm_mon + 1, tm.tm_mday,
                    tm.tm_hour, tm.tm_min, tm.tm_sec),
                  "found", "电话核实，问题已解决", "solved", 1);
    gc(post_json(P("/v1/green-channel/%s/verifications", chain), api.manager_key, b, &status));
    json_decref(b);
    ck_assert_int_eq(status, 201);
    r = OK_GET(P("/v1/reports/%s", label_of("month", 0)));
    ck_assert_int_eq(jint(r, "green_channel.verifications_in_period"), 1);
    ck_assert_int_eq(jint(r, "green_channel.solved_in_period"), 1);
    ck_assert_int_eq(jint(r, "green_channel.unassigned_now"), unassigned - 1);
    r = OK_GET(P("/v1/reports/%s", month));
    ck_assert_int_eq(jint(r, "green_channel.verifications_in_period"), 0);
}
END_TEST

START_TEST(bad_periods)
{
    static const char *const bad[] = {"2026-13", "2026-Q5", "26",        "abc",
                                      "2026-1",  "2026-Q0", "2026-10-01"};
    for (size_t i = 0; i < N_OF(bad); i++)
        GET_ERR(api.dash_key, P("/v1/reports/%s", bad[i]), 400, "invalid_parameter", "period");
    GET_ERR(api.crm_key, "/v1/reports/2026", 403, "forbidden", NULL);
    GET_ERR(NULL, "/v1/reports/2026", 401, "unauthorized", NULL);
    /* A manager reads it as a dashboard does. */
    kpi_ok_at(__LINE__, api.manager_key, "/v1/reports/2026-Q1");
}
END_TEST

int main(void)
{
    harness_start("reports");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, history);
    tcase_add_test(tc, months_equal_kpis);
    tcase_add_test(tc, quarter_and_year_equal_kpis);
    tcase_add_test(tc, programmes_and_green_in_report);
    tcase_add_test(tc, bad_periods);
    return harness_run(s, tc);
}
