/* The /metrics headline: this calendar month's complaints and repeats, from the aggregates. */
#include "repeatd/kpi_answer.h"

#include <stdlib.h>

static int headline_tx(rd_db *db, const void *in, void *out)
{
    rd_kpi_headline *h = out;
    rd_settings s;
    rd_kpi_row *rows = NULL;
    size_t n = 0;
    int r = rd_service_settings((rd_service *)in, db, &s);
    if (r == 0)
        r = store_month_now(db, s.time_zone, &h->month);
    if (r == 0)
        r = store_kpi_grouped(db, RD_DIM_TOTAL, 0, 1, h->month, h->month, &rows, &n);
    h->complaints = n ? rows[0].v[RD_KPI_COMPLAINTS] : 0;
    h->repeats = n ? rows[0].v[RD_KPI_REPEATS] : 0;
    free(rows);
    return r;
}

int rd_kpi_headline_get(rd_service *svc, rd_db **db, rd_kpi_headline *ret)
{
    rd_kpi_headline h = {0};
    rd_tx tx = {.body = headline_tx, .in = svc, .out = &h, .readonly = true};
    int r = rd_service_tx(svc, db, &tx);
    if (r == 0)
        *ret = h;
    return r;
}
