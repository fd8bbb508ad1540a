/* Intake queries: the problem lock, idempotent replays, candidates, the ticket insert. */
#include "repeatd/store.h"

#include "repeatd/result.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rd_stmt q_lock = {"problem_lock", "SELECT pg_advisory_xact_lock($1::bigint)", 1};

static const rd_stmt q_existing = {
    "ticket_existing",
    "SELECT encode(request_hash, 'hex') AS request_hash_hex, answer::text AS answer, script_zh,"
    " script_en FROM tickets WHERE ticket_id = $1",
    1};

/* One index range scan on tickets_candidates (citizen_hash, category, received_at DESC):
 * open tickets of any age, closed ones within lookback_months before the new ticket. The
 * lookback is counted in the configured zone so that "12 months" means calendar months. With a
 * box ($8..$11, NULL without coordinates) only tickets that may lie at the same place come back
 * (core's circle lies inside it; a ticket without coordinates is anywhere); a cursor ($12, $13,
 * NULL for the first page) pages past a full page, newest first.
 * A ticket that arrives late is decided as of its received_at: a prior closed after that
 * instant was open then, whatever its age, and `changed_after` says which priors have events
 * or excluded calls after it (two index probes each: ticket_events_ticket, tickets_related),
 * whose state the caller takes back to that instant. */
static const rd_stmt q_candidates = {
    "ticket_candidates",
    "SELECT t.ticket_id, extract(epoch FROM t.received_at)::bigint AS received_at,"
    " (extract(epoch FROM (t.received_at AT TIME ZONE $6))"
    "  - extract(epoch FROM t.received_at))::integer AS received_offset,"
    " t.lat, t.lon, t.status = 'open' AS open, t.outcome,"
    " extract(epoch FROM t.closed_at)::bigint AS closed_at, t.unit, t.team, t.handler,"
    " extract(epoch FROM t.deadline)::bigint AS deadline, t.repeat_ordinal, t.chain_id, t.calls,"
    " t.contact_reached, t.followup_reached, t.closeout_accepted, t.closeout_unresolved,"
    " t.false_closeout, t.closeout_rejections,"
    " (extract(epoch FROM t.received_at) * 1000000)::bigint AS received_at_us,"
    " t.received_at >= (($3::timestamptz AT TIME ZONE $6) - make_interval(months => $5::integer))"
    "  AT TIME ZONE $6 AS in_lookback,"
    " (EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.ticket_id"
    "   AND e.at > $3::timestamptz)"
    "  OR EXISTS (SELECT 1 FROM tickets x WHERE x.related_ticket_id = t.ticket_id"
    "   AND NOT x.creates_work_order AND x.received_at > $3::timestamptz)) AS changed_after"
    " FROM tickets t"
    " WHERE t.citizen_hash = $1::bytea AND t.category = $2 AND t.creates_work_order"
    "   AND t.received_at <= $3::timestamptz AND t.ticket_id <> $4"
    "   AND (t.status = 'open' OR t.closed_at > $3::timestamptz OR t.received_at >="
    "        (($3::timestamptz AT TIME ZONE $6) - make_interval(months => $5::integer))"
    "        AT TIME ZONE $6)"
    "   AND ($8::float8 IS NULL OR t.lat IS NULL OR t.lon IS NULL"
    "        OR (t.lat BETWEEN $8 AND $9 AND t.lon BETWEEN $10 AND $11))"
    "   AND ($12::bigint IS NULL OR (t.received_at, t.ticket_id) <"
    "        ('epoch'::timestamptz + $12::bigint * interval '1 microsecond', $13::text))"
    " ORDER BY t.received_at DESC, t.ticket_id DESC LIMIT $7",
    13};

static const rd_stmt q_insert = {
    "ticket_insert",
    "INSERT INTO tickets (ticket_id, citizen_hash, phone_hash, phone_masked, category,"
    " received_at, channel, address, lat, lon, description, claim, new_evidence, request_hash,"
    " decision, rule, counts_as_repeat, creates_work_order, repeat_ordinal, chain_id,"
    " related_ticket_id, definition_version, answer, script_zh, script_en, status,"
    " received_month, repeat_unit, repeat_team, repeat_handler)"
    " VALUES ($1, $2::bytea, $3::bytea, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
    " $14::bytea, $15, $16, $17, $18, $19, $20, $21, $22, $23::jsonb, $24, $25,"
    " CASE WHEN $18::boolean THEN 'open' ELSE 'closed' END, $26, $27, $28, $29)",
    29};

static const rd_stmt q_count_call = {
    "ticket_count_call", "UPDATE tickets SET calls = calls + 1 WHERE ticket_id = $1", 1};

/* "\x" + hex: the text form of bytea. NULL in, NULL out. */
static const char *bytea(const char *hex, char buf[72])
{
    if (!hex)
        return NULL;
    snprintf(buf, 72, "\\x%s", hex);
    return buf;
}

int store_lock_problem(rd_db *db, int64_t key)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", (long long)key);
    const char *params[] = {k};
    return rd_db_run(db, &q_lock, params);
}

static const rd_col existing_cols[] = {
    RD_COL_T("request_hash_hex", store_existing, request_hash_hex),
    RD_COL("answer", RD_COL_JSON, store_existing, answer),
    RD_COL("script_zh", RD_COL_STRDUP, store_existing, script_zh),
    RD_COL("script_en", RD_COL_STRDUP, store_existing, script_en),
    {0},
};

int store_ticket_existing(rd_db *db, const char *ticket_id, store_existing *ret)
{
    const char *params[] = {ticket_id};
    store_existing e = {0};
    int r = store_read_row(db, &q_existing, params, existing_cols, &e);
    if (r < 0)
        return r;
    e.found = r == 1;
    *ret = e;
    return 0;
}

int store_ticket_existing_send(rd_db *db, const char *ticket_id, int *ret_ticket)
{
    const char *params[] = {ticket_id};
    return rd_db_send(db, &q_existing, params, ret_ticket);
}

int store_ticket_existing_take(rd_db *db, int ticket, store_existing *ret)
{
    store_existing e = {0};
    int r = store_take_row(db, ticket, existing_cols, &e);
    if (r < 0)
        return r;
    e.found = r == 1;
    *ret = e;
    return 0;
}

void store_existing_clear(store_existing *e)
{
    if (!e)
        return;
    rd_row_free(existing_cols, e);
    memset(e, 0, sizeof(*e));
}

/* A candidate as read: the prior, and what needs translating into it. */
typedef struct cand_row {
    rd_prior p;
    bool has_lat, has_lon;
    char outcome[32];
    int64_t received_at_us; /* the page's cursor */
    store_candidate_extra x;
} cand_row;

#define P(f) offsetof(cand_row, p.f)
static const rd_col cand_cols[] = {
    {.name = "ticket_id", .type = RD_COL_TEXT, .offset = P(ticket_id), .size = RD_ID_MAX},
    {.name = "received_at", .type = RD_COL_INT64, .offset = P(received_at)},
    {.name = "received_offset", .type = RD_COL_INT, .offset = P(received_offset)},
    RD_COL_OPT("lat", RD_COL_DOUBLE, cand_row, p.lat, has_lat),
    RD_COL_OPT("lon", RD_COL_DOUBLE, cand_row, p.lon, has_lon),
    {.name = "open", .type = RD_COL_BOOL, .offset = P(open)},
    RD_COL_T("outcome", cand_row, outcome),
    {.name = "closed_at", .type = RD_COL_INT64, .offset = P(closed_at)},
    {.name = "unit", .type = RD_COL_TEXT, .offset = P(unit), .size = RD_ID_MAX},
    {.name = "team", .type = RD_COL_TEXT, .offset = P(team), .size = RD_ID_MAX},
    {.name = "handler", .type = RD_COL_TEXT, .offset = P(handler), .size = RD_ID_MAX},
    RD_COL_OPT("deadline", RD_COL_INT64, cand_row, p.deadline, p.has_deadline),
    {.name = "repeat_ordinal", .type = RD_COL_INT, .offset = P(repeat_ordinal)},
    {.name = "chain_id", .type = RD_COL_TEXT, .offset = P(chain_id), .size = RD_ID_MAX},
    {.name = "calls", .type = RD_COL_INT, .offset = P(calls)},
    {.name = "contact_reached", .type = RD_COL_BOOL, .offset = P(contact_reached)},
    {.name = "followup_reached", .type = RD_COL_BOOL, .offset = P(followup_reached)},
    {.name = "closeout_accepted", .type = RD_COL_BOOL, .offset = P(closeout_accepted)},
    {.name = "closeout_unresolved", .type = RD_COL_BOOL, .offset = P(closeout_unresolved)},
    {.name = "false_closeout", .type = RD_COL_BOOL, .offset = P(false_closeout)},
    {.name = "closeout_rejections", .type = RD_COL_INT, .offset = P(closeout_rejections)},
    RD_COL("received_at_us", RD_COL_INT64, cand_row, received_at_us),
    RD_COL("in_lookback", RD_COL_BOOL, cand_row, x.in_lookback),
    RD_COL("changed_after", RD_COL_BOOL, cand_row, x.changed_after),
    {0},
};
#undef P

int store_candidates(rd_db *db, const store_candidate_query *q, rd_prior *ret,
                     store_candidate_extra *ret_extra, size_t max, store_candidate_page *ret_page)
{
    char hash[72], months[16], limit[16], box[4][32], before[32];
    snprintf(months, sizeof(months), "%d", q->lookback_months);
    snprintf(limit, sizeof(limit), "%zu", max);
    if (q->has_box) {
        snprintf(box[0], sizeof(box[0]), "%.9f", q->lat_min);
        snprintf(box[1], sizeof(box[1]), "%.9f", q->lat_max);
        snprintf(box[2], sizeof(box[2]), "%.9f", q->lon_min);
        snprintf(box[3], sizeof(box[3]), "%.9f", q->lon_max);
    }
    if (q->before_ticket_id)
        snprintf(before, sizeof(before), "%lld", (long long)q->before_received_at_us);
    const char *params[] = {bytea(q->citizen_hash_hex, hash),
                            q->category,
                            q->received_at,
                            q->ticket_id,
                            months,
                            q->time_zone,
                            limit,
                            q->has_box ? box[0] : NULL,
                            q->has_box ? box[1] : NULL,
                            q->has_box ? box[2] : NULL,
                            q->has_box ? box[3] : NULL,
                            q->before_ticket_id ? before : NULL,
                            q->before_ticket_id};
    PGresult *res;
    int r = rd_db_exec(db, &q_candidates, params, &res);
    if (r < 0)
        return r;
    rd_rows rows;
    size_t n = (size_t)PQntuples(res);
    store_candidate_page page = {.n = n < max ? n : max, .full = n >= max};
    r = rd_rows_open(&rows, res, cand_cols);
    for (size_t i = 0; r == 0 && i < page.n; i++) {
        cand_row c = {0};
        r = rd_rows_read(&rows, (int)i, &c);
        c.p.has_location = c.has_lat && c.has_lon;
        if (!c.outcome[0] || rd_outcome_parse(c.outcome, &c.p.outcome) < 0)
            c.p.outcome = RD_OUTCOME_NONE;
        ret[i] = c.p;
        ret_extra[i] = c.x;
        page.last_received_at_us = c.received_at_us;
    }
    PQclear(res);
    if (r < 0)
        return r;
    *ret_page = page;
    return 0;
}

int store_ticket_insert(rd_db *db, const store_ticket_row *t)
{
    char citizen[72], phone[72], request[72], ordinal[16], version[16], month[16];
    snprintf(ordinal, sizeof(ordinal), "%d", t->repeat_ordinal);
    snprintf(month, sizeof(month), "%d", t->received_month);
    snprintf(version, sizeof(version), "%d", t->definition_version);
    const char *params[] = {t->ticket_id,
                            bytea(t->citizen_hash_hex, citizen),
                            bytea(t->phone_hash_hex, phone),
                            t->phone_masked,
                            t->category,
                            t->received_at,
                            t->channel,
                            t->address,
                            t->lat,
                            t->lon,
                            t->description,
                            t->claim,
                            t->new_evidence ? "true" : "false",
                            bytea(t->request_hash_hex, request),
                            t->decision,
                            t->rule,
                            t->counts_as_repeat ? "true" : "false",
                            t->creates_work_order ? "true" : "false",
                            ordinal,
                            t->chain_id,
                            t->related_ticket_id,
                            version,
                            t->answer_json,
                            t->script_zh,
                            t->script_en,
                            month,
                            t->repeat_unit,
                            t->repeat_team,
                            t->repeat_handler};
    return rd_db_run(db, &q_insert, params);
}

int store_ticket_count_call(rd_db *db, const char *ticket_id)
{
    const char *params[] = {ticket_id};
    return rd_db_run(db, &q_count_call, params);
}

static const rd_stmt q_after = {
    "tickets_received_after",
    "SELECT ticket_id FROM tickets WHERE received_at > to_timestamp($1::bigint) ORDER BY 1", 1};

typedef struct id_row {
    char *id;
} id_row;

static const rd_col id_cols[] = {
    RD_COL("ticket_id", RD_COL_STRDUP, id_row, id),
    {0},
};

int store_tickets_received_after(rd_db *db, int64_t at, char ***ret, size_t *ret_n)
{
    char t[24];
    snprintf(t, sizeof(t), "%lld", (long long)at);
    const char *params[] = {t};
    id_row *rows;
    size_t n;
    int r = store_read_rows(db, &q_after, params, id_cols, sizeof(*rows), (void **)&rows, &n);
    if (r < 0)
        return r;
    /* id_row is one char *: the array is an array of the strings. */
    *ret = (char **)(void *)rows;
    *ret_n = n;
    return 0;
}

static const rd_stmt q_citizen = {
    "ticket_citizen",
    "SELECT encode(citizen_hash, 'hex') AS citizen_hex FROM tickets WHERE ticket_id = $1", 1};

typedef struct citizen_row {
    char citizen_hex[72];
} citizen_row;

static const rd_col citizen_cols[] = {
    RD_COL_T("citizen_hex", citizen_row, citizen_hex),
    {0},
};

int store_ticket_citizen(rd_db *db, const char *ticket_id, char ret[72])
{
    const char *params[] = {ticket_id};
    citizen_row c = {{0}};
    int r = store_read_row(db, &q_citizen, params, citizen_cols, &c);
    if (r == 1)
        memcpy(ret, c.citizen_hex, sizeof(c.citizen_hex));
    return r;
}
