/* Pipeline mode of the store (store/pipeline.c) against a real PostgreSQL: answers in order,
 * the first failure of a flight speaks for it and leaves the transaction to roll back, the
 * runner's retries and the deadline hold as for single statements. */
#include "db_fixture.h"
#include "rd_test.h"

#include "repeatd/intake.h"
#include "repeatd/pool.h"
#include "repeatd/service.h"
#include "repeatd/store.h"
#include "repeatd/tx.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *url;
static rd_db *db;

static const rd_stmt q_add = {"pipe_add", "INSERT INTO pipe_t (k, v) VALUES ($1, $2)", 2};
static const rd_stmt q_echo = {"pipe_echo", "SELECT $1::integer * 10 AS n", 1};
static const rd_stmt q_count = {"pipe_count", "SELECT count(*) AS n FROM pipe_t", 0};
static const rd_stmt q_sleep = {"pipe_sleep", "SELECT pg_sleep($1::float8)", 1};

static void exec_ok(const char *sql)
{
    ck_assert_int_eq(rd_db_simple(db, sql), 0);
}

static long count_rows(void)
{
    char *v = dbt_value(db, "SELECT count(*) FROM pipe_t");
    long n = v ? atol(v) : -1;
    free(v);
    return n;
}

static void add(const char *k, const char *v)
{
    const char *params[] = {k, v};
    ck_assert_int_eq(rd_db_run(db, &q_add, params), 0); /* in a pipeline: only sent */
}

static void fresh_table(void)
{
    exec_ok("DROP TABLE IF EXISTS pipe_t");
    exec_ok("CREATE TABLE pipe_t (k text PRIMARY KEY, v integer NOT NULL CHECK (v >= 0))");
}

/* Three reads sent in one flight come back each to its own ticket, whatever the order they
 * are taken in; writes sent between them are in place for a read sent after them. */
START_TEST(answers_in_order)
{
    fresh_table();
    ck_assert_int_eq(rd_db_pipeline_begin(db), 0);
    ck_assert(rd_db_pipelined(db));
    exec_ok("BEGIN");
    int t[3];
    const char *p1[] = {"1"}, *p2[] = {"2"}, *p3[] = {"3"};
    ck_assert_int_eq(rd_db_send(db, &q_echo, p1, &t[0]), 0);
    add("a", "1");
    ck_assert_int_eq(rd_db_send(db, &q_echo, p2, &t[1]), 0);
    add("b", "2");
    ck_assert_int_eq(rd_db_send(db, &q_count, NULL, &t[2]), 0);
    ck_assert_int_eq(rd_db_send(db, &q_echo, p3, NULL), 0); /* answer not wanted */
    PGresult *res;
    ck_assert_int_eq(rd_db_take(db, t[2], &res), 0); /* ends the flight */
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "2");
    PQclear(res);
    ck_assert_int_eq(rd_db_take(db, t[0], &res), 0);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "10");
    PQclear(res);
    ck_assert_int_eq(rd_db_take(db, t[1], &res), 0);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "20");
    PQclear(res);
    ck_assert_int_eq(rd_db_take(db, t[1], &res), -EINVAL); /* taken once */
    /* rd_db_exec in pipeline mode: its own flight, its answer */
    ck_assert_int_eq(rd_db_exec(db, &q_echo, p3, &res), 0);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "30");
    PQclear(res);
    exec_ok("COMMIT");
    ck_assert_int_eq(rd_db_pipeline_end(db), 0);
    ck_assert(!rd_db_pipelined(db));
    ck_assert_int_eq(count_rows(), 2);
}
END_TEST

/* A batch whose middle statement fails: the flight reports that statement's error (a unique
 * violation: -EEXIST, the runner's cue to try again), every later call of the pipeline returns
 * it and sends nothing, and the transaction is left aborted for the ROLLBACK: nothing of the
 * batch is stored, not even the write before the failure. */
START_TEST(middle_failure_rolls_back)
{
    fresh_table();
    exec_ok("INSERT INTO pipe_t VALUES ('dup', 1)");
    ck_assert_int_eq(rd_db_pipeline_begin(db), 0);
    exec_ok("BEGIN");
    add("x", "1");
    add("dup", "2"); /* fails at the server */
    add("y", "3");   /* skipped by the server */
    ck_assert_int_eq(rd_db_flush(db), -EEXIST);
    const char *params[] = {"z", "4"};
    ck_assert_int_eq(rd_db_run(db, &q_add, params), -EEXIST);
    PGresult *res;
    const char *p1[] = {"1"};
    ck_assert_int_eq(rd_db_exec(db, &q_echo, p1, &res), -EEXIST);
    ck_assert_int_eq(rd_db_pipeline_end(db), -EEXIST);
    ck_assert(!db->broken);
    /* the server knows the transaction failed: only a ROLLBACK is taken now */
    ck_assert_int_eq(rd_db_exec(db, &q_count, NULL, &res), -EIO);
    exec_ok("ROLLBACK");
    ck_assert_int_eq(count_rows(), 1);
    /* and the connection is as good as new, in and out of pipeline mode */
    ck_assert_int_eq(rd_db_exec(db, &q_echo, p1, &res), 0);
    PQclear(res);
}
END_TEST

/* A value the database refuses (a check constraint: class 23) is -EDOM naming the column,
 * from the flight it was sent in. */
START_TEST(refused_value_names_its_column)
{
    fresh_table();
    ck_assert_int_eq(rd_db_pipeline_begin(db), 0);
    exec_ok("BEGIN");
    add("neg", "-1");
    int t;
    ck_assert_int_eq(rd_db_send(db, &q_count, NULL, &t), 0);
    PGresult *res;
    ck_assert_int_eq(rd_db_take(db, t, &res), -EDOM);
    ck_assert_int_eq(rd_db_pipeline_end(db), -EDOM);
    exec_ok("ROLLBACK");
    ck_assert_int_eq(count_rows(), 0);
}
END_TEST

/* A statement first used in a flight that failed before it was never prepared by the server:
 * the connection forgets it, and prepares it again on its next use. */
START_TEST(skipped_prepare_is_prepared_again)
{
    fresh_table();
    static const rd_stmt q_late = {"pipe_late", "SELECT $1::text || '!' AS s", 1};
    exec_ok("INSERT INTO pipe_t VALUES ('dup', 1)");
    ck_assert_int_eq(rd_db_pipeline_begin(db), 0);
    exec_ok("BEGIN");
    add("dup", "2");
    const char *params[] = {"late"};
    int t;
    ck_assert_int_eq(rd_db_send(db, &q_late, params, &t), 0);
    PGresult *res;
    ck_assert_int_eq(rd_db_take(db, t, &res), -EEXIST);
    ck_assert_int_eq(rd_db_pipeline_end(db), -EEXIST);
    exec_ok("ROLLBACK");
    ck_assert_int_eq(rd_db_exec(db, &q_late, params, &res), 0);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "late!");
    PQclear(res);
}
END_TEST

/* Nested pipelines (a body that pipelines itself inside a pipelined runner): the inner end
 * sends nothing more and leaves the writes to the outer one, which reports their failure. */
START_TEST(nested_end_leaves_the_flight_to_the_outer)
{
    fresh_table();
    exec_ok("INSERT INTO pipe_t VALUES ('dup', 1)");
    ck_assert_int_eq(rd_db_pipeline_begin(db), 0);
    exec_ok("BEGIN");
    ck_assert_int_eq(rd_db_pipeline_begin(db), 0);
    add("dup", "2");
    ck_assert_int_eq(rd_db_pipeline_end(db), 0); /* not answered yet */
    ck_assert(rd_db_pipelined(db));
    ck_assert_int_eq(rd_db_simple(db, "COMMIT"), 0);
    ck_assert_int_eq(rd_db_pipeline_end(db), -EEXIST);
    exec_ok("ROLLBACK");
    ck_assert_int_eq(count_rows(), 1);
}
END_TEST

typedef struct try_count {
    int tries;
    const char *key;
} try_count;

/* Writes only, checked at COMMIT: a unique violation there is tried again, as in a runner
 * that waits for every statement. */
static int body_insert(rd_db *d, const void *in, void *out)
{
    const try_count *c = in;
    ((try_count *)out)->tries++;
    const char *params[] = {c->key, "1"};
    int r = rd_db_run(d, &q_add, params);
    if (r == 0)
        r = rd_db_run(d, &q_add, (const char *[]){"other", "1"});
    return r;
}

START_TEST(runner_retries_a_failure_found_at_commit)
{
    fresh_table();
    exec_ok("INSERT INTO pipe_t VALUES ('taken', 1)");
    try_count in = {.key = "taken"}, out = {0};
    rd_tx tx = {.body = body_insert, .in = &in, .out = &out, .pipelined = true, .max_tries = 3};
    rd_db *d = db;
    ck_assert_int_eq(rd_tx_run(NULL, &d, &tx), -EEXIST);
    ck_assert_int_eq(out.tries, 3);
    ck_assert(!rd_db_pipelined(db));
    ck_assert_int_eq(count_rows(), 1);
    in.key = "free";
    out.tries = 0;
    ck_assert_int_eq(rd_tx_run(NULL, &d, &tx), 0);
    ck_assert_int_eq(out.tries, 1);
    ck_assert_int_eq(count_rows(), 3);
}
END_TEST

static int body_read(rd_db *d, const void *in, void *out)
{
    const char *params[] = {in};
    PGresult *res;
    int r = rd_db_exec(d, &q_echo, params, &res);
    if (r == 0) {
        *(int *)out = atoi(PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    return r;
}

/* A read-only body in implicit transactions: no BEGIN or COMMIT of ours, and the connection
 * is idle after it, answered or failed. */
START_TEST(implicit_read_only_leaves_the_connection_idle)
{
    int n = 0;
    rd_tx tx = {.body = body_read,
                .in = "4",
                .out = &n,
                .readonly = true,
                .pipelined = true,
                .implicit = true};
    rd_db *d = db;
    ck_assert_int_eq(rd_tx_run(NULL, &d, &tx), 0);
    ck_assert_int_eq(n, 40);
    ck_assert_int_eq(PQtransactionStatus(db->conn), PQTRANS_IDLE);
    tx.in = "not a number";
    ck_assert_int_eq(rd_tx_run(NULL, &d, &tx), -EDOM);
    ck_assert_int_eq(PQtransactionStatus(db->conn), PQTRANS_IDLE);
    tx.in = "5";
    ck_assert_int_eq(rd_tx_run(NULL, &d, &tx), 0);
    ck_assert_int_eq(n, 50);
}
END_TEST

/* Waiting for a flight keeps the connection's deadline: no answer in time is -ETIMEDOUT and
 * the connection is dropped, never reused. */
START_TEST(flight_keeps_the_deadline)
{
    rd_db *c = rd_db_connect(url);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(rd_db_pipeline_begin(c), 0);
    ck_assert_int_eq(rd_db_simple(c, "BEGIN"), 0);
    const char *params[] = {"3"};
    ck_assert_int_eq(rd_db_run(c, &q_sleep, params), 0);
    c->deadline_ms = rd_mono_ms() + 300;
    int64_t t0 = rd_mono_ms();
    ck_assert_int_eq(rd_db_flush(c), -ETIMEDOUT);
    int64_t waited = rd_mono_ms() - t0;
    ck_assert_int_ge(waited, 250);
    ck_assert_int_lt(waited, 2000);
    ck_assert(c->broken);
    ck_assert_int_eq(rd_db_pipeline_end(c), -ETIMEDOUT);
    rd_db_close(c);
}
END_TEST

/* Ticket `id` at `at` of one citizen on HB.ZS.JZ: stored (intake) or only classified; the
 * number of candidates its answer says were considered. */
static json_int_t candidates_seen(rd_service *svc, const char *id, const char *at, bool store)
{
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:{s:s}, s:s}", "ticket_id", id, "received_at", at, "channel",
                  "phone", "citizen", "phone", "13800138000", "category", "HB.ZS.JZ");
    rd_db *d = NULL;
    rd_intake_out out = {0};
    ck_assert_int_eq(rd_intake(svc, &d, body, store, &out), 0);
    json_decref(body);
    rd_service_release(svc, d);
    json_t *n = json_object_get(json_object_get(out.answer, "evidence"), "candidates");
    ck_assert_ptr_nonnull(n);
    json_int_t v = json_integer_value(n);
    rd_intake_out_clear(&out);
    return v;
}

/* A classification reads under the cached settings in the same flight as their revision; when
 * another process changed them meanwhile, it reads again under the new ones: a prior closed
 * half a year before is a candidate with a lookback of 12 months, not with one of 3. */
START_TEST(classify_sees_settings_changed_elsewhere)
{
    ck_assert_int_eq(store_category_upsert(db, "HB", "a", NULL, false), 0);
    ck_assert_int_eq(store_category_upsert(db, "HB.ZS", "b", "HB", false), 0);
    ck_assert_int_eq(store_category_upsert(db, "HB.ZS.JZ", "c", "HB.ZS", false), 0);
    rd_pool *pool;
    ck_assert_int_eq(rd_pool_new(url, 2, 5000, &pool), 0);
    rd_service svc;
    rd_service_init(&svc, pool, "test-secret-0123456789", false);
    const char *now = "2026-11-03T22:15:00+08:00";
    ck_assert_int_eq(candidates_seen(&svc, "G0", "2026-05-01T10:00:00+08:00", true), 0);
    exec_ok("UPDATE ticket_state SET status = 'closed', closed_at = '2026-05-10T10:00:00+08:00',"
            " outcome = 'resolved' WHERE ticket_id = 'G0'");
    exec_ok("UPDATE settings SET value = '12' WHERE key = 'lookback_months'");
    exec_ok("UPDATE settings_revision SET revision = revision + 1");
    ck_assert_int_eq(candidates_seen(&svc, "G1", now, false), 1); /* 12 months, now cached */
    ck_assert_int_eq(candidates_seen(&svc, "G2", now, false), 1);
    exec_ok("UPDATE settings SET value = '3' WHERE key = 'lookback_months'");
    exec_ok("UPDATE settings_revision SET revision = revision + 1");
    ck_assert_int_eq(candidates_seen(&svc, "G3", now, false), 0);
    ck_assert_int_eq(candidates_seen(&svc, "G4", now, false), 0);
    rd_service_done(&svc);
    rd_pool_free(pool);
}
END_TEST

/* The replay probe rides with the decision's reads: a ticket sent again after its category
 * stopped being a leaf is answered from what was stored, not refused for the category. */
START_TEST(replay_answers_whatever_became_of_the_category)
{
    ck_assert_int_eq(store_category_upsert(db, "JT", "a", NULL, false), 0);
    ck_assert_int_eq(store_category_upsert(db, "JT.GJ", "b", "JT", false), 0);
    ck_assert_int_eq(store_category_upsert(db, "JT.GJ.XL", "c", "JT.GJ", false), 0);
    rd_pool *pool;
    ck_assert_int_eq(rd_pool_new(url, 2, 5000, &pool), 0);
    rd_service svc;
    rd_service_init(&svc, pool, "test-secret-0123456789", false);
    json_t *body = json_pack("{s:s, s:s, s:s, s:{s:s}, s:s}", "ticket_id", "R1", "received_at",
                             "2026-11-03T22:15:00+08:00", "channel", "phone", "citizen", "phone",
                             "13900139000", "category", "JT.GJ.XL");
    rd_intake_out first = {0}, again = {0};
    rd_db *d = NULL;
    ck_assert_int_eq(rd_intake(&svc, &d, body, true, &first), 0);
    ck_assert(!first.replayed);
    ck_assert_int_eq(store_category_upsert(db, "JT.GJ.XL.1", "d", "JT.GJ.XL", false), 0);
    ck_assert_int_eq(rd_intake(&svc, &d, body, true, &again), 0);
    ck_assert(again.replayed);
    ck_assert_str_eq(again.refusal.message, "");
    ck_assert(json_equal(first.answer, again.answer));
    json_t *other = json_deep_copy(body);
    json_object_set_new(other, "ticket_id", json_string("R2"));
    rd_intake_out refused = {0};
    ck_assert_int_eq(rd_intake(&svc, &d, other, true, &refused), -ECANCELED);
    ck_assert_int_eq(refused.refusal.code, RD_ERR_UNKNOWN_CATEGORY);
    rd_service_release(&svc, d);
    rd_intake_out_clear(&first);
    rd_intake_out_clear(&again);
    rd_intake_out_clear(&refused);
    json_decref(body);
    json_decref(other);
    rd_service_done(&svc);
    rd_pool_free(pool);
}
END_TEST

int main(void)
{
    url = dbt_create_database("repeatd_pipeline");
    if (!url)
        rd_test_skip("REPEATD_TEST_DATABASE_URL is not set");
    db = dbt_connect_prepared();
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("pipeline");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, answers_in_order);
    tcase_add_test(tc, middle_failure_rolls_back);
    tcase_add_test(tc, refused_value_names_its_column);
    tcase_add_test(tc, skipped_prepare_is_prepared_again);
    tcase_add_test(tc, nested_end_leaves_the_flight_to_the_outer);
    tcase_add_test(tc, runner_retries_a_failure_found_at_commit);
    tcase_add_test(tc, flight_keeps_the_deadline);
    tcase_add_test(tc, implicit_read_only_leaves_the_connection_idle);
    tcase_add_test(tc, classify_sees_settings_changed_elsewhere);
    tcase_add_test(tc, replay_answers_whatever_became_of_the_category);
    suite_add_tcase(s, tc);
    int rc = rd_test_run(s, false);
    rd_db_close(db);
    dbt_drop_database();
    return rc;
}
