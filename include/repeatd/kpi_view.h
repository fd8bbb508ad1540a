/* Shared pieces of the KPI handlers: loading a KPI request's context and shaping rows. */
#pragma once

#include "repeatd/kpi_params.h"
#include "repeatd/kpi_store.h"
#include "repeatd/settings.h"

/* What every KPI answer is made from, filled in one read-only transaction. */
typedef struct rd_kpi_ctx {
    rd_request *req;
    rd_kpi_params p;
    rd_settings s;
    int now_month;
    json_t *names;     /* code → display name for the grouping dimension, or NULL */
    json_t *versions;  /* union of the definition versions of the rows used (a JSON array) */
    const void *extra; /* an endpoint's own parameters */
} rd_kpi_ctx;

/* Settings, the current month, the range check and the names of `p.by`'s groups. Returns
 * -ECANCELED after replying 400 for a bad range. */
int rd_kpi_ctx_load(rd_db *db, rd_kpi_ctx *c);
void rd_kpi_ctx_clear(rd_kpi_ctx *c);

/* Add a row's versions to the answer's union. */
void rd_kpi_note_versions(rd_kpi_ctx *c, const rd_kpi_row *row);

/* {"period": label, "group": key, "name": name} for a row (group null for the whole line). */
json_t *rd_kpi_row_head(const rd_kpi_ctx *c, const rd_kpi_row *row);

/* A rate as JSON: null without a denominator. */
json_t *rd_rate_json(long num, long den);

/* The row's versions as a JSON array. */
json_t *rd_versions_json(const rd_kpi_row *row);

/* The top-level answer {"period", "by", "level", "from", "to", "definition_versions", key: rows}.
 */
json_t *rd_kpi_answer(rd_kpi_ctx *c, const char *rows_key, json_t *rows);

/* Run fn in a read-only transaction and reply with what it built in *ret_answer, or the
 * error. */
typedef int (*rd_kpi_fn)(rd_db *db, rd_kpi_ctx *c, json_t **ret_answer);
void rd_kpi_run(rd_request *req, rd_kpi_ctx *c, rd_kpi_fn fn);
