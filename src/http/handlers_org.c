/* Administration of what KPIs are judged by: names of units, teams and handlers, and target
 * repeat rates per unit and team (app/org.c). */
#include "repeatd/routes.h"

#include "repeatd/kpi_json.h"
#include "repeatd/kpi_org.h"

#include <errno.h>
#include <stdlib.h>

static void reply_upserted(rd_request *req, int r, size_t n, const rd_refusal *ref)
{
    if (r < 0)
        rd_reply_failure(req, r, ref);
    else
        rd_reply_json(req, 200, json_pack("{s:I}", "upserted", (json_int_t)n));
}

void rd_handle_units_put(rd_request *req)
{
    rd_refusal ref;
    size_t n = 0;
    int r = rd_org_put(req->httpd->service, &req->db, req->json, &n, &ref);
    reply_upserted(req, r, n, &ref);
}

void rd_handle_units_get(rd_request *req)
{
    rd_kpi_name *names;
    size_t n;
    int r = rd_org_names_get(req->httpd->service, &req->db, &names, &n);
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    json_t *body = rd_org_names_json(names, n);
    free(names);
    if (body)
        rd_reply_json(req, 200, body);
    else
        rd_reply_store_error(req, -ENOMEM);
}

void rd_handle_targets_put(rd_request *req)
{
    rd_refusal ref;
    size_t n = 0;
    int r = rd_targets_put(req->httpd->service, &req->db, req->json, req->key_name, &n, &ref);
    reply_upserted(req, r, n, &ref);
}

void rd_handle_targets_get(rd_request *req)
{
    rd_kpi_target *targets;
    size_t n;
    int r = rd_targets_get(req->httpd->service, &req->db, &targets, &n);
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    json_t *body = rd_targets_json(targets, n);
    free(targets);
    if (body)
        rd_reply_json(req, 200, body);
    else
        rd_reply_store_error(req, -ENOMEM);
}
