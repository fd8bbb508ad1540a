/* GET /healthz (the process answers) and GET /readyz (the database answers too). */
#include "repeatd/routes.h"

#include "repeatd/keys.h"

void rd_handle_healthz(rd_request *req)
{
    rd_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

void rd_handle_readyz(rd_request *req)
{
    int r = rd_service_ping(req->httpd->service, &req->db);
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    rd_reply_json(req, 200, json_pack("{s:s}", "status", "ready"));
}
