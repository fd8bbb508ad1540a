/* The demo city's build, for repeatd-demo and test_demo. The database is prepared as the
 * server prepares it, the city stored through the admin store functions, the citizens lived
 * through by worker threads (one connection each, a citizen's whole timeline on one thread),
 * then a few anomalies planted in the last full month and checked the way the API checks
 * them. */
#include "demo.h"

#include "loop.h"
#include "simulate.h"

#include "repeatd/kpi_store.h"
#include "repeatd/months.h"
#include "repeatd/prepare.h"
#include "repeatd/store.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY                 86400
#define BASELINE_MONTHS     6   /* GET /v1/kpi/anomalies defaults: baseline=6, min_score=3, */
#define ANOMALY_MIN_SCORE   3.0 /* min_repeats=3 */
#define ANOMALY_MIN_REPEATS 3
#define PLANTED_LEAVES      3
#define PROGRESS_EVERY_S    5.0

/* ---- time ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The first instant of month index `month` in the city's zone. */
static int64_t month_start(int month)
{
    return rd_days_from_civil(month / 12, month % 12 + 1, 1) * DAY - SIM_TZ_OFFSET;
}

static void month_label(int month, char out[16])
{
    snprintf(out, 16, "%04d-%02d", month / 12, month % 12 + 1);
}

/* ---- the database ---- */

static const rd_stmt q_existing = {
    "demo_existing",
    "SELECT count(*) FILTER (WHERE ticket_id NOT LIKE 'DEMO-%'), count(*) FROM tickets", 0};

/* Start from no tickets: an earlier demo is replaced, anything else only with --reset. */
static int empty_tickets(rd_db *db, bool reset)
{
    PGresult *res;
    int r = rd_db_exec(db, &q_existing, NULL, &res);
    if (r < 0)
        return r;
    long foreign = atol(PQgetvalue(res, 0, 0)), all = atol(PQgetvalue(res, 0, 1));
    PQclear(res);
    if (foreign > 0 && !reset) {
        fprintf(stderr,
                "repeatd-demo: the database holds %ld tickets that are not the demo's; "
                "--reset deletes them (and all events and KPI aggregates)\n",
                foreign);
        return -EEXIST;
    }
    if (all == 0)
        return 0;
    fprintf(stderr, "repeatd-demo: deleting %ld tickets, their events and the aggregates\n", all);
    return rd_db_simple(
        db, "TRUNCATE ticket_events, ticket_facts, ticket_state, kpi_counts, kpi_defects,"
            " programme_checkins, programmes, green_verifications,"
            " green_assignments, loop_audit");
}

/* ---- running citizens on worker threads ---- */

typedef struct burst_spec {
    int leaf, unit; /* unit -1: the leaf's usual unit */
} burst_spec;

/* The workers write the JSON Lines dump (rd_demo_opts.jsonl) a citizen at a time. */
static pthread_mutex_t jsonl_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct phase {
    const rd_demo_opts *o;
    rd_service *service;
    const demo_city *city;
    int64_t start, end;
    /* ordinary citizens: calls[i] calls each, tickets numbered from first_seq[i] */
    const unsigned char *calls;
    const long *first_seq;
    /* or planted ones: two calls each, numbered from burst_seq */
    const burst_spec *bursts;
    long burst_index, burst_seq;
    int64_t month_start, month_end;
    long n; /* citizens */
    atomic_long tickets_done, events_done;
    atomic_int failed, finished;
} phase;

typedef struct worker {
    phase *ph;
    int id;
    int rc;
    sim_worker w;
    pthread_t thread;
} worker;

static void *worker_main(void *arg)
{
    worker *wk = arg;
    phase *ph = wk->ph;
    int rc = 0;
    /* Citizens are dealt out by index: a citizen's calls and events stay on one thread in
     * time order, and two threads share nothing but the aggregate rows. */
    for (long i = wk->id; rc == 0 && i < ph->n; i += ph->o->threads) {
        if (atomic_load(&ph->failed))
            break;
        sim_citizen z;
        if (ph->bursts)
            sim_burst_make(ph->city, ph->o->seed, ph->burst_index + i, ph->burst_seq + 2 * i,
                           ph->bursts[i].leaf, ph->bursts[i].unit, ph->month_start, ph->month_end,
                           ph->end, &z);
        else
            sim_citizen_make(ph->city, ph->o->seed, i, ph->calls[i], ph->first_seq[i], ph->start,
                             ph->end, &z);
        rc = sim_run(&wk->w, &z);
    }
    if (rc < 0)
        atomic_store(&ph->failed, 1);
    wk->rc = rc;
    atomic_fetch_add(&ph->finished, 1);
    return NULL;
}

/* The aggregate rows that every transaction touches (the total, the not-yet-dispatched '')
 * are sharded by pg_backend_pid() % 8 (store/kpi_store.c): workers whose backends share a
 * shard would queue on those rows for whole citizens at a time. Reconnect until each worker
 * has a shard of its own (as far as 8 shards go). */
#define KPI_SHARDS 8

static int open_workers(phase *ph, worker *wk, int n)
{
    rd_db *spare[4 * KPI_SHARDS];
    int n_spare = 0, rc = 0;
    unsigned used = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        wk[i] = (worker){.ph = ph, .id = i};
        wk[i].w = (sim_worker){.city = ph->city,
                               .service = ph->service,
                               .seed = ph->o->seed,
                               .end = ph->end,
                               .jsonl = ph->o->jsonl,
                               .jsonl_lock = &jsonl_lock,
                               .tickets_done = &ph->tickets_done,
                               .events_done = &ph->events_done};
        rc = sim_worker_open(&wk[i].w, ph->o->database_url);
        while (rc == 0 && n <= KPI_SHARDS && n_spare < 4 * KPI_SHARDS) {
            unsigned shard = 1u << (PQbackendPID(wk[i].w.db->conn) % KPI_SHARDS);
            if (!(used & shard)) {
                used |= shard;
                break;
            }
            spare[n_spare++] = wk[i].w.db; /* kept open so that the next pid is another */
            wk[i].w.db = sim_connect(ph->o->database_url);
            rc = wk[i].w.db ? 0 : -ECONNREFUSED;
        }
    }
    for (int i = 0; i < n_spare; i++)
        rd_db_close(spare[i]);
    return rc;
}

static void add_stats(rd_demo_summary *s, const sim_stats *st)
{
    s->tickets += st->tickets;
    for (int k = 0; k < RD_DEMO_DECISIONS; k++)
        s->decisions[k] += st->decisions[k];
    s->events += st->events;
    s->closeouts_rejected += st->closeouts_rejected;
    s->events_refused += st->events_refused;
}

static int run_phase(phase *ph, const char *what, long expected, double t0, rd_demo_summary *s)
{
    int n = ph->o->threads;
    worker *wk = calloc((size_t)n, sizeof(*wk));
    if (!wk)
        return -ENOMEM;
    int started = 0, rc = open_workers(ph, wk, n);
    for (; rc == 0 && started < n; started++) {
        if (pthread_create(&wk[started].thread, NULL, worker_main, &wk[started]) != 0) {
            atomic_store(&ph->failed, 1);
            rc = -EAGAIN;
            break;
        }
    }
    double last = now_s();
    while (atomic_load(&ph->finished) < started) {
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
        double t = now_s();
        if (ph->o->progress && t - last >= PROGRESS_EVERY_S) {
            long done = s->tickets + atomic_load(&ph->tickets_done);
            fprintf(stderr, "repeatd-demo: %s: %ld/%ld tickets, %ld events, %.0f tickets/s\n", what,
                    done, expected, s->events + atomic_load(&ph->events_done),
                    (double)done / (t - t0));
            last = t;
        }
    }
    for (int i = 0; i < n; i++) {
        if (i < started)
            pthread_join(wk[i].thread, NULL);
        add_stats(s, &wk[i].w.st);
        s->retries += wk[i].w.retries;
        if (rc == 0 && wk[i].rc < 0)
            rc = wk[i].rc;
        sim_worker_close(&wk[i].w);
    }
    free(wk);
    return rc;
}

/* ---- ordinary citizens ---- */

#define CALLS_MAX SIM_CALLS_MAX

/* Calls per citizen: Zipf with exponent 1.9 on 1..50, mean about 3.1: most call once, one in
 * fifteen ten times or more. */
static int draw_calls(demo_rng *r, const double *cdf)
{
    double x = demo_uniform(r) * cdf[CALLS_MAX - 1];
    int k = 0;
    while (k < CALLS_MAX - 1 && cdf[k] <= x)
        k++;
    return k + 1;
}

static int plan_citizens(long tickets, uint64_t seed, unsigned char **ret_calls, long **ret_first,
                         long *ret_n)
{
    double cdf[CALLS_MAX], total = 0;
    for (int k = 0; k < CALLS_MAX; k++)
        cdf[k] = total += pow(k + 1, -1.9);
    demo_rng r = demo_rng_make(seed, 0xCA11ull);
    unsigned char *calls = NULL;
    long *first = NULL, n = 0, seq = 0;
    size_t cap = 0;
    while (seq < tickets) {
        if ((size_t)n == cap) {
            cap = cap ? 2 * cap : (size_t)tickets / 3 + 16;
            unsigned char *c = realloc(calls, cap);
            calls = c ? c : calls;
            long *f = c ? realloc(first, cap * sizeof(*first)) : NULL;
            first = f ? f : first;
            if (!c || !f) {
                free(calls);
                free(first);
                return -ENOMEM;
            }
        }
        int k = draw_calls(&r, cdf);
        if (k > tickets - seq)
            k = (int)(tickets - seq);
        calls[n] = (unsigned char)k;
        first[n++] = seq;
        seq += k;
    }
    *ret_calls = calls;
    *ret_first = first;
    *ret_n = n;
    return 0;
}

/* ---- planted anomalies ---- */

typedef struct group_stat {
    double baseline; /* mean of the BASELINE_MONTHS before the month */
    long history[BASELINE_MONTHS];
    long observed;
} group_stat;

/* Repeats of `key` by month from grouped rows of months [month - 6, month]. */
static group_stat stat_of(const rd_kpi_row *rows, size_t n, const char *key, int month)
{
    group_stat g = {0};
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].key, key) != 0)
            continue;
        int b = rows[i].period_start - (month - BASELINE_MONTHS);
        if (b >= 0 && b < BASELINE_MONTHS)
            g.history[b] += rows[i].v[RD_KPI_REPEATS];
        else if (rows[i].period_start == month)
            g.observed += rows[i].v[RD_KPI_REPEATS];
    }
    for (int b = 0; b < BASELINE_MONTHS; b++)
        g.baseline += (double)g.history[b] / BASELINE_MONTHS;
    return g;
}

static int grouped(rd_db *db, rd_kpi_dim dim, int month, rd_kpi_row **rows, size_t *n)
{
    return store_kpi_grouped(db, dim, 0, 1, month - BASELINE_MONTHS, month, rows, n);
}

/* How far a group's usual repeats are from what a burst of `burst` would multiply by about
 * six; a little noise from the seed breaks ties. */
static double fit(double baseline, double burst, demo_rng *r)
{
    return fabs(baseline - burst / 6.0) + demo_between(r, 0, 0.25);
}

/* The usual repeats of the units (but `skip`) that handle `leaf`, each floored at 0.5. */
static double handling_base(const demo_city *c, int leaf, int skip, const double *unit_base)
{
    double total = 0;
    for (int u = 0; u < c->n_units; u++)
        if (u != skip && demo_city_unit_handles(c, u, leaf))
            total += unit_base[u] + 0.5;
    return total;
}

/* A unit that handles `leaf`, drawn in proportion to its usual repeats: a burst on the leaf
 * then raises each unit's repeats by the same fraction. */
static int burst_unit(const demo_city *c, int leaf, int skip, const double *unit_base, demo_rng *r)
{
    double x = demo_uniform(r) * handling_base(c, leaf, skip, unit_base);
    int last = -1;
    for (int u = 0; u < c->n_units && x >= 0; u++) {
        if (u == skip || !demo_city_unit_handles(c, u, leaf))
            continue;
        last = u;
        x -= unit_base[u] + 0.5;
    }
    return last;
}

static void plant(rd_demo_summary *s, rd_kpi_dim dim, const char *key, const char *name, long added)
{
    rd_demo_planted *p = &s->planted[s->n_planted++];
    p->dim = dim;
    snprintf(p->key, sizeof(p->key), "%s", key);
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->added = added;
}

/* Choose one district unit and three leaves (of different roots, handled by district units)
 * whose usual repeats a burst of per_group multiplies about six times, and describe the
 * bursts: per_group planted citizens each. */
static int choose_planted(rd_db *db, const demo_city *c, int month, long per_group, uint64_t seed,
                          rd_demo_summary *s, burst_spec *bursts)
{
    demo_rng rng = demo_rng_make(seed, 0xB0057ull);
    double unit_base[DEMO_UNITS_MAX] = {0}, best = INFINITY;
    rd_kpi_row *rows;
    size_t n;
    int r = grouped(db, RD_DIM_UNIT, month, &rows, &n);
    if (r < 0)
        return r;
    int unit = -1;
    for (int u = 0; u < c->n_units; u++) {
        unit_base[u] = stat_of(rows, n, c->units[u].code, month).baseline;
        double f = fit(unit_base[u], (double)per_group, &rng);
        if (!c->units[u].weak && c->units[u].district >= 0 && f < best) {
            best = f;
            unit = u;
        }
    }
    free(rows);
    r = grouped(db, RD_DIM_CATEGORY, month, &rows, &n);
    if (r < 0)
        return r;
    /* A leaf's burst lands on the units that handle it: keep what each unit gets (added[u],
     * expected) well under its own usual repeats, or the units would be flagged too. */
    int chosen[PLANTED_LEAVES];
    double added[DEMO_UNITS_MAX] = {0};
    for (int g = 0; g < PLANTED_LEAVES; g++) {
        best = INFINITY;
        chosen[g] = -1;
        for (int l = 0; l < c->n_leaves; l++) {
            const demo_category *cat = demo_leaf(c, l);
            bool clash = false;
            for (int h = 0; h < g; h++)
                clash = clash || cat->code[0] == demo_leaf(c, chosen[h])->code[0];
            if (cat->policy || clash || !demo_city_leaf_local(c, l))
                continue;
            double share = (double)per_group / handling_base(c, l, unit, unit_base), worst = 0;
            for (int u = 0; u < c->n_units; u++)
                if (u != unit && demo_city_unit_handles(c, u, l))
                    worst = fmax(worst, added[u] / (unit_base[u] + 0.5) + share);
            double f = fit(stat_of(rows, n, cat->code, month).baseline, (double)per_group, &rng) +
                       20.0 * fmax(0.0, worst - 0.6);
            if (f < best) {
                best = f;
                chosen[g] = l;
            }
        }
        if (chosen[g] < 0)
            break;
        double share = (double)per_group / handling_base(c, chosen[g], unit, unit_base);
        for (int u = 0; u < c->n_units; u++)
            if (u != unit && demo_city_unit_handles(c, u, chosen[g]))
                added[u] += share * (unit_base[u] + 0.5);
    }
    free(rows);

    s->n_planted = 0;
    for (int g = 0; g < PLANTED_LEAVES && chosen[g] >= 0; g++) {
        burst_spec *b = &bursts[s->n_planted * per_group];
        plant(s, RD_DIM_CATEGORY, demo_leaf(c, chosen[g])->code, demo_leaf(c, chosen[g])->name,
              per_group);
        for (long i = 0; i < per_group; i++)
            b[i] = (burst_spec){chosen[g], burst_unit(c, chosen[g], unit, unit_base, &rng)};
    }
    if (unit >= 0) {
        burst_spec *b = &bursts[s->n_planted * per_group];
        plant(s, RD_DIM_UNIT, c->units[unit].code, c->units[unit].name, per_group);
        /* Over the unit's leaves by their volume, so that no one leaf jumps with it. */
        for (long i = 0; i < per_group; i++) {
            int leaf = demo_city_pick_leaf(c, &rng);
            for (int tries = 0; tries < 500 && (!demo_city_unit_handles(c, unit, leaf) ||
                                                demo_leaf(c, leaf)->policy);
                 tries++)
                leaf = demo_city_pick_leaf(c, &rng);
            b[i] = (burst_spec){leaf, unit};
        }
    }
    return 0;
}

/* What GET /v1/kpi/anomalies would say of each planted group. */
static int check_planted(rd_db *db, int month, rd_demo_summary *s)
{
    for (size_t i = 0; i < s->n_planted; i++) {
        rd_demo_planted *p = &s->planted[i];
        rd_kpi_row *rows;
        size_t n;
        int r = grouped(db, p->dim, month, &rows, &n);
        if (r < 0)
            return r;
        group_stat g = stat_of(rows, n, p->key, month);
        free(rows);
        rd_anomaly a = rd_anomaly_score(g.observed, g.history, BASELINE_MONTHS, ANOMALY_MIN_SCORE,
                                        ANOMALY_MIN_REPEATS);
        p->baseline = g.baseline;
        p->observed = g.observed;
        p->score = a.score;
        p->flagged = a.flagged;
    }
    return 0;
}

/* ---- the whole build ---- */

static int check_opts(const rd_demo_opts *o, int64_t now)
{
    const char *bad = !o->database_url || !o->secret              ? "database URL and secret"
                      : o->tickets < 100 || o->tickets > 50000000 ? "--tickets (100..50000000)"
                      : o->months < 2 || o->months > 60           ? "--months (2..60)"
                      : o->threads < 1 || o->threads > 64         ? "--threads (1..64)"
                      : o->end > now                              ? "--end (not in the future)"
                                                                  : NULL;
    if (bad) {
        fprintf(stderr, "repeatd-demo: bad %s\n", bad);
        return -EINVAL;
    }
    return 0;
}

/* Tickets of the planted bursts: 0.4% of the city, two per planted citizen, four groups. */
static long burst_budget(long tickets)
{
    long b = tickets / 250;
    b = b < 64 ? 64 : b > 4000 ? 4000 : b;
    if (b > tickets / 10)
        b = tickets / 10;
    return b / 8 * 8;
}

static int build(rd_db *db, rd_service *svc, const rd_demo_opts *o, demo_city *city,
                 rd_demo_summary *s, double t0)
{
    int64_t end = o->end ? o->end : (int64_t)time(NULL);
    int end_month = rd_month_index(end, SIM_TZ_OFFSET);
    int month = end_month - 1; /* the last full month: where the anomalies go */
    s->anomaly_month = month;
    demo_city_build(city, o->seed);
    int r = demo_city_store(db, city);
    if (r < 0)
        return r;
    /* The partitions of every month of the history, before the workers write into them. */
    char from[RD_TIME_TEXT_MAX], to[RD_TIME_TEXT_MAX];
    rd_time_format(month_start(end_month - o->months) - 86400, 0, from);
    rd_time_format(end, 0, to);
    r = store_partitions_range(db, from, to);
    if (r < 0)
        return r;

    long budget = burst_budget(o->tickets), per_group = budget / 8;
    unsigned char *calls;
    long *first, n;
    r = plan_citizens(o->tickets - budget, o->seed, &calls, &first, &n);
    if (r < 0)
        return r;
    phase ph = {.o = o,
                .service = svc,
                .city = city,
                .start = month_start(end_month - o->months),
                .end = end,
                .calls = calls,
                .first_seq = first,
                .n = n};
    r = run_phase(&ph, "citizens", o->tickets, t0, s);
    free(calls);
    free(first);
    s->citizens = n;
    if (r < 0)
        return r;
    if (per_group == 0)
        return demo_loop(svc, &db, end_month, end, o->seed, s);

    burst_spec *bursts = calloc((size_t)(4 * per_group), sizeof(*bursts));
    if (!bursts)
        return -ENOMEM;
    r = choose_planted(db, city, month, per_group, o->seed, s, bursts);
    if (r == 0) {
        phase planted = {.o = o,
                         .service = svc,
                         .city = city,
                         .start = ph.start,
                         .end = end,
                         .bursts = bursts,
                         .burst_index = n,
                         .burst_seq = o->tickets - budget,
                         .month_start = month_start(month),
                         .month_end = month_start(month + 1),
                         .n = (long)s->n_planted * per_group};
        r = run_phase(&planted, "anomalies", o->tickets, t0, s);
        s->citizens += planted.n;
    }
    free(bursts);
    if (r == 0)
        r = check_planted(db, month, s);
    if (r == 0)
        r = demo_loop(svc, &db, end_month, end, o->seed, s);
    return r == 0 ? demo_problems(db, svc, s, end_month, &s->problems) : r;
}

int rd_demo_run(const rd_demo_opts *o, rd_demo_summary *ret)
{
    double t0 = now_s();
    rd_demo_summary s = {0};
    int r = check_opts(o, (int64_t)time(NULL));
    if (r < 0)
        return r;
    rd_db *db = rd_db_connect(o->database_url);
    if (!db)
        return -ECONNREFUSED;
    r = rd_prepare_database(db);
    if (r >= 0)
        r = empty_tickets(db, o->reset);
    demo_city *city = r >= 0 ? calloc(1, sizeof(*city)) : NULL;
    if (r >= 0 && !city)
        r = -ENOMEM;
    rd_service svc; /* no pool: each worker has its own connection */
    rd_service_init(&svc, NULL, o->secret, false);
    if (r >= 0)
        r = build(db, &svc, o, city, &s, t0);
    rd_service_done(&svc);
    free(city);
    rd_db_close(db);
    if (r < 0)
        return r;
    s.elapsed_s = now_s() - t0;
    *ret = s;
    return 0;
}

void rd_demo_summary_print(FILE *f, const rd_demo_summary *s)
{
    char month[16];
    month_label(s->anomaly_month, month);
    fprintf(f, "demo city: %ld tickets from %ld citizens in %.1f s (%.0f tickets/s)\n", s->tickets,
            s->citizens, s->elapsed_s, s->elapsed_s > 0 ? (double)s->tickets / s->elapsed_s : 0.0);
    fprintf(f, "decisions:");
    for (int k = 0; k < RD_DEMO_DECISIONS; k++)
        fprintf(f, "%s %s %ld (%.1f%%)", k ? "," : "", rd_decision_name((rd_decision_kind)k),
                s->decisions[k],
                s->tickets ? 100.0 * (double)s->decisions[k] / (double)s->tickets : 0.0);
    fprintf(f, "\nevents: %ld, of which %ld close-outs rejected by inspection; %ld refused\n",
            s->events, s->closeouts_rejected, s->events_refused);
    if (s->retries)
        fprintf(f, "citizens replayed after a deadlock: %ld\n", s->retries);
    fprintf(f,
            "improvement loop: %ld programmes with %ld check-ins (GET /v1/programmes), %ld "
            "green-channel chains assigned with %ld verifications (GET /v1/green-channel)\n",
            s->programmes, s->checkins, s->chains_assigned, s->verifications);
    fprintf(f, "problem list: %ld problems with their history (GET /v1/problems)\n", s->problems);
    fprintf(f, "planted anomalies in %s (GET /v1/kpi/anomalies?at=%s, by=category or by=unit):\n",
            month, month);
    for (size_t i = 0; i < s->n_planted; i++) {
        const rd_demo_planted *p = &s->planted[i];
        fprintf(f,
                "  %-8s %-12s %s: +%ld repeats, baseline %.1f/month, observed %ld, score %.1f%s\n",
                rd_kpi_dim_name(p->dim), p->key, p->name, p->added, p->baseline, p->observed,
                p->score, p->flagged ? ", flagged" : ", NOT flagged");
    }
}
