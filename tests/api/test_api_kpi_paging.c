/* API: the long KPI lists by page (limit and cursor on repeats, contact-failures and
 * closeout-quality). Paging through any of them with any page size gives exactly the rows of
 * the whole answer, in its order; the last page says so with next_cursor null; a bad limit or
 * cursor is a 400 naming it; a CSV download stays the whole table. */
#include "kpi_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Units, teams and handlers of the history: a quote and a comma in one code, CJK in another. */
static const struct {
    const char *unit, *team, *handler;
} staff[] = {
    {"PU-01", "PU-01-T1", "PU-01-T1-H1"},  {"PU-01", "PU-01-T1", "PU-01-T1-H2"},
    {"PU-01", "PU-01-T2", "PU-01-T2-H1"},  {"PU-02", "PU-02-T1", "PU-02-T1-H1"},
    {"PU-02", "PU-02-T1", "区,\"五\"-H1"}, {"PU-03", "PU-03-T1", "PU-03-T1-H1"},
    {"PU-03", "PU-03-T1", "PU-03-T1-H2"},  {"PU-03", "PU-03-T2", "PU-03-T2-H1"},
};

/* The month label `months_ago` months back (at() gives its day). */
static const char *month_label(int months_ago)
{
    return P("%.7s", at(months_ago, 1, 0, 0));
}

static const char *const leaves[] = {"CG.SZ.LD", "CG.SZ.PS", "HB.ZS.JZ", "JT.GJ.XL"};

/* Tickets over the last three months, spread over the staff: most handled to the end (a
 * contact and an inspected close-out), some handlers' months only dispatched (complaints
 * without a contact or a close-out), so that each list leaves out different groups. */
START_TEST(paging_history)
{
    int n = 0;
    for (int month = 1; month <= 3; month++)
        for (size_t s = 0; s < N_OF(staff); s++) {
            if ((s + (size_t)month) % 5 == 0)
                continue; /* a handler without a ticket this month */
            for (int k = 0; k < 2; k++) {
                const char *id = P("PG%02d%02zu%d", month, s, k);
                POST_TICKET(201, .id = id, .at = at(month, 3 + k, 9, (int)s),
                            .phone = phone(100 * month + 10 * (int)s + k),
                            .category = leaves[(s + (size_t)k) % N_OF(leaves)],
                            .description = "路灯不亮，晚上出行很不方便，请尽快维修。");
                if ((s + (size_t)month) % 4 == 3) {
                    EVENT(id,
                          ev_dispatched(at(month, 3 + k, 10, 0), staff[s].unit, staff[s].team,
                                        staff[s].handler, NULL),
                          201);
                } else {
                    HANDLE(id, .unit = staff[s].unit, .team = staff[s].team,
                           .handler = staff[s].handler, .months_ago = month, .day = 3 + k,
                           .failed_contacts = k, .reached = true, .closeout_resolved = true,
                           .followup_reached = true, .outcome = "resolved");
                }
                n++;
            }
        }
    ck_assert_int_gt(n, 30);
    /* A ticket re-dispatched away from a handler who had no other: that handler's complaint
     * comes and goes (+1, then -1, perhaps in two shards), and leaves no row. */
    POST_TICKET(201, .id = "PGRD1", .at = at(2, 20, 9, 0), .phone = phone(999),
                .category = leaves[0], .description = "路灯不亮，晚上出行很不方便，请尽快维修。");
    EVENT("PGRD1", ev_dispatched(at(2, 20, 10, 0), "PX-01", "PX-01-T1", "PX-01-T1-H1", NULL), 201);
    EVENT("PGRD1", ev_dispatched(at(2, 20, 11, 0), "PU-01", "PU-01-T1", "PU-01-T1-H1", NULL), 201);
}
END_TEST

/* No row for the handler whose only complaint moved away, whole or by page. */
START_TEST(moved_away_no_row)
{
    const char *path = P("/v1/kpi/repeats?period=month&at=%s&by=handler", month_label(2));
    static const char *const suffixes[] = {"", "&limit=1", "&limit=2", "&limit=1000"};
    for (size_t i = 0; i < N_OF(suffixes); i++) {
        char p[512];
        snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
        json_t *a = OK_GET(p);
        size_t k;
        json_t *r;
        json_array_foreach(jget(a, "rows"), k, r)
            ck_assert_msg(strcmp(jstr(r, "group"), "PX-01-T1-H1") != 0, "%s: a row of nothing", p);
        ck_assert_uint_gt(json_array_size(jget(a, "rows")), 0);
    }
}
END_TEST

/* The queries paged below: every grouping of each list, months and a quarter. */
static const char *const lists[] = {
    "/v1/kpi/repeats?period=month&by=handler",
    "/v1/kpi/repeats?period=month&by=team",
    "/v1/kpi/repeats?period=month&by=unit",
    "/v1/kpi/repeats?period=month&by=category",
    "/v1/kpi/repeats?period=month&by=category&level=1",
    "/v1/kpi/repeats?period=month",
    "/v1/kpi/contact-failures?period=month&by=handler",
    "/v1/kpi/contact-failures?period=month&by=team",
    "/v1/kpi/closeout-quality?period=month&by=handler",
    "/v1/kpi/closeout-quality?period=month&by=unit",
};

/* The whole answer of path, then every page of it `limit` rows at a time: the pages' rows
 * joined are the whole answer's, each page but the last is full, the last says it is. */
static void page_through(const char *path_, long limit)
{
    char path[512]; /* P's ring is reused below */
    snprintf(path, sizeof(path), "%s", path_);
    json_t *whole = OK_GET(path);
    ck_assert_msg(jisnull(whole, "next_cursor"), "%s: a whole answer has no next page", path);
    json_t *all = jget(whole, "rows");
    size_t total = json_array_size(all);
    json_t *joined = gc(json_array());
    const char *cursor = NULL;
    int pages = 0;
    for (;;) {
        const char *p = cursor ? P("%s&limit=%ld&cursor=%s", path, limit, url_encode(cursor))
                               : P("%s&limit=%ld", path, limit);
        json_t *page = OK_GET(p);
        pages++;
        ck_assert_msg(pages <= (int)total + 1, "%s: more pages than rows", path);
        /* The frame is the whole answer's. */
        static const char *const frame[] = {"period", "by", "level", "from", "to"};
        for (size_t i = 0; i < N_OF(frame); i++)
            ck_assert_msg(json_equal(jget(page, frame[i]), jget(whole, frame[i])), "%s: %s differs",
                          p, frame[i]);
        json_t *rows = jget(page, "rows");
        ck_assert_msg(json_array_size(rows) <= (size_t)limit, "%s: %zu rows", p,
                      json_array_size(rows));
        json_array_extend(joined, rows);
        /* The page's versions are the union of its rows'. */
        json_t *union_ = gc(json_array());
        size_t i;
        json_t *r;
        json_array_foreach(rows, i, r)
        {
            size_t k;
            json_t *v;
            json_array_foreach(jget(r, "definition_versions"), k, v)
            {
                bool seen = false;
                for (size_t u = 0; u < json_array_size(union_); u++)
                    seen = seen || json_equal(json_array_get(union_, u), v);
                if (!seen)
                    json_array_append(union_, v);
            }
        }
        ck_assert_uint_eq(json_array_size(jget(page, "definition_versions")),
                          json_array_size(union_));
        json_t *next = jget(page, "next_cursor");
        ck_assert_msg(next && (json_is_null(next) || json_is_string(next)), "%s: next_cursor", p);
        if (json_is_null(next)) {
            /* The last page: the rows are all there, and it was the first that could be. */
            ck_assert_msg(json_array_size(joined) == total, "%s: %zu of %zu rows", p,
                          json_array_size(joined), total);
            break;
        }
        ck_assert_msg(json_array_size(rows) == (size_t)limit, "%s: a page before the last is full",
                      p);
        cursor = json_string_value(next);
    }
    ck_assert_msg(json_equal(joined, all), "%s by %ld: the pages' rows are not the whole answer's",
                  path, limit);
    ck_assert_int_eq(pages, total ? (int)((total + (size_t)limit - 1) / (size_t)limit) : 1);
}

START_TEST(pages_join_to_the_whole)
{
    char from[8], to[8];
    snprintf(from, sizeof(from), "%s", month_label(3));
    snprintf(to, sizeof(to), "%s", month_label(1));
    static const long limits[] = {1, 2, 3, 7, 10000};
    for (size_t l = 0; l < N_OF(lists); l++) {
        char path[512]; /* P's ring is reused by page_through */
        snprintf(path, sizeof(path), "%s&from=%s&to=%s", lists[l], from, to);
        size_t total = json_array_size(jget(OK_GET(path), "rows"));
        ck_assert_msg(total > 0, "%s: no rows to page", path);
        for (size_t k = 0; k < N_OF(limits); k++)
            page_through(path, limits[k]);
        page_through(path, (long)total); /* exactly one page: no next one */
        if (total > 1)
            page_through(path, (long)total - 1); /* one row on the second */
    }
    /* Quarters and a year: periods of several months, the cursor inside one. */
    char q[256];
    snprintf(q, sizeof(q), "/v1/kpi/repeats?period=quarter&from=%.4s-Q1&to=%.4s-Q4&by=handler",
             month_label(12), month_label(0));
    page_through(q, 1);
    page_through(q, 5);
    page_through(P("/v1/kpi/closeout-quality?period=year&from=%.4s&to=%.4s&by=handler",
                   month_label(12), month_label(0)),
                 4);
}
END_TEST

/* The lists leave out different groups: a page is still full where the whole list has rows
 * (the rows are picked in the database, before the limit). */
START_TEST(pages_full_after_filtering)
{
    const char *from = month_label(3), *to = month_label(1);
    json_t *all = OK_GET(P("/v1/kpi/repeats?period=month&from=%s&to=%s&by=handler", from, to));
    json_t *contact =
        OK_GET(P("/v1/kpi/contact-failures?period=month&from=%s&to=%s&by=handler", from, to));
    /* Some handlers had complaints but nobody was contacted... */
    ck_assert_uint_gt(json_array_size(jget(all, "rows")), json_array_size(jget(contact, "rows")));
    /* ...and two rows of contact failures are two, not fewer. */
    json_t *page = OK_GET(
        P("/v1/kpi/contact-failures?period=month&from=%s&to=%s&by=handler&limit=2", from, to));
    ck_assert_uint_eq(json_array_size(jget(page, "rows")), 2);
    ck_assert(json_equal(jget(page, "rows[0]"), jget(contact, "rows[0]")));
    ck_assert(json_equal(jget(page, "rows[1]"), jget(contact, "rows[1]")));
}
END_TEST

/* A cursor without a limit: every row after it. */
START_TEST(cursor_without_limit)
{
    const char *path =
        P("/v1/kpi/repeats?period=month&from=%s&to=%s&by=team", month_label(3), month_label(1));
    json_t *whole = OK_GET(path);
    json_t *first = OK_GET(P("%s&limit=3", path));
    const char *cursor = jstr(first, "next_cursor");
    ck_assert_ptr_nonnull(cursor);
    json_t *rest = OK_GET(P("%s&cursor=%s", path, url_encode(cursor)));
    ck_assert(jisnull(rest, "next_cursor"));
    json_t *joined = gc(json_deep_copy(jget(first, "rows")));
    json_array_extend(joined, jget(rest, "rows"));
    ck_assert(json_equal(joined, jget(whole, "rows")));
    /* A cursor after the last row: no rows, and no next page. */
    json_t *last = OK_GET(P("%s&limit=%zu", path, json_array_size(jget(whole, "rows")) - 1));
    json_t *end = OK_GET(P("%s&limit=5&cursor=%s", path, url_encode(jstr(last, "next_cursor"))));
    ck_assert_uint_eq(json_array_size(jget(end, "rows")), 1);
    ck_assert(jisnull(end, "next_cursor"));
}
END_TEST

START_TEST(bad_limit_and_cursor)
{
    static const char *const endpoints[] = {"/v1/kpi/repeats", "/v1/kpi/contact-failures",
                                            "/v1/kpi/closeout-quality"};
    static const char *const bad_limits[] = {"0", "-1", "10001", "ten", "", "1.5", "2x"};
    /* base64url of "1:24309:H17" is MToyNDMwOTpIMTc; each of these differs from what the
     * server writes (all sent percent-encoded). */
    static const char *const bad_cursors[] = {
        "",
        "MToyNDMwOTpIMTc=", /* padding */
        "MToyNDMwOTpIMTd",  /* a stray low bit */
        "MToyNDMwOTpIM+Tc", /* '+' of the standard alphabet */
        "MToyNDMw OTpIMTc", /* a space */
        "MjoyNDMwOTpIMTc",  /* "2:24309:H17": another version */
        "MTotMjQzMDk6SDE3", /* "1:-24309:H17" */
        "MToxMjAwMDA6SDE3", /* "1:120000:H17": year 10000 */
        "MToyNDMwOQ",       /* "1:24309": no group */
        "not a cursor at all",
        "\xff\xfe",
    };
    for (size_t e = 0; e < N_OF(endpoints); e++) {
        for (size_t i = 0; i < N_OF(bad_limits); i++)
            BAD_PARAM(P("%s?limit=%s", endpoints[e], url_encode(bad_limits[i])), "limit");
        for (size_t i = 0; i < N_OF(bad_cursors); i++)
            BAD_PARAM(P("%s?limit=5&cursor=%s", endpoints[e], url_encode(bad_cursors[i])),
                      "cursor");
        /* The bounds pass. */
        OK_GET(P("%s?limit=1", endpoints[e]));
        OK_GET(P("%s?limit=10000", endpoints[e]));
        OK_GET(P("%s?cursor=MToyNDMwOTpIMTc", endpoints[e]));
        /* A bad range is named first, as with the endpoints' other parameters; then the first
         * bad one of limit and cursor. */
        BAD_PARAM(P("%s?from=2025-05&to=2025-01&limit=0&cursor=x", endpoints[e]), "from");
        BAD_PARAM(P("%s?limit=0&cursor=x", endpoints[e]), "limit");
        /* A CSV download is refused the same bad values. */
        BAD_PARAM(P("%s?format=csv&cursor=x", endpoints[e]), "cursor");
    }
}
END_TEST

/* CSV is for spreadsheets: the whole table whatever the limit and cursor. */
START_TEST(csv_stays_whole)
{
    const char *path = P("/v1/kpi/repeats?period=month&from=%s&to=%s&by=handler&format=csv",
                         month_label(3), month_label(1));
    http_reply whole = {0}, paged = {0};
    ck_assert_int_eq(
        http_send(&(http_request){.method = "GET", .path = path, .key = api.dash_key}, &whole), 0);
    json_t *first = OK_GET(P("/v1/kpi/repeats?period=month&from=%s&to=%s&by=handler&limit=2",
                             month_label(3), month_label(1)));
    const char *cursor = jstr(first, "next_cursor");
    ck_assert_ptr_nonnull(cursor);
    ck_assert_int_eq(
        http_send(&(http_request){.method = "GET",
                                  .path = P("%s&limit=2&cursor=%s", path, url_encode(cursor)),
                                  .key = api.dash_key},
                  &paged),
        0);
    ck_assert_int_eq(whole.status, 200);
    ck_assert_int_eq(paged.status, 200);
    ck_assert_str_eq(whole.content_type, "text/csv; charset=utf-8");
    ck_assert_uint_eq(whole.body_len, paged.body_len);
    ck_assert(!memcmp(whole.body, paged.body, whole.body_len));
    const char *why = NULL;
    json_t *lines = csv_parse(whole.body, whole.body_len, &why);
    ck_assert_msg(lines, "%s", why);
    /* A header and a line per row of the whole JSON answer. */
    json_t *all = OK_GET(
        P("/v1/kpi/repeats?period=month&from=%s&to=%s&by=handler", month_label(3), month_label(1)));
    ck_assert_uint_eq(json_array_size(lines), json_array_size(jget(all, "rows")) + 1);
    http_reply_free(&whole);
    http_reply_free(&paged);
}
END_TEST

int main(void)
{
    harness_start("kpi_paging");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, paging_history);
    tcase_add_test(tc, moved_away_no_row);
    tcase_add_test(tc, pages_join_to_the_whole);
    tcase_add_test(tc, pages_full_after_filtering);
    tcase_add_test(tc, cursor_without_limit);
    tcase_add_test(tc, bad_limit_and_cursor);
    tcase_add_test(tc, csv_stays_whole);
    return harness_run(s, tc);
}
