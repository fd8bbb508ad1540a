/* Process metrics for Prometheus: lock-free counters written by the request threads. */
#include "repeatd/metrics.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned statuses[RD_METRIC_STATUSES] = {200, 201, 400, 401, 403, 404, 405, 406,
                                                      409, 413, 415, 422, 500, 503, 0,   0};
static const double bounds[RD_METRIC_BUCKETS - 1] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,   0.25,   0.5,   1.0,  2.5};

static int status_slot(unsigned status)
{
    for (int i = 0; i < RD_METRIC_STATUSES && statuses[i]; i++)
        if (statuses[i] == status)
            return i;
    return RD_METRIC_STATUSES - 1; /* any other */
}

void rd_metrics_request(rd_metrics *m, int route, unsigned status, double seconds)
{
    if (route < 0 || route >= RD_METRIC_ROUTES)
        route = RD_METRIC_ROUTES - 1;
    atomic_fetch_add(&m->requests[route][status_slot(status)], 1);
    int b = 0;
    while (b < RD_METRIC_BUCKETS - 1 && seconds > bounds[b])
        b++;
    atomic_fetch_add(&m->latency[route][b], 1);
    atomic_fetch_add(&m->latency_count[route], 1);
    atomic_fetch_add(&m->latency_sum_us[route], (unsigned long)(seconds * 1e6));
}

void rd_metrics_decision(rd_metrics *m, rd_decision_kind kind)
{
    if ((unsigned)kind < 6)
        atomic_fetch_add(&m->decisions[kind], 1);
}

int rd_metrics_printf(char **buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -EINVAL;
    char *b = realloc(*buf, *len + (size_t)n + 1);
    if (!b)
        return -ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b + *len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *buf = b;
    *len += (size_t)n;
    return 0;
}

static const char *bucket_label(int b, char tmp[16])
{
    if (b == RD_METRIC_BUCKETS - 1)
        return "+Inf";
    snprintf(tmp, 16, "%g", bounds[b]);
    return tmp;
}

static const char *route_label(const rd_metrics *m, int i)
{
    return i < m->n_routes ? m->route_labels[i] : "unmatched";
}

int rd_metrics_render(const rd_metrics *m, char **buf, size_t *len)
{
    int n_routes = m->n_routes;
    int r = rd_metrics_printf(buf, len,
                              "# HELP repeatd_http_requests_total Requests answered, by route "
                              "and status.\n# TYPE repeatd_http_requests_total counter\n");
    for (int i = 0; r == 0 && i < RD_METRIC_ROUTES; i++) {
        if (i >= n_routes && i != RD_METRIC_ROUTES - 1)
            continue;
        const char *name = route_label(m, i);
        for (int s = 0; r == 0 && s < RD_METRIC_STATUSES; s++) {
            unsigned long v = atomic_load(&m->requests[i][s]);
            char status[16];
            if (statuses[s])
                snprintf(status, sizeof(status), "%u", statuses[s]);
            else
                snprintf(status, sizeof(status), "other");
            if (v && (statuses[s] || s == RD_METRIC_STATUSES - 1))
                r = rd_metrics_printf(
                    buf, len, "repeatd_http_requests_total{route=\"%s\",status=\"%s\"} %lu\n", name,
                    status, v);
        }
    }
    if (r == 0)
        r = rd_metrics_printf(buf, len,
                              "# HELP repeatd_http_request_duration_seconds Time from a "
                              "request's first byte to its reply, by route.\n"
                              "# TYPE repeatd_http_request_duration_seconds histogram\n");
    for (int i = 0; r == 0 && i < RD_METRIC_ROUTES; i++) {
        unsigned long count = atomic_load(&m->latency_count[i]);
        if (!count)
            continue;
        const char *name = route_label(m, i);
        unsigned long cumulative = 0;
        for (int b = 0; r == 0 && b < RD_METRIC_BUCKETS; b++) {
            char tmp[16];
            cumulative += atomic_load(&m->latency[i][b]);
            r = rd_metrics_printf(buf, len,
                                  "repeatd_http_request_duration_seconds_bucket{route=\"%s\","
                                  "le=\"%s\"} %lu\n",
                                  name, bucket_label(b, tmp), cumulative);
        }
        if (r == 0)
            r = rd_metrics_printf(buf, len,
                                  "repeatd_http_request_duration_seconds_sum{route=\"%s\"} "
                                  "%.6f\nrepeatd_http_request_duration_seconds_count{route="
                                  "\"%s\"} %lu\n",
                                  name, (double)atomic_load(&m->latency_sum_us[i]) / 1e6, name,
                                  count);
    }
    if (r == 0)
        r = rd_metrics_printf(buf, len,
                              "# HELP repeatd_decisions_total Tickets stored, by decision.\n"
                              "# TYPE repeatd_decisions_total counter\n");
    for (int d = 0; r == 0 && d < 6; d++)
        r = rd_metrics_printf(buf, len, "repeatd_decisions_total{decision=\"%s\"} %lu\n",
                              rd_decision_name((rd_decision_kind)d), atomic_load(&m->decisions[d]));
    if (r == 0)
        r = rd_metrics_printf(
            buf, len,
            "# HELP repeatd_db_errors_total Statements that failed for a reason not the "
            "client's.\n# TYPE repeatd_db_errors_total counter\nrepeatd_db_errors_total %lu\n"
            "# HELP repeatd_db_unavailable_total Requests answered 503 for want of a "
            "database.\n# TYPE repeatd_db_unavailable_total counter\n"
            "repeatd_db_unavailable_total %lu\n",
            atomic_load(&m->db_errors), atomic_load(&m->db_unavailable));
    return r;
}
