/* The cursor of paged KPI answers: round trips over odd groups, and every text the encoder
 * does not write refused. */
#include "repeatd/kpi_cursor.h"

#include "rd_test.h"

#include <check.h>
#include <errno.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void round_trip(int period_start, const char *key)
{
    rd_kpi_cursor c = {.period_start = period_start}, back;
    strcpy(c.key, key);
    char text[RD_KPI_CURSOR_MAX];
    rd_kpi_cursor_encode(&c, text);
    ck_assert_msg(
        strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
            strlen(text),
        "%s is not base64url without padding", text);
    ck_assert_int_eq(rd_kpi_cursor_decode(text, &back), 0);
    ck_assert_int_eq(back.period_start, period_start);
    ck_assert_str_eq(back.key, key);
}

START_TEST(cursor_round_trips)
{
    round_trip(2026 * 12 + 9, "H17");
    round_trip(1900 * 12, "");                 /* the whole line's group */
    round_trip(9999 * 12 + 11, "HB.ZS.JZ");    /* the last month of the last year */
    round_trip(2026 * 12, "建筑施工噪声/U01"); /* UTF-8, a unit x leaf key */
    round_trip(2026 * 12, "a:b:c");            /* the separator inside the group */
    round_trip(2026 * 12, "\"quote\\ and, comma");
    /* Every length modulo 3, so that each tail of the base64 is exercised. */
    for (int n = 0; n < 9; n++) {
        char key[16] = "";
        memset(key, 'k', (size_t)n);
        round_trip(24300 + n, key);
    }
    /* The longest group the aggregates hold. */
    char longest[RD_ID_MAX];
    memset(longest, 'x', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    round_trip(24300, longest);
}
END_TEST

/* base64url of n bytes, for the refusals below (a ring of four buffers). */
static const char *enc_n(const char *plain, size_t n)
{
    static char out[4][512];
    static int next;
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *o = out[next++ % 4];
    size_t k = 0;
    const unsigned char *in = (const unsigned char *)plain;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        o[k++] = a[v >> 18 & 63];
        o[k++] = a[v >> 12 & 63];
        if (i + 1 < n)
            o[k++] = a[v >> 6 & 63];
        if (i + 2 < n)
            o[k++] = a[v & 63];
    }
    o[k] = '\0';
    return o;
}

static const char *enc(const char *plain)
{
    return enc_n(plain, strlen(plain));
}

START_TEST(cursor_refusals)
{
    rd_kpi_cursor c;
    /* The helper agrees with the encoder. */
    ck_assert_int_eq(rd_kpi_cursor_decode(enc("1:24309:H17"), &c), 0);
    ck_assert_int_eq(c.period_start, 24309);
    ck_assert_str_eq(c.key, "H17");

    char too_long[RD_ID_MAX + 32] = "1:24309:";
    memset(too_long + strlen(too_long), 'x', RD_ID_MAX);
    too_long[sizeof(too_long) - 1] = '\0';
    const char *bad[] = {
        "",
        "x",                             /* a length no encoding has */
        "MToyNDMwOTpIMTc=",              /* padding */
        "MToyNDMwOTpIMTc+",              /* the standard alphabet's + */
        "MToyNDMwO TpIMTc",              /* a space */
        "MToyNDMwOTpIMTd",               /* the same bytes with a stray low bit */
        enc("2:24309:H17"),              /* another version */
        enc("1:24309"),                  /* no group separator */
        enc("1::H17"),                   /* no month */
        enc("1:-24309:H17"),             /* a sign */
        enc("1:+24309:H17"),             /* a sign */
        enc("1:024309:H17"),             /* a leading zero */
        enc("1:22799:H17"),              /* December 1899 */
        enc("1:120000:H17"),             /* January 10000 */
        enc("1:99999999999999999999:H"), /* overflows */
        enc("1:24309:\xff\xfe"),         /* not UTF-8 */
        enc("1:24309:\xc0\x80"),         /* an overlong NUL */
        enc(too_long),                   /* a group longer than any */
        enc("1"),
    };
    for (size_t i = 0; i < N_OF(bad); i++)
        ck_assert_msg(rd_kpi_cursor_decode(bad[i], &c) == -EINVAL, "accepted bad cursor %zu: %s", i,
                      bad[i]);
    ck_assert_int_eq(rd_kpi_cursor_decode(NULL, &c), -EINVAL);
    /* A NUL inside the group: the decoded bytes hold one, which no key does. */
    static const char with_nul[] = "1:24309:a\0b";
    ck_assert_int_eq(rd_kpi_cursor_decode(enc_n(with_nul, sizeof(with_nul) - 1), &c), -EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kpi_cursor");
    TCase *tc = tcase_create("kpi_cursor");
    tcase_add_test(tc, cursor_round_trips);
    tcase_add_test(tc, cursor_refusals);
    suite_add_tcase(s, tc);
    return rd_test_run(s, true);
}
