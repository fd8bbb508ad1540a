/* Lifecycle: one event applied to a ticket in one transaction: the event log, the ticket's
 * state, the close-out inspection, the workflow check and the KPI aggregates. */
#include "repeatd/lifecycle.h"

#include "repeatd/current_settings.h"
#include "repeatd/kpi_store.h"
#include "repeatd/store.h"
#include "repeatd/workflow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int refuse(rd_event_call *c, rd_err e)
{
    c->err = e;
    return -ECANCELED;
}

/* Inspect the close-out; a rejected one is recorded too (驳回), so the transaction commits. */
static int apply_closeout(rd_db *db, rd_event_call *c, const store_ticket_state *st,
                          const rd_settings *s)
{
    rd_closeout_context ctx = {
        .ticket_received_at = st->received_at,
        .now = (int64_t)time(NULL),
        .contact_reached = st->contact_reached || st->followup_reached,
    };
    c->n_defects = rd_closeout_inspect(&c->ev.closeout, &ctx, s, c->defects);
    bool accepted = c->n_defects == 0;
    char *defects = NULL;
    if (!accepted) {
        json_t *d = rd_defects_json(c->defects, c->n_defects);
        defects = json_dumps(d, JSON_COMPACT);
        json_decref(d);
        if (!defects)
            return -ENOMEM;
    }
    int r = store_event_insert(db, c->ticket_id, "closeout", c->ev.at.text, c->body_text, accepted,
                               defects);
    free(defects);
    if (r == 0)
        r = store_apply_closeout(db, c->ticket_id, accepted, c->ev.closeout.resolved == RD_FALSE);
    return r;
}

static int apply_closed(rd_db *db, rd_event_call *c, const store_ticket_state *st,
                        const rd_settings *s)
{
    rd_workflow_state w = {
        .dispatched = st->dispatched,
        .contact_reached = st->contact_reached,
        .contact_failures = st->contact_failures,
        .closeout_accepted = st->closeout_accepted,
        .followup_recorded = st->followup_recorded,
    };
    c->missing = rd_workflow_missing(&w, s);
    if (c->missing)
        return refuse(c, RD_ERR_WORKFLOW_INCOMPLETE);
    return store_apply_closed(db, c->ticket_id, c->ev.at.text, rd_outcome_name(c->ev.outcome));
}

static int apply_event(rd_db *db, rd_event_call *c, const store_ticket_state *st,
                       const rd_settings *s)
{
    const rd_event_req *e = &c->ev;
    switch (e->type) {
    case RD_EVENT_DISPATCHED:
        return store_apply_dispatched(db, c->ticket_id, e->at.text, e->unit, e->team, e->handler,
                                      e->deadline.set ? e->deadline.text : NULL);
    case RD_EVENT_CONTACT_ATTEMPT:
        return store_apply_contact(db, c->ticket_id, e->contact_outcome == RD_CONTACT_REACHED);
    case RD_EVENT_CLOSEOUT:
        return apply_closeout(db, c, st, s);
    case RD_EVENT_FOLLOWUP:
        return store_apply_followup(db, c->ticket_id, e->reached == 1);
    case RD_EVENT_CLOSED:
        return apply_closed(db, c, st, s);
    case RD_EVENT_REOPENED:
        return store_apply_reopened(db, c->ticket_id);
    case RD_EVENT_AUDIT:
        return store_apply_audit(db, c->ticket_id, e->false_closeout == 1);
    }
    return -EINVAL;
}

static void assignment_of(const store_ticket_state *st, rd_assignment *ret)
{
    memcpy(ret->unit, st->unit, sizeof(ret->unit));
    memcpy(ret->team, st->team, sizeof(ret->team));
    memcpy(ret->handler, st->handler, sizeof(ret->handler));
}

/* Keep the monthly aggregates current in the event's own transaction: a re-dispatch moves the
 * complaint, the first contact attempt, every inspection and the first false close-out count
 * under the assignment of the moment. */
static int record_kpis(rd_db *db, const rd_event_call *c, const store_ticket_state *st)
{
    rd_kpi_deltas ds = {0};
    rd_assignment now;
    assignment_of(st, &now);
    const rd_event_req *e = &c->ev;
    int month = st->received_month, version = st->definition_version;
    switch (e->type) {
    case RD_EVENT_DISPATCHED: {
        rd_assignment after = {0};
        snprintf(after.unit, sizeof(after.unit), "%s", e->unit);
        snprintf(after.team, sizeof(after.team), "%s", e->team ? e->team : "");
        snprintf(after.handler, sizeof(after.handler), "%s", e->handler ? e->handler : "");
        rd_kpi_dispatch(&ds, st->category, month, version, &now, &after);
        break;
    }
    case RD_EVENT_CONTACT_ATTEMPT:
        if (st->contact_reached || st->contact_failures > 0)
            return 0;
        rd_kpi_add(&ds, &now, st->category, month, version, RD_KPI_CONTACTED, 1);
        if (e->contact_outcome != RD_CONTACT_REACHED)
            rd_kpi_add(&ds, &now, st->category, month, version, RD_KPI_FIRST_CONTACT_FAILED, 1);
        break;
    case RD_EVENT_CLOSEOUT:
        rd_kpi_add(&ds, &now, st->category, month, version, RD_KPI_CLOSEOUTS_INSPECTED, 1);
        if (c->n_defects) {
            rd_kpi_add(&ds, &now, st->category, month, version, RD_KPI_CLOSEOUTS_REJECTED, 1);
            int r =
                store_kpi_defects_add(db, now.unit, now.handler, month, c->defects, c->n_defects);
            if (r < 0)
                return r;
        }
        break;
    case RD_EVENT_AUDIT:
        if (e->false_closeout != 1 || st->false_closeout)
            return 0;
        rd_kpi_add(&ds, &now, st->category, month, version, RD_KPI_FALSE_CLOSEOUTS, 1);
        break;
    default:
        return 0;
    }
    return store_kpi_apply(db, &ds);
}

int rd_event_tx(rd_db *db, void *cls)
{
    rd_event_call *c = cls;
    c->n_defects = 0;
    c->missing = 0;
    json_decref(c->view);
    c->view = NULL;

    store_ticket_state st;
    int r = store_ticket_lock_state(db, c->ticket_id, &st);
    if (r < 0)
        return r;
    if (!st.found)
        return refuse(c, RD_ERR_NOT_FOUND);
    if (!st.creates_work_order)
        return refuse(c, RD_ERR_NO_WORK_ORDER);
    rd_event_type type = c->ev.type;
    /* A closed ticket takes only an audit or a reopening; an open one cannot be reopened. */
    if (!st.open && type != RD_EVENT_AUDIT && type != RD_EVENT_REOPENED)
        return refuse(c, RD_ERR_TICKET_CLOSED);
    if (st.open && type == RD_EVENT_REOPENED)
        return refuse(c, RD_ERR_TICKET_OPEN);

    rd_settings s;
    r = rd_current_settings(db, &s);
    if (r < 0)
        return r;
    r = apply_event(db, c, &st, &s);
    if (r == 0 && !c->skip_kpis)
        r = record_kpis(db, c, &st);
    if (r < 0 || type == RD_EVENT_CLOSEOUT) /* the close-out recorded its own event */
        goto done;
    r = store_event_insert(db, c->ticket_id, rd_event_type_name(type), c->ev.at.text, c->body_text,
                           true, NULL);
done:
    if (r == 0 && c->want_view)
        r = store_ticket_view(db, c->ticket_id, &c->view);
    return r;
}
