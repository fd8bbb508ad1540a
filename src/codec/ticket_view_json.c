/* The ticket view (GET /v1/tickets/{id}, the answer to an event) as JSON. */
#include "repeatd/codec.h"
#include "repeatd/json_out.h"

static json_t *location_json(const rd_ticket_view *v)
{
    if (!v->address && !v->has_lat)
        return json_null();
    return json_pack("{s:o, s:o, s:o}", "address", rd_json_text_or_null(v->address), "lat",
                     v->has_lat ? json_real(v->lat) : json_null(), "lon",
                     v->has_lon ? json_real(v->lon) : json_null());
}

static json_t *state_json(const rd_ticket_view *v)
{
    return json_pack(
        "{s:b, s:i, s:o, s:b, s:i, s:b, s:b, s:b, s:i}", "contact_reached", v->contact_reached,
        "contact_failures", v->contact_failures, "first_contact_failed",
        v->has_first_contact_failed ? json_boolean(v->first_contact_failed) : json_null(),
        "closeout_accepted", v->closeout_accepted, "closeout_rejections", v->closeout_rejections,
        "followup_recorded", v->followup_recorded, "followup_reached", v->followup_reached,
        "false_closeout", v->false_closeout, "calls", v->calls);
}

/* The body as sent, with its type and time from their columns (the store keeps the rest). */
static json_t *event_body_json(const rd_view_event *e)
{
    json_t *b = e->body ? json_copy(e->body) : json_object();
    if (b) {
        json_object_set_new(b, "type", json_string(e->type));
        json_object_set_new(b, "at", rd_json_instant(e->at));
    }
    return b;
}

static json_t *events_json(const rd_ticket_view *v)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < v->n_events; i++) {
        const rd_view_event *e = &v->events[i];
        json_array_append_new(a, json_pack("{s:s, s:o, s:b, s:O, s:o, s:o}", "type", e->type, "at",
                                           rd_json_instant(e->at), "accepted", e->accepted,
                                           "defects", e->defects ? e->defects : json_null(),
                                           "recorded_at", rd_json_instant(e->recorded_at), "body",
                                           event_body_json(e)));
    }
    return a;
}

static json_t *later_calls_json(const rd_ticket_view *v)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < v->n_later_calls; i++) {
        const rd_view_later_call *l = &v->later_calls[i];
        json_array_append_new(a,
                              json_pack("{s:s, s:o, s:s}", "ticket_id", l->ticket_id, "received_at",
                                        rd_json_instant(l->received_at), "decision", l->decision));
    }
    return a;
}

json_t *rd_ticket_view_json(const rd_ticket_view *v)
{
    json_t *o = json_pack("{s:s, s:o, s:o, s:s, s:{s:o}, s:o, s:o, s:o, s:b}", "ticket_id",
                          v->ticket_id, "received_at", rd_json_instant(v->received_at), "channel",
                          rd_json_text_or_null(v->channel), "category", v->category, "citizen",
                          "phone_masked", rd_json_text_or_null(v->phone_masked), "location",
                          location_json(v), "description", rd_json_text_or_null(v->description),
                          "claim", rd_json_text_or_null(v->claim), "new_evidence", v->new_evidence);
    if (!o)
        return NULL;
    json_object_set(o, "decision", v->decision ? v->decision : json_null());
    json_object_set_new(o, "status", json_string(v->status));
    json_object_set_new(o, "unit", rd_json_text_or_null(v->unit));
    json_object_set_new(o, "team", rd_json_text_or_null(v->team));
    json_object_set_new(o, "handler", rd_json_text_or_null(v->handler));
    json_object_set_new(o, "dispatched_at",
                        rd_json_opt_instant(v->has_dispatched_at, v->dispatched_at));
    json_object_set_new(o, "deadline", rd_json_opt_instant(v->has_deadline, v->deadline));
    json_object_set_new(o, "closed_at", rd_json_opt_instant(v->has_closed_at, v->closed_at));
    json_object_set_new(o, "outcome", rd_json_text_or_null(v->outcome));
    json_object_set_new(o, "state", state_json(v));
    json_object_set_new(o, "events", events_json(v));
    json_object_set_new(o, "later_calls", later_calls_json(v));
    return o;
}
