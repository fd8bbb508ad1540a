/* Import of a CRM's history (repeatd import): JSON Lines in the shapes of the API, put in time
 * order; each citizen's history folded in memory by the live path's pure steps and written
 * with COPY (the fast path), or, for a citizen the fold cannot vouch for, applied record by
 * record by the live path's own transaction bodies; committed in batches. Safe to run twice and to
 * kill: what was committed is a replay the next time (tickets by their id and body, events by their
 * event_id or, without one, an id derived from their content). */
#pragma once

#include "repeatd/service.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define RD_IMPORT_BATCH       250 /* records a transaction (each ticket holds an advisory lock) */
#define RD_IMPORT_WORKERS_MAX 16  /* connections applying records side by side */
/* Records (of whole citizens) a transaction of the fast path. */
#define RD_IMPORT_FAST_BATCH 8192

typedef struct rd_import_opts {
    const char *const *files; /* "-" is standard input */
    size_t n_files;
    const char *rejects_path; /* NULL: rejected lines are only counted */
    bool dry_run;             /* decide everything in one transaction a worker, rolled back */
    FILE *progress;           /* stderr; NULL for none */
    /* Workers, each on a connection of its own to database_url, each applying the records of
     * its share of the citizens in time order; 0, 1 or no URL: one, on the given connection. */
    const char *database_url;
    unsigned workers;
    /* Every record through the live transactions, none through the fast path (measuring,
     * and the tests that compare the two). */
    bool per_record;
} rd_import_opts;

typedef struct rd_import_summary {
    long lines, tickets;       /* tickets decided */
    long decisions[6];         /* by rd_decision_kind */
    long events_accepted;      /* recorded (rejected close-outs included) */
    long closeouts_rejected;   /* recorded as rejected by inspection */
    long skipped_tickets;      /* already stored with the same body */
    long skipped_events;       /* already stored with the same event_id and body */
    long rejected;             /* lines in the rejects file */
    long rejected_by_code[32]; /* by rd_err */
    long fast_records;         /* records applied by the fast path (in memory, COPY) */
    long live_records;         /* records applied by the live transactions */
    double seconds;
    bool dry_run;
} rd_import_summary;

/* Read, order and apply. 0 (see summary.rejected for the exit status), -EINVAL for a file that
 * cannot be read or a history that overlaps live tickets (message on stderr), or a store
 * error. */
int rd_import(rd_service *svc, rd_db *db, const rd_import_opts *o, rd_import_summary *ret);

/* The summary as one JSON line on f. */
void rd_import_summary_print(FILE *f, const rd_import_summary *s);
