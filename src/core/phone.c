/* Phone numbers as citizen keys: normalisation to digits and masking for display. */
#include "repeatd/phone.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define PHONE_DIGITS_MIN 5
#define PHONE_DIGITS_MAX 20
#define MOBILE_DIGITS    11

static bool is_separator(char c)
{
    return c == ' ' || c == '-' || c == '(' || c == ')' || c == '.';
}

/* Collect the digits of `in` into ret (NUL-terminated); -EINVAL on any other character or
 * on too many digits. */
static int collect_digits(const char *in, char ret[RD_PHONE_MAX], size_t *ret_len)
{
    size_t n = 0;

    for (size_t i = 0; in[i] != '\0'; i++) {
        char c = in[i];
        if (c >= '0' && c <= '9') {
            if (n >= PHONE_DIGITS_MAX)
                return -EINVAL;
            ret[n++] = c;
        } else if (c == '+') {
            /* One '+', and only before any digit: "+86 138...", not "138+00". */
            if (n > 0 || strchr(in + i + 1, '+'))
                return -EINVAL;
        } else if (!is_separator(c)) {
            return -EINVAL;
        }
    }
    ret[n] = '\0';
    *ret_len = n;
    return 0;
}

/* Length of the country prefix to drop: "86" or "0086" in front of an 11-digit mobile
 * number (which starts with 1). Landlines and foreign numbers keep every digit. */
static size_t china_mobile_prefix(const char *d, size_t len)
{
    if (len == 2 + MOBILE_DIGITS && strncmp(d, "86", 2) == 0 && d[2] == '1')
        return 2;
    if (len == 4 + MOBILE_DIGITS && strncmp(d, "0086", 4) == 0 && d[4] == '1')
        return 4;
    return 0;
}

int rd_phone_normalise(const char *in, char ret[RD_PHONE_MAX])
{
    char d[RD_PHONE_MAX];
    size_t len;

    if (!in || !ret)
        return -EINVAL;
    int r = collect_digits(in, d, &len);
    if (r < 0)
        return r;
    if (len < PHONE_DIGITS_MIN)
        return -EINVAL;

    size_t skip = china_mobile_prefix(d, len);
    memcpy(ret, d + skip, len - skip + 1);
    return 0;
}

void rd_phone_mask(const char *normalised, char ret[RD_PHONE_MAX])
{
    size_t len = normalised ? strnlen(normalised, RD_PHONE_MAX - 1) : 0;

    if (len >= 8) {
        /* 3 + "****" + 4 = 11 bytes: always fits. */
        memcpy(ret, normalised, 3);
        memcpy(ret + 3, "****", 4);
        memcpy(ret + 7, normalised + len - 4, 4);
        ret[11] = '\0';
        return;
    }
    for (size_t i = 0; i < len; i++)
        ret[i] = i + 2 < len ? '*' : normalised[i];
    ret[len] = '\0';
}
