/* The KPI answers and the admin lists of what KPIs are judged by, as the API's JSON
 * (codec/kpi_json.c). Each returns a new value (caller decrefs), NULL when out of memory. */
#pragma once

#include "repeatd/kpi_types.h"

#include <jansson.h>

json_t *rd_kpi_repeats_json(const rd_kpi_answer *a);
json_t *rd_kpi_contact_failures_json(const rd_kpi_answer *a);
json_t *rd_kpi_closeout_quality_json(const rd_kpi_answer *a);
json_t *rd_kpi_ranking_json(const rd_kpi_answer *a);
json_t *rd_kpi_top_problems_json(const rd_kpi_answer *a);
json_t *rd_kpi_anomalies_json(const rd_kpi_answer *a);
json_t *rd_kpi_trend_json(const rd_kpi_answer *a);
json_t *rd_kpi_green_channel_json(const rd_kpi_answer *a);
json_t *rd_kpi_decisions_json(const rd_kpi_answer *a);
/* One chain as GET /v1/kpi/green-channel lists it (the worklist's rows start from it). */
json_t *rd_green_chain_json(const rd_green_chain *c);

/* {"team": {code: name}, "unit": {...}, "handler": {...}}, codes in the order given. */
json_t *rd_org_names_json(const rd_kpi_name *names, size_t n);

/* {"team": {code: {period: rate}}, "unit": {...}}, "" for a standing target, in the order
 * given. */
json_t *rd_targets_json(const rd_kpi_target *targets, size_t n);
