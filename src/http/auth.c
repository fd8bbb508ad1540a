/* Bearer API keys (app/keys.c tells who is calling) and the role each route needs. */
#include "repeatd/auth.h"

#include "repeatd/keys.h"

#include <string.h>
#include <strings.h>

/* The longest key we accept; longer headers are refused without hashing. */
#define KEY_MAX 256

bool rd_auth_check(rd_request *req, int needed)
{
    const char *h =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7] || strlen(h + 7) > KEY_MAX) {
        rd_reply_error(req, RD_ERR_UNAUTHORIZED, NULL,
                       "an Authorization: Bearer <api key> header is required");
        return false;
    }
    rd_refusal ref;
    int r =
        rd_key_authenticate(req->httpd->service, &req->db, h + 7, &req->role, req->key_name, &ref);
    if (r < 0) {
        rd_reply_failure(req, r, &ref);
        return false;
    }
    if (!rd_role_allows(req->role, (rd_role)needed)) {
        rd_reply_error(req, RD_ERR_FORBIDDEN, NULL, "this needs the %s role; the key has %s",
                       rd_role_name((rd_role)needed), rd_role_name(req->role));
        return false;
    }
    return true;
}
