/* The CSV writer of codec/csv.c: byte-order mark, CRLF, RFC 4180 quoting, the formula guard, and
 * numbers written exactly as the JSON answers write them. */
#include "repeatd/csv.h"

#include "rd_test.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BOM "\xEF\xBB\xBF"

/* The finished text (freed by the caller). */
static char *finish(rd_csv *c)
{
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(rd_csv_finish(c, &text, &len), 0);
    ck_assert_uint_eq(len, strlen(text));
    return text;
}

/* One text cell as written, after the byte-order mark and before the CRLF. */
static char *text_cell(const char *s)
{
    rd_csv c = {0};
    rd_csv_text(&c, s);
    rd_csv_end_row(&c);
    char *t = finish(&c);
    ck_assert_msg(!strncmp(t, BOM, 3), "no byte-order mark");
    size_t n = strlen(t);
    ck_assert_msg(n >= 5 && !strcmp(t + n - 2, "\r\n"), "no CRLF");
    char *cell = strndup(t + 3, n - 5);
    free(t);
    return cell;
}

/* clang-format off */
static const struct {
    const char *in, *out;
} text_cases[] = {
    {"plain",                 "plain"},
    {"城管一中队",            "城管一中队"},
    {"",                      ""},
    {"a,b",                   "\"a,b\""},
    {"say \"hi\"",            "\"say \"\"hi\"\"\""},
    {"two\r\nlines",          "\"two\r\nlines\""},
    {"lf\nonly",              "\"lf\nonly\""},
    {"=1+1",                  "'=1+1"},
    {"+1",                    "'+1"},
    {"-1",                    "'-1"},
    {"@SUM(A1)",              "'@SUM(A1)"},
    {"\tTAB",                 "'\tTAB"},
    {"\rCR",                  "\"'\rCR\""},
    {"=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""},
    {"a=1",                   "a=1"},
    {" =1",                   " =1"},
    {"'quoted",               "'quoted"},
};
/* clang-format on */

START_TEST(test_text_cell)
{
    char *got = text_cell(text_cases[_i].in);
    ck_assert_msg(!strcmp(got, text_cases[_i].out), "\"%s\": \"%s\", expected \"%s\"",
                  text_cases[_i].in, got, text_cases[_i].out);
    free(got);
}
END_TEST

START_TEST(test_rows_and_numbers)
{
    rd_csv c = {0};
    static const char *const head[] = {"a", "b", "c", "d", "e", "f"};
    rd_csv_header(&c, head, 6);
    rd_csv_int(&c, -2); /* a number is never guarded */
    rd_csv_real(&c, 0.5);
    rd_csv_real(&c, 1.0);
    rd_csv_bool(&c, true);
    rd_csv_empty(&c);
    long v[] = {1, 2, 3};
    rd_csv_ints(&c, v, 3);
    rd_csv_end_row(&c);
    rd_csv_empty(&c);
    rd_csv_empty(&c);
    rd_csv_end_row(&c);
    char *t = finish(&c);
    ck_assert_str_eq(t, BOM "a,b,c,d,e,f\r\n-2,0.5,1.0,true,,1 2 3\r\n,\r\n");
    free(t);

    /* Nothing written: the mark alone. */
    rd_csv e = {0};
    t = finish(&e);
    ck_assert_str_eq(t, BOM);
    free(t);
    rd_csv_free(NULL);
}
END_TEST

/* A real's cell is jansson's own text of it at the precision of the JSON answers, so that a
 * spreadsheet and a JSON client read the same number. */
START_TEST(test_reals_as_json)
{
    static const double fixed[] = {0.0,  1.0,    -1.0,   0.411764705882353, 2.0 / 3.0,
                                   1e-5, 1.7e-4, 1e-300, 123456789012345.0, 1e20,
                                   1e16, -0.25,  3.5e-7, 0.1 + 0.2,         1.0 / 3.0};
    unsigned seed = 12345;
    for (int i = 0; i < 2000; i++) {
        double x;
        if (i < (int)(sizeof(fixed) / sizeof(fixed[0]))) {
            x = fixed[i];
        } else {
            seed = seed * 1103515245u + 12345u;
            double m = (double)(seed % 1000003u) / 1000003.0;
            x = ldexp(m, (int)(seed >> 16) % 80 - 60) * ((seed & 1) ? -1 : 1);
        }
        rd_csv c = {0};
        rd_csv_real(&c, x);
        char *t = finish(&c);
        json_t *j = json_real(x);
        char *want = json_dumps(j, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
        ck_assert_msg(!strcmp(t + 3, want), "%.17g: \"%s\", jansson \"%s\"", x, t + 3, want);
        free(want);
        json_decref(j);
        free(t);
    }
}
END_TEST

START_TEST(test_json_rows)
{
    json_error_t e;
    json_t *rows = json_loads("[{\"unit\": \"=U1\", \"n\": 3, \"rate\": 0.25, \"ok\": false,"
                              "  \"v\": [1, 2], \"x\": null, \"o\": {\"k\": \"a,b\"}},"
                              " {\"unit\": \"U2\"}]",
                              0, &e);
    ck_assert_ptr_nonnull(rows);
    static const char *const cols[] = {"unit", "n", "rate", "ok", "v", "x", "o", "absent"};
    rd_csv c = {0};
    rd_csv_json_rows(&c, cols, 8, rows);
    char *t = finish(&c);
    ck_assert_str_eq(t, BOM "unit,n,rate,ok,v,x,o,absent\r\n"
                            "'=U1,3,0.25,false,1 2,,\"{\"\"k\"\":\"\"a,b\"\"}\",\r\n"
                            "U2,,,,,,,\r\n");
    free(t);
    json_decref(rows);
}
END_TEST

START_TEST(test_grows)
{
    rd_csv c = {0};
    for (int i = 0; i < 100000; i++) {
        rd_csv_int(&c, i);
        rd_csv_text(&c, "名称,带逗号");
        rd_csv_end_row(&c);
    }
    char *t = finish(&c);
    ck_assert_ptr_nonnull(strstr(t, "\r\n99999,\"名称,带逗号\"\r\n"));
    free(t);
}
END_TEST

static Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");
    tcase_add_loop_test(tc, test_text_cell, 0, (int)(sizeof(text_cases) / sizeof(text_cases[0])));
    tcase_add_test(tc, test_rows_and_numbers);
    tcase_add_test(tc, test_reals_as_json);
    tcase_add_test(tc, test_json_rows);
    tcase_add_test(tc, test_grows);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(csv_suite(), true);
}
