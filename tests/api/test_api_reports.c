/* API: the periodic report (通报), GET /v1/reports/{period}, on a generated history of 14
 * months: every section equals what the KPI endpoint answers for the same period (month,
 * quarter, year), the programmes and green-channel figures follow what managers recorded, and
 * bad periods are refused; the problem list's movements against hand-made problems and
 * GET /v1/problems; every table of the report as CSV, cell for cell its JSON rows. The cases
 * run in order on one server. */
#include "kpi_requests.h"

#include <libpq-fe.h>
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

/* ---- the problem list's movements ---- */

/* The date of day `day` of the month `ma` months ago. */
static const char *day_of(int ma, int day)
{
    return P("%.10s", at(ma, day, 12, 0));
}

static long long new_problem(json_t *body)
{
    long st;
    json_t *p = gc(post_json("/v1/problems", api.manager_key, body, &st));
    json_decref(body);
    ck_assert_msg(st == 201, "POST /v1/problems: %ld", st);
    return jint(p, "id");
}

/* POST /v1/problems/{id}/{what} (the body is stolen), answering `want`. */
static void problem_write(long long id, const char *what, json_t *body, long want)
{
    long st;
    gc(post_json(P("/v1/problems/%lld/%s", id, what), api.manager_key, body, &st));
    json_decref(body);
    ck_assert_msg(st == want, "POST /v1/problems/%lld/%s: %ld", id, what, st);
}

static void sql_run(const char *sql, const char *param)
{
    PGconn *c = PQconnectdb(api.db_url);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
    PGresult *res = PQexecParams(c, sql, 1, NULL, &param, NULL, NULL, 0);
    ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(res);
    PQfinish(c);
}

/* The report's row of problem `id` in the problems section, or NULL. */
static json_t *moved(json_t *report, long long id)
{
    size_t i;
    json_t *row;
    json_array_foreach(jget(report, "problems.rows"), i, row)
    {
        if (jint(row, "id") == id)
            return row;
    }
    return NULL;
}

static void expect_row(json_t *report, long long id, int created, int to_ip, int to_vf, int to_cu,
                       int measures, const char *status, int overdue)
{
    json_t *r = moved(report, id);
    ck_assert_msg(r, "problem %lld not in the report of %s", id, jstr(report, "period"));
    ck_assert_int_eq(jbool(r, "created_in_period"), created);
    ck_assert_int_eq(jint(r, "to_in_progress"), to_ip);
    ck_assert_int_eq(jint(r, "to_verified_fixed"), to_vf);
    ck_assert_int_eq(jint(r, "to_closed_unfixed"), to_cu);
    ck_assert_int_eq(jint(r, "measures_taken"), measures);
    ck_assert_str_eq(jstr(r, "status_at_end"), status);
    ck_assert_int_eq(jbool(r, "overdue_at_end"), overdue);
}

static void expect_counts(json_t *report, int created, int to_ip, int to_vf, int to_cu,
                          int measures, int overdue, size_t rows)
{
    json_t *s = jget(report, "problems");
    ck_assert_int_eq(jint(s, "created"), created);
    ck_assert_int_eq(jint(s, "status_changes.in_progress"), to_ip);
    ck_assert_int_eq(jint(s, "status_changes.verified_fixed"), to_vf);
    ck_assert_int_eq(jint(s, "status_changes.closed_unfixed"), to_cu);
    ck_assert_int_eq(jint(s, "measures_taken"), measures);
    ck_assert_int_eq(jint(s, "overdue_at_end"), overdue);
    ck_assert_uint_eq(json_array_size(jget(s, "rows")), rows);
}

/* Five problems with dated histories over the last three months (p4 entered two months ago,
 * as a list kept before it was moved here would be); the report of each month counts what is
 * dated in it, and the running month's end is what GET /v1/problems answers now. */
START_TEST(problems_in_report)
{
    char m2[16], m1[16], m0[16];
    snprintf(m2, sizeof(m2), "%s", label_of("month", 2));
    snprintf(m1, sizeof(m1), "%s", label_of("month", 1));
    snprintf(m0, sizeof(m0), "%s", label_of("month", 0));
    json_t *r = OK_GET(P("/v1/reports/%s", m1));
    expect_counts(r, 0, 0, 0, 0, 0, 0, 0);

    /* p1: last month a measure and work started; due last month, still in progress. */
    long long p1 = new_problem(json_pack("{s:s, s:{s:s}, s:s, s:s, s:s, s:s}", "title",
                                         "路灯夜间不亮", "scope", "category", "CG.SZ.LD", "source",
                                         "top_problem", "source_period", m2, "department", "市政局",
                                         "due_date", day_of(1, 10)));
    problem_write(
        p1, "measures",
        json_pack("{s:s, s:s}", "description", "全面巡检更换灯具", "effective_date", day_of(1, 5)),
        201);
    problem_write(p1, "status",
                  json_pack("{s:s, s:s}", "status", "in_progress", "date", day_of(1, 6)), 200);
    /* p2: started last month, verified fixed today. */
    long long p2 = new_problem(json_pack("{s:s, s:{s:s, s:s}, s:s, s:s}", "title", "夜间施工噪声",
                                         "scope", "category", "HB.ZS.JZ", "unit", "RU-A", "source",
                                         "anomaly", "source_period", m1));
    problem_write(p2, "status",
                  json_pack("{s:s, s:s}", "status", "in_progress", "date", day_of(1, 3)), 200);
    problem_write(p2, "status", json_pack("{s:s}", "status", "verified_fixed"), 200);
    /* p3: opened today, due far ahead; its title tries a formula on a spreadsheet. */
    long long p3 = new_problem(json_pack("{s:s, s:{s:s}, s:s, s:s}", "title", "=1+2 公交线路调整",
                                         "scope", "category", "JT.GJ.XL", "source", "manual",
                                         "due_date", "2099-12-31"));
    /* p4: entered two months ago, started then, due then; closed unfixed today. */
    long long p4 = new_problem(json_pack("{s:s, s:{s:s}, s:s, s:s, s:s}", "title", "老旧小区积水",
                                         "scope", "category", "CG.SZ.LD", "source", "manual",
                                         "source_period", m2, "due_date", day_of(2, 20)));
    char id4[24];
    snprintf(id4, sizeof(id4), "%lld", p4);
    sql_run(P("UPDATE problems SET created_at = '%s' WHERE id = $1", at(2, 15, 9, 0)), id4);
    problem_write(p4, "status",
                  json_pack("{s:s, s:s}", "status", "in_progress", "date", day_of(2, 16)), 200);
    /* p5: started and given up last month. */
    long long p5 = new_problem(json_pack("{s:s, s:{s:s}, s:s, s:s}", "title", "公交站台破损",
                                         "scope", "category", "JT.GJ.XL", "source", "top_problem",
                                         "source_period", m2));
    problem_write(p5, "status",
                  json_pack("{s:s, s:s}", "status", "in_progress", "date", day_of(1, 8)), 200);
    problem_write(p5, "status",
                  json_pack("{s:s, s:s}", "status", "closed_unfixed", "date", day_of(1, 20)), 200);
    /* A refused change moves nothing. */
    problem_write(p3, "status", json_pack("{s:s}", "status", "verified_fixed"), 409);

    /* Two months ago: p4 entered, started, and overdue at the month's end. */
    r = OK_GET(P("/v1/reports/%s", m2));
    expect_counts(r, 1, 1, 0, 0, 0, 1, 1);
    expect_row(r, p4, 1, 1, 0, 0, 0, "in_progress", 1);
    ck_assert_str_eq(jstr(moved(r, p4), "created_date"), day_of(2, 15));

    /* Last month: p1, p2 and p5 started, p5 given up, p1's measure; p4 still overdue at the end
     * (p1, due then too, was not on the list yet); p3 did not move. */
    r = OK_GET(P("/v1/reports/%s", m1));
    expect_counts(r, 0, 3, 0, 1, 1, 1, 4);
    expect_row(r, p1, 0, 1, 0, 0, 1, "in_progress", 0);
    expect_row(r, p2, 0, 1, 0, 0, 0, "in_progress", 0);
    expect_row(r, p4, 0, 0, 0, 0, 0, "in_progress", 1);
    expect_row(r, p5, 0, 1, 0, 1, 0, "closed_unfixed", 0);
    ck_assert_ptr_null(moved(r, p3));
    ck_assert_int_eq(jint(r, "problems.problems_with_measures"), 1);
    ck_assert_str_eq(jstr(moved(r, p1), "department"), "市政局");
    ck_assert_str_eq(jstr(moved(r, p1), "due_date"), day_of(1, 10));
    ck_assert_str_eq(jstr(moved(r, p2), "unit"), "RU-A");

    /* p4 closed unfixed today: this month's, not last month's. */
    problem_write(p4, "status", json_pack("{s:s}", "status", "closed_unfixed"), 200);
    r = OK_GET(P("/v1/reports/%s", m1));
    expect_row(r, p4, 0, 0, 0, 0, 0, "in_progress", 1);
    r = OK_GET(P("/v1/reports/%s", m0));
    expect_counts(r, 4, 0, 1, 1, 0, 1, 5);
    expect_row(r, p1, 1, 0, 0, 0, 0, "in_progress", 1);
    expect_row(r, p2, 1, 0, 1, 0, 0, "verified_fixed", 0);
    expect_row(r, p3, 1, 0, 0, 0, 0, "open", 0);
    expect_row(r, p4, 0, 0, 0, 1, 0, "closed_unfixed", 0);
    expect_row(r, p5, 1, 0, 0, 0, 0, "closed_unfixed", 0);

    /* The running month against the list: its status now, created this month, overdue now. */
    json_t *list = OK_GET("/v1/problems?limit=500");
    ck_assert_int_eq(jint(list, "total"), 5);
    size_t i;
    json_t *p;
    json_array_foreach(jget(list, "problems"), i, p)
    {
        json_t *row = moved(r, jint(p, "id"));
        ck_assert_ptr_nonnull(row);
        ck_assert_str_eq(jstr(row, "status_at_end"), jstr(p, "status"));
        ck_assert_int_eq(jbool(row, "overdue_at_end"), jbool(p, "overdue"));
        ck_assert_int_eq(jbool(row, "created_in_period"),
                         !strncmp(jstr(p, "created_at"), m0, strlen(m0)));
    }
    json_t *overdue = OK_GET("/v1/problems?overdue=true");
    ck_assert_int_eq(jint(r, "problems.overdue_at_end"), jint(overdue, "total"));
    ck_assert_int_eq(jint(overdue, "problems[0].id"), p1);

    /* A quarter and a year count what their months count, and end where their last month
     * ends. */
    static const char *const kinds[] = {"quarter", "year"};
    static const char *const counts[] = {"created", "status_changes.in_progress",
                                         "status_changes.verified_fixed",
                                         "status_changes.closed_unfixed", "measures_taken"};
    for (size_t k = 0; k < N_OF(kinds); k++) {
        char label[16];
        snprintf(label, sizeof(label), "%s", label_of(kinds[k], 1));
        json_t *whole = OK_GET(P("/v1/reports/%s", label));
        long long sum[N_OF(counts)] = {0}, last_overdue = -1;
        for (int ma = 0; ma < 24; ma++) {
            if (strcmp(label_of(kinds[k], ma), label))
                continue;
            json_t *month = OK_GET(P("/v1/reports/%s", label_of("month", ma)));
            for (size_t c = 0; c < N_OF(counts); c++)
                sum[c] += jint(month, P("problems.%s", counts[c]));
            if (last_overdue < 0)
                last_overdue = jint(month, "problems.overdue_at_end");
        }
        for (size_t c = 0; c < N_OF(counts); c++)
            ck_assert_msg(jint(whole, P("problems.%s", counts[c])) == sum[c], "%s %s", label,
                          counts[c]);
        ck_assert_int_eq(jint(whole, "problems.overdue_at_end"), last_overdue);
    }
}
END_TEST

/* The first day of a period (2026-10, 2026-Q4, 2026) and the day after it. */
static void period_days(const char *label, char first[32], char until[32])
{
    int y = atoi(label), m = 1, n = 12;
    if (label[4] == '-' && label[5] == 'Q') {
        m = (label[6] - '1') * 3 + 1;
        n = 3;
    } else if (label[4] == '-') {
        m = atoi(label + 5);
        n = 1;
    }
    int e = y * 12 + m - 1 + n;
    snprintf(first, 32, "%04d-%02d-01", y, m);
    snprintf(until, 32, "%04d-%02d-01", e / 12, e % 12 + 1);
}

/* The problems section of a report against what GET /v1/problems/{id} shows of every problem:
 * the date it was entered, its dated status changes and measures, its due date, and (a period
 * still running) its status and overdue now. */
static void expect_problems_at(int line, json_t *report)
{
    char first[32], until[32], today[48];
    period_days(jstr(report, "period"), first, until);
    time_t now = time(NULL) + 8 * 3600; /* Asia/Shanghai */
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(today, sizeof(today), "%04d-%02d-%02d", 1900 + tm.tm_year, tm.tm_mon + 1, tm.tm_mday);
    bool running = strcmp(today, until) < 0;
    long long sum[6] = {0}; /* created, three targets, measures, overdue */
    size_t n_rows = 0, i, k;
    json_t *item, *x;
    json_array_foreach(jget(OK_GET("/v1/problems?limit=500"), "problems"), i, item)
    {
        long long id = jint(item, "id");
        json_t *p = OK_GET(P("/v1/problems/%lld", id));
        char created[11];
        snprintf(created, sizeof(created), "%.10s", jstr(p, "created_at"));
        bool in_period = strcmp(created, first) >= 0 && strcmp(created, until) < 0;
        int to[3] = {0, 0, 0}, measures = 0;
        const char *status = "open";
        static const char *const targets[] = {"in_progress", "verified_fixed", "closed_unfixed"};
        json_array_foreach(jget(p, "updates"), k, x)
        {
            const char *date = jstr(x, "date");
            if (strcmp(jstr(x, "kind"), "status") || strcmp(date, until) >= 0)
                continue;
            status = jstr(x, "new_status");
            for (int t = 0; t < 3 && strcmp(date, first) >= 0; t++)
                to[t] += !strcmp(status, targets[t]);
        }
        json_array_foreach(jget(p, "measures"), k, x)
        {
            const char *date = jstr(x, "effective_date");
            measures += strcmp(date, first) >= 0 && strcmp(date, until) < 0;
        }
        const char *due = jstr(p, "due_date");
        bool overdue;
        if (running) {
            status = jstr(p, "status");
            overdue = jbool(p, "overdue") == 1;
        } else {
            overdue = due && strcmp(due, until) < 0 && strcmp(created, until) < 0 &&
                      (!strcmp(status, "open") || !strcmp(status, "in_progress"));
        }
        json_t *row = moved(report, id);
        if (!in_period && !to[0] && !to[1] && !to[2] && !measures && !overdue) {
            ck_assert_msg(!row, "line %d: problem %lld did not move in %s", line, id,
                          jstr(report, "period"));
            continue;
        }
        ck_assert_msg(row, "line %d: problem %lld moved in %s", line, id, jstr(report, "period"));
        n_rows++;
        ck_assert_int_eq(jbool(row, "created_in_period"), in_period);
        ck_assert_int_eq(jint(row, "to_in_progress"), to[0]);
        ck_assert_int_eq(jint(row, "to_verified_fixed"), to[1]);
        ck_assert_int_eq(jint(row, "to_closed_unfixed"), to[2]);
        ck_assert_int_eq(jint(row, "measures_taken"), measures);
        ck_assert_msg(!strcmp(jstr(row, "status_at_end"), status),
                      "line %d: %lld at end %s, not %s", line, id, jstr(row, "status_at_end"),
                      status);
        ck_assert_int_eq(jbool(row, "overdue_at_end"), overdue);
        ck_assert_str_eq(jstr(row, "title"), jstr(p, "title"));
        ck_assert_str_eq(jstr(row, "category"), jstr(p, "scope.category"));
        long long v[6] = {in_period, to[0], to[1], to[2], measures, overdue};
        for (int s_ = 0; s_ < 6; s_++)
            sum[s_] += v[s_];
    }
    json_t *s = jget(report, "problems");
    ck_assert_int_eq(jint(s, "created"), sum[0]);
    ck_assert_int_eq(jint(s, "status_changes.in_progress"), sum[1]);
    ck_assert_int_eq(jint(s, "status_changes.verified_fixed"), sum[2]);
    ck_assert_int_eq(jint(s, "status_changes.closed_unfixed"), sum[3]);
    ck_assert_int_eq(jint(s, "measures_taken"), sum[4]);
    ck_assert_int_eq(jint(s, "overdue_at_end"), sum[5]);
    ck_assert_uint_eq(json_array_size(jget(s, "rows")), n_rows);
}
#define EXPECT_PROBLEMS_AT(report) expect_problems_at(__LINE__, (report))

START_TEST(problems_against_their_records)
{
    for (int ma = 0; ma <= 3; ma++)
        EXPECT_PROBLEMS_AT(OK_GET(P("/v1/reports/%s", label_of("month", ma))));
    static const char *const kinds[] = {"quarter", "year"};
    for (int ma = 0; ma <= 1; ma++)
        for (size_t k = 0; k < N_OF(kinds); k++)
            EXPECT_PROBLEMS_AT(OK_GET(P("/v1/reports/%s", label_of(kinds[k], ma))));
}
END_TEST

/* ---- the report's tables as CSV ---- */

static const struct {
    const char *table, *columns;
} report_tables[] = {
    {"headline", "current.period,current.complaints,current.repeats,current.repeat_rate,"
                 "previous.period,previous.complaints,previous.repeats,previous.repeat_rate,"
                 "year_ago.period,year_ago.complaints,year_ago.repeats,year_ago.repeat_rate,"
                 "vs_previous.complaints,vs_previous.repeats,vs_previous.repeats_change_rate,"
                 "vs_previous.repeat_rate,vs_year_ago.complaints,vs_year_ago.repeats,"
                 "vs_year_ago.repeats_change_rate,vs_year_ago.repeat_rate,definition_versions"},
    {"ranking", "period,group,name,complaints,repeats,repeat_rate,ranked,rank,target,target_met,"
                "watch,parent,definition_versions"},
    {"programmes", "id,scope,code,responsible,measures,opened_at,opened_month,opened_by,status,"
                   "closed_at,closed_by,close_note,exit_met_at_close,checkin.interval_days,"
                   "checkin.count,checkin.last_at,checkin.last_status,checkin.due_at,"
                   "checkin.overdue,checkin.days_overdue,exit.months_required,"
                   "exit.months_out_of_bottom,exit.months_judged,exit.met"},
    {"top_problems", "period,group,name,repeats,complaints,previous_period,previous_repeats,"
                     "change,change_rate,definition_versions"},
    {"anomalies", "by,period,group,name,observed,baseline,p_value,score,history,"
                  "definition_versions"},
    {"contact_failures", "period,group,name,contacted,first_contact_failed,"
                         "first_contact_failure_rate,definition_versions"},
    {"closeout_quality",
     "period,group,name,inspected,rejected,pass_rate,false_closeouts,top_defect_1,"
     "top_defect_1_count,top_defect_2,top_defect_2_count,top_defect_3,top_defect_3_count,"
     "top_defect_4,top_defect_4_count,top_defect_5,top_defect_5_count,definition_versions"},
    {"green_channel", "min_repeats,verify_days,in_channel_now,unassigned_now,"
                      "verification_overdue_now,verifications_in_period,solved_in_period"},
    {"problems", "id,title,category,unit,department,due_date,created_date,created_in_period,"
                 "to_in_progress,to_verified_fixed,to_closed_unfixed,measures_taken,"
                 "status_at_end,overdue_at_end"},
};

/* The JSON rows a table is made of (a new array): a section's rows, anomalies by category then
 * by unit (each with its `by`), one row of a section's figures. */
static json_t *json_rows(json_t *doc, const char *table)
{
    if (!strcmp(table, "headline") || !strcmp(table, "green_channel"))
        return json_pack("[O]", jget(doc, table));
    if (!strcmp(table, "programmes"))
        return json_copy(jget(doc, "programmes.programmes"));
    if (strcmp(table, "anomalies"))
        return json_copy(jget(doc, P("%s.rows", table)));
    json_t *rows = json_array();
    static const char *const by[] = {"category", "unit"};
    for (size_t b = 0; b < N_OF(by); b++) {
        size_t i;
        json_t *row;
        json_array_foreach(jget(doc, P("anomalies.by_%s.rows", by[b])), i, row)
        {
            json_t *o = json_deep_copy(row);
            json_object_set_new(o, "by", json_string(by[b]));
            json_array_append_new(rows, o);
        }
    }
    return rows;
}

/* The JSON value of a column: the row's field by its path, a top defect, or (the compared
 * period, the report's versions) the section's or the document's. */
static json_t *json_cell(json_t *doc, const char *table, json_t *row, const char *col)
{
    int n = 0;
    char rest[16] = "";
    if (sscanf(col, "top_defect_%d%15s", &n, rest) >= 1 && n >= 1) {
        json_t *d = json_array_get(json_object_get(row, "top_defects"), (size_t)n - 1);
        return d ? json_object_get(d, strcmp(rest, "_count") ? "code" : "count") : NULL;
    }
    json_t *v = jget(row, col);
    if (!v && !strcmp(col, "previous_period"))
        v = jget(doc, P("%s.previous_period", table));
    if (!v && !strcmp(col, "definition_versions"))
        v = jget(doc, "definition_versions");
    return v;
}

/* GET a table as CSV; the reply (free it). */
static http_reply get_csv(const char *path, const char *accept)
{
    http_request rq = {.method = "GET", .path = path, .key = api.dash_key, .extra_header = accept};
    http_reply r;
    ck_assert_int_eq(http_send(&rq, &r), 0);
    return r;
}

/* Every table of the report of `label` as CSV against its JSON rows; the rows compared. */
static size_t compare_tables(const char *label_)
{
    char label[16]; /* a copy: P's ring goes round below */
    snprintf(label, sizeof(label), "%s", label_);
    json_t *doc = OK_GET(P("/v1/reports/%s", label));
    size_t total = 0;
    for (size_t t = 0; t < N_OF(report_tables); t++) {
        const char *table = report_tables[t].table;
        /* ?format=csv, and Accept: text/csv for every other table */
        bool by_accept = t % 2;
        http_reply r = get_csv(by_accept ? P("/v1/reports/%s?table=%s", label, table)
                                         : P("/v1/reports/%s?format=csv&table=%s", label, table),
                               by_accept ? "Accept: text/csv" : NULL);
        ck_assert_msg(r.status == 200, "%s %s: %ld %s", label, table, r.status, r.body);
        ck_assert_str_eq(r.content_type, "text/csv; charset=utf-8");
        ck_assert_str_eq(r.content_disposition,
                         P("attachment; filename=\"repeatd-report-%s-%s.csv\"", label, table));
        const char *why = NULL;
        json_t *lines = csv_parse(r.body, r.body_len, &why);
        ck_assert_msg(lines, "%s %s: %s", label, table, why);
        http_reply_free(&r);

        json_t *head = json_array_get(lines, 0);
        char header[1024] = "";
        size_t i;
        json_t *cell;
        json_array_foreach(head, i, cell)
        {
            snprintf(header + strlen(header), sizeof(header) - strlen(header), "%s%s", i ? "," : "",
                     json_string_value(cell));
        }
        ck_assert_str_eq(header, report_tables[t].columns);

        json_t *rows = gc(json_rows(doc, table));
        ck_assert_msg(json_array_size(lines) == json_array_size(rows) + 1,
                      "%s %s: %zu lines for %zu rows", label, table, json_array_size(lines),
                      json_array_size(rows));
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            json_t *line = json_array_get(lines, i + 1);
            ck_assert_uint_eq(json_array_size(line), json_array_size(head));
            for (size_t c = 0; c < json_array_size(head); c++) {
                const char *col = json_string_value(json_array_get(head, c));
                char *want = cell_of(json_cell(doc, table, row, col));
                const char *got = json_string_value(json_array_get(line, c));
                ck_assert_msg(!strcmp(got, want), "%s %s row %zu %s: CSV \"%s\", JSON \"%s\"",
                              label, table, i, col, got, want);
                free(want);
            }
        }
        total += json_array_size(rows);
    }
    return total;
}

START_TEST(report_tables_as_csv)
{
    char month[16];
    snprintf(month, sizeof(month), "%s", label_of("month", 1));
    size_t rows = compare_tables(month);
    ck_assert_uint_ge(rows, 10); /* headline, green, units, categories, programme, problems */
    compare_tables(label_of("month", 0));
    compare_tables(label_of("quarter", 1));
    compare_tables(label_of("year", 1));
    /* The title that tries a formula is guarded. */
    http_reply r =
        get_csv(P("/v1/reports/%s?format=csv&table=problems", label_of("month", 0)), NULL);
    ck_assert_msg(strstr(r.body, "'=1+2 公交线路调整"), "%s", r.body);
    http_reply_free(&r);

    /* A CSV is one table: none, or one the report does not have, is refused. */
    GET_ERR(api.dash_key, P("/v1/reports/%s?format=csv", month), 400, "invalid_parameter", "table");
    GET_ERR(api.dash_key, P("/v1/reports/%s?format=csv&table=bottom", month), 400,
            "invalid_parameter", "table");
    GET_ERR(api.dash_key, P("/v1/reports/%s?table=", month), 400, "invalid_parameter", "table");
    GET_ERR(api.dash_key, P("/v1/reports/%s?format=xlsx&table=ranking", month), 400,
            "invalid_parameter", "format");
    GET_ERR(api.dash_key, "/v1/reports/2026-13?format=csv&table=ranking", 400, "invalid_parameter",
            "period");
    GET_ERR(api.crm_key, P("/v1/reports/%s?format=csv&table=ranking", month), 403, "forbidden",
            NULL);
    r = get_csv(P("/v1/reports/%s?table=ranking", month), "Accept: application/xml");
    ck_assert_int_eq(r.status, 406);
    http_reply_free(&r);
    /* Without a CSV asked for, the whole document (a table named is checked, and ignored). */
    json_t *doc = OK_GET(P("/v1/reports/%s?table=ranking", month));
    ck_assert_ptr_nonnull(jget(doc, "headline"));
    r = get_csv(P("/v1/reports/%s?format=csv&table=ranking", month), NULL);
    ck_assert_int_eq(r.status, 200);
    http_reply_free(&r);
}
END_TEST

/* The demo city, built into this server's database (its --reset replaces the tickets above):
 * the last full month's report, its quarter's and its year's equal the KPI endpoints, the
 * problems section the demo's problem list, and every table its CSV. */
START_TEST(demo_city_report)
{
    const char *demo = getenv("REPEATD_DEMO_BIN");
    if (!demo || !*demo) {
        printf("# built without the demo city (-Ddemo=false): its report is not checked\n");
        return;
    }
    char out[512];
    const char *const args[] = {"--tickets", "3000",      "--months", "14",      "--seed",
                                "7",         "--threads", "2",        "--reset", NULL};
    int st = harness_run_program_on(demo, api.db_url, out, sizeof(out), args);
    ck_assert_msg(st == 0, "repeatd-demo exited with %d: %s", st, out);
    /* A small city has few complaints a unit a month: rank from 5. */
    ADMIN("PATCH", "/v1/admin/settings", "{\"ranking_min_complaints\": 5, \"ranking_bottom_n\": 3}",
          200);
    json_t *r =
        CHECK_REPORT("month", label_of("month", 1), label_of("month", 2), label_of("month", 13));
    ck_assert_int_gt(jint(r, "headline.current.complaints"), 0);
    ck_assert_uint_gt(json_array_size(jget(r, "ranking.rows")), 3);
    ck_assert_uint_gt(json_array_size(jget(r, "anomalies.by_category.rows")), 0);
    ck_assert_uint_gt(json_array_size(jget(r, "programmes.programmes")), 0);
    const char *d = at(1, 1, 0, 0);
    int y = atoi(d), m = atoi(d + 5), qn = (m - 1) / 3 + 1;
    char prev_q[16], ago_q[48];
    snprintf(prev_q, sizeof(prev_q), "%s",
             qn == 1 ? P("%04d-Q4", y - 1) : P("%04d-Q%d", y, qn - 1));
    snprintf(ago_q, sizeof(ago_q), "%04d-Q%d", y - 1, qn);
    CHECK_REPORT("quarter", label_of("quarter", 1), prev_q, ago_q);
    CHECK_REPORT("year", label_of("year", 1), P("%04d", y - 1), P("%04d", y - 1));
    for (int ma = 0; ma <= 7; ma++)
        EXPECT_PROBLEMS_AT(OK_GET(P("/v1/reports/%s", label_of("month", ma))));
    EXPECT_PROBLEMS_AT(OK_GET(P("/v1/reports/%s", label_of("year", 1))));
    ck_assert_uint_ge(compare_tables(label_of("month", 1)), 20);
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
    tcase_add_test(tc, problems_in_report);
    tcase_add_test(tc, problems_against_their_records);
    tcase_add_test(tc, report_tables_as_csv);
    tcase_add_test(tc, bad_periods);
    tcase_add_test(tc, demo_city_report);
    return harness_run(s, tc);
}
