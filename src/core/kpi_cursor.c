/* The opaque cursor of paged KPI answers: base64url of "1:<period start>:<group>". */
#include "repeatd/kpi_cursor.h"

#include "repeatd/closeout.h" /* rd_utf8_valid */

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The first and last month index of the years a period label may name (1900..9999). */
#define MONTH_MIN (1900 * 12)
#define MONTH_MAX (9999 * 12 + 11)

/* Room for the plain text: "1:", ten digits, ":", a key and the NUL. */
#define PLAIN_MAX (2 + 10 + 1 + RD_ID_MAX)

static void b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        if (i + 1 < n)
            out[o++] = alphabet[v >> 6 & 63];
        if (i + 2 < n)
            out[o++] = alphabet[v & 63];
    }
    out[o] = '\0';
}

static int b64_value(char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* Decodes s (no padding) into out (room for cap bytes); the length, or -EINVAL. Unused bits
 * of the last letter must be zero, so that each text decodes from exactly one encoding. */
static int b64_decode(const char *s, unsigned char *out, size_t cap)
{
    size_t len = strlen(s);
    if (len % 4 == 1 || len / 4 * 3 + 2 >= cap)
        return -EINVAL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        size_t k = len - i < 4 ? len - i : 4;
        unsigned v = 0;
        for (size_t j = 0; j < 4; j++) {
            int d = j < k ? b64_value(s[i + j]) : 0;
            if (d < 0)
                return -EINVAL;
            v = v << 6 | (unsigned)d;
        }
        out[o++] = (unsigned char)(v >> 16);
        if (k > 2)
            out[o++] = (unsigned char)(v >> 8);
        if (k > 3)
            out[o++] = (unsigned char)v;
        if ((k == 2 && (v & 0xFFFF)) || (k == 3 && (v & 0xFF)))
            return -EINVAL;
    }
    return (int)o;
}

void rd_kpi_cursor_encode(const rd_kpi_cursor *c, char ret[RD_KPI_CURSOR_MAX])
{
    char plain[PLAIN_MAX];
    int n = snprintf(plain, sizeof(plain), "1:%d:%s", c->period_start, c->key);
    if (n < 0 || (size_t)n >= sizeof(plain))
        n = (int)sizeof(plain) - 1; /* a key is shorter than RD_ID_MAX: never */
    b64_encode((const unsigned char *)plain, (size_t)n, ret);
}

int rd_kpi_cursor_decode(const char *s, rd_kpi_cursor *ret)
{
    unsigned char plain[PLAIN_MAX];
    int n = s ? b64_decode(s, plain, sizeof(plain)) : -EINVAL;
    if (n < 4 || plain[0] != '1' || plain[1] != ':')
        return -EINVAL;
    size_t i = 2;
    long month = 0;
    /* Digits without a sign or a leading zero, as %d writes a month index. */
    if (plain[i] < '1' || plain[i] > '9')
        return -EINVAL;
    while (i < (size_t)n && plain[i] >= '0' && plain[i] <= '9' && month <= MONTH_MAX)
        month = month * 10 + (plain[i++] - '0');
    if (month < MONTH_MIN || month > MONTH_MAX || i >= (size_t)n || plain[i] != ':')
        return -EINVAL;
    i++;
    size_t key_len = (size_t)n - i;
    if (key_len >= sizeof(ret->key) || memchr(plain + i, '\0', key_len) ||
        !rd_utf8_valid((const char *)plain + i, key_len))
        return -EINVAL;
    ret->period_start = (int)month;
    memcpy(ret->key, plain + i, key_len);
    ret->key[key_len] = '\0';
    return 0;
}
