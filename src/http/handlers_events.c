/* POST /v1/tickets/{id}/events: parse, run the lifecycle (app/lifecycle.c), shape the reply. */
#include "repeatd/routes.h"

#include "repeatd/lifecycle.h"
#include "repeatd/workflow.h"

#include <errno.h>
#include <stdlib.h>

static void reply_refusal(rd_request *req, rd_event_call *c)
{
    switch (c->err) {
    case RD_ERR_NOT_FOUND:
        rd_reply_error(req, c->err, NULL, "no ticket %s", c->ticket_id);
        return;
    case RD_ERR_NO_WORK_ORDER:
        rd_reply_error(req, c->err, NULL,
                       "ticket %s created no work order (it was decided excluded); its events "
                       "belong to the ticket it is about",
                       c->ticket_id);
        return;
    case RD_ERR_TICKET_CLOSED:
        rd_reply_error(req, c->err, "type",
                       "ticket %s is closed; only audit and reopened events are accepted",
                       c->ticket_id);
        return;
    case RD_ERR_TICKET_OPEN:
        rd_reply_error(req, c->err, "type", "ticket %s is open; it cannot be reopened",
                       c->ticket_id);
        return;
    case RD_ERR_WORKFLOW_INCOMPLETE: {
        rd_reply_error(req, c->err, NULL,
                       "ticket %s cannot be closed before every required step is on record",
                       c->ticket_id);
        json_t *missing = json_array();
        for (int i = 0; i < RD_STEP_COUNT; i++)
            if (c->missing & (1u << i))
                json_array_append_new(missing, json_string(rd_step_name((rd_step)(1u << i))));
        json_object_set_new(req->reply, "missing", missing);
        return;
    }
    default:
        rd_reply_error(req, RD_ERR_INTERNAL, NULL, "unexpected refusal");
    }
}

void rd_handle_event_create(rd_request *req)
{
    rd_event_call c = {.ticket_id = req->path_params[0],
                       .want_view = true,
                       .skip_kpis = req->app->config->bench_no_aggregates};
    rd_field_error ferr;
    if (!rd_ticket_id_valid(c.ticket_id)) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "ticket_id",
                       "ticket_id must be 1 to 64 of the characters A-Z a-z 0-9 . _ : -");
        return;
    }
    if (rd_event_req_parse(req->json, &c.ev, &ferr) < 0) {
        rd_reply_error(req, RD_ERR_INVALID_FIELD, ferr.field, "%s", ferr.message);
        return;
    }
    char *body = json_dumps(req->json, JSON_COMPACT);
    if (!body) {
        rd_reply_store_error(req, -ENOMEM);
        return;
    }
    c.body_text = body;
    int r = rd_request_tx(req, rd_event_tx, &c, false);
    free(body);
    if (r == -ECANCELED) {
        reply_refusal(req, &c);
    } else if (r < 0) {
        rd_reply_store_error(req, r);
    } else if (c.n_defects) {
        rd_reply_error(req, RD_ERR_CLOSEOUT_REJECTED, NULL,
                       "the close-out was rejected and recorded as such: %zu defect(s)",
                       c.n_defects);
        json_object_set_new(req->reply, "defects", rd_defects_json(c.defects, c.n_defects));
        json_decref(c.view);
        return;
    } else {
        rd_reply_json(req, 201, c.view);
        return;
    }
    json_decref(c.view);
}
