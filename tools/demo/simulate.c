/* Citizens of the demo city: who calls, about what, when; and each citizen's timeline lived
 * in order, calls through live intake and the events of earlier tickets in between. */
#include "simulate.h"

#include "repeatd/codec.h"
#include "repeatd/tx.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR 3600
#define DAY  86400

/* ---- scripts ---- */

static const double district_share[DEMO_DISTRICTS] = {0.20, 0.14, 0.17, 0.12, 0.20, 0.17};

static int pick_district(demo_rng *r)
{
    double x = demo_uniform(r);
    for (int d = 0; d < DEMO_DISTRICTS - 1; d++) {
        if (x < district_share[d])
            return d;
        x -= district_share[d];
    }
    return DEMO_DISTRICTS - 1;
}

static void make_problem(const demo_city *c, demo_rng *r, int leaf, int district, int unit,
                         sim_problem *p)
{
    const demo_district *d = &demo_districts[district];
    p->leaf = leaf;
    p->district = district;
    p->unit = unit >= 0 ? unit : demo_city_unit_for(c, leaf, district, r);
    p->located = demo_chance(r, 0.65);
    /* Within about 3 km of the district's centre. */
    p->lat = d->lat + demo_between(r, -0.027, 0.027);
    p->lon = d->lon + demo_between(r, -0.03, 0.03);
    p->has_address = p->located || demo_chance(r, 0.4);
    p->road = demo_below(r, DEMO_ROADS);
    p->house = 1 + demo_below(r, 400);
}

/* People call in the daytime and the evening. */
static const int hour_weight[24] = {1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9,
                                    7, 8, 9, 9, 8, 7, 6, 6, 5, 4,  3,  2};

static int64_t at_calling_hour(demo_rng *r, int64_t t, int64_t start, int64_t end)
{
    int64_t local = t + SIM_TZ_OFFSET;
    int64_t day = local - local % DAY - SIM_TZ_OFFSET;
    int x = demo_below(r, 140), h = 0; /* 140: the sum of the weights */
    while (h < 23 && x >= hour_weight[h])
        x -= hour_weight[h++];
    t = day + h * HOUR + demo_below(r, HOUR);
    if (t > end)
        t = end - demo_below(r, 6 * HOUR);
    return t < start ? start + demo_below(r, HOUR) : t;
}

/* Days between two calls about one problem: soon (the ticket is still open), within weeks
 * (closed, often in the same month), or months later. Citizens whose problem a weak unit
 * handles call back sooner: their repeats give the ranking its bottom. */
static double gap_days(demo_rng *r, bool weak)
{
    double x = demo_uniform(r);
    if (x < (weak ? 0.08 : 0.07))
        return demo_between(r, 0.5, 6);
    if (x < (weak ? 0.75 : 0.50))
        return demo_between(r, 9, 22);
    if (x < (weak ? 0.93 : 0.85))
        return demo_between(r, 24, 90);
    return demo_between(r, 90, 300);
}

/* A point of [0, 1) whose density grows by 30% over the interval: the hotline gets busier. */
static double growing(demo_rng *r)
{
    const double a = 0.3;
    double u = demo_uniform(r);
    double v = (-1.0 + sqrt(1.0 + 2.0 * a * u * (1.0 + a / 2.0))) / a;
    return v < 0 ? 0 : v >= 1 ? 0.999999 : v;
}

static int problems_for(demo_rng *r, int calls)
{
    double x = demo_uniform(r);
    if (calls == 1)
        return 1;
    if (calls <= 3)
        return x < 0.75 ? 1 : 2;
    if (calls <= 9)
        return x < 0.5 ? 1 : x < 0.85 ? 2 : 3;
    return x < 0.35 ? 1 : x < 0.75 ? 2 : 3;
}

static int cmp_call(const void *a, const void *b)
{
    const sim_call *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->problem - y->problem;
}

void sim_citizen_make(const demo_city *city, uint64_t seed, long index, int n_calls, long first_seq,
                      int64_t start, int64_t end, sim_citizen *ret)
{
    demo_rng r = demo_rng_make(seed, 2 * (uint64_t)index + 1);
    sim_citizen *z = ret;
    memset(z, 0, sizeof(*z));
    z->index = index;
    z->first_seq = first_seq;
    z->n_calls = n_calls < 1 ? 1 : n_calls > SIM_CALLS_MAX ? SIM_CALLS_MAX : n_calls;
    z->n_problems = problems_for(&r, z->n_calls);
    int home = pick_district(&r);
    for (int p = 0; p < z->n_problems; p++) {
        int leaf = demo_city_pick_leaf(city, &r);
        for (int tries = 0; tries < 20; tries++) { /* one problem per leaf */
            bool taken = false;
            for (int q = 0; q < p; q++)
                taken = taken || z->problems[q].leaf == leaf;
            if (!taken)
                break;
            leaf = demo_city_pick_leaf(city, &r);
        }
        int district = p == 0 || demo_chance(&r, 0.7) ? home : pick_district(&r);
        make_problem(city, &r, leaf, district, -1, &z->problems[p]);
    }

    /* Calls per problem: one each, the rest mostly about the first. */
    int per[SIM_PROBLEMS_MAX] = {0};
    static const double share[SIM_PROBLEMS_MAX] = {0.6, 0.25, 0.15};
    for (int p = 0; p < z->n_problems; p++)
        per[p] = 1;
    for (int k = z->n_problems; k < z->n_calls; k++) {
        double x = demo_uniform(&r) * (z->n_problems == 1 ? 0.6 : z->n_problems == 2 ? 0.85 : 1.0);
        per[x < share[0] ? 0 : x < share[0] + share[1] ? 1 : 2]++;
    }

    int64_t len = end - start;
    int n = 0;
    for (int p = 0; p < z->n_problems; p++) {
        double gaps[SIM_CALLS_MAX], total = 0;
        for (int k = 1; k < per[p]; k++)
            total += gaps[k] = gap_days(&r, city->units[z->problems[p].unit].weak) * DAY;
        double scale = total > 0.9 * (double)len ? 0.9 * (double)len / total : 1.0;
        double t = (double)start + growing(&r) * ((double)len - total * scale);
        for (int k = 0; k < per[p]; k++) {
            if (k > 0)
                t += gaps[k] * scale;
            z->calls[n].problem = p;
            z->calls[n++].at = at_calling_hour(&r, (int64_t)t, start, end);
        }
    }
    qsort(z->calls, (size_t)n, sizeof(z->calls[0]), cmp_call);
}

void sim_burst_make(const demo_city *city, uint64_t seed, long index, long first_seq, int leaf,
                    int unit, int64_t month_start, int64_t month_end, int64_t end, sim_citizen *ret)
{
    demo_rng r = demo_rng_make(seed, 2 * (uint64_t)index + 1);
    sim_citizen *z = ret;
    memset(z, 0, sizeof(*z));
    z->index = index;
    z->first_seq = first_seq;
    z->burst = true;
    z->n_problems = 1;
    z->n_calls = 2;
    int district = unit >= 0 && city->units[unit].district >= 0 ? city->units[unit].district
                                                                : pick_district(&r);
    make_problem(city, &r, leaf, district, unit, &z->problems[0]);
    /* Early in the month, so that the ticket is closed (in 4 days at most) and called about
     * again before the month is out: the same natural month makes it a repeat. */
    int64_t first = month_start + (int64_t)demo_between(&r, 0.2 * DAY, 11 * DAY);
    int64_t again = first + (int64_t)demo_between(&r, 5.5 * DAY, 12 * DAY);
    int64_t last = month_end < end ? month_end : end;
    z->calls[0].at = at_calling_hour(&r, first, month_start, last - 1);
    z->calls[1].at = at_calling_hour(&r, again, z->calls[0].at + 5 * DAY, last - 1);
}

/* ---- the worker ---- */

rd_db *sim_connect(const char *database_url)
{
    rd_db *db = rd_db_connect(database_url);
    /* The demo can be rebuilt from its seed at any time: a crash that loses the last commits
     * costs nothing, while waiting for the WAL flush of every one of its hundreds of thousands
     * of commits would be much of the run time. */
    if (db && rd_db_simple(db, "SET synchronous_commit = off") < 0) {
        rd_db_close(db);
        db = NULL;
    }
    return db;
}

int sim_worker_open(sim_worker *w, const char *database_url)
{
    w->db = sim_connect(database_url);
    w->x = w->db ? calloc(1, sizeof(*w->x)) : NULL;
    if (!w->x) {
        int r = w->db ? -ENOMEM : -ECONNREFUSED;
        sim_worker_close(w);
        return r;
    }
    return 0;
}

int sim_dump(sim_worker *w, const char *key, json_t *body)
{
    if (!w->jsonl)
        return 0;
    json_t *o = json_pack("{s:O}", key, body);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    size_t n = text ? strlen(text) + 1 : 0;
    if (text && w->n_lines + n > w->cap_lines) {
        size_t cap = w->cap_lines ? w->cap_lines * 2 : 65536;
        while (cap < w->n_lines + n)
            cap *= 2;
        char *p = realloc(w->lines, cap);
        if (p) {
            w->lines = p;
            w->cap_lines = cap;
        }
    }
    int r = text && w->n_lines + n <= w->cap_lines ? 0 : -ENOMEM;
    if (r == 0) {
        memcpy(w->lines + w->n_lines, text, n - 1);
        w->lines[w->n_lines + n - 1] = '\n';
        w->n_lines += n;
    }
    free(text);
    return r;
}

void sim_worker_close(sim_worker *w)
{
    free(w->lines);
    w->lines = NULL;
    w->n_lines = w->cap_lines = 0;
    rd_db_close(w->db);
    w->db = NULL;
    free(w->x);
    w->x = NULL;
    free(w->q.ev);
    w->q = (sim_queue){0};
}

/* ---- one citizen's timeline ---- */

static void phone_of(long index, bool international, char out[32])
{
    static const char *const prefixes[] = {"138", "139", "135", "136", "137", "150", "151",
                                           "152", "158", "159", "186", "187", "188", "189",
                                           "133", "153", "180", "181", "177", "199"};
    /* index -> 8 digits, one-to-one below 10^8: 48271 is prime to 10^8. */
    unsigned long body = ((unsigned long)index * 48271UL + 7654321UL) % 100000000UL;
    const char *pre = prefixes[(unsigned long)index % 20];
    if (international)
        snprintf(out, 32, "+86 %s %04lu %04lu", pre, body / 10000, body % 10000);
    else
        snprintf(out, 32, "%s%08lu", pre, body);
}

/* What the citizen says about the earlier ticket (the agent's claim field). */
static const char *pick_claim(demo_rng *r, const sim_ticket *p, bool policy_leaf, bool burst)
{
    if (burst)
        return demo_chance(r, 0.7) ? "unresolved" : NULL;
    if (!p)
        return NULL;
    if (policy_leaf && demo_chance(r, 0.3))
        return "policy_dispute";
    double x = demo_uniform(r);
    if (p->open)
        return x < 0.65 ? NULL : x < 0.95 ? "unresolved" : "dissatisfied";
    switch (p->outcome) {
    case RD_OUTCOME_RESOLVED:
        return x < 0.10 ? "recurred" : x < 0.20 ? "dissatisfied" : x < 0.84 ? NULL : "unresolved";
    case RD_OUTCOME_UNRESOLVED:
        return x < 0.40 ? "unresolved" : x < 0.93 ? NULL : "dissatisfied";
    case RD_OUTCOME_POLICY_EXPLAINED:
        return x < 0.30 ? "policy_dispute" : x < 0.95 ? NULL : "dissatisfied";
    default:
        return x < 0.6 ? NULL : "unresolved";
    }
}

static const char *claim_phrase(const char *claim)
{
    if (!claim)
        return "询问处理进度";
    if (!strcmp(claim, "unresolved"))
        return "称问题仍未解决";
    if (!strcmp(claim, "dissatisfied"))
        return "对此前的处理结果不满意";
    if (!strcmp(claim, "recurred"))
        return "称问题此前已解决，近日再次出现";
    return "认为相关政策规定不合理";
}

/* The body of POST /v1/tickets as the CRM sends it. */
static json_t *ticket_body(demo_rng *r, const sim_worker *w, const sim_citizen *z, int j,
                           const char *id, bool again, const char *claim, int new_evidence)
{
    const sim_call *call = &z->calls[j];
    const sim_problem *p = &z->problems[call->problem];
    const demo_category *cat = demo_leaf(w->city, p->leaf);
    const demo_district *d = &demo_districts[p->district];
    char when[RD_TIME_TEXT_MAX], phone[32], text[512], address[160];
    rd_time_format(call->at, SIM_TZ_OFFSET, when);
    phone_of(z->index, demo_chance(r, 0.1), phone);
    double x = demo_uniform(r);
    const char *channel = x < 0.8 ? "phone" : x < 0.92 ? "wechat" : "web";
    snprintf(address, sizeof(address), "%s%s%d号", d->name, d->roads[p->road], p->house);
    if (again)
        snprintf(text, sizeof(text), "市民再次来电反映%s问题，%s。", cat->name,
                 claim_phrase(claim));
    else
        snprintf(text, sizeof(text), "市民反映%s%s一带%s问题，希望有关部门尽快处理。", d->name,
                 d->roads[p->road], cat->name);

    json_t *b = json_pack("{s:s, s:s, s:s, s:{s:s}, s:s, s:s}", "ticket_id", id, "received_at",
                          when, "channel", channel, "citizen", "phone", phone, "category",
                          cat->code, "description", text);
    if (!b)
        return NULL;
    bool coords = p->located && demo_chance(r, 0.85);
    if (coords || (p->has_address && demo_chance(r, 0.6))) {
        json_t *loc = json_pack("{s:s}", "address", address);
        if (coords) {
            /* The same place give or take 40 m: well inside same_place_radius_m. */
            json_object_set_new(loc, "lat", json_real(p->lat + demo_between(r, -2.5e-4, 2.5e-4)));
            json_object_set_new(loc, "lon", json_real(p->lon + demo_between(r, -2.5e-4, 2.5e-4)));
        }
        json_object_set_new(b, "location", loc);
    }
    if (claim)
        json_object_set_new(b, "claim", json_string(claim));
    if (new_evidence >= 0)
        json_object_set_new(b, "new_evidence", json_boolean(new_evidence));
    return b;
}

static int flush(sim_worker *w, sim_ticket *tickets, int64_t until, sim_stats *st)
{
    while (w->q.head < w->q.n && w->q.ev[w->q.head].at <= until) {
        const sim_pending *e = &w->q.ev[w->q.head++];
        int r = sim_event_apply(w, &tickets[e->ticket], e, st);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Who handles the new work order: a repeat goes back to whoever handled the earlier ticket
 * (系铃解铃) as the answer says; anything else to the problem's unit. */
static void assign(demo_rng *r, const demo_city *c, const rd_intake_out *x,
                   const sim_ticket *tickets, int n, const sim_problem *p, sim_ticket *t)
{
    const sim_ticket *orig = NULL;
    bool mandatory = false;
    for (size_t a = 0; a < x->d.n_actions && x->d.related; a++) {
        if (x->d.actions[a].code != RD_ACTION_DISPATCH_TO_ORIGINAL_HANDLER)
            continue;
        mandatory = x->d.actions[a].mandatory;
        for (int i = 0; i < n && !orig; i++)
            if (!strcmp(tickets[i].id, x->d.related->ticket_id))
                orig = &tickets[i];
    }
    if (orig && (mandatory || demo_chance(r, 0.85))) {
        t->unit = orig->unit;
        t->team = orig->team;
        t->handler = orig->handler;
        return;
    }
    t->unit = orig ? orig->unit : p->unit;
    const demo_unit *u = &c->units[t->unit];
    t->team = u->team0 + demo_below(r, u->n_teams);
    const demo_team *team = &c->teams[t->team];
    t->handler = team->handler0 + demo_below(r, team->n_handlers);
}

static int intake_failed(const sim_citizen *z, const rd_intake_out *x, const char *id, int rc)
{
    fprintf(stderr, "repeatd-demo: ticket %s of citizen %ld: %s%s%s\n", id, z->index,
            rc == -ECANCELED ? rd_err_code(x->refusal.code) : strerror(-rc),
            rc == -ECANCELED ? ": " : "", rc == -ECANCELED ? x->refusal.message : "");
    return rc == -ECANCELED ? -EPROTO : rc;
}

/* One citizen's timeline, from the beginning: the body of the citizen's transaction. */
static int live(sim_worker *w, const sim_citizen *z, sim_stats *st)
{
    demo_rng r = demo_rng_make(w->seed, 2 * (uint64_t)z->index + 2);
    sim_ticket tickets[SIM_CALLS_MAX];
    int n_tickets = 0, latest[SIM_PROBLEMS_MAX] = {-1, -1, -1};
    rd_intake_out *x = w->x;
    w->q.head = w->q.n = 0;
    w->q.seq = 0;

    for (int j = 0; j < z->n_calls; j++) {
        const sim_call *call = &z->calls[j];
        const sim_problem *p = &z->problems[call->problem];
        int rc = flush(w, tickets, call->at, st);
        if (rc < 0)
            return rc;
        const sim_ticket *prev =
            latest[call->problem] >= 0 ? &tickets[latest[call->problem]] : NULL;
        bool policy = demo_leaf(w->city, p->leaf)->policy;
        const char *claim = pick_claim(&r, prev, policy, z->burst && j > 0);
        int evidence = -1;
        if (prev && !prev->open && demo_chance(&r, 0.06))
            evidence = 1;
        else if (prev && demo_chance(&r, 0.1))
            evidence = 0;
        char id[32];
        snprintf(id, sizeof(id), "DEMO-%08ld", z->first_seq + j + 1);
        bool again = j > 0 && (prev || z->burst);
        json_t *body = ticket_body(&r, w, z, j, id, again, claim, evidence);
        if (!body || sim_dump(w, "ticket", body) < 0) {
            json_decref(body);
            return -ENOMEM;
        }
        rd_intake_in in;
        rd_intake_out_clear(x);
        rc = rd_intake_prepare(w->service, body, true, &in, &x->refusal);
        if (rc == 0)
            rc = rd_intake_tx(w->db, &in, x);
        if (rc == 0 && x->replayed)
            rc = -EEXIST; /* the database was not emptied */
        if (rc < 0) {
            if (rc != -EAGAIN && rc != -ECONNRESET)
                rc = intake_failed(z, x, id, rc);
            rd_intake_out_clear(x);
            json_decref(body);
            return rc;
        }
        st->tickets++;
        st->decisions[x->d.kind]++;
        if (x->d.creates_work_order) {
            sim_ticket *t = &tickets[n_tickets];
            memset(t, 0, sizeof(*t));
            snprintf(t->id, sizeof(t->id), "%s", id);
            t->problem = call->problem;
            t->received = call->at;
            t->open = true;
            assign(&r, w->city, x, tickets, n_tickets, p, t);
            rc = sim_plan_ticket(&w->q, &r, w->city, t, n_tickets, p->leaf,
                                 z->burst && n_tickets == 0);
            latest[call->problem] = n_tickets++;
        }
        rd_intake_out_clear(x);
        json_decref(body);
        if (rc < 0)
            return rc;
    }
    return flush(w, tickets, w->end, st);
}

typedef struct citizen_tx {
    sim_worker *w;
    const sim_citizen *z;
    sim_stats st;
} citizen_tx;

static int citizen_body(rd_db *db, const void *in, void *out)
{
    (void)db;
    (void)in;
    citizen_tx *c = out;
    return live(c->w, c->z, &c->st);
}

/* Before a retry: the timeline is lived again from the start. */
static void citizen_clear(void *out)
{
    citizen_tx *c = out;
    c->st = (sim_stats){0};
    c->w->n_lines = 0;
    c->w->retries++;
}

int sim_run(sim_worker *w, const sim_citizen *z)
{
    /* The citizen's whole timeline in one transaction: the calls and events are the live
     * code's, each its own step (intake and lifecycle run their bodies in the transaction
     * they are given), but a commit per citizen rather than per step saves a third of the
     * round trips. A deadlock on an aggregate row rolls the citizen back; it is replayed. */
    citizen_tx c = {.w = w, .z = z};
    w->n_lines = 0;
    rd_tx tx = {.body = citizen_body, .out = &c, .clear = citizen_clear, .max_tries = 20};
    int r = rd_tx_run(NULL, &w->db, &tx);
    if (r < 0)
        return r;
    if (w->jsonl && w->n_lines) {
        pthread_mutex_lock(w->jsonl_lock);
        size_t k = fwrite(w->lines, 1, w->n_lines, w->jsonl);
        pthread_mutex_unlock(w->jsonl_lock);
        if (k != w->n_lines)
            return -EIO;
    }
    w->st.tickets += c.st.tickets;
    for (int k = 0; k < RD_DEMO_DECISIONS; k++)
        w->st.decisions[k] += c.st.decisions[k];
    w->st.events += c.st.events;
    w->st.closeouts_rejected += c.st.closeouts_rejected;
    w->st.events_refused += c.st.events_refused;
    atomic_fetch_add_explicit(w->tickets_done, c.st.tickets, memory_order_relaxed);
    atomic_fetch_add_explicit(w->events_done, c.st.events, memory_order_relaxed);
    return 0;
}
