/* API: repeatd import. A history is posted live, in time order, to the server; the same
 * history, written as the JSON Lines a CRM would dump (all tickets, then all events, out of
 * order), is imported into other databases: once whole, once killed at several points and run
 * again, once as a dry run. Every ticket's decision and state and every KPI aggregate must be
 * the live path's; bad lines go to the rejects file; a second run changes nothing; a history
 * that live tickets would interleave is refused. */
#include "scenario.h"

#include "rd_test.h"
#include "rd_test_facts.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CITIZENS 60
#define CALLS    4 /* at most, per citizen */
#define ACTIONS  4096

static const char *const categories[] = {"CG.SZ.LD", "CG.SZ.PS", "HB.ZS.JZ"};

/* ---- the history, posted live ---- */

typedef enum act_kind { A_TICKET, A_DISPATCH, A_CONTACT, A_CLOSEOUT, A_FOLLOWUP, A_CLOSE } act_kind;

typedef struct action {
    int64_t t; /* unix seconds */
    act_kind kind;
    int ticket; /* index into ids */
    int citizen, category;
    bool done;
} action;

static action acts[ACTIONS];
static int n_acts;
static char ids[CITIZENS * CALLS][24];
static int n_ids;
static unsigned long rng = 12345;
static FILE *tickets_out, *events_out;
static char history_path[512], rejects_path[512];
static long live_rejected_events; /* close-outs rejected by inspection, live */
static long live_refused;         /* closings refused live: refused by the import too */

static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rng >> 33) % n);
}

static const char *iso(int64_t t)
{
    static char slots[8][40];
    static unsigned k;
    char *s = slots[k++ % 8];
    time_t local = (time_t)(t + 8 * 3600);
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(s, 40, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
    return s;
}

static void add(int64_t t, act_kind kind, int ticket, int citizen, int category)
{
    ck_assert_int_lt(n_acts, ACTIONS);
    acts[n_acts++] = (action){t, kind, ticket, citizen, category, false};
}

/* Write a record of the history as the CRM would dump it. */
static void dump(FILE *f, const char *key, json_t *body)
{
    json_t *line = json_pack("{s:O}", key, body);
    char *text = json_dumps(line, JSON_COMPACT);
    fprintf(f, "%s\n", text);
    free(text);
    json_decref(line);
}

/* Post ev (taken) live and dump it for the import. */
static void post_ev(const action *a, json_t *ev)
{
    const char *id = ids[a->ticket];
    json_t *copy = json_deep_copy(ev);
    json_object_set_new(copy, "ticket_id", json_string(id));
    long st;
    json_t *r = post_event(id, ev, &st);
    ck_assert_msg(st == 201 || st == 422, "event on %s: %ld", id, st);
    if (st == 422)
        live_rejected_events++;
    dump(events_out, "event", copy);
    json_decref(copy);
    json_decref(r);
}

static void step(const action *a)
{
    const char *id = ids[a->ticket];
    int64_t t = a->t;
    switch (a->kind) {
    case A_TICKET: {
        static const char *const claims[] = {NULL, "unresolved", "dissatisfied", "recurred"};
        tk k = {.id = id,
                .at = iso(t),
                .phone = phone(500 + a->citizen),
                .category = categories[a->category],
                .claim = claims[rnd(4)]};
        json_t *body = ticket_body(&k);
        long st;
        json_t *r = post_ticket(&k, &st);
        ck_assert_int_eq(st, 201);
        dump(tickets_out, "ticket", body);
        if (jbool(r, "creates_work_order") == 1) /* the handling that follows */
            add(t + 3600 + rnd(3600), A_DISPATCH, a->ticket, a->citizen, a->category);
        json_decref(r);
        json_decref(body);
        return;
    }
    case A_DISPATCH: {
        char unit[16];
        snprintf(unit, sizeof(unit), "U%u", rnd(4));
        json_t *e = ev_dispatched(iso(t), unit, "T1", "H1", iso(t + 3 * 86400));
        post_ev(a, e); /* takes e */
        add(t + 1800 + rnd(7200), A_CONTACT, a->ticket, a->citizen, a->category);
        return;
    }
    case A_CONTACT: {
        json_t *e = ev_contact(iso(t), rnd(3) ? "reached" : "no_answer");
        post_ev(a, e); /* takes e */
        if (rnd(5))    /* some stay open */
            add(t + 86400 + rnd(86400), A_CLOSEOUT, a->ticket, a->citizen, a->category);
        return;
    }
    case A_CLOSEOUT: {
        json_t *e = ev_closeout(iso(t), iso(t - 600), rnd(2), rnd(2));
        if (!rnd(6)) /* 驳回: recorded as rejected, live and imported alike */
            json_object_set_new(e, "cause", json_string("已处理"));
        post_ev(a, e); /* takes e */
        add(t + 3600, A_FOLLOWUP, a->ticket, a->citizen, a->category);
        return;
    }
    case A_FOLLOWUP: {
        json_t *e = ev_followup(iso(t), true, rnd(2), rnd(2));
        post_ev(a, e); /* takes e */
        add(t + 3600, A_CLOSE, a->ticket, a->citizen, a->category);
        return;
    }
    case A_CLOSE: {
        long st;
        json_t *e = ev_closed(iso(t), rnd(3) ? "resolved" : "unresolved");
        json_t *copy = json_deep_copy(e);
        json_object_set_new(copy, "ticket_id", json_string(id));
        json_t *r = post_event(id, e, &st); /* 409 when the close-out was rejected */
        ck_assert_msg(st == 201 || st == 409, "closed on %s: %ld", id, st);
        live_refused += st == 409;
        dump(events_out, "event", copy);
        json_decref(copy);
        json_decref(r);
        return;
    }
    }
}

/* The history: calls of each citizen over ~80 days ending a month ago, their handling, all
 * posted in time order. Tickets and events are dumped to two files, joined events first. */
static void post_history(void)
{
    char tickets_path[512], events_path[512];
    const char *dir = getenv("REPEATD_TEST_LOG_DIR");
    snprintf(tickets_path, sizeof(tickets_path), "%s/import-tickets.jsonl", dir ? dir : "/tmp");
    snprintf(events_path, sizeof(events_path), "%s/import-events.jsonl", dir ? dir : "/tmp");
    snprintf(history_path, sizeof(history_path), "%s/import-history.jsonl", dir ? dir : "/tmp");
    snprintf(rejects_path, sizeof(rejects_path), "%s/import-rejects.jsonl", dir ? dir : "/tmp");
    tickets_out = fopen(tickets_path, "w");
    events_out = fopen(events_path, "w");
    ck_assert(tickets_out && events_out);
    int64_t start = (int64_t)time(NULL) - 110 * 86400;
    for (int c = 0; c < CITIZENS; c++) {
        int calls = 1 + (int)rnd(CALLS), category = (int)rnd(3);
        int64_t t = start + rnd(20 * 86400);
        for (int j = 0; j < calls; j++) {
            snprintf(ids[n_ids], sizeof(ids[n_ids]), "IMP-%02d-%d", c, j);
            add(t, A_TICKET, n_ids++, c, category);
            t += 3600 * (2 + rnd(20 * 24));
        }
    }
    for (;;) {
        action *next = NULL;
        for (int i = 0; i < n_acts; i++)
            if (!acts[i].done && (!next || acts[i].t < next->t))
                next = &acts[i];
        if (!next)
            break;
        next->done = true;
        action a = *next; /* step() may add actions and move the array's end */
        step(&a);
    }
    fclose(tickets_out);
    fclose(events_out);
    /* The dump: events first (a CRM's tables in any order), then tickets, then bad lines. */
    FILE *out = fopen(history_path, "w");
    ck_assert_ptr_nonnull(out);
    const char *parts[] = {events_path, tickets_path};
    for (int p = 0; p < 2; p++) {
        FILE *in = fopen(parts[p], "r");
        char buf[8192];
        size_t k;
        while (in && (k = fread(buf, 1, sizeof(buf), in)) > 0)
            fwrite(buf, 1, k, out);
        if (in)
            fclose(in);
    }
    fputs("not json at all\n", out);
    fputs("{\"ticket\": {\"ticket_id\": \"IMP-BAD-1\", \"received_at\": \"2020-01-01T00:00:00Z\","
          " \"citizen\": {\"phone\": \"13900000001\"}, \"category\": \"NO.SUCH\"}}\n",
          out);
    fputs("{\"event\": {\"ticket_id\": \"IMP-NONE\", \"type\": \"contact_attempt\","
          " \"at\": \"2020-01-02T00:00:00Z\", \"outcome\": \"reached\"}}\n",
          out);
    fputs("{\"something\": {}}\n", out);
    fclose(out);
}

/* ---- comparing databases ---- */

static PGconn *connect_to(const char *url)
{
    PGconn *c = PQconnectdb(url);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
    return c;
}

static void same_as_live(const char *url)
{
    char err[1200];
    ck_assert_msg(rd_test_same_facts(api.db_url, url, err, sizeof(err)) == 0,
                  "live (a) and"
                  " import (b): %s",
                  err);
}

static long count_sql(const char *url, const char *sql)
{
    PGconn *c = connect_to(url);
    PGresult *res = PQexec(c, sql);
    long n = PQresultStatus(res) == PGRES_TUPLES_OK ? atol(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    PQfinish(c);
    return n;
}

/* A fresh database with the schema and the live database's category tree. */
static void fresh_database(const char *name, char *url, size_t size)
{
    char err[512];
    ck_assert_msg(rd_test_create_database(api.admin_url, name, url, size, err, sizeof(err)) == 0,
                  "%s", err);
    char out[256];
    const char *migrate[] = {"migrate", NULL};
    ck_assert_int_eq(harness_run_repeatd_on(url, out, sizeof(out), migrate), 0);
    ck_assert_msg(rd_test_copy_categories(api.db_url, url, err, sizeof(err)) == 0, "%s", err);
}

static int import(const char *url, char *summary, size_t size, bool dry_run)
{
    const char *args[] = {"import", "--rejects", rejects_path, history_path, NULL, NULL};
    if (dry_run) {
        args[4] = args[3];
        args[3] = "--dry-run";
    }
    return harness_run_repeatd_on(url, summary, size, args);
}

static long rejects_lines(void)
{
    FILE *f = fopen(rejects_path, "r");
    long n = 0;
    int ch;
    while (f && (ch = fgetc(f)) != EOF)
        n += ch == '\n';
    if (f)
        fclose(f);
    return n;
}

static bool history_posted;

static void ensure_history(void)
{
    if (!history_posted)
        post_history();
    history_posted = true;
}

START_TEST(import_equals_live)
{
    ensure_history();
    char url[1200], summary[4096];
    fresh_database("repeatd_test_import_a", url, sizeof(url));
    ck_assert_int_eq(import(url, summary, sizeof(summary), false), 3); /* bad lines: exit 3 */
    same_as_live(url);
    json_t *s = gc(json_loads(summary, 0, NULL));
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(jint(s, "tickets"), n_ids);
    /* The counts by decision are the stored tickets'. */
    static const char *const decisions[] = {"new",
                                            "repeat",
                                            "similar_new",
                                            "excluded_in_progress",
                                            "excluded_closed",
                                            "excluded_unmeetable"};
    long by_decision = 0;
    for (size_t i = 0; i < sizeof(decisions) / sizeof(decisions[0]); i++) {
        char path[64], sql[160];
        snprintf(path, sizeof(path), "decisions.%s", decisions[i]);
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM ticket_facts WHERE decision = '%s'",
                 decisions[i]);
        ck_assert_int_eq(jint(s, path), count_sql(url, sql));
        by_decision += (long)jint(s, path);
    }
    ck_assert_int_eq(by_decision, n_ids);
    ck_assert_int_eq(jint(s, "closeouts_rejected"),
                     count_sql(url, "SELECT count(*) FROM"
                                    " ticket_events WHERE NOT accepted"));
    ck_assert_int_eq(jint(s, "closeouts_rejected"), live_rejected_events);
    ck_assert_int_eq(jint(s, "lines_rejected"), 4 + live_refused); /* 4 bad lines */
    ck_assert_int_eq(jint(s, "rejected_by_error.workflow_incomplete"), live_refused);
    ck_assert_int_eq(jint(s, "rejected_by_error.not_found"), 1);
    ck_assert_int_eq(rejects_lines(), jint(s, "lines_rejected"));
    ck_assert_int_eq(jint(s, "rejected_by_error.invalid_json"), 1);
    ck_assert_int_eq(jint(s, "rejected_by_error.unknown_category"), 1);
    /* Every citizen the fast path; the event of an unknown ticket the live transactions. */
    ck_assert_int_gt(jint(s, "records_by_path.fast"), 0);
    ck_assert_int_eq(jint(s, "records_by_path.live"), 1);

    /* A second run changes nothing: every record is a replay. */
    char again[4096];
    ck_assert_int_eq(import(url, again, sizeof(again), false), 3);
    json_t *t = gc(json_loads(again, 0, NULL));
    ck_assert_int_eq(jint(t, "tickets"), 0);
    ck_assert_int_eq(jint(t, "events_accepted"), 0);
    ck_assert_int_eq(jint(t, "skipped_duplicates.tickets"), n_ids);
    ck_assert_int_eq(jint(t, "skipped_duplicates.events"), jint(s, "events_accepted"));
    /* Every citizen has rows now: all of it goes the live way, and is a replay; but the
     * ticket of an unknown category, whose citizen has none, is rejected by the fold again. */
    ck_assert_int_eq(jint(t, "records_by_path.fast"), 1);
    same_as_live(url);
}
END_TEST

/* `-` reads the history from standard input (its text kept, as it cannot be read twice):
 * the same city as from the file. */
START_TEST(import_from_standard_input)
{
    ensure_history();
    char url[1200], summary[4096];
    fresh_database("repeatd_test_import_s", url, sizeof(url));
    const char *args[] = {"-c", "exec \"$0\" import --rejects /dev/null - < \"$1\"", api.bin,
                          history_path, NULL};
    ck_assert_int_eq(harness_run_program_on("/bin/sh", url, summary, sizeof(summary), args), 3);
    json_t *s = gc(json_loads(summary, 0, NULL));
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(jint(s, "tickets"), n_ids);
    same_as_live(url);
}
END_TEST

/* The fast path stores what the live transactions store, byte for byte: the answers and
 * scripts, the event bodies with their derived ids, every time, hash and state column. */
START_TEST(fast_path_stores_what_the_live_transactions_store)
{
    ensure_history();
    char fast_url[1200], live_url[1200], summary[4096], err[1200];
    fresh_database("repeatd_test_import_f", fast_url, sizeof(fast_url));
    fresh_database("repeatd_test_import_l", live_url, sizeof(live_url));
    ck_assert_int_eq(import(fast_url, summary, sizeof(summary), false), 3);
    json_t *s = gc(json_loads(summary, 0, NULL));
    ck_assert_int_gt(jint(s, "records_by_path.fast"), 0);
    const char *args[] = {"import", "--per-record", history_path, NULL};
    ck_assert_int_eq(harness_run_repeatd_on(live_url, summary, sizeof(summary), args), 3);
    json_t *t = gc(json_loads(summary, 0, NULL));
    ck_assert_int_eq(jint(t, "records_by_path.fast"), 0);
    ck_assert_int_eq(jint(t, "records_by_path.live"), jint(s, "records_by_path.fast") + 1);
    ck_assert_int_eq(jint(t, "lines_rejected"), jint(s, "lines_rejected"));
    ck_assert_msg(rd_test_same_stored(live_url, fast_url, err, sizeof(err)) == 0,
                  "per record (a) and fast (b): %s", err);
}
END_TEST

/* Backends of the database at url waiting for a lock in an aggregate upsert (of kpi_counts,
 * held by the test; or of kpi_defects, a row another worker's batch inserted and holds). */
static long waiting_in_upsert(const char *url)
{
    return count_sql(url, "SELECT count(*) FROM pg_stat_activity"
                          " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                          " AND query LIKE 'INSERT INTO kpi\\_%'");
}

/* The lines of the history whose ticket id starts with `prefix` and whose time sorts before
 * `before` (times are all written at +08:00, so their text sorts as they do). */
static void write_part(const char *path, const char *prefix, const char *before)
{
    FILE *in = fopen(history_path, "r"), *out = fopen(path, "w");
    ck_assert(in && out);
    char line[16384];
    while (fgets(line, sizeof(line), in)) {
        json_t *o = json_loads(line, 0, NULL);
        json_t *body = json_object_get(o, "ticket");
        const char *at = json_string_value(json_object_get(body, "received_at"));
        if (!body) {
            body = json_object_get(o, "event");
            at = json_string_value(json_object_get(body, "at"));
        }
        const char *id = json_string_value(json_object_get(body, "ticket_id"));
        if (id && at && !strncmp(id, prefix, strlen(prefix)) && strcmp(at, before) < 0)
            fputs(line, out);
        json_decref(o);
    }
    fclose(in);
    fclose(out);
}

/* kill -9 while a fast-path batch holds its COPY uncommitted: nothing of it stays, and the
 * same command again ends where an uninterrupted run ends. The database holds part of the
 * history beforehand (the first weeks of ten citizens), so the run mixes both paths: those
 * citizens go the live way, the others the fast way. */
START_TEST(kill_9_in_a_copy_batch_then_again)
{
    ensure_history();
    char url[1200], summary[4096], part[600];
    fresh_database("repeatd_test_import_c", url, sizeof(url));
    snprintf(part, sizeof(part), "%s.part", history_path);
    write_part(part, "IMP-0", iso((int64_t)time(NULL) - 85 * 86400));
    const char *first[] = {"import", part, NULL};
    int rc = harness_run_repeatd_on(url, summary, sizeof(summary), first);
    ck_assert_msg(rc == 0 || rc == 3, "part: exit %d", rc);
    long stored = count_sql(url, "SELECT count(*) FROM tickets");
    ck_assert_int_gt(stored, 0);

    /* Hold the aggregates: each worker's batch COPYs its tickets and events, then waits. */
    PGconn *lock = connect_to(url);
    PQclear(PQexec(lock, "BEGIN"));
    PGresult *res = PQexec(lock, "LOCK TABLE kpi_counts IN SHARE MODE");
    ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    const char *args[] = {"import", "--workers", "2", history_path, NULL};
    pid_t pid = harness_spawn_repeatd_on(url, args);
    ck_assert_int_gt(pid, 0);
    int waited = 0;
    while (waiting_in_upsert(url) < 2 && waited++ < 600)
        usleep(50 * 1000);
    ck_assert_int_eq(waiting_in_upsert(url), 2);
    kill(pid, SIGKILL);
    harness_wait(pid);
    PQclear(PQexec(lock, "ROLLBACK"));
    PQfinish(lock);
    for (waited = 0; waiting_in_upsert(url) > 0 && waited < 200; waited++)
        usleep(50 * 1000);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM tickets"), stored);

    ck_assert_int_eq(import(url, summary, sizeof(summary), false), 3);
    json_t *s = gc(json_loads(summary, 0, NULL));
    ck_assert_int_gt(jint(s, "records_by_path.fast"), 0);
    ck_assert_int_gt(jint(s, "records_by_path.live"), 1);
    ck_assert_int_gt(jint(s, "skipped_duplicates.tickets"), 0);
    same_as_live(url);
}
END_TEST

/* Killed when the first records of the live transactions (one a record) are committed, then
 * at three delays after a start, then run to the end: the state of a run never killed. The first
 * kill lands mid-import for certain: after a commit, before the last. */
START_TEST(import_survives_kill_9)
{
    ensure_history();
    char url[1200], summary[4096];
    fresh_database("repeatd_test_import_k", url, sizeof(url));
    const char *per_record[] = {"import", "--per-record", "--workers", "1", history_path, NULL};
    pid_t first = harness_spawn_repeatd_on(url, per_record);
    ck_assert_int_gt(first, 0);
    for (int waited = 0; count_sql(url, "SELECT count(*) FROM tickets") == 0 && waited < 12000;
         waited++)
        usleep(5 * 1000);
    kill(first, SIGKILL);
    harness_wait(first);
    long stored = count_sql(url, "SELECT count(*) FROM tickets");
    ck_assert_msg(stored > 0 && stored < n_ids, "killed with %ld of %d tickets stored", stored,
                  n_ids);

    const char *args[] = {"import", history_path, NULL};
    static const int delays_ms[] = {40, 120, 250};
    for (size_t i = 0; i < sizeof(delays_ms) / sizeof(delays_ms[0]); i++) {
        pid_t pid = harness_spawn_repeatd_on(url, args);
        ck_assert_int_gt(pid, 0);
        usleep((useconds_t)delays_ms[i] * 1000);
        kill(pid, SIGKILL);
        harness_wait(pid);
    }
    ck_assert_int_eq(import(url, summary, sizeof(summary), false), 3);
    same_as_live(url);
}
END_TEST

/* A time with a fraction of a second, a ticket id that comes twice: the fold cannot answer as
 * the live statements would, so those citizens go through the live transactions; a plain
 * citizen beside them takes the fast path. */
START_TEST(what_the_fold_cannot_vouch_for_goes_the_live_way)
{
    ensure_history(); /* for its paths */
    char url[1200], summary[4096], path[600], frac[64], plain[64], later[64];
    fresh_database("repeatd_test_import_v", url, sizeof(url));
    int64_t t = (int64_t)time(NULL) - 200 * 86400;
    const char *b = iso(t);
    snprintf(frac, sizeof(frac), "%.19s.500%s", b, b + 19);
    snprintf(plain, sizeof(plain), "%s", iso(t + 60));
    snprintf(later, sizeof(later), "%s", iso(t + 3600));
    snprintf(path, sizeof(path), "%s.vouch", history_path);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    static const char ticket[] =
        "{\"ticket\": {\"ticket_id\": \"%s\", \"received_at\": \"%s\", \"citizen\":"
        " {\"phone\": \"%s\"}, \"category\": \"CG.SZ.LD\"}}\n";
    fprintf(f, ticket, "FRAC-1", frac, "13900001111");
    fprintf(f,
            "{\"event\": {\"ticket_id\": \"FRAC-1\", \"type\": \"dispatched\", \"at\": \"%s\","
            " \"unit\": \"U1\", \"team\": \"T1\", \"handler\": \"H1\"}}\n",
            later);
    fprintf(f, ticket, "TWICE-1", plain, "13900002222");
    fprintf(f, ticket, "TWICE-1", plain, "13900003333");
    fprintf(f, ticket, "PLAIN-1", plain, "13900004444");
    fclose(f);
    const char *args[] = {"import", path, NULL};
    ck_assert_int_eq(harness_run_repeatd_on(url, summary, sizeof(summary), args), 3);
    json_t *s = gc(json_loads(summary, 0, NULL));
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(jint(s, "records_by_path.fast"), 1);
    ck_assert_int_eq(jint(s, "records_by_path.live"), 4);
    ck_assert_int_eq(jint(s, "tickets"), 3);
    ck_assert_int_eq(jint(s, "events_accepted"), 1);
    ck_assert_int_eq(jint(s, "rejected_by_error.idempotency_conflict"), 1);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM tickets"), 3);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM tickets WHERE ticket_id = 'FRAC-1'"
                                    " AND unit = 'U1' AND dispatched_at IS NOT NULL"),
                     1);

    /* Events alone: one whose ticket the database holds (its citizen read from there) and one
     * for a ticket nobody has. */
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "{\"event\": {\"ticket_id\": \"PLAIN-1\", \"type\": \"dispatched\", \"at\": \"%s\","
            " \"unit\": \"U2\", \"team\": \"T2\", \"handler\": \"H2\"}}\n",
            later);
    fprintf(f,
            "{\"event\": {\"ticket_id\": \"NOPE-1\", \"type\": \"dispatched\", \"at\": \"%s\","
            " \"unit\": \"U2\", \"team\": \"T2\", \"handler\": \"H2\"}}\n",
            later);
    fclose(f);
    ck_assert_int_eq(harness_run_repeatd_on(url, summary, sizeof(summary), args), 3);
    s = gc(json_loads(summary, 0, NULL));
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(jint(s, "events_accepted"), 1);
    ck_assert_int_eq(jint(s, "rejected_by_error.not_found"), 1);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM tickets WHERE ticket_id = 'PLAIN-1'"
                                    " AND unit = 'U2' AND dispatched_at IS NOT NULL"),
                     1);
}
END_TEST

START_TEST(dry_run_writes_nothing_and_overlap_is_refused)
{
    ensure_history();
    char url[1200], summary[4096];
    fresh_database("repeatd_test_import_d", url, sizeof(url));
    ck_assert_int_eq(import(url, summary, sizeof(summary), true), 3);
    json_t *s = gc(json_loads(summary, 0, NULL));
    ck_assert_int_eq(jint(s, "tickets"), n_ids);
    ck_assert(jbool(s, "dry_run") == 1);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM tickets"), 0);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM kpi_counts"), 0);

    /* A ticket received after the history begins, not part of it: the history is refused. */
    char path[600], out[256];
    snprintf(path, sizeof(path), "%s.live", history_path);
    FILE *f = fopen(path, "w");
    fprintf(f,
            "{\"ticket\": {\"ticket_id\": \"LIVE-1\", \"received_at\": \"%s\", \"citizen\":"
            " {\"phone\": \"13900009999\"}, \"category\": \"CG.SZ.LD\"}}\n",
            iso((int64_t)time(NULL) - 3600));
    fclose(f);
    /* --workers takes 1 to 16: anything else is a usage error, nothing read. */
    const char *none[] = {"import", "--workers", "0", history_path, NULL};
    const char *many[] = {"import", "--workers", "17", history_path, NULL};
    const char *text[] = {"import", "--workers", "two", history_path, NULL};
    ck_assert_int_eq(harness_run_repeatd_on(url, out, sizeof(out), none), 2);
    ck_assert_int_eq(harness_run_repeatd_on(url, out, sizeof(out), many), 2);
    ck_assert_int_eq(harness_run_repeatd_on(url, out, sizeof(out), text), 2);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM tickets"), 0);

    const char *live[] = {"import", path, NULL};
    ck_assert_int_eq(harness_run_repeatd_on(url, out, sizeof(out), live), 0);
    ck_assert_int_eq(import(url, summary, sizeof(summary), false), 2);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM tickets"), 1);

    /* History that begins after every stored ticket goes in; the same file again changes
     * nothing. */
    char later_path[600];
    snprintf(later_path, sizeof(later_path), "%s.later", history_path);
    f = fopen(later_path, "w");
    fprintf(f,
            "{\"ticket\": {\"ticket_id\": \"LATER-1\", \"received_at\": \"%s\", \"citizen\":"
            " {\"phone\": \"13900009999\"}, \"category\": \"CG.SZ.LD\"}}\n",
            iso((int64_t)time(NULL) - 1800));
    fclose(f);
    const char *later[] = {"import", later_path, NULL};
    ck_assert_int_eq(harness_run_repeatd_on(url, out, sizeof(out), later), 0);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM tickets"), 2);
    ck_assert_int_eq(harness_run_repeatd_on(url, out, sizeof(out), later), 0);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM tickets"), 2);
    remove(later_path);
}
END_TEST

/* A bad line's reject says what the API would say, with the line and its text: an event dated
 * before its own ticket is out of order on `at` (it sorts right after the ticket, as the
 * workflow sees it), not an event of an unknown ticket; a line that is not JSON is
 * invalid_json. Nothing of either is kept; the ticket is. */
START_TEST(rejects_say_what_the_api_says)
{
    char url[1200], summary[4096], path[600], rejects[600];
    fresh_database("repeatd_test_import_r", url, sizeof(url));
    snprintf(path, sizeof(path), "%s.order", history_path);
    snprintf(rejects, sizeof(rejects), "%s.order-rejects", history_path);
    int64_t t = (int64_t)time(NULL) - 86400;
    char event[400];
    snprintf(event, sizeof(event),
             "{\"event\": {\"ticket_id\": \"ORDER-1\", \"type\": \"dispatched\", \"at\": \"%s\","
             " \"unit\": \"U01\", \"team\": \"T1\", \"handler\": \"H1\"}}",
             iso(t - 3600));
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "{\"ticket\": {\"ticket_id\": \"ORDER-1\", \"received_at\": \"%s\", \"citizen\":"
            " {\"phone\": \"13900007777\"}, \"category\": \"CG.SZ.LD\"}}\n%s\nnot json\n",
            iso(t), event);
    fclose(f);
    const char *args[] = {"import", "--rejects", rejects, path, NULL};
    ck_assert_int_eq(harness_run_repeatd_on(url, summary, sizeof(summary), args), 3);
    json_t *s = gc(json_loads(summary, 0, NULL));
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(jint(s, "tickets"), 1);
    ck_assert_int_eq(jint(s, "events_accepted"), 0);
    ck_assert_int_eq(jint(s, "rejected_by_error.event_out_of_order"), 1);
    ck_assert_int_eq(jint(s, "rejected_by_error.invalid_json"), 1);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM tickets"), 1);
    ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM ticket_events"), 0);

    json_error_t je;
    f = fopen(rejects, "r");
    ck_assert_ptr_nonnull(f);
    char buf[2048];
    json_t *got[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
        got[i] = gc(json_loads(buf, 0, &je));
        ck_assert_msg(got[i] != NULL, "reject %d: %s", i, je.text);
    }
    ck_assert_ptr_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    /* A line that cannot be read is rejected while reading, one the workflow refuses when
     * applied: the event's line 2 and line 3, in either order. */
    if (jint(got[0], "line") == 3) {
        json_t *first = got[0];
        got[0] = got[1];
        got[1] = first;
    }
    ck_assert_int_eq(jint(got[0], "line"), 2);
    ck_assert_str_eq(jstr(got[0], "error"), "event_out_of_order");
    ck_assert_str_eq(jstr(got[0], "field"), "at");
    ck_assert_str_eq(jstr(got[0], "text"), event);
    ck_assert_ptr_nonnull(jstr(got[0], "message"));
    ck_assert_ptr_nonnull(strstr(jstr(got[0], "message"), "received"));
    ck_assert_int_eq(jint(got[1], "line"), 3);
    ck_assert_str_eq(jstr(got[1], "error"), "invalid_json");
    ck_assert_str_eq(jstr(got[1], "text"), "not json");
    remove(path);
    remove(rejects);
}
END_TEST

/* The CRM's own event ids are honoured as by the live API: a second import of the same lines
 * recognises tickets and events (by their ids) and records nothing; a ticket or an event of a
 * known id with another body is a conflict (idempotency_conflict), reported, never written. */
START_TEST(event_ids_and_changed_bodies)
{
    char url[1200], summary[4096], path[600];
    fresh_database("repeatd_test_import_e", url, sizeof(url));
    snprintf(path, sizeof(path), "%s.ids", history_path);
    int64_t t = (int64_t)time(NULL) - 86400;
    const char *args[] = {"import", "--rejects", "/dev/null", path, NULL};
    for (int round = 0; round < 3; round++) {
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        /* round 2: another description, another handler for EV-1 */
        fprintf(f,
                "{\"ticket\": {\"ticket_id\": \"EID-1\", \"received_at\": \"%s\", \"citizen\":"
                " {\"phone\": \"13900006666\"}, \"category\": \"CG.SZ.LD\"%s}}\n"
                "{\"event\": {\"ticket_id\": \"EID-1\", \"event_id\": \"EV-1\", \"type\":"
                " \"dispatched\", \"at\": \"%s\", \"unit\": \"U01\", \"team\": \"T1\","
                " \"handler\": \"%s\"}}\n"
                "{\"event\": {\"ticket_id\": \"EID-1\", \"event_id\": \"EV-2\", \"type\":"
                " \"contact_attempt\", \"at\": \"%s\", \"channel\": \"phone\", \"outcome\":"
                " \"reached\"}}\n",
                iso(t), round == 2 ? ", \"description\": \"changed\"" : "", iso(t + 60),
                round == 2 ? "H2" : "H1", iso(t + 120));
        fclose(f);
        int rc = harness_run_repeatd_on(url, summary, sizeof(summary), args);
        json_t *s = gc(json_loads(summary, 0, NULL));
        ck_assert_ptr_nonnull(s);
        if (round == 0) {
            ck_assert_int_eq(rc, 0);
            ck_assert_int_eq(jint(s, "tickets"), 1);
            ck_assert_int_eq(jint(s, "events_accepted"), 2);
        } else if (round == 1) {
            ck_assert_int_eq(rc, 0);
            ck_assert_int_eq(jint(s, "tickets"), 0);
            ck_assert_int_eq(jint(s, "events_accepted"), 0);
            ck_assert_int_eq(jint(s, "skipped_duplicates.tickets"), 1);
            ck_assert_int_eq(jint(s, "skipped_duplicates.events"), 2);
        } else {
            ck_assert_int_eq(rc, 3);
            ck_assert_int_eq(jint(s, "rejected_by_error.idempotency_conflict"), 2);
            ck_assert_int_eq(jint(s, "skipped_duplicates.events"), 1); /* EV-2, unchanged */
        }
        ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM ticket_events"
                                        " WHERE event_id IN ('EV-1', 'EV-2')"),
                         2);
        ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM ticket_events"), 2);
        ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM ticket_events"
                                        " WHERE event_id = 'EV-1' AND body->>'handler' = 'H1'"),
                         1);
        ck_assert_int_eq(count_sql(url, "SELECT count(*) FROM ticket_facts"
                                        " WHERE ticket_id = 'EID-1' AND description IS NULL"),
                         1);
    }
    remove(path);
}
END_TEST

/* ---- a history imported before migration 0013 ---- */

static void exec_on(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK,
                  "%.80s: %s", sql, PQerrorMessage(c));
    PQclear(res);
}

/* The rows `out` (a COPY ... TO STDOUT) of one database into another by `in` (COPY FROM). */
static void copy_rows(PGconn *from, const char *out, PGconn *to, const char *in)
{
    PGresult *a = PQexec(from, out), *b = PQexec(to, in);
    ck_assert_msg(PQresultStatus(a) == PGRES_COPY_OUT, "%s", PQerrorMessage(from));
    ck_assert_msg(PQresultStatus(b) == PGRES_COPY_IN, "%s", PQerrorMessage(to));
    PQclear(a);
    PQclear(b);
    char *row;
    int n;
    while ((n = PQgetCopyData(from, &row, 0)) > 0) {
        ck_assert_int_eq(PQputCopyData(to, row, n), 1);
        PQfreemem(row);
    }
    ck_assert_int_eq(n, -1);
    PQclear(PQgetResult(from));
    ck_assert_int_eq(PQputCopyEnd(to, NULL), 1);
    PGresult *done = PQgetResult(to);
    ck_assert_msg(PQresultStatus(done) == PGRES_COMMAND_OK, "%s", PQerrorMessage(to));
    PQclear(done);
}

/* The schema as migrations 0001 to 0012 left it: their files, run as repeatd runs them. */
static void migrate_to_0012(PGconn *c)
{
    char dir[700], path[1000], *sql = NULL;
    snprintf(dir, sizeof(dir), "%s/migrations", getenv("REPEATD_TEST_SOURCE_ROOT"));
    exec_on(c, "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
               " applied_at timestamptz NOT NULL DEFAULT now())");
    for (int v = 1; v <= 12; v++) {
        DIR *d = opendir(dir);
        ck_assert_ptr_nonnull(d);
        struct dirent *e;
        char prefix[8];
        snprintf(prefix, sizeof(prefix), "%04d_", v);
        while ((e = readdir(d)) && strncmp(e->d_name, prefix, 5) != 0)
            ;
        ck_assert_msg(e != NULL, "no migration %s", prefix);
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        closedir(d);
        FILE *f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        rewind(f);
        sql = realloc(sql, (size_t)n + 1);
        ck_assert_int_eq(fread(sql, 1, (size_t)n, f), (size_t)n);
        sql[n] = '\0';
        fclose(f);
        exec_on(c, "BEGIN");
        exec_on(c, sql);
        char record[200];
        snprintf(record, sizeof(record),
                 "INSERT INTO schema_migrations (version, name) VALUES (%d, 'before 0013'); COMMIT",
                 v);
        exec_on(c, record);
    }
    free(sql);
}

/* Before 0013 an imported event without an event_id was stored with one made from its
 * content ("imp-" and 40 hex digits) in its column and body, and every event carried the
 * assignment as it stood; before 0014 ticket_state held no look-up columns. A database in that
 * shape, migrated, holds what an import into the new shape holds, byte for byte; and the same
 * history imported again is recognised whole. */
START_TEST(an_import_made_before_0013_is_recognised_after_it)
{
    ensure_history();
    char now_url[1200], old_url[1200], summary[4096], err[1200], out[256];
    fresh_database("repeatd_test_import_m13", now_url, sizeof(now_url));
    ck_assert_int_eq(import(now_url, summary, sizeof(summary), false), 3);
    json_t *s = gc(json_loads(summary, 0, NULL));
    ck_assert_int_gt(count_sql(now_url, "SELECT count(*) FROM ticket_events"
                                        " WHERE event_id IS NULL AND request_hash IS NOT NULL"),
                     0);

    ck_assert_msg(rd_test_create_database(api.admin_url, "repeatd_test_import_m12", old_url,
                                          sizeof(old_url), err, sizeof(err)) == 0,
                  "%s", err);
    PGconn *now = connect_to(now_url), *old = connect_to(old_url);
    migrate_to_0012(old);
    ck_assert_msg(rd_test_copy_categories(now_url, old_url, err, sizeof(err)) == 0, "%s", err);
    PGresult *months = PQexec(now, "SELECT DISTINCT to_char(received_at AT TIME ZONE 'UTC',"
                                   " 'YYYY-MM-01') FROM ticket_state");
    for (int i = 0; i < PQntuples(months); i++) {
        const char *m[] = {PQgetvalue(months, i, 0)};
        PGresult *r = PQexecParams(old, "SELECT rd_ensure_month(($1 || ' 00:00Z')::timestamptz)", 1,
                                   NULL, m, NULL, NULL, 0);
        ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
        PQclear(r);
    }
    PQclear(months);
    /* The aggregates without the decision rows, which 0017 counts in from the tickets. */
    static const char *const same[][2] = {
        {"ticket_facts", "true"}, {"kpi_counts", "dim <> 6"}, {"kpi_defects", "true"}};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        char a[200], b[200];
        snprintf(a, sizeof(a), "COPY (SELECT * FROM %s WHERE %s) TO STDOUT", same[i][0],
                 same[i][1]);
        snprintf(b, sizeof(b), "COPY %s FROM STDIN", same[i][0]);
        copy_rows(now, a, old, b);
    }
    /* the state without what 0014 adds (the look-up's columns, filled in by it) */
    copy_rows(now,
              "COPY (SELECT ticket_id, received_at, problem_key, creates_work_order, green_ordinal,"
              " status, unit, team, handler, dispatched_at, deadline, contact_reached,"
              " contact_failures, first_contact_failed, closeout_accepted, closeout_rejections,"
              " closeout_unresolved, followup_recorded, followup_reached, false_closeout,"
              " closed_at, outcome, calls, closeout_accepted_at, followup_at, changed_at"
              " FROM ticket_state) TO STDOUT",
              old, "COPY ticket_state FROM STDIN");
    /* the events as the import wrote them before: made-up ids, the assignment a row */
    copy_rows(now,
              "COPY (SELECT e.ticket_id, e.received_at, e.id, e.type, e.at,"
              " e.body || jsonb_build_object('event_id', coalesce(e.event_id,"
              "  'imp-' || encode(e.request_hash, 'hex'))),"
              " e.accepted, e.defects, e.recorded_at, 'U', 'T', 'H',"
              " coalesce(e.event_id, 'imp-' || encode(e.request_hash, 'hex')),"
              " CASE WHEN e.event_id IS NULL THEN sha256(e.body::text::bytea)"
              "  ELSE e.request_hash END FROM ticket_events e) TO STDOUT",
              old,
              "COPY ticket_events (ticket_id, received_at, id, type, at, body, accepted, defects,"
              " recorded_at, unit, team, handler, event_id, request_hash) FROM STDIN");
    exec_on(old, "SELECT setval('ticket_events_id_seq', (SELECT max(id) FROM ticket_events))");
    PQfinish(now);
    PQfinish(old);

    const char *migrate[] = {"migrate", NULL};
    ck_assert_int_eq(harness_run_repeatd_on(old_url, out, sizeof(out), migrate), 0);
    /* every migration there is, as in the database made now */
    ck_assert_int_eq(count_sql(old_url, "SELECT count(*) FROM schema_migrations"),
                     count_sql(now_url, "SELECT count(*) FROM schema_migrations"));
    ck_assert_msg(rd_test_same_stored(now_url, old_url, err, sizeof(err)) == 0,
                  "imported now (a) and before 0013, migrated (b): %s", err);

    char again[4096];
    ck_assert_int_eq(import(old_url, again, sizeof(again), false), 3);
    json_t *t = gc(json_loads(again, 0, NULL));
    ck_assert_int_eq(jint(t, "tickets"), 0);
    ck_assert_int_eq(jint(t, "events_accepted"), 0);
    ck_assert_int_eq(jint(t, "skipped_duplicates.events"), jint(s, "events_accepted"));
    same_as_live(old_url);
}
END_TEST

int main(void)
{
    harness_start("import");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, import_equals_live);
    tcase_add_test(tc, import_from_standard_input);
    tcase_add_test(tc, import_survives_kill_9);
    tcase_add_test(tc, fast_path_stores_what_the_live_transactions_store);
    tcase_add_test(tc, kill_9_in_a_copy_batch_then_again);
    tcase_add_test(tc, what_the_fold_cannot_vouch_for_goes_the_live_way);
    tcase_add_test(tc, dry_run_writes_nothing_and_overlap_is_refused);
    tcase_add_test(tc, rejects_say_what_the_api_says);
    tcase_add_test(tc, event_ids_and_changed_bodies);
    tcase_add_test(tc, an_import_made_before_0013_is_recognised_after_it);
    return harness_run(s, tc);
}
