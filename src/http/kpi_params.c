/* Query parameters of the KPI endpoints into an rd_kpi_query, with 400s that name the
 * parameter. Only syntax and bounds: the range against today is app/kpi_frame.c's. */
#include "repeatd/kpi_params.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parameter, or `def` when absent; false when it is not a whole number in [min, max]. */
static bool int_arg(rd_request *req, const char *name, long min, long max, long def, long *ret)
{
    const char *s = rd_request_arg(req, name);
    if (!s) {
        *ret = def;
        return true;
    }
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *ret = v;
    return true;
}

#define INT_ARG_MESSAGE "%s must be a whole number from %ld to %ld"

bool rd_int_param(rd_request *req, const char *name, long min, long max, long def, long *ret)
{
    if (int_arg(req, name, min, max, def, ret))
        return true;
    rd_reply_error(req, RD_ERR_INVALID_PARAMETER, name, INT_ARG_MESSAGE, name, min, max);
    return false;
}

void rd_kpi_param(rd_request *req, rd_kpi_query *q, const char *name, long min, long max, long def,
                  long *ret)
{
    if (!int_arg(req, name, min, max, def, ret) && !q->has_param_error) {
        rd_refuse(&q->param_error, RD_ERR_INVALID_PARAMETER, name, INT_ARG_MESSAGE, name, min, max);
        q->has_param_error = true;
    }
}

static bool parse_label(rd_request *req, const rd_kpi_query *p, const char *name, int *ret)
{
    const char *s = rd_request_arg(req, name);
    if (rd_period_parse(p->period, s, ret) < 0) {
        static const char *const forms[] = {"2026-10", "2026-Q4", "2026"};
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, name, "%s must be a %s label like %s", name,
                       rd_period_kind_name(p->period), forms[p->period]);
        return false;
    }
    return true;
}

bool rd_kpi_query_parse(rd_request *req, rd_kpi_query *p, unsigned allowed_by,
                        rd_kpi_dim default_by)
{
    memset(p, 0, sizeof(*p));
    const char *period = rd_request_arg(req, "period");
    if (period && rd_period_kind_parse(period, &p->period) < 0) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "period",
                       "period must be month, quarter or year");
        return false;
    }
    if (rd_request_arg(req, "at")) {
        if (!parse_label(req, p, "at", &p->from))
            return false;
        p->to = p->from;
        p->has_from = p->has_to = true;
    }
    if (rd_request_arg(req, "from")) {
        if (!parse_label(req, p, "from", &p->from))
            return false;
        p->has_from = true;
    }
    if (rd_request_arg(req, "to")) {
        if (!parse_label(req, p, "to", &p->to))
            return false;
        p->has_to = true;
    }
    const char *by = rd_request_arg(req, "by");
    if (by) {
        if (rd_kpi_dim_parse(by, &p->by) < 0 || p->by == RD_DIM_TOTAL ||
            !(allowed_by & RD_BY(p->by))) {
            char list[80] = "";
            for (int d = 1; d < RD_DIM_COUNT_; d++) {
                if (!(allowed_by & RD_BY(d)))
                    continue;
                size_t n = strlen(list);
                snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
                         rd_kpi_dim_name((rd_kpi_dim)d));
            }
            rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "by", "by must be one of: %s", list);
            return false;
        }
        p->has_by = true;
    } else if (default_by != RD_DIM_TOTAL) {
        p->has_by = true;
        p->by = default_by;
    }
    long level = 0;
    if (!rd_int_param(req, "level", 1, 16, 0, &level))
        return false;
    if (level && !(p->has_by && p->by == RD_DIM_CATEGORY)) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "level", "level goes with by=category");
        return false;
    }
    p->level = (int)level;
    return true;
}

void rd_kpi_page_params(rd_request *req, rd_kpi_query *q)
{
    rd_kpi_param(req, q, "limit", 1, RD_KPI_PAGE_MAX, 0, &q->page_limit);
    const char *cursor = rd_request_arg(req, "cursor");
    if (!cursor)
        return;
    if (rd_kpi_cursor_decode(cursor, &q->after) == 0) {
        q->has_after = true;
    } else if (!q->has_param_error) {
        rd_refuse(&q->param_error, RD_ERR_INVALID_PARAMETER, "cursor",
                  "cursor must be the next_cursor of an earlier page, unchanged");
        q->has_param_error = true;
    }
}

/* The answer as JSON (a jansson value from json, or text from text) or as CSV. */
static void reply(rd_request *req, const rd_kpi_query *q, rd_kpi_endpoint *fn, rd_kpi_json_fn json,
                  rd_kpi_text_fn text, rd_kpi_csv_fn *csv)
{
    rd_format format;
    if (!rd_reply_format(req, &format))
        return;
    rd_kpi_query whole;
    if (format == RD_FORMAT_CSV) { /* a download is the whole table: no page of it */
        whole = *q;
        whole.page_limit = 0;
        whole.has_after = false;
        q = &whole;
    }
    rd_kpi_answer a = {0};
    rd_refusal ref;
    int r = fn(req->httpd->service, &req->db, q, &a, &ref);
    if (r < 0) {
        rd_reply_failure(req, r, &ref);
        return;
    }
    if (format == RD_FORMAT_CSV) {
        rd_csv c = {0};
        char filename[RD_CSV_FILENAME_MAX];
        csv(&a, &c, filename);
        rd_kpi_answer_free(&a);
        rd_reply_csv(req, &c, filename);
        return;
    }
    if (text) {
        rd_text t = {0};
        text(&a, &t);
        rd_kpi_answer_free(&a);
        rd_reply_json_text(req, 200, &t);
        return;
    }
    json_t *body = json(&a);
    rd_kpi_answer_free(&a);
    if (!body)
        rd_reply_store_error(req, -ENOMEM);
    else
        rd_reply_json(req, 200, body);
}

void rd_kpi_reply(rd_request *req, const rd_kpi_query *q, rd_kpi_endpoint *fn, rd_kpi_json_fn json,
                  rd_kpi_csv_fn *csv)
{
    reply(req, q, fn, json, NULL, csv);
}

void rd_kpi_reply_text(rd_request *req, const rd_kpi_query *q, rd_kpi_endpoint *fn,
                       rd_kpi_text_fn text, rd_kpi_csv_fn *csv)
{
    reply(req, q, fn, NULL, text, csv);
}
