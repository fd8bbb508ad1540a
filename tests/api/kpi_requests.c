/* API tests of the KPI endpoints: the requests every KPI test program makes, each asserting its
 * status at the caller's line. */
#include "kpi_requests.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *P(const char *fmt, ...)
{
    static char ring[16][1024];
    static unsigned next;
    char *s = ring[next++ % 16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s, 1024, fmt, ap);
    va_end(ap);
    return s;
}

json_t *kpi_ok_at(int line, const char *key, const char *path)
{
    long st = 0;
    json_t *j = gc(get_json(path, key, &st));
    if (st != 200) {
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        char msg[2048];
        snprintf(msg, sizeof(msg), "line %d: GET %s: status %ld, expected 200: %s", line, path, st,
                 text ? text : "(no JSON)");
        free(text);
        ck_abort_msg("%s", msg);
    }
    return j;
}

void kpi_err_at(int line, const char *key, const char *method, const char *path, const char *body,
                long want, const char *code, const char *field)
{
    long st = 0;
    json_t *j = NULL;
    http(method, path, key, body ? "application/json" : NULL, body, body ? strlen(body) : 0, &st,
         &j);
    gc(j);
    const char *m = error_is(st, j, want, code, field);
    ck_assert_msg(m == NULL, "line %d: %s %s%s%s: %s", line, method, path, body ? " " : "",
                  body ? body : "", m);
}

json_t *kpi_admin_at(int line, const char *method, const char *path, const char *body, long want)
{
    long st = 0;
    json_t *j = NULL;
    http(method, path, api.admin_key, body ? "application/json" : NULL, body,
         body ? strlen(body) : 0, &st, &j);
    gc(j);
    if (st != want) {
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        char msg[2048];
        snprintf(msg, sizeof(msg), "line %d: %s %s: status %ld, expected %ld: %s", line, method,
                 path, st, want, text ? text : "(no JSON)");
        free(text);
        ck_abort_msg("%s", msg);
    }
    return j;
}

const char *url_encode(const char *s)
{
    static char ring[8][512];
    static unsigned next;
    char *out = ring[next++ % 8];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 4 < 512; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            out[n++] = (char)*p;
        else
            n += (size_t)snprintf(out + n, 512 - n, "%%%02X", *p);
    }
    out[n] = '\0';
    return out;
}

int current_version(void)
{
    json_t *s = ADMIN("GET", "/v1/admin/settings", NULL, 200);
    long long v = jint(s, "definition_version");
    ck_assert_msg(v > 0, "no definition_version in the settings");
    return (int)v;
}

/* ---- a strict RFC 4180 reader: BOM, CRLF after every line, quotes only around a field ---- */

/* The lines of a CSV text as an array of arrays of strings (gc'd), or NULL with *why set. */
json_t *csv_parse(const char *s, size_t n, const char **why)
{
    static const char bom[] = "\xEF\xBB\xBF";
    if (n < 3 || memcmp(s, bom, 3) != 0) {
        *why = "no UTF-8 byte-order mark";
        return NULL;
    }
    json_t *lines = gc(json_array()), *line = json_array();
    char *cell = malloc(n + 1);
    size_t i = 3;
    while (i < n) {
        size_t k = 0;
        if (s[i] == '"') {
            for (i++;; i++) {
                if (i >= n) {
                    *why = "a quoted field never ends";
                    goto fail;
                }
                if (s[i] == '"' && i + 1 < n && s[i + 1] == '"') {
                    cell[k++] = '"';
                    i++;
                } else if (s[i] == '"') {
                    i++;
                    break;
                } else {
                    cell[k++] = s[i];
                }
            }
        } else {
            for (; i < n && s[i] != ',' && s[i] != '\r'; i++) {
                if (s[i] == '"' || s[i] == '\n') {
                    *why = "a quote or a line feed in an unquoted field";
                    goto fail;
                }
                cell[k++] = s[i];
            }
        }
        cell[k] = '\0';
        json_array_append_new(line, json_string(cell));
        if (i < n && s[i] == ',') {
            i++;
            if (i == n) {
                *why = "the text ends after a comma";
                goto fail;
            }
        } else if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n') {
            i += 2;
            json_array_append_new(lines, line);
            line = json_array();
        } else {
            *why = "a line that does not end with CRLF, or text after a closing quote";
            goto fail;
        }
    }
    if (json_array_size(line)) {
        *why = "the last line has no CRLF";
        goto fail;
    }
    json_decref(line);
    free(cell);
    return lines;
fail:
    json_decref(line);
    free(cell);
    return NULL;
}

/* What the CSV writes for a JSON value: OWASP's guard on text, jansson's text of numbers. */
char *cell_of(json_t *v)
{
    if (!v || json_is_null(v))
        return strdup("");
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        bool guard = s[0] && strchr("=+-@\t\r", s[0]);
        char *out = malloc(strlen(s) + 2);
        sprintf(out, "%s%s", guard ? "'" : "", s);
        return out;
    }
    if (json_is_true(v) || json_is_false(v))
        return strdup(json_is_true(v) ? "true" : "false");
    if (json_is_array(v)) {
        char *out = calloc(1, json_array_size(v) * 24 + 1);
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            ck_assert_msg(json_is_integer(x), "an array of numbers expected");
            sprintf(out + strlen(out), "%s%lld", i ? " " : "", (long long)json_integer_value(x));
        }
        return out;
    }
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
}
