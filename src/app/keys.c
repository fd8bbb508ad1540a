/* API keys: who is calling (cached for a minute), and the readiness probe. */
#include "repeatd/keys.h"

#include "repeatd/crypto.h"
#include "repeatd/store.h"

#include <errno.h>
#include <string.h>
#include <time.h>

int rd_key_authenticate(rd_service *svc, rd_db **db, const char *key, rd_role *ret_role,
                        char *ret_name, rd_refusal *ref)
{
    uint8_t hash[RD_HASH_LEN];
    char hex[2 * RD_HASH_LEN + 1], role_name[16];
    if (rd_sha256(key, strlen(key), hash) < 0)
        return -EIO;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    if (rd_key_cache_get(&svc->keys, hash, now, ret_role, ret_name))
        return 0;
    if (!*db) {
        int r = rd_pool_acquire(svc->pool, db);
        if (r < 0) {
            *db = NULL;
            return r;
        }
    } else {
        int r = rd_pool_connect(svc->pool, *db); /* taken by the server, not connected yet */
        if (r < 0)
            return r;
    }
    rd_hex(hash, sizeof(hash), hex);
    int r = store_key_find(*db, hex, ret_name, RD_KEY_NAME_MAX, role_name, sizeof(role_name));
    if (r < 0)
        return r;
    if (r == 0 || rd_role_parse(role_name, ret_role) < 0)
        return rd_refuse(ref, RD_ERR_UNAUTHORIZED, NULL, "the API key is not valid");
    rd_key_cache_put(&svc->keys, hash, now, *ret_role, ret_name);
    return 0;
}

static int ping_tx(rd_db *db, const void *in, void *out)
{
    return store_ping(db);
}

int rd_service_ping(rd_service *svc, rd_db **db)
{
    rd_tx tx = {.body = ping_tx, .readonly = true};
    int r = rd_service_tx(svc, db, &tx);
    /* whatever failed, the database did not answer (in time) */
    return r == -EIO || r == -EDOM ? -ECONNRESET : r;
}
