/* GET /healthz (the process answers) and GET /readyz (the database answers too). */
#include "repeatd/routes.h"

#include <errno.h>

void rd_handle_healthz(rd_request *req)
{
    rd_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

void rd_handle_readyz(rd_request *req)
{
    rd_db *db = rd_request_db(req);
    if (!db)
        return; /* 503 already set */
    int r = rd_db_simple(db, "SELECT 1");
    if (r < 0) {
        rd_reply_store_error(req, r == -EIO ? -ECONNRESET : r);
        return;
    }
    rd_reply_json(req, 200, json_pack("{s:s}", "status", "ready"));
}
