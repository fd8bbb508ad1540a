/* GET /v1/callers/{phone}/history: the screen pop for an incoming call. */
#include "repeatd/routes.h"

#include "repeatd/citizen.h"
#include "repeatd/current_settings.h"
#include "repeatd/store.h"

#include <stdio.h>

typedef struct history_call {
    const char *phone_hex;
    json_t *result;
} history_call;

static int history_tx(rd_db *db, void *cls)
{
    history_call *h = cls;
    rd_settings s;
    json_decref(h->result);
    h->result = NULL;
    int r = rd_current_settings(db, &s);
    return r < 0 ? r
                 : store_caller_history(db, h->phone_hex, s.green_channel_min_repeats, &h->result);
}

void rd_handle_caller_history(rd_request *req)
{
    char phone_hex[2 * RD_HASH_LEN + 1], digits[RD_PHONE_MAX], masked[RD_PHONE_MAX];
    if (rd_phone_normalise(req->path_params[0], digits) < 0 ||
        rd_phone_hash(req->app->config->secret, digits, phone_hex) < 0) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "phone",
                       "phone must be a phone number of 5 to 20 digits");
        return;
    }
    history_call h = {.phone_hex = phone_hex};
    int r = rd_request_tx(req, history_tx, &h, true);
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    rd_phone_mask(digits, masked);
    json_object_set_new(h.result, "phone_masked", json_string(masked));
    rd_reply_json(req, 200, h.result);
}
