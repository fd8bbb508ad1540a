/* codec/json_canon.c: the text of rd_json_dumps is json_dumps's, byte for byte, sorted and not,
 * on bodies written out (unicode, escapes, numbers, nesting) and on random trees; the request
 * hash is the SHA-256 of json_dumps's sorted text, as intake and events took it before. */
#include "repeatd/json_canon.h"
#include "repeatd/json_spec.h"

#include "rd_test.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* v through both writers, sorted and in order, and the hash with and without a prefix. */
static void same_as_jansson(const json_t *v, const char *what)
{
    for (int sorted = 0; sorted < 2; sorted++) {
        size_t flags = JSON_COMPACT | (sorted ? JSON_SORT_KEYS : 0);
        char *want = json_dumps(v, flags), *got = rd_json_dumps(v, sorted);
        if (!want) {
            ck_assert_msg(!got, "%s: jansson fails, rd_json_dumps gave %s", what, got);
            continue;
        }
        ck_assert_msg(got, "%s: rd_json_dumps failed, jansson gave %s", what, want);
        ck_assert_msg(!strcmp(want, got), "%s (sorted %d):\n jansson %s\n ours    %s", what, sorted,
                      want, got);
        if (sorted) {
            for (int p = 0; p < 2; p++) {
                const char *prefix = p ? "TICKET-1\n" : NULL;
                size_t n = strlen(want) + (prefix ? strlen(prefix) : 0);
                char *text = malloc(n + 1);
                ck_assert_ptr_nonnull(text);
                snprintf(text, n + 1, "%s%s", prefix ? prefix : "", want);
                uint8_t h[RD_HASH_LEN];
                char hex_want[2 * RD_HASH_LEN + 1], hex_got[2 * RD_HASH_LEN + 1];
                ck_assert_int_eq(rd_sha256(text, n, h), 0);
                rd_hex(h, sizeof(h), hex_want);
                ck_assert_int_eq(rd_json_sha256(prefix, v, hex_got), 0);
                ck_assert_str_eq(hex_got, hex_want);
                free(text);
            }
        }
        free(want);
        free(got);
    }
}

/* clang-format off */
static const char *const bodies[] = {
    "{}",
    "[]",
    "[[],{},[{}]]",
    "{\"b\":1,\"a\":2}",
    "{\"ticket_id\":\"DEMO-00000007\",\"received_at\":\"2026-02-28T11:39:20+08:00\",\"channel\":"
    "\"web\",\"citizen\":{\"phone\":\"13907702592\"},\"category\":\"HB.DQ.YY\",\"description\":"
    "\"市民反映越秀区中山五路一带餐饮油烟问题，希望有关部门尽快处理。\",\"location\":{\"address\":"
    "\"越秀区中山五路387号\",\"lat\":23.127070992453493,\"lon\":113.25531095955267}}",
    "{\"type\":\"closeout\",\"at\":\"2025-03-26T15:18:40+08:00\",\"handler\":\"SJ-WJ-T2-01\","
    "\"resolved\":true,\"satisfied\":false,\"note\":null,\"contact_time\":\"2025-03-19T15:26:29Z\"}",
    /* keys: a prefix sorts first; bytes compare unsigned; upper case before lower */
    "{\"ab\":1,\"a\":2,\"abc\":3,\"B\":4,\"b\":5,\"é\":6,\"z\":7,\"\":8,\"a b\":9}",
    /* escapes */
    "{\"s\":\"quote \\\" backslash \\\\ slash / tab \\t nl \\n cr \\r bs \\b ff \\f\"}",
    "{\"c\":\"\\u0001\\u001f\\u007f\\u0080 \\u00e9\"}",
    "{\"u\":\"\\u2028\\u2029 \\ud83d\\ude00 😀 ☃ 中文\"}",
    "{\"k\\n\\\"ey\":\"v\",\"k\\u0001\":\"w\"}",
    /* numbers */
    "[0,-0,1,-1,9223372036854775807,-9223372036854775808,123456789012]",
    "[0.0,-0.0,1.0,-1.5,0.1,0.30000000000000004,1e300,-1e-300,1.7976931348623157e308,"
    "5e-324,123456789.123456789,1e16,1e17,1e-4,1e-5,2.5e-7,100.0,23.127070992453493]",
    /* nesting */
    "{\"a\":{\"b\":{\"c\":{\"d\":[1,{\"z\":[],\"y\":{}},\"x\"]}}},\"A\":[true,false,null]}",
    "{\"k01\":1,\"k33\":2,\"k02\":3,\"k32\":4,\"k03\":5,\"k31\":6,\"k04\":7,\"k30\":8,\"k05\":9,"
    "\"k29\":1,\"k06\":2,\"k28\":3,\"k07\":4,\"k27\":5,\"k08\":6,\"k26\":7,\"k09\":8,\"k25\":9,"
    "\"k10\":1,\"k24\":2,\"k11\":3,\"k23\":4,\"k12\":5,\"k22\":6,\"k13\":7,\"k21\":8,\"k14\":9,"
    "\"k20\":1,\"k15\":2,\"k19\":3,\"k16\":4,\"k18\":5,\"k17\":6,\"k00\":7,\"k34\":8}",
};
/* clang-format on */

START_TEST(test_bodies)
{
    json_error_t e;
    json_t *v = json_loads(bodies[_i], JSON_DECODE_ANY, &e);
    ck_assert_msg(v, "case %d does not parse: %s", _i, e.text);
    same_as_jansson(v, bodies[_i]);
    json_decref(v);
}
END_TEST

/* What json_loads never makes but json_t may hold: NUL inside strings and keys, strings that
 * are not UTF-8 (json_dumps fails: so does ours), a scalar at the top (not written). */
START_TEST(test_built_values)
{
    json_t *o = json_object();
    json_object_set_new(o, "nul", json_stringn("a\0b", 3));
    json_object_setn_new(o, "k\0z", 3, json_integer(1));
    json_object_setn_new(o, "k", 1, json_integer(2));
    json_object_set_new(o, "big", json_integer(LLONG_MIN));
    same_as_jansson(o, "NUL in strings and keys");
    json_decref(o);

    static const char *const bad[] = {"\xff",     "a\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                      "\xe4\xb8", "\x80",      "\xf0\x9f\x98"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *b = json_pack("{s:[s,i]}", "a", "ok", 1);
        json_array_append_new(json_object_get(b, "a"),
                              json_stringn_nocheck(bad[i], strlen(bad[i])));
        same_as_jansson(b, "not UTF-8");
        ck_assert_ptr_null(rd_json_dumps(b, true));
        char hex[2 * RD_HASH_LEN + 1];
        ck_assert_int_eq(rd_json_sha256(NULL, b, hex), -EINVAL);
        json_decref(b);
    }
    json_t *s = json_string("x");
    ck_assert_ptr_null(rd_json_dumps(s, true));
    json_decref(s);

    /* a text past the writer's first buffers */
    json_t *big = json_array();
    for (int i = 0; i < 3000; i++)
        json_array_append_new(big, json_pack("{s:i, s:s}", "n", i, "t", "长文本 \"x\"\n"));
    same_as_jansson(big, "a long array");
    json_decref(big);
}
END_TEST

/* ---- random trees ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* Pieces strings are made of: ASCII, the escaped bytes, multi-byte UTF-8. */
static const char *const pieces[] = {
    "a",  "Z",  "0",    " ",    "/",    "\"", "\\", "\n", "\t",           "\b",
    "\f", "\r", "\x01", "\x1f", "\x7f", "é",  "中", "😀",  "\xe2\x80\xa8", "ab",
    "a",  "k",  "-",    ".",    "{",    "[",  ":",  ","};

static void random_text(char *buf, size_t size)
{
    size_t n = rnd(8), len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
        size_t k = strlen(p);
        if (len + k + 1 > size)
            break;
        memcpy(buf + len, p, k + 1);
        len += k;
    }
}

static json_t *random_value(int depth)
{
    char t[64];
    switch (rnd(depth > 4 ? 6 : 8)) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(rnd(2));
    case 2: {
        json_int_t v = (json_int_t)((uint64_t)rnd(UINT32_MAX) << 32 | rnd(UINT32_MAX));
        return json_integer(rnd(3) ? v % 100000 : v);
    }
    case 3: {
        double v = (double)(int32_t)rnd(UINT32_MAX) / (double)(1 + rnd(1000000));
        int e = (int)rnd(40) - 20;
        for (; e > 0; e--)
            v *= 10;
        for (; e < 0; e++)
            v /= 10;
        return json_real(v);
    }
    case 4:
    case 5:
        random_text(t, sizeof(t));
        return json_string(t);
    case 6: {
        json_t *a = json_array();
        for (uint32_t i = rnd(5); i > 0; i--)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (uint32_t i = rnd(depth == 0 ? 40 : 8); i > 0; i--) {
            random_text(t, sizeof(t));
            json_object_set_new(o, t, random_value(depth + 1));
        }
        return o;
    }
    }
}

START_TEST(test_random_trees)
{
    for (int i = 0; i < 20000; i++) {
        json_t *v = json_object();
        for (uint32_t k = rnd(12); k > 0; k--) {
            char key[64];
            random_text(key, sizeof(key));
            json_object_set_new(v, key, random_value(1));
        }
        char what[32];
        snprintf(what, sizeof(what), "random tree %d", i);
        same_as_jansson(v, what);
        json_decref(v);
    }
}
END_TEST

/* The time as the database is given it (json_spec.c, written without snprintf): the digits as
 * sent, a leap second as hh:mm:59.999999, Z or the offset; checked against printf's. */
START_TEST(test_time_text)
{
    static const char *const fixed[][2] = {
        {"2025-03-19T07:12:47+08:00", "2025-03-19T07:12:47+08:00"},
        {"2025-03-19t07:12:47z", "2025-03-19T07:12:47Z"},
        {"2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999999Z"},
        {"1900-01-01T00:00:00.5-15:59", "1900-01-01T00:00:00.5-15:59"},
        {"9999-12-31T23:59:59.123456+00:00", "9999-12-31T23:59:59.123456+00:00"},
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        int64_t t;
        char canon[RD_TIME_TEXT_MAX];
        ck_assert_int_eq(rd_time_parse_text(fixed[i][0], &t, canon, NULL), 0);
        ck_assert_str_eq(canon, fixed[i][1]);
    }
    for (int i = 0; i < 20000; i++) {
        int y = 1900 + (int)rnd(8100), mo = 1 + (int)rnd(12), d = 1 + (int)rnd(28);
        int h = (int)rnd(24), mi = (int)rnd(60), sec = (int)rnd(60), oh = (int)rnd(16);
        int om = (int)rnd(60), n_frac = (int)rnd(7), sign = (int)rnd(3);
        char frac[8] = "", text[64], want[64];
        for (int k = 0; k < n_frac; k++)
            frac[k] = (char)('0' + rnd(10));
        frac[n_frac] = '\0';
        char off[8] = "Z";
        if (sign)
            snprintf(off, sizeof(off), "%c%02d:%02d", sign == 1 ? '+' : '-', oh, om);
        snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d%s%s%s", y, mo, d, h, mi, sec,
                 n_frac ? "." : "", frac, off);
        snprintf(want, sizeof(want), "%s", text);
        int64_t t;
        char canon[RD_TIME_TEXT_MAX];
        ck_assert_int_eq(rd_time_parse_text(text, &t, canon, NULL), 0);
        ck_assert_str_eq(canon, want);
    }
}
END_TEST

static Suite *canon_suite(void)
{
    Suite *s = suite_create("json_canon");
    TCase *tc = tcase_create("json_canon");
    tcase_add_loop_test(tc, test_bodies, 0, (int)(sizeof(bodies) / sizeof(bodies[0])));
    tcase_add_test(tc, test_built_values);
    tcase_add_test(tc, test_random_trees);
    tcase_add_test(tc, test_time_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(canon_suite(), true);
}
