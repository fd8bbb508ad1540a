/* API: dashboards' reads on a streaming replica. This program runs its own primary and a
 * standby cloned from it with pg_basebackup -R (tests/pg.sh replica): KPI reads go to the
 * standby while it keeps up, to the primary while it lags more than REPEATD_REPLICA_MAX_LAG_S
 * (its replay paused) or does not answer (stopped), and back to it when it recovers; intake
 * always writes to the primary. Which server answered shows in the numbers (a paused standby
 * does not have the newest ticket) and in /metrics. */
#include "private_pg.h"
#include "rd_test.h"
#include "scenario.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char replica_admin_url[1024];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This month's complaints as the KPI answer gives them (the read that may go to the replica). */
static long long month_complaints(void)
{
    long st;
    json_t *a =
        gc(get_json("/v1/kpi/trend?metric=complaints&period=month&periods=1", api.dash_key, &st));
    ck_assert_int_eq(st, 200);
    return jint(a, "series[0].value");
}

/* A sample's value in /metrics, -1 when absent. */
static double metric(const char *sample)
{
    http_reply rp = {0};
    http_send(&(http_request){.method = "GET", .path = "/metrics", .key = api.dash_key}, &rp);
    ck_assert_int_eq(rp.status, 200);
    double v = -1;
    size_t n = strlen(sample);
    for (const char *p = rp.body; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!strncmp(p, sample, n) && p[n] == ' ')
            v = strtod(p + n + 1, NULL);
    http_reply_free(&rp);
    return v;
}

static bool query_value(const char *url, const char *sql, char *out, size_t size);

static void replica_sql(const char *sql)
{
    char err[512];
    ck_assert_msg(rd_test_admin_exec(replica_admin_url, sql, err, sizeof(err)) == 0, "%s: %s", sql,
                  err);
}

/* A new ticket of this month: one more complaint, written to the primary. */
static void post_new(const char *id, int n)
{
    POST_TICKET(201, .id = id, .at = at(0, 1, 9, n), .phone = phone(700 + n),
                .category = "HB.ZS.JZ");
}

/* Whether the KPI read shows `want` complaints within 20 s. */
static bool wait_complaints(long long want)
{
    double t0 = now_s();
    while (now_s() - t0 < 20) {
        if (month_complaints() == want)
            return true;
        usleep(100 * 1000);
    }
    return false;
}

START_TEST(reads_go_to_the_replica)
{
    post_new("RP-1", 1);
    ck_assert_msg(wait_complaints(1), "the replica never showed the first ticket");
    double reads = metric("repeatd_replica_reads_total");
    ck_assert_double_eq(metric("repeatd_replica_up"), 1);
    month_complaints();
    month_complaints();
    ck_assert_double_ge(metric("repeatd_replica_reads_total"), reads + 2);
}
END_TEST

/* A periodic report reads on the replica, every section: its KPI answers, and the programmes,
 * the green channel's specialists and verifications, the problem list's movements (a report
 * with no programme open: twelve read transactions). Before, those four went to the primary
 * and the report counted eight. */
START_TEST(a_report_reads_on_the_replica)
{
    ck_assert_msg(wait_complaints(month_complaints()), "the replica does not keep up");
    ck_assert_double_eq(metric("repeatd_replica_up"), 1);
    time_t now = time(NULL) + 8 * 3600; /* the month in Asia/Shanghai */
    struct tm tm;
    gmtime_r(&now, &tm);
    char path[64];
    snprintf(path, sizeof(path), "/v1/reports/%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
    double reads = metric("repeatd_replica_reads_total");
    long st;
    json_t *report = gc(get_json(path, api.dash_key, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_ptr_nonnull(report);
    ck_assert_int_eq(json_array_size(jget(report, "programmes")), 0);
    ck_assert_double_ge(metric("repeatd_replica_reads_total"), reads + 12);
}
END_TEST

/* Replay paused: the standby falls behind by the age of its last replayed commit. */
START_TEST(a_lagging_replica_falls_back_to_the_primary)
{
    replica_sql("SELECT pg_wal_replay_pause()");
    post_new("RP-2", 2); /* on the primary: the standby receives it and does not replay it */
    sleep(3);            /* REPEATD_REPLICA_MAX_LAG_S is 1 */
    /* Only the primary has the second ticket; the first read may still go by the last look. */
    ck_assert_msg(wait_complaints(2), "the read never reached the primary");
    ck_assert_int_eq(month_complaints(), 2);
    ck_assert_double_ge(metric("repeatd_replica_fallbacks_total{reason=\"lag\"}"), 1);
    ck_assert_double_eq(metric("repeatd_replica_up"), 0);
    ck_assert_double_gt(metric("repeatd_replica_lag_seconds"), 1);

    replica_sql("SELECT pg_wal_replay_resume()");
    double t0 = now_s();
    while (now_s() - t0 < 20 && metric("repeatd_replica_up") != 1) {
        month_complaints();
        usleep(200 * 1000);
    }
    ck_assert_double_eq(metric("repeatd_replica_up"), 1);
    double reads = metric("repeatd_replica_reads_total");
    ck_assert_int_eq(month_complaints(), 2);
    ck_assert_double_ge(metric("repeatd_replica_reads_total"), reads + 1);
}
END_TEST

START_TEST(a_lost_replica_falls_back_and_comes_back)
{
    ck_assert_int_eq(private_pg("stop", "r"), 0);
    /* Reads still answer, from the primary, and writes never needed the replica. */
    post_new("RP-3", 3);
    ck_assert_int_eq(month_complaints(), 3);
    ck_assert_int_eq(month_complaints(), 3);
    ck_assert_double_ge(metric("repeatd_replica_fallbacks_total{reason=\"unavailable\"}"), 1);
    ck_assert_double_eq(metric("repeatd_replica_up"), 0);
    ck_assert(harness_server_alive());

    ck_assert_int_eq(private_pg("start", "r"), 0);
    double t0 = now_s();
    while (now_s() - t0 < 30 && metric("repeatd_replica_up") != 1) {
        month_complaints();
        usleep(200 * 1000);
    }
    ck_assert_double_eq(metric("repeatd_replica_up"), 1);
    ck_assert_msg(wait_complaints(3), "the replica did not catch up");
    double reads = metric("repeatd_replica_reads_total");
    month_complaints();
    ck_assert_double_ge(metric("repeatd_replica_reads_total"), reads + 1);
}
END_TEST

/* A standby whose WAL receiver stops (its primary_conninfo emptied) replayed all it received
 * and still misses what the primary writes: it ages, and the reads go to the primary. */
START_TEST(a_cut_off_replica_ages)
{
    char conninfo[1024], sql[2400];
    ck_assert(query_value(replica_admin_url, "SHOW primary_conninfo", conninfo, sizeof(conninfo)));
    replica_sql("ALTER SYSTEM SET primary_conninfo TO ''");
    replica_sql("SELECT pg_reload_conf()");
    char streaming[8] = "t";
    double t0 = now_s();
    while (now_s() - t0 < 20 && strcmp(streaming, "f") != 0) {
        query_value(replica_admin_url,
                    "SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')",
                    streaming, sizeof(streaming));
        usleep(100 * 1000);
    }
    ck_assert_str_eq(streaming, "f");
    double lag_falls = metric("repeatd_replica_fallbacks_total{reason=\"lag\"}");
    post_new("RP-4", 4); /* the standby never receives it */
    sleep(3);
    ck_assert_msg(wait_complaints(4), "the read never reached the primary");
    ck_assert_double_gt(metric("repeatd_replica_fallbacks_total{reason=\"lag\"}"), lag_falls);
    ck_assert_double_eq(metric("repeatd_replica_up"), 0);

    /* Streaming again: the standby catches up and takes the reads back. */
    size_t n = 0;
    n += (size_t)snprintf(sql, sizeof(sql), "ALTER SYSTEM SET primary_conninfo TO '");
    for (const char *c = conninfo; *c && n + 3 < sizeof(sql); c++) {
        if (*c == '\'')
            sql[n++] = '\'';
        sql[n++] = *c;
    }
    snprintf(sql + n, sizeof(sql) - n, "'");
    replica_sql(sql);
    replica_sql("SELECT pg_reload_conf()");
    t0 = now_s();
    while (now_s() - t0 < 30 && metric("repeatd_replica_up") != 1) {
        month_complaints();
        usleep(200 * 1000);
    }
    ck_assert_double_eq(metric("repeatd_replica_up"), 1);
    ck_assert_int_eq(month_complaints(), 4);
}
END_TEST

/* The server's log says when the reads moved, and why. */
START_TEST(fallbacks_are_logged)
{
    FILE *f = fopen(api.log_path, "r");
    ck_assert_ptr_nonnull(f);
    char line[4096];
    bool lag = false, down = false, back = false;
    while (fgets(line, sizeof(line), f)) {
        lag |= strstr(line, "the replica is") && strstr(line, "s behind") != NULL;
        down |= strstr(line, "the replica does not answer") != NULL;
        back |= strstr(line, "dashboard reads go to the replica") != NULL;
    }
    fclose(f);
    ck_assert_msg(lag && down && back, "log: lag %d, down %d, back %d", lag, down, back);
}
END_TEST

/* One text value of a query, into out; false when it fails. */
static bool query_value(const char *url, const char *sql, char *out, size_t size)
{
    PGconn *c = PQconnectdb(url);
    PGresult *res = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    bool ok = res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    if (ok)
        snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(c);
    return ok;
}

/* Whether the standby replays, within 30 s, everything the primary had written when asked. */
static bool caught_up(const char *primary_url)
{
    char lsn[64], sql[256], yes[8] = "";
    if (!query_value(primary_url, "SELECT pg_current_wal_lsn()", lsn, sizeof(lsn)))
        return false;
    snprintf(sql, sizeof(sql), "SELECT pg_last_wal_replay_lsn() >= '%s'::pg_lsn", lsn);
    double t0 = now_s();
    while (now_s() - t0 < 30) {
        if (query_value(replica_admin_url, sql, yes, sizeof(yes)) && !strcmp(yes, "t"))
            return true;
        usleep(50 * 1000);
    }
    return false;
}

int main(void)
{
    private_pg_init("replica");
    if (private_pg("start", "p") != 0 || private_pg_replica("r", "p") != 0) {
        printf("Bail out! could not start a primary and its replica in %s\n", private_pg_dir(""));
        return 1;
    }
    char primary_url[1024], replica_url[1400], db[64];
    private_pg_url("p", "postgres", primary_url, sizeof(primary_url));
    private_pg_url("r", "postgres", replica_admin_url, sizeof(replica_admin_url));
    /* The harness names the program's database api_NAME_PID; the standby streams it in. */
    snprintf(db, sizeof(db), "api_replica_%ld", (long)getpid());
    private_pg_url("r", db, replica_url, sizeof(replica_url));
    setenv("REPEATD_REPLICA_URL", replica_url, 1);
    setenv("REPEATD_REPLICA_MAX_LAG_S", "1", 1);
    harness_start_on("replica", primary_url);
    /* The standby replays the schema, the settings and the keys a moment after the primary
     * commits them (asynchronously here: PG_FAST turns synchronous_commit off). */
    if (!caught_up(primary_url))
        harness_bail("the replica did not catch up with the primary in 30 s");

    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, reads_go_to_the_replica);
    tcase_add_test(tc, a_report_reads_on_the_replica);
    tcase_add_test(tc, a_lagging_replica_falls_back_to_the_primary);
    tcase_add_test(tc, a_lost_replica_falls_back_and_comes_back);
    tcase_add_test(tc, a_cut_off_replica_ages);
    tcase_add_test(tc, fallbacks_are_logged);
    return harness_run(s, tc);
}
