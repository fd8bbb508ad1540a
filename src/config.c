/* Process configuration from the environment: one table of keys, validated at start. */
#include "repeatd/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum cf_type { CF_TEXT, CF_INT, CF_LONG, CF_LISTEN } cf_type;

/* One row per variable (after PgBouncer's CfKey table): it drives reading, defaults,
 * validation and the message for a bad value. */
typedef struct cf_key {
    const char *env;
    cf_type type;
    const char *def; /* NULL: no default */
    long min, max;   /* CF_INT, CF_LONG bounds; CF_TEXT length bounds */
    size_t offset;   /* char * (CF_TEXT), int (CF_INT), long (CF_LONG); CF_LISTEN: char *host,
                        followed by int port (LISTEN_FIELDS) */
    bool required;   /* by the commands that need it (need_secret) */
} cf_key;

#define OFF(f) offsetof(rd_config, f)

/* A CF_LISTEN row's offset names the host; its port is the int right after it. */
#define LISTEN_FIELDS(host, port)                                                                  \
    _Static_assert(OFF(port) == OFF(host) + sizeof(char *), #port " must follow " #host)
LISTEN_FIELDS(listen_host, listen_port);
LISTEN_FIELDS(metrics_host, metrics_port);

static const cf_key cf_keys[] = {
    {"REPEATD_DATABASE_URL", CF_TEXT, "postgresql:///repeatd", 1, 4096, OFF(database_url), false},
    {"REPEATD_LISTEN", CF_LISTEN, "127.0.0.1:8080", 3, 300, OFF(listen_host), false},
    {"REPEATD_SECRET", CF_TEXT, NULL, RD_SECRET_MIN, 4096, OFF(secret), true},
    {"REPEATD_BOOTSTRAP_ADMIN_KEY", CF_TEXT, NULL, 16, 256, OFF(bootstrap_admin_key), false},
    {"REPEATD_THREADS", CF_INT, "4", 1, 256, OFF(threads), false},
    {"REPEATD_MAX_BODY_BYTES", CF_LONG, "65536", 1024, 16777216, OFF(max_body_bytes), false},
    /* A streaming replica for dashboards' reads, and how far behind it may be before they go
     * back to the primary. */
    {"REPEATD_REPLICA_URL", CF_TEXT, NULL, 1, 4096, OFF(replica_url), false},
    {"REPEATD_REPLICA_MAX_LAG_S", CF_INT, "30", 0, 86400, OFF(replica_max_lag_s), false},
    /* /metrics without a key on a second address: for a monitoring network only. */
    {"REPEATD_METRICS_LISTEN", CF_LISTEN, NULL, 3, 300, OFF(metrics_host), false},
    /* Hardening: bounded waits, connection limits, port sharing. */
    {"REPEATD_DB_TIMEOUT_MS", CF_INT, "5000", 100, 600000, OFF(db_timeout_ms), false},
    {"REPEATD_MAX_CONNECTIONS", CF_INT, "1000", 8, 100000, OFF(max_connections), false},
    {"REPEATD_MAX_CONNECTIONS_PER_IP", CF_INT, "64", 1, 100000, OFF(max_connections_per_ip), false},
    {"REPEATD_REQUEST_TIMEOUT_S", CF_INT, "10", 1, 3600, OFF(request_timeout_s), false},
    {"REPEATD_REUSE_PORT", CF_INT, "0", 0, 1, OFF(reuse_port), false},
    /* Only for measuring what the KPI aggregates cost intake: with 1 the KPIs go stale. */
    {"REPEATD_BENCH_NO_AGGREGATES", CF_INT, "0", 0, 1, OFF(bench_no_aggregates), false},
};

static int parse_long(const char *s, long *ret)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int parse_listen(const char *v, char **ret_host, int *ret_port)
{
    const char *colon = strrchr(v, ':');
    long port;
    if (!colon || colon == v || parse_long(colon + 1, &port) < 0 || port < 1 || port > 65535)
        return -EINVAL;
    const char *host = v;
    size_t host_len = (size_t)(colon - v);
    if (host[0] == '[' && host_len > 2 && host[host_len - 1] == ']') { /* [::1]:8080 */
        host++;
        host_len -= 2;
    }
    *ret_host = strndup(host, host_len);
    *ret_port = (int)port;
    return *ret_host ? 0 : -ENOMEM;
}

static int load_key(const cf_key *k, rd_config *c, bool need_secret, char *err, size_t err_size)
{
    const char *v = getenv(k->env);
    if (v && !*v)
        v = NULL;
    if (!v)
        v = k->def;
    if (!v) {
        if (k->required && need_secret) {
            snprintf(err, err_size, "%s is required (at least %ld characters)", k->env, k->min);
            return -EINVAL;
        }
        return 0;
    }
    switch (k->type) {
    case CF_TEXT: {
        size_t n = strlen(v);
        if ((long)n < k->min || (long)n > k->max) {
            snprintf(err, err_size, "%s must be %ld to %ld characters long", k->env, k->min,
                     k->max);
            return -EINVAL;
        }
        char *copy = strdup(v);
        if (!copy)
            return -ENOMEM;
        *(char **)((char *)c + k->offset) = copy;
        return 0;
    }
    case CF_INT:
    case CF_LONG: {
        long n;
        if (parse_long(v, &n) < 0 || n < k->min || n > k->max) {
            snprintf(err, err_size, "%s must be a whole number from %ld to %ld, not \"%s\"", k->env,
                     k->min, k->max, v);
            return -EINVAL;
        }
        void *at = (char *)c + k->offset;
        if (k->type == CF_INT)
            *(int *)at = (int)n; /* the bounds fit an int */
        else
            *(long *)at = n;
        return 0;
    }
    case CF_LISTEN:
        if (parse_listen(v, (char **)((char *)c + k->offset),
                         (int *)((char *)c + k->offset + sizeof(char *))) < 0) {
            snprintf(err, err_size, "%s must be host:port (port 1-65535), not \"%s\"", k->env, v);
            return -EINVAL;
        }
        return 0;
    }
    return -EINVAL;
}

int rd_config_load(rd_config *ret, bool need_secret, char *err, size_t err_size)
{
    rd_config c = {0};
    for (size_t i = 0; i < sizeof(cf_keys) / sizeof(cf_keys[0]); i++) {
        int r = load_key(&cf_keys[i], &c, need_secret, err, err_size);
        if (r < 0) {
            rd_config_free(&c);
            return r;
        }
    }
    /* The server binds its address with SO_REUSEPORT: the same one twice would both bind. */
    if (c.metrics_host && c.metrics_port == c.listen_port &&
        !strcmp(c.metrics_host, c.listen_host)) {
        snprintf(err, err_size,
                 "REPEATD_METRICS_LISTEN must be another address than REPEATD_LISTEN");
        rd_config_free(&c);
        return -EINVAL;
    }
    *ret = c;
    return 0;
}

void rd_config_free(rd_config *c)
{
    if (!c)
        return;
    free(c->database_url);
    free(c->listen_host);
    free(c->secret);
    free(c->bootstrap_admin_key);
    free(c->replica_url);
    free(c->metrics_host);
    memset(c, 0, sizeof(*c));
}
