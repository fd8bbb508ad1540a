/* Hashes and random tokens with GnuTLS, which libmicrohttpd already links. */
#include "repeatd/crypto.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

int rd_hmac_sha256(const char *key, const void *data, size_t len, uint8_t ret[RD_HASH_LEN])
{
    if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, strlen(key), data, len, ret) < 0)
        return -EIO;
    return 0;
}

int rd_sha256(const void *data, size_t len, uint8_t ret[RD_HASH_LEN])
{
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, ret) < 0)
        return -EIO;
    return 0;
}

int rd_random_token(char ret[RD_TOKEN_LEN])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint8_t raw[43];
    if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof(raw)) < 0)
        return -EIO;
    memcpy(ret, "rk_", 3);
    for (size_t i = 0; i < sizeof(raw); i++)
        ret[3 + i] = alphabet[raw[i] & 63];
    ret[RD_TOKEN_LEN - 1] = '\0';
    return 0;
}

void rd_hex(const uint8_t *data, size_t n, char *ret)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        ret[2 * i] = digits[data[i] >> 4];
        ret[2 * i + 1] = digits[data[i] & 15];
    }
    ret[2 * n] = '\0';
}

void rd_request_id(char ret[17])
{
    uint8_t raw[8] = {0};
    (void)gnutls_rnd(GNUTLS_RND_NONCE, raw, sizeof(raw));
    rd_hex(raw, sizeof(raw), ret);
}
