/* The caller screen pop (GET /v1/callers/{phone}/history) as JSON. */
#include "repeatd/codec.h"
#include "repeatd/json_out.h"

json_t *rd_caller_history_json(const rd_caller_history *h)
{
    json_t *open = json_array(), *chains = json_array();
    for (size_t i = 0; open && i < h->n_open_tickets; i++) {
        const rd_history_ticket *t = &h->open_tickets[i];
        json_array_append_new(
            open,
            json_pack("{s:s, s:s, s:o, s:s, s:i, s:s, s:o, s:o, s:o}", "ticket_id", t->ticket_id,
                      "category", t->category, "received_at", rd_json_instant(t->received_at),
                      "decision", t->decision, "repeat_ordinal", t->repeat_ordinal, "chain_id",
                      t->chain_id, "unit", rd_json_text_or_null(t->unit), "handler",
                      rd_json_text_or_null(t->handler), "deadline",
                      t->has_deadline ? rd_json_instant(t->deadline) : json_null()));
    }
    for (size_t i = 0; chains && i < h->n_chains && i < RD_HISTORY_CHAINS_SHOWN; i++) {
        const rd_history_chain *c = &h->chains[i];
        json_array_append_new(
            chains, json_pack("{s:s, s:s, s:i, s:i, s:o, s:o, s:b, s:b}", "chain_id", c->chain_id,
                              "category", c->category, "repeats", c->repeats, "calls", c->calls,
                              "first_received_at", rd_json_instant(c->first_received_at),
                              "last_received_at", rd_json_instant(c->last_received_at), "open",
                              c->open, "green_channel", c->green_channel));
    }
    return json_pack("{s:o, s:o, s:b, s:s}", "open_tickets", open, "chains", chains,
                     "green_channel", h->green_channel, "phone_masked", h->phone_masked);
}
