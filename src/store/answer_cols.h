/* The decision's columns of ticket_facts (f), shared by the queries that read an answer back:
 * intake's replay (tickets.c) and the ticket view (ticket_view.c). Private to the store. */
#pragma once

#include "repeatd/result.h"
#include "repeatd/store.h"

#define STORE_ANSWER_COLS                                                                          \
    " f.ticket_id, f.received_offset, f.decision, f.rule, f.counts_as_repeat,"                     \
    " f.creates_work_order, f.repeat_ordinal, f.chain_id, f.definition_version, f.considered,"     \
    " f.window_months, f.in_window, f.past_deadline, f.claim_assumed, f.dispatch_mandatory,"       \
    " f.root_causes, f.actions, f.specialist, f.related_ticket_id,"                                \
    " floor(extract(epoch FROM f.rel_received_at))::bigint AS rel_received_at, f.rel_open,"        \
    " f.rel_unit, f.rel_team, f.rel_handler,"                                                      \
    " floor(extract(epoch FROM f.rel_closed_at))::bigint AS rel_closed_at, f.rel_outcome,"         \
    " floor(extract(epoch FROM f.rel_deadline))::bigint AS rel_deadline,"                          \
    " f.rel_repeat_ordinal, f.rel_chain_id, f.rel_calls"

/* Row `row` of res (which has STORE_ANSWER_COLS) into *ret. */
int store_answer_read(PGresult *res, int row, store_answer *ret);
