/* UTF-8 validation and code-point counting, for limits stated in characters, not bytes. */
#include "repeatd/closeout.h"

size_t rd_utf8_chars(const char *s)
{
    size_t n = 0;

    if (!s)
        return 0;
    /* Every code point has exactly one byte that is not a continuation byte (10xxxxxx). */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

/* Length of the sequence that lead byte b starts and the smallest code point it may
 * encode (to reject overlongs); 0 for a byte that cannot start a sequence. */
static int seq_len(unsigned char b, unsigned *ret_min)
{
    if (b >= 0xC2 && b <= 0xDF) {
        *ret_min = 0x80;
        return 2;
    }
    if (b >= 0xE0 && b <= 0xEF) {
        *ret_min = 0x800;
        return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        *ret_min = 0x10000;
        return 4;
    }
    return 0; /* continuation, C0/C1 (always overlong) or F5..FF (beyond U+10FFFF) */
}

/* Decode the multi-byte sequence at s (k bytes available); its length, or 0 if invalid. */
static int decode_one(const unsigned char *s, size_t k)
{
    unsigned min;
    int len = seq_len(s[0], &min);

    if (len == 0 || (size_t)len > k)
        return 0;
    unsigned cp = s[0] & (0xFFu >> (len + 1));
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

bool rd_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    if (!s)
        return false;
    while (i < len) {
        if (p[i] == 0)
            return false; /* an embedded NUL would silently cut the string in C */
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int n = decode_one(p + i, len - i);
        if (n == 0)
            return false;
        i += (size_t)n;
    }
    return true;
}
