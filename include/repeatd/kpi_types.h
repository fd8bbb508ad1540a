/* The KPI answers' types: what the store reads (rows of the aggregates, defect counts, green
 * chains, names, targets) and what the service layer answers with them (rd_kpi_answer), for
 * codec/kpi_json.c to write. Plain data, no I/O. */
#pragma once

#include "repeatd/domain.h"
#include "repeatd/kpi.h"
#include "repeatd/kpi_query.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RD_NAME_MAX 801 /* 200 characters of UTF-8 */

typedef struct rd_kpi_row {
    int period_start; /* first month of the period */
    char key[RD_ID_MAX];
    long v[RD_KPI_METRIC_COUNT_];
    /* Definition versions that made these numbers, ascending. As many as an answer's union
     * holds (kpi_view.c): a year's row easily spans more than a handful of settings changes. */
    int versions[64];
    int n_versions;
} rd_kpi_row;

/* How many defect codes closeout-quality lists per row (its CSV has a column pair for each). */
#define RD_KPI_TOP_DEFECTS 5

/* The top defect codes of one period (of `period_months`, aligned like store_kpi_grouped's)
 * and key (a unit or a handler). */
typedef struct rd_kpi_defect_count {
    int period_start;
    char key[RD_ID_MAX];
    int rank; /* 1 = the most frequent in its period and key; ties by code */
    char code[48];
    long count;
} rd_kpi_defect_count;

/* An open chain that may be in the green channel: its newest repeat and its first ticket.
 * Text that is NULL in the database is "" with its has_ flag false. */
typedef struct rd_green_chain {
    char chain_id[RD_ID_MAX], latest_ticket_id[RD_ID_MAX], category[RD_ID_MAX];
    char citizen[RD_ID_MAX]; /* masked phone */
    bool has_citizen;
    int repeats;                                                /* the newest repeat's ordinal */
    bool open;                                                  /* the newest repeat is open */
    int64_t first_received_us, latest_received_us, deadline_us; /* unix microseconds */
    int first_received_tz, latest_received_tz, deadline_tz;     /* time_zone's offsets, seconds */
    bool has_deadline;
    char original_unit[RD_ID_MAX], original_team[RD_ID_MAX], original_handler[RD_ID_MAX];
    bool has_original_unit, has_original_team, has_original_handler;
    char unit[RD_ID_MAX], team[RD_ID_MAX], handler[RD_ID_MAX];
    bool has_unit, has_team, has_handler;
} rd_green_chain;

/* The display name of a unit, team, handler or category. */
typedef struct rd_kpi_name {
    rd_kpi_dim dim;
    char code[RD_ID_MAX];
    char name[RD_NAME_MAX];
    char parent[RD_ID_MAX]; /* a team's unit, a handler's team, a category's parent; "" if none */
} rd_kpi_name;

/* A target repeat rate of a unit or team, for one period ("2026-Q4") or standing (""). */
typedef struct rd_kpi_target {
    rd_kpi_dim scope; /* RD_DIM_UNIT or RD_DIM_TEAM */
    char code[RD_ID_MAX];
    char period[RD_PERIOD_LABEL_MAX];
    double rate;
} rd_kpi_target;

/* Tickets of one decision and definition version received in a period (of `period_months`,
 * aligned like store_kpi_grouped's), as store_kpi_decisions reads them. */
typedef struct rd_kpi_decision_count {
    int period_start;
    rd_decision_kind decision;
    int version;
    long n;
} rd_kpi_decision_count;

#define RD_DECISION_KIND_COUNT (RD_DECISION_EXCLUDED_UNMEETABLE + 1)

/* The decision mix of one period (GET /v1/kpi/decisions): every decision, zeros included. */
typedef struct rd_kpi_decision_mix {
    int period_start;
    long n[RD_DECISION_KIND_COUNT]; /* by rd_decision_kind */
    long total;
    int versions[64]; /* ascending; as many as rd_kpi_row holds */
    int n_versions;
} rd_kpi_decision_mix;

/* One row of an answer: a group in a period, with what the endpoint made of it. */
typedef struct rd_kpi_item {
    int period_start;      /* first month of the row's period */
    const rd_kpi_row *row; /* the counts; NULL for a trend period without any */
    const char *name;      /* display name of row->key, NULL when it has none */
    const char *parent;    /* the group's parent (rd_kpi_name.parent), NULL when it has none */
    long previous;         /* top-problems: repeats in the previous period */
    rd_rank_row rank;      /* ranking */
    rd_anomaly anomaly;    /* anomalies */
    const long *history;   /* anomalies: repeats of the baseline periods, oldest first */
    const rd_kpi_defect_count *defects; /* closeout-quality: the row's top codes */
    size_t n_defects;
} rd_kpi_item;

typedef struct rd_kpi_answer {
    /* What was answered: the query's range, filled in (see rd_kpi_frame_load). */
    rd_period_kind period;
    bool has_by;
    rd_kpi_dim by;
    int level;
    int from, to;
    int *versions; /* union of the definition versions of the items, ascending */
    size_t n_versions;

    rd_kpi_item *items;
    size_t n_items;

    /* By endpoint. */
    int min_complaints, bottom_n;              /* ranking: the settings ranked by */
    int previous_period;                       /* top-problems: first month of the previous one */
    long baseline, min_score, min_repeats;     /* anomalies: the method's parameters */
    const rd_kpi_trend_metric *metric;         /* trend */
    const char *group;                         /* trend: borrowed from the query */
    int green_min_repeats, definition_version; /* green-channel */
    rd_green_chain *chains;
    size_t n_chains;
    rd_kpi_decision_mix *mixes; /* decisions: one per period, from to to */
    size_t n_mixes;
    bool has_next;      /* a paged list: rows remain after this page, from `next` on */
    rd_kpi_cursor next; /* the last row of this page */

    /* What the items point into. */
    rd_kpi_row *rows;
    size_t n_rows;
    rd_kpi_name *names;
    size_t n_names;
    rd_kpi_defect_count *defects;
    size_t n_defects;
    long *histories;
    size_t cap_versions;
} rd_kpi_answer;

/* Frees what the answer holds and zeroes it; NULL and a zeroed answer are fine (app/). */
void rd_kpi_answer_free(rd_kpi_answer *a);

/* This calendar month's whole-hotline numbers (the /metrics headline). */
typedef struct rd_kpi_headline {
    int month;
    long complaints, repeats;
    /* Groups that GET /v1/kpi/anomalies flags this month with its defaults, by leaf category
     * and by unit. */
    long anomalies_category, anomalies_unit;
} rd_kpi_headline;
