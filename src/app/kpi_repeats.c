/* The counting answers: repeats and repeat rates (GET /v1/kpi/repeats) and first-contact
 * failures (GET /v1/kpi/contact-failures, 首次联系失败率), a row per group and period. */
#include "repeatd/kpi_answer.h"

#include <errno.h>

/* Every row of the range, or only those with a first contact attempt. */
static int rows_with(rd_db *db, rd_kpi_answer *a, int need)
{
    int r = rd_kpi_load_rows(db, a, a->from, a->to);
    if (r == 0)
        r = rd_kpi_items_alloc(a, a->n_rows);
    for (size_t i = 0; r == 0 && i < a->n_rows; i++)
        if ((need < 0 || a->rows[i].v[need] != 0) && !rd_kpi_item_add(a, &a->rows[i]))
            r = -ENOMEM;
    return r;
}

static int repeats_body(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a)
{
    return rows_with(db, a, -1);
}

int rd_kpi_repeats(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                   rd_refusal *ref)
{
    return rd_kpi_run(svc, db, q, repeats_body, ret, ref);
}

/* A group nobody tried to reach in a period has no failure rate: no row. */
static int contact_body(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a)
{
    return rows_with(db, a, RD_KPI_CONTACTED);
}

int rd_kpi_contact_failures(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                            rd_refusal *ref)
{
    return rd_kpi_run(svc, db, q, contact_body, ret, ref);
}
