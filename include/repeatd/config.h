/* Process configuration from the environment: one table of keys, validated at start. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define RD_SECRET_MIN 16

typedef struct rd_config {
    char *database_url;         /* REPEATD_DATABASE_URL */
    char *listen_host;          /* REPEATD_LISTEN, host part */
    int listen_port;            /* REPEATD_LISTEN, port part */
    char *secret;               /* REPEATD_SECRET */
    char *bootstrap_admin_key;  /* REPEATD_BOOTSTRAP_ADMIN_KEY, NULL when unset */
    int threads;                /* REPEATD_THREADS */
    long max_body_bytes;        /* REPEATD_MAX_BODY_BYTES */
    int db_timeout_ms;          /* REPEATD_DB_TIMEOUT_MS: every database wait of a request */
    int max_connections;        /* REPEATD_MAX_CONNECTIONS: open HTTP connections in all */
    int max_connections_per_ip; /* REPEATD_MAX_CONNECTIONS_PER_IP: from one client address */
    int request_timeout_s;      /* REPEATD_REQUEST_TIMEOUT_S: idle connection / send time */
    int reuse_port;             /* REPEATD_REUSE_PORT: 1 = share the port (SO_REUSEPORT) */
    char *replica_url;          /* REPEATD_REPLICA_URL, NULL when unset: no replica */
    int replica_max_lag_s;      /* REPEATD_REPLICA_MAX_LAG_S */
    char *metrics_host;         /* REPEATD_METRICS_LISTEN, host part; NULL when unset */
    int metrics_port;           /* REPEATD_METRICS_LISTEN, port part */
    int bench_no_aggregates;    /* REPEATD_BENCH_NO_AGGREGATES: 1 = skip KPI upkeep (bench only) */
} rd_config;

/* Read and validate the environment. `need_secret` is false for commands that never hash a
 * citizen (migrate, key create). On error returns -EINVAL and writes a one-line message
 * naming the variable into err. The caller frees with rd_config_free. */
int rd_config_load(rd_config *ret, bool need_secret, char *err, size_t err_size);
void rd_config_free(rd_config *c);
