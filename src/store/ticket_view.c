/* A ticket read back with its events and later calls: four statements, columns by name. */
#include "repeatd/ticket_view.h"

#include "repeatd/result.h"
#include "repeatd/store.h"
#include "answer_cols.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Every time at the offset of time_zone ($2) for its instant. The state by primary key first:
 * its received_at ($3, unix microseconds) names the month whose partition holds the facts and
 * the events, so that PostgreSQL opens that one only (a join on s.received_at would open every
 * month's). */
/* Laid out by hand: clang-format breaks SQL strings at the RD_SQL_INSTANT macros. */
// clang-format off
static const rd_stmt q_state = {
    "view_state",
    "SELECT s.ticket_id, (extract(epoch FROM s.received_at) * 1000000)::bigint AS received_at_us,"
    " s.status, s.unit, s.team, s.handler,"
    " " RD_SQL_INSTANT("s.dispatched_at", "$2") " AS dispatched_at,"
    " " RD_SQL_INSTANT("s.deadline", "$2") " AS deadline,"
    " " RD_SQL_INSTANT("s.closed_at", "$2") " AS closed_at, s.outcome, s.contact_reached,"
    " s.contact_failures, s.first_contact_failed, s.closeout_accepted, s.closeout_rejections,"
    " s.followup_recorded, s.followup_reached, s.false_closeout, s.calls"
    " FROM ticket_state s WHERE s.ticket_id = $1",
    2};

#define AT_US "$3::timestamptz"
static const rd_stmt q_facts = {
    "view_facts",
    "SELECT " RD_SQL_INSTANT("f.received_at", "$2") " AS received_at, f.channel, f.category,"
    " f.phone_masked, f.address, f.lat, f.lon, f.description, f.claim, f.new_evidence,"
    STORE_ANSWER_COLS " FROM ticket_facts f WHERE f.ticket_id = $1 AND f.received_at = " AT_US,
    3};

static const rd_stmt q_events = {
    "view_events",
    "SELECT e.type, " RD_SQL_INSTANT("e.at", "$2") " AS at, e.accepted,"
    " e.defects::text AS defects, " RD_SQL_INSTANT("e.recorded_at", "$2") " AS recorded_at,"
    " (CASE WHEN e.event_id IS NULL THEN e.body"
    "  ELSE e.body || jsonb_build_object('event_id', e.event_id) END)::text AS body"
    " FROM ticket_events e WHERE e.ticket_id = $1 AND e.received_at = " AT_US " ORDER BY e.id",
    3};

/* Later calls come after the ticket: the months before it are not read. */
static const rd_stmt q_later = {
    "view_later_calls",
    "SELECT t.ticket_id, " RD_SQL_INSTANT("t.received_at", "$2") " AS received_at, t.decision"
    " FROM ticket_facts t WHERE t.related_ticket_id = $1 AND t.received_at >= " AT_US
    " ORDER BY t.received_at",
    3};
// clang-format on

#define V rd_ticket_view
static const rd_col state_cols[] = {
    RD_COL_T("ticket_id", V, ticket_id),
    RD_COL_T("status", V, status),
    RD_COL("unit", RD_COL_STRDUP, V, unit),
    RD_COL("team", RD_COL_STRDUP, V, team),
    RD_COL("handler", RD_COL_STRDUP, V, handler),
    RD_COL_OPT("dispatched_at", RD_COL_INSTANT, V, dispatched_at, has_dispatched_at),
    RD_COL_OPT("deadline", RD_COL_INSTANT, V, deadline, has_deadline),
    RD_COL_OPT("closed_at", RD_COL_INSTANT, V, closed_at, has_closed_at),
    RD_COL("outcome", RD_COL_STRDUP, V, outcome),
    RD_COL("contact_reached", RD_COL_BOOL, V, contact_reached),
    RD_COL("contact_failures", RD_COL_INT, V, contact_failures),
    RD_COL_OPT("first_contact_failed", RD_COL_BOOL, V, first_contact_failed,
               has_first_contact_failed),
    RD_COL("closeout_accepted", RD_COL_BOOL, V, closeout_accepted),
    RD_COL("closeout_rejections", RD_COL_INT, V, closeout_rejections),
    RD_COL("followup_recorded", RD_COL_BOOL, V, followup_recorded),
    RD_COL("followup_reached", RD_COL_BOOL, V, followup_reached),
    RD_COL("false_closeout", RD_COL_BOOL, V, false_closeout),
    RD_COL("calls", RD_COL_INT, V, calls),
    {0},
};

static const rd_col facts_cols[] = {
    RD_COL("received_at", RD_COL_INSTANT, V, received_at),
    RD_COL("channel", RD_COL_STRDUP, V, channel),
    RD_COL_T("category", V, category),
    RD_COL("phone_masked", RD_COL_STRDUP, V, phone_masked),
    RD_COL("address", RD_COL_STRDUP, V, address),
    RD_COL_OPT("lat", RD_COL_DOUBLE, V, lat, has_lat),
    RD_COL_OPT("lon", RD_COL_DOUBLE, V, lon, has_lon),
    RD_COL("description", RD_COL_STRDUP, V, description),
    RD_COL("claim", RD_COL_STRDUP, V, claim),
    RD_COL("new_evidence", RD_COL_BOOL, V, new_evidence),
    {0},
};
#undef V

typedef struct at_row {
    int64_t received_at_us;
} at_row;

static const rd_col at_cols[] = {
    RD_COL("received_at_us", RD_COL_INT64, at_row, received_at_us),
    {0},
};

static const rd_col event_cols[] = {
    RD_COL_T("type", rd_view_event, type),
    RD_COL("at", RD_COL_INSTANT, rd_view_event, at),
    RD_COL("accepted", RD_COL_BOOL, rd_view_event, accepted),
    RD_COL("defects", RD_COL_JSON, rd_view_event, defects),
    RD_COL("recorded_at", RD_COL_INSTANT, rd_view_event, recorded_at),
    RD_COL("body", RD_COL_JSON, rd_view_event, body),
    {0},
};

static const rd_col later_cols[] = {
    RD_COL_T("ticket_id", rd_view_later_call, ticket_id),
    RD_COL("received_at", RD_COL_INSTANT, rd_view_later_call, received_at),
    RD_COL_T("decision", rd_view_later_call, decision),
    {0},
};

/* The view's reads, sent in one flight: the state (unless read already), and by the month its
 * received_at names, the facts, the events and the later calls. */
static int view_reads(rd_db *db, const char *const *params, bool state_sent, int state,
                      rd_ticket_view *v, store_answer *ret_answer)
{
    int facts = -1, events = -1, later = -1;
    int r = rd_db_send(db, &q_facts, params, &facts);
    if (r == 0)
        r = rd_db_send(db, &q_events, params, &events);
    if (r == 0)
        r = rd_db_send(db, &q_later, params, &later);
    if (r == 0 && state_sent) {
        /* The first result taken: an error of the flight's earlier writes (a deadlock, a lost
         * connection, a timeout) comes back here and keeps its code, for the runner's retry. */
        r = store_take_row(db, state, state_cols, v);
        r = r == 1 ? 0 : r == 0 ? -EIO : r;
    }
    PGresult *res = NULL;
    if (r == 0)
        r = rd_db_take(db, facts, &res);
    if (r == 0) {
        rd_rows rows;
        r = PQntuples(res) == 1 ? rd_rows_open(&rows, res, facts_cols) : -EIO;
        if (r == 0)
            r = rd_rows_read(&rows, 0, v);
        if (r == 0)
            r = store_answer_read(res, 0, ret_answer);
        PQclear(res);
    }
    if (r == 0)
        r = store_take_rows(db, events, event_cols, sizeof(rd_view_event), (void **)&v->events,
                            &v->n_events);
    if (r == 0)
        r = store_take_rows(db, later, later_cols, sizeof(rd_view_later_call),
                            (void **)&v->later_calls, &v->n_later_calls);
    return r;
}

/* The state alone, in a flight of its own: v's state columns and its received_at. */
static int read_state(rd_db *db, const char *const *params, rd_ticket_view *v,
                      int64_t *ret_received_at_us)
{
    PGresult *res;
    int r = rd_db_exec(db, &q_state, params, &res);
    if (r < 0)
        return r;
    at_row at = {0};
    rd_rows rows;
    if (PQntuples(res) == 1) {
        r = rd_rows_open(&rows, res, state_cols);
        if (r == 0)
            r = rd_rows_read(&rows, 0, v);
        if (r == 0)
            r = rd_rows_open(&rows, res, at_cols);
        if (r == 0)
            r = rd_rows_read(&rows, 0, &at);
    }
    PQclear(res);
    *ret_received_at_us = at.received_at_us;
    return r;
}

int store_ticket_view(rd_db *db, const char *ticket_id, int64_t received_at_us,
                      const char *time_zone, rd_ticket_view **ret, store_answer *ret_answer)
{
    *ret = NULL;
    char at_us[RD_INSTANT_PARAM_MAX] = "";
    const char *params[] = {ticket_id, time_zone, at_us};
    rd_ticket_view *v = calloc(1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    int state = -1;
    int r = rd_db_pipeline_begin(db);
    if (r == 0 && received_at_us) {
        /* The caller knows the month: the state rides in the same flight. */
        r = rd_db_send(db, &q_state, params, &state);
    } else if (r == 0) {
        r = read_state(db, params, v, &received_at_us);
    }
    rd_instant_param(received_at_us, at_us);
    bool found = r == 0 && (state >= 0 || v->ticket_id[0]);
    if (found)
        r = view_reads(db, params, state >= 0, state, v, ret_answer);
    int e = rd_db_pipeline_end(db);
    if (r == 0)
        r = e;
    if (r < 0 || !found) {
        rd_ticket_view_free(v);
        return r < 0 ? r : 0;
    }
    *ret = v;
    return 0;
}

void rd_ticket_view_free(rd_ticket_view *v)
{
    if (!v)
        return;
    free(v->channel);
    free(v->phone_masked);
    free(v->address);
    free(v->description);
    free(v->claim);
    json_decref(v->decision);
    free(v->unit);
    free(v->team);
    free(v->handler);
    free(v->outcome);
    for (size_t i = 0; v->events && i < v->n_events; i++) {
        json_decref(v->events[i].defects);
        json_decref(v->events[i].body);
    }
    free(v->events);
    free(v->later_calls);
    free(v);
}
