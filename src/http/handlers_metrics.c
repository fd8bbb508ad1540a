/* GET /metrics: Prometheus text, cheap enough to scrape every 15 s (one read-only transaction of
 * aggregate reads, the headline of app/kpi_headline.c). */
#include "repeatd/routes.h"

#include "repeatd/kpi_answer.h"

#include <stdlib.h>

void rd_handle_metrics(rd_request *req)
{
    rd_kpi_headline h = {0};
    int r = rd_kpi_headline_get(req->httpd->service, &req->db, &h);
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
    if (w == 0 && r == 0)
        w = rd_metrics_printf(
            &text, &len,
            "# HELP repeatd_month_anomalies Groups flagged this calendar month by GET "
            "/v1/kpi/anomalies with its defaults, by leaf category and by unit.\n"
            "# TYPE repeatd_month_anomalies gauge\n"
            "repeatd_month_anomalies{by=\"category\"} %ld\n"
            "repeatd_month_anomalies{by=\"unit\"} %ld\n",
            h.anomalies_category, h.anomalies_unit);
    rd_replica_stats rs;
    rd_service_replica_stats(req->httpd->service, &rs);
    if (w == 0 && rs.configured)
        w = rd_metrics_printf(
            &text, &len,
            "# HELP repeatd_replica_up Whether dashboards' reads go to the replica now.\n"
            "# TYPE repeatd_replica_up gauge\nrepeatd_replica_up %d\n"
            "# HELP repeatd_replica_lag_seconds How far the replica was behind at the last look.\n"
            "# TYPE repeatd_replica_lag_seconds gauge\nrepeatd_replica_lag_seconds %g\n"
            "# HELP repeatd_replica_reads_total Dashboard reads the replica served.\n"
            "# TYPE repeatd_replica_reads_total counter\nrepeatd_replica_reads_total %lu\n"
            "# HELP repeatd_replica_fallbacks_total Dashboard reads sent to the primary instead.\n"
            "# TYPE repeatd_replica_fallbacks_total counter\n"
            "repeatd_replica_fallbacks_total{reason=\"unavailable\"} %lu\n"
            "repeatd_replica_fallbacks_total{reason=\"lag\"} %lu\n",
            rs.state == RD_REPLICA_OK, rs.lag_s, (unsigned long)rs.reads,
            (unsigned long)rs.fallbacks_unavailable, (unsigned long)rs.fallbacks_lag);
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
