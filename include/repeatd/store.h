/* The store: one function per query over PostgreSQL; no business rules. */
#pragma once

#include "repeatd/decide.h"
#include "repeatd/kpi_types.h"
#include "repeatd/pool.h"
#include "repeatd/settings.h"
#include "repeatd/caller_history.h"
#include "repeatd/settings_change.h"
#include "repeatd/ticket_view.h"

#include <jansson.h>
#include <stdint.h>

/* Run stmt and read every row by `spec` into a new array of `size`-byte structs (*ret, malloc'd
 * even when empty; *ret_n rows). On error nothing is left to free (store/result.c). */
struct rd_col;
int store_read_rows(rd_db *db, const rd_stmt *stmt, const char *const *params,
                    const struct rd_col *spec, size_t size, void **ret, size_t *ret_n);

/* The first row by `spec` into target: 1 when there was one, 0 when none, or an error. */
int store_read_row(rd_db *db, const rd_stmt *stmt, const char *const *params,
                   const struct rd_col *spec, void *target);

/* The same from the answer of a pipelined statement (rd_db_send's ticket). */
int store_take_row(rd_db *db, int ticket, const struct rd_col *spec, void *target);
int store_take_rows(rd_db *db, int ticket, const struct rd_col *spec, size_t size, void **ret,
                    size_t *ret_n);

/* ---- migrations (store/migrate.c) ---- */

/* Apply the pending migrations under a session advisory lock, each in its own transaction,
 * recording them in schema_migrations. Returns how many were applied, or a negative errno. */
int store_migrate(rd_db *db);

/* ---- partitions (store/partitions.c) ---- */

/* The monthly partitions of last month, this month and the `months` after it: how many months
 * had none and were made, or a negative errno. */
int store_partitions_ahead(rd_db *db, int months);
/* The partitions of the month holding `at` (RFC 3339), and of every month from..to. */
int store_partition_for(rd_db *db, const char *at);
int store_partitions_range(rd_db *db, const char *from, const char *to);

/* One month that retention looked at (migrations/0012 rd_drop_months). */
typedef struct store_month_drop {
    char month[8]; /* YYYY-MM, a UTC month */
    int64_t tickets;
    int64_t open_tickets; /* > 0: the month was kept */
    bool dropped;         /* its partitions and its tickets' state rows are gone */
} store_month_drop;

/* Drop the months that ended `keep` (>= 1) or more UTC months before the current one and
 * hold no open ticket, in the caller's transaction: those after the month `after` ("YYYY-MM",
 * NULL: from the oldest), oldest first, up to and including the `max_drop`-th (>= 1) dropped.
 * *ret (malloc'd, the caller frees) lists every month looked at, oldest first. */
int store_drop_months(rd_db *db, int keep, const char *after, int max_drop, store_month_drop **ret,
                      size_t *ret_n);

/* ---- settings (store/settings_store.c) ---- */

/* Write the given settings (a JSON object, name → value) for every name not yet stored, and
 * definition version 1 when there is none. Idempotent. */
int store_settings_seed(rd_db *db, json_t *defaults);

typedef struct store_settings_stored {
    int64_t revision;       /* bumped by every change of a setting */
    json_t *values;         /* name → value (the caller decrefs) */
    int definition_version; /* the current one */
} store_settings_stored;

/* The stored settings, their revision and the current definition version. */
int store_settings_load(rd_db *db, store_settings_stored *ret);

/* Only the revision: one integer, for a cache of the parsed settings. */
int store_settings_revision(rd_db *db, int64_t *ret);

/* The same in two halves, in pipeline mode: send the read in the transaction's first flight
 * (*ret_ticket), take its answer after. */
int store_settings_revision_send(rd_db *db, int *ret_ticket);
int store_settings_revision_take(rd_db *db, int ticket, int64_t *ret);

/* Lock the settings for an update (SELECT ... FOR UPDATE); call before load in a PATCH. */
int store_settings_lock(rd_db *db);

/* Record one changed setting and its audit row, and bump the revision. */
int store_settings_update(rd_db *db, const char *key, json_t *old_value, json_t *new_value,
                          const char *who, int definition_version);

/* A new definition version holding `settings`; returns it in *ret_version. */
int store_definition_version_new(rd_db *db, json_t *settings, const char *who, int *ret_version);

/* The last `limit` audit rows, newest first, times at the offset of time_zone (free with
 * rd_settings_changes_free). */
int store_settings_audit(rd_db *db, int limit, const char *time_zone, rd_settings_change **ret,
                         size_t *ret_n);

/* Whether PostgreSQL knows this time zone name. 1 yes, 0 no, or a negative errno. */
int store_time_zone_exists(rd_db *db, const char *name);

/* ---- categories (store/categories.c) ---- */

typedef struct store_category {
    bool found;
    bool leaf;
    bool policy;
    int32_t utc_offset; /* of the time zone at the instant asked about */
} store_category;

/* Look up a category, and the UTC offset of `time_zone` at `at` (RFC 3339 text). */
int store_category_get(rd_db *db, const char *code, const char *at, const char *time_zone,
                       store_category *ret);

/* The same in two halves, in pipeline mode, so that the look-up rides with the candidates. */
int store_category_send(rd_db *db, const char *code, const char *at, const char *time_zone,
                        int *ret_ticket);
int store_category_take(rd_db *db, int ticket, store_category *ret);

/* Insert or update one category (parent may be NULL). */
int store_category_upsert(rd_db *db, const char *code, const char *name, const char *parent,
                          bool policy);

/* 1 when the code exists, 0 when not. */
int store_category_exists(rd_db *db, const char *code);

/* The whole tree by code (*ret malloc'd, free it). */
int store_categories_list(rd_db *db, rd_category **ret, size_t *ret_n);

/* How many categories the tree holds. */
int store_categories_count(rd_db *db, size_t *ret);

/* Whether making `parent` the parent of `code` would close a cycle. 1 yes, 0 no. */
int store_category_would_cycle(rd_db *db, const char *code, const char *parent);

/* ---- API keys (store/keys.c) ---- */

/* Insert a key by its SHA-256 hex; -EEXIST when that hash is there already. */
int store_key_insert(rd_db *db, const char *name, const char *role, const char *hash_hex);

/* Find a live key by hash. 1 found (name copied, role set), 0 not found. */
int store_key_find(rd_db *db, const char *hash_hex, char *ret_name, size_t name_size,
                   char *ret_role, size_t role_size);

/* Whether the database answers (store/keys.c). */
int store_ping(rd_db *db);

/* ---- streaming replicas (store/replication.c) ---- */

/* How many seconds the connected server's data lags behind its primary: 0 on a primary or a
 * standby that has replayed everything it received. */
int store_replica_lag(rd_db *db, double *ret_lag_s);

/* ---- tickets (store/tickets.c) ---- */

/* Serialise deciders on one citizen and problem until the transaction ends. */
int store_lock_problem(rd_db *db, int64_t key);

/* The decision as stored (ticket_facts' decision columns), which app/answer_stored.c renders
 * into the answer and its scripts, byte for byte as they were first given. */
typedef struct store_answer {
    char ticket_id[RD_ID_MAX];
    int received_offset; /* UTC offset of time_zone at its received_at: the answer's times */
    char decision[32], rule[8];
    bool counts_as_repeat, creates_work_order;
    int repeat_ordinal;
    char chain_id[RD_ID_MAX];
    int definition_version;
    int considered;    /* evidence.candidates */
    int window_months; /* evidence.repeat_window_months */
    bool in_window, past_deadline, claim_assumed, dispatch_mandatory;
    char root_causes[256];        /* comma-separated names, in order; "" for none */
    char actions[512];            /* comma-separated action codes, in order */
    char specialist[RD_NAME_MAX]; /* "" when none was named */
    bool has_related;
    char rel_outcome[32]; /* P's outcome as read ("" while open): related.outcome */
    rd_prior related;     /* P as answered: id, times, status, assignment, ordinal, chain, calls */
} store_answer;

typedef struct store_existing {
    bool found;
    char request_hash_hex[65]; /* "" when stored with another received_at: another body */
    store_answer answer;       /* when request_hash_hex is set */
} store_existing;

/* The stored decision of a ticket id, for idempotent replays, read from the partition of the
 * month of received_at (RFC 3339 text, the request's): in two halves, in pipeline mode, so that
 * the replay probe rides with the decision's reads (store/tickets.c). */
int store_ticket_existing_send(rd_db *db, const char *ticket_id, const char *received_at,
                               int *ret_ticket);
int store_ticket_existing_take(rd_db *db, int ticket, store_existing *ret);

/* What the candidates of DOMAIN.md for a new ticket are looked up by. */
typedef struct store_candidate_query {
    const char *citizen_hash_hex; /* HMAC hex */
    const char *category;
    const char *received_at; /* RFC 3339 text */
    const char *ticket_id;   /* the new ticket, never its own candidate */
    int lookback_months;
    const char *time_zone;
    /* Only tickets that may lie at the same place: without coordinates, or inside the box. */
    bool has_box;
    double lat_min, lat_max, lon_min, lon_max;
    /* The next page: tickets older than this one (NULL: the first page). */
    const char *before_ticket_id;
    int64_t before_received_at_us;
} store_candidate_query;

typedef struct store_candidate_page {
    size_t n;
    bool full; /* there may be more, older: ask again with the last one as the cursor */
    char last_ticket_id[RD_ID_MAX];
    int64_t last_received_at_us;
} store_candidate_page;

/* What the decision does not read of a candidate but the intake needs. */
typedef struct store_candidate_extra {
    bool in_lookback;   /* received within lookback_months before the new ticket */
    bool changed_after; /* it has events or excluded calls after the new ticket's received_at */
} store_candidate_extra;

/* A page of candidates (see decide.h's rd_prior), newest first, at most `max`, each with its
 * extra (an array of `max` too). A prior closed after the new ticket's received_at comes back
 * whatever its age (it was open then). */
int store_candidates(rd_db *db, const store_candidate_query *q, rd_prior *ret,
                     store_candidate_extra *ret_extra, size_t max, store_candidate_page *ret_page);

/* A prior's recorded events up to an instant (inclusive), in the order they were recorded:
 * their type, time, inspection result and body as sent. Free with store_prior_events_free. */
typedef struct store_prior_event {
    char type[24];
    int64_t at;
    bool accepted;
    json_t *body;
} store_prior_event;

int store_prior_events(rd_db *db, const char *ticket_id, int64_t received_at, const char *until,
                       store_prior_event **ret, size_t *ret_n);
void store_prior_events_free(store_prior_event *e, size_t n);

/* Calls about a prior decided excluded_* and received at or before `until`. received_at: the
 * prior's (unix seconds), which bounds the months read in both. */
int store_prior_calls(rd_db *db, const char *ticket_id, int64_t received_at, const char *until,
                      int *ret);

/* A ticket row to insert: the request and the decision, as text columns. */
typedef struct store_ticket_row {
    const char *ticket_id, *citizen_hash_hex, *phone_hash_hex, *phone_masked, *category;
    const char *received_at, *channel, *address, *lat, *lon, *description, *claim;
    bool new_evidence;
    const char *request_hash_hex;
    int received_month;
    const store_answer *answer; /* the decision, with received_offset */
} store_ticket_row;

int store_ticket_insert(rd_db *db, const store_ticket_row *row);

/* The ids of the tickets received after `at` (unix seconds), sorted; each string and the
 * array are malloc'd (the import's overlap check). */
int store_tickets_received_after(rd_db *db, int64_t at, char ***ret, size_t *ret_n);

/* The citizen hash (hex) of a stored ticket into ret: 1, or 0 when there is no such ticket. */
int store_ticket_citizen(rd_db *db, const char *ticket_id, char ret[72]);

/* One more excluded call, received at `at` (RFC 3339), about an open or closed ticket. */
int store_ticket_count_call(rd_db *db, const char *ticket_id, const char *at);

/* ---- lifecycle (store/events.c) ---- */

typedef struct store_ticket_state {
    bool found;
    bool creates_work_order;
    bool open;
    int64_t received_at;
    int64_t received_at_us; /* the partition of its facts and events */
    bool dispatched;
    bool contact_reached;
    int contact_failures;
    bool closeout_accepted;
    bool followup_recorded;
    bool followup_reached;
    bool false_closeout;
    /* What the KPI aggregates are keyed by. */
    char category[RD_ID_MAX];
    int received_month;
    int definition_version;
    char unit[RD_ID_MAX], team[RD_ID_MAX], handler[RD_ID_MAX]; /* "" when not dispatched */
    char related_ticket_id[RD_ID_MAX]; /* an excluded call: the ticket it was about */
    /* When the steps were recorded (unix seconds), for the order of events. */
    bool has_closeout_accepted_at, has_followup_at, has_closed_at;
    int64_t closeout_accepted_at, followup_at, closed_at;
} store_ticket_state;

/* An event to append, with the ticket's assignment as it stands. */
typedef struct store_event_row {
    const char *ticket_id, *type, *at; /* at: RFC 3339 text */
    const char *body_json;
    bool accepted;
    const char *defects_json;     /* NULL unless a rejected close-out */
    const char *event_id;         /* the CRM's id, or NULL */
    const char *request_hash_hex; /* of the canonical body, with event_id; or an import's key */
} store_event_row;

int store_event_insert(rd_db *db, const store_event_row *e);

/* The event of a ticket with the CRM's id `event_id`, or without one, the imported event
 * whose content key is key_hex (40 hex digits: app/import.c imp_event_key), for replays. */
typedef struct store_event_probe {
    const char *event_id; /* NULL: by key_hex */
    const char *key_hex;  /* NULL with event_id NULL: no probe */
} store_event_probe;

typedef struct store_event_stored {
    bool found;
    char request_hash_hex[65];
    bool accepted;
    json_t *defects; /* the caller decrefs; NULL when accepted */
} store_event_stored;

/* The state of a ticket, locked FOR UPDATE until the transaction ends, and its facts from the
 * partition of its month; with a probe (else NULL), the stored event it names (*ret_stored),
 * read in the facts' flight. */
int store_ticket_lock_state(rd_db *db, const char *ticket_id, const store_event_probe *probe,
                            store_ticket_state *ret, store_event_stored *ret_stored);

int store_apply_dispatched(rd_db *db, const char *ticket_id, const char *at, const char *unit,
                           const char *team, const char *handler, const char *deadline);
int store_apply_contact(rd_db *db, const char *ticket_id, const char *at, bool reached);
int store_apply_closeout(rd_db *db, const char *ticket_id, const char *at, bool accepted,
                         bool unresolved);
int store_apply_followup(rd_db *db, const char *ticket_id, const char *at, bool reached);
int store_apply_closed(rd_db *db, const char *ticket_id, const char *at, const char *outcome);
int store_apply_reopened(rd_db *db, const char *ticket_id, const char *at);
int store_apply_audit(rd_db *db, const char *ticket_id, const char *at, bool false_closeout);

/* The ticket with its stored decision (*ret_answer: its decision is the caller's to render),
 * state, events and later calls (store/ticket_view.c; free it
 * with rd_ticket_view_free), its times at the offset of time_zone; 0 and *ret NULL when not
 * found. received_at_us: the ticket's received_at when the caller knows it (its reads then go
 * in one flight), or 0 (the state is read first). */
int store_ticket_view(rd_db *db, const char *ticket_id, int64_t received_at_us,
                      const char *time_zone, rd_ticket_view **ret, store_answer *ret_answer);

/* ---- caller history (store/history.c) ---- */

/* Screen pop for a phone: open tickets, the chains of the last 24 months (free it with
 * rd_caller_history_free; green_channel is left for the caller to judge). */
int store_caller_history(rd_db *db, const char *phone_hash_hex, const char *time_zone,
                         rd_caller_history *ret);
