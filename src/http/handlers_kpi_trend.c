/* GET /v1/kpi/trend: one metric as a series over the last N periods (app/kpi_trend.c). */
#include "repeatd/routes.h"

#include "repeatd/kpi_json.h"
#include "repeatd/kpi_params.h"

void rd_handle_kpi_trend(rd_request *req)
{
    rd_kpi_query q;
    const rd_kpi_trend_metric *metric = rd_kpi_trend_metric_find(rd_request_arg(req, "metric"));
    if (!metric) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "metric",
                       "metric must be one of: complaints, repeats, repeat_rate, contacted, "
                       "first_contact_failed, first_contact_failure_rate, closeouts_inspected, "
                       "closeouts_rejected, closeout_pass_rate, false_closeouts");
        return;
    }
    if (!rd_kpi_query_parse(req, &q,
                            RD_BY(RD_DIM_UNIT) | RD_BY(RD_DIM_TEAM) | RD_BY(RD_DIM_HANDLER) |
                                RD_BY(RD_DIM_CATEGORY),
                            RD_DIM_TOTAL) ||
        !rd_int_param(req, "periods", 1, RD_KPI_MAX_PERIODS, 12, &q.periods))
        return;
    q.metric = metric;
    q.group = rd_request_arg(req, "group");
    if (q.has_by != (q.group != NULL)) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, q.has_by ? "group" : "by",
                       "by and group go together: by=unit&group=U01");
        return;
    }
    rd_kpi_reply(req, &q, rd_kpi_trend, rd_kpi_trend_json, rd_kpi_trend_csv);
}
