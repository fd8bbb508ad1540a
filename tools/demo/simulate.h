/* Citizens of the demo city and their timelines: each call goes through live intake, each
 * lifecycle event through the live lifecycle, in the order in which they happen. */
#pragma once

#include "city.h"

#include "demo.h"
#include "repeatd/intake.h"
#include "repeatd/service.h"

#include <pthread.h>

#include <stdatomic.h>

#define SIM_PROBLEMS_MAX 3
#define SIM_CALLS_MAX    50
#define SIM_TZ_OFFSET    (8 * 3600) /* Asia/Shanghai: +08:00 all year */

typedef struct sim_problem {
    int leaf; /* index into city->leaves */
    int district;
    int unit; /* who handles it */
    bool located;
    double lat, lon;
    bool has_address;
    int road, house;
} sim_problem;

typedef struct sim_call {
    int64_t at;
    int problem;
} sim_call;

typedef struct sim_citizen {
    long index;     /* the phone number and the random stream derive from it */
    long first_seq; /* ticket number of the first call */
    int n_problems, n_calls;
    bool burst; /* planted: the first ticket is closed unresolved at once, then a call again */
    sim_problem problems[SIM_PROBLEMS_MAX];
    sim_call calls[SIM_CALLS_MAX]; /* in time order */
} sim_citizen;

/* The script of an ordinary citizen who calls n_calls times (1..SIM_CALLS_MAX) in
 * [start, end]. */
void sim_citizen_make(const demo_city *city, uint64_t seed, long index, int n_calls, long first_seq,
                      int64_t start, int64_t end, sim_citizen *ret);

/* A planted citizen: a first call on `leaf` early in the month [month_start, month_end)
 * handled badly (by `unit`, or the leaf's usual unit when unit < 0), and a repeat call a few
 * days after it was closed. */
void sim_burst_make(const demo_city *city, uint64_t seed, long index, long first_seq, int leaf,
                    int unit, int64_t month_start, int64_t month_end, int64_t end,
                    sim_citizen *ret);

typedef struct sim_stats {
    long tickets;
    long decisions[RD_DEMO_DECISIONS];
    long events;
    long closeouts_rejected;
    long events_refused;
} sim_stats;

/* A work order of the citizen being simulated, as the simulation knows it. */
typedef struct sim_ticket {
    char id[32];
    int problem;
    int unit, team, handler; /* indices into the city */
    int64_t received;
    bool open;
    rd_outcome outcome;
} sim_ticket;

/* A lifecycle event planned for a ticket, applied when the timeline reaches it. */
typedef struct sim_pending {
    int64_t at;
    int seq;    /* planning order: breaks ties of `at` */
    int ticket; /* index into the citizen's work orders */
    rd_event_type type;
    int64_t when;            /* dispatched: the deadline; closeout: the contact time */
    int unit, team, handler; /* dispatched */
    rd_contact_outcome contact;
    int defect; /* closeout: 0 a sound record, else the element botched */
    bool reached, resolved, satisfied;
    rd_outcome outcome; /* closeout: what it reports; closed: the outcome */
    bool false_closeout;
} sim_pending;

/* Pending events sorted by (at, seq); [head, n) are still to come. */
typedef struct sim_queue {
    sim_pending *ev;
    size_t head, n, cap;
    int seq;
} sim_queue;

/* One worker: its own connection, intake buffer, queue and counters. */
typedef struct sim_worker {
    const demo_city *city;
    rd_service *service; /* the secret; the settings cache */
    rd_db *db;
    uint64_t seed;
    int64_t end; /* nothing happens after this */
    rd_intake_out *x;
    sim_queue q;
    sim_stats st;
    long retries; /* citizens replayed after a deadlock */
    FILE *jsonl;  /* rd_demo_opts.jsonl, shared under jsonl_lock */
    pthread_mutex_t *jsonl_lock;
    char *lines; /* this citizen's records, written once its timeline commits */
    size_t n_lines, cap_lines;
    atomic_long *tickets_done; /* shared progress counters */
    atomic_long *events_done;
} sim_worker;

/* Keep `{key: body}` as a line of the JSON Lines dump (when there is one). 0 or -ENOMEM. */
int sim_dump(sim_worker *w, const char *key, json_t *body);

/* A connection for the demo (synchronous_commit off), or NULL. */
rd_db *sim_connect(const char *database_url);

/* Connect and allocate. 0 or a negative errno. */
int sim_worker_open(sim_worker *w, const char *database_url);
void sim_worker_close(sim_worker *w);

/* Live through one citizen's timeline. 0, or a negative errno on a database failure or a
 * refusal that the simulation should never provoke (with a message on stderr). */
int sim_run(sim_worker *w, const sim_citizen *z);

/* ---- handling.c: what happens to a work order after intake ---- */

/* Plan the lifecycle of work order `ti` (dispatch, contacts, close-outs, follow-up, closing,
 * now and then an audit or a reopening) by its unit's habits; `burst` handles it badly and
 * fast. 0 or -ENOMEM. */
int sim_plan_ticket(sim_queue *q, demo_rng *r, const demo_city *city, const sim_ticket *t, int ti,
                    int leaf, bool burst);

/* Send one planned event through the live lifecycle (in the citizen's transaction) and keep
 * t's state. */
int sim_event_apply(sim_worker *w, sim_ticket *t, const sim_pending *e, sim_stats *st);
