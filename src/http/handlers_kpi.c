/* KPI reads for dashboards: repeat counts and rates, rankings, top problems and anomalies
 * (app/kpi_*.c answers them, codec/kpi_json.c writes them). */
#include "repeatd/routes.h"

#include "repeatd/kpi_json.h"
#include "repeatd/kpi_params.h"

#define DIMS_ORG (RD_BY(RD_DIM_UNIT) | RD_BY(RD_DIM_TEAM) | RD_BY(RD_DIM_HANDLER))
#define DIMS_ALL (DIMS_ORG | RD_BY(RD_DIM_CATEGORY))

void rd_handle_kpi_repeats(rd_request *req)
{
    rd_kpi_query q;
    if (!rd_kpi_query_parse(req, &q, DIMS_ALL, RD_DIM_TOTAL))
        return;
    rd_kpi_page_params(req, &q);
    rd_kpi_reply_text(req, &q, rd_kpi_repeats, rd_kpi_repeats_text, rd_kpi_repeats_csv);
}

void rd_handle_kpi_ranking(rd_request *req)
{
    rd_kpi_query q;
    if (rd_kpi_query_parse(req, &q, DIMS_ORG, RD_DIM_UNIT))
        rd_kpi_reply(req, &q, rd_kpi_ranking, rd_kpi_ranking_json, rd_kpi_ranking_csv);
}

void rd_handle_kpi_top_problems(rd_request *req)
{
    rd_kpi_query q;
    if (!rd_kpi_query_parse(req, &q, RD_BY(RD_DIM_CATEGORY), RD_DIM_CATEGORY))
        return;
    rd_kpi_param(req, &q, "limit", 1, 1000, 10, &q.limit);
    rd_kpi_reply(req, &q, rd_kpi_top_problems, rd_kpi_top_problems_json, rd_kpi_top_problems_csv);
}

void rd_handle_kpi_anomalies(rd_request *req)
{
    rd_kpi_query q;
    if (!rd_kpi_query_parse(req, &q, RD_BY(RD_DIM_UNIT) | RD_BY(RD_DIM_CATEGORY), RD_DIM_CATEGORY))
        return;
    rd_kpi_param(req, &q, "baseline", 1, RD_KPI_BASELINE_MAX, RD_ANOMALY_DEFAULT_BASELINE,
                 &q.baseline);
    rd_kpi_param(req, &q, "min_repeats", 1, 100000, RD_ANOMALY_DEFAULT_MIN_REPEATS, &q.min_repeats);
    rd_kpi_param(req, &q, "min_score", 0, 300, RD_ANOMALY_DEFAULT_MIN_SCORE, &q.min_score);
    rd_kpi_param(req, &q, "limit", 1, 1000, 50, &q.limit);
    rd_kpi_reply(req, &q, rd_kpi_anomalies, rd_kpi_anomalies_json, rd_kpi_anomalies_csv);
}
