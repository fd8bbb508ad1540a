/* The caller screen pop: a citizen's open tickets and recent chains, by phone hash. */
#include "repeatd/store.h"

#include <stdio.h>

/* Chains of the last 24 months: a chain is in the green channel when it is still open and has
 * reached green_channel_min_repeats repeats. */
static const rd_stmt q_history = {
    "caller_history",
    "WITH mine AS (SELECT * FROM tickets WHERE phone_hash = $1::bytea"
    "   AND received_at >= now() - interval '24 months'),"
    " chains AS (SELECT chain_id, min(category) AS category,"
    "   count(*) FILTER (WHERE counts_as_repeat) AS repeats,"
    "   count(*) AS calls, min(received_at) AS first_received_at,"
    "   max(received_at) AS last_received_at,"
    "   bool_or(status = 'open' AND creates_work_order) AS open,"
    "   max(repeat_ordinal) AS max_ordinal"
    "   FROM mine GROUP BY chain_id)"
    " SELECT jsonb_build_object("
    " 'open_tickets', coalesce((SELECT jsonb_agg(jsonb_build_object('ticket_id', ticket_id,"
    "   'category', category, 'received_at', received_at, 'decision', decision,"
    "   'repeat_ordinal', repeat_ordinal, 'chain_id', chain_id, 'unit', unit,"
    "   'handler', handler, 'deadline', deadline) ORDER BY received_at DESC)"
    "   FROM mine WHERE status = 'open' AND creates_work_order), '[]'::jsonb),"
    " 'chains', coalesce((SELECT jsonb_agg(jsonb_build_object('chain_id', chain_id,"
    "   'category', category, 'repeats', repeats, 'calls', calls,"
    "   'first_received_at', first_received_at, 'last_received_at', last_received_at,"
    "   'open', open, 'green_channel', open AND max_ordinal >= $2::integer)"
    "   ORDER BY last_received_at DESC) FROM (SELECT * FROM chains"
    "   ORDER BY last_received_at DESC LIMIT 50) c), '[]'::jsonb),"
    " 'green_channel', coalesce((SELECT bool_or(open AND max_ordinal >= $2::integer)"
    "   FROM chains), false))::text",
    2};

int store_caller_history(rd_db *db, const char *phone_hash_hex, const rd_settings *s, json_t **ret)
{
    char hash[72], min[16];
    snprintf(hash, sizeof(hash), "\\x%s", phone_hash_hex);
    snprintf(min, sizeof(min), "%d", s->green_channel_min_repeats);
    const char *params[] = {hash, min};
    PGresult *res;
    int r = rd_db_exec(db, &q_history, params, &res);
    if (r < 0)
        return r;
    r = store_json_column(res, 0, 0, ret);
    PQclear(res);
    return r;
}
