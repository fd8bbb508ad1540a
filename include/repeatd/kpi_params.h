/* Query parameters shared by the KPI endpoints: period kind, range, grouping. */
#pragma once

#include "repeatd/http.h"
#include "repeatd/kpi.h"

#define RD_KPI_MAX_PERIODS 120

typedef struct rd_kpi_params {
    rd_period_kind period;
    bool has_from, has_to;
    int from, to; /* first months of the first and last period */
    bool has_by;
    rd_kpi_dim by;
    int level; /* category level, 0 = leaves */
} rd_kpi_params;

/* Bits of the dims a KPI endpoint accepts in `by`. */
#define RD_BY(d) (1u << (d))

/* Parse period (default month), from/to (or `at` for one period: both), by (one of
 * `allowed_by`; `default_by` when absent, RD_DIM_TOTAL for the whole line), level (only with
 * by=category). Replies 400 naming the parameter and returns false on error. */
bool rd_kpi_params_parse(rd_request *req, rd_kpi_params *p, unsigned allowed_by,
                         rd_kpi_dim default_by);

/* Fill a missing from/to with the current period (month of `now_month`), and check the range.
 * Replies 400 and returns false when from is after to or the range is too long. */
bool rd_kpi_params_finish(rd_request *req, rd_kpi_params *p, int now_month);

/* A non-negative integer query parameter within [min, max], or `def` when absent. */
bool rd_int_param(rd_request *req, const char *name, long min, long max, long def, long *ret);
