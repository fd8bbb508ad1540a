/* Reading an import file (app/import_read.c): the lines the quick scan takes give the records
 * that json_loads gave them (kind, ticket id, time, citizen), and every line json_loads would
 * refuse is refused with the same error; the tree built from the scan is json_loads's tree;
 * checked on written-out lines and on random damage done to good ones. And the order the
 * records are applied in, case by case (imp_order). */
#include "../../src/app/import_records.h"

#include "rd_test.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct rejects {
    imp_reject r[4096];
    size_t n;
} rejects;

static int keep_reject(void *cls, const imp_reject *rej)
{
    rejects *x = cls;
    if (x->n < sizeof(x->r) / sizeof(x->r[0]))
        x->r[x->n++] = *rej;
    return 0;
}

/* The lines of text read with the quick scan or without it. */
static void read_text(const char *text, bool no_scan, imp_records *rs, rejects *rj)
{
    *rs = (imp_records){.secret = "test-secret-0123456789", .no_scan = no_scan};
    rj->n = 0;
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(imp_read(rs, f, 0, keep_reject, rj), 0);
    fclose(f);
}

/* Both ways read text alike; returns how many records the scan took that json_loads took. */
static void same_both_ways(const char *text)
{
    static rejects a, b;
    imp_records x, y;
    read_text(text, true, &x, &a);
    read_text(text, false, &y, &b);
    ck_assert_msg(x.n == y.n && a.n == b.n, "records %zu/%zu, rejects %zu/%zu of:\n%s", x.n, y.n,
                  a.n, b.n, text);
    for (size_t i = 0; i < x.n; i++) {
        const imp_record *p = &x.items[i], *q = &y.items[i];
        ck_assert_msg(p->kind == q->kind && p->at == q->at && p->line == q->line &&
                          !strcmp(p->id, q->id) && p->citizen == q->citizen &&
                          p->has_citizen == q->has_citizen,
                      "line %ld differs: %s", p->line, p->text);
        /* the worker parses what reading took: json_loads must take it */
        json_t *o = json_loads(p->text, JSON_REJECT_DUPLICATES, NULL);
        ck_assert_msg(o, "reading took a line json_loads refuses: %s", p->text);
        json_decref(o);
    }
    for (size_t i = 0; i < a.n; i++) {
        ck_assert_int_eq(a.r[i].line, b.r[i].line);
        ck_assert_int_eq(a.r[i].code, b.r[i].code);
        ck_assert_str_eq(a.r[i].field, b.r[i].field);
        ck_assert_str_eq(a.r[i].message, b.r[i].message);
    }
    imp_records_free(&x);
    imp_records_free(&y);
}

/* The tree imp_tree builds of line, if it builds one, is json_loads's: the same values, keys in
 * the same order. 1 when it built one. */
static int same_tree(const char *line)
{
    json_t *t = imp_tree(line);
    if (!t)
        return 0;
    json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
    ck_assert_msg(j, "imp_tree built a line json_loads refuses: %s", line);
    char *a = json_dumps(t, JSON_COMPACT), *b = json_dumps(j, JSON_COMPACT);
    ck_assert_msg(json_equal(t, j) && a && b && !strcmp(a, b), "trees differ:\n %s\n %s", a, b);
    free(a);
    free(b);
    json_decref(t);
    json_decref(j);
    return 1;
}

/* clang-format off */
static const char *const lines[] = {
    "{\"ticket\":{\"ticket_id\":\"T-1\",\"received_at\":\"2025-03-19T07:12:47+08:00\",\"channel\":\"phone\",\"citizen\":{\"phone\":\"13907702592\"},\"category\":\"WJ.YL.GH\",\"description\":\"市民反映越秀区\",\"location\":{\"address\":\"越秀区98号\",\"lat\":23.127070992453493,\"lon\":113.25531095955267}}}",
    "{\"event\":{\"type\":\"dispatched\",\"at\":\"2025-03-19T12:02:49+08:00\",\"unit\":\"SJ-WJ\",\"deadline\":\"2025-03-26T12:02:49+08:00\",\"ticket_id\":\"T-1\"}}",
    " { \"event\" : { \"ticket_id\" : \"T-1\" , \"at\" : \"2025-03-19T12:02:49Z\" , \"n\" : [ 1 , -0.5 , true , false , null , { } , [ ] ] } } ",
    "{\"ticket\":{\"ticket_id\":\"T-2\",\"received_at\":\"2025-03-19T07:12:47Z\",\"citizen\":{\"id\":\"crm-9\",\"phone\":\"139-0770-2592\"}}}",
    "{\"ticket\":{\"ticket_id\":\"T-3\",\"received_at\":\"2025-03-19T07:12:47Z\",\"citizen\":{}}}",
    "{\"ticket\":{\"ticket_id\":\"T-4\",\"received_at\":\"2025-03-19T07:12:47Z\"}}",
    "{\"ticket\":{\"ticket_id\":\"T-5\",\"received_at\":\"2025-03-19T07:12:47Z\",\"citizen\":{\"phone\":\"12\"}}}",
    "{\"ticket\":{\"ticket_id\":\"T-6\",\"received_at\":\"2025-03-19T07:12:47Z\",\"citizen\":{\"phone\":139}}}",
    "{\"ticket\":{\"ticket_id\":\"T\\u002d7\",\"received_at\":\"2025-03-19T07:12:47Z\",\"citizen\":{\"phone\":\"13907702592\"}}}",
    "{\"ticket\":{\"ticket_id\":\"T-8\",\"received_at\":\"2025-03-19 07:12:47\",\"citizen\":{\"phone\":\"13907702592\"}}}",
    "{\"ticket\":{\"ticket_id\":\"T-9\",\"ticket_id\":\"T-9\",\"received_at\":\"2025-03-19T07:12:47Z\",\"citizen\":{\"phone\":\"13907702592\"}}}",
    "{\"ticket\":{\"ticket_id\":\"T-10\",\"received_at\":\"2025-03-19T07:12:47Z\",\"citizen\":{\"phone\":\"13907702592\"},\"x\":1,\"x\":2}}",
    "{\"ticket\":{\"ticket_id\":\"T-11\",\"received_at\":\"2025-03-19T07:12:47Z\",\"citizen\":{\"phone\":\"13907702592\"}},\"event\":{}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"note\":\"bad \\u0000 nul\"}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"note\":\"pair \\ud83d\\ude00 ok\"}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"note\":\"lone \\ude00\"}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"note\":\"high \\ud83d alone\"}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"note\":\"bad \\x escape\"}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"note\":\"tab\there\"}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"note\":\"\xff\"}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"note\":\"\xe4\xb8\"}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"note\":\"\xc0\x80\"}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"n\":01}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"n\":1.}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"n\":-}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"n\":1e400}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"n\":1E5}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"n\":99999999999999999999}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"n\":999999999999999999}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"n\":truex}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"n\":[1,]}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\"}} x",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":{\"m\":{\"n\":{\"o\":{\"p\":{\"q\":{}}}}}}}}}}}}}}}}}}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"d\":{\"k\":1,\"k\":2}}}",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\",\"k\\u0041\":1,\"kA\":2}}",
    "{\"event\":{\"ticket_id\":5,\"at\":\"2025-03-19T12:02:49Z\"}}",
    "{\"event\":{\"ticket_id\":\"T-1\"}}",
    "{\"event\":[]}",
    "{\"something\":{}}",
    "[]",
    "not json at all",
    "{\"event\":{\"ticket_id\":\"T-1\",\"at\":\"2025-03-19T12:02:49Z\"",
};
/* clang-format on */

START_TEST(test_lines)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        n += strlen(lines[i]) + 1;
    char *text = malloc(n + 1), *p = text;
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        p += sprintf(p, "%s\n", lines[i]);
    same_both_ways(text);
    /* and each alone, so that a difference names its line; the plain ones build a tree */
    int built = 0;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        built += same_tree(lines[i]);
        if (i < 7)
            ck_assert_msg(built == (int)i + 1, "no tree of line %zu", i);
        char one[1024];
        snprintf(one, sizeof(one), "%s\n", lines[i]);
        same_both_ways(one);
    }
    free(text);
}
END_TEST

/* A regular file's lines are not kept once read: each is read again, as it was, when applied
 * (CRLF ends and blank lines included); a file changed since is noticed; a stream (not
 * seekable) keeps its text. */
START_TEST(test_lines_read_again)
{
    char path[] = "/tmp/repeatd-import-read-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *w = fdopen(fd, "w");
    fprintf(w, "%s\r\n\n%s\n%s\n%s", lines[0], lines[1], "not json", lines[3]);
    fclose(w);

    static rejects rj;
    FILE *f = fopen(path, "r");
    int fds[1] = {fileno(f)};
    imp_records rs = {.secret = "test-secret-0123456789", .fds = fds, .n_fds = 1};
    ck_assert_int_eq(imp_read(&rs, f, 0, keep_reject, &rj), 0);
    ck_assert_int_eq(rs.n, 3);
    ck_assert_int_eq(rj.n, 1);
    imp_record *recs[3];
    for (size_t i = 0; i < rs.n; i++) {
        recs[i] = &rs.items[i];
        ck_assert_ptr_null(recs[i]->text);
        ck_assert_int_ge(recs[i]->off, 0);
    }
    ck_assert_int_eq(imp_text_load(&rs, recs, 3), 0);
    ck_assert_str_eq(recs[0]->text, lines[0]);
    ck_assert_str_eq(recs[1]->text, lines[1]);
    ck_assert_str_eq(recs[2]->text, lines[3]);
    imp_text_drop(recs, 3);
    ck_assert_ptr_null(recs[2]->text);

    /* one byte of the second line changed in place: its text is no longer what was read */
    FILE *edit = fopen(path, "r+");
    ck_assert_int_eq(fseek(edit, recs[1]->off + 12, SEEK_SET), 0);
    fputc(lines[1][12] == 'X' ? 'Y' : 'X', edit);
    fclose(edit);
    ck_assert_int_eq(imp_text_load(&rs, recs, 1), 0); /* the first is as it was */
    ck_assert_int_eq(imp_text_load(&rs, recs + 1, 1), -EIO);
    ck_assert_ptr_null(recs[1]->text);
    imp_text_drop(recs, 1);
    imp_records_free(&rs);
    fclose(f);
    unlink(path);

    /* a stream keeps its text; loading and dropping leave it alone */
    read_text(lines[0], false, &rs, &rj);
    ck_assert_int_eq(rs.n, 1);
    imp_record *one = &rs.items[0];
    ck_assert_int_eq(one->off, -1);
    ck_assert_int_eq(imp_text_load(&rs, &one, 1), 0);
    imp_text_drop(&one, 1);
    ck_assert_str_eq(one->text, lines[0]);
    imp_records_free(&rs);
}
END_TEST

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* What damage inserts: the bytes of JSON's grammar, escapes, controls, bytes that are not UTF-8. */
static const char *const bits[] = {"\"",
                                   "\\",
                                   "{",
                                   "}",
                                   "[",
                                   "]",
                                   ",",
                                   ":",
                                   "0",
                                   "1",
                                   "-",
                                   ".",
                                   "e",
                                   "E",
                                   "+",
                                   " ",
                                   "\t",
                                   "\x01",
                                   "\xff",
                                   "\xe4",
                                   "\xb8",
                                   "\\u",
                                   "\\u0000",
                                   "\\ud83d",
                                   "\\n",
                                   "true",
                                   "null",
                                   "t",
                                   "\"ticket_id\":\"X\",",
                                   "\"at\":\"2025-01-01T00:00:00Z\",",
                                   "\"citizen\":{\"id\":\"c\"},"};

START_TEST(test_damaged_lines)
{
    char *text = malloc(64 * 1024);
    ck_assert_ptr_nonnull(text);
    for (int round = 0; round < 800; round++) {
        size_t n = 0;
        for (int k = 0; k < 40; k++) {
            char line[1200];
            snprintf(line, sizeof(line), "%s", lines[rnd(4)]);
            for (int m = (int)rnd(3); m >= 0; m--) {
                size_t len = strlen(line), at = rnd((uint32_t)len + 1);
                if (rnd(2)) { /* delete a byte */
                    if (len)
                        memmove(line + at, line + at + 1, len - at);
                } else { /* insert a bit */
                    const char *b = bits[rnd(sizeof(bits) / sizeof(bits[0]))];
                    size_t bl = strlen(b);
                    if (len + bl + 1 < sizeof(line)) {
                        memmove(line + at + bl, line + at, len - at + 1);
                        for (size_t j = 0; j < bl; j++)
                            line[at + j] = b[j];
                    }
                }
            }
            same_tree(line);
            n += (size_t)sprintf(text + n, "%s\n", line);
        }
        same_both_ways(text);
    }
    free(text);
}
END_TEST

/* ---- the order records are applied in (imp_order) ---- */

#define T(id, at)                                                                                  \
    "{\"ticket\": {\"ticket_id\": \"" id "\", \"received_at\": \"" at "\", \"citizen\":"           \
    " {\"phone\": \"13800000001\"}, \"category\": \"CG.SZ.LD\"}}\n"
#define E(id, type, at)                                                                            \
    "{\"event\": {\"ticket_id\": \"" id "\", \"type\": \"" type "\", \"at\": \"" at "\"}}\n"

typedef struct order_case {
    const char *name;
    const char *text;
    long order[8]; /* the lines, in the order they are applied */
} order_case;

/* The tie rule of the README: by time; at one instant the events that advance or close
 * tickets before the intakes, a ticket's own events after its intake; then the input order.
 * An event dated before its own ticket goes right after the ticket. */
static const order_case order_cases[] = {
    {"by time, whatever the input order",
     E("A", "closed", "2026-01-01T12:00:00+08:00") T("A", "2026-01-01T10:00:00+08:00")
         E("A", "dispatched", "2026-01-01T11:00:00+08:00"),
     {2, 3, 1}},
    {"at one instant, another ticket's event before an intake",
     T("B", "2026-01-01T10:00:00+08:00") T("A", "2026-01-01T09:00:00+08:00")
         E("A", "closed", "2026-01-01T10:00:00+08:00"),
     {2, 3, 1}},
    {"at one instant, a ticket's own event after its intake",
     E("A", "dispatched", "2026-01-01T10:00:00+08:00") T("A", "2026-01-01T10:00:00+08:00"),
     {2, 1}},
    {"at one instant, the input order",
     T("B", "2026-01-01T10:00:00+08:00") T("A", "2026-01-01T10:00:00+08:00") E(
         "C", "closed", "2026-01-01T10:00:00+08:00") E("D", "closed", "2026-01-01T10:00:00+08:00"),
     {3, 4, 1, 2}},
    {"an instant in another zone is the same instant",
     T("A", "2026-01-01T02:00:01Z") T("B", "2026-01-01T10:00:00+08:00"),
     {2, 1}},
    {"an event dated before its own ticket, right after the ticket",
     T("B", "2026-01-01T09:30:00+08:00") E("A", "dispatched", "2026-01-01T09:00:00+08:00")
         T("A", "2026-01-01T10:00:00+08:00") T("C", "2026-01-01T10:00:01+08:00"),
     {1, 3, 2, 4}},
};

START_TEST(test_order)
{
    const order_case *c = &order_cases[_i];
    static rejects rj;
    imp_records rs;
    read_text(c->text, false, &rs, &rj);
    ck_assert_uint_eq(rj.n, 0);
    size_t n = 0;
    while (n < 8 && c->order[n])
        n++;
    ck_assert_msg(rs.n == n, "%s: %zu records, expected %zu", c->name, rs.n, n);
    ck_assert_int_eq(imp_order(&rs), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(rs.items[i].line == c->order[i], "%s: record %zu is line %ld, expected %ld",
                      c->name, i, rs.items[i].line, c->order[i]);
    imp_records_free(&rs);
}
END_TEST

static Suite *read_suite(void)
{
    Suite *s = suite_create("import_read");
    TCase *tc = tcase_create("import_read");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_lines);
    tcase_add_test(tc, test_damaged_lines);
    tcase_add_test(tc, test_lines_read_again);
    tcase_add_loop_test(tc, test_order, 0, (int)(sizeof(order_cases) / sizeof(order_cases[0])));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(read_suite(), true);
}
