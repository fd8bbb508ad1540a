/* The /metrics headline: this calendar month's complaints, repeats and anomalies flagged, from
 * the aggregates. */
#include "repeatd/kpi_answer.h"

#include <stdlib.h>
#include <string.h>

static int cmp_key_period(const void *x, const void *y)
{
    const rd_kpi_row *a = x, *b = y;
    int k = strcmp(a->key, b->key);
    return k ? k : (a->period_start > b->period_start) - (a->period_start < b->period_start);
}

/* Groups of dim flagged in `month` against their previous RD_ANOMALY_DEFAULT_BASELINE months,
 * by the anomaly rule's defaults: what the anomalies endpoint answers without parameters,
 * without names or sorting. One read of at most 7 months of rows, sorted by group so that each
 * group's history is the run of rows before its month's: a scrape stays linear in the rows (the
 * endpoint looks each history up). */
static int count_anomalies(rd_db *db, rd_kpi_dim dim, int month, long *ret)
{
    rd_kpi_row *rows = NULL;
    size_t n = 0;
    int first = month - RD_ANOMALY_DEFAULT_BASELINE;
    int r = store_kpi_grouped(db, dim, 0, 1, first, month, &rows, &n);
    if (r == 0)
        qsort(rows, n, sizeof(*rows), cmp_key_period);
    long flagged = 0;
    for (size_t i = 0, start = 0; r == 0 && i < n; i++) {
        if (i > 0 && strcmp(rows[i].key, rows[i - 1].key) != 0)
            start = i;
        if (rows[i].period_start != month || !rows[i].key[0])
            continue;
        long history[RD_ANOMALY_DEFAULT_BASELINE] = {0};
        for (size_t k = start; k < i; k++)
            history[rows[k].period_start - first] = rows[k].v[RD_KPI_REPEATS];
        flagged +=
            rd_anomaly_score(rows[i].v[RD_KPI_REPEATS], history, RD_ANOMALY_DEFAULT_BASELINE,
                             (double)RD_ANOMALY_DEFAULT_MIN_SCORE, RD_ANOMALY_DEFAULT_MIN_REPEATS)
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
