/* POST /v1/tickets, POST /v1/classify (app/intake.c) and GET /v1/tickets/{id} (app/reads.c). */
#include "repeatd/routes.h"

#include "repeatd/codec.h"
#include "repeatd/intake.h"
#include "repeatd/reads.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void intake_run(rd_request *req, bool store)
{
    rd_intake_out *x = calloc(1, sizeof(*x)); /* ~50 KiB of candidates: not on a worker's stack */
    if (!x) {
        rd_reply_store_error(req, -ENOMEM);
        return;
    }
    int r = rd_intake(req->httpd->service, &req->db, req->json, store, x);
    if (r < 0) {
        rd_reply_failure(req, r, &x->refusal);
    } else {
        json_t *answer = json_deep_copy(x->answer);
        json_object_set_new(answer, "script",
                            json_string(req->lang == RD_LANG_EN ? x->script_en : x->script_zh));
        if (store && !x->replayed)
            rd_metrics_decision(&req->httpd->metrics, x->d.kind);
        rd_reply_json(req, store && !x->replayed ? 201 : 200, answer);
    }
    rd_intake_out_clear(x);
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

void rd_handle_ticket_get(rd_request *req)
{
    rd_refusal ref;
    rd_ticket_view *view;
    int r = rd_ticket_get(req->httpd->service, &req->db, req->path_params[0], &view, &ref);
    if (r < 0) {
        rd_reply_failure(req, r, &ref);
        return;
    }
    rd_reply_json(req, 200, rd_ticket_view_json(view));
    rd_ticket_view_free(view);
}
