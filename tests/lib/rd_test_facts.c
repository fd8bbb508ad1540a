/* Comparing two databases' facts: each query's rows as one text line a row, byte for byte. */
#include "rd_test_facts.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const facts[] = {
    /* every ticket's decision and state */
    "SELECT t.ticket_id, t.decision, t.rule, t.counts_as_repeat, t.creates_work_order,"
    " t.repeat_ordinal, t.chain_id, t.related_ticket_id, t.definition_version, t.status, t.unit,"
    " t.team, t.handler, t.contact_reached, t.contact_failures, t.first_contact_failed,"
    " t.closeout_accepted, t.closeout_rejections, t.closeout_unresolved, t.followup_recorded,"
    " t.followup_reached, t.false_closeout, t.outcome, t.calls, t.received_month, t.repeat_unit,"
    " f.received_offset, f.considered, f.window_months, f.in_window, f.past_deadline,"
    " f.claim_assumed, f.root_causes, f.actions, f.dispatch_mandatory, f.specialist,"
    " f.rel_received_at, f.rel_open, f.rel_unit, f.rel_team, f.rel_handler, f.rel_closed_at,"
    " f.rel_outcome, f.rel_deadline, f.rel_repeat_ordinal, f.rel_chain_id, f.rel_calls"
    " FROM tickets t JOIN ticket_facts f USING (ticket_id, received_at) ORDER BY t.ticket_id",
    /* the events, as recorded */
    "SELECT ticket_id, type, at, body, accepted, defects FROM ticket_events"
    " ORDER BY ticket_id, id",
    /* every KPI aggregate, summed over the shards */
    "SELECT dim, key, month, version, sum(complaints), sum(repeats), sum(contacted),"
    " sum(first_contact_failed), sum(closeouts_inspected), sum(closeouts_rejected),"
    " sum(false_closeouts) FROM kpi_counts GROUP BY 1, 2, 3, 4"
    " HAVING sum(complaints) <> 0 OR sum(repeats) <> 0 OR sum(contacted) <> 0"
    "  OR sum(first_contact_failed) <> 0 OR sum(closeouts_inspected) <> 0"
    "  OR sum(closeouts_rejected) <> 0 OR sum(false_closeouts) <> 0 ORDER BY 1, 2, 3, 4",
    "SELECT dim, key, month, code, sum(n) FROM kpi_defects GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
};

/* Everything two imports of one history store alike, byte for byte: every column of every
 * ticket and event but the moment it was written (created_at, recorded_at) and the event's
 * serial id (its order within its ticket is compared), and every aggregate row by shard sum. */
static const char *const stored[] = {
    "SELECT (to_jsonb(f) - 'created_at')::text, to_jsonb(s)::text FROM ticket_facts f"
    " JOIN ticket_state s USING (ticket_id, received_at) ORDER BY ticket_id",
    "SELECT ticket_id, received_at, type, at, body::text, accepted, defects::text, event_id,"
    " request_hash FROM ticket_events ORDER BY ticket_id, id",
    "SELECT dim, key, month, version, sum(complaints), sum(repeats), sum(contacted),"
    " sum(first_contact_failed), sum(closeouts_inspected), sum(closeouts_rejected),"
    " sum(false_closeouts) FROM kpi_counts GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
    "SELECT dim, key, month, code, sum(n) FROM kpi_defects GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
};

/* The rows of sql, one text line a row, malloc'd; NULL with the reason in err. */
static char *dump_rows(PGconn *c, const char *sql, char *err, size_t err_size)
{
    PGresult *res = PQexec(c, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, err_size, "%.80s...: %.300s", sql, PQerrorMessage(c));
        PQclear(res);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    for (int i = 0; i < PQntuples(res); i++) {
        for (int j = 0; j < PQnfields(res); j++) {
            const char *v = PQgetisnull(res, i, j) ? "-" : PQgetvalue(res, i, j);
            size_t need = strlen(v) + 2;
            if (n + need + 1 > cap) {
                cap = 2 * (n + need + 1);
                out = realloc(out, cap);
            }
            n += (size_t)sprintf(out + n, "%s%c", v, j + 1 < PQnfields(res) ? '|' : '\n');
        }
    }
    PQclear(res);
    return out;
}

static PGconn *connect_to(const char *url, char *err, size_t err_size)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        snprintf(err, err_size, "cannot connect: %.300s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    return c;
}

static int same_rows(const char *const *queries, size_t n_queries, const char *url_a,
                     const char *url_b, char *err, size_t err_size)
{
    PGconn *a = connect_to(url_a, err, err_size);
    PGconn *b = a ? connect_to(url_b, err, err_size) : NULL;
    int r = b ? 0 : -1;
    for (size_t i = 0; r == 0 && i < n_queries; i++) {
        char *ra = dump_rows(a, queries[i], err, err_size);
        char *rb = ra ? dump_rows(b, queries[i], err, err_size) : NULL;
        if (!rb) {
            r = -1;
        } else if (strcmp(ra, rb) != 0) {
            size_t k = 0;
            while (ra[k] && ra[k] == rb[k])
                k++;
            size_t from = k > 200 ? k - 200 : 0;
            snprintf(err, err_size, "query %zu differs at byte %zu:\n a: %.400s\n b: %.400s", i, k,
                     ra + from, rb + from);
            r = -1;
        } else if (strlen(ra) <= 10) {
            snprintf(err, err_size, "query %zu: nothing to compare", i);
            r = -1;
        }
        free(ra);
        free(rb);
    }
    PQfinish(a);
    PQfinish(b);
    return r;
}

int rd_test_same_facts(const char *url_a, const char *url_b, char *err, size_t err_size)
{
    return same_rows(facts, sizeof(facts) / sizeof(facts[0]), url_a, url_b, err, err_size);
}

int rd_test_same_stored(const char *url_a, const char *url_b, char *err, size_t err_size)
{
    return same_rows(stored, sizeof(stored) / sizeof(stored[0]), url_a, url_b, err, err_size);
}

int rd_test_copy_categories(const char *from_url, const char *to_url, char *err, size_t err_size)
{
    PGconn *from = connect_to(from_url, err, err_size);
    PGconn *to = from ? connect_to(to_url, err, err_size) : NULL;
    if (!to) {
        PQfinish(from);
        return -1;
    }
    PGresult *res = PQexec(from, "SELECT code, name, parent, policy FROM categories");
    int r = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -1;
    if (r < 0)
        snprintf(err, err_size, "categories: %.300s", PQerrorMessage(from));
    for (int pass = 0; r == 0 && pass < 2; pass++) { /* the nodes, then their parents */
        for (int i = 0; r == 0 && i < PQntuples(res); i++) {
            const char *node[] = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                                  PQgetvalue(res, i, 3)};
            const char *edge[] = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 2)};
            if (pass == 1 && PQgetisnull(res, i, 2))
                continue;
            PGresult *w =
                pass == 0 ? PQexecParams(to,
                                         "INSERT INTO categories (code, name, policy)"
                                         " VALUES ($1, $2, $3)",
                                         3, NULL, node, NULL, NULL, 0)
                          : PQexecParams(to, "UPDATE categories SET parent = $2 WHERE code = $1", 2,
                                         NULL, edge, NULL, NULL, 0);
            if (PQresultStatus(w) != PGRES_COMMAND_OK) {
                snprintf(err, err_size, "copy category: %.300s", PQerrorMessage(to));
                r = -1;
            }
            PQclear(w);
        }
    }
    PQclear(res);
    PQfinish(from);
    PQfinish(to);
    return r;
}
