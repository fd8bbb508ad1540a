/* KPI reads on handling quality: first-contact failures, close-out quality, the green
 * channel. */
#include "repeatd/routes.h"

#include "repeatd/kpi_view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define DIMS_ORG (RD_BY(RD_DIM_UNIT) | RD_BY(RD_DIM_TEAM) | RD_BY(RD_DIM_HANDLER))

/* ---- GET /v1/kpi/contact-failures (首次联系失败率) ---- */

static int contact_fn(rd_db *db, rd_kpi_ctx *c, json_t **ret)
{
    rd_kpi_row *rows;
    size_t n;
    int r = store_kpi_grouped(db, c->p.by, 0, rd_period_months(c->p.period), c->p.from,
                              c->p.to + rd_period_months(c->p.period) - 1, &rows, &n);
    if (r < 0)
        return r;
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        long contacted = rows[i].v[RD_KPI_CONTACTED];
        long failed = rows[i].v[RD_KPI_FIRST_CONTACT_FAILED];
        if (contacted == 0)
            continue;
        json_t *o = rd_kpi_row_head(c, &rows[i]);
        json_object_set_new(o, "contacted", json_integer(contacted));
        json_object_set_new(o, "first_contact_failed", json_integer(failed));
        json_object_set_new(o, "first_contact_failure_rate", rd_rate_json(failed, contacted));
        json_object_set_new(o, "definition_versions", rd_versions_json(&rows[i]));
        json_array_append_new(out, o);
        rd_kpi_note_versions(c, &rows[i]);
    }
    free(rows);
    *ret = rd_kpi_answer(c, "rows", out);
    return 0;
}

void rd_handle_kpi_contact_failures(rd_request *req)
{
    rd_kpi_ctx c = {0};
    if (rd_kpi_params_parse(req, &c.p, DIMS_ORG, RD_DIM_UNIT))
        rd_kpi_run(req, &c, contact_fn);
}

/* ---- GET /v1/kpi/closeout-quality ---- */

static int quality_fn(rd_db *db, rd_kpi_ctx *c, json_t **ret)
{
    int last = c->p.to + rd_period_months(c->p.period) - 1;
    json_t *defects;
    int r = store_kpi_top_defects(db, c->p.by, rd_period_months(c->p.period), c->p.from, last, 5,
                                  &defects);
    if (r < 0)
        return r;
    rd_kpi_row *rows;
    size_t n;
    r = store_kpi_grouped(db, c->p.by, 0, rd_period_months(c->p.period), c->p.from, last, &rows,
                          &n);
    if (r < 0) {
        json_decref(defects);
        return r;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        long inspected = rows[i].v[RD_KPI_CLOSEOUTS_INSPECTED];
        long rejected = rows[i].v[RD_KPI_CLOSEOUTS_REJECTED];
        long false_co = rows[i].v[RD_KPI_FALSE_CLOSEOUTS];
        if (inspected == 0 && false_co == 0)
            continue;
        char period[16];
        snprintf(period, sizeof(period), "%d", rows[i].period_start);
        json_t *top = json_object_get(json_object_get(defects, period), rows[i].key);
        json_t *o = rd_kpi_row_head(c, &rows[i]);
        json_object_set_new(o, "inspected", json_integer(inspected));
        json_object_set_new(o, "rejected", json_integer(rejected));
        json_object_set_new(o, "pass_rate", rd_rate_json(inspected - rejected, inspected));
        json_object_set_new(o, "false_closeouts", json_integer(false_co));
        json_object_set_new(o, "top_defects", top ? json_incref(top) : json_array());
        json_object_set_new(o, "definition_versions", rd_versions_json(&rows[i]));
        json_array_append_new(out, o);
        rd_kpi_note_versions(c, &rows[i]);
    }
    free(rows);
    json_decref(defects);
    *ret = rd_kpi_answer(c, "rows", out);
    return 0;
}

void rd_handle_kpi_closeout_quality(rd_request *req)
{
    rd_kpi_ctx c = {0};
    if (rd_kpi_params_parse(req, &c.p, RD_BY(RD_DIM_UNIT) | RD_BY(RD_DIM_HANDLER), RD_DIM_UNIT))
        rd_kpi_run(req, &c, quality_fn);
}

/* ---- GET /v1/kpi/green-channel (绿色通道) ---- */

static int green_fn(rd_db *db, rd_kpi_ctx *c, json_t **ret)
{
    long limit;
    if (!rd_int_param(c->req, "limit", 1, 1000, 100, &limit))
        return -ECANCELED;
    json_t *chains;
    int r = store_green_channel(db, c->s.green_channel_min_repeats, (int)limit, &chains);
    if (r < 0)
        return r;
    *ret = json_pack("{s:i, s:i, s:o}", "min_repeats", c->s.green_channel_min_repeats,
                     "definition_version", c->s.definition_version, "chains", chains);
    return 0;
}

void rd_handle_kpi_green_channel(rd_request *req)
{
    rd_kpi_ctx c = {0};
    if (rd_kpi_params_parse(req, &c.p, 0, RD_DIM_TOTAL))
        rd_kpi_run(req, &c, green_fn);
}
