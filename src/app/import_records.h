/* The records of an import between reading and applying (app/import_read.c, app/import.c). */
#pragma once

#include "repeatd/decide.h"
#include "repeatd/errors.h"
#include "repeatd/pool.h"
#include "repeatd/refusal.h"
#include "repeatd/service.h"

#include <jansson.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum imp_kind { IMP_TICKET, IMP_EVENT } imp_kind;

typedef struct imp_record {
    int64_t at;    /* the instant it sorts by, unix seconds */
    uint8_t rank;  /* the tie rule at one instant: 0 events, 1 intakes, 2 a ticket's own */
    uint8_t kind;  /* imp_kind */
    unsigned file; /* index of the input file */
    long line;     /* 1-based line in it */
    uint64_t seq;  /* input order over all files */
    char *id;      /* the ticket id (of the ticket, or the event's ticket); owned */
    /* The line as read; owned. A line of a regular file is dropped once read and read again
     * from [off, off + len) when a worker applies it (imp_text_load): the history sorted in
     * memory is then its records, not its text. */
    char *text;
    int64_t off;    /* where the line starts in its file; -1 when not a regular file */
    uint32_t len;   /* its length, without the end of line */
    uint32_t check; /* FNV-1a of its text, to notice a file changed under the import */
    /* Whose history it belongs to: the first bytes of the citizen's keyed hash (a ticket's
     * own, an event's ticket's), so that a citizen's records go to one worker in order; 0
     * for a ticket whose citizen cannot be hashed (it is rejected when applied). */
    uint32_t citizen;
    bool has_citizen; /* an event whose ticket is not in the input: the database knows it */
    bool dup_id;      /* its ticket id belongs to more than one ticket of the input */
} imp_record;

typedef struct imp_records {
    const char *secret; /* REPEATD_SECRET, to key the citizens as intake does */
    bool no_scan;       /* every line through json_loads, as reading was (the tests' yardstick) */
    imp_record *items;
    size_t n, cap;
    long lines; /* non-blank lines read, rejected ones included */
    uint64_t seq;
    int *fds;       /* each input file's descriptor (by imp_record.file), -1 when not seekable */
    unsigned n_fds; /* the caller's: opened before imp_read, closed after the workers */
} imp_records;

/* A rejected line: where, why, and its text (borrowed from the record). */
typedef struct imp_reject {
    unsigned file;
    long line;
    rd_err code;
    char field[128];
    char message[512];
    const char *text;
} imp_reject;

void imp_reject_set(imp_reject *ret, const imp_record *rec, rd_err code, const char *field,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* What applying one record did, to be counted when its batch commits. */
typedef struct imp_outcome {
    enum { O_DECIDED, O_EVENT, O_SKIPPED_TICKET, O_SKIPPED_EVENT, O_REJECTED } what;
    rd_decision_kind decision;
    bool closeout_rejected;
    imp_reject reject;
} imp_outcome;

/* A line's tree as json_loads(JSON_REJECT_DUPLICATES) would build it, when the line is in the
 * plain shape a quick scan can vouch for (no escapes, short numbers); NULL otherwise, and then
 * json_loads must parse it (app/import_read.c). */
json_t *imp_tree(const char *text);

/* The body of a record's line ("ticket" or "event"), parsed here and only here: reading
 * checked the line without keeping a tree. -ECANCELED with ref filled (invalid_json, as
 * reading would have said) should json_loads refuse a line that reading took. */
int imp_body(const imp_record *rec, json_t **ret, rd_refusal *ref);

/* Without an event_id of its own, an event is known by its content key (40 hex digits, into
 * ret), so that a second run recognises it; ret is "" for an event with an event_id. */
int imp_event_key(const char *ticket_id, const json_t *body, char ret[41]);

/* The fast path (app/import_fast.c): recs, n records of whole citizens (each citizen's in
 * time order), folded in memory by the live path's pure steps and written with COPY in one
 * transaction (a dry run: a savepoint, released). A citizen the fold cannot prove it decides
 * as the live transactions would (stored rows of its own, a ticket id twice, a time with a
 * fraction, an event_id twice, ...) is left to them: slow[k] is set for each of its records
 * and outs[k] is meaningless. The others' outcomes are in outs once this returns 0. */
typedef struct imp_times {
    double parse, ask, fold, write; /* seconds of the fast path's phases */
    /* the CPU seconds of the worker's thread in them (parse: freeing the batch's trees too) */
    double cpu_parse, cpu_ask, cpu_fold, cpu_write;
} imp_times;

/* A worker's arrays for its batches, kept from one batch to the next (app/import_fast.c): a
 * batch's arrays are megabytes, and freeing them after the batch's trees made malloc
 * consolidate every small chunk the trees gave back, a tenth of an import's CPU. */
typedef struct imp_scratch {
    void *pp, *gs;     /* import_fast.c's, a record each */
    imp_outcome *outs; /* the batch's outcomes */
    size_t cap;        /* records each holds */
} imp_scratch;

/* Room for n records, the first n + 1 of each array zeroed. 0 or -ENOMEM. */
int imp_scratch_reserve(imp_scratch *sc, size_t n);
void imp_scratch_free(imp_scratch *sc);

/* recs, n records of whole citizens; their outcomes into sc->outs (sc reserved for n). */
int imp_fast_apply(rd_service *svc, rd_db *db, bool dry_run, const imp_record *const *recs,
                   size_t n, imp_scratch *sc, bool *slow, imp_times *times);

/* A monotonic clock, in seconds. */
double imp_now(void);
/* The CPU seconds of the calling thread (imp_cpu) and of the process (imp_cpu_all). */
double imp_cpu(void);
double imp_cpu_all(void);

typedef int (*imp_reject_fn)(void *cls, const imp_reject *rej);

/* Read the lines of f: each good one becomes a record, each bad one goes to reject(). */
int imp_read(imp_records *rs, FILE *f, unsigned file_index, imp_reject_fn reject, void *cls);

/* The citizen key of a stored ticket's citizen_hash (hex), as imp_read keys a ticket. */
uint32_t imp_citizen_of_hex(const char *citizen_hex);

/* Put the records in the order the history happened (see cmp_time's tie rule), each event
 * with its ticket's citizen when the ticket is in the input. */
int imp_order(imp_records *rs);

/* The text of the n records again (those whose text was dropped), from their files; and drop
 * it once they are applied. -EIO when a line is no longer what was read. */
int imp_text_load(const imp_records *rs, imp_record *const *recs, size_t n);
void imp_text_drop(imp_record *const *recs, size_t n);

void imp_record_free(imp_record *rec);
void imp_records_free(imp_records *rs);
