/* Administration: the category tree and the settings, with their audit trail (app/admin.c). */
#include "repeatd/routes.h"

#include "repeatd/admin.h"
#include "repeatd/codec.h"

#include <stdlib.h>

void rd_handle_categories_put(rd_request *req)
{
    rd_refusal ref;
    size_t upserted, total;
    int r = rd_categories_put(req->httpd->service, &req->db, req->json, &upserted, &total, &ref);
    if (r < 0) {
        rd_reply_failure(req, r, &ref);
        return;
    }
    rd_reply_json(
        req, 200,
        json_pack("{s:i, s:i}", "upserted", (json_int_t)upserted, "total", (json_int_t)total));
}

void rd_handle_categories_get(rd_request *req)
{
    rd_category *list;
    size_t n;
    int r = rd_categories_get(req->httpd->service, &req->db, &list, &n);
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    rd_reply_json(req, 200, json_pack("{s:o}", "categories", rd_categories_json(list, n)));
    free(list);
}

static json_t *settings_reply(const rd_settings *s)
{
    json_t *o = rd_settings_to_json(s);
    if (o)
        json_object_set_new(o, "definition_version", json_integer(s->definition_version));
    return o;
}

void rd_handle_settings_get(rd_request *req)
{
    rd_settings s;
    int r = rd_settings_get(req->httpd->service, &req->db, &s);
    if (r < 0)
        rd_reply_store_error(req, r);
    else
        rd_reply_json(req, 200, settings_reply(&s));
}

void rd_handle_settings_patch(rd_request *req)
{
    rd_refusal ref;
    rd_settings after;
    int r =
        rd_settings_patch(req->httpd->service, &req->db, req->json, req->key_name, &after, &ref);
    if (r < 0)
        rd_reply_failure(req, r, &ref);
    else
        rd_reply_json(req, 200, settings_reply(&after));
}

/* The last 200 changes. */
void rd_handle_settings_audit(rd_request *req)
{
    rd_settings_change *list;
    size_t n;
    int r = rd_settings_audit(req->httpd->service, &req->db, 200, &list, &n);
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    rd_reply_json(req, 200, json_pack("{s:o}", "changes", rd_settings_changes_json(list, n)));
    rd_settings_changes_free(list, n);
}
