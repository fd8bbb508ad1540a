/* KPI reads on handling quality: first-contact failures, close-out quality, the green channel
 * (app/kpi_repeats.c, kpi_quality.c, kpi_green.c). */
#include "repeatd/routes.h"

#include "repeatd/kpi_json.h"
#include "repeatd/kpi_params.h"

#define DIMS_ORG (RD_BY(RD_DIM_UNIT) | RD_BY(RD_DIM_TEAM) | RD_BY(RD_DIM_HANDLER))

void rd_handle_kpi_contact_failures(rd_request *req)
{
    rd_kpi_query q;
    if (!rd_kpi_query_parse(req, &q, DIMS_ORG, RD_DIM_UNIT))
        return;
    rd_kpi_page_params(req, &q);
    rd_kpi_reply_text(req, &q, rd_kpi_contact_failures, rd_kpi_contact_failures_text,
                      rd_kpi_contact_failures_csv);
}

void rd_handle_kpi_closeout_quality(rd_request *req)
{
    rd_kpi_query q;
    if (!rd_kpi_query_parse(req, &q, RD_BY(RD_DIM_UNIT) | RD_BY(RD_DIM_HANDLER), RD_DIM_UNIT))
        return;
    rd_kpi_page_params(req, &q);
    rd_kpi_reply_text(req, &q, rd_kpi_closeout_quality, rd_kpi_closeout_quality_text,
                      rd_kpi_closeout_quality_csv);
}

void rd_handle_kpi_green_channel(rd_request *req)
{
    rd_kpi_query q;
    if (!rd_kpi_query_parse(req, &q, 0, RD_DIM_TOTAL))
        return;
    rd_kpi_param(req, &q, "limit", 1, 1000, 100, &q.limit);
    rd_kpi_reply(req, &q, rd_kpi_green_channel, rd_kpi_green_channel_json,
                 rd_kpi_green_channel_csv);
}
