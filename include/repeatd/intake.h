/* Intake: validate a ticket, decide it against the citizen's history and store it, in one
 * transaction. Shared by POST /v1/tickets, POST /v1/classify and the tools. */
#pragma once

#include "repeatd/citizen.h"
#include "repeatd/codec.h"
#include "repeatd/refusal.h"
#include "repeatd/service.h"
#include "repeatd/answer_stored.h"
#include "repeatd/store.h"

/* Candidates come a page of this many at a time (app/intake.c fetch_candidates). */
#define RD_CANDIDATES_MAX 32

/* A validated intake request: made by rd_intake_prepare, read-only in the transaction. */
typedef struct rd_intake_in {
    rd_service *service;
    bool store; /* false for /v1/classify */
    rd_ticket_req req;
    rd_citizen_key who;
    char request_hex[2 * RD_HASH_LEN + 1];
    int64_t lock_key;
    /* An import's dry run decides everything in one transaction that never commits: it takes
     * no per-problem lock (each would stay held to the end). */
    bool skip_problem_lock;
} rd_intake_in;

/* What an intake answers. */
typedef struct rd_intake_out {
    rd_refusal refusal; /* with -ECANCELED: 409 idempotency conflict, 422 unknown category */
    bool replayed;      /* the same ticket again: the stored answer */
    rd_settings settings;
    rd_ticket_in t;
    rd_prior cands[RD_CANDIDATES_MAX]; /* the page of candidates that held P (or the last) */
    size_t n_cands;
    size_t n_considered; /* candidates looked at over every page */
    rd_decision d;       /* not for a replay */
    store_answer stored; /* the decision as stored; the answer and scripts render from it */
    json_t *answer;      /* the answer of API.md without its script */
    char script_zh[RD_SCRIPT_MAX], script_en[RD_SCRIPT_MAX];
} rd_intake_out;

/* Parse and validate `body` (borrowed: it must outlive in), hash the citizen and the request.
 * 0; -ECANCELED with *ref (a 400 naming the field); or another negative errno. */
int rd_intake_prepare(rd_service *svc, json_t *body, bool store, rd_intake_in *ret,
                      rd_refusal *ref);

/* Decide (and, with in->store, record) a prepared ticket on *db (see rd_tx_run). out starts
 * zeroed (calloc) or cleared; it is overwritten. 0,
 * -ECANCELED with out->refusal, or a store error. Clear out after use. */
int rd_intake_run(rd_db **db, const rd_intake_in *in, rd_intake_out *out);

/* The transaction body of rd_intake_run (an rd_tx_body over rd_intake_in and rd_intake_out),
 * for a tool that decides many tickets in a transaction of its own; clear out before each. */
int rd_intake_tx(rd_db *db, const void *in, void *out);

/* Both: the use case of POST /v1/tickets and /v1/classify. */
int rd_intake(rd_service *svc, rd_db **db, json_t *body, bool store, rd_intake_out *out);

/* The row intake stores for a prepared ticket (the live insert and the import's COPY alike):
 * its coordinates as stored text in *coords, which the row points into. */
typedef struct rd_ticket_coords {
    char lat[32], lon[32];
} rd_ticket_coords;
void rd_intake_row(const rd_intake_in *in, int month, const store_answer *answer,
                   rd_ticket_coords *coords, store_ticket_row *ret);

/* Release what the run made (the answer); out may be reused after. */
void rd_intake_out_clear(rd_intake_out *out);

/* Take a prior back to its state at `until` (RFC 3339, or "infinity" for now): the state its
 * intake gave it, every event recorded at or before that instant folded in (core's
 * rd_prior_fold), and the excluded calls about it received by then. The decision of a late
 * ticket reads its priors so. 0, -EIO for a stored event that no longer parses, a store
 * error. */
int rd_prior_as_of(rd_db *db, const char *until, rd_prior *p);
