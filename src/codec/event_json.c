/* POST /v1/tickets/{id}/events: one field spec per event type. */
#include "repeatd/codec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const event_types[] = {"dispatched", "contact_attempt", "closeout", "followup",
                                          "closed",     "reopened",        "audit",    NULL};
static const char *const contact_outcomes[] = {"reached",     "no_answer",    "busy", "rejected",
                                               "powered_off", "wrong_number", NULL};
static const char *const outcomes[] = {"resolved", "unresolved", "policy_explained", "withdrawn",
                                       NULL};

/* Parsed as text first; converted to enums after the spec has vouched for them. */
typedef struct event_text {
    rd_event_req e;
    const char *type, *contact_outcome, *outcome;
} event_text;

#define F(field) offsetof(event_text, field)
#define TYPE_FIELD                                                                                 \
    {                                                                                              \
        .name = "type", .type = RD_F_ENUM, .required = true, .values = event_types,                \
        .offset = F(type)                                                                          \
    }
/* Every event may carry the CRM's own id, which makes a retry of it harmless. */
#define AT_FIELD                                                                                   \
    {.name = "at", .type = RD_F_TIME, .required = true, .offset = F(e.at)},                        \
    {                                                                                              \
        .name = "event_id", .type = RD_F_STRING, .max_chars = RD_TICKET_ID_MAX,                    \
        .offset = F(e.event_id)                                                                    \
    }

static const rd_field dispatched_fields[] = {
    TYPE_FIELD,
    AT_FIELD,
    {.name = "unit", .type = RD_F_STRING, .required = true, .max_chars = 64, .offset = F(e.unit)},
    {.name = "team", .type = RD_F_STRING, .max_chars = 64, .offset = F(e.team)},
    {.name = "handler", .type = RD_F_STRING, .max_chars = 64, .offset = F(e.handler)},
    {.name = "deadline", .type = RD_F_TIME, .offset = F(e.deadline)},
    {0},
};
static const rd_field contact_fields[] = {
    TYPE_FIELD,
    AT_FIELD,
    {.name = "channel", .type = RD_F_STRING, .max_chars = 32, .offset = F(e.channel)},
    {.name = "outcome",
     .type = RD_F_ENUM,
     .required = true,
     .values = contact_outcomes,
     .offset = F(contact_outcome)},
    {0},
};
/* Close-out elements are optional here: a missing one is a defect of the inspection (422),
 * not a malformed request (400). Types are still checked. */
static const rd_field closeout_fields[] = {
    TYPE_FIELD,
    AT_FIELD,
    {.name = "handler", .type = RD_F_STRING, .max_chars = 64, .offset = F(e.handler)},
    {.name = "cause", .type = RD_F_STRING, .max_chars = 2000, .offset = F(e.closeout.cause)},
    {.name = "verification",
     .type = RD_F_STRING,
     .max_chars = 2000,
     .offset = F(e.closeout.verification)},
    {.name = "handling_opinion",
     .type = RD_F_STRING,
     .max_chars = 2000,
     .offset = F(e.closeout.handling_opinion)},
    {.name = "reply_method",
     .type = RD_F_STRING,
     .max_chars = 32,
     .offset = F(e.closeout.reply_method)},
    {.name = "contact_time", .type = RD_F_TIME, .offset = F(e.contact_time)},
    {.name = "reply_to_citizen",
     .type = RD_F_STRING,
     .max_chars = 2000,
     .offset = F(e.closeout.reply_to_citizen)},
    {.name = "resolved", .type = RD_F_BOOL, .offset = F(e.resolved)},
    {.name = "satisfied", .type = RD_F_BOOL, .offset = F(e.satisfied)},
    {0},
};
static const rd_field followup_fields[] = {
    TYPE_FIELD,
    AT_FIELD,
    {.name = "reached", .type = RD_F_BOOL, .required = true, .offset = F(e.reached)},
    {.name = "resolved", .type = RD_F_BOOL, .offset = F(e.resolved)},
    {.name = "satisfied", .type = RD_F_BOOL, .offset = F(e.satisfied)},
    {0},
};
static const rd_field closed_fields[] = {
    TYPE_FIELD,
    AT_FIELD,
    {.name = "outcome",
     .type = RD_F_ENUM,
     .required = true,
     .values = outcomes,
     .offset = F(outcome)},
    {0},
};
static const rd_field reopened_fields[] = {
    TYPE_FIELD,
    AT_FIELD,
    {0},
};
static const rd_field audit_fields[] = {
    TYPE_FIELD,
    AT_FIELD,
    {.name = "false_closeout", .type = RD_F_BOOL, .required = true, .offset = F(e.false_closeout)},
    {.name = "note", .type = RD_F_STRING, .max_chars = 2000, .offset = F(e.note)},
    {0},
};

/* In rd_event_type order. */
static const rd_field *const specs[] = {dispatched_fields, contact_fields, closeout_fields,
                                        followup_fields,   closed_fields,  reopened_fields,
                                        audit_fields};

static const rd_field type_only[] = {TYPE_FIELD, {0}};

int rd_event_req_parse(json_t *body, rd_event_req *ret, rd_field_error *err)
{
    event_text t = {.e = {.reached = -1, .resolved = -1, .satisfied = -1, .false_closeout = -1}};
    rd_event_type type;
    if (!json_is_object(body))
        return rd_json_parse(body, type_only, &t, err);
    /* Read the type alone first; then the spec of that type checks every field. */
    json_t *type_value = json_object_get(body, "type");
    json_t *probe = json_pack("{s:O?}", "type", type_value);
    int r = probe ? rd_json_parse(probe, type_only, &t, err) : -ENOMEM;
    json_decref(probe);
    if (r < 0)
        return r;
    if (rd_event_type_parse(t.type, &type) < 0)
        return -EINVAL;
    r = rd_json_parse(body, specs[type], &t, err);
    if (r < 0)
        return r;
    if (t.e.event_id && !rd_ticket_id_valid(t.e.event_id)) {
        err->code = "invalid_value";
        snprintf(err->field, sizeof(err->field), "event_id");
        snprintf(err->message, sizeof(err->message),
                 "event_id must be 1 to 64 of the characters A-Z a-z 0-9 . _ : -");
        return -EINVAL;
    }
    t.e.type = type;
    if (t.contact_outcome)
        (void)rd_contact_outcome_parse(t.contact_outcome, &t.e.contact_outcome);
    if (t.outcome)
        (void)rd_outcome_parse(t.outcome, &t.e.outcome);
    if (type == RD_EVENT_CLOSEOUT) {
        t.e.closeout.has_contact_time = t.e.contact_time.set;
        t.e.closeout.contact_time = t.e.contact_time.unix;
        t.e.closeout.resolved = (rd_tristate)t.e.resolved;
        t.e.closeout.satisfied = (rd_tristate)t.e.satisfied;
    }
    *ret = t.e;
    return 0;
}

json_t *rd_defects_json(const rd_defect *defects, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s}", "code", rd_defect_name(defects[i].code), "field",
                         defects[i].field, "message", rd_defect_message(defects[i].code)));
    return a;
}
