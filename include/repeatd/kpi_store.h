/* The store of KPIs: aggregate upserts on the write path, grouped reads for dashboards. */
#pragma once

#include "repeatd/closeout.h"
#include "repeatd/kpi.h"
#include "repeatd/kpi_cursor.h"
#include "repeatd/kpi_types.h"
#include "repeatd/pool.h"

#include <stdint.h>

/* The month index of now in the zone `tz`. */
int store_month_now(rd_db *db, const char *tz, int *ret);

/* Add the deltas to kpi_counts in one statement (rows locked in a fixed order). */
int store_kpi_apply(rd_db *db, const rd_kpi_deltas *ds);

/* The same for many deltas at once (an import's batch), each (dim, key, month, version) once. */
int store_kpi_apply_many(rd_db *db, const rd_kpi_delta *deltas, size_t n);

/* Count the defects of a rejected close-out under its unit and handler. */
int store_kpi_defects_add(rd_db *db, const char *unit, const char *handler, int month,
                          const rd_defect *defects, size_t n);

/* Defect counts to add, each (dim, key, month, code) once (an import's batch, summed). */
typedef struct store_kpi_defect_count {
    int dim; /* RD_DIM_UNIT or RD_DIM_HANDLER */
    char key[RD_ID_MAX];
    int month;
    const char *code; /* rd_defect_name */
    long n;
} store_kpi_defect_count;
int store_kpi_defects_many(rd_db *db, const store_kpi_defect_count *rows, size_t n);

/* kpi_counts of dimension `dim` summed by period (of `period_months` months, aligned like
 * calendar periods) and key, for months [from, to]. For RD_DIM_CATEGORY with level > 0 the
 * leaves are rolled up to their ancestor at that level (1 = the roots). Rows ordered by period,
 * then key; *ret is malloc'd (free it). */
int store_kpi_grouped(rd_db *db, rd_kpi_dim dim, int level, int period_months, int from, int to,
                      rd_kpi_row **ret, size_t *ret_n);

/* No metric in particular: the rows store_kpi_grouped keeps (a row with nothing counted is no
 * row). */
#define RD_KPI_NEED_ANY 0u

/* A page of store_kpi_grouped's rows, in its order: only rows where one of the metrics of
 * `need` (bits 1 << rd_kpi_metric; RD_KPI_NEED_ANY: every row) is not zero, only those after
 * `after` (NULL: from the first), at most `limit` of them (0: all). */
int store_kpi_grouped_page(rd_db *db, rd_kpi_dim dim, int level, int period_months, int from,
                           int to, unsigned need, const rd_kpi_cursor *after, long limit,
                           rd_kpi_row **ret, size_t *ret_n);

/* Tickets received in months [from, to] counted by period (of `period_months`, aligned like
 * store_kpi_grouped's), decision and definition version, by the index tickets_decision_counts
 * (an index-only range scan). Ordered by period, decision, version; *ret is malloc'd. */
int store_kpi_decisions(rd_db *db, int period_months, int from, int to, rd_kpi_decision_count **ret,
                        size_t *ret_n);

/* The top `per_key` defect codes of each period and key of dim (unit or handler) over months
 * [from, to], ordered by period, key, then rank; *ret is malloc'd (free it). */
int store_kpi_top_defects(rd_db *db, rd_kpi_dim dim, int period_months, int from, int to,
                          int per_key, rd_kpi_defect_count **ret, size_t *ret_n);

/* Up to `limit` chains whose newest repeat is open with an ordinal of at least `min_ordinal`
 * (the partial index's prefilter; the rule is the caller's), oldest first ticket first, times
 * with time_zone's offsets; *ret is malloc'd (free it). */
int store_green_candidates(rd_db *db, int min_ordinal, int limit, const char *time_zone,
                           rd_green_chain **ret, size_t *ret_n);

/* The names of the groups of `dim` (a category's own name for RD_DIM_CATEGORY), in no
 * particular order; *ret is malloc'd (free it). */
int store_kpi_names(rd_db *db, rd_kpi_dim dim, rd_kpi_name **ret, size_t *ret_n);

/* All names of units, teams and handlers, in the order of the admin answer (see kpi_store.c);
 * *ret is malloc'd (free it). */
int store_org_names(rd_db *db, rd_kpi_name **ret, size_t *ret_n);
int store_org_name_upsert(rd_db *db, const char *kind, const char *code, const char *name,
                          const char *parent);

/* All targets, in the order of the admin answer (see kpi_store.c); *ret is malloc'd. */
int store_targets(rd_db *db, rd_kpi_target **ret, size_t *ret_n);
int store_target_upsert(rd_db *db, const char *scope, const char *code, const char *period,
                        double rate, const char *who);
