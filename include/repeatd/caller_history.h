/* The caller screen pop: a citizen's open tickets and recent chains, by phone. Filled by the
 * store (store/history.c), judged by core's green-channel rule, written by the codec. */
#pragma once

#include "repeatd/domain.h"
#include "repeatd/phone.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rd_history_ticket {
    char ticket_id[RD_ID_MAX];
    char category[RD_ID_MAX];
    rd_instant received_at;
    char decision[32];
    int repeat_ordinal;
    char chain_id[RD_ID_MAX];
    char *unit, *handler; /* NULL until dispatched */
    bool has_deadline;
    rd_instant deadline;
} rd_history_ticket;

typedef struct rd_history_chain {
    char chain_id[RD_ID_MAX];
    char category[RD_ID_MAX];
    int repeats, calls;
    rd_instant first_received_at, last_received_at;
    bool open; /* a ticket of the chain still has an open work order */
    /* The chain's newest repeat, what the green channel is judged by (0: no repeat yet). */
    int newest_repeat_ordinal;
    bool newest_repeat_open;
    bool green_channel; /* set by the service layer, by core's rule */
} rd_history_chain;

#define RD_HISTORY_CHAINS_SHOWN 50

typedef struct rd_caller_history {
    char phone_masked[RD_PHONE_MAX];
    rd_history_ticket *open_tickets; /* newest first */
    size_t n_open_tickets;
    rd_history_chain *chains; /* every chain of the last 24 months, newest call first */
    size_t n_chains;
    bool green_channel; /* any chain in it */
} rd_caller_history;

void rd_caller_history_free(rd_caller_history *h);
