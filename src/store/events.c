/* Lifecycle: the event log and the ticket's current state, updated in the same transaction. */
#include "repeatd/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rd_stmt q_lock_state = {
    "ticket_lock_state",
    "SELECT creates_work_order, status = 'open', extract(epoch FROM received_at)::bigint,"
    " dispatched_at IS NOT NULL, contact_reached, contact_failures, closeout_accepted,"
    " followup_recorded, followup_reached, false_closeout, category, received_month,"
    " definition_version, coalesce(unit, ''), coalesce(team, ''), coalesce(handler, '')"
    " FROM tickets WHERE ticket_id = $1 FOR UPDATE",
    1};
static const rd_stmt q_event_insert = {
    "event_insert",
    "INSERT INTO ticket_events (ticket_id, type, at, body, accepted, defects, unit, team,"
    " handler)"
    " SELECT $1, $2, $3, $4::jsonb, $5, $6::jsonb, coalesce(t.unit, ''), coalesce(t.team, ''),"
    " coalesce(t.handler, '') FROM tickets t WHERE t.ticket_id = $1",
    6};
static const rd_stmt q_dispatched = {
    "apply_dispatched",
    "UPDATE tickets SET dispatched_at = coalesce(dispatched_at, $2::timestamptz), unit = $3,"
    " team = $4, handler = $5, deadline = $6 WHERE ticket_id = $1",
    6};
static const rd_stmt q_contact = {
    "apply_contact",
    "UPDATE tickets SET contact_reached = contact_reached OR $2::boolean,"
    " contact_failures = contact_failures + CASE WHEN $2::boolean THEN 0 ELSE 1 END,"
    " first_contact_failed = coalesce(first_contact_failed, NOT $2::boolean)"
    " WHERE ticket_id = $1",
    2};
static const rd_stmt q_closeout = {
    "apply_closeout",
    "UPDATE tickets SET"
    " closeout_accepted = closeout_accepted OR $2::boolean,"
    " closeout_rejections = closeout_rejections + CASE WHEN $2::boolean THEN 0 ELSE 1 END,"
    " closeout_unresolved = CASE WHEN $2::boolean THEN $3::boolean ELSE closeout_unresolved END"
    " WHERE ticket_id = $1",
    3};
static const rd_stmt q_followup = {
    "apply_followup",
    "UPDATE tickets SET followup_recorded = true,"
    " followup_reached = followup_reached OR $2::boolean WHERE ticket_id = $1",
    2};
static const rd_stmt q_closed = {
    "apply_closed",
    "UPDATE tickets SET status = 'closed', closed_at = $2, outcome = $3,"
    " closeout_unresolved = closeout_unresolved OR $3 = 'unresolved' WHERE ticket_id = $1",
    3};
/* A reopened ticket is handled again: it needs a new close-out and follow-up to close. */
static const rd_stmt q_reopened = {
    "apply_reopened",
    "UPDATE tickets SET status = 'open', closed_at = NULL, outcome = NULL,"
    " closeout_accepted = false, followup_recorded = false, followup_reached = false"
    " WHERE ticket_id = $1",
    1};
static const rd_stmt q_audit = {
    "apply_audit",
    "UPDATE tickets SET false_closeout = false_closeout OR $2::boolean WHERE ticket_id = $1", 2};

int store_ticket_lock_state(rd_db *db, const char *ticket_id, store_ticket_state *ret)
{
    const char *params[] = {ticket_id};
    PGresult *res;
    int r = rd_db_exec(db, &q_lock_state, params, &res);
    if (r < 0)
        return r;
    store_ticket_state s = {0};
    if (PQntuples(res) == 1) {
        s.found = true;
        s.creates_work_order = PQgetvalue(res, 0, 0)[0] == 't';
        s.open = PQgetvalue(res, 0, 1)[0] == 't';
        s.received_at = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
        s.dispatched = PQgetvalue(res, 0, 3)[0] == 't';
        s.contact_reached = PQgetvalue(res, 0, 4)[0] == 't';
        s.contact_failures = atoi(PQgetvalue(res, 0, 5));
        s.closeout_accepted = PQgetvalue(res, 0, 6)[0] == 't';
        s.followup_recorded = PQgetvalue(res, 0, 7)[0] == 't';
        s.followup_reached = PQgetvalue(res, 0, 8)[0] == 't';
        s.false_closeout = PQgetvalue(res, 0, 9)[0] == 't';
        snprintf(s.category, sizeof(s.category), "%s", PQgetvalue(res, 0, 10));
        s.received_month = atoi(PQgetvalue(res, 0, 11));
        s.definition_version = atoi(PQgetvalue(res, 0, 12));
        snprintf(s.unit, sizeof(s.unit), "%s", PQgetvalue(res, 0, 13));
        snprintf(s.team, sizeof(s.team), "%s", PQgetvalue(res, 0, 14));
        snprintf(s.handler, sizeof(s.handler), "%s", PQgetvalue(res, 0, 15));
    }
    PQclear(res);
    *ret = s;
    return 0;
}

int store_event_insert(rd_db *db, const char *ticket_id, const char *type, const char *at,
                       const char *body_json, bool accepted, const char *defects_json)
{
    const char *params[] = {ticket_id,   type, at, body_json, accepted ? "true" : "false",
                            defects_json};
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

int store_apply_contact(rd_db *db, const char *ticket_id, bool reached)
{
    const char *params[] = {ticket_id, b(reached)};
    return rd_db_run(db, &q_contact, params);
}

int store_apply_closeout(rd_db *db, const char *ticket_id, bool accepted, bool unresolved)
{
    const char *params[] = {ticket_id, b(accepted), b(unresolved)};
    return rd_db_run(db, &q_closeout, params);
}

int store_apply_followup(rd_db *db, const char *ticket_id, bool reached)
{
    const char *params[] = {ticket_id, b(reached)};
    return rd_db_run(db, &q_followup, params);
}

int store_apply_closed(rd_db *db, const char *ticket_id, const char *at, const char *outcome)
{
    const char *params[] = {ticket_id, at, outcome};
    return rd_db_run(db, &q_closed, params);
}

int store_apply_reopened(rd_db *db, const char *ticket_id)
{
    const char *params[] = {ticket_id};
    return rd_db_run(db, &q_reopened, params);
}

int store_apply_audit(rd_db *db, const char *ticket_id, bool false_closeout)
{
    const char *params[] = {ticket_id, b(false_closeout)};
    return rd_db_run(db, &q_audit, params);
}
