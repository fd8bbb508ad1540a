/* What every KPI answer is made of: one read-only transaction, the range filled in and checked,
 * the groups' names, the rows and the union of their definition versions. */
#include "repeatd/kpi_answer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void rd_kpi_answer_free(rd_kpi_answer *a)
{
    if (!a)
        return;
    free(a->versions);
    free(a->items);
    free(a->chains);
    free(a->rows);
    free(a->names);
    free(a->defects);
    free(a->histories);
    free(a->mixes);
    memset(a, 0, sizeof(*a));
}

static int cmp_name(const void *x, const void *y)
{
    return strcmp(((const rd_kpi_name *)x)->code, ((const rd_kpi_name *)y)->code);
}

static const rd_kpi_name *name_of(const rd_kpi_answer *a, const char *key)
{
    rd_kpi_name k;
    if (!a->n_names || strlen(key) >= sizeof(k.code))
        return NULL;
    strcpy(k.code, key);
    return bsearch(&k, a->names, a->n_names, sizeof(k), cmp_name);
}

/* Fill a missing from/to with the current period and check the range. */
static int finish_range(const rd_kpi_query *q, int now_month, rd_kpi_answer *a, rd_refusal *ref)
{
    int now = rd_period_start(q->period, now_month);
    a->to = q->has_to ? q->to : q->has_from && q->from > now ? q->from : now;
    a->from = q->has_from ? q->from : a->to;
    if (a->from > a->to)
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "from", "from is after to");
    if ((a->to - a->from) / rd_period_months(q->period) + 1 > RD_KPI_MAX_PERIODS)
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "to",
                         "at most %d periods can be asked for at once", RD_KPI_MAX_PERIODS);
    return 0;
}

typedef struct run_in {
    rd_service *service;
    const rd_kpi_query *q;
    rd_kpi_body body;
} run_in;

typedef struct run_out {
    rd_kpi_answer answer;
    rd_refusal refusal;
} run_out;

static int run_tx(rd_db *db, const void *in_, void *out_)
{
    const run_in *in = in_;
    run_out *out = out_;
    rd_kpi_answer *a = &out->answer;
    rd_kpi_ctx c = {.q = in->q};
    int r = rd_service_settings(in->service, db, &c.s);
    if (r == 0)
        r = store_month_now(db, c.s.time_zone, &c.now_month);
    if (r == 0)
        r = finish_range(in->q, c.now_month, a, &out->refusal);
    if (r == 0 && in->q->has_param_error) {
        out->refusal = in->q->param_error;
        r = -ECANCELED;
    }
    if (r < 0)
        return r;
    a->period = in->q->period;
    a->has_by = in->q->has_by;
    a->by = in->q->by;
    a->level = in->q->level;
    if (a->has_by) {
        r = store_kpi_names(db, a->by, &a->names, &a->n_names);
        if (r < 0)
            return r;
        qsort(a->names, a->n_names, sizeof(*a->names), cmp_name);
    }
    return in->body(db, &c, a);
}

static void run_clear(void *out)
{
    rd_kpi_answer_free(&((run_out *)out)->answer);
}

int rd_kpi_run(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_body body,
               rd_kpi_answer *ret, rd_refusal *ref)
{
    run_in in = {.service = svc, .q = q, .body = body};
    run_out out = {0};
    rd_tx tx = {.body = run_tx, .in = &in, .out = &out, .clear = run_clear, .readonly = true};
    int r = rd_service_read_tx(svc, db, &tx); /* a replica's, when one keeps up */
    if (r < 0) {
        if (r == -ECANCELED)
            *ref = out.refusal;
        run_clear(&out);
        return r;
    }
    *ret = out.answer;
    return 0;
}

int rd_kpi_load_rows(rd_db *db, rd_kpi_answer *a, int from, int to)
{
    free(a->rows);
    a->rows = NULL;
    a->n_rows = 0;
    return store_kpi_grouped(db, a->has_by ? a->by : RD_DIM_TOTAL, a->level,
                             rd_period_months(a->period), from,
                             to + rd_period_months(a->period) - 1, &a->rows, &a->n_rows);
}

int rd_kpi_load_page(rd_db *db, rd_kpi_answer *a, const rd_kpi_query *q, unsigned need)
{
    free(a->rows);
    a->rows = NULL;
    a->n_rows = 0;
    a->has_next = false;
    int pm = rd_period_months(a->period);
    /* One row more than the page: whether it comes says whether another page does. */
    long limit = q->page_limit > 0 ? q->page_limit + 1 : 0;
    int r = store_kpi_grouped_page(db, a->has_by ? a->by : RD_DIM_TOTAL, a->level, pm, a->from,
                                   a->to + pm - 1, need, q->has_after ? &q->after : NULL, limit,
                                   &a->rows, &a->n_rows);
    if (r == 0 && limit > 0 && a->n_rows == (size_t)limit) {
        a->n_rows--;
        const rd_kpi_row *last = &a->rows[a->n_rows - 1];
        a->has_next = true;
        a->next.period_start = last->period_start;
        memcpy(a->next.key, last->key, sizeof(a->next.key));
    }
    return r;
}

int rd_kpi_items_alloc(rd_kpi_answer *a, size_t n)
{
    free(a->items);
    a->n_items = 0;
    a->items = calloc(n ? n : 1, sizeof(*a->items));
    return a->items ? 0 : -ENOMEM;
}

int rd_kpi_note_version(rd_kpi_answer *a, int v)
{
    size_t lo = 0, hi = a->n_versions;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a->versions[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < a->n_versions && a->versions[lo] == v)
        return 0;
    if (a->n_versions == a->cap_versions) {
        size_t cap = a->cap_versions ? 2 * a->cap_versions : 16;
        int *p = realloc(a->versions, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        a->versions = p;
        a->cap_versions = cap;
    }
    memmove(&a->versions[lo + 1], &a->versions[lo], (a->n_versions - lo) * sizeof(int));
    a->versions[lo] = v;
    a->n_versions++;
    return 0;
}

int rd_kpi_note_versions(rd_kpi_answer *a, const rd_kpi_row *row)
{
    for (int i = 0; i < row->n_versions; i++)
        if (rd_kpi_note_version(a, row->versions[i]) < 0)
            return -ENOMEM;
    return 0;
}

rd_kpi_item *rd_kpi_item_add(rd_kpi_answer *a, const rd_kpi_row *row)
{
    if (rd_kpi_note_versions(a, row) < 0)
        return NULL;
    rd_kpi_item *it = &a->items[a->n_items++];
    it->period_start = row->period_start;
    it->row = row;
    const rd_kpi_name *n = name_of(a, row->key);
    it->name = n ? n->name : NULL;
    it->parent = n && n->parent[0] ? n->parent : NULL;
    return it;
}

long rd_kpi_repeats_of(const rd_kpi_row *rows, size_t n, int period, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].period_start == period && !strcmp(rows[i].key, key))
            return rows[i].v[RD_KPI_REPEATS];
    return 0;
}
