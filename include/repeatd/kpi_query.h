/* A KPI request as the service layer takes it: the query parameters, parsed and in range, with
 * nothing of HTTP left. http/kpi_params.c fills it; app/kpi_*.c answers it. */
#pragma once

#include "repeatd/kpi.h"
#include "repeatd/kpi_cursor.h"
#include "repeatd/refusal.h"

#include <stdbool.h>

#define RD_KPI_MAX_PERIODS  120   /* periods one answer may span */
#define RD_KPI_BASELINE_MAX 24    /* periods of history an anomaly is scored against */
#define RD_KPI_PAGE_MAX     10000 /* rows one page of a paged answer may ask for */

/* A metric of GET /v1/kpi/trend: a count, or a rate of two counts. */
typedef struct rd_kpi_trend_metric {
    const char *name;
    rd_kpi_metric num;
    int den;         /* an rd_kpi_metric for rates, -1 for counts */
    bool complement; /* (den - num) / den: pass rates */
} rd_kpi_trend_metric;

typedef struct rd_kpi_query {
    rd_period_kind period;
    bool has_from, has_to; /* absent: the current period (see rd_kpi_frame_load) */
    int from, to;          /* first months of the first and last period */
    bool has_by;           /* false: the whole hotline */
    rd_kpi_dim by;
    int level; /* category level, 0 = leaves; only with by=category */

    /* The endpoints' own, each in its bounds (defaults filled by the parser). */
    long limit;                            /* top-problems, anomalies, green-channel */
    long baseline, min_repeats, min_score; /* anomalies */
    long periods;                          /* trend */
    const rd_kpi_trend_metric *metric;     /* trend */
    const char *group;                     /* trend: one group of `by`, borrowed; NULL with no by */

    /* Paging of the row lists (repeats, contact-failures, closeout-quality): at most
     * page_limit rows (0: all of them), those after `after` when has_after. */
    long page_limit;
    bool has_after;
    rd_kpi_cursor after;

    /* The first bad one of the endpoint's own parameters: refused after the range is checked,
     * since the API names a bad range first (see rd_kpi_param). */
    bool has_param_error;
    rd_refusal param_error;
} rd_kpi_query;

/* The trend metric called `name`, or NULL. */
const rd_kpi_trend_metric *rd_kpi_trend_metric_find(const char *name);
