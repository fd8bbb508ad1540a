/* The KPI use cases of the dashboards (app/kpi_*.c): each runs one read-only transaction and
 * answers an rd_kpi_answer, or an rd_refusal for a range it cannot answer. codec/kpi_json.c
 * writes the answers as JSON. */
#pragma once

#include "repeatd/kpi_query.h"
#include "repeatd/kpi_store.h"
#include "repeatd/refusal.h"
#include "repeatd/service.h"

/* One row of an answer: a group in a period, with what the endpoint made of it. */
typedef struct rd_kpi_item {
    int period_start;      /* first month of the row's period */
    const rd_kpi_row *row; /* the counts; NULL for a trend period without any */
    const char *name;      /* display name of row->key, NULL when it has none */
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

/* Frees what the answer holds and zeroes it; NULL and a zeroed answer are fine. */
void rd_kpi_answer_free(rd_kpi_answer *a);

/* An endpoint: 0 with *ret (free it with rd_kpi_answer_free), -ECANCELED with *ref (400: from
 * after to, a range too long, a bad parameter of the endpoint), or a store error. */
typedef int rd_kpi_endpoint(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                            rd_refusal *ref);

rd_kpi_endpoint rd_kpi_repeats, rd_kpi_contact_failures, rd_kpi_closeout_quality, rd_kpi_ranking,
    rd_kpi_top_problems, rd_kpi_anomalies, rd_kpi_trend, rd_kpi_green_channel;

/* This calendar month's whole-hotline numbers (the /metrics headline). */
typedef struct rd_kpi_headline {
    int month;
    long complaints, repeats;
} rd_kpi_headline;

int rd_kpi_headline_get(rd_service *svc, rd_db **db, rd_kpi_headline *ret);

/* ---- shared by app/kpi_*.c (app/kpi_frame.c) ---- */

/* What an endpoint's body gets: the query, the settings and the month of now. */
typedef struct rd_kpi_ctx {
    const rd_kpi_query *q;
    rd_settings s;
    int now_month;
} rd_kpi_ctx;

/* An endpoint's part of the transaction, after the frame is loaded into *a. */
typedef int (*rd_kpi_body)(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a);

/* Run body in one read-only transaction after loading the settings, the month of now, the
 * range (refused when from is after to or too long) and the names of q->by's groups. */
int rd_kpi_run(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_body body,
               rd_kpi_answer *ret, rd_refusal *ref);

/* store_kpi_grouped for the answer's grouping, over [from, to + a period - 1]; the rows become
 * the answer's (a->rows). */
int rd_kpi_load_rows(rd_db *db, rd_kpi_answer *a, int from, int to);

/* Room for n items (a->items, zeroed). */
int rd_kpi_items_alloc(rd_kpi_answer *a, size_t n);

/* Append an item for row (its name looked up) and add its versions to the answer's union. */
rd_kpi_item *rd_kpi_item_add(rd_kpi_answer *a, const rd_kpi_row *row);

/* Add a row's versions to the answer's union. -ENOMEM. */
int rd_kpi_note_versions(rd_kpi_answer *a, const rd_kpi_row *row);

/* Repeats of `key` in the period starting at `period` among rows, 0 when none. */
long rd_kpi_repeats_of(const rd_kpi_row *rows, size_t n, int period, const char *key);
