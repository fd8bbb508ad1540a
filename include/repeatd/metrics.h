/* Process metrics for Prometheus: requests by route and status, latency, decisions, database. */
#pragma once

#include "repeatd/domain.h"

#include <stdatomic.h>

#define RD_METRIC_ROUTES   64 /* routes in the table, plus one for "no route" */
#define RD_METRIC_STATUSES 16
#define RD_METRIC_BUCKETS  12

#define RD_METRIC_LABEL_MAX 96

typedef struct rd_metrics {
    char route_labels[RD_METRIC_ROUTES][RD_METRIC_LABEL_MAX]; /* "GET /v1/tickets", at start */
    int n_routes;
    atomic_ulong requests[RD_METRIC_ROUTES][RD_METRIC_STATUSES];
    atomic_ulong latency[RD_METRIC_ROUTES][RD_METRIC_BUCKETS]; /* cumulative at write */
    atomic_ulong latency_count[RD_METRIC_ROUTES];
    atomic_ulong latency_sum_us[RD_METRIC_ROUTES];
    atomic_ulong decisions[6];   /* by rd_decision_kind, stored tickets only */
    atomic_ulong db_errors;      /* statements that failed for a reason not the client's */
    atomic_ulong db_unavailable; /* requests answered 503 for want of a database */
} rd_metrics;

/* Record one finished request: route index (or RD_METRIC_ROUTES - 1), status, seconds. */
void rd_metrics_request(rd_metrics *m, int route, unsigned status, double seconds);

void rd_metrics_decision(rd_metrics *m, rd_decision_kind kind);

/* Append the Prometheus text of the counters to a growing buffer (*buf, *len; realloc'd).
 * Returns 0 or -ENOMEM. */
int rd_metrics_render(const rd_metrics *m, char **buf, size_t *len);

/* printf-append to the same kind of buffer. */
int rd_metrics_printf(char **buf, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
