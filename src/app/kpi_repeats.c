/* The counting answers: repeats and repeat rates (GET /v1/kpi/repeats) and first-contact
 * failures (GET /v1/kpi/contact-failures, 首次联系失败率), a row per group and period. */
#include "repeatd/kpi_answer.h"

#include <errno.h>

/* The page's rows with one of the metrics of `need` not zero, each an item. */
static int rows_with(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a, unsigned need)
{
    int r = rd_kpi_load_page(db, a, c->q, need);
    if (r == 0)
        r = rd_kpi_items_alloc(a, a->n_rows);
    for (size_t i = 0; r == 0 && i < a->n_rows; i++)
        if (!rd_kpi_item_add(a, &a->rows[i]))
            r = -ENOMEM;
    return r;
}

static int repeats_body(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a)
{
    return rows_with(db, c, a, RD_KPI_NEED_ANY);
}

int rd_kpi_repeats(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                   rd_refusal *ref)
{
    return rd_kpi_run(svc, db, q, repeats_body, ret, ref);
}

/* A group nobody tried to reach in a period has no failure rate: no row. */
static int contact_body(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a)
{
    return rows_with(db, c, a, 1u << RD_KPI_CONTACTED);
}

int rd_kpi_contact_failures(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                            rd_refusal *ref)
{
    return rd_kpi_run(svc, db, q, contact_body, ret, ref);
}
