/* GET /v1/kpi/decisions: the decision mix of each period (app/kpi_decisions.c). */
#include "repeatd/routes.h"

#include "repeatd/kpi_json.h"
#include "repeatd/kpi_params.h"

void rd_handle_kpi_decisions(rd_request *req)
{
    rd_kpi_query q;
    if (rd_kpi_query_parse(req, &q, 0, RD_DIM_TOTAL))
        rd_kpi_reply(req, &q, rd_kpi_decisions, rd_kpi_decisions_json, rd_kpi_decisions_csv);
}
