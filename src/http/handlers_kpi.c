/* KPI reads for dashboards: repeat counts and rates, rankings, top problems, anomalies and
 * trends, all from the monthly aggregates (never the ticket table). */
#include "repeatd/routes.h"

#include "repeatd/kpi_view.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIMS_ORG (RD_BY(RD_DIM_UNIT) | RD_BY(RD_DIM_TEAM) | RD_BY(RD_DIM_HANDLER))
#define DIMS_ALL (DIMS_ORG | RD_BY(RD_DIM_CATEGORY))

static rd_kpi_dim dim_of(const rd_kpi_ctx *c)
{
    return c->p.has_by ? c->p.by : RD_DIM_TOTAL;
}

static int grouped(rd_db *db, rd_kpi_ctx *c, int from, int to, rd_kpi_row **rows, size_t *n)
{
    return store_kpi_grouped(db, dim_of(c), c->p.level, rd_period_months(c->p.period), from, to,
                             rows, n);
}

/* ---- GET /v1/kpi/repeats ---- */

static int repeats_fn(rd_db *db, rd_kpi_ctx *c, json_t **ret)
{
    rd_kpi_row *rows;
    size_t n;
    int r = grouped(db, c, c->p.from, c->p.to + rd_period_months(c->p.period) - 1, &rows, &n);
    if (r < 0)
        return r;
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = rd_kpi_row_head(c, &rows[i]);
        long cpl = rows[i].v[RD_KPI_COMPLAINTS], rep = rows[i].v[RD_KPI_REPEATS];
        json_object_set_new(o, "complaints", json_integer(cpl));
        json_object_set_new(o, "repeats", json_integer(rep));
        json_object_set_new(o, "repeat_rate", rd_rate_json(rep, cpl));
        json_object_set_new(o, "definition_versions", rd_versions_json(&rows[i]));
        json_array_append_new(out, o);
        rd_kpi_note_versions(c, &rows[i]);
    }
    free(rows);
    *ret = rd_kpi_answer(c, "rows", out);
    return 0;
}

void rd_handle_kpi_repeats(rd_request *req)
{
    rd_kpi_ctx c = {0};
    if (rd_kpi_params_parse(req, &c.p, DIMS_ALL, RD_DIM_TOTAL))
        rd_kpi_run(req, &c, repeats_fn);
}

/* ---- GET /v1/kpi/ranking ---- */

/* A period's own target, else the standing one. */
static json_t *target_of(json_t *targets, rd_kpi_dim by, const char *key, const char *label)
{
    if (by != RD_DIM_UNIT && by != RD_DIM_TEAM)
        return NULL;
    json_t *t = json_object_get(json_object_get(targets, rd_kpi_dim_name(by)), key);
    json_t *v = json_object_get(t, label);
    return v ? v : json_object_get(t, "");
}

typedef struct rank_item {
    const rd_kpi_row *row;
    const rd_rank_row *rank;
} rank_item;

/* Ranked rows by rank, then the unranked ones; ties by group code. */
static int cmp_rank(const void *a, const void *b)
{
    const rank_item *x = a, *y = b;
    if (x->rank->ranked != y->rank->ranked)
        return x->rank->ranked ? -1 : 1;
    if (x->rank->rank != y->rank->rank)
        return x->rank->rank - y->rank->rank;
    return strcmp(x->row->key, y->row->key);
}

static int ranking_fn(rd_db *db, rd_kpi_ctx *c, json_t **ret)
{
    char label[RD_PERIOD_LABEL_MAX];
    rd_period_label(c->p.period, c->p.to, label);
    json_t *targets;
    int r = store_targets(db, &targets);
    if (r < 0)
        return r;
    rd_kpi_row *rows;
    size_t n;
    r = grouped(db, c, c->p.to, c->p.to + rd_period_months(c->p.period) - 1, &rows, &n);
    if (r < 0) {
        json_decref(targets);
        return r;
    }
    /* Tickets not yet dispatched ("") are nobody's: they are not ranked. */
    rd_rank_row *rank = calloc(n ? n : 1, sizeof(*rank));
    size_t m = 0;
    for (size_t i = 0; rank && i < n; i++) {
        if (!rows[i].key[0])
            continue;
        rows[m] = rows[i];
        json_t *t = target_of(targets, c->p.by, rows[m].key, label);
        rank[m] = (rd_rank_row){.complaints = rows[m].v[RD_KPI_COMPLAINTS],
                                .repeats = rows[m].v[RD_KPI_REPEATS],
                                .has_target = t != NULL,
                                .target = json_number_value(t)};
        m++;
    }
    if (!rank) {
        free(rows);
        json_decref(targets);
        return -ENOMEM;
    }
    rd_rank(rank, m, c->s.ranking_min_complaints, c->s.ranking_bottom_n);
    rank_item *items = calloc(m ? m : 1, sizeof(*items));
    for (size_t i = 0; items && i < m; i++)
        items[i] = (rank_item){&rows[i], &rank[i]};
    if (items)
        qsort(items, m, sizeof(*items), cmp_rank);
    json_t *out = json_array();
    for (size_t i = 0; items && i < m; i++) {
        const rd_rank_row *k = items[i].rank;
        json_t *o = rd_kpi_row_head(c, items[i].row);
        json_object_set_new(o, "complaints", json_integer(k->complaints));
        json_object_set_new(o, "repeats", json_integer(k->repeats));
        json_object_set_new(o, "repeat_rate", rd_rate_json(k->repeats, k->complaints));
        json_object_set_new(o, "ranked", json_boolean(k->ranked));
        json_object_set_new(o, "rank", k->ranked ? json_integer(k->rank) : json_null());
        json_object_set_new(o, "target", k->has_target ? json_real(k->target) : json_null());
        json_object_set_new(o, "target_met",
                            k->target_met < 0 ? json_null() : json_boolean(k->target_met));
        json_object_set_new(o, "watch", json_boolean(k->watch));
        json_object_set_new(o, "definition_versions", rd_versions_json(items[i].row));
        json_array_append_new(out, o);
        rd_kpi_note_versions(c, items[i].row);
    }
    free(items);
    free(rank);
    free(rows);
    json_decref(targets);
    c->p.from = c->p.to;
    *ret = rd_kpi_answer(c, "rows", out);
    json_object_set_new(*ret, "min_complaints", json_integer(c->s.ranking_min_complaints));
    json_object_set_new(*ret, "bottom_n", json_integer(c->s.ranking_bottom_n));
    return 0;
}

void rd_handle_kpi_ranking(rd_request *req)
{
    rd_kpi_ctx c = {0};
    if (rd_kpi_params_parse(req, &c.p, DIMS_ORG, RD_DIM_UNIT))
        rd_kpi_run(req, &c, ranking_fn);
}

/* ---- GET /v1/kpi/top-problems ---- */

static long repeats_of(const rd_kpi_row *rows, size_t n, int period, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].period_start == period && !strcmp(rows[i].key, key))
            return rows[i].v[RD_KPI_REPEATS];
    return 0;
}

static int cmp_repeats_desc(const void *a, const void *b)
{
    const rd_kpi_row *x = a, *y = b;
    long rx = x->v[RD_KPI_REPEATS], ry = y->v[RD_KPI_REPEATS];
    return rx != ry ? (rx < ry) - (rx > ry) : strcmp(x->key, y->key);
}

static int top_fn(rd_db *db, rd_kpi_ctx *c, json_t **ret)
{
    long limit;
    if (!rd_int_param(c->req, "limit", 1, 1000, 10, &limit))
        return -ECANCELED;
    int pm = rd_period_months(c->p.period), at = c->p.to, prev = at - pm;
    rd_kpi_row *rows;
    size_t n;
    int r = grouped(db, c, prev, at + pm - 1, &rows, &n);
    if (r < 0)
        return r;
    /* The current period's rows first, by repeats; the previous period is looked up. */
    size_t m = 0;
    rd_kpi_row *cur = calloc(n ? n : 1, sizeof(*cur));
    for (size_t i = 0; cur && i < n; i++)
        if (rows[i].period_start == at && rows[i].v[RD_KPI_REPEATS] > 0)
            cur[m++] = rows[i];
    if (!cur) {
        free(rows);
        return -ENOMEM;
    }
    qsort(cur, m, sizeof(*cur), cmp_repeats_desc);
    json_t *out = json_array();
    char prev_label[RD_PERIOD_LABEL_MAX];
    rd_period_label(c->p.period, prev, prev_label);
    for (size_t i = 0; i < m && (long)i < limit; i++) {
        long now = cur[i].v[RD_KPI_REPEATS], before = repeats_of(rows, n, prev, cur[i].key);
        json_t *o = rd_kpi_row_head(c, &cur[i]);
        json_object_set_new(o, "repeats", json_integer(now));
        json_object_set_new(o, "complaints", json_integer(cur[i].v[RD_KPI_COMPLAINTS]));
        json_object_set_new(o, "previous_repeats", json_integer(before));
        json_object_set_new(o, "change", json_integer(now - before));
        json_object_set_new(o, "change_rate", rd_rate_json(now - before, before));
        json_object_set_new(o, "definition_versions", rd_versions_json(&cur[i]));
        json_array_append_new(out, o);
        rd_kpi_note_versions(c, &cur[i]);
    }
    free(cur);
    free(rows);
    c->p.from = at;
    *ret = rd_kpi_answer(c, "rows", out);
    json_object_set_new(*ret, "previous_period", json_string(prev_label));
    return 0;
}

void rd_handle_kpi_top_problems(rd_request *req)
{
    rd_kpi_ctx c = {0};
    if (rd_kpi_params_parse(req, &c.p, RD_BY(RD_DIM_CATEGORY), RD_DIM_CATEGORY))
        rd_kpi_run(req, &c, top_fn);
}

/* ---- GET /v1/kpi/anomalies ---- */

#define BASELINE_MAX 24

/* Highest score first, equal scores by group: qsort is not stable, so the rows' key order
 * would not survive it. */
static int cmp_score_desc(const void *a, const void *b)
{
    json_t *ja = *(json_t *const *)a, *jb = *(json_t *const *)b;
    double x = json_real_value(json_object_get(ja, "score"));
    double y = json_real_value(json_object_get(jb, "score"));
    if (x != y)
        return (x < y) - (x > y);
    const char *ga = json_string_value(json_object_get(ja, "group"));
    const char *gb = json_string_value(json_object_get(jb, "group"));
    return strcmp(ga ? ga : "", gb ? gb : "");
}

static int anomalies_fn(rd_db *db, rd_kpi_ctx *c, json_t **ret)
{
    long baseline, min_repeats, min_score, limit;
    if (!rd_int_param(c->req, "baseline", 1, BASELINE_MAX, 6, &baseline) ||
        !rd_int_param(c->req, "min_repeats", 1, 100000, 3, &min_repeats) ||
        !rd_int_param(c->req, "min_score", 0, 300, 3, &min_score) ||
        !rd_int_param(c->req, "limit", 1, 1000, 50, &limit))
        return -ECANCELED;
    int pm = rd_period_months(c->p.period), at = c->p.to, first = at - (int)baseline * pm;
    rd_kpi_row *rows;
    size_t n;
    int r = grouped(db, c, first, at + pm - 1, &rows, &n);
    if (r < 0)
        return r;
    json_t *found = json_array();
    for (size_t i = 0; i < n; i++) {
        if (rows[i].period_start != at || !rows[i].key[0])
            continue;
        long history[BASELINE_MAX];
        for (int b = 0; b < baseline; b++)
            history[b] = repeats_of(rows, n, first + b * pm, rows[i].key);
        rd_anomaly a = rd_anomaly_score(rows[i].v[RD_KPI_REPEATS], history, (size_t)baseline,
                                        (double)min_score, min_repeats);
        if (!a.flagged)
            continue;
        json_t *o = rd_kpi_row_head(c, &rows[i]);
        json_object_set_new(o, "observed", json_integer(rows[i].v[RD_KPI_REPEATS]));
        json_object_set_new(o, "baseline", json_real(a.baseline));
        json_object_set_new(o, "p_value", json_real(a.p_value));
        json_object_set_new(o, "score", json_real(a.score));
        json_t *h = json_array();
        for (int b = 0; b < baseline; b++)
            json_array_append_new(h, json_integer(history[b]));
        json_object_set_new(o, "history", h);
        json_object_set_new(o, "definition_versions", rd_versions_json(&rows[i]));
        json_array_append_new(found, o);
        rd_kpi_note_versions(c, &rows[i]);
    }
    free(rows);
    /* Highest score first, then by group. */
    size_t m = json_array_size(found);
    json_t **items = calloc(m ? m : 1, sizeof(*items));
    for (size_t i = 0; items && i < m; i++)
        items[i] = json_array_get(found, i);
    if (items)
        qsort(items, m, sizeof(*items), cmp_score_desc);
    json_t *out = json_array();
    for (size_t i = 0; items && i < m && (long)i < limit; i++)
        json_array_append(out, items[i]);
    free(items);
    json_decref(found);
    c->p.from = at;
    *ret = rd_kpi_answer(c, "rows", out);
    json_object_set_new(*ret, "method",
                        json_pack("{s:s, s:i, s:f, s:i}", "name", "poisson_upper_tail",
                                  "baseline_periods", (json_int_t)baseline, "min_score",
                                  (double)min_score, "min_repeats", (json_int_t)min_repeats));
    return 0;
}

void rd_handle_kpi_anomalies(rd_request *req)
{
    rd_kpi_ctx c = {0};
    if (rd_kpi_params_parse(req, &c.p, RD_BY(RD_DIM_UNIT) | RD_BY(RD_DIM_CATEGORY),
                            RD_DIM_CATEGORY))
        rd_kpi_run(req, &c, anomalies_fn);
}
