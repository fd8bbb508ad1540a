/* Intake queries: the problem lock, idempotent replays, candidates, the ticket insert. */
#include "repeatd/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rd_stmt q_lock = {"problem_lock", "SELECT pg_advisory_xact_lock($1::bigint)", 1};

static const rd_stmt q_existing = {
    "ticket_existing",
    "SELECT encode(request_hash, 'hex'), answer::text, script_zh, script_en"
    " FROM tickets WHERE ticket_id = $1",
    1};

/* One index range scan on tickets_candidates (citizen_hash, category, received_at DESC):
 * open tickets of any age, closed ones within lookback_months before the new ticket. The
 * lookback is counted in the configured zone so that "12 months" means calendar months. */
static const rd_stmt q_candidates = {
    "ticket_candidates",
    "SELECT t.ticket_id, extract(epoch FROM t.received_at)::bigint,"
    " (extract(epoch FROM (t.received_at AT TIME ZONE $6))"
    "  - extract(epoch FROM t.received_at))::integer,"
    " t.lat, t.lon, t.status = 'open', coalesce(t.outcome, ''),"
    " coalesce(extract(epoch FROM t.closed_at)::bigint, 0),"
    " coalesce(t.unit, ''), coalesce(t.team, ''), coalesce(t.handler, ''),"
    " extract(epoch FROM t.deadline)::bigint, t.repeat_ordinal, t.chain_id, t.calls,"
    " t.contact_reached, t.followup_reached, t.closeout_accepted, t.closeout_unresolved,"
    " t.false_closeout, t.closeout_rejections"
    " FROM tickets t"
    " WHERE t.citizen_hash = $1::bytea AND t.category = $2 AND t.creates_work_order"
    "   AND t.received_at <= $3::timestamptz AND t.ticket_id <> $4"
    "   AND (t.status = 'open' OR t.received_at >="
    "        (($3::timestamptz AT TIME ZONE $6) - make_interval(months => $5::integer))"
    "        AT TIME ZONE $6)"
    " ORDER BY t.received_at DESC LIMIT $7",
    7};

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

int store_ticket_existing(rd_db *db, const char *ticket_id, store_existing *ret)
{
    const char *params[] = {ticket_id};
    PGresult *res;
    int r = rd_db_exec(db, &q_existing, params, &res);
    if (r < 0)
        return r;
    store_existing e = {0};
    if (PQntuples(res) == 1) {
        snprintf(e.request_hash_hex, sizeof(e.request_hash_hex), "%s", PQgetvalue(res, 0, 0));
        r = store_json_column(res, 0, 1, &e.answer);
        e.script_zh = strdup(PQgetvalue(res, 0, 2));
        e.script_en = strdup(PQgetvalue(res, 0, 3));
        e.found = true;
        if (r == 0 && (!e.script_zh || !e.script_en))
            r = -ENOMEM;
    }
    PQclear(res);
    if (r < 0) {
        store_existing_clear(&e);
        return r;
    }
    *ret = e;
    return 0;
}

void store_existing_clear(store_existing *e)
{
    if (!e)
        return;
    json_decref(e->answer);
    free(e->script_zh);
    free(e->script_en);
    memset(e, 0, sizeof(*e));
}

static void copy_text(char *dst, size_t size, PGresult *res, int row, int col)
{
    snprintf(dst, size, "%s", PQgetvalue(res, row, col));
}

static bool col_bool(PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col)[0] == 't';
}

static void read_prior(PGresult *res, int i, rd_prior *p)
{
    memset(p, 0, sizeof(*p));
    copy_text(p->ticket_id, sizeof(p->ticket_id), res, i, 0);
    p->received_at = strtoll(PQgetvalue(res, i, 1), NULL, 10);
    p->received_offset = atoi(PQgetvalue(res, i, 2));
    p->has_location = !PQgetisnull(res, i, 3) && !PQgetisnull(res, i, 4);
    if (p->has_location) {
        p->lat = strtod(PQgetvalue(res, i, 3), NULL);
        p->lon = strtod(PQgetvalue(res, i, 4), NULL);
    }
    p->open = col_bool(res, i, 5);
    if (rd_outcome_parse(PQgetvalue(res, i, 6), &p->outcome) < 0)
        p->outcome = RD_OUTCOME_NONE;
    p->closed_at = strtoll(PQgetvalue(res, i, 7), NULL, 10);
    copy_text(p->unit, sizeof(p->unit), res, i, 8);
    copy_text(p->team, sizeof(p->team), res, i, 9);
    copy_text(p->handler, sizeof(p->handler), res, i, 10);
    p->has_deadline = !PQgetisnull(res, i, 11);
    if (p->has_deadline)
        p->deadline = strtoll(PQgetvalue(res, i, 11), NULL, 10);
    p->repeat_ordinal = atoi(PQgetvalue(res, i, 12));
    copy_text(p->chain_id, sizeof(p->chain_id), res, i, 13);
    p->calls = atoi(PQgetvalue(res, i, 14));
    p->contact_reached = col_bool(res, i, 15);
    p->followup_reached = col_bool(res, i, 16);
    p->closeout_accepted = col_bool(res, i, 17);
    p->closeout_unresolved = col_bool(res, i, 18);
    p->false_closeout = col_bool(res, i, 19);
    p->closeout_rejections = atoi(PQgetvalue(res, i, 20));
}

int store_candidates(rd_db *db, const char *citizen_hash_hex, const char *category,
                     const char *received_at, const char *ticket_id, int lookback_months,
                     const char *time_zone, rd_prior *ret, size_t max, size_t *ret_n)
{
    char hash[72], months[16], limit[16];
    snprintf(months, sizeof(months), "%d", lookback_months);
    snprintf(limit, sizeof(limit), "%zu", max);
    const char *params[] = {
        bytea(citizen_hash_hex, hash), category, received_at, ticket_id, months, time_zone, limit};
    PGresult *res;
    int r = rd_db_exec(db, &q_candidates, params, &res);
    if (r < 0)
        return r;
    size_t n = (size_t)PQntuples(res);
    for (size_t i = 0; i < n && i < max; i++)
        read_prior(res, (int)i, &ret[i]);
    *ret_n = n < max ? n : max;
    PQclear(res);
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
