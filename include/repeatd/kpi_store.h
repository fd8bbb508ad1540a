/* The store of KPIs: aggregate upserts on the write path, grouped reads for dashboards. */
#pragma once

#include "repeatd/closeout.h"
#include "repeatd/kpi.h"
#include "repeatd/pool.h"

#include <jansson.h>

/* The month index of now in the zone `tz`. */
int store_month_now(rd_db *db, const char *tz, int *ret);

/* Add the deltas to kpi_counts in one statement (rows locked in a fixed order). */
int store_kpi_apply(rd_db *db, const rd_kpi_deltas *ds);

/* Count the defects of a rejected close-out under its unit and handler. */
int store_kpi_defects_add(rd_db *db, const char *unit, const char *handler, int month,
                          const rd_defect *defects, size_t n);

typedef struct rd_kpi_row {
    int period_start; /* first month of the period */
    char key[RD_ID_MAX];
    long v[RD_KPI_METRIC_COUNT_];
    /* Definition versions that made these numbers, ascending. As many as an answer's union
     * holds (kpi_view.c): a year's row easily spans more than a handful of settings changes. */
    int versions[64];
    int n_versions;
} rd_kpi_row;

/* kpi_counts of dimension `dim` summed by period (of `period_months` months, aligned like
 * calendar periods) and key, for months [from, to]. For RD_DIM_CATEGORY with level > 0 the
 * leaves are rolled up to their ancestor at that level (1 = the roots). Rows ordered by period,
 * then key; *ret is malloc'd (free it). */
int store_kpi_grouped(rd_db *db, rd_kpi_dim dim, int level, int period_months, int from, int to,
                      rd_kpi_row **ret, size_t *ret_n);

/* Top defect codes per period (of `period_months`, keyed by its first month index) and key
 * (dim unit or handler) over months [from, to]:
 * {"24300": {"U01": [{"code": ..., "count": n}, ...]}} (caller decrefs). */
int store_kpi_top_defects(rd_db *db, rd_kpi_dim dim, int period_months, int from, int to,
                          int per_key, json_t **ret);

/* Open chains in the green channel, oldest first (JSON array, caller decrefs). */
int store_green_channel(rd_db *db, int min_ordinal, int limit, json_t **ret);

/* Names of units, teams and handlers: {"unit": {"U01": "...", ...}, "team": {...}, ...}. */
int store_org_names(rd_db *db, json_t **ret);
int store_org_name_upsert(rd_db *db, const char *kind, const char *code, const char *name,
                          const char *parent);

/* Targets: {"unit": {"U01": {"": 0.05, "2026-Q4": 0.04}}, "team": {...}} (caller decrefs). */
int store_targets(rd_db *db, json_t **ret);
int store_target_upsert(rd_db *db, const char *scope, const char *code, const char *period,
                        double rate, const char *who);
