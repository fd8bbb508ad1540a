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
