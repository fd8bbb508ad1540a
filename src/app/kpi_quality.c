/* GET /v1/kpi/closeout-quality: close-outs inspected and rejected, the pass rate, false
 * close-outs and the top defect codes, per unit or handler and period. */
#include "repeatd/kpi_answer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_defect(const void *x, const void *y)
{
    const rd_kpi_defect_count *a = x, *b = y;
    if (a->period_start != b->period_start)
        return a->period_start < b->period_start ? -1 : 1;
    int k = strcmp(a->key, b->key);
    return k ? k : a->rank - b->rank;
}

/* Point the item at its period's and key's codes (a->defects sorted by cmp_defect). */
static void defects_of(const rd_kpi_answer *a, rd_kpi_item *it)
{
    rd_kpi_defect_count k = {.period_start = it->period_start, .rank = 0};
    snprintf(k.key, sizeof(k.key), "%s", it->row->key);
    size_t lo = 0, hi = a->n_defects;
    while (lo < hi) { /* the first of the group: every rank is >= 1 */
        size_t mid = (lo + hi) / 2;
        if (cmp_defect(&a->defects[mid], &k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < a->n_defects && a->defects[end].period_start == k.period_start &&
           !strcmp(a->defects[end].key, k.key))
        end++;
    it->defects = &a->defects[lo];
    it->n_defects = end - lo;
}

/* A group with nothing inspected and no false close-out in a period has no row. */
static int quality_body(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a)
{
    int pm = rd_period_months(a->period);
    int r = rd_kpi_load_page(db, a, c->q,
                             1u << RD_KPI_CLOSEOUTS_INSPECTED | 1u << RD_KPI_FALSE_CLOSEOUTS);
    if (r == 0)
        r = rd_kpi_items_alloc(a, a->n_rows);
    /* The defect codes of the page's periods only (its rows are ordered by period). */
    if (r == 0 && a->n_rows)
        r = store_kpi_top_defects(db, a->by, pm, a->rows[0].period_start,
                                  a->rows[a->n_rows - 1].period_start + pm - 1, RD_KPI_TOP_DEFECTS,
                                  &a->defects, &a->n_defects);
    if (r < 0)
        return r;
    if (a->n_defects) /* a page without rows read no defects: NULL, which qsort must not get */
        qsort(a->defects, a->n_defects, sizeof(*a->defects), cmp_defect);
    for (size_t i = 0; i < a->n_rows; i++) {
        rd_kpi_item *it = rd_kpi_item_add(a, &a->rows[i]);
        if (!it)
            return -ENOMEM;
        defects_of(a, it);
    }
    return 0;
}

int rd_kpi_closeout_quality(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                            rd_refusal *ref)
{
    return rd_kpi_run(svc, db, q, quality_body, ret, ref);
}
