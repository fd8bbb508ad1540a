/* GET /v1/kpi/trend: one metric as a series over the last N periods, zeros included. */
#include "repeatd/routes.h"

#include "repeatd/kpi_view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct trend_metric {
    const char *name;
    rd_kpi_metric num;
    int den;         /* an rd_kpi_metric for rates, -1 for counts */
    bool complement; /* (den - num) / den: pass rates */
} trend_metric;

static const trend_metric metrics[] = {
    {"complaints", RD_KPI_COMPLAINTS, -1, false},
    {"repeats", RD_KPI_REPEATS, -1, false},
    {"repeat_rate", RD_KPI_REPEATS, RD_KPI_COMPLAINTS, false},
    {"contacted", RD_KPI_CONTACTED, -1, false},
    {"first_contact_failed", RD_KPI_FIRST_CONTACT_FAILED, -1, false},
    {"first_contact_failure_rate", RD_KPI_FIRST_CONTACT_FAILED, RD_KPI_CONTACTED, false},
    {"closeouts_inspected", RD_KPI_CLOSEOUTS_INSPECTED, -1, false},
    {"closeouts_rejected", RD_KPI_CLOSEOUTS_REJECTED, -1, false},
    {"closeout_pass_rate", RD_KPI_CLOSEOUTS_REJECTED, RD_KPI_CLOSEOUTS_INSPECTED, true},
    {"false_closeouts", RD_KPI_FALSE_CLOSEOUTS, -1, false},
};

typedef struct trend_call {
    const trend_metric *metric;
    const char *group;
    long periods;
} trend_call;

static json_t *value_json(const trend_metric *m, const rd_kpi_row *row)
{
    long num = row ? row->v[m->num] : 0;
    if (m->den < 0)
        return json_integer(num);
    long den = row ? row->v[m->den] : 0;
    return rd_rate_json(m->complement ? den - num : num, den);
}

static int trend_fn(rd_db *db, rd_kpi_ctx *c, json_t **ret)
{
    const trend_call *t = c->extra;
    int pm = rd_period_months(c->p.period);
    c->p.from = c->p.to - (int)(t->periods - 1) * pm;
    rd_kpi_row *rows;
    size_t n;
    int r = store_kpi_grouped(db, c->p.has_by ? c->p.by : RD_DIM_TOTAL, c->p.level, pm, c->p.from,
                              c->p.to + pm - 1, &rows, &n);
    if (r < 0)
        return r;
    json_t *series = json_array();
    size_t i = 0;
    for (int p = c->p.from; p <= c->p.to; p += pm) {
        const rd_kpi_row *row = NULL;
        for (; i < n && rows[i].period_start <= p; i++)
            if (rows[i].period_start == p && (!t->group || !strcmp(rows[i].key, t->group)))
                row = &rows[i];
        char label[RD_PERIOD_LABEL_MAX];
        rd_period_label(c->p.period, p, label);
        json_t *o =
            json_pack("{s:s, s:o, s:o}", "period", label, "value", value_json(t->metric, row),
                      "definition_versions", row ? rd_versions_json(row) : json_array());
        json_array_append_new(series, o);
        if (row)
            rd_kpi_note_versions(c, row);
    }
    free(rows);
    *ret = rd_kpi_answer(c, "series", series);
    json_object_set_new(*ret, "metric", json_string(t->metric->name));
    json_object_set_new(*ret, "group", t->group ? json_string(t->group) : json_null());
    return 0;
}

void rd_handle_kpi_trend(rd_request *req)
{
    rd_kpi_ctx c = {0};
    trend_call t = {0};
    const char *metric = rd_request_arg(req, "metric");
    for (size_t i = 0; metric && i < sizeof(metrics) / sizeof(metrics[0]); i++)
        if (!strcmp(metrics[i].name, metric))
            t.metric = &metrics[i];
    if (!t.metric) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "metric",
                       "metric must be one of: complaints, repeats, repeat_rate, contacted, "
                       "first_contact_failed, first_contact_failure_rate, closeouts_inspected, "
                       "closeouts_rejected, closeout_pass_rate, false_closeouts");
        return;
    }
    if (!rd_kpi_params_parse(req, &c.p,
                             RD_BY(RD_DIM_UNIT) | RD_BY(RD_DIM_TEAM) | RD_BY(RD_DIM_HANDLER) |
                                 RD_BY(RD_DIM_CATEGORY),
                             RD_DIM_TOTAL) ||
        !rd_int_param(req, "periods", 1, RD_KPI_MAX_PERIODS, 12, &t.periods))
        return;
    t.group = rd_request_arg(req, "group");
    if (c.p.has_by != (t.group != NULL)) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, c.p.has_by ? "group" : "by",
                       "by and group go together: by=unit&group=U01");
        return;
    }
    c.extra = &t;
    rd_kpi_run(req, &c, trend_fn);
}
