/* Intake: validate a ticket, decide it against the citizen's history and store it, in one
 * transaction. Shared by POST /v1/tickets, POST /v1/classify and the demo city. */
#pragma once

#include "repeatd/citizen.h"
#include "repeatd/codec.h"
#include "repeatd/errors.h"
#include "repeatd/pool.h"

/* More earlier tickets than this on one problem are not looked at: P is the newest. */
#define RD_CANDIDATES_MAX 32
#define RD_SCRIPT_MAX     1024

typedef struct rd_intake {
    bool store;     /* false for /v1/classify */
    bool skip_kpis; /* REPEATD_BENCH_NO_AGGREGATES: measuring the aggregates' cost */
    rd_ticket_req in;
    rd_citizen_key who;
    char request_hex[2 * RD_HASH_LEN + 1];
    int64_t lock_key;

    /* A refusal (prepare's -EINVAL, the transaction's -ECANCELED). */
    rd_err err;
    const char *err_field;
    char err_field_buf[128];
    char err_message[512];

    /* Filled by the transaction; reset on every try. */
    bool replayed;
    rd_settings settings;
    rd_ticket_in t;
    rd_prior cands[RD_CANDIDATES_MAX];
    size_t n_cands;
    rd_decision d;
    json_t *answer; /* without the script */
    char script_zh[RD_SCRIPT_MAX], script_en[RD_SCRIPT_MAX];
} rd_intake;

/* Parse and validate `body` (borrowed: it must outlive x), hash the citizen and the request.
 * 0; -EINVAL with err, err_field and err_message set; or another negative errno. */
int rd_intake_prepare(rd_intake *x, json_t *body, const char *secret, bool store);

/* The transaction body (an rd_tx_fn over an rd_intake): -ECANCELED for a refusal (409
 * idempotency conflict, 422 unknown category) with err set. */
int rd_intake_tx(rd_db *db, void *cls);

/* Release what the transaction made (the answer). */
void rd_intake_clear(rd_intake *x);
