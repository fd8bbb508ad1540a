/* GET /v1/kpi/top-problems: the categories with the most repeats in a period, against the
 * period before. */
#include "repeatd/kpi_answer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_repeats_desc(const void *x, const void *y)
{
    const rd_kpi_row *a = ((const rd_kpi_item *)x)->row, *b = ((const rd_kpi_item *)y)->row;
    long ra = a->v[RD_KPI_REPEATS], rb = b->v[RD_KPI_REPEATS];
    return ra != rb ? (ra < rb) - (ra > rb) : strcmp(a->key, b->key);
}

static int top_body(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a)
{
    int at = a->to, prev = at - rd_period_months(a->period);
    a->from = at;
    a->previous_period = prev;
    int r = rd_kpi_load_rows(db, a, prev, at);
    if (r == 0)
        r = rd_kpi_items_alloc(a, a->n_rows);
    if (r < 0)
        return r;
    /* The current period's rows, by repeats; the previous period is looked up. */
    for (size_t i = 0; i < a->n_rows; i++)
        if (a->rows[i].period_start == at && a->rows[i].v[RD_KPI_REPEATS] > 0)
            a->items[a->n_items++].row = &a->rows[i];
    qsort(a->items, a->n_items, sizeof(*a->items), cmp_repeats_desc);
    size_t m = a->n_items < (size_t)c->q->limit ? a->n_items : (size_t)c->q->limit;
    a->n_items = 0;
    for (size_t i = 0; i < m; i++) {
        const rd_kpi_row *row = a->items[i].row;
        rd_kpi_item *it = rd_kpi_item_add(a, row); /* item i, in place */
        if (!it)
            return -ENOMEM;
        it->previous = rd_kpi_repeats_of(a->rows, a->n_rows, prev, row->key);
    }
    return 0;
}

int rd_kpi_top_problems(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                        rd_refusal *ref)
{
    return rd_kpi_run(svc, db, q, top_body, ret, ref);
}
