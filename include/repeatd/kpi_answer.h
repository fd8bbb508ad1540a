/* The KPI use cases of the dashboards (app/kpi_*.c): each runs one read-only transaction and
 * answers an rd_kpi_answer, or an rd_refusal for a range it cannot answer. codec/kpi_json.c
 * writes the answers as JSON. */
#pragma once

#include "repeatd/kpi_query.h"
#include "repeatd/kpi_store.h"
#include "repeatd/kpi_types.h"
#include "repeatd/refusal.h"
#include "repeatd/service.h"

/* An endpoint: 0 with *ret (free it with rd_kpi_answer_free), -ECANCELED with *ref (400: from
 * after to, a range too long, a bad parameter of the endpoint), or a store error. */
typedef int rd_kpi_endpoint(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                            rd_refusal *ref);

rd_kpi_endpoint rd_kpi_repeats, rd_kpi_contact_failures, rd_kpi_closeout_quality, rd_kpi_ranking,
    rd_kpi_top_problems, rd_kpi_anomalies, rd_kpi_trend, rd_kpi_green_channel, rd_kpi_decisions;

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

/* The rows of the query's page (all of them without a limit) over the answer's range, each
 * with one of the metrics of `need` (RD_KPI_NEED_ANY, or bits 1 << rd_kpi_metric) not zero,
 * into a->rows; a->has_next and a->next say where the next page starts. */
int rd_kpi_load_page(rd_db *db, rd_kpi_answer *a, const rd_kpi_query *q, unsigned need);

/* Room for n items (a->items, zeroed). */
int rd_kpi_items_alloc(rd_kpi_answer *a, size_t n);

/* Append an item for row (its name looked up) and add its versions to the answer's union. */
rd_kpi_item *rd_kpi_item_add(rd_kpi_answer *a, const rd_kpi_row *row);

/* Add a row's versions to the answer's union. -ENOMEM. */
int rd_kpi_note_versions(rd_kpi_answer *a, const rd_kpi_row *row);

/* Add one version to the answer's union. -ENOMEM. */
int rd_kpi_note_version(rd_kpi_answer *a, int v);

/* Repeats of `key` in the period starting at `period` among rows, 0 when none. */
long rd_kpi_repeats_of(const rd_kpi_row *rows, size_t n, int period, const char *key);
