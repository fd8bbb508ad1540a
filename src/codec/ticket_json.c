/* POST /v1/tickets and /v1/classify: the request spec and the answer of API.md. */
#include "repeatd/codec.h"
#include "repeatd/json_out.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const claims[] = {"unresolved", "dissatisfied", "recurred", "policy_dispute",
                                     NULL};

static const rd_field citizen_fields[] = {
    {.name = "phone",
     .type = RD_F_STRING,
     .max_chars = 32,
     .offset = offsetof(rd_ticket_req, phone)},
    {.name = "id",
     .type = RD_F_STRING,
     .max_chars = 128,
     .offset = offsetof(rd_ticket_req, citizen_id)},
    {0},
};

static const rd_field location_fields[] = {
    {.name = "address",
     .type = RD_F_STRING,
     .max_chars = 500,
     .offset = offsetof(rd_ticket_req, address)},
    {.name = "lat",
     .type = RD_F_NUMBER,
     .min = -90,
     .max = 90,
     .offset = offsetof(rd_ticket_req, lat)},
    {.name = "lon",
     .type = RD_F_NUMBER,
     .min = -180,
     .max = 180,
     .offset = offsetof(rd_ticket_req, lon)},
    {0},
};

static const rd_field ticket_fields[] = {
    {.name = "ticket_id",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = RD_TICKET_ID_MAX,
     .offset = offsetof(rd_ticket_req, ticket_id)},
    {.name = "received_at",
     .type = RD_F_TIME,
     .required = true,
     .offset = offsetof(rd_ticket_req, received_at)},
    {.name = "channel",
     .type = RD_F_STRING,
     .max_chars = 32,
     .offset = offsetof(rd_ticket_req, channel)},
    {.name = "citizen", .type = RD_F_OBJECT, .required = true, .fields = citizen_fields},
    {.name = "category",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 64,
     .offset = offsetof(rd_ticket_req, category)},
    {.name = "location", .type = RD_F_OBJECT, .fields = location_fields},
    {.name = "description",
     .type = RD_F_STRING,
     .max_chars = 4000,
     .offset = offsetof(rd_ticket_req, description)},
    {.name = "claim",
     .type = RD_F_ENUM,
     .values = claims,
     .offset = offsetof(rd_ticket_req, claim)},
    {.name = "new_evidence", .type = RD_F_BOOL, .offset = offsetof(rd_ticket_req, new_evidence)},
    {0},
};

bool rd_ticket_id_valid(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= RD_TICKET_ID_MAX &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == n;
}

static int invalid(rd_field_error *err, const char *field, const char *msg)
{
    err->code = "invalid_value";
    snprintf(err->field, sizeof(err->field), "%s", field);
    snprintf(err->message, sizeof(err->message), "%s %s", field, msg);
    return -EINVAL;
}

int rd_ticket_req_parse(json_t *body, rd_ticket_req *ret, rd_field_error *err)
{
    rd_ticket_req t = {.new_evidence = -1};
    int r = rd_json_parse(body, ticket_fields, &t, err);
    if (r < 0)
        return r;
    if (!rd_ticket_id_valid(t.ticket_id))
        return invalid(err, "ticket_id", "must be 1 to 64 of the characters A-Z a-z 0-9 . _ : -");
    if (!t.phone && !t.citizen_id)
        return invalid(err, "citizen", "needs a phone or an id");
    if (t.citizen_id && !t.citizen_id[0])
        return invalid(err, "citizen.id", "must not be empty");
    if (!t.category[0])
        return invalid(err, "category", "must not be empty");
    if (t.lat.set != t.lon.set)
        return invalid(err, t.lat.set ? "location.lon" : "location.lat",
                       "is needed with the other coordinate");
    *ret = t;
    return 0;
}

static json_t *names_of_bits(unsigned bits, int count, const char *(*name)(rd_root_cause))
{
    json_t *a = json_array();
    for (int i = 0; a && i < count; i++)
        if (bits & (1u << i))
            json_array_append_new(a, json_string(name((rd_root_cause)(1u << i))));
    return a;
}

static json_t *time_or_null(int64_t t, bool set, int32_t offset)
{
    char buf[RD_TIME_TEXT_MAX];
    if (!set)
        return json_null();
    rd_time_format(t, offset, buf);
    return json_string(buf);
}

/* Times are shown at the zone's offset of the new ticket: same instants, readable locally. */
static json_t *related_json(const rd_prior *p, int32_t offset)
{
    if (!p)
        return json_null();
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:s}", "ticket_id",
                     p->ticket_id, "status", p->open ? "open" : "closed", "unit",
                     rd_json_nonempty_or_null(p->unit), "team", rd_json_nonempty_or_null(p->team),
                     "handler", rd_json_nonempty_or_null(p->handler), "received_at",
                     time_or_null(p->received_at, true, offset), "closed_at",
                     time_or_null(p->closed_at, !p->open && p->closed_at, offset), "outcome",
                     p->outcome ? json_string(rd_outcome_name(p->outcome)) : json_null(),
                     "deadline", time_or_null(p->deadline, p->has_deadline, offset),
                     "repeat_ordinal", p->repeat_ordinal, "chain_id", p->chain_id);
}

static json_t *action_json(const rd_action *a, const rd_prior *p)
{
    json_t *o = json_pack("{s:s}", "code", rd_action_name(a->code));
    if (o && a->code == RD_ACTION_DISPATCH_TO_ORIGINAL_HANDLER && p) {
        json_object_set_new(o, "unit", rd_json_nonempty_or_null(p->unit));
        json_object_set_new(o, "team", rd_json_nonempty_or_null(p->team));
        json_object_set_new(o, "handler", rd_json_nonempty_or_null(p->handler));
        json_object_set_new(o, "mandatory", json_boolean(a->mandatory));
    }
    return o;
}

json_t *rd_answer_json(const rd_ticket_in *t, const rd_decision *d, int definition_version,
                       size_t n_candidates, const rd_settings *s)
{
    json_t *actions = json_array(), *assumptions = json_array();
    for (size_t i = 0; actions && i < d->n_actions; i++)
        json_array_append_new(actions, action_json(&d->actions[i], d->related));
    if (assumptions && (d->assumptions & RD_ASSUMED_CLAIM_UNRESOLVED))
        json_array_append_new(assumptions, json_string("claim defaulted to unresolved"));
    json_t *evidence =
        json_pack("{s:i, s:b, s:i, s:b, s:i}", "candidates", (json_int_t)n_candidates, "in_window",
                  d->related && d->in_window, "repeat_window_months", s->repeat_window_months,
                  "past_deadline", d->past_deadline, "calls_about_related",
                  d->related ? d->related->calls + 1 : 0);
    return json_pack(
        "{s:s, s:s, s:s, s:b, s:b, s:i, s:s, s:o, s:o, s:o, s:o, s:i, s:o}", "ticket_id",
        t->ticket_id, "decision", rd_decision_name(d->kind), "rule", rd_rule_name(d->rule),
        "counts_as_repeat", d->counts_as_repeat, "creates_work_order", d->creates_work_order,
        "repeat_ordinal", d->repeat_ordinal, "chain_id", d->chain_id, "related_ticket",
        related_json(d->related, t->received_offset), "root_causes",
        names_of_bits(d->root_causes, RD_CAUSE_COUNT, rd_root_cause_name), "actions", actions,
        "assumptions", assumptions, "definition_version", definition_version, "evidence", evidence);
}

int rd_answer_set_specialist(json_t *answer, const char *specialist)
{
    json_t *actions = json_object_get(answer, "actions");
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a)
    {
        const char *code = json_string_value(json_object_get(a, "code"));
        if (code && !strcmp(code, rd_action_name(RD_ACTION_GREEN_CHANNEL)))
            return json_object_set_new(a, "specialist", json_string(specialist)) ? -ENOMEM : 0;
    }
    return 0;
}
