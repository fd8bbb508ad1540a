/* Bearer API keys: looked up by their SHA-256 (cached for a minute); roles crm, dashboard,
 * admin. */
#include "repeatd/auth.h"

#include "repeatd/crypto.h"
#include "repeatd/store.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
    const char *key = h + 7;
    uint8_t hash[RD_HASH_LEN];
    char hex[2 * RD_HASH_LEN + 1], role_name[16];
    if (rd_sha256(key, strlen(key), hash) < 0) {
        rd_reply_store_error(req, -EIO);
        return false;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    if (!rd_key_cache_get(&req->httpd->keys, hash, now, &req->role, req->key_name)) {
        rd_hex(hash, sizeof(hash), hex);
        rd_db *db = rd_request_db(req);
        if (!db)
            return false;
        int r = store_key_find(db, hex, req->key_name, sizeof(req->key_name), role_name,
                               sizeof(role_name));
        if (r < 0) {
            rd_reply_store_error(req, r);
            return false;
        }
        if (r == 0 || rd_role_parse(role_name, &req->role) < 0) {
            rd_reply_error(req, RD_ERR_UNAUTHORIZED, NULL, "the API key is not valid");
            return false;
        }
        rd_key_cache_put(&req->httpd->keys, hash, now, req->role, req->key_name);
    }
    if (req->role != RD_ROLE_ADMIN && (int)req->role != needed) {
        rd_reply_error(req, RD_ERR_FORBIDDEN, NULL, "this needs the %s role; the key has %s",
                       rd_role_name((rd_role)needed), rd_role_name(req->role));
        return false;
    }
    return true;
}
