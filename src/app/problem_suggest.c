/* GET /v1/problems/suggestions: what deserves a place on the problem list and is not on it yet.
 * The period's top problems and anomalies come from the KPI use cases themselves (the same
 * numbers as /v1/kpi/top-problems and /v1/kpi/anomalies by category); hotspots (聚集性问题)
 * from one index range of the period's located tickets, clustered in core. */
#include "repeatd/problem_list.h"

#include "repeatd/closeout.h" /* rd_utf8_chars */
#include "repeatd/kpi_answer.h"
#include "repeatd/problem_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP_LIMIT         10 /* as GET /v1/kpi/top-problems answers by default */
#define HOTSPOTS_PER_LEAF 5
#define SUGGESTIONS_MAX   200

void rd_problem_suggestions_free(rd_problem_suggestions *s)
{
    if (!s)
        return;
    free(s->versions);
    free(s->items);
    memset(s, 0, sizeof(*s));
}

/* What the hotspot part reads in its own transaction. */
typedef struct hot_in {
    rd_service *svc;
    bool has_month; /* false: the current month */
    int month;
} hot_in;

typedef struct hot_out {
    rd_settings s;
    int now_month, month;
    char period[RD_PERIOD_LABEL_MAX];
    store_problem_scope *scopes;
    size_t n_scopes;
    rd_kpi_name *names;
    size_t n_names;
    rd_problem_suggestion *items;
    size_t n, cap;
} hot_out;

static void hot_clear(void *out_)
{
    hot_out *out = out_;
    free(out->scopes);
    free(out->names);
    free(out->items);
    memset(out, 0, sizeof(*out));
}

static rd_problem_suggestion *add(hot_out *out)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 32;
        rd_problem_suggestion *p = realloc(out->items, cap * sizeof(*p));
        if (!p)
            return NULL;
        out->items = p;
        out->cap = cap;
    }
    rd_problem_suggestion *sg = &out->items[out->n++];
    memset(sg, 0, sizeof(*sg));
    return sg;
}

static const char *name_of(const hot_out *out, const char *code)
{
    for (size_t i = 0; i < out->n_names; i++)
        if (!strcmp(out->names[i].code, code))
            return out->names[i].name;
    return code;
}

/* The hotspots of one leaf: points [lo, hi) of the located tickets. */
static int leaf_hotspots(const store_located *t, size_t lo, size_t hi, const rd_hotspot_rule *rule,
                         hot_out *out)
{
    size_t n = hi - lo;
    rd_hotspot_point *pts = calloc(n, sizeof(*pts));
    if (!pts)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        pts[i] = (rd_hotspot_point){t[lo + i].at, t[lo + i].lat, t[lo + i].lon, t[lo + i].citizen};
    rd_hotspot found[HOTSPOTS_PER_LEAF];
    int k = rd_hotspots_find(pts, n, rule, found, HOTSPOTS_PER_LEAF);
    free(pts);
    for (int i = 0; i < k; i++) {
        rd_problem_suggestion *sg = add(out);
        if (!sg)
            return -ENOMEM;
        const store_located *a = &t[lo + found[i].anchor];
        snprintf(sg->source, sizeof(sg->source), "hotspot");
        snprintf(sg->category, sizeof(sg->category), "%s", a->category);
        sg->citizens = found[i].citizens;
        sg->tickets = found[i].tickets;
        sg->lat = found[i].lat;
        sg->lon = found[i].lon;
        /* The offsets of the first and last tickets: find them among the leaf's points. */
        for (size_t j = lo; j < hi; j++) {
            if (t[j].at == found[i].first_at)
                sg->first_at = (rd_instant){t[j].at * 1000000, t[j].offset};
            if (t[j].at == found[i].last_at)
                sg->last_at = (rd_instant){t[j].at * 1000000, t[j].offset};
        }
    }
    return k < 0 ? k : 0;
}

static int hot_body(rd_db *db, const void *in_, void *out_)
{
    const hot_in *in = in_;
    hot_out *out = out_;
    int64_t from, until;
    int r = rd_service_settings(in->svc, db, &out->s);
    if (r == 0)
        r = store_month_now(db, out->s.time_zone, &out->now_month);
    if (r < 0)
        return r;
    out->month = in->has_month ? in->month : out->now_month;
    rd_period_label(RD_PERIOD_MONTH, out->month, out->period);
    r = store_problem_scopes(db, out->period, &out->scopes, &out->n_scopes);
    if (r == 0)
        r = store_kpi_names(db, RD_DIM_CATEGORY, &out->names, &out->n_names);
    if (r == 0)
        r = store_month_start(db, out->s.time_zone, out->month, &from);
    if (r == 0)
        r = store_month_start(db, out->s.time_zone, out->month + 1, &until);
    if (r < 0)
        return r;
    rd_hotspot_rule rule = {.min_citizens = out->s.hotspot_min_citizens,
                            .radius_m = out->s.hotspot_radius_m,
                            .days = out->s.hotspot_days,
                            .from = from,
                            .until = until};
    store_located *t = NULL;
    size_t n = 0;
    r = store_located_tickets(db, from - (int64_t)rule.days * 86400, until, out->s.time_zone, &t,
                              &n);
    for (size_t lo = 0; r == 0 && lo < n;) {
        size_t hi = lo + 1;
        while (hi < n && !strcmp(t[hi].category, t[lo].category))
            hi++;
        r = leaf_hotspots(t, lo, hi, &rule, out);
        lo = hi;
    }
    free(t);
    return r;
}

/* A problem open or in progress on the whole category, or one this period already surfaced
 * there, keeps a suggestion off. */
static bool listed(const hot_out *h, const char *category)
{
    for (size_t i = 0; i < h->n_scopes; i++)
        if (!h->scopes[i].has_unit && !strcmp(h->scopes[i].category, category))
            return true;
    return false;
}

static int note_versions(rd_problem_suggestions *ret, const rd_kpi_answer *a)
{
    for (size_t i = 0; i < a->n_versions; i++) {
        bool seen = false;
        for (size_t k = 0; k < ret->n_versions; k++)
            seen |= ret->versions[k] == a->versions[i];
        if (seen)
            continue;
        int *p = realloc(ret->versions, (ret->n_versions + 1) * sizeof(int));
        if (!p)
            return -ENOMEM;
        ret->versions = p;
        size_t k = ret->n_versions++;
        while (k > 0 && p[k - 1] > a->versions[i]) {
            p[k] = p[k - 1];
            k--;
        }
        p[k] = a->versions[i];
    }
    return 0;
}

/* A title of at most 200 characters: the category's name when it fits, else its code. */
static void make_title(rd_problem_suggestion *sg, const char *name, const char *fmt_tail)
{
    snprintf(sg->title, sizeof(sg->title), "%s: %s", name, fmt_tail);
    if (rd_utf8_chars(sg->title) > 200)
        snprintf(sg->title, sizeof(sg->title), "%s: %s", sg->category, fmt_tail);
    snprintf(sg->category_name, sizeof(sg->category_name), "%s", name);
}

static int from_kpis(rd_service *svc, rd_db **db, int month, hot_out *h,
                     rd_problem_suggestions *ret, rd_refusal *ref)
{
    rd_kpi_query q = {.period = RD_PERIOD_MONTH,
                      .has_from = true,
                      .has_to = true,
                      .from = month,
                      .to = month,
                      .has_by = true,
                      .by = RD_DIM_CATEGORY,
                      .limit = TOP_LIMIT};
    rd_kpi_answer top = {0}, anom = {0};
    int r = rd_kpi_top_problems(svc, db, &q, &top, ref);
    if (r == 0) {
        q.baseline = RD_ANOMALY_DEFAULT_BASELINE;
        q.min_score = RD_ANOMALY_DEFAULT_MIN_SCORE;
        q.min_repeats = RD_ANOMALY_DEFAULT_MIN_REPEATS;
        q.limit = 50;
        r = rd_kpi_anomalies(svc, db, &q, &anom, ref);
    }
    if (r == 0)
        r = note_versions(ret, &top);
    if (r == 0)
        r = note_versions(ret, &anom);
    char tail[160];
    for (size_t i = 0; r == 0 && i < top.n_items; i++) {
        const rd_kpi_item *it = &top.items[i];
        if (listed(h, it->row->key))
            continue;
        rd_problem_suggestion *sg = add(h);
        if (!sg) {
            r = -ENOMEM;
            break;
        }
        snprintf(sg->source, sizeof(sg->source), "top_problem");
        snprintf(sg->category, sizeof(sg->category), "%s", it->row->key);
        sg->rank = (int)i + 1;
        sg->repeats = it->row->v[RD_KPI_REPEATS];
        sg->previous = it->previous;
        snprintf(tail, sizeof(tail), "TOP %d repeat problem of %s (%ld repeats, %ld before)",
                 sg->rank, ret->period, sg->repeats, sg->previous);
        make_title(sg, it->name ? it->name : it->row->key, tail);
    }
    for (size_t i = 0; r == 0 && i < anom.n_items; i++) {
        const rd_kpi_item *it = &anom.items[i];
        if (listed(h, it->row->key))
            continue;
        rd_problem_suggestion *sg = add(h);
        if (!sg) {
            r = -ENOMEM;
            break;
        }
        snprintf(sg->source, sizeof(sg->source), "anomaly");
        snprintf(sg->category, sizeof(sg->category), "%s", it->row->key);
        sg->repeats = it->row->v[RD_KPI_REPEATS];
        sg->score = it->anomaly.score;
        sg->baseline = it->anomaly.baseline;
        snprintf(tail, sizeof(tail), "repeats surged in %s (%ld against a baseline of %.1f)",
                 ret->period, sg->repeats, sg->baseline);
        make_title(sg, it->name ? it->name : it->row->key, tail);
    }
    rd_kpi_answer_free(&top);
    rd_kpi_answer_free(&anom);
    return r;
}

int rd_problem_suggest(rd_service *svc, rd_db **db, const char *at, rd_problem_suggestions *ret,
                       rd_refusal *ref)
{
    int month = 0;
    if (at && rd_period_parse(RD_PERIOD_MONTH, at, &month) < 0)
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "at", "at must be a month like 2026-10");
    rd_problem_suggestions out = {0};
    hot_out h = {0};
    hot_in in = {.svc = svc, .has_month = at != NULL, .month = month};
    rd_tx tx = {.body = hot_body, .in = &in, .out = &h, .clear = hot_clear, .readonly = true};
    int r = rd_service_tx(svc, db, &tx);
    month = h.month;
    const char *period = h.period;
    /* The hotspots wait: the answer lists the top problems and the anomalies first. */
    size_t n_hot = h.n;
    rd_problem_suggestion *hot = h.items;
    h.items = NULL, h.n = h.cap = 0;
    snprintf(out.period, sizeof(out.period), "%s", h.period);
    if (r == 0)
        r = from_kpis(svc, db, month, &h, &out, ref);
    for (size_t i = 0; r == 0 && i < n_hot; i++) {
        rd_problem_suggestion *src = &hot[i];
        if (listed(&h, src->category))
            continue;
        rd_problem_suggestion *sg = add(&h);
        if (!sg) {
            r = -ENOMEM;
            break;
        }
        *sg = *src;
        char tail[160];
        snprintf(tail, sizeof(tail), "%d citizens within %d m in %d days (%s)", sg->citizens,
                 h.s.hotspot_radius_m, h.s.hotspot_days, period);
        make_title(sg, name_of(&h, sg->category), tail);
    }
    free(hot);
    if (r == 0 && h.n > SUGGESTIONS_MAX)
        h.n = SUGGESTIONS_MAX;
    out.radius_m = h.s.hotspot_radius_m;
    out.days = h.s.hotspot_days;
    out.min_citizens = h.s.hotspot_min_citizens;
    out.items = h.items;
    out.n = h.n;
    h.items = NULL;
    hot_clear(&h);
    if (r < 0) {
        rd_problem_suggestions_free(&out);
        return r;
    }
    *ret = out;
    return 0;
}
