/* API tests of the KPI endpoints: the requests every KPI test program makes, each asserting its
 * status at the caller's line (answers are gc()'d), and small formatting helpers. */
#pragma once

#include "scenario.h"

#include <jansson.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A formatted path in a ring of static buffers (16 live values). */
const char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Percent-encoding of a query value (ring of static buffers). */
const char *url_encode(const char *s);

/* The definition_version of the settings in force. */
int current_version(void);

/* GET with a key, asserting 200 at the caller's line; the answer (gc'd). */
json_t *kpi_ok_at(int line, const char *key, const char *path);
#define OK_GET(path) kpi_ok_at(__LINE__, api.dash_key, (path))

/* A request that must fail with status, error code and (when not NULL) field. */
void kpi_err_at(int line, const char *key, const char *method, const char *path, const char *body,
                long want, const char *code, const char *field);
#define GET_ERR(key, path, want, code, field)                                                      \
    kpi_err_at(__LINE__, (key), "GET", (path), NULL, (want), (code), (field))
#define BAD_PARAM(path, field) GET_ERR(api.dash_key, (path), 400, "invalid_parameter", (field))
#define ADMIN_ERR(method, path, body, field)                                                       \
    kpi_err_at(__LINE__, api.admin_key, (method), (path), (body), 400, "invalid_field", (field))

/* An admin request with a JSON text body that must answer `want`; the answer (gc'd). */
json_t *kpi_admin_at(int line, const char *method, const char *path, const char *body, long want);
#define ADMIN(method, path, body, want) kpi_admin_at(__LINE__, (method), (path), (body), (want))

/* ---- CSV answers ---- */

/* A strict RFC 4180 reading of a CSV answer (byte-order mark first, CRLF after every line,
 * quotes only around a field): an array of lines, each an array of strings (gc'd), or NULL
 * with *why set. */
json_t *csv_parse(const char *s, size_t n, const char **why);

/* The cell the CSV writer makes of a JSON value (OWASP's guard on text, jansson's numbers);
 * malloc'd. */
char *cell_of(json_t *v);
