/* Lifecycle: the event log and the ticket's current state, updated in the same transaction. */
#include "repeatd/store.h"

#include "repeatd/result.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state by primary key, locked; then the facts it needs, by primary key in the partition
 * of its month. Two round trips: one statement joining the two would open every month's
 * partition on every event (the partition is only known once the state row is read). */
static const rd_stmt q_lock_state = {
    "ticket_lock_state",
    "SELECT s.creates_work_order, s.status = 'open' AS open,"
    " floor(extract(epoch FROM s.received_at))::bigint AS received_at,"
    " (extract(epoch FROM s.received_at) * 1000000)::bigint AS received_at_us,"
    " s.dispatched_at IS NOT NULL AS dispatched, s.contact_reached, s.contact_failures,"
    " s.closeout_accepted, s.followup_recorded, s.followup_reached, s.false_closeout,"
    " s.unit, s.team, s.handler,"
    " floor(extract(epoch FROM s.closeout_accepted_at))::bigint AS closeout_accepted_at,"
    " floor(extract(epoch FROM s.followup_at))::bigint AS followup_at,"
    " floor(extract(epoch FROM s.closed_at))::bigint AS closed_at"
    " FROM ticket_state s WHERE s.ticket_id = $1 FOR UPDATE",
    1};
static const rd_stmt q_state_facts = {
    "ticket_state_facts",
    "SELECT category, received_month, definition_version, related_ticket_id FROM ticket_facts"
    " WHERE ticket_id = $1"
    "   AND received_at = $2::timestamptz",
    2};
/* The event goes to its ticket's month. */
static const rd_stmt q_event_insert = {
    "event_insert",
    "INSERT INTO ticket_events (received_at, at, accepted, ticket_id, type, body, defects,"
    " event_id, request_hash)"
    " SELECT s.received_at, $3, $5, $1, $2, $4::jsonb, $6::jsonb, $7, $8::bytea"
    " FROM ticket_state s WHERE s.ticket_id = $1",
    8};
/* Each update below also keeps changed_at, the time of the ticket's newest event (for a later
 * ticket decided as of an earlier time): one row version an event. */
static const rd_stmt q_event_find = {
    "event_find",
    "SELECT encode(e.request_hash, 'hex') AS request_hash_hex, e.accepted,"
    " e.defects::text AS defects FROM ticket_events e"
    " WHERE e.ticket_id = $1 AND e.event_id = $2"
    "   AND e.received_at = $3::timestamptz",
    3};
/* An imported event without an event_id, by its content key (migrations/0013). */
static const rd_stmt q_event_find_key = {
    "event_find_key",
    "SELECT encode(e.request_hash, 'hex') AS request_hash_hex, e.accepted,"
    " e.defects::text AS defects FROM ticket_events e"
    " WHERE e.ticket_id = $1 AND e.event_id IS NULL AND e.request_hash = $2::bytea"
    "   AND e.received_at = $3::timestamptz",
    3};
static const rd_stmt q_dispatched = {
    "apply_dispatched",
    "UPDATE ticket_state SET dispatched_at = coalesce(dispatched_at, $2::timestamptz),"
    " unit = $3, team = $4, handler = $5, deadline = $6,"
    " changed_at = greatest(changed_at, $2::timestamptz) WHERE ticket_id = $1",
    6};
static const rd_stmt q_contact = {
    "apply_contact",
    "UPDATE ticket_state SET contact_reached = contact_reached OR $2::boolean,"
    " contact_failures = contact_failures + CASE WHEN $2::boolean THEN 0 ELSE 1 END,"
    " first_contact_failed = coalesce(first_contact_failed, NOT $2::boolean),"
    " changed_at = greatest(changed_at, $3::timestamptz) WHERE ticket_id = $1",
    3};
static const rd_stmt q_closeout = {
    "apply_closeout",
    "UPDATE ticket_state SET"
    " closeout_accepted_at = CASE WHEN $2::boolean THEN $4::timestamptz"
    "  ELSE closeout_accepted_at END,"
    " closeout_accepted = closeout_accepted OR $2::boolean,"
    " closeout_rejections = closeout_rejections + CASE WHEN $2::boolean THEN 0 ELSE 1 END,"
    " closeout_unresolved = CASE WHEN $2::boolean THEN $3::boolean ELSE closeout_unresolved END,"
    " changed_at = greatest(changed_at, $4::timestamptz) WHERE ticket_id = $1",
    4};
static const rd_stmt q_followup = {
    "apply_followup",
    "UPDATE ticket_state SET followup_recorded = true, followup_at = $3::timestamptz,"
    " followup_reached = followup_reached OR $2::boolean,"
    " changed_at = greatest(changed_at, $3::timestamptz) WHERE ticket_id = $1",
    3};
static const rd_stmt q_closed = {
    "apply_closed",
    "UPDATE ticket_state SET status = 'closed', closed_at = $2, outcome = $3,"
    " closeout_unresolved = closeout_unresolved OR $3 = 'unresolved',"
    " changed_at = greatest(changed_at, $2::timestamptz) WHERE ticket_id = $1",
    3};
/* A reopened ticket is handled again: it needs a new close-out and follow-up to close. */
static const rd_stmt q_reopened = {
    "apply_reopened",
    "UPDATE ticket_state SET status = 'open', closed_at = NULL, outcome = NULL,"
    " closeout_accepted = false, followup_recorded = false, followup_reached = false,"
    " closeout_accepted_at = NULL, followup_at = NULL,"
    " changed_at = greatest(changed_at, $2::timestamptz) WHERE ticket_id = $1",
    2};
static const rd_stmt q_audit = {
    "apply_audit",
    "UPDATE ticket_state SET false_closeout = false_closeout OR $2::boolean,"
    " changed_at = greatest(changed_at, $3::timestamptz) WHERE ticket_id = $1",
    3};

#define S store_ticket_state
static const rd_col state_cols[] = {
    RD_COL("creates_work_order", RD_COL_BOOL, S, creates_work_order),
    RD_COL("open", RD_COL_BOOL, S, open),
    RD_COL("received_at", RD_COL_INT64, S, received_at),
    RD_COL("received_at_us", RD_COL_INT64, S, received_at_us),
    RD_COL("dispatched", RD_COL_BOOL, S, dispatched),
    RD_COL("contact_reached", RD_COL_BOOL, S, contact_reached),
    RD_COL("contact_failures", RD_COL_INT, S, contact_failures),
    RD_COL("closeout_accepted", RD_COL_BOOL, S, closeout_accepted),
    RD_COL("followup_recorded", RD_COL_BOOL, S, followup_recorded),
    RD_COL("followup_reached", RD_COL_BOOL, S, followup_reached),
    RD_COL("false_closeout", RD_COL_BOOL, S, false_closeout),
    RD_COL_T("unit", S, unit), /* "" while not dispatched */
    RD_COL_T("team", S, team),
    RD_COL_T("handler", S, handler),
    RD_COL_OPT("closeout_accepted_at", RD_COL_INT64, S, closeout_accepted_at,
               has_closeout_accepted_at),
    RD_COL_OPT("followup_at", RD_COL_INT64, S, followup_at, has_followup_at),
    RD_COL_OPT("closed_at", RD_COL_INT64, S, closed_at, has_closed_at),
    {0},
};
static const rd_col state_facts_cols[] = {
    RD_COL_T("category", S, category),
    RD_COL("received_month", RD_COL_INT, S, received_month),
    RD_COL("definition_version", RD_COL_INT, S, definition_version),
    RD_COL_T("related_ticket_id", S, related_ticket_id), /* "" when none */
    {0},
};
#undef S

static const rd_col stored_cols[] = {
    RD_COL_T("request_hash_hex", store_event_stored, request_hash_hex),
    RD_COL("accepted", RD_COL_BOOL, store_event_stored, accepted),
    RD_COL("defects", RD_COL_JSON, store_event_stored, defects),
    {0},
};

/* The lock first (its answer names the month), then the facts and the probe in one flight. */
int store_ticket_lock_state(rd_db *db, const char *ticket_id, const store_event_probe *probe,
                            store_ticket_state *ret, store_event_stored *ret_stored)
{
    const char *params[] = {ticket_id};
    store_ticket_state s = {0};
    store_event_stored e = {0};
    int r = store_read_row(db, &q_lock_state, params, state_cols, &s);
    if (r == 1) {
        char at_us[RD_INSTANT_PARAM_MAX], key[48];
        rd_instant_param(s.received_at_us, at_us); /* exact: no float on the way */
        bool by_id = probe && probe->event_id, by_key = probe && !by_id && probe->key_hex;
        if (by_key)
            snprintf(key, sizeof(key), "\\x%.40s", probe->key_hex);
        const char *fp[] = {ticket_id, at_us};
        const char *pp[] = {ticket_id, by_id ? probe->event_id : key, at_us};
        int facts = -1, stored = -1;
        r = rd_db_pipeline_begin(db);
        if (r == 0)
            r = rd_db_send(db, &q_state_facts, fp, &facts);
        if (r == 0 && (by_id || by_key))
            r = rd_db_send(db, by_id ? &q_event_find : &q_event_find_key, pp, &stored);
        if (r == 0) {
            r = store_take_row(db, facts, state_facts_cols, &s);
            r = r == 1 ? 0 : r == 0 ? -EIO : r; /* a state without its facts: never written so */
        }
        if (r == 0 && stored >= 0) {
            r = store_take_row(db, stored, stored_cols, &e);
            e.found = r == 1;
            r = r < 0 ? r : 0;
        }
        int end = rd_db_pipeline_end(db);
        if (r == 0)
            r = end;
        if (r == 0)
            r = 1;
    }
    if (r < 0) {
        json_decref(e.defects);
        return r;
    }
    s.found = r == 1;
    *ret = s;
    if (ret_stored)
        *ret_stored = e;
    else
        json_decref(e.defects);
    return 0;
}

int store_event_insert(rd_db *db, const store_event_row *e)
{
    char hash[72];
    if (e->request_hash_hex)
        snprintf(hash, sizeof(hash), "\\x%s", e->request_hash_hex);
    const char *params[] = {e->ticket_id,
                            e->type,
                            e->at,
                            e->body_json,
                            e->accepted ? "true" : "false",
                            e->defects_json,
                            e->event_id,
                            e->request_hash_hex ? hash : NULL};
    return rd_db_run(db, &q_event_insert, params);
}

static const char *b(bool v)
{
    return v ? "true" : "false";
}

int store_apply_dispatched(rd_db *db, const char *ticket_id, const char *at, const char *unit,
                           const char *team, const char *handler, const char *deadline)
{
    const char *params[] = {ticket_id, at, unit, team, handler, deadline};
    return rd_db_run(db, &q_dispatched, params);
}

int store_apply_contact(rd_db *db, const char *ticket_id, const char *at, bool reached)
{
    const char *params[] = {ticket_id, b(reached), at};
    return rd_db_run(db, &q_contact, params);
}

int store_apply_closeout(rd_db *db, const char *ticket_id, const char *at, bool accepted,
                         bool unresolved)
{
    const char *params[] = {ticket_id, b(accepted), b(unresolved), at};
    return rd_db_run(db, &q_closeout, params);
}

int store_apply_followup(rd_db *db, const char *ticket_id, const char *at, bool reached)
{
    const char *params[] = {ticket_id, b(reached), at};
    return rd_db_run(db, &q_followup, params);
}

int store_apply_closed(rd_db *db, const char *ticket_id, const char *at, const char *outcome)
{
    const char *params[] = {ticket_id, at, outcome};
    return rd_db_run(db, &q_closed, params);
}

int store_apply_reopened(rd_db *db, const char *ticket_id, const char *at)
{
    const char *params[] = {ticket_id, at};
    return rd_db_run(db, &q_reopened, params);
}

int store_apply_audit(rd_db *db, const char *ticket_id, const char *at, bool false_closeout)
{
    const char *params[] = {ticket_id, b(false_closeout), at};
    return rd_db_run(db, &q_audit, params);
}
