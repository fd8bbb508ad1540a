/* JSON ⇄ domain structs for tickets, events and settings. */
#pragma once

#include "repeatd/closeout.h"
#include "repeatd/decide.h"
#include "repeatd/json_spec.h"
#include "repeatd/settings.h"
#include "repeatd/caller_history.h"
#include "repeatd/settings_change.h"
#include "repeatd/ticket_view.h"

/* ---- settings (codec/settings_json.c) ---- */

/* The settings as a JSON object, name → value (caller decrefs). */
json_t *rd_settings_to_json(const rd_settings *s);

/* Apply the names of `obj` to *s, validating each: on error -EINVAL with err naming the key.
 * With `partial` false every setting must be present (loading the stored ones). */
int rd_settings_apply_json(rd_settings *s, json_t *obj, bool partial, rd_field_error *err);

/* ---- tickets (codec/ticket_json.c) ---- */

#define RD_TICKET_ID_MAX 64

typedef struct rd_ticket_req {
    const char *ticket_id;
    rd_time received_at;
    const char *channel;
    const char *phone;
    const char *citizen_id;
    const char *category;
    const char *address;
    rd_opt_double lat, lon;
    const char *description;
    const char *claim;
    int new_evidence; /* -1 absent */
} rd_ticket_req;

/* Parse and validate a POST /v1/tickets body. */
int rd_ticket_req_parse(json_t *body, rd_ticket_req *ret, rd_field_error *err);

/* Whether s is a valid ticket id: 1-64 of [A-Za-z0-9._:-]. */
bool rd_ticket_id_valid(const char *s);

/* The answer of API.md without its script (caller decrefs). `n_candidates` is evidence. */
json_t *rd_answer_json(const rd_ticket_in *t, const rd_decision *d, int definition_version,
                       size_t n_candidates, const rd_settings *s);

/* Name the chain's green-channel specialist in the answer's green_channel action (the agent
 * routes the call to them). 0, or -ENOMEM. */
int rd_answer_set_specialist(json_t *answer, const char *specialist);

/* ---- events (codec/event_json.c) ---- */

typedef struct rd_event_req {
    rd_event_type type;
    rd_time at;
    const char *event_id; /* the CRM's id of the event (optional): retries are replays */
    /* dispatched */
    const char *unit, *team, *handler;
    rd_time deadline;
    /* contact_attempt */
    const char *channel;
    rd_contact_outcome contact_outcome;
    /* closeout */
    rd_closeout closeout;
    rd_time contact_time;
    /* followup */
    int reached, resolved, satisfied; /* -1 absent */
    /* closed */
    rd_outcome outcome;
    /* audit */
    int false_closeout;
    const char *note;
} rd_event_req;

/* Parse and validate a POST /v1/tickets/{id}/events body. */
int rd_event_req_parse(json_t *body, rd_event_req *ret, rd_field_error *err);

/* The defects of a rejected close-out as a JSON array of {code, field, message}. */
json_t *rd_defects_json(const rd_defect *defects, size_t n);

/* ---- the ticket view (codec/ticket_view_json.c) ---- */

/* GET /v1/tickets/{id}: the ticket, its decision, state, events and later calls (caller
 * decrefs; NULL when out of memory). */
json_t *rd_ticket_view_json(const rd_ticket_view *v);

/* ---- the caller screen pop (codec/history_json.c) ---- */

/* Open tickets, the newest RD_HISTORY_CHAINS_SHOWN chains, green_channel, phone_masked. */
json_t *rd_caller_history_json(const rd_caller_history *h);

/* ---- administration (codec/admin_json.c) ---- */

/* [{code, name, parent, policy, leaf}, ...] */
json_t *rd_categories_json(const rd_category *list, size_t n);

/* [{key, old_value, new_value, changed_by, changed_at, definition_version}, ...] */
json_t *rd_settings_changes_json(const rd_settings_change *list, size_t n);
