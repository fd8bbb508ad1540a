/* The store against a real PostgreSQL: migrations, settings, candidates, lifecycle state. */
#include "db_fixture.h"
#include "rd_test.h"

#include "repeatd/citizen.h"
#include "repeatd/codec.h"
#include "repeatd/migrations.h"
#include "repeatd/months.h"
#include "repeatd/result.h"
#include "repeatd/store.h"
#include "repeatd/ticket_view.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *url;
static rd_db *db;

#define CITIZEN_A "aa00000000000000000000000000000000000000000000000000000000000000"
#define CITIZEN_B "bb00000000000000000000000000000000000000000000000000000000000000"

/* The first page of citizen A's candidates on HB.ZS.JZ for a new ticket at `at`. */
static int candidates(const char *at, rd_prior *p, size_t max, size_t *ret_n)
{
    store_candidate_query q = {.citizen_hash_hex = CITIZEN_A,
                               .category = "HB.ZS.JZ",
                               .received_at = at,
                               .ticket_id = "NEW",
                               .lookback_months = 12,
                               .time_zone = "Asia/Shanghai"};
    store_candidate_page page;
    store_candidate_extra extra[64];
    ck_assert_uint_le(max, 64);
    int r = store_candidates(db, &q, p, extra, max, &page);
    *ret_n = page.n;
    return r;
}

static void exec_ok(const char *sql)
{
    ck_assert_int_eq(rd_db_simple(db, sql), 0);
}

static void insert_ticket(const char *id, const char *citizen, const char *category,
                          const char *received_at, bool work_order)
{
    store_answer a = {
        .decision = "new",
        .rule = "R1",
        .creates_work_order = work_order,
        .definition_version = 1,
        .actions = "dispatch",
    };
    if (!work_order) {
        snprintf(a.decision, sizeof(a.decision), "excluded_in_progress");
        snprintf(a.rule, sizeof(a.rule), "R2");
        snprintf(a.actions, sizeof(a.actions), "explain_progress");
    }
    snprintf(a.ticket_id, sizeof(a.ticket_id), "%s", id);
    snprintf(a.chain_id, sizeof(a.chain_id), "%s", id);
    ck_assert_int_eq(store_partition_for(db, received_at), 0);
    store_ticket_row row = {
        .ticket_id = id,
        .citizen_hash_hex = citizen,
        .category = category,
        .received_at = received_at,
        .request_hash_hex = CITIZEN_A,
        .answer = &a,
    };
    ck_assert_int_eq(store_ticket_insert(db, &row), 0);
}

static void setup_categories(void)
{
    exec_ok("TRUNCATE ticket_events, ticket_facts, ticket_state; DELETE FROM categories");
    ck_assert_int_eq(store_category_upsert(db, "HB", "环境保护", NULL, false), 0);
    ck_assert_int_eq(store_category_upsert(db, "HB.ZS", "噪声污染", "HB", false), 0);
    ck_assert_int_eq(store_category_upsert(db, "HB.ZS.JZ", "建筑施工噪声", "HB.ZS", false), 0);
    ck_assert_int_eq(store_category_upsert(db, "SB.YB", "医保", NULL, true), 0);
}

START_TEST(migrations_apply_once)
{
    ck_assert_int_eq(store_migrate(db), 0); /* already applied by the fixture */
    char *n = dbt_value(db, "SELECT count(*) FROM schema_migrations");
    ck_assert_int_eq(atoi(n), (int)rd_migration_count);
    free(n);
}
END_TEST

static void *migrate_thread(void *arg)
{
    rd_db *c = rd_db_connect(arg);
    intptr_t r = c ? store_migrate(c) : -1;
    rd_db_close(c);
    return (void *)r;
}

/* Two instances starting together on an empty database: the advisory lock orders them, so
 * each migration is applied exactly once and neither fails. */
START_TEST(migrations_concurrent_start)
{
    exec_ok("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    pthread_t t[2];
    void *r[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, migrate_thread, (void *)url);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], &r[i]);
    ck_assert_int_ge((intptr_t)r[0], 0);
    ck_assert_int_ge((intptr_t)r[1], 0);
    ck_assert_int_eq((intptr_t)r[0] + (intptr_t)r[1], (intptr_t)rd_migration_count);
    rd_db_close(db);
    db = dbt_connect_prepared(); /* settings again, on the fresh schema */
}
END_TEST

START_TEST(settings_seed_is_idempotent)
{
    rd_settings s;
    rd_settings_defaults(&s);
    json_t *d = rd_settings_to_json(&s);
    ck_assert_int_eq(store_settings_seed(db, d), 0);
    ck_assert_int_eq(store_settings_seed(db, d), 0);
    store_settings_stored loaded;
    ck_assert_int_eq(store_settings_load(db, &loaded), 0);
    ck_assert_int_eq(loaded.definition_version, 1);
    ck_assert(json_equal(loaded.values, d));
    json_decref(loaded.values);
    json_decref(d);

    /* Every change bumps the revision that the servers' settings caches are keyed by. */
    int64_t before, after;
    ck_assert_int_eq(store_settings_revision(db, &before), 0);
    ck_assert_int_eq(before, loaded.revision);
    json_t *old_v = json_integer(3), *new_v = json_integer(4);
    ck_assert_int_eq(store_settings_update(db, "ranking_bottom_n", old_v, new_v, "test", 1), 0);
    ck_assert_int_eq(store_settings_revision(db, &after), 0);
    ck_assert_int_eq(after, before + 1);
    ck_assert_int_eq(store_settings_update(db, "ranking_bottom_n", new_v, old_v, "test", 1), 0);
    json_decref(old_v);
    json_decref(new_v);
}
END_TEST

START_TEST(category_lookup_leaf_policy_offset)
{
    setup_categories();
    store_category c;
    ck_assert_int_eq(
        store_category_get(db, "HB.ZS.JZ", "2026-11-28T09:15:00+08:00", "Asia/Shanghai", &c), 0);
    ck_assert(c.found && c.leaf && !c.policy);
    ck_assert_int_eq(c.utc_offset, 8 * 3600);
    ck_assert_int_eq(
        store_category_get(db, "HB.ZS", "2026-11-28T09:15:00+08:00", "Asia/Shanghai", &c), 0);
    ck_assert(c.found && !c.leaf);
    ck_assert_int_eq(
        store_category_get(db, "SB.YB", "2026-07-01T12:00:00Z", "America/New_York", &c), 0);
    ck_assert(c.found && c.leaf && c.policy);
    ck_assert_int_eq(c.utc_offset, -4 * 3600); /* daylight saving time in July */
    ck_assert_int_eq(store_category_get(db, "NOPE", "2026-07-01T12:00:00Z", "UTC", &c), 0);
    ck_assert(!c.found);
    ck_assert_int_eq(store_category_would_cycle(db, "HB", "HB.ZS.JZ"), 1);
    ck_assert_int_eq(store_category_would_cycle(db, "SB.YB", "HB.ZS"), 0);
}
END_TEST

/* Midnight in Shanghai: 16:30 UTC on Jan 31 is 00:30 on Feb 1 there, so another month. */
START_TEST(candidate_month_at_local_midnight)
{
    setup_categories();
    insert_ticket("P1", CITIZEN_A, "HB.ZS.JZ", "2026-01-31T16:30:00Z", true);
    rd_prior p[4];
    size_t n = 0;
    ck_assert_int_eq(candidates("2026-02-10T10:00:00+08:00", p, 4, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(p[0].received_offset, 8 * 3600);
    ck_assert_int_eq(rd_month_index(p[0].received_at, p[0].received_offset), 2026 * 12 + 1);
    ck_assert_int_eq(rd_month_index(p[0].received_at, 0), 2026 * 12 + 0);
}
END_TEST

START_TEST(candidates_filter_and_order)
{
    setup_categories();
    insert_ticket("OLD-OPEN", CITIZEN_A, "HB.ZS.JZ", "2024-01-10T10:00:00+08:00", true);
    insert_ticket("OLD-CLOSED", CITIZEN_A, "HB.ZS.JZ", "2025-10-10T10:00:00+08:00", true);
    insert_ticket("RECENT", CITIZEN_A, "HB.ZS.JZ", "2026-10-20T10:00:00+08:00", true);
    insert_ticket("EXCLUDED", CITIZEN_A, "HB.ZS.JZ", "2026-10-25T10:00:00+08:00", false);
    insert_ticket("OTHER-CITIZEN", CITIZEN_B, "HB.ZS.JZ", "2026-10-26T10:00:00+08:00", true);
    insert_ticket("OTHER-CATEGORY", CITIZEN_A, "SB.YB", "2026-10-27T10:00:00+08:00", true);
    insert_ticket("LATER", CITIZEN_A, "HB.ZS.JZ", "2026-12-01T10:00:00+08:00", true);
    ck_assert_int_eq(store_apply_closed(db, "OLD-CLOSED", "2025-10-12T10:00:00+08:00", "resolved"),
                     0);
    /* Exactly at the lookback boundary: 12 months before 2026-11-10 10:00 is still in. */
    insert_ticket("BOUNDARY", CITIZEN_A, "HB.ZS.JZ", "2025-11-10T10:00:00+08:00", true);
    ck_assert_int_eq(store_apply_closed(db, "BOUNDARY", "2025-11-11T10:00:00+08:00", "resolved"),
                     0);

    rd_prior p[8];
    size_t n = 0;
    ck_assert_int_eq(candidates("2026-11-10T10:00:00+08:00", p, 8, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(p[0].ticket_id, "RECENT"); /* newest first */
    ck_assert_str_eq(p[1].ticket_id, "BOUNDARY");
    ck_assert_str_eq(p[2].ticket_id, "OLD-OPEN"); /* open: any age */
    ck_assert(p[2].open && !p[1].open);
    ck_assert_int_eq(p[1].outcome, RD_OUTCOME_RESOLVED);
    /* A limit keeps the newest; the cursor pages on to the older ones, and the page after the
     * last is empty and not full. */
    store_candidate_query q = {.citizen_hash_hex = CITIZEN_A,
                               .category = "HB.ZS.JZ",
                               .received_at = "2026-11-10T10:00:00+08:00",
                               .ticket_id = "NEW",
                               .lookback_months = 12,
                               .time_zone = "Asia/Shanghai"};
    static const char *const pages[] = {"RECENT", "BOUNDARY", "OLD-OPEN"};
    char cursor[RD_ID_MAX];
    store_candidate_page page;
    store_candidate_extra extra[1];
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(store_candidates(db, &q, p, extra, 1, &page), 0);
        ck_assert_uint_eq(page.n, 1);
        ck_assert(page.full);
        ck_assert_str_eq(p[0].ticket_id, pages[i]);
        snprintf(cursor, sizeof(cursor), "%s", p[0].ticket_id);
        q.before_ticket_id = cursor;
        q.before_received_at_us = page.last_received_at_us;
    }
    ck_assert_int_eq(store_candidates(db, &q, p, extra, 1, &page), 0);
    ck_assert_uint_eq(page.n, 0);
    ck_assert(!page.full);
}
END_TEST

/* A prior older than the lookback (ticket_state_open's range) is filtered as the lookback's
 * are: the citizen's problem (key and check: another citizen's ticket under the same key by
 * chance is not), inside the box or without coordinates; and it carries its facts. */
START_TEST(old_open_priors_are_filtered_like_recent_ones)
{
    setup_categories();
    insert_ticket("OLD-IN", CITIZEN_A, "HB.ZS.JZ", "2024-01-10T10:00:00+08:00", true);
    insert_ticket("OLD-OUT", CITIZEN_A, "HB.ZS.JZ", "2024-02-10T10:00:00+08:00", true);
    insert_ticket("OLD-NOWHERE", CITIZEN_A, "HB.ZS.JZ", "2024-03-10T10:00:00+08:00", true);
    insert_ticket("COLLIDE", CITIZEN_B, "HB.ZS.JZ", "2024-04-10T10:00:00+08:00", true);
    insert_ticket("NEW-COLLIDE", CITIZEN_B, "HB.ZS.JZ", "2026-10-10T10:00:00+08:00", true);
    exec_ok("UPDATE ticket_state SET lat = 23.05, lon = 113.05, repeat_ordinal = 2,"
            " chain_id = 'CHAIN-IN' WHERE ticket_id = 'OLD-IN'");
    exec_ok("UPDATE ticket_state SET lat = 24.05, lon = 113.05 WHERE ticket_id = 'OLD-OUT'");
    /* Another citizen's tickets under citizen A's problem key: a hash collision. */
    exec_ok("UPDATE ticket_state SET problem_key = rd_problem_key('\\x" CITIZEN_A "', 'HB.ZS.JZ')"
            " WHERE ticket_id IN ('COLLIDE', 'NEW-COLLIDE')");
    store_candidate_query q = {.citizen_hash_hex = CITIZEN_A,
                               .category = "HB.ZS.JZ",
                               .received_at = "2026-11-10T10:00:00+08:00",
                               .ticket_id = "NEW",
                               .lookback_months = 12,
                               .time_zone = "Asia/Shanghai",
                               .has_box = true,
                               .lat_min = 23.0,
                               .lat_max = 23.1,
                               .lon_min = 113.0,
                               .lon_max = 113.1};
    static const char *const pages[] = {"OLD-NOWHERE", "OLD-IN"};
    rd_prior p[1];
    store_candidate_extra extra[1];
    store_candidate_page page;
    char cursor[RD_ID_MAX];
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(store_candidates(db, &q, p, extra, 1, &page), 0);
        ck_assert_msg(page.full && page.n == 1, "page %zu", i);
        ck_assert_str_eq(p[0].ticket_id, pages[i]);
        ck_assert_str_eq(page.last_ticket_id, pages[i]);
        ck_assert(!extra[0].in_lookback && p[0].open);
        snprintf(cursor, sizeof(cursor), "%s", page.last_ticket_id);
        q.before_ticket_id = cursor;
        q.before_received_at_us = page.last_received_at_us;
    }
    ck_assert(p[0].has_location && p[0].lat == 23.05 && p[0].lon == 113.05);
    ck_assert_int_eq(p[0].repeat_ordinal, 2);
    ck_assert_str_eq(p[0].chain_id, "CHAIN-IN");
    ck_assert_int_eq(store_candidates(db, &q, p, extra, 1, &page), 0);
    ck_assert(page.n == 0 && !page.full);
    /* All in one page: the two, newest first; the collisions nowhere. */
    q.before_ticket_id = NULL;
    rd_prior all[8];
    store_candidate_extra all_extra[8];
    ck_assert_int_eq(store_candidates(db, &q, all, all_extra, 8, &page), 0);
    ck_assert(page.n == 2 && !page.full);
    ck_assert_str_eq(all[0].ticket_id, "OLD-NOWHERE");
    ck_assert(!all[0].has_location);
    ck_assert_str_eq(all[1].ticket_id, "OLD-IN");
}
END_TEST

/* The decision's look-up must stay one index range scan as history grows. */
/* The whole plan of an EXPLAIN, its lines joined. */
static char *plan_of(const char *sql)
{
    PGresult *res = PQexec(db->conn, sql);
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    size_t cap = 1, n = 0;
    for (int i = 0; i < PQntuples(res); i++)
        cap += strlen(PQgetvalue(res, i, 0)) + 1;
    char *plan = calloc(1, cap);
    for (int i = 0; plan && i < PQntuples(res); i++)
        n += (size_t)snprintf(plan + n, cap - n, "%s\n", PQgetvalue(res, i, 0));
    PQclear(res);
    ck_assert_ptr_nonnull(plan);
    return plan;
}

/* Index ranges of ticket_state only: the problem's tickets of the lookback
 * (ticket_state_problem), and its open tickets of any age (ticket_state_open); no month's
 * partition of ticket_facts is read, however old the open ticket. On a table with statistics
 * (5,000 tickets of 500 other problems, analysed) and in both plans the server may run: the
 * custom plan of the first executions and the generic one its cache settles on after five,
 * for the first page and for a later page inside a box. */
START_TEST(candidates_use_two_index_ranges)
{
    setup_categories();
    insert_ticket("OLD", CITIZEN_A, "HB.ZS.JZ", "2020-01-15T10:00:00+08:00", true);
    rd_prior p[1];
    size_t n;
    ck_assert_int_eq(candidates("2026-11-10T10:00:00+08:00", p, 1, &n),
                     0);    /* prepares the statement on this connection */
    ck_assert_int_eq(n, 1); /* the open ticket of 2020 is a candidate */
    ck_assert_str_eq(p[0].ticket_id, "OLD");
    exec_ok(
        "INSERT INTO ticket_state (ticket_id, received_at, problem_key, creates_work_order,"
        " status, closed_at, changed_at, problem_check, repeat_ordinal, chain_id)"
        " SELECT 'FILL-' || g, '2026-11-10T10:00:00+08:00'::timestamptz - g * interval '3 hours',"
        "  g % 500, true, CASE WHEN g % 10 = 0 THEN 'open' ELSE 'closed' END,"
        "  CASE WHEN g % 10 = 0 THEN NULL ELSE '2026-11-10T10:00:00+08:00'::timestamptz END,"
        "  now(), 0, 0, 'FILL-' || g FROM generate_series(1, 5000) g");
    exec_ok("ANALYZE ticket_state");
    static const char *const modes[] = {"force_custom_plan", "force_generic_plan"};
    static const char *const args[] = {
        "NULL, NULL, NULL, NULL, NULL, NULL",
        "23.0, 23.1, 113.0, 113.1, '2025-11-01T12:26:40+00:00', 'X'",
    };
    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        char set[64];
        snprintf(set, sizeof(set), "SET plan_cache_mode = %s", modes[m]);
        exec_ok(set);
        for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
            char sql[512];
            snprintf(sql, sizeof(sql),
                     "EXPLAIN (FORMAT TEXT) EXECUTE ticket_candidates('\\x" CITIZEN_A
                     "', 'HB.ZS.JZ', '2026-11-10T10:00:00+08:00', 'NEW', 12, 'Asia/Shanghai', 32,"
                     " %s)",
                     args[i]);
            char *plan = plan_of(sql);
            ck_assert_msg(strstr(plan, "ticket_state_problem") != NULL, "%s: %.1200s", modes[m],
                          plan);
            ck_assert_msg(strstr(plan, "ticket_state_open") != NULL, "%s: %.1200s", modes[m], plan);
            ck_assert_msg(strstr(plan, "ticket_facts") == NULL, "%s: %.1200s", modes[m], plan);
            ck_assert_msg(strstr(plan, "Seq Scan") == NULL, "%s: %.1200s", modes[m], plan);
            free(plan);
        }
    }
    exec_ok("RESET plan_cache_mode");
    exec_ok("DELETE FROM ticket_state WHERE ticket_id LIKE 'FILL-%'");
}
END_TEST

/* The problem key and check that import writes (C) are those intake's insert and look-up
 * compute (SQL). */
START_TEST(problem_key_is_the_same_in_c_and_sql)
{
    static const char *const categories[] = {"HB.ZS.JZ", "SB.YB", "城建.路灯", "x"};
    static const char *const citizens[] = {CITIZEN_A, CITIZEN_B};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 2; j++) {
            char sql[512], want[64];
            snprintf(
                sql, sizeof(sql),
                "SELECT rd_problem_key('\\x%s', '%s') || ' ' || rd_problem_check('\\x%s', '%s')",
                citizens[j], categories[i], citizens[j], categories[i]);
            char *got = dbt_value(db, sql);
            snprintf(want, sizeof(want), "%lld %lld",
                     (long long)rd_problem_key(citizens[j], categories[i]),
                     (long long)rd_problem_check(citizens[j], categories[i]));
            ck_assert_str_eq(got, want);
            ck_assert(rd_problem_key(citizens[j], categories[i]) !=
                      rd_problem_check(citizens[j], categories[i]));
            free(got);
        }
}
END_TEST

START_TEST(lifecycle_state_follows_events)
{
    setup_categories();
    insert_ticket("L1", CITIZEN_A, "HB.ZS.JZ", "2026-11-01T10:00:00+08:00", true);
    store_ticket_state st;
    ck_assert_int_eq(store_ticket_lock_state(db, "L1", NULL, &st, NULL), 0);
    ck_assert(st.found && st.open && st.creates_work_order && !st.dispatched);
    ck_assert_int_eq(
        store_apply_dispatched(db, "L1", "2026-11-01T11:00:00+08:00", "U01", "T3", "H17", NULL), 0);
    ck_assert_int_eq(store_apply_contact(db, "L1", "2026-11-01T12:00:00+08:00", false), 0);
    ck_assert_int_eq(store_apply_contact(db, "L1", "2026-11-01T13:00:00+08:00", true), 0);
    ck_assert_int_eq(store_apply_closeout(db, "L1", "2026-11-02T10:00:00+08:00", false, false), 0);
    ck_assert_int_eq(store_apply_closeout(db, "L1", "2026-11-02T11:00:00+08:00", true, true), 0);
    ck_assert_int_eq(store_apply_followup(db, "L1", "2026-11-03T10:00:00+08:00", false), 0);
    ck_assert_int_eq(store_ticket_lock_state(db, "L1", NULL, &st, NULL), 0);
    ck_assert(st.dispatched && st.contact_reached && st.closeout_accepted && st.followup_recorded &&
              !st.followup_reached);
    ck_assert_int_eq(st.contact_failures, 1);
    char *v = dbt_value(db, "SELECT first_contact_failed::text || closeout_rejections || "
                            "closeout_unresolved::text FROM tickets WHERE ticket_id = 'L1'");
    ck_assert_str_eq(v, "true1true");
    free(v);
    ck_assert_int_eq(store_apply_closed(db, "L1", "2026-11-05T10:00:00+08:00", "resolved"), 0);
    ck_assert_int_eq(store_apply_reopened(db, "L1", "2026-11-06T10:00:00+08:00"), 0);
    ck_assert_int_eq(store_ticket_lock_state(db, "L1", NULL, &st, NULL), 0);
    ck_assert(st.open && !st.closeout_accepted && !st.followup_recorded && st.contact_reached);
    ck_assert_int_eq(store_ticket_lock_state(db, "MISSING", NULL, &st, NULL), 0);
    ck_assert(!st.found);
}
END_TEST

/* A connection whose table of prepared statements is full runs further statements unnamed:
 * twice, with the right answer, and never prepares a name a second time. */
START_TEST(statements_past_the_prepared_table_still_run)
{
    rd_db *c = rd_db_connect(url);
    ck_assert_ptr_nonnull(c);
    static const rd_stmt filler = {"never_prepared", "SELECT 1", 0};
    while (c->n_prepared < RD_STMTS_PER_CONN)
        c->prepared[c->n_prepared++] = &filler;
    static const rd_stmt q = {"overflow_probe", "SELECT $1::integer + 1 AS n", 1};
    const char *params[] = {"41"};
    for (int i = 0; i < 2; i++) {
        PGresult *res;
        ck_assert_int_eq(rd_db_exec(c, &q, params, &res), 0);
        ck_assert_str_eq(PQgetvalue(res, 0, 0), "42");
        PQclear(res);
    }
    rd_db_close(c);
}
END_TEST

/* Times read back carry the offset of the zone asked for at their own instant: a 311 line in
 * New York reads a July ticket at -04:00 and a January one at -05:00. */
START_TEST(times_carry_the_zone_offset_of_their_instant)
{
    setup_categories();
    insert_ticket("TZ-SUMMER", CITIZEN_A, "HB.ZS.JZ", "2026-07-01T12:00:00Z", true);
    insert_ticket("TZ-WINTER", CITIZEN_A, "HB.ZS.JZ", "2026-01-15T12:00:00Z", true);
    static const struct {
        const char *id, *zone;
        int offset;
    } cases[] = {
        {"TZ-SUMMER", "America/New_York", -4 * 3600},
        {"TZ-WINTER", "America/New_York", -5 * 3600},
        {"TZ-SUMMER", "Asia/Shanghai", 8 * 3600},
        {"TZ-WINTER", "UTC", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rd_ticket_view *v;
        store_answer a;
        ck_assert_int_eq(store_ticket_view(db, cases[i].id, 0, cases[i].zone, &v, &a), 0);
        ck_assert_ptr_nonnull(v);
        ck_assert_int_eq(v->received_at.offset, cases[i].offset);
        ck_assert(!v->has_closed_at);
        /* Read again in one flight, its received_at known: the same view. */
        rd_ticket_view *w;
        store_answer b;
        ck_assert_int_eq(
            store_ticket_view(db, cases[i].id, v->received_at.us, cases[i].zone, &w, &b), 0);
        ck_assert_ptr_nonnull(w);
        ck_assert_str_eq(w->ticket_id, v->ticket_id);
        ck_assert_str_eq(w->status, v->status);
        ck_assert_str_eq(w->category, v->category);
        ck_assert_int_eq(w->received_at.us, v->received_at.us);
        ck_assert_int_eq(w->received_at.offset, v->received_at.offset);
        ck_assert_str_eq(b.decision, a.decision);
        ck_assert_str_eq(b.chain_id, a.chain_id);
        rd_ticket_view_free(w);
        rd_ticket_view_free(v);
    }
    /* No such ticket: nothing, whichever way. */
    rd_ticket_view *none = (rd_ticket_view *)1;
    store_answer a;
    ck_assert_int_eq(store_ticket_view(db, "NO-SUCH", 0, "UTC", &none, &a), 0);
    ck_assert_ptr_null(none);
}
END_TEST

START_TEST(keys_store_only_hashes)
{
    char name[65], role[16];
    ck_assert_int_eq(store_key_insert(db, "ops", "admin", CITIZEN_B), 0);
    ck_assert_int_eq(store_key_insert(db, "dup", "crm", CITIZEN_B), -EEXIST);
    ck_assert_int_eq(store_key_find(db, CITIZEN_B, name, sizeof(name), role, sizeof(role)), 1);
    ck_assert_str_eq(name, "ops");
    ck_assert_str_eq(role, "admin");
    ck_assert_int_eq(store_key_find(db, CITIZEN_A, name, sizeof(name), role, sizeof(role)), 0);
}
END_TEST

static void *partition_thread(void *arg)
{
    rd_db *c = rd_db_connect(arg);
    intptr_t r = c ? store_partition_for(c, "2031-05-15T00:00:00Z") : -1;
    rd_db_close(c);
    return (void *)r;
}

/* The exact text of an instant: PostgreSQL reads back the microseconds it was made from, before
 * 1970, past 2^53 microseconds (about 2255) and at a second's last microsecond. */
START_TEST(instant_params_are_exact)
{
    static const int64_t cases[] = {
        0,
        1,
        -1,
        1794276000750000LL,
        -2208988800000000LL /* 1900 */,
        10413792000000001LL /* 2300-01-01T00:00:00.000001Z */,
        253402300799999999LL /* 9999 */,
    };
    static const char *const texts[] = {
        "1970-01-01 00:00:00.000000+00",
        "1970-01-01 00:00:00.000001+00",
        "1969-12-31 23:59:59.999999+00",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[RD_INSTANT_PARAM_MAX], sql[256];
        rd_instant_param(cases[i], text);
        if (i < sizeof(texts) / sizeof(texts[0]))
            ck_assert_str_eq(text, texts[i]);
        snprintf(sql, sizeof(sql),
                 "SELECT (extract(epoch FROM '%s'::timestamptz) * 1000000)::bigint", text);
        char *back = dbt_value(db, sql);
        ck_assert_ptr_nonnull(back);
        ck_assert_msg(strtoll(back, NULL, 10) == cases[i], "%lld: %s read back as %s",
                      (long long)cases[i], text, back);
        free(back);
    }
}
END_TEST

/* An event's writes and the view that answers it go in one flight; when a write fails, the
 * view, the first result taken, gives that write's error as it is (the runner retries a
 * deadlock, reconnects after a lost connection, answers a refused value 400), not an I/O error
 * of its own. */
static const rd_stmt q_divide = {"test_divide", "SELECT 1 / $1::integer", 1};

START_TEST(view_after_a_failed_write_keeps_its_error)
{
    setup_categories();
    insert_ticket("VIEW-ERR", CITIZEN_A, "HB.ZS.JZ", "2026-11-10T10:00:00+08:00", true);
    const int64_t received_at_us = 1794276000LL * 1000000; /* 2026-11-10T02:00:00Z */
    rd_ticket_view *v = NULL;
    store_answer a;
    ck_assert_int_eq(store_ticket_view(db, "VIEW-ERR", received_at_us, "Asia/Shanghai", &v, &a), 0);
    ck_assert_ptr_nonnull(v);
    rd_ticket_view_free(v);
    v = NULL;

    ck_assert_int_eq(rd_db_pipeline_begin(db), 0);
    const char *zero[] = {"0"};
    ck_assert_int_eq(rd_db_run(db, &q_divide, zero), 0); /* only sent */
    ck_assert_int_eq(store_ticket_view(db, "VIEW-ERR", received_at_us, "Asia/Shanghai", &v, &a),
                     -EDOM);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(rd_db_pipeline_end(db), -EDOM);
    char *n = dbt_value(db, "SELECT 1"); /* the connection serves on */
    ck_assert_str_eq(n, "1");
    free(n);
}
END_TEST

/* The first tickets of a new month arriving at once: every worker asks for its partitions,
 * one makes them, none fails (bench/fault.py once saw 500s here). */
START_TEST(partitions_made_by_many_at_once)
{
    pthread_t t[6];
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, partition_thread, (void *)url), 0);
    for (int i = 0; i < 6; i++) {
        void *r;
        pthread_join(t[i], &r);
        ck_assert_int_eq((intptr_t)r, 0);
    }
    char *n = dbt_value(db, "SELECT count(*) FROM pg_class WHERE relname IN"
                            " ('ticket_facts_203105', 'ticket_events_203105')");
    ck_assert_str_eq(n, "2");
    free(n);
}
END_TEST

START_TEST(time_zone_names)
{
    ck_assert_int_eq(store_time_zone_exists(db, "Asia/Shanghai"), 1);
    ck_assert_int_eq(store_time_zone_exists(db, "Mars/Olympus"), 0);
}
END_TEST

int main(void)
{
    url = dbt_create_database("repeatd_store");
    if (!url)
        rd_test_skip("REPEATD_TEST_DATABASE_URL is not set");
    db = dbt_connect_prepared();
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, migrations_apply_once);
    tcase_add_test(tc, migrations_concurrent_start);
    tcase_add_test(tc, settings_seed_is_idempotent);
    tcase_add_test(tc, category_lookup_leaf_policy_offset);
    tcase_add_test(tc, candidate_month_at_local_midnight);
    tcase_add_test(tc, candidates_filter_and_order);
    tcase_add_test(tc, old_open_priors_are_filtered_like_recent_ones);
    tcase_add_test(tc, candidates_use_two_index_ranges);
    tcase_add_test(tc, problem_key_is_the_same_in_c_and_sql);
    tcase_add_test(tc, lifecycle_state_follows_events);
    tcase_add_test(tc, statements_past_the_prepared_table_still_run);
    tcase_add_test(tc, times_carry_the_zone_offset_of_their_instant);
    tcase_add_test(tc, keys_store_only_hashes);
    tcase_add_test(tc, time_zone_names);
    tcase_add_test(tc, partitions_made_by_many_at_once);
    tcase_add_test(tc, view_after_a_failed_write_keeps_its_error);
    tcase_add_test(tc, instant_params_are_exact);
    suite_add_tcase(s, tc);
    int rc = rd_test_run(s, false);
    rd_db_close(db);
    dbt_drop_database();
    return rc;
}
