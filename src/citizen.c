/* Citizen identities: HMAC-SHA256 under REPEATD_SECRET, domain-separated by key kind. */
#include "repeatd/citizen.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int hmac_hex(const char *secret, const char *kind, const char *value,
                    char ret[2 * RD_HASH_LEN + 1])
{
    char buf[16 + 4 * 128 + 1]; /* "phone:" or "id:" and 128 characters of UTF-8 */
    uint8_t mac[RD_HASH_LEN];
    int n = snprintf(buf, sizeof(buf), "%s:%s", kind, value);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return -EINVAL;
    int r = rd_hmac_sha256(secret, buf, (size_t)n, mac);
    if (r < 0)
        return r;
    rd_hex(mac, sizeof(mac), ret);
    return 0;
}

int rd_phone_hash(const char *secret, const char *phone, char ret[2 * RD_HASH_LEN + 1])
{
    char digits[RD_PHONE_MAX];
    int r = rd_phone_normalise(phone, digits);
    return r < 0 ? r : hmac_hex(secret, "phone", digits, ret);
}

int rd_citizen_key_make(const char *secret, const char *phone, const char *citizen_id,
                        rd_citizen_key *ret)
{
    rd_citizen_key k = {0};
    int r = 0;
    if (!phone && !citizen_id)
        return -EINVAL; /* the codec asks for one of them */
    if (phone) {
        char digits[RD_PHONE_MAX];
        r = rd_phone_normalise(phone, digits);
        if (r < 0)
            return r;
        r = hmac_hex(secret, "phone", digits, k.phone_hex);
        if (r < 0)
            return r;
        rd_phone_mask(digits, k.phone_masked);
        k.has_phone = true;
    }
    if (citizen_id)
        r = hmac_hex(secret, "id", citizen_id, k.citizen_hex);
    else
        memcpy(k.citizen_hex, k.phone_hex, sizeof(k.citizen_hex));
    if (r < 0)
        return r;
    *ret = k;
    return 0;
}

/* SHA-256("<citizen hex>|<category>"), bytes `from` to from + 7, read big-endian. */
static int64_t problem_hash(const char *citizen_hex, const char *category, int from)
{
    char buf[2 * RD_HASH_LEN + 2 + 4 * 64 + 1]; /* a category: 64 characters of UTF-8 */
    uint8_t h[RD_HASH_LEN];
    int n = snprintf(buf, sizeof(buf), "%s|%s", citizen_hex, category);
    if (n < 0 || (size_t)n >= sizeof(buf))
        n = (int)sizeof(buf) - 1; /* a category is checked before; never read past the buffer */
    (void)rd_sha256(buf, (size_t)n, h);
    uint64_t k = 0;
    for (int i = from; i < from + 8; i++)
        k = k << 8 | h[i];
    return (int64_t)k;
}

int64_t rd_problem_key(const char *citizen_hex, const char *category)
{
    return problem_hash(citizen_hex, category, 0);
}

int64_t rd_problem_check(const char *citizen_hex, const char *category)
{
    return problem_hash(citizen_hex, category, 8);
}
