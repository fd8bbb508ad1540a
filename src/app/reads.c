/* The read use cases of the CRM: one ticket with its lifecycle, the caller screen pop. */
#include "repeatd/reads.h"

#include "repeatd/answer_stored.h"

#include "repeatd/citizen.h"
#include "repeatd/codec.h"
#include "repeatd/store.h"

#include <errno.h>
#include <string.h>

typedef struct view_in {
    rd_service *service;
    const char *ticket_id;
} view_in;

static int view_tx(rd_db *db, const void *in_, void *out)
{
    const view_in *in = in_;
    rd_settings s;
    int r = rd_service_settings(in->service, db, &s);
    return r < 0 ? r : rd_ticket_view_load(db, in->ticket_id, 0, s.time_zone, out);
}

static void view_clear(void *out)
{
    rd_ticket_view_free(*(rd_ticket_view **)out);
    *(rd_ticket_view **)out = NULL;
}

int rd_ticket_get(rd_service *svc, rd_db **db, const char *ticket_id, rd_ticket_view **ret,
                  rd_refusal *ref)
{
    if (!rd_ticket_id_valid(ticket_id))
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "ticket_id",
                         "ticket_id must be 1 to 64 of the characters A-Z a-z 0-9 . _ : -");
    rd_ticket_view *view = NULL;
    view_in in = {.service = svc, .ticket_id = ticket_id};
    rd_tx tx = {.body = view_tx, .in = &in, .out = &view, .clear = view_clear, .readonly = true};
    int r = rd_service_tx(svc, db, &tx);
    if (r < 0) {
        view_clear(&view);
        return r;
    }
    if (!view)
        return rd_refuse(ref, RD_ERR_NOT_FOUND, NULL, "no ticket %s", ticket_id);
    *ret = view;
    return 0;
}

typedef struct history_in {
    rd_service *service;
    const char *phone_hex;
} history_in;

typedef struct history_out {
    rd_settings settings;
    rd_caller_history h;
} history_out;

static int history_tx(rd_db *db, const void *in_, void *out_)
{
    const history_in *in = in_;
    history_out *out = out_;
    int r = rd_service_settings(in->service, db, &out->settings);
    return r < 0 ? r : store_caller_history(db, in->phone_hex, out->settings.time_zone, &out->h);
}

static void history_clear(void *out)
{
    rd_caller_history_free(&((history_out *)out)->h);
}

int rd_caller_history_get(rd_service *svc, rd_db **db, const char *phone, rd_caller_history *ret,
                          rd_refusal *ref)
{
    char phone_hex[2 * RD_HASH_LEN + 1], digits[RD_PHONE_MAX];
    if (rd_phone_normalise(phone, digits) < 0 || rd_phone_hash(svc->secret, digits, phone_hex) < 0)
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "phone",
                         "phone must be a phone number of 5 to 20 digits");
    history_in in = {.service = svc, .phone_hex = phone_hex};
    history_out out = {0};
    rd_tx tx = {
        .body = history_tx, .in = &in, .out = &out, .clear = history_clear, .readonly = true};
    int r = rd_service_tx(svc, db, &tx);
    if (r < 0) {
        history_clear(&out);
        return r;
    }
    for (size_t i = 0; i < out.h.n_chains; i++) {
        rd_history_chain *c = &out.h.chains[i];
        c->green_channel = rd_chain_in_green_channel(c->newest_repeat_ordinal,
                                                     c->newest_repeat_open, &out.settings);
        out.h.green_channel |= c->green_channel;
    }
    rd_phone_mask(digits, out.h.phone_masked);
    *ret = out.h;
    return 0;
}
