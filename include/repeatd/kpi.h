/* KPI math of DOMAIN.md, pure: calendar periods, rates, rankings, anomaly scores, and the
 * deltas that keep the monthly aggregates current as tickets and events arrive. */
#pragma once

#include "repeatd/domain.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- calendar periods over month indices (year * 12 + month - 1, see months.h) ---- */

typedef enum rd_period_kind {
    RD_PERIOD_MONTH = 0,
    RD_PERIOD_QUARTER,
    RD_PERIOD_YEAR,
} rd_period_kind;

#define RD_PERIOD_LABEL_MAX 16

/* "month" | "quarter" | "year". 0 or -EINVAL. */
int rd_period_kind_parse(const char *s, rd_period_kind *ret);
const char *rd_period_kind_name(rd_period_kind k);

/* Parse a period label of kind k ("2026-10", "2026-Q4", "2026"; years 1900..9999) into the
 * first month index of that period. 0 or -EINVAL. */
int rd_period_parse(rd_period_kind k, const char *s, int *ret_first_month);

/* Parse a period label of any kind (a month, a quarter or a year, told apart by its shape):
 * 0 with its kind and first month index, or -EINVAL (s NULL or no kind's label). */
int rd_period_parse_any(const char *s, rd_period_kind *ret_kind, int *ret_first_month);

/* The first month index of the period of kind k that contains `month`. */
int rd_period_start(rd_period_kind k, int month);

/* Months in one period of kind k: 1, 3 or 12. */
int rd_period_months(rd_period_kind k);

/* The label of the period of kind k that contains `month`. */
void rd_period_label(rd_period_kind k, int month, char ret[RD_PERIOD_LABEL_MAX]);

/* ---- rates ---- */

/* num / den, or -1 when den is 0 (shown as null: no rate without complaints). */
double rd_rate(long num, long den);

/* ---- ranking of units, teams or handlers by repeat rate ---- */

typedef struct rd_rank_row {
    /* in */
    long complaints;
    long repeats;
    bool has_target;
    double target; /* target repeat rate: met when rate <= target */
    /* out */
    double rate;    /* rd_rate(repeats, complaints) */
    bool ranked;    /* complaints >= min_complaints (and > 0) */
    int rank;       /* 1 = lowest repeat rate; ties share a rank (1, 2, 2, 4); 0 unranked */
    int target_met; /* -1 no target, 0 missed, 1 met */
    bool watch;     /* among the bottom N ranked: the improvement watch (末位改善专项) */
} rd_rank_row;

/* Rank rows in place (their order is kept). Ties at the bottom boundary are all flagged: a
 * row is on the watch when fewer than bottom_n ranked rows have a strictly worse rate. */
void rd_rank(rd_rank_row *rows, size_t n, long min_complaints, int bottom_n);

/* ---- anomalies (异动问题) ---- */

/* Baseline floor: a group with no repeats in its recent past has an expected count of this,
 * so that one call is not infinitely surprising. */
#define RD_ANOMALY_BASELINE_FLOOR 0.5

/* The anomaly rule's defaults: a group is scored against its previous 6 periods and flagged
 * from 3 repeats and a score of 3 (GET /v1/kpi/anomalies without those parameters, the
 * /metrics headline, the report, the problems suggested). */
#define RD_ANOMALY_DEFAULT_BASELINE    6
#define RD_ANOMALY_DEFAULT_MIN_REPEATS 3
#define RD_ANOMALY_DEFAULT_MIN_SCORE   3

typedef struct rd_anomaly {
    double baseline; /* mean of the history, floored at RD_ANOMALY_BASELINE_FLOOR */
    double p_value;  /* P(X >= observed) for X ~ Poisson(baseline) */
    double score;    /* -log10(p_value), 0 when observed <= baseline */
    bool flagged;    /* score >= min_score and observed >= min_observed */
} rd_anomaly;

/* Exact Poisson upper tail against the group's own recent baseline: sound for small counts,
 * where a z-score on a handful of calls is meaningless. */
rd_anomaly rd_anomaly_score(long observed, const long *history, size_t n_history, double min_score,
                            long min_observed);

/* ---- aggregate deltas ---- */

typedef enum rd_kpi_dim {
    RD_DIM_TOTAL = 0, /* key "" */
    RD_DIM_UNIT,
    RD_DIM_TEAM,
    RD_DIM_HANDLER,
    RD_DIM_CATEGORY, /* leaf category code */
    /* "leaf/unit": complaints and repeats only, for the problem list's unit-scoped effect;
     * no KPI answer groups by it. */
    RD_DIM_UNIT_CATEGORY,
    /* The decision's wire name ("new", "repeat", ...): its complaints count every ticket so
     * decided, excluded calls included (GET /v1/kpi/decisions; rd_kpi_decided); no other
     * metric, and no KPI answer groups by it. */
    RD_DIM_DECISION,
    RD_DIM_COUNT_
} rd_kpi_dim;

typedef enum rd_kpi_metric {
    RD_KPI_COMPLAINTS = 0, /* tickets that created a work order, by current assignment */
    RD_KPI_REPEATS,        /* tickets decided repeat, by the assignment of the ticket repeated */
    RD_KPI_CONTACTED,      /* tickets with a contact attempt, by assignment at the first */
    RD_KPI_FIRST_CONTACT_FAILED, /* of those, the first attempt failed */
    RD_KPI_CLOSEOUTS_INSPECTED,  /* close-outs inspected, by assignment when written */
    RD_KPI_CLOSEOUTS_REJECTED,
    RD_KPI_FALSE_CLOSEOUTS, /* tickets whose close-out an audit found false */
    RD_KPI_METRIC_COUNT_
} rd_kpi_metric;

/* Wire names: "complaints", "repeats", ... and dims "total", "unit", "team", "handler",
 * "category". */
const char *rd_kpi_metric_name(rd_kpi_metric m);
const char *rd_kpi_dim_name(rd_kpi_dim d);
int rd_kpi_dim_parse(const char *s, rd_kpi_dim *ret);

/* The key of RD_DIM_UNIT_CATEGORY: "leaf/unit" (a category code has no '/'); false, with ""
 * in ret, when either is empty or the two do not fit a key (a unit code of some 190 bytes). */
bool rd_kpi_unit_category_key(const char *category, const char *unit, char ret[RD_ID_MAX]);

/* Who a ticket is assigned to; "" for not (yet) known. */
typedef struct rd_assignment {
    char unit[RD_ID_MAX], team[RD_ID_MAX], handler[RD_ID_MAX];
} rd_assignment;

typedef struct rd_kpi_delta {
    rd_kpi_dim dim;
    char key[RD_ID_MAX];
    int month;   /* the ticket's received month */
    int version; /* the ticket's definition version */
    long values[RD_KPI_METRIC_COUNT_];
} rd_kpi_delta;

#define RD_KPI_DELTAS_MAX 24

/* A list of deltas with at most one entry per (dim, key, month, version). */
typedef struct rd_kpi_deltas {
    rd_kpi_delta d[RD_KPI_DELTAS_MAX];
    size_t n;
} rd_kpi_deltas;

/* Add `amount` of `metric` for a ticket of leaf `category`, month and version, assigned to
 * `who`, to every dimension (total, unit, team, handler, category), merging entries with the
 * same key. An empty unit, team or handler (not dispatched) is no group and is skipped: such a
 * ticket counts in the total and its category only. Entries whose values all come to 0 stay
 * in the list with zeros. */
void rd_kpi_add(rd_kpi_deltas *ds, const rd_assignment *who, const char *category, int month,
                int version, rd_kpi_metric metric, long amount);

/* Intake: a complaint counts in the total and its category (it has no assignment yet);
 * a repeat counts under the assignment of the ticket it repeats. */
void rd_kpi_intake(rd_kpi_deltas *ds, const char *category, int month, int version,
                   bool creates_work_order, bool counts_as_repeat, const rd_assignment *prior);

/* Every ticket counts once under its decision (its wire name), whatever the decision, in the
 * month it was received: the decision mix, read from the aggregates so that it costs the same
 * at any size of history and keeps its numbers when retention drops the tickets. */
void rd_kpi_decided(rd_kpi_deltas *ds, const char *decision, int month, int version);

/* A (re)dispatch moves the ticket's complaint from its old assignment (none the first time)
 * to the new one. */
void rd_kpi_dispatch(rd_kpi_deltas *ds, const char *category, int month, int version,
                     const rd_assignment *before, const rd_assignment *after);
