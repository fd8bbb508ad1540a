/* POST /v1/tickets/{id}/events: the lifecycle use case (app/lifecycle.c), replied. */
#include "repeatd/routes.h"

#include "repeatd/codec.h"
#include "repeatd/lifecycle.h"

void rd_handle_event_create(rd_request *req)
{
    rd_event_out out = {0};
    int r = rd_event(req->httpd->service, &req->db, req->path_params[0], req->json, true, &out);
    if (r < 0) {
        rd_reply_failure(req, r, &out.refusal);
    } else {
        rd_reply_json(req, out.replayed ? 200 : 201, rd_ticket_view_json(out.view));
    }
    rd_event_out_clear(&out);
}
