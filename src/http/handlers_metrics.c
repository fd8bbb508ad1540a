/* GET /metrics: Prometheus text, cheap enough to scrape every 15 s (one aggregate read). */
#include "repeatd/routes.h"

#include "repeatd/kpi_store.h"

#include <stdlib.h>

typedef struct headline {
    int month;
    long complaints, repeats;
} headline;

/* The current month's whole-hotline numbers, from the aggregates. */
static int headline_tx(rd_db *db, const void *in, void *out)
{
    headline *h = out;
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

void rd_handle_metrics(rd_request *req)
{
    headline h = {0};
    rd_tx tx = {.body = headline_tx, .in = req->httpd->service, .out = &h, .readonly = true};
    int r = rd_request_tx(req, &tx);
    char *text = NULL;
    size_t len = 0;
    int size, idle;
    rd_service_pool_stats(req->httpd->service, &size, &idle);
    int w = rd_metrics_render(&req->httpd->metrics, &text, &len);
    if (w == 0)
        w = rd_metrics_printf(
            &text, &len,
            "# HELP repeatd_db_pool_connections Database connections in the pool.\n"
            "# TYPE repeatd_db_pool_connections gauge\nrepeatd_db_pool_connections %d\n"
            "# HELP repeatd_db_pool_in_use Connections serving a request now.\n"
            "# TYPE repeatd_db_pool_in_use gauge\nrepeatd_db_pool_in_use %d\n"
            "# HELP repeatd_db_up Whether the last read of the database worked.\n"
            "# TYPE repeatd_db_up gauge\nrepeatd_db_up %d\n",
            size, size - idle, r == 0);
    if (w == 0 && r == 0)
        w = rd_metrics_printf(
            &text, &len,
            "# HELP repeatd_month_complaints Complaints (work orders) this calendar month.\n"
            "# TYPE repeatd_month_complaints gauge\nrepeatd_month_complaints %ld\n"
            "# HELP repeatd_month_repeats Repeat complaints this calendar month.\n"
            "# TYPE repeatd_month_repeats gauge\nrepeatd_month_repeats %ld\n"
            "# HELP repeatd_month_repeat_rate Repeats over complaints this calendar month.\n"
            "# TYPE repeatd_month_repeat_rate gauge\nrepeatd_month_repeat_rate %g\n",
            h.complaints, h.repeats, h.complaints ? (double)h.repeats / h.complaints : 0.0);
    if (w < 0) {
        free(text);
        rd_reply_store_error(req, w);
        return;
    }
    /* A scrape still answers when the database is down: the process metrics matter most then. */
    json_decref(req->reply);
    req->reply = NULL;
    req->error_code = NULL;
    req->reply_text = text;
    req->status = 200;
}
