/* GET / and /ui/{file}: the dashboard's page and files, compiled in, with their security headers.
 */
#include "repeatd/routes.h"
#include "repeatd/web.h"
#include "repeatd/web_assets.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const rd_web_asset *find_asset(const char *name)
{
    for (size_t i = 0; i < rd_web_asset_count; i++)
        if (!strcmp(rd_web_assets[i].name, name))
            return &rd_web_assets[i];
    return NULL;
}

static void reply_asset(rd_request *req, const char *name)
{
    const rd_web_asset *a = find_asset(name);
    if (!a) {
        if (rd_web_asset_count == 0)
            rd_reply_error(req, RD_ERR_NOT_FOUND, NULL,
                           "no dashboard in this build (it was configured with -Dui=false)");
        else
            rd_reply_error(req, RD_ERR_NOT_FOUND, NULL, "no resource at %s", req->path);
        return;
    }
    req->asset = a;
    req->status = 200;
}

/* The page itself at the root: it names its files by absolute /ui/ paths. */
void rd_handle_web_root(rd_request *req)
{
    reply_asset(req, "index.html");
}

void rd_handle_web_file(rd_request *req)
{
    reply_asset(req, req->path_params[0]);
}

/* GET /v1/whoami: the calling key's name and role, so that the dashboard shows a manager's
 * write controls and hides them from a dashboard key (the API refuses their writes anyway). */
void rd_handle_whoami(rd_request *req)
{
    rd_reply_json(req, 200,
                  json_pack("{s:s,s:s}", "name", req->key_name, "role", rd_role_name(req->role)));
}

/* Whether an If-None-Match header names this ETag (a list, or `*`). */
static bool etag_matches(const char *header, const char *etag)
{
    if (!header)
        return false;
    size_t n = strlen(etag);
    for (const char *p = header; *p;) {
        p += strspn(p, " \t,");
        if (!strncmp(p, "W/", 2))
            p += 2;
        size_t len = strcspn(p, " \t,");
        if ((len == 1 && *p == '*') || (len == n && !strncmp(p, etag, n)))
            return true;
        p += len;
    }
    return false;
}

/* Whether Accept-Encoding takes gzip: named, and not with q=0. */
static bool accepts_gzip(const char *header)
{
    for (const char *p = header ? header : ""; *p;) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ",");
        size_t name = strcspn(p, " \t;,");
        if (name == 4 && !strncasecmp(p, "gzip", 4)) {
            const char *q = strstr(p, "q=");
            return !(q && q < p + len && strtod(q + 2, NULL) == 0.0);
        }
        p += len;
    }
    return false;
}

enum MHD_Result rd_web_queue(rd_request *req)
{
    const rd_web_asset *a = req->asset;
    bool gz = a->gz_bytes && accepts_gzip(MHD_lookup_connection_value(
                                 req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
    const char *etag = gz ? a->gz_etag : a->etag;
    bool fresh = etag_matches(
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
        etag);
    if (fresh)
        req->status = 304;
    /* The bytes are static and never written: PERSISTENT neither copies nor frees them. */
    struct MHD_Response *resp =
        fresh ? MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT)
              : MHD_create_response_from_buffer(gz ? a->gz_size : a->size,
                                                (void *)(uintptr_t)(gz ? a->gz_bytes : a->bytes),
                                                MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    if (a->gz_bytes)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (gz && !fresh)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    /* Revalidate every time: a 304 costs a round trip, and an upgrade shows at once. */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(resp, "Content-Security-Policy", RD_WEB_CSP);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    enum MHD_Result ret = MHD_queue_response(req->conn, req->status, resp);
    MHD_destroy_response(resp);
    return ret;
}
