/* The long KPI lists written straight as JSON text (codec/kpi_json.c, codec/json_out.c): the
 * bytes are those the server's json_dumps writes of the same values, for every kind of text,
 * rate and count, and each answer has its cursor. */
#include "repeatd/json_out.h"
#include "repeatd/kpi_json.h"

#include "rd_test.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The flags the server dumps replies with (http/server.c). */
#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* The text must be what json_dumps writes of its own parse: same escapes, same numbers, no
 * space. */
static void assert_canonical(const char *text, size_t n)
{
    json_error_t err;
    json_t *j = json_loadb(text, n, 0, &err);
    ck_assert_msg(j != NULL, "not JSON (%s at %d): %.200s", err.text, err.position, text);
    char *again = json_dumps(j, DUMP_FLAGS);
    ck_assert_msg(strlen(again) == n && !memcmp(again, text, n), "written:\n%s\njansson:\n%s", text,
                  again);
    free(again);
    json_decref(j);
}

/* Texts with every escape jansson makes, and what it leaves alone. */
static const char *const texts[] = {
    "",
    "H17",
    "区,\"五\"队",
    "back\\slash/and slash",
    "\b\f\n\r\t",
    "\x01\x02\x1f\x7f",
    "建筑施工噪声",
    "😀 outside the BMP",
    "=HYPERLINK(\"x\")",
};

START_TEST(strings_as_jansson)
{
    for (size_t i = 0; i < N_OF(texts); i++) {
        rd_text t = {0};
        rd_jtext_string(&t, texts[i]);
        ck_assert_int_eq(t.err, 0);
        json_t *s = json_string(texts[i]);
        char *want = json_dumps(s, DUMP_FLAGS | JSON_ENCODE_ANY);
        ck_assert_str_eq(t.p, want);
        free(want);
        json_decref(s);
        rd_text_free(&t);
    }
    rd_text t = {0};
    rd_jtext_string_or_null(&t, NULL);
    ck_assert_str_eq(t.p, "null");
    rd_text_free(&t);
}
END_TEST

START_TEST(numbers_as_jansson)
{
    static const double reals[] = {0.0,     1.0,       0.5,    1.0 / 3.0,        2.0 / 3.0, 1e-5,
                                   1.5e-7,  0.0454,    -0.25,  123456.0,         1e20,      1e21,
                                   -1e-300, 0.1 + 0.2, 1e-100, 0.999999999999999};
    for (size_t i = 0; i < N_OF(reals); i++) {
        rd_text t = {0};
        rd_jtext_real(&t, reals[i]);
        json_t *r = json_real(reals[i]);
        char *want = json_dumps(r, DUMP_FLAGS | JSON_ENCODE_ANY);
        ck_assert_str_eq(t.p, want);
        free(want);
        json_decref(r);
        rd_text_free(&t);
    }
    static const long long ints[] = {0, 1, -1, 9223372036854775807LL, -9223372036854775807LL - 1};
    for (size_t i = 0; i < N_OF(ints); i++) {
        rd_text t = {0};
        rd_jtext_int(&t, ints[i]);
        json_t *v = json_integer(ints[i]);
        char *want = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);
        ck_assert_str_eq(t.p, want);
        free(want);
        json_decref(v);
        rd_text_free(&t);
    }
}
END_TEST

/* An answer of three rows in two periods, odd names, zero and non-zero denominators. */
static void answer(rd_kpi_answer *a, rd_kpi_row rows[3], rd_kpi_defect_count defects[2], bool paged)
{
    memset(a, 0, sizeof(*a));
    memset(rows, 0, 3 * sizeof(*rows));
    static rd_kpi_item items[3];
    static int versions[] = {1, 2, 3};
    a->period = RD_PERIOD_QUARTER;
    a->has_by = true;
    a->by = RD_DIM_HANDLER;
    a->from = 2025 * 12;
    a->to = 2025 * 12 + 3;
    a->versions = versions;
    a->n_versions = 3;
    static const char *const keys[] = {"H1", "区,\"五\"队-T1-H2", "tab\there"};
    static const char *const names[] = {"张三", NULL, "back\\slash"};
    for (int i = 0; i < 3; i++) {
        rows[i].period_start = i < 2 ? a->from : a->to;
        strcpy(rows[i].key, keys[i]);
        for (int m = 0; m < RD_KPI_METRIC_COUNT_; m++)
            rows[i].v[m] = i == 1 ? 0 : 3 * m + i + 1;
        rows[i].n_versions = i + 1;
        for (int v = 0; v <= i; v++)
            rows[i].versions[v] = v + 1;
        items[i] =
            (rd_kpi_item){.period_start = rows[i].period_start, .row = &rows[i], .name = names[i]};
    }
    strcpy(defects[0].code, "boilerplate");
    defects[0].count = 4;
    strcpy(defects[1].code, "missing_\"cause\"");
    defects[1].count = 1;
    items[0].defects = defects;
    items[0].n_defects = 2;
    a->items = items;
    a->n_items = 3;
    if (paged) {
        a->has_next = true;
        a->next.period_start = rows[2].period_start;
        strcpy(a->next.key, rows[2].key);
    }
}

START_TEST(lists_as_jansson)
{
    static const rd_kpi_text_fn fns[] = {rd_kpi_repeats_text, rd_kpi_contact_failures_text,
                                         rd_kpi_closeout_quality_text};
    static const char *const rate_keys[] = {"repeat_rate", "first_contact_failure_rate",
                                            "pass_rate"};
    for (int paged = 0; paged < 2; paged++)
        for (size_t f = 0; f < N_OF(fns); f++) {
            rd_kpi_answer a;
            rd_kpi_row rows[3];
            rd_kpi_defect_count defects[2];
            answer(&a, rows, defects, paged);
            rd_text t = {0};
            ck_assert_int_eq(fns[f](&a, &t), 0);
            assert_canonical(t.p, t.n);
            json_t *j = json_loadb(t.p, t.n, 0, NULL);
            ck_assert_str_eq(json_string_value(json_object_get(j, "period")), "quarter");
            ck_assert_str_eq(json_string_value(json_object_get(j, "from")), "2025-Q1");
            ck_assert_str_eq(json_string_value(json_object_get(j, "to")), "2025-Q2");
            json_t *list = json_object_get(j, "rows");
            ck_assert_uint_eq(json_array_size(list), 3);
            json_t *row1 = json_array_get(list, 1);
            ck_assert_str_eq(json_string_value(json_object_get(row1, "group")),
                             "区,\"五\"队-T1-H2");
            ck_assert(json_is_null(json_object_get(row1, "name")));
            ck_assert(json_is_null(json_object_get(row1, rate_keys[f]))); /* no denominator */
            ck_assert(json_is_real(json_object_get(json_array_get(list, 0), rate_keys[f])));
            json_t *next = json_object_get(j, "next_cursor");
            if (paged) {
                rd_kpi_cursor c;
                ck_assert_int_eq(rd_kpi_cursor_decode(json_string_value(next), &c), 0);
                ck_assert_int_eq(c.period_start, 2025 * 12 + 3);
                ck_assert_str_eq(c.key, "tab\there");
            } else {
                ck_assert(json_is_null(next));
            }
            /* The jansson value of the report's sections is the same answer. */
            static json_t *(*const jsons[])(const rd_kpi_answer *) = {
                rd_kpi_repeats_json, rd_kpi_contact_failures_json, rd_kpi_closeout_quality_json};
            json_t *v = jsons[f](&a);
            char *dumped = json_dumps(v, DUMP_FLAGS);
            ck_assert_str_eq(dumped, t.p);
            free(dumped);
            json_decref(v);
            json_decref(j);
            rd_text_free(&t);
        }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kpi_json");
    TCase *tc = tcase_create("kpi_json");
    tcase_add_test(tc, strings_as_jansson);
    tcase_add_test(tc, numbers_as_jansson);
    tcase_add_test(tc, lists_as_jansson);
    suite_add_tcase(s, tc);
    return rd_test_run(s, true);
}
