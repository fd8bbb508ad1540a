/* Lifecycle: one event applied to a ticket in one transaction: the event log, the ticket's
 * state, the close-out inspection, the workflow check and the KPI aggregates. */
#include "repeatd/lifecycle.h"

#include "repeatd/answer_stored.h"

#include "lifecycle_parts.h"

#include "repeatd/crypto.h"
#include "repeatd/json_canon.h"
#include "repeatd/kpi_store.h"
#include "repeatd/store.h"
#include "repeatd/workflow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What one try of the transaction found out; the body's own scratch, copied to out. */
typedef struct event_try {
    unsigned missing;
    rd_defect defects[RD_DEFECTS_MAX];
    size_t n_defects; /* > 0: a rejected close-out, recorded as such (the transaction commits) */
} event_try;

static int insert_event(rd_db *db, const rd_event_in *c, bool accepted, const char *defects)
{
    store_event_row row = {
        .ticket_id = c->ticket_id,
        .type = rd_event_type_name(c->ev.type),
        .at = c->ev.at.text,
        .body_json = c->body_text,
        .accepted = accepted,
        .defects_json = defects,
        .event_id = c->ev.event_id,
        .request_hash_hex = c->ev.event_id     ? c->request_hex
                            : c->import_key[0] ? c->import_key
                                               : NULL,
    };
    return store_event_insert(db, &row);
}

/* The same event_id again: the same body answers what was answered and records nothing; another
 * body is a conflict. An imported event found by its content key is the same body. A rejected
 * close-out answers its defects again. */
static int replay(const rd_event_in *c, store_event_stored *e, rd_event_out *out)
{
    int r = 0;
    if (c->ev.event_id && strcmp(e->request_hash_hex, c->request_hex) != 0) {
        r = rd_refuse(&out->refusal, RD_ERR_IDEMPOTENCY_CONFLICT, "event_id",
                      "event %s of ticket %s was already recorded with a different body",
                      c->ev.event_id, c->ticket_id);
    } else if (!e->accepted) {
        rd_refuse(&out->refusal, RD_ERR_CLOSEOUT_REJECTED, NULL,
                  "the close-out was rejected and recorded as such: %zu defect(s)",
                  json_array_size(e->defects));
        size_t i;
        json_t *d;
        json_array_foreach(e->defects, i, d)
        {
            rd_defect *slot = &out->refusal.defects[out->refusal.n_defects];
            if (out->refusal.n_defects < RD_DEFECTS_MAX &&
                rd_defect_parse(json_string_value(json_object_get(d, "code")),
                                json_string_value(json_object_get(d, "field")), slot) == 0)
                out->refusal.n_defects++;
        }
    }
    out->replayed = true;
    json_decref(e->defects);
    return r;
}

size_t rd_event_inspect(const rd_event_in *c, const store_ticket_state *st, const rd_settings *s,
                        rd_defect ret[RD_DEFECTS_MAX])
{
    rd_closeout_context ctx = {
        .ticket_received_at = st->received_at,
        .now = (int64_t)time(NULL),
        .contact_reached = st->contact_reached || st->followup_reached,
    };
    return rd_closeout_inspect(&c->ev.closeout, &ctx, s, ret);
}

/* Inspect the close-out; a rejected one is recorded too (驳回), so the transaction commits. */
static int apply_closeout(rd_db *db, const rd_event_in *c, event_try *t,
                          const store_ticket_state *st, const rd_settings *s)
{
    t->n_defects = rd_event_inspect(c, st, s, t->defects);
    bool accepted = t->n_defects == 0;
    char *defects = NULL;
    if (!accepted) {
        json_t *d = rd_defects_json(t->defects, t->n_defects);
        defects = json_dumps(d, JSON_COMPACT);
        json_decref(d);
        if (!defects)
            return -ENOMEM;
    }
    int r = insert_event(db, c, accepted, defects);
    free(defects);
    if (r == 0)
        r = store_apply_closeout(db, c->ticket_id, c->ev.at.text, accepted,
                                 c->ev.closeout.resolved == RD_FALSE);
    return r;
}

unsigned rd_event_closing_missing(const store_ticket_state *st, const rd_settings *s)
{
    rd_workflow_state w = {
        .dispatched = st->dispatched,
        .contact_reached = st->contact_reached,
        .contact_failures = st->contact_failures,
        .closeout_accepted = st->closeout_accepted,
        .followup_recorded = st->followup_recorded,
    };
    return rd_workflow_missing(&w, s);
}

static int apply_closed(rd_db *db, const rd_event_in *c, event_try *t, const store_ticket_state *st,
                        const rd_settings *s)
{
    t->missing = rd_event_closing_missing(st, s);
    if (t->missing)
        return -ECANCELED;
    return store_apply_closed(db, c->ticket_id, c->ev.at.text, rd_outcome_name(c->ev.outcome));
}

static int apply_event(rd_db *db, const rd_event_in *c, event_try *t, const store_ticket_state *st,
                       const rd_settings *s)
{
    const rd_event_req *e = &c->ev;
    switch (e->type) {
    case RD_EVENT_DISPATCHED:
        return store_apply_dispatched(db, c->ticket_id, e->at.text, e->unit, e->team, e->handler,
                                      e->deadline.set ? e->deadline.text : NULL);
    case RD_EVENT_CONTACT_ATTEMPT:
        return store_apply_contact(db, c->ticket_id, e->at.text,
                                   e->contact_outcome == RD_CONTACT_REACHED);
    case RD_EVENT_CLOSEOUT:
        return apply_closeout(db, c, t, st, s);
    case RD_EVENT_FOLLOWUP:
        return store_apply_followup(db, c->ticket_id, e->at.text, e->reached == 1);
    case RD_EVENT_CLOSED:
        return apply_closed(db, c, t, st, s);
    case RD_EVENT_REOPENED:
        return store_apply_reopened(db, c->ticket_id, e->at.text);
    case RD_EVENT_AUDIT:
        return store_apply_audit(db, c->ticket_id, e->at.text, e->false_closeout == 1);
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
bool rd_event_kpis(const rd_event_in *c, size_t n_defects, const store_ticket_state *st,
                   rd_kpi_deltas *ret)
{
    rd_kpi_deltas *ds = ret;
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
        rd_kpi_dispatch(ds, st->category, month, version, &now, &after);
        break;
    }
    case RD_EVENT_CONTACT_ATTEMPT:
        if (st->contact_reached || st->contact_failures > 0)
            return false;
        rd_kpi_add(ds, &now, st->category, month, version, RD_KPI_CONTACTED, 1);
        if (e->contact_outcome != RD_CONTACT_REACHED)
            rd_kpi_add(ds, &now, st->category, month, version, RD_KPI_FIRST_CONTACT_FAILED, 1);
        break;
    case RD_EVENT_CLOSEOUT:
        rd_kpi_add(ds, &now, st->category, month, version, RD_KPI_CLOSEOUTS_INSPECTED, 1);
        if (n_defects) {
            rd_kpi_add(ds, &now, st->category, month, version, RD_KPI_CLOSEOUTS_REJECTED, 1);
            return true;
        }
        break;
    case RD_EVENT_AUDIT:
        if (e->false_closeout != 1 || st->false_closeout)
            return false;
        rd_kpi_add(ds, &now, st->category, month, version, RD_KPI_FALSE_CLOSEOUTS, 1);
        break;
    default:
        return false;
    }
    return false;
}

static int record_kpis(rd_db *db, const rd_event_in *c, const event_try *t,
                       const store_ticket_state *st)
{
    rd_kpi_deltas ds = {0};
    if (rd_event_kpis(c, t->n_defects, st, &ds)) {
        int r = store_kpi_defects_add(db, st->unit, st->handler, st->received_month, t->defects,
                                      t->n_defects);
        if (r < 0)
            return r;
    }
    return store_kpi_apply(db, &ds);
}

/* The refusals of the ticket's state, before anything is written. */
int rd_event_check(const rd_event_in *c, const store_ticket_state *st, rd_refusal *ref)
{
    const char *id = c->ticket_id;
    rd_event_type type = c->ev.type;
    if (!st->found)
        return rd_refuse(ref, RD_ERR_NOT_FOUND, NULL, "no ticket %s", id);
    if (!st->creates_work_order) {
        rd_refuse(ref, RD_ERR_NO_WORK_ORDER, NULL,
                  "ticket %s created no work order (it was decided excluded); its events belong "
                  "to ticket %s, the one it is about",
                  id, st->related_ticket_id);
        snprintf(ref->related_ticket, sizeof(ref->related_ticket), "%s", st->related_ticket_id);
        return -ECANCELED;
    }
    /* A closed ticket takes only an audit or a reopening; an open one cannot be reopened. */
    if (!st->open && type != RD_EVENT_AUDIT && type != RD_EVENT_REOPENED)
        return rd_refuse(ref, RD_ERR_TICKET_CLOSED, "type",
                         "ticket %s is closed; only audit and reopened events are accepted", id);
    if (st->open && type == RD_EVENT_REOPENED)
        return rd_refuse(ref, RD_ERR_TICKET_OPEN, "type",
                         "ticket %s is open; it cannot be reopened", id);
    rd_event_times times = {
        .received_at = st->received_at,
        .closeout_accepted = st->closeout_accepted && st->has_closeout_accepted_at,
        .closeout_accepted_at = st->closeout_accepted_at,
        .followup_recorded = st->followup_recorded && st->has_followup_at,
        .followup_at = st->followup_at,
        .closed = !st->open && st->has_closed_at,
        .closed_at = st->closed_at,
    };
    rd_event_when when = {
        .type = type,
        .at = c->ev.at.unix,
        .has_deadline = c->ev.deadline.set,
        .deadline = c->ev.deadline.unix,
        .has_contact_time = type == RD_EVENT_CLOSEOUT && c->ev.contact_time.set,
        .contact_time = c->ev.contact_time.unix,
        .now = (int64_t)time(NULL),
    };
    const char *field, *why = rd_event_out_of_order(&times, &when, &field);
    if (why)
        return rd_refuse(ref, RD_ERR_EVENT_OUT_OF_ORDER, field, "ticket %s: %s", id, why);
    return 0;
}

/* In few flights: BEGIN, the settings revision and the ticket's locked state; its facts in the
 * partition of its month (and the replay probe with them, with an event_id); the state's writes,
 * the aggregates and the event, with the view's four reads (the month known, they need no
 * answer before them) or, without a view, with the COMMIT. */
static int event_body(rd_db *db, const rd_event_in *c, rd_event_out *out)
{
    event_try t = {0};
    rd_settings_check check;
    int r = rd_service_settings_send(c->service, db, &check);
    if (r < 0)
        return r;
    store_ticket_state st;
    store_event_stored e = {0};
    store_event_probe probe = {.event_id = c->ev.event_id,
                               .key_hex = c->import_key[0] ? c->import_key : NULL};
    bool probed = c->ev.event_id || c->import_key[0];
    r = store_ticket_lock_state(db, c->ticket_id, probed ? &probe : NULL, &st, &e);
    if (r < 0)
        return r;
    if (e.found) {
        rd_settings s;
        r = replay(c, &e, out);
        if (r == 0 && c->want_view)
            r = rd_service_settings_take(c->service, db, &check, &s);
        if (r == 0 && c->want_view)
            r = rd_ticket_view_load(db, c->ticket_id, st.received_at_us, s.time_zone, &out->view);
        return r;
    }
    r = rd_event_check(c, &st, &out->refusal);
    if (r < 0)
        return r;
    rd_settings s;
    r = rd_service_settings_take(c->service, db, &check, &s);
    if (r < 0)
        return r;
    rd_event_type type = c->ev.type;
    r = apply_event(db, c, &t, &st, &s);
    if (r == -ECANCELED) { /* the workflow refused the closing */
        rd_refuse(&out->refusal, RD_ERR_WORKFLOW_INCOMPLETE, NULL,
                  "ticket %s cannot be closed before every required step is on record",
                  c->ticket_id);
        out->refusal.missing = t.missing;
        return r;
    }
    if (r == 0 && !c->service->skip_kpis)
        r = record_kpis(db, c, &t, &st);
    if (r == 0 && type != RD_EVENT_CLOSEOUT) /* the close-out recorded its own event */
        r = insert_event(db, c, true, NULL);
    if (r == 0 && c->want_view)
        r = rd_ticket_view_load(db, c->ticket_id, st.received_at_us, s.time_zone, &out->view);
    if (r == 0 && t.n_defects) {
        /* Recorded and committed all the same: the refusal is the answer. */
        rd_refuse(&out->refusal, RD_ERR_CLOSEOUT_REJECTED, NULL,
                  "the close-out was rejected and recorded as such: %zu defect(s)", t.n_defects);
        memcpy(out->refusal.defects, t.defects, sizeof(t.defects));
        out->refusal.n_defects = t.n_defects;
    }
    return r;
}

/* The transaction body: reads in, writes out only (the runner clears out between tries). It
 * pipelines itself, as rd_intake_tx does; inside rd_event_run's pipelined transaction its
 * writes are checked with the view's read, or with the COMMIT. */
int rd_event_tx(rd_db *db, const void *in, void *out)
{
    int r = rd_db_pipeline_begin(db);
    if (r < 0)
        return r;
    r = event_body(db, in, out);
    int e = rd_db_pipeline_end(db);
    return e < 0 && (r == 0 || r == -ECANCELED) ? e : r;
}

static void event_clear(void *out)
{
    rd_event_out_clear(out);
}

int rd_event_prepare(rd_service *svc, const char *ticket_id, json_t *body, bool want_view,
                     rd_event_in *ret, rd_refusal *ref)
{
    memset(ret, 0, sizeof(*ret));
    if (!rd_ticket_id_valid(ticket_id))
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "ticket_id",
                         "ticket_id must be 1 to 64 of the characters A-Z a-z 0-9 . _ : -");
    rd_field_error ferr;
    if (rd_event_req_parse(body, &ret->ev, &ferr) < 0)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, ferr.field, "%s", ferr.message);
    /* What is stored of the body: all but its type, time and event_id, which have columns of
     * their own (the ticket view and the as-of fold put them back). */
    json_t *rest = json_copy(body);
    if (rest) {
        json_object_del(rest, "type");
        json_object_del(rest, "at");
        json_object_del(rest, "event_id");
        ret->body_text = rd_json_dumps(rest, false);
        json_decref(rest);
    }
    if (!ret->body_text)
        return -ENOMEM;
    if (ret->ev.event_id) { /* same body means the same JSON value, as for tickets */
        int r = rd_json_sha256(NULL, body, ret->request_hex);
        if (r < 0) {
            rd_event_in_clear(ret);
            return r;
        }
    }
    ret->service = svc;
    ret->ticket_id = ticket_id;
    ret->want_view = want_view;
    return 0;
}

void rd_event_in_clear(rd_event_in *in)
{
    free(in->body_text);
    in->body_text = NULL;
}

int rd_event_run(rd_db **db, const rd_event_in *in, rd_event_out *out)
{
    rd_event_out_clear(out);
    rd_tx tx = {.body = rd_event_tx, .in = in, .out = out, .clear = event_clear, .pipelined = true};
    int r = rd_service_tx(in->service, db, &tx);
    if (r == 0 && out->refusal.code == RD_ERR_CLOSEOUT_REJECTED)
        r = -ECANCELED;
    return r;
}

int rd_event(rd_service *svc, rd_db **db, const char *ticket_id, json_t *body, bool want_view,
             rd_event_out *out)
{
    rd_event_in in;
    rd_event_out_clear(out);
    int r = rd_event_prepare(svc, ticket_id, body, want_view, &in, &out->refusal);
    if (r == 0)
        r = rd_event_run(db, &in, out);
    rd_event_in_clear(&in);
    return r;
}

void rd_event_out_clear(rd_event_out *out)
{
    rd_ticket_view_free(out->view);
    memset(out, 0, sizeof(*out));
}
