/* The read use cases of the CRM: one ticket with its lifecycle, the caller screen pop. */
#include "repeatd/reads.h"

#include "repeatd/citizen.h"
#include "repeatd/codec.h"
#include "repeatd/store.h"

#include <errno.h>
#include <string.h>

static void json_clear(void *out)
{
    json_decref(*(json_t **)out);
    *(json_t **)out = NULL;
}

static int view_tx(rd_db *db, const void *in, void *out)
{
    return store_ticket_view(db, in, out);
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
    rd_tx tx = {
        .body = view_tx, .in = ticket_id, .out = &view, .clear = view_clear, .readonly = true};
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

static int history_tx(rd_db *db, const void *in_, void *out)
{
    const history_in *in = in_;
    rd_settings s;
    int r = rd_service_settings(in->service, db, &s);
    return r < 0 ? r : store_caller_history(db, in->phone_hex, &s, out);
}

int rd_caller_history(rd_service *svc, rd_db **db, const char *phone, json_t **ret, rd_refusal *ref)
{
    char phone_hex[2 * RD_HASH_LEN + 1], digits[RD_PHONE_MAX], masked[RD_PHONE_MAX];
    if (rd_phone_normalise(phone, digits) < 0 || rd_phone_hash(svc->secret, digits, phone_hex) < 0)
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "phone",
                         "phone must be a phone number of 5 to 20 digits");
    history_in in = {.service = svc, .phone_hex = phone_hex};
    json_t *h = NULL;
    rd_tx tx = {.body = history_tx, .in = &in, .out = &h, .clear = json_clear, .readonly = true};
    int r = rd_service_tx(svc, db, &tx);
    if (r < 0) {
        json_clear(&h);
        return r;
    }
    rd_phone_mask(digits, masked);
    json_object_set_new(h, "phone_masked", json_string(masked));
    *ret = h;
    return 0;
}
