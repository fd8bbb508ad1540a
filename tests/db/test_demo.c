/* The demo city against a real PostgreSQL: its size, its decision mix, aggregates that agree
 * with the raw rows, planted anomalies that the anomaly score flags, determinism, and the round
 * trip through repeatd import (--jsonl). */
#include "db_fixture.h"
#include "rd_test.h"

#include "demo.h"
#include "rd_test_facts.h"
#include "repeatd/import.h"
#include "repeatd/intake.h"
#include "repeatd/kpi_store.h"
#include "repeatd/prepare.h"
#include "repeatd/store.h"

#include <check.h>
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TICKETS 3000

static const char *url;
static rd_db *db;
static rd_demo_opts opts;
static rd_demo_summary first;
static char jsonl_path[256]; /* the first city, written as repeatd import's input */

static long value(const char *sql)
{
    char *v = dbt_value(db, sql);
    ck_assert_ptr_nonnull(v);
    long n = atol(v);
    free(v);
    return n;
}

START_TEST(demo_builds_a_city_whose_kpis_are_true)
{
    rd_demo_opts o = opts;
    ck_assert_ptr_nonnull(o.jsonl = fopen(jsonl_path, "w"));
    ck_assert_int_eq(rd_demo_run(&o, &first), 0);
    ck_assert_int_eq(fclose(o.jsonl), 0);
    ck_assert_int_eq(first.tickets, TICKETS);
    ck_assert_int_eq(value("SELECT count(*) FROM tickets"), TICKETS);
    ck_assert_int_eq(value("SELECT count(*) FROM tickets WHERE ticket_id NOT LIKE 'DEMO-%'"), 0);
    ck_assert_int_eq(first.events_refused, 0);
    ck_assert_int_eq(value("SELECT count(*) FROM ticket_events"), first.events);

    /* Every decision of DOMAIN.md's table occurs, in the summary and in the rows. */
    for (int k = 0; k < RD_DEMO_DECISIONS; k++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM tickets WHERE decision = '%s'",
                 rd_decision_name((rd_decision_kind)k));
        ck_assert_msg(first.decisions[k] > 0, "no %s", rd_decision_name((rd_decision_kind)k));
        ck_assert_int_eq(value(sql), first.decisions[k]);
    }

    /* The aggregates that intake and lifecycle kept agree with the raw rows. */
    long work_orders = value("SELECT count(*) FROM tickets WHERE creates_work_order");
    long repeats = value("SELECT count(*) FROM tickets WHERE counts_as_repeat");
    ck_assert_int_eq(value("SELECT sum(complaints) FROM kpi_counts WHERE dim = 0"), work_orders);
    ck_assert_int_eq(value("SELECT sum(repeats) FROM kpi_counts WHERE dim = 0"), repeats);
    ck_assert_int_eq(value("SELECT sum(complaints) FROM kpi_counts WHERE dim = 4"), work_orders);
    ck_assert_int_eq(value("SELECT sum(repeats) FROM kpi_counts WHERE dim = 4"), repeats);
    ck_assert_int_eq(value("SELECT sum(repeats) FROM kpi_counts WHERE dim = 1"), repeats);
    ck_assert_int_eq(value("SELECT sum(closeouts_rejected) FROM kpi_counts WHERE dim = 0"),
                     value("SELECT count(*) FROM ticket_events WHERE type = 'closeout'"
                           " AND NOT accepted"));
    ck_assert_int_eq(value("SELECT sum(first_contact_failed) FROM kpi_counts WHERE dim = 0"),
                     value("SELECT count(*) FROM tickets WHERE first_contact_failed"));
    ck_assert_int_eq(value("SELECT count(*) FROM kpi_targets WHERE scope = 'unit'"),
                     value("SELECT count(*) FROM org_names WHERE kind = 'unit'"));

    /* The improvement loop went through the use cases: every write is in the audit trail. */
    ck_assert_int_ge(first.programmes, 1);
    ck_assert_int_eq(value("SELECT count(*) FROM programmes"), first.programmes);
    ck_assert_int_eq(value("SELECT count(*) FROM programme_checkins"), first.checkins);
    ck_assert_int_eq(value("SELECT count(*) FROM green_assignments"), first.chains_assigned);
    ck_assert_int_eq(value("SELECT count(*) FROM green_verifications"), first.verifications);
    ck_assert_int_eq(value("SELECT count(*) FROM loop_audit"),
                     first.programmes + first.checkins +
                         value("SELECT count(*) FROM programmes WHERE status = 'closed'") +
                         first.chains_assigned + first.verifications);
    ck_assert_int_eq(value("SELECT count(*) FROM loop_audit WHERE changed_by <> 'demo'"), 0);
    /* The problem list has something to show: problems in every state of work, each with its
     * history. */
    ck_assert_int_ge(first.problems, 3);
    ck_assert_int_eq(value("SELECT count(*) FROM problems WHERE created_by = 'demo'"),
                     first.problems);
    ck_assert_int_eq(value("SELECT count(DISTINCT status) FROM problems"), 3);
    ck_assert_int_eq(value("SELECT count(*) FROM problems p WHERE NOT EXISTS (SELECT 1 FROM"
                           " problem_updates u WHERE u.problem_id = p.id AND u.kind <> 'created')"),
                     0);
}
END_TEST

/* The round trip: the city written by --jsonl, imported into an empty database with the same
 * category tree, holds the same decisions, events and KPI aggregates as the city built live. */
START_TEST(the_import_of_the_city_is_the_city)
{
    char import_url[1200], err[1200];
    ck_assert_msg(rd_test_create_database(rd_test_cluster_url(), "repeatd_demo_import", import_url,
                                          sizeof(import_url), err, sizeof(err)) == 0,
                  "%s", err);
    rd_db *idb = rd_db_connect(import_url);
    ck_assert_ptr_nonnull(idb);
    ck_assert_int_ge(rd_prepare_database(idb), 0);
    ck_assert_msg(rd_test_copy_categories(url, import_url, err, sizeof(err)) == 0, "%s", err);

    rd_service svc;
    rd_service_init(&svc, NULL, opts.secret, false);
    const char *files[] = {jsonl_path};
    rd_import_opts io = {.files = files, .n_files = 1, .database_url = import_url, .workers = 3};
    rd_import_summary sum;
    ck_assert_int_eq(rd_import(&svc, idb, &io, &sum), 0);
    rd_service_done(&svc);
    rd_db_close(idb);

    ck_assert_int_eq(sum.rejected, 0);
    /* Whole citizens in memory and COPY; the few heaviest callers through the live
     * transactions (a page of candidates or more). */
    ck_assert_int_gt(sum.fast_records, 9 * sum.live_records);
    ck_assert_int_eq(sum.fast_records + sum.live_records, sum.lines);
    ck_assert_int_eq(sum.tickets, first.tickets);
    ck_assert_int_eq(sum.events_accepted, first.events);
    ck_assert_int_eq(sum.closeouts_rejected, first.closeouts_rejected);
    for (int k = 0; k < RD_DEMO_DECISIONS; k++)
        ck_assert_int_eq(sum.decisions[k], first.decisions[k]);
    ck_assert_msg(rd_test_same_facts(url, import_url, err, sizeof(err)) == 0,
                  "live (a) and imported (b): %s", err);
    ck_assert_int_eq(
        rd_test_drop_database(rd_test_cluster_url(), "repeatd_demo_import", err, sizeof(err)), 0);
}
END_TEST

/* The as-of state of a late call's priors is the live path's state rebuilt from the events:
 * for every work order of the city, folding all its events gives the stored row. */
START_TEST(every_ticket_folds_back_to_its_row)
{
    PGconn *c = PQconnectdb(url);
    ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
    PGresult *res =
        PQexec(c, "SELECT ticket_id, status = 'open', coalesce(outcome, ''),"
                  " coalesce(extract(epoch FROM closed_at)::bigint, 0), coalesce(unit, ''),"
                  " coalesce(team, ''), coalesce(handler, ''), deadline IS NOT NULL,"
                  " coalesce(extract(epoch FROM deadline)::bigint, 0), calls, contact_reached,"
                  " followup_reached, closeout_accepted, closeout_rejections, closeout_unresolved,"
                  " false_closeout, extract(epoch FROM received_at)::bigint"
                  " FROM tickets WHERE creates_work_order ORDER BY ticket_id");
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    ck_assert_int_gt(PQntuples(res), TICKETS / 2);
    int reopened = 0, audited = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        rd_prior p = {0};
        snprintf(p.ticket_id, sizeof(p.ticket_id), "%s", PQgetvalue(res, i, 0));
        int received = PQnfields(res) - 1; /* not compared: it says where the events are */
        p.received_at = strtoll(PQgetvalue(res, i, received), NULL, 10);
        ck_assert_int_eq(rd_prior_as_of(db, "infinity", &p), 0);
        char got[2048], want[2048];
        snprintf(got, sizeof(got), "%d|%s|%lld|%s|%s|%s|%d|%lld|%d|%d|%d|%d|%d|%d|%d", p.open,
                 p.outcome ? rd_outcome_name(p.outcome) : "", (long long)p.closed_at, p.unit,
                 p.team, p.handler, p.has_deadline, (long long)p.deadline, p.calls,
                 p.contact_reached, p.followup_reached, p.closeout_accepted, p.closeout_rejections,
                 p.closeout_unresolved, p.false_closeout);
        size_t n = 0;
        for (int j = 1; j < received; j++) {
            const char *v = PQgetvalue(res, i, j);
            n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%s", j > 1 ? "|" : "",
                                  !strcmp(v, "t")   ? "1"
                                  : !strcmp(v, "f") ? "0"
                                                    : v);
        }
        ck_assert_msg(!strcmp(got, want), "%s: folded %s, stored %s", p.ticket_id, got, want);
    }
    PQclear(res);
    res = PQexec(c, "SELECT count(*) FILTER (WHERE type = 'reopened'),"
                    " count(*) FILTER (WHERE type = 'audit') FROM ticket_events");
    reopened = atoi(PQgetvalue(res, 0, 0));
    audited = atoi(PQgetvalue(res, 0, 1));
    PQclear(res);
    PQfinish(c);
    ck_assert_int_gt(audited, 0); /* the city exercises every update */
    ck_assert_int_gt(reopened, 0);
}
END_TEST

/* Read back the planted groups' repeats by month and score them as GET /v1/kpi/anomalies
 * does (baseline 6, min_score 3, min_repeats 3). */
START_TEST(planted_anomalies_are_flagged)
{
    ck_assert_uint_ge(first.n_planted, 3);
    int month = first.anomaly_month, flagged = 0;
    for (size_t i = 0; i < first.n_planted; i++) {
        const rd_demo_planted *p = &first.planted[i];
        rd_kpi_row *rows;
        size_t n;
        ck_assert_int_eq(store_kpi_grouped(db, p->dim, 0, 1, month - 6, month, &rows, &n), 0);
        long history[6] = {0}, observed = 0;
        for (size_t r = 0; r < n; r++) {
            if (strcmp(rows[r].key, p->key) != 0)
                continue;
            if (rows[r].period_start == month)
                observed += rows[r].v[RD_KPI_REPEATS];
            else
                history[rows[r].period_start - (month - 6)] += rows[r].v[RD_KPI_REPEATS];
        }
        free(rows);
        ck_assert_int_ge(observed, p->added);
        ck_assert_int_eq(observed, p->observed);
        rd_anomaly a = rd_anomaly_score(observed, history, 6, 3.0, 3);
        flagged += a.flagged;
    }
    ck_assert_int_ge(flagged, 1);
}
END_TEST

/* Each citizen lives on one thread in time order: the interleaving of threads changes
 * nothing that a decision reads, so the same seed gives the same city. The second run also
 * replaces the first one's tickets. */
START_TEST(same_seed_same_city)
{
    rd_demo_summary again;
    rd_demo_opts o = opts;
    o.threads = 3;
    ck_assert_int_eq(rd_demo_run(&o, &again), 0);
    ck_assert_int_eq(value("SELECT count(*) FROM tickets"), TICKETS);
    for (int k = 0; k < RD_DEMO_DECISIONS; k++)
        ck_assert_int_eq(again.decisions[k], first.decisions[k]);
    ck_assert_int_eq(again.events, first.events);
    ck_assert_int_eq(again.closeouts_rejected, first.closeouts_rejected);
    ck_assert_uint_eq(again.n_planted, first.n_planted);
    for (size_t i = 0; i < first.n_planted; i++) {
        ck_assert_str_eq(again.planted[i].key, first.planted[i].key);
        ck_assert_int_eq(again.planted[i].observed, first.planted[i].observed);
    }
}
END_TEST

START_TEST(refuses_other_tickets_without_reset)
{
    /* A ticket of the CRM's: a copy of a demo ticket under another id. */
    ck_assert_int_eq(rd_db_simple(db, "CREATE TEMP TABLE f AS SELECT * FROM ticket_facts"
                                      " WHERE ticket_id = 'DEMO-00000001';"
                                      "CREATE TEMP TABLE s AS SELECT * FROM ticket_state"
                                      " WHERE ticket_id = 'DEMO-00000001';"
                                      "UPDATE f SET ticket_id = 'CRM-1', chain_id = 'CRM-1',"
                                      " related_ticket_id = NULL;"
                                      "UPDATE s SET ticket_id = 'CRM-1';"
                                      "INSERT INTO ticket_facts SELECT * FROM f;"
                                      "INSERT INTO ticket_state SELECT * FROM s;"
                                      "DROP TABLE f, s"),
                     0);
    rd_demo_summary s;
    ck_assert_int_eq(rd_demo_run(&opts, &s), -EEXIST);
    ck_assert_int_eq(value("SELECT count(*) FROM tickets WHERE ticket_id = 'CRM-1'"), 1);
    rd_demo_opts o = opts;
    o.reset = true;
    ck_assert_int_eq(rd_demo_run(&o, &s), 0);
    ck_assert_int_eq(value("SELECT count(*) FROM tickets WHERE ticket_id = 'CRM-1'"), 0);
    ck_assert_int_eq(value("SELECT count(*) FROM tickets"), TICKETS);
}
END_TEST

int main(void)
{
    url = dbt_create_database("repeatd_demo");
    if (!url)
        rd_test_skip("REPEATD_TEST_DATABASE_URL is not set");
    db = dbt_connect_prepared();
    int64_t now = (int64_t)time(NULL);
    opts = (rd_demo_opts){
        .database_url = url,
        .secret = "0123456789abcdef0123",
        .tickets = TICKETS,
        .months = 6,
        .seed = 7,
        .threads = 4,
        .end = now - now % 3600, /* the same end for every run of this program */
    };
    snprintf(jsonl_path, sizeof(jsonl_path), "/tmp/repeatd-demo-%ld.jsonl", (long)getpid());
    Suite *s = suite_create("demo");
    TCase *tc = tcase_create("demo");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, demo_builds_a_city_whose_kpis_are_true);
    tcase_add_test(tc, the_import_of_the_city_is_the_city);
    tcase_add_test(tc, every_ticket_folds_back_to_its_row);
    tcase_add_test(tc, planted_anomalies_are_flagged);
    tcase_add_test(tc, same_seed_same_city);
    tcase_add_test(tc, refuses_other_tickets_without_reset);
    suite_add_tcase(s, tc);
    int rc = rd_test_run(s, false);
    rd_db_close(db);
    dbt_drop_database();
    unlink(jsonl_path);
    return rc;
}
