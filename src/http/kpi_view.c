/* Shared pieces of the KPI handlers: one read-only transaction, rows shaped alike. */
#include "repeatd/kpi_view.h"

#include "repeatd/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int load_names(rd_db *db, rd_kpi_ctx *c)
{
    if (!c->p.has_by)
        return 0;
    if (c->p.by == RD_DIM_CATEGORY) {
        rd_category *list;
        size_t n;
        int r = store_categories_list(db, &list, &n);
        if (r < 0)
            return r;
        c->names = json_object();
        for (size_t i = 0; i < n; i++)
            json_object_set_new(c->names, list[i].code, json_string(list[i].name));
        free(list);
        return 0;
    }
    json_t *all;
    int r = store_org_names(db, &all);
    if (r < 0)
        return r;
    c->names = json_incref(json_object_get(all, rd_kpi_dim_name(c->p.by)));
    json_decref(all);
    return 0;
}

int rd_kpi_ctx_load(rd_db *db, rd_kpi_ctx *c)
{
    rd_kpi_ctx_clear(c);
    c->versions = json_array();
    int r = rd_service_settings(c->req->httpd->service, db, &c->s);
    if (r == 0)
        r = store_month_now(db, c->s.time_zone, &c->now_month);
    if (r < 0)
        return r;
    if (!rd_kpi_params_finish(c->req, &c->p, c->now_month))
        return -ECANCELED;
    return load_names(db, c);
}

void rd_kpi_ctx_clear(rd_kpi_ctx *c)
{
    json_decref(c->names);
    json_decref(c->versions);
    c->names = c->versions = NULL;
}

void rd_kpi_note_versions(rd_kpi_ctx *c, const rd_kpi_row *row)
{
    for (int i = 0; i < row->n_versions; i++) {
        size_t j, n = json_array_size(c->versions);
        for (j = 0; j < n; j++)
            if (json_integer_value(json_array_get(c->versions, j)) == row->versions[i])
                break;
        if (j == n)
            json_array_append_new(c->versions, json_integer(row->versions[i]));
    }
}

json_t *rd_versions_json(const rd_kpi_row *row)
{
    json_t *a = json_array();
    for (int i = 0; a && i < row->n_versions; i++)
        json_array_append_new(a, json_integer(row->versions[i]));
    return a;
}

json_t *rd_kpi_row_head(const rd_kpi_ctx *c, const rd_kpi_row *row)
{
    char label[RD_PERIOD_LABEL_MAX];
    rd_period_label(c->p.period, row->period_start, label);
    json_t *name = c->names ? json_object_get(c->names, row->key) : NULL;
    return json_pack("{s:s, s:o, s:O}", "period", label, "group",
                     c->p.has_by ? json_string(row->key) : json_null(), "name",
                     name ? name : json_null());
}

json_t *rd_rate_json(long num, long den)
{
    /* On the denominator, not on rd_rate's -1: a change rate (a fall) is rightly negative. */
    return den == 0 ? json_null() : json_real(rd_rate(num, den));
}

static int cmp_int(const void *a, const void *b)
{
    json_int_t x = json_integer_value(*(json_t *const *)a);
    json_int_t y = json_integer_value(*(json_t *const *)b);
    return (x > y) - (x < y);
}

json_t *rd_kpi_answer(rd_kpi_ctx *c, const char *rows_key, json_t *rows)
{
    char from[RD_PERIOD_LABEL_MAX], to[RD_PERIOD_LABEL_MAX];
    rd_period_label(c->p.period, c->p.from, from);
    rd_period_label(c->p.period, c->p.to, to);
    /* Versions ascending, so that two answers over the same data read the same. */
    size_t n = json_array_size(c->versions);
    json_t **items = calloc(n ? n : 1, sizeof(*items));
    json_t *versions = json_array();
    for (size_t i = 0; items && i < n; i++)
        items[i] = json_array_get(c->versions, i);
    if (items)
        qsort(items, n, sizeof(items[0]), cmp_int);
    for (size_t i = 0; items && i < n; i++)
        json_array_append(versions, items[i]);
    free(items);
    return json_pack("{s:s, s:o, s:o, s:s, s:s, s:o, s:o}", "period",
                     rd_period_kind_name(c->p.period), "by",
                     c->p.has_by ? json_string(rd_kpi_dim_name(c->p.by)) : json_null(), "level",
                     c->p.level ? json_integer(c->p.level) : json_null(), "from", from, "to", to,
                     "definition_versions", versions, rows_key, rows);
}

typedef struct run_call {
    rd_kpi_ctx *c;
    rd_kpi_fn fn;
    json_t *answer;
} run_call;

static int run_tx(rd_db *db, const void *in, void *out)
{
    run_call *k = out;
    json_decref(k->answer);
    k->answer = NULL;
    int r = rd_kpi_ctx_load(db, k->c);
    return r < 0 ? r : k->fn(db, k->c, &k->answer);
}

void rd_kpi_run(rd_request *req, rd_kpi_ctx *c, rd_kpi_fn fn)
{
    run_call k = {.c = c, .fn = fn};
    c->req = req;
    rd_tx tx = {.body = run_tx, .out = &k, .readonly = true};
    int r = rd_request_tx(req, &tx);
    if (r == -ECANCELED) {
        /* the 400 is already set */
    } else if (r < 0) {
        rd_reply_store_error(req, r);
    } else if (!k.answer) {
        rd_reply_store_error(req, -ENOMEM);
    } else {
        rd_reply_json(req, 200, k.answer);
        k.answer = NULL;
    }
    json_decref(k.answer);
    rd_kpi_ctx_clear(c);
}
