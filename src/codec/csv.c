/* CSV for spreadsheets: a byte-order mark, CRLF, RFC 4180 quoting, formula-injection guard. */
#include "repeatd/csv.h"

#include "repeatd/json_out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Excel takes a file as UTF-8 only when it opens with a byte-order mark; without one a Chinese
 * Windows reads it as GBK and garbles every name. */
static const char bom[] = "\xEF\xBB\xBF";

static void put(rd_csv *c, const char *s, size_t n)
{
    if (c->text.n == 0)
        rd_text_put(&c->text, bom, strlen(bom));
    rd_text_put(&c->text, s, n);
}

static void separate(rd_csv *c)
{
    if (c->row_open)
        put(c, ",", 1);
    c->row_open = true;
}

void rd_csv_text(rd_csv *c, const char *s)
{
    separate(c);
    if (!s || !*s)
        return;
    /* OWASP's rule: a cell a spreadsheet could take for a formula is made text. Names of units
     * and categories come from users. */
    bool guard = strchr("=+-@\t\r", s[0]) != NULL;
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        put(c, "\"", 1);
    if (guard)
        put(c, "'", 1);
    for (const char *p = s; *p;) {
        size_t n = quote ? strcspn(p, "\"") : strlen(p);
        put(c, p, n);
        p += n;
        if (*p == '"') {
            put(c, "\"\"", 2);
            p++;
        }
    }
    if (quote)
        put(c, "\"", 1);
}

void rd_csv_int(rd_csv *c, long long v)
{
    char text[32];
    int n = snprintf(text, sizeof(text), "%lld", v);
    separate(c);
    put(c, text, (size_t)n);
}

/* jansson's text of a real at JSON_REAL_PRECISION(15), which the JSON answers use: %.15g, ".0"
 * when it would read back as an integer, an exponent without '+' or leading zeros. */

void rd_csv_real(rd_csv *c, double v)
{
    char text[40];
    size_t n = rd_json_real_text(v, text);
    separate(c);
    put(c, text, n);
}

void rd_csv_bool(rd_csv *c, bool v)
{
    separate(c);
    put(c, v ? "true" : "false", v ? 4 : 5);
}

void rd_csv_empty(rd_csv *c)
{
    separate(c);
}

void rd_csv_ints(rd_csv *c, const long *v, size_t n)
{
    separate(c);
    for (size_t i = 0; i < n; i++) {
        char text[32];
        int k = snprintf(text, sizeof(text), "%s%ld", i ? " " : "", v[i]);
        put(c, text, (size_t)k);
    }
}

void rd_csv_int_list(rd_csv *c, const int *v, size_t n)
{
    separate(c);
    for (size_t i = 0; i < n; i++) {
        char text[32];
        int k = snprintf(text, sizeof(text), "%s%d", i ? " " : "", v[i]);
        put(c, text, (size_t)k);
    }
}

void rd_csv_end_row(rd_csv *c)
{
    put(c, "\r\n", 2);
    c->row_open = false;
}

void rd_csv_header(rd_csv *c, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rd_csv_text(c, names[i]);
    rd_csv_end_row(c);
}

static bool is_scalar_array(const json_t *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (json_is_object(x) || json_is_array(x) || json_is_string(x))
            return false;
    }
    return true;
}

/* A scalar's text, unguarded and unquoted: for the numbers of an array cell. */
static void scalar_text(const json_t *v, char text[40])
{
    if (json_is_integer(v))
        snprintf(text, 40, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        rd_json_real_text(json_real_value(v), text);
    else if (json_is_boolean(v))
        strcpy(text, json_is_true(v) ? "true" : "false");
    else
        text[0] = '\0';
}

void rd_csv_json(rd_csv *c, const json_t *v)
{
    if (!v || json_is_null(v)) {
        rd_csv_empty(c);
    } else if (json_is_string(v)) {
        rd_csv_text(c, json_string_value(v));
    } else if (json_is_integer(v)) {
        rd_csv_int(c, (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        rd_csv_real(c, json_real_value(v));
    } else if (json_is_boolean(v)) {
        rd_csv_bool(c, json_is_true(v));
    } else if (json_is_array(v) && is_scalar_array(v)) {
        separate(c);
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            char text[40];
            scalar_text(x, text);
            if (i)
                put(c, " ", 1);
            put(c, text, strlen(text));
        }
    } else {
        char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        if (!text)
            c->text.err = -ENOMEM;
        rd_csv_text(c, text);
        free(text);
    }
}

void rd_csv_json_rows(rd_csv *c, const char *const *columns, size_t n, const json_t *rows)
{
    rd_csv_header(c, columns, n);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        for (size_t k = 0; k < n; k++)
            rd_csv_json(c, json_object_get(row, columns[k]));
        rd_csv_end_row(c);
    }
}

int rd_csv_finish(rd_csv *c, char **ret, size_t *ret_len)
{
    put(c, "", 0); /* a file with no row still opens with the mark */
    if (c->text.err) {
        rd_csv_free(c);
        return -ENOMEM;
    }
    *ret = c->text.p;
    *ret_len = c->text.n;
    memset(c, 0, sizeof(*c));
    return 0;
}

void rd_csv_free(rd_csv *c)
{
    if (!c)
        return;
    rd_text_free(&c->text);
    memset(c, 0, sizeof(*c));
}
