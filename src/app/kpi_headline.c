/* The /metrics headline: this calendar month's complaints, repeats and anomalies flagged, from
 * the aggregates. */
#include "repeatd/kpi_answer.h"

#include <stdlib.h>

/* GET /v1/kpi/anomalies' defaults (http/handlers_kpi.c); the API tests compare the two. */
#define BASELINE    6
#define MIN_SCORE   3.0
#define MIN_REPEATS 3

/* Groups of dim flagged in `month` against their previous BASELINE months: what the anomalies
 * endpoint answers, without names or sorting. One read of at most 7 months of rows. */
static int count_anomalies(rd_db *db, rd_kpi_dim dim, int month, long *ret)
{
    rd_kpi_row *rows = NULL;
    size_t n = 0;
    int first = month - BASELINE;
    int r = store_kpi_grouped(db, dim, 0, 1, first, month, &rows, &n);
    long flagged = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (rows[i].period_start != month || !rows[i].key[0])
            continue;
        long history[BASELINE];
        for (int b = 0; b < BASELINE; b++)
            history[b] = rd_kpi_repeats_of(rows, n, first + b, rows[i].key);
        flagged +=
            rd_anomaly_score(rows[i].v[RD_KPI_REPEATS], history, BASELINE, MIN_SCORE, MIN_REPEATS)
                .flagged;
    }
    free(rows);
    *ret = flagged;
    return r;
}

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
    if (r == 0)
        r = count_anomalies(db, RD_DIM_CATEGORY, h->month, &h->anomalies_category);
    if (r == 0)
        r = count_anomalies(db, RD_DIM_UNIT, h->month, &h->anomalies_unit);
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
