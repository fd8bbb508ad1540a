/* GET /v1/kpi/trend: one metric as a series over the last N periods, zeros included. */
#include "repeatd/kpi_answer.h"

#include <errno.h>
#include <string.h>

static const rd_kpi_trend_metric metrics[] = {
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

const rd_kpi_trend_metric *rd_kpi_trend_metric_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(metrics) / sizeof(metrics[0]); i++)
        if (!strcmp(metrics[i].name, name))
            return &metrics[i];
    return NULL;
}

static int trend_body(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a)
{
    const rd_kpi_query *q = c->q;
    int pm = rd_period_months(a->period);
    a->from = a->to - (int)(q->periods - 1) * pm;
    a->metric = q->metric;
    a->group = q->group;
    int r = rd_kpi_load_rows(db, a, a->from, a->to);
    if (r == 0)
        r = rd_kpi_items_alloc(a, (size_t)q->periods);
    if (r < 0)
        return r;
    size_t i = 0;
    for (int p = a->from; p <= a->to; p += pm) {
        const rd_kpi_row *row = NULL;
        for (; i < a->n_rows && a->rows[i].period_start <= p; i++)
            if (a->rows[i].period_start == p && (!q->group || !strcmp(a->rows[i].key, q->group)))
                row = &a->rows[i];
        if (row && !rd_kpi_item_add(a, row))
            return -ENOMEM;
        if (!row)
            a->items[a->n_items++].period_start = p;
    }
    return 0;
}

int rd_kpi_trend(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                 rd_refusal *ref)
{
    return rd_kpi_run(svc, db, q, trend_body, ret, ref);
}
