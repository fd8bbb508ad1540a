/* GET /v1/kpi/ranking: units, teams or handlers ranked by repeat rate in one period, against
 * their targets, the bottom ones on the improvement watch (末位改善专项). */
#include "repeatd/kpi_answer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_target(const void *x, const void *y)
{
    const rd_kpi_target *a = x, *b = y;
    if (a->scope != b->scope)
        return a->scope < b->scope ? -1 : 1;
    int k = strcmp(a->code, b->code);
    return k ? k : strcmp(a->period, b->period);
}

static const rd_kpi_target *find_target(const rd_kpi_target *t, size_t n, rd_kpi_dim scope,
                                        const char *code, const char *period)
{
    if (n == 0) /* no targets loaded, t NULL */
        return NULL;
    rd_kpi_target k = {.scope = scope};
    snprintf(k.code, sizeof(k.code), "%s", code);
    snprintf(k.period, sizeof(k.period), "%s", period);
    return bsearch(&k, t, n, sizeof(k), cmp_target);
}

/* Ranked rows by rank, then the unranked ones; ties by group code. */
static int cmp_rank(const void *x, const void *y)
{
    const rd_kpi_item *a = x, *b = y;
    if (a->rank.ranked != b->rank.ranked)
        return a->rank.ranked ? -1 : 1;
    if (a->rank.rank != b->rank.rank)
        return a->rank.rank - b->rank.rank;
    return strcmp(a->row->key, b->row->key);
}

static int ranking_body(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a)
{
    rd_kpi_target *targets = NULL;
    size_t n_targets = 0;
    a->from = a->to;
    int r = rd_kpi_load_rows(db, a, a->to, a->to);
    if (r == 0 && (a->by == RD_DIM_UNIT || a->by == RD_DIM_TEAM))
        r = store_targets(db, &targets, &n_targets);
    if (r == 0)
        r = rd_kpi_items_alloc(a, a->n_rows);
    if (r < 0) {
        free(targets);
        return r;
    }
    if (n_targets)
        qsort(targets, n_targets, sizeof(*targets), cmp_target);
    char label[RD_PERIOD_LABEL_MAX];
    rd_period_label(a->period, a->to, label);
    /* Tickets not yet dispatched ("") are nobody's: they are not ranked. */
    rd_rank_row *rank = calloc(a->n_rows ? a->n_rows : 1, sizeof(*rank));
    for (size_t i = 0; rank && i < a->n_rows; i++) {
        const rd_kpi_row *row = &a->rows[i];
        if (!row->key[0])
            continue;
        /* A period's own target, else the standing one. */
        const rd_kpi_target *t = find_target(targets, n_targets, a->by, row->key, label);
        if (!t)
            t = find_target(targets, n_targets, a->by, row->key, "");
        rank[a->n_items] = (rd_rank_row){.complaints = row->v[RD_KPI_COMPLAINTS],
                                         .repeats = row->v[RD_KPI_REPEATS],
                                         .has_target = t != NULL,
                                         .target = t ? t->rate : 0};
        if (!rd_kpi_item_add(a, row)) {
            free(rank);
            rank = NULL;
        }
    }
    free(targets);
    if (!rank)
        return -ENOMEM;
    rd_rank(rank, a->n_items, c->s.ranking_min_complaints, c->s.ranking_bottom_n);
    for (size_t i = 0; i < a->n_items; i++)
        a->items[i].rank = rank[i];
    free(rank);
    qsort(a->items, a->n_items, sizeof(*a->items), cmp_rank);
    a->min_complaints = c->s.ranking_min_complaints;
    a->bottom_n = c->s.ranking_bottom_n;
    return 0;
}

int rd_kpi_ranking(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                   rd_refusal *ref)
{
    return rd_kpi_run(svc, db, q, ranking_body, ret, ref);
}
