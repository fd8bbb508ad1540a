/* API: exact KPI numbers on a small hand-made history (2024, Asia/Shanghai): repeats,
 * ranking, top problems and anomalies, close-out quality and first contact, trend, the green
 * channel and the metrics, each checked against counts worked out by hand. The cases run in
 * order on one server: behaviour_history posts the history that the others read. */
#include "kpi_requests.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "DATETHH:MM:00+08:00" (ring of static buffers). */
static const char *ts(const char *date, int hh, int mm)
{
    return P("%sT%02d:%02d:00+08:00", date, hh, mm);
}

#define B_LD "CG.SZ.LD"
#define B_PS "CG.SZ.PS"
#define B_JZ "HB.ZS.JZ"
#define B_YY "HB.DQ.YY"
#define B_SH "HB.ZS.SH"
#define B_XL "JT.GJ.XL"
#define B_TB "JT.GJ.TB"

static json_t *b_ticket(const char *id, const char *when, const char *phone_no,
                        const char *category, const char *decision, const char *rule, int ordinal)
{
    json_t *a = POST_TICKET(201, .id = id, .at = when, .phone = phone_no, .category = category,
                            .description = "市民反映的问题需要处理，请尽快安排。");
    const char *m = decision_is(a, decision, rule, ordinal);
    ck_assert_msg(m == NULL, "%s: %s", id, m);
    return a;
}

static void b_dispatch(const char *id, const char *when, const char *unit, const char *team,
                       const char *handler)
{
    EVENT(id, ev_dispatched(when, unit, team, handler, NULL), 201);
}

/* Dispatched, reached, an accepted close-out, a reached follow-up and closed, on one day. */
static void b_handle(const char *id, const char *date, const char *unit, const char *team,
                     const char *handler, bool close)
{
    b_dispatch(id, ts(date, 10, 0), unit, team, handler);
    EVENT(id, ev_contact(ts(date, 11, 0), "reached"), 201);
    EVENT(id, ev_closeout(ts(date, 12, 0), ts(date, 11, 0), true, true), 201);
    EVENT(id, ev_followup(ts(date, 13, 0), true, true, true), 201);
    if (close)
        EVENT(id, ev_closed(ts(date, 14, 0), "resolved"), 201);
}

static json_t *row_of(json_t *answer, const char *period, const char *group)
{
    size_t i;
    json_t *r;
    json_array_foreach(jget(answer, "rows"), i, r)
    {
        const char *g = jstr(r, "group");
        if (!strcmp(jstr(r, "period"), period) &&
            ((!group && !g) || (group && g && !strcmp(group, g))))
            return r;
    }
    return NULL;
}

/* The versions as "1,2,3". */
static const char *vers_text(json_t *arr)
{
    static char ring[8][128];
    static unsigned next;
    char *s = ring[next++ % 8];
    s[0] = '\0';
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        size_t n = strlen(s);
        snprintf(s + n, 128 - n, "%s%lld", i ? "," : "", (long long)json_integer_value(v));
    }
    return s;
}

static const char *vers(int a, int b, int c)
{
    if (b < 0)
        return P("%d", a);
    if (c < 0)
        return P("%d,%d", a, b);
    return P("%d,%d,%d", a, b, c);
}

static bool near(json_t *v, double want)
{
    return json_is_number(v) && fabs(json_number_value(v) - want) <= 1e-12;
}

/* One row: complaints, repeats, the rate (den 0: null) and the versions. */
static void expect_row(int line, json_t *answer, const char *period, const char *group,
                       long complaints, long repeats, const char *versions)
{
    json_t *r = row_of(answer, period, group);
    char *text = json_dumps(answer, JSON_COMPACT);
    ck_assert_msg(r, "line %d: no row %s/%s in %s", line, period, group ? group : "(total)", text);
    bool ok = jint(r, "complaints") == complaints && jint(r, "repeats") == repeats &&
              (complaints ? near(jget(r, "repeat_rate"), (double)repeats / (double)complaints)
                          : jisnull(r, "repeat_rate")) &&
              !strcmp(vers_text(jget(r, "definition_versions")), versions);
    ck_assert_msg(ok, "line %d: row %s/%s: expected %ld/%ld versions [%s] in %s", line, period,
                  group ? group : "(total)", complaints, repeats, versions, text);
    free(text);
}
#define EXPECT_ROW(a, period, group, c, r, v)                                                      \
    expect_row(__LINE__, (a), (period), (group), (c), (r), (v))

static void expect_rows(int line, json_t *answer, size_t n)
{
    char *text = json_dumps(answer, JSON_COMPACT);
    ck_assert_msg(json_array_size(jget(answer, "rows")) == n, "line %d: %zu rows expected in %s",
                  line, n, text);
    free(text);
}
#define EXPECT_ROWS(a, n) expect_rows(__LINE__, (a), (n))

static int bv0; /* the definition version in force when the hand-made history starts */

START_TEST(behaviour_history)
{
    bv0 = current_version();
    json_t *s = ADMIN("PATCH", "/v1/admin/settings",
                      "{\"ranking_min_complaints\": 2, \"ranking_bottom_n\": 1}", 200);
    ck_assert_int_eq(jint(s, "definition_version"), bv0); /* no new definition */
    ADMIN("PUT", "/v1/admin/units",
          "{\"units\": [{\"code\":\"BU-A\",\"name\":\"城管一中队\"},"
          "{\"code\":\"BU-B\",\"name\":\"城管二中队\"},{\"code\":\"BU-C\",\"name\":\"市政三所\"},"
          "{\"code\":\"BU-D\",\"name\":\"路灯管理所\"}],"
          " \"teams\": [{\"code\":\"BU-A-T1\",\"name\":\"一组\",\"unit\":\"BU-A\"}],"
          " \"handlers\": [{\"code\":\"BU-A-H1\",\"name\":\"王五\",\"team\":\"BU-A-T1\"}]}",
          200);
    ADMIN("PUT", "/v1/admin/targets",
          "{\"targets\": [{\"scope\":\"unit\",\"code\":\"BU-A\",\"target_rate\":0.3},"
          "{\"scope\":\"unit\",\"code\":\"BU-B\",\"target_rate\":0.5},"
          "{\"scope\":\"unit\",\"code\":\"BU-B\",\"period\":\"2024-03\",\"target_rate\":0.2},"
          "{\"scope\":\"unit\",\"code\":\"BU-C\",\"target_rate\":0.1},"
          "{\"scope\":\"team\",\"code\":\"BU-B-T1\",\"period\":\"2024-03\",\"target_rate\":0.3}]}",
          200);

    /* February: chain D, two repeats, the last one open (the green channel). */
    const char *pd = "13900139001";
    b_ticket("B-D1", ts("2024-02-05", 9, 0), pd, B_JZ, "new", "R1", 0);
    b_handle("B-D1", "2024-02-05", "BU-C", "BU-C-T1", "BU-C-H1", true);
    b_ticket("B-D2", ts("2024-02-15", 9, 0), pd, B_JZ, "repeat", "R6", 1);
    b_handle("B-D2", "2024-02-15", "BU-C", "BU-C-T1", "BU-C-H1", true);
    b_ticket("B-D3", ts("2024-02-25", 9, 0), pd, B_JZ, "repeat", "R6", 2);
    b_dispatch("B-D3", ts("2024-02-25", 10, 0), "BU-C", "BU-C-T1", "BU-C-H1");

    /* March: chain A. A1 fails the first contact, has a boilerplate close-out rejected and is
     * audited false (twice: counted once). */
    const char *pa = "13800138000";
    b_ticket("B-A1", ts("2024-03-02", 9, 0), pa, B_LD, "new", "R1", 0);
    b_dispatch("B-A1", ts("2024-03-02", 10, 0), "BU-A", "BU-A-T1", "BU-A-H1");
    EVENT("B-A1", ev_contact(ts("2024-03-02", 11, 0), "no_answer"), 201);
    EVENT("B-A1", ev_contact(ts("2024-03-02", 15, 0), "reached"), 201);
    json_t *bad = ev_closeout(ts("2024-03-03", 9, 0), ts("2024-03-02", 15, 0), true, true);
    json_object_set_new(bad, "cause", json_string("已维修"));
    json_t *r = EVENT("B-A1", bad, 422);
    CHECK(defects_are(jget(r, "defects"), "boilerplate_only@cause"));
    EVENT("B-A1", ev_closeout(ts("2024-03-03", 10, 0), ts("2024-03-02", 15, 0), true, true), 201);
    EVENT("B-A1", ev_followup(ts("2024-03-04", 10, 0), true, true, true), 201);
    EVENT("B-A1", ev_closed(ts("2024-03-04", 11, 0), "resolved"), 201);
    EVENT("B-A1", ev_audit(ts("2024-03-10", 10, 0), true, "回访核实：路灯仍未修复。"), 201);
    EVENT("B-A1", ev_audit(ts("2024-03-11", 10, 0), true, "再次核实。"), 201);
    /* A2 repeats A1 (BU-A): contacted at BU-A (the attempt's time before the dispatch's), then
     * re-dispatched to BU-B, which closes it. */
    json_t *a2 = b_ticket("B-A2", ts("2024-03-12", 9, 0), pa, B_LD, "repeat", "R6", 1);
    ck_assert_str_eq(jstr(a2, "related_ticket.ticket_id"), "B-A1");
    b_dispatch("B-A2", ts("2024-03-12", 10, 0), "BU-A", "BU-A-T1", "BU-A-H1");
    EVENT("B-A2", ev_contact(ts("2024-03-12", 9, 30), "reached"), 201);
    b_dispatch("B-A2", ts("2024-03-12", 12, 0), "BU-B", "BU-B-T1", "BU-B-H1");
    EVENT("B-A2", ev_closeout(ts("2024-03-13", 9, 0), ts("2024-03-12", 9, 30), true, true), 201);
    EVENT("B-A2", ev_followup(ts("2024-03-14", 9, 0), true, true, true), 201);
    EVENT("B-A2", ev_closed(ts("2024-03-14", 10, 0), "resolved"), 201);
    /* A3 repeats A2, now at BU-B; open: the chain enters the green channel. */
    b_ticket("B-A3", ts("2024-03-20", 9, 0), pa, B_LD, "repeat", "R6", 2);
    b_dispatch("B-A3", ts("2024-03-20", 10, 0), "BU-B", "BU-B-T1", "BU-B-H1");
    /* A4 calls about the open A3: no work order, no events. */
    b_ticket("B-A4", ts("2024-03-22", 9, 0), pa, B_LD, "excluded_in_progress", "R2", 2);
    r = EVENT("B-A4", ev_dispatched(ts("2024-03-22", 10, 0), "BU-A", NULL, NULL, NULL), 409);
    CHECK(error_is(409, r, 409, "no_work_order", NULL));

    /* Single tickets of other citizens. */
    static const struct {
        const char *id, *date, *category, *unit, *team, *handler;
    } singles[] = {
        {"B-S1", "2024-03-05", B_PS, "BU-A", "BU-A-T2", "BU-A-H2"},
        {"B-S2", "2024-03-06", B_PS, "BU-A", "BU-A-T2", "BU-A-H2"},
        {"B-S3", "2024-03-07", B_PS, "BU-A", "BU-A-T2", "BU-A-H2"},
        {"B-S4", "2024-03-08", B_PS, "BU-B", "BU-B-T2", "BU-B-H2"},
        {"B-S5", "2024-03-09", B_PS, "BU-B", "BU-B-T2", "BU-B-H2"},
        {"B-S6", "2024-03-10", B_YY, "BU-C", "BU-C-T1", "BU-C-H1"},
        {"B-S7", "2024-03-11", B_YY, "BU-D", "BU-D-T1", "BU-D-H1"},
        {"B-S8", "2024-03-12", B_YY, "BU-D", "BU-D-T1", "BU-D-H1"},
        {"B-S9", "2024-03-13", B_YY, NULL, NULL, NULL}, /* never dispatched */
    };
    for (size_t i = 0; i < N_OF(singles); i++) {
        b_ticket(singles[i].id, ts(singles[i].date, 9, 0), P("139001391%02zu", i),
                 singles[i].category, "new", "R1", 0);
        if (singles[i].unit)
            b_dispatch(singles[i].id, ts(singles[i].date, 10, 0), singles[i].unit, singles[i].team,
                       singles[i].handler);
    }
    /* S7: the first attempt busy, then reached; a close-out rejected with two defects. */
    EVENT("B-S7", ev_contact(ts("2024-03-11", 11, 0), "busy"), 201);
    EVENT("B-S7", ev_contact(ts("2024-03-11", 12, 0), "reached"), 201);
    bad = ev_closeout(ts("2024-03-12", 9, 0), ts("2024-03-11", 12, 0), true, true);
    json_object_set_new(bad, "verification", json_string("已处理"));
    json_object_set_new(bad, "reply_method", json_string("fax"));
    r = EVENT("B-S7", bad, 422);
    CHECK(defects_are(jget(r, "defects"),
                      "boilerplate_only@verification,reply_method_not_allowed@reply_method"));
    /* G1 and E1: handled and closed by BU-D. */
    b_ticket("B-G1", ts("2024-03-05", 9, 0), "13900139301", B_XL, "new", "R1", 0);
    b_handle("B-G1", "2024-03-05", "BU-D", "BU-D-T1", "BU-D-H1", true);
    b_ticket("B-E1", ts("2024-03-25", 9, 0), "13900139302", B_TB, "new", "R1", 0);
    b_handle("B-E1", "2024-03-25", "BU-D", "BU-D-T1", "BU-D-H1", true);

    /* April: three definitions. E2 under v0: E1 is in March, outside a one-month window. */
    b_ticket("B-E2", ts("2024-04-03", 9, 0), "13900139302", B_TB, "new", "R7", 0);
    b_dispatch("B-E2", ts("2024-04-03", 10, 0), "BU-D", "BU-D-T1", "BU-D-H1");
    s = ADMIN("PATCH", "/v1/admin/settings", "{\"repeat_window_months\": 2}", 200);
    ck_assert_int_eq(jint(s, "definition_version"), bv0 + 1);
    /* G2 under v1: G1 (March) is within two natural months; never dispatched. */
    json_t *g2 = b_ticket("B-G2", ts("2024-04-12", 9, 0), "13900139301", B_XL, "repeat", "R6", 1);
    ck_assert_int_eq(jint(g2, "definition_version"), bv0 + 1);
    s = ADMIN("PATCH", "/v1/admin/settings", "{\"repeat_window_months\": 1}", 200);
    ck_assert_int_eq(jint(s, "definition_version"), bv0 + 2);
    b_ticket("B-H1", ts("2024-04-20", 9, 0), "13900139303", B_SH, "new", "R1", 0);
    b_dispatch("B-H1", ts("2024-04-20", 10, 0), "BU-A", "BU-A-T1", "BU-A-H1");

    /* July: the month's only ticket, dispatched to BU-A and re-dispatched to BU-B. */
    b_ticket("B-R1", ts("2024-07-10", 9, 0), "13900139304", B_PS, "new", "R1", 0);
    b_dispatch("B-R1", ts("2024-07-10", 10, 0), "BU-A", "BU-A-T1", "BU-A-H1");
    b_dispatch("B-R1", ts("2024-07-11", 10, 0), "BU-B", "BU-B-T1", "BU-B-H1");
}
END_TEST

START_TEST(behaviour_repeats)
{
    const char *v0 = vers(bv0, -1, -1);
    const char *v01 = vers(bv0, bv0 + 1, -1), *v012 = vers(bv0, bv0 + 1, bv0 + 2);

    /* The whole line, month by month; January has nothing and so no row. */
    json_t *a = OK_GET("/v1/kpi/repeats?period=month&from=2024-01&to=2024-04");
    ck_assert_str_eq(jstr(a, "period"), "month");
    ck_assert(jisnull(a, "by"));
    ck_assert(jisnull(a, "level"));
    ck_assert_str_eq(jstr(a, "from"), "2024-01");
    ck_assert_str_eq(jstr(a, "to"), "2024-04");
    EXPECT_ROWS(a, 3);
    EXPECT_ROW(a, "2024-02", NULL, 3, 2, v0);
    EXPECT_ROW(a, "2024-03", NULL, 14, 2, v0);
    EXPECT_ROW(a, "2024-04", NULL, 3, 1, v012);
    ck_assert_str_eq(vers_text(jget(a, "definition_versions")), v012);
    ck_assert(jisnull(jget(a, "rows[0]"), "group"));
    ck_assert(jisnull(jget(a, "rows[0]"), "name"));

    /* By unit: re-dispatch moves the complaint, a repeat counts against the ticket repeated.
     * A ticket not yet dispatched (S9, G2) is nobody's: no "" group (since 6eb168b). */
    a = OK_GET("/v1/kpi/repeats?period=month&from=2024-02&to=2024-04&by=unit");
    ck_assert_str_eq(jstr(a, "by"), "unit");
    EXPECT_ROWS(a, 7);
    EXPECT_ROW(a, "2024-02", "BU-C", 3, 2, v0);
    ck_assert_ptr_null(row_of(a, "2024-03", ""));
    ck_assert_ptr_null(row_of(a, "2024-04", ""));
    EXPECT_ROW(a, "2024-03", "BU-A", 4, 1, v0);
    EXPECT_ROW(a, "2024-03", "BU-B", 4, 1, v0);
    EXPECT_ROW(a, "2024-03", "BU-C", 1, 0, v0);
    EXPECT_ROW(a, "2024-03", "BU-D", 4, 0, v0);
    /* April: E2 (v0) at BU-D, G2's repeat (v1) against G1's BU-D; G2 itself nobody's. */
    EXPECT_ROW(a, "2024-04", "BU-D", 1, 1, v01);
    EXPECT_ROW(a, "2024-04", "BU-A", 1, 0, vers(bv0 + 2, -1, -1));
    ck_assert_str_eq(jstr(row_of(a, "2024-03", "BU-A"), "name"), "城管一中队");

    /* By team and handler. */
    a = OK_GET("/v1/kpi/repeats?period=month&at=2024-03&by=team");
    EXPECT_ROW(a, "2024-03", "BU-A-T1", 1, 1, v0); /* A1; A2's repeat */
    EXPECT_ROW(a, "2024-03", "BU-A-T2", 3, 0, v0);
    EXPECT_ROW(a, "2024-03", "BU-B-T1", 2, 1, v0); /* A2 and A3; A3's repeat */
    EXPECT_ROW(a, "2024-03", "BU-B-T2", 2, 0, v0);
    ck_assert_str_eq(jstr(row_of(a, "2024-03", "BU-A-T1"), "name"), "一组");
    a = OK_GET("/v1/kpi/repeats?period=month&at=2024-03&by=handler");
    EXPECT_ROW(a, "2024-03", "BU-A-H1", 1, 1, v0);
    EXPECT_ROW(a, "2024-03", "BU-B-H1", 2, 1, v0);
    ck_assert_str_eq(jstr(row_of(a, "2024-03", "BU-A-H1"), "name"), "王五");

    /* Quarters and years are sums of months. */
    a = OK_GET("/v1/kpi/repeats?period=quarter&from=2024-Q1&to=2024-Q2");
    EXPECT_ROWS(a, 2);
    EXPECT_ROW(a, "2024-Q1", NULL, 17, 4, v0);
    EXPECT_ROW(a, "2024-Q2", NULL, 3, 1, v012);
    a = OK_GET("/v1/kpi/repeats?period=year&at=2024");
    EXPECT_ROWS(a, 1);
    EXPECT_ROW(a, "2024", NULL, 21, 5, v012);

    /* A re-dispatch moves the complaint: the unit it left has nothing, and no row. */
    static const char *const july_by[] = {"unit", "team", "handler"};
    static const char *const july_group[] = {"BU-B", "BU-B-T1", "BU-B-H1"};
    for (size_t i = 0; i < N_OF(july_by); i++) {
        a = OK_GET(P("/v1/kpi/repeats?period=month&at=2024-07&by=%s", july_by[i]));
        EXPECT_ROWS(a, 1);
        EXPECT_ROW(a, "2024-07", july_group[i], 1, 0, vers(bv0 + 2, -1, -1));
        a = OK_GET(P("/v1/kpi/ranking?period=month&at=2024-07&by=%s", july_by[i]));
        EXPECT_ROWS(a, 1);
        ck_assert_str_eq(jstr(a, "rows[0].group"), july_group[i]);
    }
    a = OK_GET("/v1/kpi/repeats?period=quarter&at=2024-Q1&by=unit");
    EXPECT_ROW(a, "2024-Q1", "BU-C", 4, 2, v0);

    /* Category levels: 1 = roots; deeper than the tree, a leaf stands for itself. */
    a = OK_GET("/v1/kpi/repeats?period=quarter&at=2024-Q1&by=category&level=1");
    ck_assert_int_eq(jint(a, "level"), 1);
    EXPECT_ROWS(a, 3);
    EXPECT_ROW(a, "2024-Q1", "CG", 8, 2, v0);
    EXPECT_ROW(a, "2024-Q1", "HB", 7, 2, v0);
    EXPECT_ROW(a, "2024-Q1", "JT", 2, 0, v0);
    ck_assert_ptr_nonnull(jstr(row_of(a, "2024-Q1", "CG"), "name"));
    a = OK_GET("/v1/kpi/repeats?period=quarter&at=2024-Q1&by=category&level=2");
    EXPECT_ROWS(a, 4);
    EXPECT_ROW(a, "2024-Q1", "CG.SZ", 8, 2, v0);
    EXPECT_ROW(a, "2024-Q1", "HB.DQ", 4, 0, v0);
    EXPECT_ROW(a, "2024-Q1", "HB.ZS", 3, 2, v0);
    EXPECT_ROW(a, "2024-Q1", "JT.GJ", 2, 0, v0);
    static const char *const leaves_levels[] = {"", "&level=3", "&level=5"};
    for (size_t i = 0; i < N_OF(leaves_levels); i++) {
        a = OK_GET(P("/v1/kpi/repeats?period=quarter&at=2024-Q1&by=category%s", leaves_levels[i]));
        EXPECT_ROWS(a, 6);
        EXPECT_ROW(a, "2024-Q1", B_LD, 3, 2, v0);
        EXPECT_ROW(a, "2024-Q1", B_PS, 5, 0, v0);
        EXPECT_ROW(a, "2024-Q1", B_JZ, 3, 2, v0);
        EXPECT_ROW(a, "2024-Q1", B_YY, 4, 0, v0);
        EXPECT_ROW(a, "2024-Q1", B_XL, 1, 0, v0);
        EXPECT_ROW(a, "2024-Q1", B_TB, 1, 0, v0);
    }
    a = OK_GET("/v1/kpi/repeats?period=month&at=2024-04&by=category&level=1");
    EXPECT_ROWS(a, 2);
    EXPECT_ROW(a, "2024-04", "JT", 2, 1, v01);
    EXPECT_ROW(a, "2024-04", "HB", 1, 0, vers(bv0 + 2, -1, -1));
}
END_TEST

/* Checks one ranking row. */
static void expect_rank(int line, json_t *row, const char *group, long complaints, long repeats,
                        int rank, double target, int target_met, bool watch, const char *name)
{
    char *text = json_dumps(row, JSON_COMPACT);
    bool ok =
        row && jstr(row, "group") && !strcmp(jstr(row, "group"), group) &&
        jint(row, "complaints") == complaints && jint(row, "repeats") == repeats &&
        (complaints ? near(jget(row, "repeat_rate"), (double)repeats / (double)complaints)
                    : jisnull(row, "repeat_rate")) &&
        jbool(row, "ranked") == (rank > 0) &&
        (rank > 0 ? jint(row, "rank") == rank : jisnull(row, "rank")) &&
        (target < 0 ? jisnull(row, "target") : near(jget(row, "target"), target)) &&
        (target_met < 0 ? jisnull(row, "target_met") : jbool(row, "target_met") == target_met) &&
        jbool(row, "watch") == watch &&
        (name ? jstr(row, "name") && !strcmp(jstr(row, "name"), name) : jisnull(row, "name"));
    ck_assert_msg(ok, "line %d: expected %s %ld/%ld rank %d target %g met %d watch %d in %s", line,
                  group, complaints, repeats, rank, target, target_met, watch, text);
    free(text);
}
#define EXPECT_RANK(row, ...) expect_rank(__LINE__, (row), __VA_ARGS__)

START_TEST(behaviour_ranking)
{
    /* March by unit; minimum volume 2, bottom 1; BU-A and BU-B tie, both on the watch. */
    json_t *a = OK_GET("/v1/kpi/ranking?period=month&at=2024-03");
    ck_assert_int_eq(jint(a, "min_complaints"), 2);
    ck_assert_int_eq(jint(a, "bottom_n"), 1);
    ck_assert_str_eq(jstr(a, "from"), "2024-03");
    ck_assert_str_eq(jstr(a, "to"), "2024-03");
    EXPECT_ROWS(a, 4); /* the not-yet-dispatched "" is nobody's: not listed */
    EXPECT_RANK(jget(a, "rows[0]"), "BU-D", 4, 0, 1, -1, -1, false, "路灯管理所");
    EXPECT_RANK(jget(a, "rows[1]"), "BU-A", 4, 1, 2, 0.3, 1, true, "城管一中队");
    EXPECT_RANK(jget(a, "rows[2]"), "BU-B", 4, 1, 2, 0.2, 0, true, "城管二中队"); /* 2024-03's */
    EXPECT_RANK(jget(a, "rows[3]"), "BU-C", 1, 0, 0, 0.1, 1, false, "市政三所");
    ck_assert_str_eq(vers_text(jget(a, "definition_versions")), vers(bv0, -1, -1));
    /* `to` decides the period ranked. */
    json_t *b = OK_GET("/v1/kpi/ranking?period=month&from=2024-01&to=2024-03");
    ck_assert_msg(json_equal(jget(a, "rows"), jget(b, "rows")), "from/to ranks `to`");

    /* The quarter: BU-C now has volume and the worst rate; BU-B's standing target applies. */
    a = OK_GET("/v1/kpi/ranking?period=quarter&at=2024-Q1&by=unit");
    EXPECT_ROWS(a, 4);
    EXPECT_RANK(jget(a, "rows[0]"), "BU-D", 4, 0, 1, -1, -1, false, "路灯管理所");
    EXPECT_RANK(jget(a, "rows[1]"), "BU-A", 4, 1, 2, 0.3, 1, false, "城管一中队");
    EXPECT_RANK(jget(a, "rows[2]"), "BU-B", 4, 1, 2, 0.5, 1, false, "城管二中队");
    EXPECT_RANK(jget(a, "rows[3]"), "BU-C", 4, 2, 4, 0.1, 0, true, "市政三所");

    /* Teams have targets too; handlers none. */
    a = OK_GET("/v1/kpi/ranking?period=month&at=2024-03&by=team");
    json_t *t = row_of(a, "2024-03", "BU-B-T1");
    ck_assert_ptr_nonnull(t);
    ck_assert(near(jget(t, "target"), 0.3));
    ck_assert_int_eq(jbool(t, "target_met"), 0); /* 1 of 2 */
    a = OK_GET("/v1/kpi/ranking?period=month&at=2024-03&by=handler");
    t = row_of(a, "2024-03", "BU-A-H1");
    ck_assert_ptr_nonnull(t);
    ck_assert(jisnull(t, "target"));
    ck_assert(jisnull(t, "target_met"));
    ck_assert_str_eq(jstr(t, "name"), "王五");

    /* With min volume 5 nobody is ranked in March; everyone is listed by code. */
    ADMIN("PATCH", "/v1/admin/settings", "{\"ranking_min_complaints\": 5}", 200);
    a = OK_GET("/v1/kpi/ranking?period=month&at=2024-03");
    EXPECT_RANK(jget(a, "rows[0]"), "BU-A", 4, 1, 0, 0.3, 1, false, "城管一中队");
    EXPECT_RANK(jget(a, "rows[1]"), "BU-B", 4, 1, 0, 0.2, 0, false, "城管二中队");
    EXPECT_RANK(jget(a, "rows[2]"), "BU-C", 1, 0, 0, 0.1, 1, false, "市政三所");
    EXPECT_RANK(jget(a, "rows[3]"), "BU-D", 4, 0, 0, -1, -1, false, "路灯管理所");
    /* Volume 0 counts everyone with complaints; bottom 0 watches nobody. */
    ADMIN("PATCH", "/v1/admin/settings", "{\"ranking_min_complaints\": 0, \"ranking_bottom_n\": 0}",
          200);
    a = OK_GET("/v1/kpi/ranking?period=month&at=2024-03");
    EXPECT_RANK(jget(a, "rows[0]"), "BU-C", 1, 0, 1, 0.1, 1, false, "市政三所");
    EXPECT_RANK(jget(a, "rows[1]"), "BU-D", 4, 0, 1, -1, -1, false, "路灯管理所");
    EXPECT_RANK(jget(a, "rows[2]"), "BU-A", 4, 1, 3, 0.3, 1, false, "城管一中队");
    EXPECT_RANK(jget(a, "rows[3]"), "BU-B", 4, 1, 3, 0.2, 0, false, "城管二中队");
    ADMIN("PATCH", "/v1/admin/settings", "{\"ranking_min_complaints\": 2, \"ranking_bottom_n\": 1}",
          200);
    /* April: BU-D has 1 complaint and 1 repeat (G2's, against G1's BU-D): not ranked. */
    a = OK_GET("/v1/kpi/ranking?period=month&at=2024-04");
    EXPECT_ROWS(a, 2);
    EXPECT_RANK(jget(a, "rows[0]"), "BU-A", 1, 0, 0, 0.3, 1, false, "城管一中队");
    EXPECT_RANK(jget(a, "rows[1]"), "BU-D", 1, 1, 0, -1, -1, false, "路灯管理所");
    ck_assert_str_eq(vers_text(jget(a, "definition_versions")), vers(bv0, bv0 + 1, bv0 + 2));
    /* A year with nothing: no rows. */
    a = OK_GET("/v1/kpi/ranking?period=year&at=2019");
    EXPECT_ROWS(a, 0);
    ck_assert_int_eq(json_array_size(jget(a, "definition_versions")), 0);

    /* Each team row names its unit, each handler row its team (PUT /v1/admin/units), so a
     * dashboard can drill down; null by unit and for a group no one named. */
    a = OK_GET("/v1/kpi/ranking?period=month&at=2024-03&by=team");
    ck_assert_str_eq(jstr(row_of(a, "2024-03", "BU-A-T1"), "parent"), "BU-A");
    a = OK_GET("/v1/kpi/ranking?period=month&at=2024-03&by=handler");
    ck_assert_str_eq(jstr(row_of(a, "2024-03", "BU-A-H1"), "parent"), "BU-A-T1");
    a = OK_GET("/v1/kpi/ranking?period=month&at=2024-03&by=unit");
    ck_assert(jisnull(row_of(a, "2024-03", "BU-A"), "parent"));
    a = OK_GET("/v1/kpi/ranking?period=month&at=2024-07&by=team");
    ck_assert(jisnull(row_of(a, "2024-07", "BU-B-T1"), "parent"));
}
END_TEST

START_TEST(behaviour_top_and_anomalies)
{
    json_t *a = OK_GET("/v1/kpi/top-problems?period=month&at=2024-03");
    ck_assert_str_eq(jstr(a, "previous_period"), "2024-02");
    EXPECT_ROWS(a, 1);
    json_t *r = jget(a, "rows[0]");
    ck_assert_str_eq(jstr(r, "group"), B_LD);
    ck_assert_int_eq(jint(r, "repeats"), 2);
    ck_assert_int_eq(jint(r, "complaints"), 3);
    ck_assert_int_eq(jint(r, "previous_repeats"), 0);
    ck_assert_int_eq(jint(r, "change"), 2);
    ck_assert(jisnull(r, "change_rate"));
    a = OK_GET("/v1/kpi/top-problems?period=month&at=2024-02");
    r = jget(a, "rows[0]");
    ck_assert_str_eq(jstr(r, "group"), B_JZ);
    ck_assert_int_eq(jint(r, "repeats"), 2);
    /* April against March at level 1: JT 1 (was 0), CG 0 (was 2) is not listed. */
    a = OK_GET("/v1/kpi/top-problems?period=month&at=2024-04&level=1");
    EXPECT_ROWS(a, 1);
    r = jget(a, "rows[0]");
    ck_assert_str_eq(jstr(r, "group"), "JT");
    ck_assert_int_eq(jint(r, "previous_repeats"), 0);
    /* The quarter at level 1: CG and HB tie at 2, by code. */
    a = OK_GET("/v1/kpi/top-problems?period=quarter&at=2024-Q1&level=1");
    ck_assert_str_eq(jstr(a, "previous_period"), "2023-Q4");
    EXPECT_ROWS(a, 2);
    ck_assert_str_eq(jstr(a, "rows[0].group"), "CG");
    ck_assert_int_eq(jint(a, "rows[0].complaints"), 8);
    ck_assert_str_eq(jstr(a, "rows[1].group"), "HB");
    ck_assert_int_eq(jint(a, "rows[1].complaints"), 7);
    a = OK_GET("/v1/kpi/top-problems?period=quarter&at=2024-Q1&level=2&limit=1");
    EXPECT_ROWS(a, 1);
    ck_assert_str_eq(jstr(a, "rows[0].group"), "CG.SZ");
    /* The year against 2023, which had nothing: no change rate. */
    a = OK_GET("/v1/kpi/top-problems?period=year&at=2024");
    EXPECT_ROWS(a, 3);
    ck_assert_str_eq(jstr(a, "rows[0].group"), B_LD);
    ck_assert_str_eq(jstr(a, "rows[1].group"), B_JZ);
    ck_assert_str_eq(jstr(a, "rows[2].group"), B_XL);
    ck_assert(jisnull(a, "rows[2].change_rate"));
    /* Q2 against Q1 at level 1: JT up from 0 (CG's 0 in Q2 is no top row). */
    a = OK_GET("/v1/kpi/top-problems?period=quarter&at=2024-Q2&level=1");
    EXPECT_ROWS(a, 1);
    ck_assert_str_eq(jstr(a, "rows[0].group"), "JT");
    ck_assert_int_eq(jint(a, "rows[0].previous_repeats"), 0);

    /* Anomalies against each group's own baseline (2 months of nothing: floored at 0.5). */
    a = OK_GET("/v1/kpi/anomalies?period=month&at=2024-03&by=unit&baseline=2&min_score=0"
               "&min_repeats=1");
    EXPECT_ROWS(a, 2);
    double p = 1.0 - exp(-0.5);
    for (int i = 0; i < 2; i++) {
        r = jget(a, P("rows[%d]", i));
        ck_assert_str_eq(jstr(r, "group"), i ? "BU-B" : "BU-A"); /* equal scores: by code */
        ck_assert_int_eq(jint(r, "observed"), 1);
        ck_assert(near(jget(r, "baseline"), 0.5));
        ck_assert(fabs(json_number_value(jget(r, "p_value")) - p) < 1e-12);
        ck_assert(fabs(json_number_value(jget(r, "score")) + log10(p)) < 1e-9);
        ck_assert_int_eq(json_array_size(jget(r, "history")), 2);
        ck_assert_int_eq(jint(r, "history[0]"), 0);
    }
    /* JZ's 2 in February: P(X >= 2) for Poisson(0.5) is 0.0902, a score of 1.04: flagged at
     * min_score 1, not at the default 3. */
    a = OK_GET("/v1/kpi/anomalies?period=month&at=2024-02&min_score=1&min_repeats=2");
    EXPECT_ROWS(a, 1);
    r = jget(a, "rows[0]");
    ck_assert_str_eq(jstr(r, "group"), B_JZ);
    p = 1.0 - exp(-0.5) * 1.5;
    ck_assert(fabs(json_number_value(jget(r, "p_value")) - p) < 1e-12);
    ck_assert_int_eq(json_array_size(jget(r, "history")), 6);
    a = OK_GET("/v1/kpi/anomalies?period=month&at=2024-02");
    EXPECT_ROWS(a, 0);
    a = OK_GET("/v1/kpi/anomalies?period=month&at=2024-02&min_score=1&min_repeats=3");
    EXPECT_ROWS(a, 0);
    /* March against February as the baseline: JZ had 2, LD had none. */
    a = OK_GET("/v1/kpi/anomalies?period=month&at=2024-03&baseline=1&min_score=0&min_repeats=1");
    EXPECT_ROWS(a, 1);
    ck_assert_str_eq(jstr(a, "rows[0].group"), B_LD);
}
END_TEST

START_TEST(behaviour_quality_and_contact)
{
    json_t *a = OK_GET("/v1/kpi/contact-failures?period=month&at=2024-03");
    ck_assert_str_eq(jstr(a, "by"), "unit");
    EXPECT_ROWS(a, 2);
    json_t *r = row_of(a, "2024-03", "BU-A"); /* A1 failed first; A2 reached first, at BU-A */
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(jint(r, "contacted"), 2);
    ck_assert_int_eq(jint(r, "first_contact_failed"), 1);
    ck_assert(near(jget(r, "first_contact_failure_rate"), 0.5));
    ck_assert_str_eq(jstr(r, "name"), "城管一中队");
    r = row_of(a, "2024-03", "BU-D"); /* S7 busy first; G1, E1 reached */
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(jint(r, "contacted"), 3);
    ck_assert_int_eq(jint(r, "first_contact_failed"), 1);
    ck_assert(near(jget(r, "first_contact_failure_rate"), 1.0 / 3.0));
    a = OK_GET("/v1/kpi/contact-failures?period=month&at=2024-03&by=handler");
    r = row_of(a, "2024-03", "BU-A-H1");
    ck_assert_int_eq(jint(r, "contacted"), 2);
    ck_assert_int_eq(jint(r, "first_contact_failed"), 1);
    a = OK_GET("/v1/kpi/contact-failures?period=quarter&at=2024-Q1");
    r = row_of(a, "2024-Q1", "BU-C"); /* D1, D2 in February */
    ck_assert_int_eq(jint(r, "contacted"), 2);
    ck_assert_int_eq(jint(r, "first_contact_failed"), 0);
    ck_assert(near(jget(r, "first_contact_failure_rate"), 0.0));

    a = OK_GET("/v1/kpi/closeout-quality?period=month&at=2024-03");
    EXPECT_ROWS(a, 3);
    r = row_of(a, "2024-03", "BU-A");
    ck_assert_int_eq(jint(r, "inspected"), 2);
    ck_assert_int_eq(jint(r, "rejected"), 1);
    ck_assert(near(jget(r, "pass_rate"), 0.5));
    ck_assert_int_eq(jint(r, "false_closeouts"), 1);
    json_t *want = json_pack("[{s:s, s:i}]", "code", "boilerplate_only", "count", 1);
    ck_assert_msg(json_equal(jget(r, "top_defects"), want), "BU-A top_defects");
    json_decref(want);
    r = row_of(a, "2024-03", "BU-B");
    ck_assert_int_eq(jint(r, "inspected"), 1);
    ck_assert_int_eq(jint(r, "rejected"), 0);
    ck_assert(near(jget(r, "pass_rate"), 1.0));
    ck_assert_int_eq(jint(r, "false_closeouts"), 0);
    ck_assert_int_eq(json_array_size(jget(r, "top_defects")), 0);
    r = row_of(a, "2024-03", "BU-D");
    ck_assert_int_eq(jint(r, "inspected"), 3);
    ck_assert_int_eq(jint(r, "rejected"), 1);
    ck_assert(near(jget(r, "pass_rate"), 2.0 / 3.0));
    want = json_pack("[{s:s, s:i}, {s:s, s:i}]", "code", "boilerplate_only", "count", 1, "code",
                     "reply_method_not_allowed", "count", 1);
    ck_assert_msg(json_equal(jget(r, "top_defects"), want), "BU-D top_defects");
    json_decref(want);
    a = OK_GET("/v1/kpi/closeout-quality?period=month&at=2024-03&by=handler");
    r = row_of(a, "2024-03", "BU-A-H1");
    ck_assert_int_eq(jint(r, "inspected"), 2);
    ck_assert_int_eq(jint(r, "rejected"), 1);
    ck_assert_int_eq(jint(r, "false_closeouts"), 1);
    ck_assert_int_eq(json_array_size(jget(r, "top_defects")), 1);
    ck_assert_str_eq(jstr(r, "name"), "王五");
    /* Two months: each row's own month's defects. */
    a = OK_GET("/v1/kpi/closeout-quality?period=month&from=2024-02&to=2024-03");
    EXPECT_ROWS(a, 4);
    r = row_of(a, "2024-02", "BU-C");
    ck_assert_int_eq(jint(r, "inspected"), 2);
    ck_assert_int_eq(jint(r, "rejected"), 0);
    ck_assert_int_eq(json_array_size(jget(r, "top_defects")), 0);
    ck_assert_int_eq(json_array_size(jget(row_of(a, "2024-03", "BU-D"), "top_defects")), 2);
}
END_TEST

START_TEST(behaviour_trend_green_metrics)
{
    const char *v0 = vers(bv0, -1, -1), *v012 = vers(bv0, bv0 + 1, bv0 + 2);
    json_t *a = OK_GET("/v1/kpi/trend?metric=repeats&period=month&to=2024-06&periods=6");
    ck_assert_str_eq(jstr(a, "metric"), "repeats");
    ck_assert_str_eq(jstr(a, "from"), "2024-01");
    ck_assert_str_eq(jstr(a, "to"), "2024-06");
    static const struct {
        const char *period;
        long value;
        int versions; /* 0 none, 1 v0, 3 v0..v2 */
    } series[] = {{"2024-01", 0, 0}, {"2024-02", 2, 1}, {"2024-03", 2, 1},
                  {"2024-04", 1, 3}, {"2024-05", 0, 0}, {"2024-06", 0, 0}};
    ck_assert_int_eq(json_array_size(jget(a, "series")), 6);
    for (int i = 0; i < 6; i++) {
        json_t *pt = jget(a, P("series[%d]", i));
        ck_assert_str_eq(jstr(pt, "period"), series[i].period);
        ck_assert_int_eq(jint(pt, "value"), series[i].value);
        ck_assert_str_eq(vers_text(jget(pt, "definition_versions")), series[i].versions == 0 ? ""
                                                                     : series[i].versions == 1
                                                                         ? v0
                                                                         : v012);
    }
    ck_assert_str_eq(vers_text(jget(a, "definition_versions")), v012);

    a = OK_GET("/v1/kpi/trend?metric=repeat_rate&period=month&to=2024-06&periods=6");
    ck_assert(jisnull(a, "series[0].value"));
    ck_assert(near(jget(a, "series[1].value"), 2.0 / 3.0));
    ck_assert(near(jget(a, "series[2].value"), 2.0 / 14.0));
    ck_assert(near(jget(a, "series[3].value"), 1.0 / 3.0));
    ck_assert(jisnull(a, "series[4].value"));
    a = OK_GET("/v1/kpi/trend?metric=complaints&by=unit&group=BU-D&period=quarter&to=2024-Q2"
               "&periods=3");
    ck_assert_str_eq(jstr(a, "group"), "BU-D");
    ck_assert_int_eq(jint(a, "series[0].value"), 0);
    ck_assert_int_eq(jint(a, "series[1].value"), 4);
    ck_assert_int_eq(jint(a, "series[2].value"), 1);
    ck_assert_str_eq(jstr(a, "series[0].period"), "2023-Q4");
    a = OK_GET("/v1/kpi/trend?metric=first_contact_failure_rate&by=unit&group=BU-A&to=2024-03"
               "&periods=2");
    ck_assert(jisnull(a, "series[0].value"));
    ck_assert(near(jget(a, "series[1].value"), 0.5));
    a = OK_GET("/v1/kpi/trend?metric=closeout_pass_rate&to=2024-03&periods=2");
    ck_assert(near(jget(a, "series[0].value"), 1.0));
    ck_assert(near(jget(a, "series[1].value"), 4.0 / 6.0));
    a = OK_GET("/v1/kpi/trend?metric=false_closeouts&to=2024-03&periods=1");
    ck_assert_int_eq(jint(a, "series[0].value"), 1);
    a = OK_GET("/v1/kpi/trend?metric=repeats&by=category&level=1&group=CG&period=year&to=2024"
               "&periods=2");
    ck_assert_int_eq(jint(a, "series[0].value"), 0);
    ck_assert_int_eq(jint(a, "series[1].value"), 2);
    a = OK_GET("/v1/kpi/trend?metric=repeats&by=unit&group=NOBODY&to=2024-03&periods=3");
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(jint(a, P("series[%d].value", i)), 0);
    ck_assert_int_eq(json_array_size(jget(a, "definition_versions")), 0);

    /* The green channel: chains with 2 repeats and the latest open, oldest first. */
    a = OK_GET("/v1/kpi/green-channel");
    ck_assert_int_eq(jint(a, "min_repeats"), 2);
    ck_assert_int_eq(jint(a, "definition_version"), bv0 + 2);
    json_t *chains = jget(a, "chains");
    size_t i, k = 0;
    json_t *c;
    static const struct {
        const char *chain, *latest, *citizen, *category;
    } want[] = {{"B-D1", "B-D3", "139****9001", B_JZ}, {"B-A1", "B-A3", "138****8000", B_LD}};
    json_array_foreach(chains, i, c)
    {
        if (strncmp(jstr(c, "chain_id"), "B-", 2) != 0)
            continue;
        ck_assert_msg(k < 2, "an unexpected chain %s", jstr(c, "chain_id"));
        ck_assert_str_eq(jstr(c, "chain_id"), want[k].chain);
        ck_assert_str_eq(jstr(c, "latest_ticket_id"), want[k].latest);
        ck_assert_str_eq(jstr(c, "citizen"), want[k].citizen);
        ck_assert_str_eq(jstr(c, "category"), want[k].category);
        ck_assert_int_eq(jint(c, "repeats"), 2);
        k++;
    }
    ck_assert_int_eq(k, 2);
    a = OK_GET("/v1/kpi/green-channel?limit=1");
    ck_assert_int_eq(json_array_size(jget(a, "chains")), 1);
    ck_assert_str_eq(jstr(a, "chains[0].chain_id"), "B-D1");
    /* At 3 repeats neither chain is in it; closing D3 takes chain D out at 2. */
    ADMIN("PATCH", "/v1/admin/settings", "{\"green_channel_min_repeats\": 3}", 200);
    a = OK_GET("/v1/kpi/green-channel");
    ck_assert_int_eq(jint(a, "min_repeats"), 3);
    ck_assert_int_eq(json_array_size(jget(a, "chains")), 0);
    ADMIN("PATCH", "/v1/admin/settings", "{\"green_channel_min_repeats\": 2}", 200);
    EVENT("B-D3", ev_contact(ts("2024-02-25", 11, 0), "reached"), 201);
    EVENT("B-D3", ev_closeout(ts("2024-02-26", 9, 0), ts("2024-02-25", 11, 0), true, true), 201);
    EVENT("B-D3", ev_followup(ts("2024-02-27", 9, 0), true, true, true), 201);
    EVENT("B-D3", ev_closed(ts("2024-02-27", 10, 0), "resolved"), 201);
    a = OK_GET("/v1/kpi/green-channel");
    ck_assert_int_eq(json_array_size(jget(a, "chains")), 1);
    ck_assert_str_eq(jstr(a, "chains[0].chain_id"), "B-A1");

    /* /metrics: Prometheus text with the request counters and this month's complaints, the
     * same number as /v1/kpi/repeats for the current month. */
    http_reply m;
    http_request rq = {.method = "GET", .path = "/metrics", .key = api.dash_key};
    ck_assert_int_eq(http_send(&rq, &m), 0);
    ck_assert_int_eq(m.status, 200);
    ck_assert_msg(strncmp(m.content_type, "text/plain", 10) == 0, "Content-Type %s",
                  m.content_type);
    ck_assert_ptr_nonnull(strstr(m.body, "repeatd_http_requests_total"));
    const char *line = strstr(m.body, "\nrepeatd_month_complaints ");
    ck_assert_ptr_nonnull(line);
    long month_complaints = strtol(line + strlen("\nrepeatd_month_complaints "), NULL, 10);
    ck_assert_ptr_nonnull(strstr(m.body, "\nrepeatd_month_repeats "));
    http_reply_free(&m);
    a = OK_GET("/v1/kpi/repeats");
    long want_c = json_array_size(jget(a, "rows")) ? jint(a, "rows[0].complaints") : 0;
    ck_assert_int_eq(month_complaints, want_c);
}
END_TEST

int main(void)
{
    harness_start("kpi_scenarios");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, behaviour_history);
    tcase_add_test(tc, behaviour_repeats);
    tcase_add_test(tc, behaviour_ranking);
    tcase_add_test(tc, behaviour_top_and_anomalies);
    tcase_add_test(tc, behaviour_quality_and_contact);
    tcase_add_test(tc, behaviour_trend_green_metrics);
    return harness_run(s, tc);
}
