/* The query parameters of the KPI endpoints, parsed into an rd_kpi_query, and the reply of an
 * answer (http/kpi_params.c). */
#pragma once

#include "repeatd/http.h"
#include "repeatd/kpi_answer.h"
#include "repeatd/kpi_csv.h"
#include "repeatd/kpi_json.h"
#include "repeatd/kpi_query.h"

/* Bits of the dims a KPI endpoint accepts in `by`. */
#define RD_BY(d) (1u << (d))

/* Parse period (default month), from/to (or `at` for one period: both), by (one of
 * `allowed_by`; `default_by` when absent, RD_DIM_TOTAL for the whole line) and level (only with
 * by=category) into a zeroed *q. Replies 400 naming the parameter and returns false on error. */
bool rd_kpi_query_parse(rd_request *req, rd_kpi_query *q, unsigned allowed_by,
                        rd_kpi_dim default_by);

/* A non-negative integer query parameter within [min, max], or `def` when absent. Replies 400
 * and returns false when it is not. */
bool rd_int_param(rd_request *req, const char *name, long min, long max, long def, long *ret);

/* The same for an endpoint parameter that the API checks after the range: a bad one does not
 * reply but is kept in q (the first only), for the service to refuse once the range passed. */
void rd_kpi_param(rd_request *req, rd_kpi_query *q, const char *name, long min, long max, long def,
                  long *ret);

/* limit (1..RD_KPI_PAGE_MAX; absent: every row) and cursor (a next_cursor) of the paged lists,
 * checked after the range as rd_kpi_param's: a bad one names its parameter. */
void rd_kpi_page_params(rd_request *req, rd_kpi_query *q);

typedef json_t *(*rd_kpi_json_fn)(const rd_kpi_answer *a);

/* Answer q with fn and reply 200 with what `json` makes of it, or `csv` when the client asked
 * for CSV (rd_reply_format, checked before fn runs), or the refusal or error. */
void rd_kpi_reply(rd_request *req, const rd_kpi_query *q, rd_kpi_endpoint *fn, rd_kpi_json_fn json,
                  rd_kpi_csv_fn *csv);

/* rd_kpi_reply for the long lists, their JSON written as text (codec/kpi_json.c). A CSV
 * download is always the whole table: limit and cursor page the JSON only. */
void rd_kpi_reply_text(rd_request *req, const rd_kpi_query *q, rd_kpi_endpoint *fn,
                       rd_kpi_text_fn text, rd_kpi_csv_fn *csv);
