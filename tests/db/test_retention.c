/* Monthly partitions and retention on a real PostgreSQL: partitions made ahead, old months
 * dropped with their tickets and events while the KPI aggregates keep their numbers, a month
 * with an open ticket kept (and that ticket still found by the decision's look-up), and never
 * fewer months kept than the look-up reads. Months are counted back from now (UTC). */
#include "db_fixture.h"
#include "rd_test.h"

#include "repeatd/kpi_store.h"
#include "repeatd/maintain.h"
#include "repeatd/prepare.h"
#include "repeatd/store.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *url;
static rd_db *db;

#define CITIZEN_A "aa00000000000000000000000000000000000000000000000000000000000000"
#define CITIZEN_B "bb00000000000000000000000000000000000000000000000000000000000000"
#define CATEGORY  "HB.ZS.JZ"

static void exec_ok(const char *sql)
{
    ck_assert_msg(rd_db_simple(db, sql) == 0, "%s", sql);
}

static long long value_ll(const char *sql)
{
    char *v = dbt_value(db, sql);
    ck_assert_msg(v != NULL, "%s", sql);
    long long n = atoll(v);
    free(v);
    return n;
}

/* The UTC month `back` months before the current one (negative: ahead), as YYYYMM and as
 * an instant on its 10th day. */
static void month_of(int back, char yyyymm[16], char at[32])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int m = tm.tm_year * 12 + tm.tm_mon - back; /* months since 1900-01 */
    unsigned year = (unsigned)(1900 + m / 12) % 10000u, mon = (unsigned)(m % 12) + 1u;
    snprintf(yyyymm, 16, "%04u%02u", year, mon);
    if (at)
        snprintf(at, 32, "%04u-%02u-10T03:00:00Z", year, mon);
}

static bool partition_exists(const char *table, int back)
{
    char ym[16], sql[160];
    month_of(back, ym, NULL);
    snprintf(sql, sizeof(sql), "SELECT to_regclass('%s_%s') IS NOT NULL", table, ym);
    char *v = dbt_value(db, sql);
    bool yes = v && strcmp(v, "t") == 0;
    free(v);
    return yes;
}

static void insert_ticket(const char *id, const char *citizen, const char *received_at, bool open)
{
    store_answer a = {.decision = "new",
                      .rule = "R1",
                      .creates_work_order = true,
                      .definition_version = 1,
                      .actions = "dispatch"};
    snprintf(a.ticket_id, sizeof(a.ticket_id), "%s", id);
    snprintf(a.chain_id, sizeof(a.chain_id), "%s", id);
    ck_assert_int_eq(store_partition_for(db, received_at), 0);
    store_ticket_row row = {.ticket_id = id,
                            .citizen_hash_hex = citizen,
                            .category = CATEGORY,
                            .received_at = received_at,
                            .request_hash_hex = CITIZEN_A,
                            .answer = &a};
    ck_assert_int_eq(store_ticket_insert(db, &row), 0);
    if (!open)
        ck_assert_int_eq(store_apply_closed(db, id, received_at, "resolved"), 0);
}

/* Three tickets in each of the months 1..n back, each with two events; all closed but `open`
 * (the ticket "OPEN", of citizen A, in the month `open_back`; 0 for none). */
static void history(int n, int open_back)
{
    exec_ok("TRUNCATE ticket_events, ticket_facts, ticket_state, kpi_counts, kpi_defects");
    for (int back = 1; back <= n; back++) {
        char ym[16], at[32];
        month_of(back, ym, at);
        for (int i = 0; i < 3; i++) {
            char id[32];
            bool is_open = back == open_back && i == 0;
            if (is_open)
                snprintf(id, sizeof(id), "OPEN");
            else
                snprintf(id, sizeof(id), "T%s-%d", ym, i);
            insert_ticket(id, is_open ? CITIZEN_A : CITIZEN_B, at, is_open);
        }
    }
    exec_ok("INSERT INTO ticket_events (ticket_id, received_at, type, at, body)"
            " SELECT ticket_id, received_at, t.type, received_at + interval '1 hour', '{}'"
            " FROM ticket_state, (VALUES ('dispatched'), ('contact')) t(type)");
    /* The aggregates of every month, as intake and the lifecycle keep them. */
    exec_ok("INSERT INTO kpi_counts (dim, key, month, version, shard, complaints, repeats,"
            " contacted)"
            " SELECT d, '', (extract(year FROM received_at) * 12 + extract(month FROM received_at)"
            "  - 1)::integer, 1, 0, count(*), count(*) / 3, count(*) - 1"
            " FROM ticket_state, generate_series(0, 1) d GROUP BY 1, 3");
    exec_ok("INSERT INTO kpi_defects (dim, key, month, code, n)"
            " SELECT 1, 'U01', month, 'too_short', complaints FROM kpi_counts WHERE dim = 0");
    /* The decision mix's rows, as intake adds them (rd_kpi_decided). */
    exec_ok("INSERT INTO kpi_counts (dim, key, month, version, shard, complaints)"
            " SELECT 6, decision, (extract(year FROM received_at) * 12"
            "  + extract(month FROM received_at) - 1)::integer, definition_version, 0, count(*)"
            " FROM ticket_facts GROUP BY 2, 3, 4");
}

/* GET /v1/kpi/decisions' numbers for the last twelve months and this one, as text. */
static char *decision_mix(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int month = (1900 + tm.tm_year) * 12 + tm.tm_mon;
    rd_kpi_decision_count *c;
    size_t n;
    ck_assert_int_eq(store_kpi_decisions(db, 1, month - 12, month, &c, &n), 0);
    ck_assert_uint_gt(n, 0);
    char *text = calloc(n, 48);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < n; i++)
        snprintf(text + strlen(text), 48, "%d:%s:%d:%ld;", c[i].period_start,
                 rd_decision_name(c[i].decision), c[i].version, c[i].n);
    free(c);
    return text;
}

static void set_setting(const char *key, int value)
{
    char sql[160];
    /* Through the store's update, so that the revision a settings cache is keyed by moves. */
    snprintf(sql, sizeof(sql), "SELECT value FROM settings WHERE key = '%s'", key);
    char *old_text = dbt_value(db, sql);
    ck_assert_ptr_nonnull(old_text);
    json_t *old_v = json_integer(atoi(old_text)), *new_v = json_integer(value);
    ck_assert_int_eq(store_settings_update(db, key, old_v, new_v, "test", 1), 0);
    json_decref(old_v);
    json_decref(new_v);
    free(old_text);
}

static void maintain(rd_maintain_summary *ret)
{
    rd_service svc;
    rd_service_init(&svc, NULL, NULL, false);
    ck_assert_int_eq(rd_maintain(&svc, db, ret), 0);
    rd_service_done(&svc);
}

#define KPI_SUMS                                                                                   \
    "SELECT (SELECT sum(complaints) || '/' || sum(repeats) || '/' || sum(contacted) || '/'"        \
    " || count(*) FROM kpi_counts) || ' ' || (SELECT sum(n) || '/' || count(*) FROM kpi_defects)"

/* repeatd migrate (rd_prepare_database): last month, this month and three ahead; a month that
 * went missing is made again, and counted, by the maintenance. */
START_TEST(partitions_made_ahead)
{
    ck_assert_int_eq(rd_prepare_database(db), 0);
    for (int back = 1; back >= -3; back--) {
        ck_assert_msg(partition_exists("ticket_facts", back), "facts, %d months back", back);
        ck_assert_msg(partition_exists("ticket_events", back), "events, %d months back", back);
    }
    ck_assert(!partition_exists("ticket_facts", -4));
    char ym[16], sql[160];
    month_of(-3, ym, NULL);
    snprintf(sql, sizeof(sql), "DROP TABLE ticket_facts_%s, ticket_events_%s", ym, ym);
    exec_ok(sql);
    rd_maintain_summary sum;
    maintain(&sum);
    ck_assert_int_eq(sum.partitions_made, 1);
    ck_assert_int_eq(sum.keep_months, 0); /* retain_months 0: nothing looked at */
    ck_assert_uint_eq(sum.n_months, 0);
    rd_maintain_summary_free(&sum);
    ck_assert(partition_exists("ticket_facts", -3) && partition_exists("ticket_events", -3));
    maintain(&sum);
    ck_assert_int_eq(sum.partitions_made, 0);
    rd_maintain_summary_free(&sum);
}
END_TEST

/* Ten months of history, retain 3 with lookback 2: months 4..10 back are old enough; month 8
 * holds an open ticket and stays, whole, until that ticket is closed. */
START_TEST(retention_drops_old_months_and_keeps_the_aggregates)
{
    set_setting("lookback_months", 2);
    set_setting("retain_months", 3);
    history(10, 8);
    char *kpi_before = dbt_value(db, KPI_SUMS), *mix_before = decision_mix();
    ck_assert_int_eq(value_ll("SELECT count(*) FROM ticket_events"), 60);

    rd_maintain_summary sum;
    maintain(&sum);
    ck_assert_int_eq(sum.retain_months, 3);
    ck_assert_int_eq(sum.keep_months, 3);
    ck_assert_uint_eq(sum.n_months, 7); /* 10..4 back, oldest first */
    ck_assert_int_eq(sum.months_dropped, 6);
    ck_assert_int_eq(sum.months_kept_open, 1);
    ck_assert_int_eq(sum.tickets_removed, 18);
    char ym8[16];
    month_of(8, ym8, NULL);
    for (size_t i = 0; i < sum.n_months; i++) {
        char ym[16];
        month_of(10 - (int)i, ym, NULL);
        ck_assert_int_eq(strncmp(sum.months[i].month, ym, 4), 0);
        ck_assert_str_eq(sum.months[i].month + 5, ym + 4);
        ck_assert_int_eq(sum.months[i].tickets, 3);
        ck_assert_int_eq(sum.months[i].dropped, strcmp(ym, ym8) != 0);
        ck_assert_int_eq(sum.months[i].open_tickets, strcmp(ym, ym8) == 0);
    }
    char *line = rd_maintain_summary_json(&sum);
    ck_assert_ptr_nonnull(line);
    ck_assert_msg(strstr(line, "\"months_dropped\":6,\"months_kept_open\":1,"
                               "\"tickets_removed\":18") != NULL,
                  "%s", line);
    free(line);
    rd_maintain_summary_free(&sum);

    for (int back = 1; back <= 10; back++) {
        bool kept = back <= 3 || back == 8;
        ck_assert_msg(partition_exists("ticket_facts", back) == kept, "facts %d back", back);
        ck_assert_msg(partition_exists("ticket_events", back) == kept, "events %d back", back);
    }
    /* No state row is left of a dropped month; the kept months are whole. */
    ck_assert_int_eq(value_ll("SELECT count(*) FROM ticket_state"), 12);
    ck_assert_int_eq(value_ll("SELECT count(*) FROM ticket_state s WHERE NOT EXISTS"
                              " (SELECT 1 FROM ticket_facts f WHERE f.ticket_id = s.ticket_id)"),
                     0);
    ck_assert_int_eq(value_ll("SELECT count(*) FROM tickets"), 12);
    ck_assert_int_eq(value_ll("SELECT count(*) FROM ticket_events"), 24);
    char *kpi_after = dbt_value(db, KPI_SUMS);
    ck_assert_str_eq(kpi_after, kpi_before);
    free(kpi_after);

    /* Again: nothing more goes while the ticket is open. */
    maintain(&sum);
    ck_assert_int_eq(sum.months_dropped, 0);
    ck_assert_int_eq(sum.months_kept_open, 1);
    rd_maintain_summary_free(&sum);
    ck_assert(partition_exists("ticket_facts", 8));

    /* Closed, its month goes on the next run. */
    ck_assert_int_eq(store_apply_closed(db, "OPEN", "2026-01-01T00:00:00Z", "resolved"), 0);
    maintain(&sum);
    ck_assert_int_eq(sum.months_dropped, 1);
    ck_assert_int_eq(sum.tickets_removed, 3);
    rd_maintain_summary_free(&sum);
    ck_assert(!partition_exists("ticket_facts", 8) && !partition_exists("ticket_events", 8));
    ck_assert_int_eq(value_ll("SELECT count(*) FROM ticket_state"), 9);
    kpi_after = dbt_value(db, KPI_SUMS);
    ck_assert_str_eq(kpi_after, kpi_before);
    free(kpi_after);
    free(kpi_before);
    /* The decision mix of the dropped months too: ten months of three tickets each. */
    char *mix_after = decision_mix();
    ck_assert_str_eq(mix_after, mix_before);
    ck_assert_int_eq(value_ll("SELECT sum(complaints) FROM kpi_counts WHERE dim = 6"), 30);
    free(mix_after);
    free(mix_before);
    set_setting("retain_months", 0);
    set_setting("lookback_months", 12);
}
END_TEST

/* The open ticket of a month older than the lookback, kept by retention, is still a
 * candidate of a new call of its citizen: the look-up's second range (ticket_state_open)
 * reaches its month's partition across the months that were dropped. */
START_TEST(open_ticket_found_across_partitions_after_retention)
{
    set_setting("lookback_months", 2);
    set_setting("retain_months", 3);
    history(10, 8);
    rd_maintain_summary sum;
    maintain(&sum);
    ck_assert_int_eq(sum.months_kept_open, 1);
    rd_maintain_summary_free(&sum);

    char ym[16], now_at[32];
    month_of(0, ym, now_at);
    store_candidate_query q = {.citizen_hash_hex = CITIZEN_A,
                               .category = CATEGORY,
                               .received_at = now_at,
                               .ticket_id = "NEW",
                               .lookback_months = 2,
                               .time_zone = "Asia/Shanghai"};
    rd_prior p[4];
    store_candidate_extra extra[4];
    store_candidate_page page;
    ck_assert_int_eq(store_candidates(db, &q, p, extra, 4, &page), 0);
    ck_assert_uint_eq(page.n, 1);
    ck_assert_str_eq(p[0].ticket_id, "OPEN");
    ck_assert(p[0].open);
    ck_assert(!extra[0].in_lookback);
    set_setting("retain_months", 0);
    set_setting("lookback_months", 12);
}
END_TEST

/* retain_months below lookback_months + 1 keeps lookback_months + 1 months; and a closed
 * ticket received exactly at the start of a new call's lookback, in the zones farthest east and
 * west of UTC, is in a month that retention keeps and is still found. */
START_TEST(retention_never_below_the_lookback)
{
    static const char *const zones[] = {"Pacific/Kiritimati", "Pacific/Pago_Pago"};
    set_setting("lookback_months", 6);
    set_setting("retain_months", 1);
    history(9, 0);
    char *now_text = dbt_value(db, "SELECT to_char(now() AT TIME ZONE 'UTC',"
                                   " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
    for (size_t z = 0; z < 2; z++) {
        char sql[400], id[16];
        snprintf(sql, sizeof(sql),
                 "SELECT to_char(((('%s'::timestamptz AT TIME ZONE '%s') - interval '6 months')"
                 " AT TIME ZONE '%s') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
                 now_text, zones[z], zones[z]);
        char *edge = dbt_value(db, sql);
        snprintf(id, sizeof(id), "EDGE%zu", z);
        insert_ticket(id, CITIZEN_A, edge, false);
        free(edge);
    }
    rd_maintain_summary sum;
    maintain(&sum);
    ck_assert_int_eq(sum.retain_months, 1);
    ck_assert_int_eq(sum.keep_months, 7);
    ck_assert_int_eq(sum.months_dropped, 2); /* 9 and 8 back */
    rd_maintain_summary_free(&sum);
    for (int back = 1; back <= 9; back++)
        ck_assert_msg(partition_exists("ticket_facts", back) == (back <= 7), "%d back", back);
    for (size_t z = 0; z < 2; z++) {
        store_candidate_query q = {.citizen_hash_hex = CITIZEN_A,
                                   .category = CATEGORY,
                                   .received_at = now_text,
                                   .ticket_id = "NEW",
                                   .lookback_months = 6,
                                   .time_zone = zones[z]};
        rd_prior p[4];
        store_candidate_extra extra[4];
        store_candidate_page page;
        ck_assert_int_eq(store_candidates(db, &q, p, extra, 4, &page), 0);
        char want[16];
        snprintf(want, sizeof(want), "EDGE%zu", z);
        bool found = false;
        for (size_t i = 0; i < page.n; i++)
            found = found || (strcmp(p[i].ticket_id, want) == 0 && extra[i].in_lookback);
        ck_assert_msg(found, "%s in %s", want, zones[z]);
    }
    free(now_text);
    set_setting("retain_months", 0);
    set_setting("lookback_months", 12);
}
END_TEST

/* The function itself refuses to keep less than a month or drop less than one a call, and
 * drops nothing then. */
START_TEST(drop_months_refuses_keep_below_one)
{
    history(2, 0);
    store_month_drop *m = NULL;
    size_t n = 0;
    ck_assert_int_lt(store_drop_months(db, 0, NULL, 1, &m, &n), 0);
    ck_assert_int_lt(store_drop_months(db, 1, NULL, 0, &m, &n), 0);
    ck_assert_int_ne(rd_db_simple(db, "SELECT rd_drop_months(0, NULL, 1)"), 0);
    ck_assert_int_ne(rd_db_simple(db, "SELECT rd_drop_months(1, NULL, 0)"), 0);
    ck_assert_int_eq(value_ll("SELECT count(*) FROM ticket_state"), 6);
}
END_TEST

/* A month a call when asked: the oldest first, then on from the month named `after`. */
START_TEST(drop_months_one_at_a_time)
{
    history(5, 0);
    char ym[16], want[8];
    store_month_drop *m = NULL;
    size_t n = 0;
    /* The empty months older than this history, that the cases before left. */
    ck_assert_int_eq(store_drop_months(db, 5, NULL, 1000, &m, &n), 0);
    free(m);
    ck_assert(partition_exists("ticket_facts", 5) && !partition_exists("ticket_facts", 6));
    ck_assert_int_eq(store_drop_months(db, 2, NULL, 1, &m, &n), 0);
    ck_assert_uint_eq(n, 1);
    month_of(5, ym, NULL);
    snprintf(want, sizeof(want), "%.4s-%.2s", ym, ym + 4);
    ck_assert_str_eq(m[0].month, want);
    ck_assert(m[0].dropped);
    free(m);
    ck_assert(!partition_exists("ticket_facts", 5) && partition_exists("ticket_facts", 4));
    ck_assert_int_eq(store_drop_months(db, 2, want, 2, &m, &n), 0);
    ck_assert_uint_eq(n, 2); /* 4 and 3 back; 2 and 1 back are kept */
    ck_assert(m[0].dropped && m[1].dropped);
    free(m);
    ck_assert(!partition_exists("ticket_facts", 3) && partition_exists("ticket_facts", 2));
    ck_assert_int_eq(store_drop_months(db, 2, NULL, 1, &m, &n), 0);
    ck_assert_uint_eq(n, 0);
    free(m);
    ck_assert_int_eq(value_ll("SELECT count(*) FROM ticket_state"), 6);
}
END_TEST

/* A ticket whose state row is not deleted with its month's (reopened between the count and
 * the delete; here a trigger holds it back) keeps the month whole: its other rows come back. */
START_TEST(month_reopened_while_dropping_is_kept)
{
    history(3, 0);
    store_month_drop *m = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_drop_months(db, 3, NULL, 1000, &m, &n), 0); /* older, empty months */
    free(m);
    char ym[16], sql[512];
    month_of(3, ym, NULL);
    snprintf(sql, sizeof(sql),
             "CREATE FUNCTION hold_back() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
             " RETURN CASE WHEN OLD.ticket_id = 'T%s-1' THEN NULL ELSE OLD END; END $$;"
             " CREATE TRIGGER hold_back BEFORE DELETE ON ticket_state"
             " FOR EACH ROW EXECUTE FUNCTION hold_back()",
             ym);
    exec_ok(sql);
    ck_assert_int_eq(store_drop_months(db, 1, NULL, 1, &m, &n), 0);
    exec_ok("DROP TRIGGER hold_back ON ticket_state; DROP FUNCTION hold_back()");
    ck_assert_uint_eq(n, 2);
    ck_assert(!m[0].dropped && m[1].dropped); /* 3 back kept, 2 back dropped */
    ck_assert_int_eq(m[0].tickets, 3);
    ck_assert_int_eq(m[0].open_tickets, 1);
    free(m);
    ck_assert(partition_exists("ticket_facts", 3) && !partition_exists("ticket_facts", 2));
    ck_assert_int_eq(value_ll("SELECT count(*) FROM tickets"), 6); /* months 3 and 1 */
}
END_TEST

typedef struct run {
    int r;
    rd_maintain_summary sum;
} run;

static void *maintain_thread(void *arg)
{
    run *x = arg;
    rd_db *c = rd_db_connect(url);
    rd_service svc;
    rd_service_init(&svc, NULL, NULL, false);
    x->r = c ? rd_maintain(&svc, c, &x->sum) : -1;
    rd_service_done(&svc);
    rd_db_close(c);
    return NULL;
}

/* Two runs at once (the server's and the timer's): they take turns a month at a time, both
 * succeed, and no month is dropped twice. */
START_TEST(two_runs_at_once_take_turns)
{
    history(6, 0);
    store_month_drop *m = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_drop_months(db, 6, NULL, 1000, &m, &n), 0); /* older, empty months */
    free(m);
    set_setting("lookback_months", 1);
    set_setting("retain_months", 1); /* keeps 2 */
    run runs[2] = {{0}, {0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, maintain_thread, &runs[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(runs[0].r, 0);
    ck_assert_int_eq(runs[1].r, 0);
    ck_assert_int_eq(runs[0].sum.keep_months, 2);
    ck_assert_int_eq(runs[0].sum.months_dropped + runs[1].sum.months_dropped, 4);
    ck_assert_int_eq(runs[0].sum.tickets_removed + runs[1].sum.tickets_removed, 12);
    for (int i = 0; i < 2; i++)
        rd_maintain_summary_free(&runs[i].sum);
    for (int back = 1; back <= 6; back++)
        ck_assert_msg(partition_exists("ticket_facts", back) == (back <= 2), "%d back", back);
    ck_assert_int_eq(value_ll("SELECT count(*) FROM ticket_state"), 6);
    set_setting("retain_months", 0);
    set_setting("lookback_months", 12);
}
END_TEST

int main(void)
{
    url = dbt_create_database("repeatd_retention");
    if (!url)
        rd_test_skip("REPEATD_TEST_DATABASE_URL is not set");
    db = dbt_connect_prepared();
    if (store_category_upsert(db, CATEGORY, "建筑施工噪声", NULL, false) < 0)
        return 1;
    Suite *s = suite_create("retention");
    TCase *tc = tcase_create("retention");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, partitions_made_ahead);
    tcase_add_test(tc, retention_drops_old_months_and_keeps_the_aggregates);
    tcase_add_test(tc, open_ticket_found_across_partitions_after_retention);
    tcase_add_test(tc, retention_never_below_the_lookback);
    tcase_add_test(tc, drop_months_refuses_keep_below_one);
    tcase_add_test(tc, drop_months_one_at_a_time);
    tcase_add_test(tc, month_reopened_while_dropping_is_kept);
    tcase_add_test(tc, two_runs_at_once_take_turns);
    suite_add_tcase(s, tc);
    int rc = rd_test_run(s, false);
    rd_db_close(db);
    dbt_drop_database();
    return rc;
}
