/* KPI benchmark: for each KPI endpoint, the median and p95 time of the answer over HTTP, and
 * beside it the time of a naive query over the raw tables that gives the same numbers.
 *
 * usage: kpi_bench BASE_URL KEY DATABASE_URL [ITERATIONS [naive|no-naive]]
 * The database must hold a history (repeatd-demo --tickets N); months are taken from it.
 * no-naive leaves the naive queries out: on ten million tickets each takes minutes, three
 * times. */
#include "repeatd/kpi_cursor.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The assignment when event E was recorded: the body of the ticket's latest dispatch before it
 * (events keep no assignment of their own: migrations/0013). */
#define ASSIGNED(E)                                                                                \
    "LEFT JOIN LATERAL (SELECT x.body FROM ticket_events x WHERE x.ticket_id = t.ticket_id"        \
    " AND x.type = 'dispatched' AND x.id < " E ".id ORDER BY x.id DESC LIMIT 1) d ON true"

typedef struct bench_case {
    const char *name;
    char path[512];   /* the endpoint, with its query */
    char naive[2048]; /* SQL over tickets / ticket_events giving the same numbers */
} bench_case;

/* c: the case `whole` with more of a query. */
static void with_query(bench_case *c, const bench_case *whole, const char *extra)
{
    snprintf(c->path, sizeof(c->path), "%.150s%.300s", whole->path, extra);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(double *v, int n, double q)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    int i = (int)(q * (n - 1) + 0.5);
    return v[i];
}

static size_t discard(void *p, size_t size, size_t n, void *u)
{
    size_t *bytes = u;
    *bytes += size * n;
    return size * n;
}

/* Times `iterations` GETs on one keep-alive connection after 3 warm-ups. */
static int time_http(CURL *curl, const char *base, const char *key, const char *path,
                     int iterations, double *times, long *ret_status, size_t *ret_bytes)
{
    char url[768], auth[300];
    snprintf(url, sizeof(url), "%s%s", base, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, ret_bytes);
    for (int i = -3; i < iterations; i++) {
        *ret_bytes = 0;
        double t0 = now_ms();
        if (curl_easy_perform(curl) != CURLE_OK) {
            curl_slist_free_all(h);
            return -1;
        }
        if (i >= 0)
            times[i] = now_ms() - t0;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, ret_status);
    curl_slist_free_all(h);
    return 0;
}

static double time_sql(PGconn *db, const char *sql, int runs, int *ret_rows)
{
    double best[8];
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        PGresult *r = PQexec(db, sql);
        best[i] = now_ms() - t0;
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "naive query failed: %s\n%s\n", PQerrorMessage(db), sql);
            PQclear(r);
            return -1;
        }
        *ret_rows = PQntuples(r);
        PQclear(r);
    }
    return quantile(best, runs, 0.5);
}

static int single_int(PGconn *db, const char *sql)
{
    PGresult *r = PQexec(db, sql);
    int v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    return v;
}

static void label(int month, char out[16])
{
    snprintf(out, 16, "%04d-%02d", month / 12, month % 12 + 1);
}

/* Complaints by current assignment, repeats by the repeated ticket's: the KPI definitions. */
#define NAIVE_COUNTS(COL, REPCOL, FROM, TO)                                                        \
    "SELECT m, k, sum(c), sum(r) FROM ("                                                           \
    " SELECT received_month AS m, coalesce(" COL ", '') AS k, 1 AS c, 0 AS r FROM tickets"         \
    " WHERE creates_work_order AND received_month BETWEEN " FROM " AND " TO                        \
    " UNION ALL SELECT received_month, " REPCOL ", 0, 1 FROM tickets"                              \
    " WHERE counts_as_repeat AND received_month BETWEEN " FROM " AND " TO ") s GROUP BY 1, 2"

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s BASE_URL KEY DATABASE_URL [ITERATIONS [naive|no-naive]]\n",
                argv[0]);
        return 2;
    }
    const char *base = argv[1], *key = argv[2];
    int iterations = argc > 4 ? atoi(argv[4]) : 50;
    bool naive_too = !(argc > 5 && !strcmp(argv[5], "no-naive"));
    if (iterations < 5 || iterations > 10000)
        iterations = 50;
    PGconn *db = PQconnectdb(argv[3]);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "%s", PQerrorMessage(db));
        return 1;
    }
    int tickets = single_int(db, "SELECT count(*) FROM tickets");
    int last = single_int(db, "SELECT max(received_month) FROM tickets");
    /* The last full month: the current one may have just begun. */
    int at = last - 1, first = last - 11;
    char at_s[16], first_s[16], last_s[16], prev_s[16];
    label(at, at_s);
    label(first, first_s);
    label(last, last_s);
    label(at - 1, prev_s);
    char q_from[16], q_to[16], a[16], p6[16], p2[16];
    snprintf(q_from, sizeof(q_from), "%d", first);
    snprintf(q_to, sizeof(q_to), "%d", last);
    snprintf(a, sizeof(a), "%d", at);
    snprintf(p6, sizeof(p6), "%d", at - 6);
    snprintf(p2, sizeof(p2), "%d", at - 2);

    bench_case cases[24];
    int n = 0;
    bench_case *c = &cases[n++];
    c->name = "repeats by unit, 12 months";
    snprintf(c->path, sizeof(c->path), "/v1/kpi/repeats?period=month&from=%s&to=%s&by=unit",
             first_s, last_s);
    snprintf(c->naive, sizeof(c->naive), NAIVE_COUNTS("unit", "repeat_unit", "%s", "%s"), q_from,
             q_to, q_from, q_to);

    c = &cases[n++];
    c->name = "repeats by handler, 12 months";
    snprintf(c->path, sizeof(c->path), "/v1/kpi/repeats?period=month&from=%s&to=%s&by=handler",
             first_s, last_s);
    snprintf(c->naive, sizeof(c->naive), NAIVE_COUNTS("handler", "repeat_handler", "%s", "%s"),
             q_from, q_to, q_from, q_to);

    /* The same list as CSV (always whole), a first page, and a page from mid-way on (after
     * the first handler of the seventh month: the cursor the page before would give). */
    const bench_case *whole = c;
    c = &cases[n++];
    *c = *whole;
    c->name = "  the same, CSV";
    with_query(c, whole, "&format=csv");
    c = &cases[n++];
    *c = *whole;
    c->name = "  the same, first page of 500 (limit)";
    with_query(c, whole, "&limit=500");
    rd_kpi_cursor mid = {.period_start = first + 6};
    char sql[256], cursor[RD_KPI_CURSOR_MAX];
    snprintf(sql, sizeof(sql), "SELECT min(key) FROM kpi_counts WHERE dim = 3 AND month = %d",
             first + 6);
    PGresult *key_res = PQexec(db, sql);
    if (PQresultStatus(key_res) == PGRES_TUPLES_OK && PQntuples(key_res) &&
        !PQgetisnull(key_res, 0, 0))
        snprintf(mid.key, sizeof(mid.key), "%s", PQgetvalue(key_res, 0, 0));
    PQclear(key_res);
    rd_kpi_cursor_encode(&mid, cursor);
    c = &cases[n++];
    *c = *whole;
    c->name = "  the same, a page of 500 mid-way (cursor)";
    char extra[RD_KPI_CURSOR_MAX + 32];
    snprintf(extra, sizeof(extra), "&limit=500&cursor=%s", cursor);
    with_query(c, whole, extra);

    c = &cases[n++];
    c->name = "repeats, whole line, by quarter";
    snprintf(c->path, sizeof(c->path), "/v1/kpi/repeats?period=quarter&from=%04d-Q1&to=%04d-Q4",
             first / 12, last / 12);
    snprintf(c->naive, sizeof(c->naive),
             "SELECT received_month / 3, count(*) FILTER (WHERE creates_work_order),"
             " count(*) FILTER (WHERE counts_as_repeat) FROM tickets"
             " WHERE received_month BETWEEN %d AND %d GROUP BY 1",
             first / 12 * 12, last / 12 * 12 + 11);

    c = &cases[n++];
    c->name = "repeats by category level 2, year";
    snprintf(c->path, sizeof(c->path), "/v1/kpi/repeats?period=year&at=%04d&by=category&level=2",
             at / 12);
    snprintf(c->naive, sizeof(c->naive),
             "SELECT p.code, count(*) FILTER (WHERE t.creates_work_order),"
             " count(*) FILTER (WHERE t.counts_as_repeat) FROM tickets t"
             " JOIN categories l ON l.code = t.category JOIN categories p ON p.code = l.parent"
             " WHERE t.received_month BETWEEN %d AND %d GROUP BY 1",
             at / 12 * 12, at / 12 * 12 + 11);

    c = &cases[n++];
    c->name = "ranking of units, one month";
    snprintf(c->path, sizeof(c->path), "/v1/kpi/ranking?period=month&at=%s", at_s);
    snprintf(c->naive, sizeof(c->naive),
             "SELECT k, c, r, rank() OVER (ORDER BY r::float8 / c) FROM (" NAIVE_COUNTS(
                 "unit", "repeat_unit", "%s", "%s") ") s(m, k, c, r) WHERE c >= 20",
             a, a, a, a);

    c = &cases[n++];
    c->name = "top problems, leaves, month vs previous";
    snprintf(c->path, sizeof(c->path), "/v1/kpi/top-problems?period=month&at=%s&limit=20", at_s);
    snprintf(c->naive, sizeof(c->naive),
             "SELECT category, count(*) FILTER (WHERE received_month = %d),"
             " count(*) FILTER (WHERE received_month = %d) FROM tickets"
             " WHERE counts_as_repeat AND received_month BETWEEN %d AND %d"
             " GROUP BY 1 ORDER BY 2 DESC LIMIT 20",
             at, at - 1, at - 1, at);

    c = &cases[n++];
    c->name = "anomalies by category, 6-month baseline";
    snprintf(c->path, sizeof(c->path), "/v1/kpi/anomalies?period=month&at=%s", at_s);
    snprintf(c->naive, sizeof(c->naive),
             "SELECT category, received_month, count(*) FROM tickets"
             " WHERE counts_as_repeat AND received_month BETWEEN %s AND %s GROUP BY 1, 2",
             p6, a);

    c = &cases[n++];
    c->name = "first-contact failures by unit, 3 months";
    snprintf(c->path, sizeof(c->path), "/v1/kpi/contact-failures?period=month&from=%04d-%02d&to=%s",
             (at - 2) / 12, (at - 2) % 12 + 1, at_s);
    snprintf(c->naive, sizeof(c->naive),
             "SELECT t.received_month, coalesce(d.body->>'unit', ''), count(*),"
             " count(*) FILTER (WHERE f.body->>'outcome' <> 'reached') FROM tickets t"
             " JOIN LATERAL (SELECT e.id, e.body FROM ticket_events e"
             "  WHERE e.ticket_id = t.ticket_id AND e.type = 'contact_attempt'"
             "  ORDER BY e.id LIMIT 1) f ON true " ASSIGNED(
                 "f") " WHERE t.received_month BETWEEN %s AND %s GROUP BY 1, 2",
             p2, a);

    c = &cases[n++];
    c->name = "close-out quality by handler, 3 months";
    snprintf(c->path, sizeof(c->path),
             "/v1/kpi/closeout-quality?period=month&from=%04d-%02d&to=%s&by=handler", (at - 2) / 12,
             (at - 2) % 12 + 1, at_s);
    snprintf(
        c->naive, sizeof(c->naive),
        "SELECT t.received_month, coalesce(d.body->>'handler', ''), count(*),"
        " count(*) FILTER (WHERE NOT e.accepted)"
        " FROM ticket_events e JOIN tickets t ON t.ticket_id = e.ticket_id " ASSIGNED(
            "e") " WHERE e.type = 'closeout' AND t.received_month BETWEEN %s AND %s GROUP BY 1, 2",
        p2, a);

    whole = c;
    c = &cases[n++];
    *c = *whole;
    c->name = "  the same, first page of 500 (limit)";
    with_query(c, whole, "&limit=500");

    c = &cases[n++];
    c->name = "trend of the repeat rate, 24 months";
    snprintf(c->path, sizeof(c->path),
             "/v1/kpi/trend?metric=repeat_rate&period=month&periods=24&to=%s", last_s);
    snprintf(c->naive, sizeof(c->naive),
             "SELECT received_month, count(*) FILTER (WHERE creates_work_order),"
             " count(*) FILTER (WHERE counts_as_repeat) FROM tickets"
             " WHERE received_month BETWEEN %d AND %d GROUP BY 1",
             last - 23, last);

    c = &cases[n++];
    c->name = "decision mix, 12 months";
    snprintf(c->path, sizeof(c->path), "/v1/kpi/decisions?period=month&from=%s&to=%s", first_s,
             last_s);
    snprintf(c->naive, sizeof(c->naive),
             "SELECT received_month, decision, count(*) FROM tickets"
             " WHERE received_month BETWEEN %d AND %d GROUP BY 1, 2",
             first, last);

    c = &cases[n++];
    c->name = "green channel, oldest first";
    snprintf(c->path, sizeof(c->path), "/v1/kpi/green-channel?limit=100");
    snprintf(c->naive, sizeof(c->naive),
             "SELECT chain_id, max(repeat_ordinal) FROM tickets WHERE counts_as_repeat"
             " GROUP BY 1 HAVING bool_or(status = 'open') AND max(repeat_ordinal) >= 2"
             " ORDER BY min(received_at) LIMIT 100");

    c = &cases[n++];
    c->name = "metrics scrape";
    snprintf(c->path, sizeof(c->path), "/metrics");
    snprintf(c->naive, sizeof(c->naive),
             "SELECT count(*) FILTER (WHERE creates_work_order),"
             " count(*) FILTER (WHERE counts_as_repeat) FROM tickets WHERE received_month = %d",
             last);

    /* The periodic report: every KPI answer of its period in one document; the naive query
     * is only its headline's counts from the raw tickets. */
    static const struct {
        const char *name;
        int months;
    } reports[] = {{"report, month", 1}, {"report, quarter", 3}, {"report, year", 12}};
    for (size_t k = 0; k < sizeof(reports) / sizeof(reports[0]); k++) {
        int start = at - at % reports[k].months;
        c = &cases[n++];
        c->name = reports[k].name;
        if (reports[k].months == 1)
            snprintf(c->path, sizeof(c->path), "/v1/reports/%s", at_s);
        else if (reports[k].months == 3)
            snprintf(c->path, sizeof(c->path), "/v1/reports/%04d-Q%d", start / 12,
                     start % 12 / 3 + 1);
        else
            snprintf(c->path, sizeof(c->path), "/v1/reports/%04d", start / 12);
        snprintf(c->naive, sizeof(c->naive),
                 "SELECT count(*) FILTER (WHERE creates_work_order),"
                 " count(*) FILTER (WHERE counts_as_repeat) FROM tickets"
                 " WHERE received_month BETWEEN %d AND %d",
                 start, start + reports[k].months - 1);
    }

    printf("history: %d tickets, months %s .. %s; %d requests per endpoint\n\n", tickets, first_s,
           last_s, iterations);
    printf("%-42s %9s %9s %11s %8s\n", "KPI answer", "median", "p95", "naive query", "ratio");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init();
    double *times = calloc((size_t)iterations, sizeof(double));
    int failures = 0;
    for (int i = 0; i < n; i++) {
        long status = 0;
        size_t bytes = 0;
        if (time_http(curl, base, key, cases[i].path, iterations, times, &status, &bytes) < 0 ||
            status != 200) {
            printf("%-42s failed (HTTP %ld)\n", cases[i].name, status);
            failures++;
            continue;
        }
        double med = quantile(times, iterations, 0.5), p95 = quantile(times, iterations, 0.95);
        if (!naive_too) {
            printf("%-42s %7.2fms %7.2fms %11s %8s\n", cases[i].name, med, p95, "-", "-");
            continue;
        }
        int rows = 0;
        double naive = time_sql(db, cases[i].naive, 3, &rows);
        printf("%-42s %7.2fms %7.2fms %9.1fms %7.0fx\n", cases[i].name, med, p95, naive,
               naive / med);
    }
    free(times);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    PQfinish(db);
    return failures ? 1 : 0;
}
