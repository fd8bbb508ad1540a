/* GET /v1/kpi/anomalies (异动问题): groups whose repeats in a period are improbable against their
 * own recent baseline (core's Poisson upper tail). */
#include "repeatd/kpi_answer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Highest score first, equal scores by group. */
static int cmp_score_desc(const void *x, const void *y)
{
    const rd_kpi_item *a = x, *b = y;
    if (a->anomaly.score != b->anomaly.score)
        return (a->anomaly.score < b->anomaly.score) - (a->anomaly.score > b->anomaly.score);
    return strcmp(a->row->key, b->row->key);
}

static int anomalies_body(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a)
{
    const rd_kpi_query *q = c->q;
    int pm = rd_period_months(a->period), at = a->to, first = at - (int)q->baseline * pm;
    size_t nb = (size_t)q->baseline;
    a->from = at;
    a->baseline = q->baseline;
    a->min_score = q->min_score;
    a->min_repeats = q->min_repeats;
    int r = rd_kpi_load_rows(db, a, first, at);
    if (r == 0)
        r = rd_kpi_items_alloc(a, a->n_rows);
    if (r < 0)
        return r;
    a->histories = calloc(a->n_rows ? a->n_rows * nb : 1, sizeof(long));
    if (!a->histories)
        return -ENOMEM;
    /* Versions are noted for every flagged group, also those past the limit. */
    for (size_t i = 0; i < a->n_rows; i++) {
        const rd_kpi_row *row = &a->rows[i];
        if (row->period_start != at || !row->key[0])
            continue;
        long *history = &a->histories[a->n_items * nb];
        for (size_t b = 0; b < nb; b++)
            history[b] = rd_kpi_repeats_of(a->rows, a->n_rows, first + (int)b * pm, row->key);
        rd_anomaly an = rd_anomaly_score(row->v[RD_KPI_REPEATS], history, nb, (double)q->min_score,
                                         q->min_repeats);
        if (!an.flagged)
            continue;
        rd_kpi_item *it = rd_kpi_item_add(a, row);
        if (!it)
            return -ENOMEM;
        it->anomaly = an;
        it->history = history;
    }
    qsort(a->items, a->n_items, sizeof(*a->items), cmp_score_desc);
    if (a->n_items > (size_t)q->limit)
        a->n_items = (size_t)q->limit;
    return 0;
}

int rd_kpi_anomalies(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                     rd_refusal *ref)
{
    return rd_kpi_run(svc, db, q, anomalies_body, ret, ref);
}
