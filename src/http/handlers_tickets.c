/* POST /v1/tickets, POST /v1/classify (intake, see app/intake.c) and GET /v1/tickets/{id}. */
#include "repeatd/routes.h"

#include "repeatd/codec.h"
#include "repeatd/intake.h"
#include "repeatd/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void intake_run(rd_request *req, bool store)
{
    rd_intake *x = calloc(1, sizeof(*x)); /* ~50 KiB of candidates: not on a worker's stack */
    if (!x) {
        rd_reply_store_error(req, -ENOMEM);
        return;
    }
    int r = rd_intake_prepare(x, req->json, req->app->config->secret, store);
    x->skip_kpis = req->app->config->bench_no_aggregates;
    if (r == 0) {
        r = rd_request_tx(req, rd_intake_tx, x, !store);
        if (r == -EEXIST && store) /* the same ticket_id inserted concurrently: replay or 409 */
            r = rd_request_tx(req, rd_intake_tx, x, false);
    }
    if (r == -EINVAL || r == -ECANCELED) {
        rd_reply_error(req, x->err, x->err_field, "%s", x->err_message);
    } else if (r < 0) {
        rd_reply_store_error(req, r);
    } else {
        json_t *answer = json_deep_copy(x->answer);
        json_object_set_new(answer, "script",
                            json_string(req->lang == RD_LANG_EN ? x->script_en : x->script_zh));
        if (store && !x->replayed)
            rd_metrics_decision(&req->app->metrics, x->d.kind);
        rd_reply_json(req, store && !x->replayed ? 201 : 200, answer);
    }
    rd_intake_clear(x);
    free(x);
}
void rd_handle_ticket_create(rd_request *req)
{
    intake_run(req, true);
}

void rd_handle_classify(rd_request *req)
{
    intake_run(req, false);
}

static int view_tx(rd_db *db, void *cls)
{
    void **io = cls;
    json_decref(io[1]);
    io[1] = NULL;
    return store_ticket_view(db, io[0], (json_t **)&io[1]);
}

void rd_handle_ticket_get(rd_request *req)
{
    const char *id = req->path_params[0];
    if (!rd_ticket_id_valid(id)) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "ticket_id",
                       "ticket_id must be 1 to 64 of the characters A-Z a-z 0-9 . _ : -");
        return;
    }
    void *io[2] = {(void *)id, NULL};
    int r = rd_request_tx(req, view_tx, io, true);
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    if (!io[1]) {
        rd_reply_error(req, RD_ERR_NOT_FOUND, NULL, "no ticket %s", id);
        return;
    }
    rd_reply_json(req, 200, io[1]);
}
