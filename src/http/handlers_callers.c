/* GET /v1/callers/{phone}/history: the screen pop for an incoming call (app/reads.c). */
#include "repeatd/routes.h"

#include "repeatd/codec.h"
#include "repeatd/reads.h"

void rd_handle_caller_history(rd_request *req)
{
    rd_refusal ref;
    rd_caller_history h;
    int r = rd_caller_history_get(req->httpd->service, &req->db, req->path_params[0], &h, &ref);
    if (r < 0) {
        rd_reply_failure(req, r, &ref);
        return;
    }
    rd_reply_json(req, 200, rd_caller_history_json(&h));
    rd_caller_history_free(&h);
}
