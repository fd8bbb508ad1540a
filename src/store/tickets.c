/* Intake queries: the problem lock, idempotent replays, candidates, the ticket insert. */
#include "repeatd/store.h"

#include "repeatd/result.h"
#include "answer_cols.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rd_stmt q_lock = {"problem_lock", "SELECT pg_advisory_xact_lock($1::bigint)", 1};

/* One primary-key probe on ticket_state, then one on the partition of the month the request
 * names ($2, its received_at). The partition is chosen when the statement starts: a join on
 * s.received_at would open every month's partition on every call. A ticket stored with another
 * received_at comes back without its facts: another body, a conflict. */
static const rd_stmt q_existing = {
    "ticket_existing",
    "SELECT encode(f.request_hash, 'hex') AS request_hash_hex," STORE_ANSWER_COLS
    " FROM ticket_state s LEFT JOIN ticket_facts f ON f.ticket_id = s.ticket_id"
    "  AND f.received_at = $2::timestamptz AND s.received_at = $2::timestamptz"
    " WHERE s.ticket_id = $1",
    2};

/* The priors of a new ticket: two index ranges of ticket_state, which carries what the
 * decision reads of a ticket (migrations/0014), so that no month's partition is opened:
 *  1. ticket_state_problem: the citizen's work orders of the category received within the
 *     lookback;
 *  2. ticket_state_open: those older than that, open (of any age) or closed after the new
 *     ticket's time (a late ticket: open then). Its time bound is written so that no index
 *     can range on it (`+ interval '0'`): on the million-ticket city the generic plan took
 *     ticket_state_problem for this range too, reading every older ticket of the problem to
 *     keep the open ones; with only the problem to range on there, the open index's range is
 *     the narrower whatever the statistics.
 * A problem is its key and its check (128 bits of SHA-256 of citizen and category). The
 * lookback is counted in the configured zone so that "12 months" means calendar months. With a
 * box ($8..$11, NULL without coordinates) only tickets that may lie at the same place come
 * back (core's circle lies inside it; a ticket without coordinates is anywhere); a cursor ($12,
 * $13, NULL for the first page) pages past a full page, newest first. `changed_after` says
 * which priors changed after the new ticket's time (events or excluded calls): the caller takes
 * their state back to that instant. */
#define CAND_COLS                                                                                  \
    " s.ticket_id, floor(extract(epoch FROM s.received_at))::bigint AS received_at,"               \
    " (extract(epoch FROM (s.received_at AT TIME ZONE $6))"                                        \
    "  - extract(epoch FROM s.received_at))::integer AS received_offset,"                          \
    " (extract(epoch FROM s.received_at) * 1000000)::bigint AS received_at_us,"                    \
    " s.lat, s.lon, s.status = 'open' AS open, s.outcome,"                                         \
    " floor(extract(epoch FROM s.closed_at))::bigint AS closed_at, s.unit, s.team, s.handler,"     \
    " floor(extract(epoch FROM s.deadline))::bigint AS deadline, s.repeat_ordinal, s.chain_id,"    \
    " s.calls,"                                                                                    \
    " s.contact_reached, s.followup_reached, s.closeout_accepted, s.closeout_unresolved,"          \
    " s.false_closeout, s.closeout_rejections,"                                                    \
    " s.changed_at > $3::timestamptz AS changed_after"
#define LOOKBACK_START                                                                             \
    "((($3::timestamptz AT TIME ZONE $6) - make_interval(months => $5::integer)) AT TIME ZONE $6)"
#define CAND_FILTER                                                                                \
    " AND s.problem_key = rd_problem_key($1::bytea, $2)"                                           \
    " AND s.problem_check = rd_problem_check($1::bytea, $2) AND s.creates_work_order"              \
    " AND s.ticket_id <> $4"                                                                       \
    " AND ($8::float8 IS NULL OR s.lat IS NULL OR s.lon IS NULL"                                   \
    "      OR (s.lat BETWEEN $8 AND $9 AND s.lon BETWEEN $10 AND $11))"                            \
    " AND ($12::timestamptz IS NULL OR (s.received_at, s.ticket_id) <"                             \
    "      ($12::timestamptz, $13::text))"
static const rd_stmt q_candidates = {
    "ticket_candidates",
    "(SELECT" CAND_COLS ", true AS in_lookback FROM ticket_state s"
    " WHERE s.received_at <= $3::timestamptz AND s.received_at >= " LOOKBACK_START CAND_FILTER
    " ORDER BY s.received_at DESC, s.ticket_id DESC LIMIT $7)"
    " UNION ALL "
    "(SELECT" CAND_COLS ", false AS in_lookback FROM ticket_state s"
    " WHERE coalesce(s.closed_at, 'infinity'::timestamptz) > $3::timestamptz"
    "   AND s.received_at + interval '0' < " LOOKBACK_START CAND_FILTER
    " ORDER BY s.received_at DESC, s.ticket_id DESC LIMIT $7)"
    " ORDER BY received_at_us DESC, ticket_id DESC LIMIT $7",
    13};

/* The facts and the state in one round trip; a second call of the same id fails on
 * ticket_state's primary key (the caller replays it). */
static const rd_stmt q_insert = {
    "ticket_insert",
    "WITH f AS (INSERT INTO ticket_facts (ticket_id, citizen_hash, phone_hash, phone_masked,"
    " category, received_at, channel, address, lat, lon, description, claim, new_evidence,"
    " request_hash, received_month, received_offset, decision, rule, counts_as_repeat,"
    " creates_work_order, repeat_ordinal, chain_id, definition_version, considered,"
    " window_months, in_window, past_deadline, claim_assumed, root_causes, actions,"
    " dispatch_mandatory, specialist, related_ticket_id, rel_received_at, rel_open, rel_unit,"
    " rel_team, rel_handler, rel_closed_at, rel_outcome, rel_deadline, rel_repeat_ordinal,"
    " rel_chain_id, rel_calls)"
    " VALUES ($1, $2::bytea, $3::bytea, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::bytea,"
    " $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32,"
    " $33, to_timestamp($34::bigint), $35, $36, $37, $38, to_timestamp($39::bigint), $40,"
    " to_timestamp($41::bigint), $42, $43, $44))"
    " INSERT INTO ticket_state (ticket_id, received_at, problem_key, problem_check,"
    " creates_work_order, green_ordinal, status, changed_at, lat, lon, repeat_ordinal, chain_id)"
    " VALUES ($1, $6, rd_problem_key($2::bytea, $5), rd_problem_check($2::bytea, $5), $20,"
    " CASE WHEN $19::boolean THEN $21::integer END,"
    " CASE WHEN $20::boolean THEN 'open' ELSE 'closed' END, $6, $9, $10, $21, $22)",
    44};

/* An excluded call about P: one more call, and P changed at that time. */
static const rd_stmt q_count_call = {
    "ticket_count_call",
    "UPDATE ticket_state SET calls = calls + 1,"
    " changed_at = greatest(changed_at, $2::timestamptz) WHERE ticket_id = $1",
    2};

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

#define A store_answer
static const rd_col store_answer_cols[] = {
    RD_COL_T("ticket_id", A, ticket_id),
    RD_COL("received_offset", RD_COL_INT, A, received_offset),
    RD_COL_T("decision", A, decision),
    RD_COL_T("rule", A, rule),
    RD_COL("counts_as_repeat", RD_COL_BOOL, A, counts_as_repeat),
    RD_COL("creates_work_order", RD_COL_BOOL, A, creates_work_order),
    RD_COL("repeat_ordinal", RD_COL_INT, A, repeat_ordinal),
    RD_COL_T("chain_id", A, chain_id),
    RD_COL("definition_version", RD_COL_INT, A, definition_version),
    RD_COL("considered", RD_COL_INT, A, considered),
    RD_COL("window_months", RD_COL_INT, A, window_months),
    RD_COL("in_window", RD_COL_BOOL, A, in_window),
    RD_COL("past_deadline", RD_COL_BOOL, A, past_deadline),
    RD_COL("claim_assumed", RD_COL_BOOL, A, claim_assumed),
    RD_COL("dispatch_mandatory", RD_COL_BOOL, A, dispatch_mandatory),
    RD_COL_T("root_causes", A, root_causes),
    RD_COL_T("actions", A, actions),
    RD_COL_T("specialist", A, specialist),
    RD_COL_T("related_ticket_id", A, related.ticket_id),
    RD_COL_OPT("rel_received_at", RD_COL_INT64, A, related.received_at, has_related),
    RD_COL("rel_open", RD_COL_BOOL, A, related.open),
    RD_COL_T("rel_unit", A, related.unit),
    RD_COL_T("rel_team", A, related.team),
    RD_COL_T("rel_handler", A, related.handler),
    RD_COL("rel_closed_at", RD_COL_INT64, A, related.closed_at),
    RD_COL_T("rel_outcome", A, rel_outcome),
    RD_COL_OPT("rel_deadline", RD_COL_INT64, A, related.deadline, related.has_deadline),
    RD_COL("rel_repeat_ordinal", RD_COL_INT, A, related.repeat_ordinal),
    RD_COL_T("rel_chain_id", A, related.chain_id),
    RD_COL("rel_calls", RD_COL_INT, A, related.calls),
    {0},
};
#undef A

int store_answer_read(PGresult *res, int row, store_answer *ret)
{
    rd_rows rows;
    store_answer a = {0};
    int r = rd_rows_open(&rows, res, store_answer_cols);
    if (r == 0)
        r = rd_rows_read(&rows, row, &a);
    if (r < 0)
        return r;
    if (!a.rel_outcome[0] || rd_outcome_parse(a.rel_outcome, &a.related.outcome) < 0)
        a.related.outcome = RD_OUTCOME_NONE;
    *ret = a;
    return 0;
}

typedef struct existing_row {
    char request_hash_hex[65];
} existing_row;

static const rd_col existing_cols[] = {
    RD_COL_T("request_hash_hex", existing_row, request_hash_hex),
    {0},
};

/* The first row of res (of q_existing), if any, into *ret; res is cleared. */
static int existing_of(PGresult *res, store_existing *ret)
{
    store_existing e = {.found = PQntuples(res) > 0};
    int r = 0;
    if (e.found) {
        rd_rows rows;
        existing_row x = {{0}};
        r = rd_rows_open(&rows, res, existing_cols);
        if (r == 0)
            r = rd_rows_read(&rows, 0, &x);
        if (r == 0 && x.request_hash_hex[0]) /* else stored at another time: no facts */
            r = store_answer_read(res, 0, &e.answer);
        memcpy(e.request_hash_hex, x.request_hash_hex, sizeof(e.request_hash_hex));
    }
    PQclear(res);
    if (r < 0)
        return r;
    *ret = e;
    return 0;
}

int store_ticket_existing_send(rd_db *db, const char *ticket_id, const char *received_at,
                               int *ret_ticket)
{
    const char *params[] = {ticket_id, received_at};
    return rd_db_send(db, &q_existing, params, ret_ticket);
}

int store_ticket_existing_take(rd_db *db, int ticket, store_existing *ret)
{
    PGresult *res;
    int r = rd_db_take(db, ticket, &res);
    return r < 0 ? r : existing_of(res, ret);
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
    char hash[72], months[16], limit[16], box[4][32], before[RD_INSTANT_PARAM_MAX];
    snprintf(months, sizeof(months), "%d", q->lookback_months);
    snprintf(limit, sizeof(limit), "%zu", max);
    if (q->has_box) {
        snprintf(box[0], sizeof(box[0]), "%.9f", q->lat_min);
        snprintf(box[1], sizeof(box[1]), "%.9f", q->lat_max);
        snprintf(box[2], sizeof(box[2]), "%.9f", q->lon_min);
        snprintf(box[3], sizeof(box[3]), "%.9f", q->lon_max);
    }
    if (q->before_ticket_id)
        rd_instant_param(q->before_received_at_us, before);
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
        memcpy(page.last_ticket_id, c.p.ticket_id, sizeof(page.last_ticket_id));
    }
    PQclear(res);
    if (r < 0)
        return r;
    *ret_page = page;
    return 0;
}

static const char *b(bool v)
{
    return v ? "true" : "false";
}

int store_ticket_insert(rd_db *db, const store_ticket_row *t)
{
    const store_answer *a = t->answer;
    const rd_prior *p = a->has_related ? &a->related : NULL;
    char citizen[72], phone[72], request[72], month[16], offset[16], ordinal[16], version[16];
    char considered[16], window[16], rel_at[24], rel_closed[24], rel_deadline[24], rel_ord[16];
    char rel_calls[16];
    snprintf(month, sizeof(month), "%d", t->received_month);
    snprintf(offset, sizeof(offset), "%d", a->received_offset);
    snprintf(ordinal, sizeof(ordinal), "%d", a->repeat_ordinal);
    snprintf(version, sizeof(version), "%d", a->definition_version);
    snprintf(considered, sizeof(considered), "%d", a->considered);
    snprintf(window, sizeof(window), "%d", a->window_months);
    if (p) {
        snprintf(rel_at, sizeof(rel_at), "%lld", (long long)p->received_at);
        snprintf(rel_closed, sizeof(rel_closed), "%lld", (long long)p->closed_at);
        snprintf(rel_deadline, sizeof(rel_deadline), "%lld", (long long)p->deadline);
        snprintf(rel_ord, sizeof(rel_ord), "%d", p->repeat_ordinal);
        snprintf(rel_calls, sizeof(rel_calls), "%d", p->calls);
    }
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
                            b(t->new_evidence),
                            bytea(t->request_hash_hex, request),
                            month,
                            offset,
                            a->decision,
                            a->rule,
                            b(a->counts_as_repeat),
                            b(a->creates_work_order),
                            ordinal,
                            a->chain_id,
                            version,
                            considered,
                            window,
                            b(a->in_window),
                            b(a->past_deadline),
                            b(a->claim_assumed),
                            a->root_causes[0] ? a->root_causes : NULL,
                            a->actions,
                            b(a->dispatch_mandatory),
                            a->specialist[0] ? a->specialist : NULL,
                            p ? p->ticket_id : NULL,
                            p ? rel_at : NULL,
                            p ? b(p->open) : NULL,
                            p && p->unit[0] ? p->unit : NULL,
                            p && p->team[0] ? p->team : NULL,
                            p && p->handler[0] ? p->handler : NULL,
                            p && !p->open && p->closed_at ? rel_closed : NULL,
                            p && p->outcome != RD_OUTCOME_NONE ? rd_outcome_name(p->outcome) : NULL,
                            p && p->has_deadline ? rel_deadline : NULL,
                            p ? rel_ord : NULL,
                            p ? p->chain_id : NULL,
                            p ? rel_calls : NULL};
    return rd_db_run(db, &q_insert, params);
}

int store_ticket_count_call(rd_db *db, const char *ticket_id, const char *at)
{
    const char *params[] = {ticket_id, at};
    return rd_db_run(db, &q_count_call, params);
}

static const rd_stmt q_after = {
    "tickets_received_after",
    "SELECT ticket_id FROM ticket_facts WHERE received_at > to_timestamp($1::bigint) ORDER BY 1",
    1};

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

/* The citizen of a stored ticket: its month from its state, then its facts in that month's
 * partition alone (a join on s.received_at would open every month's). */
static const rd_stmt q_state_month = {
    "ticket_state_month",
    "SELECT received_at::text AS received_at FROM ticket_state WHERE ticket_id = $1", 1};
static const rd_stmt q_citizen = {
    "ticket_citizen",
    "SELECT encode(citizen_hash, 'hex') AS citizen_hex FROM ticket_facts"
    " WHERE ticket_id = $1 AND received_at = $2::timestamptz",
    2};

/* The state's time as PostgreSQL writes it, which it reads back to the microsecond. */
typedef struct citizen_row {
    char received_at[64];
    char citizen_hex[72];
} citizen_row;

static const rd_col month_cols[] = {
    RD_COL_T("received_at", citizen_row, received_at),
    {0},
};

static const rd_col citizen_cols[] = {
    RD_COL_T("citizen_hex", citizen_row, citizen_hex),
    {0},
};

int store_ticket_citizen(rd_db *db, const char *ticket_id, char ret[72])
{
    const char *params[] = {ticket_id};
    citizen_row c = {0};
    int r = store_read_row(db, &q_state_month, params, month_cols, &c);
    if (r != 1)
        return r;
    const char *fp[] = {ticket_id, c.received_at};
    r = store_read_row(db, &q_citizen, fp, citizen_cols, &c); /* 0: its month just dropped */
    if (r == 1)
        memcpy(ret, c.citizen_hex, sizeof(c.citizen_hex));
    return r;
}
