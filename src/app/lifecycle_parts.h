/* The pure steps of the lifecycle transaction (app/lifecycle.c), for an import that folds a
 * history in memory (app/import_fast.c) and must check and count each event exactly as the
 * live transaction does. Each reads the ticket's state as store_ticket_lock_state gives it. */
#pragma once

#include "repeatd/kpi.h"
#include "repeatd/lifecycle.h"
#include "repeatd/store.h"

/* The refusals of the ticket's state (not found, no work order, closed, open, out of order),
 * before anything is written: 0, or -ECANCELED with *ref. */
int rd_event_check(const rd_event_in *c, const store_ticket_state *st, rd_refusal *ref);

/* The close-out inspection: the number of defects written to ret (0: accepted). */
size_t rd_event_inspect(const rd_event_in *c, const store_ticket_state *st, const rd_settings *s,
                        rd_defect ret[RD_DEFECTS_MAX]);

/* The steps a closing still misses (a bit set of the workflow's), 0 when it may close. */
unsigned rd_event_closing_missing(const store_ticket_state *st, const rd_settings *s);

/* The aggregate deltas of the event on a ticket in state *st (before the event). True when
 * the close-out's n_defects defects are to be counted as well, under st's unit and handler. */
bool rd_event_kpis(const rd_event_in *c, size_t n_defects, const store_ticket_state *st,
                   rd_kpi_deltas *ret);
