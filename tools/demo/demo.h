/* The demo city: a realistic history of tickets and lifecycle events, built through the same
 * intake and lifecycle code as live traffic, so that every KPI is true of the data. */
#pragma once

#include "repeatd/domain.h"
#include "repeatd/kpi.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct rd_demo_opts {
    const char *database_url;
    const char *secret; /* REPEATD_SECRET: citizens are hashed as live intake hashes them */
    long tickets;       /* exactly this many tickets, bursts included; >= 100 */
    int months;         /* full calendar months before the current one; 2..60 */
    uint64_t seed;      /* same seed, end and size: same city, same decisions */
    int threads;        /* worker connections, 1..64 */
    bool reset;         /* delete tickets that are not the demo's too */
    int64_t end;        /* unix seconds at which the history stops; 0 for now */
    bool progress;      /* progress lines on stderr */
    /* Also write every ticket and event as the import's JSON Lines (repeatd import), in the
     * order each citizen's timeline committed; NULL for none. */
    FILE *jsonl;
} rd_demo_opts;

/* A group whose repeats were multiplied in the last full month (异动问题). */
typedef struct rd_demo_planted {
    rd_kpi_dim dim; /* RD_DIM_CATEGORY or RD_DIM_UNIT */
    char key[64];
    char name[128];
    long added;      /* planted repeats */
    double baseline; /* mean repeats per month over the 6 months before, as the API sees it */
    long observed;   /* repeats in the month, planted ones included */
    double score;    /* rd_anomaly_score with the API's defaults */
    bool flagged;
} rd_demo_planted;

#define RD_DEMO_PLANTED_MAX 4
#define RD_DEMO_DECISIONS   6 /* rd_decision_kind values */

typedef struct rd_demo_summary {
    long tickets;
    long citizens;
    long decisions[RD_DEMO_DECISIONS]; /* by rd_decision_kind */
    long events;                       /* lifecycle events recorded */
    long closeouts_rejected;           /* of those, close-outs the inspection rejected */
    long events_refused;               /* refused by the workflow: a bug of the simulation */
    long retries;                      /* citizens replayed after a deadlock */
    int anomaly_month;                 /* month index (year * 12 + month - 1) */
    rd_demo_planted planted[RD_DEMO_PLANTED_MAX];
    size_t n_planted;
    long problems; /* put on the problem list (demo/problems.c) */
    double elapsed_s;
    /* The improvement loop (tools/demo/loop.c). */
    long programmes, checkins, chains_assigned, verifications;
} rd_demo_summary;

/* Build the demo city into the database at o->database_url: migrations and settings first,
 * then the category tree, units, teams, handlers and targets, then the tickets and their
 * events. Refuses (-EEXIST) when the database holds tickets that are not the demo's, unless
 * o->reset; earlier demo tickets are always replaced. 0 or a negative errno, with a message
 * on stderr. */
int rd_demo_run(const rd_demo_opts *o, rd_demo_summary *ret);

struct rd_db;
struct rd_service;
/* The problem list of the built city: a few problems with their history, made by the use
 * cases of /v1/problems under the key name "demo" (earlier demo problems are replaced); their
 * count into *ret_n. */
int demo_problems(struct rd_db *db, struct rd_service *svc, const rd_demo_summary *s, int end_month,
                  long *ret_n);

/* The summary as the command prints it. */
void rd_demo_summary_print(FILE *f, const rd_demo_summary *s);
