/* The KPI answers and the admin lists of what KPIs are judged by, as the API's JSON
 * (codec/kpi_json.c). Each returns a new value (caller decrefs), NULL when out of memory. */
#pragma once

#include "repeatd/kpi_types.h"
#include "repeatd/text.h"

#include <jansson.h>

/* The long lists straight as JSON text into t (the answer's bytes, as json_dumps would write
 * the _json value below): 0, or -ENOMEM. Each carries next_cursor (null after the last page). */
typedef int (*rd_kpi_text_fn)(const rd_kpi_answer *a, rd_text *t);
int rd_kpi_repeats_text(const rd_kpi_answer *a, rd_text *t);
int rd_kpi_contact_failures_text(const rd_kpi_answer *a, rd_text *t);
int rd_kpi_closeout_quality_text(const rd_kpi_answer *a, rd_text *t);

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
