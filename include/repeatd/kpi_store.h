/* The store of KPIs: aggregate upserts on the write path, grouped reads for dashboards. */
#pragma once

#include "repeatd/closeout.h"
#include "repeatd/kpi.h"
#include "repeatd/pool.h"

#include <stdint.h>

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

/* The top defect codes of one period (of `period_months`, aligned like store_kpi_grouped's)
 * and key (a unit or a handler). */
typedef struct rd_kpi_defect_count {
    int period_start;
    char key[RD_ID_MAX];
    int rank; /* 1 = the most frequent in its period and key; ties by code */
    char code[48];
    long count;
} rd_kpi_defect_count;

/* The top `per_key` defect codes of each period and key of dim (unit or handler) over months
 * [from, to], ordered by period, key, then rank; *ret is malloc'd (free it). */
int store_kpi_top_defects(rd_db *db, rd_kpi_dim dim, int period_months, int from, int to,
                          int per_key, rd_kpi_defect_count **ret, size_t *ret_n);

/* An open chain that may be in the green channel: its newest repeat and its first ticket.
 * Text that is NULL in the database is "" with its has_ flag false. */
typedef struct rd_green_chain {
    char chain_id[RD_ID_MAX], latest_ticket_id[RD_ID_MAX], category[RD_ID_MAX];
    char citizen[RD_ID_MAX]; /* masked phone */
    bool has_citizen;
    int repeats;                                                /* the newest repeat's ordinal */
    bool open;                                                  /* the newest repeat is open */
    int64_t first_received_us, latest_received_us, deadline_us; /* unix microseconds */
    int first_received_tz, latest_received_tz, deadline_tz;     /* session UTC offsets, seconds */
    bool has_deadline;
    char original_unit[RD_ID_MAX], original_team[RD_ID_MAX], original_handler[RD_ID_MAX];
    bool has_original_unit, has_original_team, has_original_handler;
    char unit[RD_ID_MAX], team[RD_ID_MAX], handler[RD_ID_MAX];
    bool has_unit, has_team, has_handler;
} rd_green_chain;

/* Up to `limit` chains whose newest repeat is open with an ordinal of at least `min_ordinal`
 * (the partial index's prefilter; the rule is the caller's), oldest first ticket first; *ret
 * is malloc'd (free it). */
int store_green_candidates(rd_db *db, int min_ordinal, int limit, rd_green_chain **ret,
                           size_t *ret_n);

#define RD_NAME_MAX 801 /* 200 characters of UTF-8 */

/* The display name of a unit, team, handler or category. */
typedef struct rd_kpi_name {
    rd_kpi_dim dim;
    char code[RD_ID_MAX];
    char name[RD_NAME_MAX];
} rd_kpi_name;

/* The names of the groups of `dim` (a category's own name for RD_DIM_CATEGORY), in no
 * particular order; *ret is malloc'd (free it). */
int store_kpi_names(rd_db *db, rd_kpi_dim dim, rd_kpi_name **ret, size_t *ret_n);

/* All names of units, teams and handlers, in the order of the admin answer (see kpi_store.c);
 * *ret is malloc'd (free it). */
int store_org_names(rd_db *db, rd_kpi_name **ret, size_t *ret_n);
int store_org_name_upsert(rd_db *db, const char *kind, const char *code, const char *name,
                          const char *parent);

/* A target repeat rate of a unit or team, for one period ("2026-Q4") or standing (""). */
typedef struct rd_kpi_target {
    rd_kpi_dim scope; /* RD_DIM_UNIT or RD_DIM_TEAM */
    char code[RD_ID_MAX];
    char period[RD_PERIOD_LABEL_MAX];
    double rate;
} rd_kpi_target;

/* All targets, in the order of the admin answer (see kpi_store.c); *ret is malloc'd. */
int store_targets(rd_db *db, rd_kpi_target **ret, size_t *ret_n);
int store_target_upsert(rd_db *db, const char *scope, const char *code, const char *period,
                        double rate, const char *who);
