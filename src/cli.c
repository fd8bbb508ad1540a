/* The commands behind main(): config → log → store → http server → wait for a signal → drain. */
#include "repeatd/cli.h"

#include "repeatd/config.h"
#include "repeatd/crypto.h"
#include "repeatd/http.h"
#include "repeatd/import.h"
#include "repeatd/log.h"
#include "repeatd/maintain.h"
#include "repeatd/prepare.h"
#include "repeatd/store.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long a starting server waits for its database before giving up. */
#define STARTUP_DB_WAIT_S 30
#define DRAIN_S           10

static int load_config(rd_config *c, bool need_secret)
{
    char err[256];
    if (rd_config_load(c, need_secret, err, sizeof(err)) < 0) {
        fprintf(stderr, "repeatd: configuration error: %s\n", err);
        return -EINVAL;
    }
    return 0;
}

static rd_db *connect_waiting(const char *url, int wait_s)
{
    for (int i = 0;; i++) {
        rd_db *db = rd_db_connect(url);
        if (db || i >= wait_s)
            return db;
        sleep(1);
    }
}

static int ensure_key(rd_db *db, const char *name, const char *role, const char *key)
{
    uint8_t h[RD_HASH_LEN];
    char hex[2 * RD_HASH_LEN + 1];
    int r = rd_sha256(key, strlen(key), h);
    if (r < 0)
        return r;
    rd_hex(h, sizeof(h), hex);
    r = store_key_insert(db, name, role, hex);
    return r == -EEXIST ? 0 : r;
}

int rd_cmd_migrate(void)
{
    rd_config c;
    if (load_config(&c, false) < 0)
        return 2;
    rd_db *db = connect_waiting(c.database_url, STARTUP_DB_WAIT_S);
    int r = db ? rd_prepare_database(db) : -ECONNREFUSED;
    rd_db_close(db);
    rd_config_free(&c);
    if (r < 0) {
        fprintf(stderr, "repeatd: migrate failed: %s\n", strerror(-r));
        return 1;
    }
    return 0;
}

int rd_cmd_key_create(int argc, char **argv)
{
    static const struct option opts[] = {
        {"role", required_argument, NULL, 'r'},
        {"name", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    const char *role = NULL, *name = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'r')
            role = optarg;
        else if (o == 'n')
            name = optarg;
        else
            return 2;
    }
    rd_role parsed;
    if (!role || rd_role_parse(role, &parsed) < 0 || !name || !*name || strlen(name) > 64) {
        fprintf(stderr, "usage: repeatd key create --role crm|dashboard|manager|admin --name NAME "
                        "(1-64 characters)\n");
        return 2;
    }
    rd_config c;
    if (load_config(&c, false) < 0)
        return 2;
    char key[RD_TOKEN_LEN];
    rd_db *db = connect_waiting(c.database_url, 0);
    int r = db ? rd_prepare_database(db) : -ECONNREFUSED;
    if (r >= 0)
        r = rd_random_token(key);
    if (r >= 0)
        r = ensure_key(db, name, role, key);
    rd_db_close(db);
    rd_config_free(&c);
    if (r < 0) {
        fprintf(stderr, "repeatd: key create failed: %s\n", strerror(-r));
        return 1;
    }
    printf("%s\n", key);
    return 0;
}

/* Two connections a CPU: each worker waits on its backend about half the time (measured in
 * the README's import section). */
static unsigned import_workers_default(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long n = cpus > 0 ? 2 * cpus : 2;
    return (unsigned)(n < RD_IMPORT_WORKERS_MAX ? n : RD_IMPORT_WORKERS_MAX);
}

static int parse_workers(const char *s, unsigned *ret)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > RD_IMPORT_WORKERS_MAX) {
        fprintf(stderr, "repeatd import: --workers takes 1 to %d\n", RD_IMPORT_WORKERS_MAX);
        return -1;
    }
    *ret = (unsigned)v;
    return 0;
}

int rd_cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"rejects", required_argument, NULL, 'r'},
        {"dry-run", no_argument, NULL, 'n'},
        {"workers", required_argument, NULL, 'w'},
        {"per-record", no_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    rd_import_opts io = {.progress = stderr, .workers = import_workers_default()};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'r')
            io.rejects_path = optarg;
        else if (o == 'n')
            io.dry_run = true;
        else if (o == 'p')
            io.per_record = true;
        else if (o == 'w' && parse_workers(optarg, &io.workers) == 0)
            continue;
        else
            return 2;
    }
    if (optind >= argc) {
        fprintf(stderr,
                "usage: repeatd import [--rejects FILE] [--dry-run] [--workers N] [--per-record]"
                " FILE..."
                " (- for standard input)\n");
        return 2;
    }
    io.files = (const char *const *)argv + optind;
    io.n_files = (size_t)(argc - optind);
    rd_config c;
    if (load_config(&c, true) < 0)
        return 2;
    rd_db *db = connect_waiting(c.database_url, 0);
    int r = db ? rd_prepare_database(db) : -ECONNREFUSED;
    rd_service svc;
    rd_service_init(&svc, NULL, c.secret, false);
    rd_import_summary sum;
    io.database_url = c.database_url;
    if (r >= 0)
        r = rd_import(&svc, db, &io, &sum);
    rd_service_done(&svc);
    rd_db_close(db);
    rd_config_free(&c);
    if (r == -EINVAL)
        return 2; /* said on stderr */
    if (r < 0) {
        fprintf(stderr, "repeatd: import failed: %s (run it again: what was committed is kept)\n",
                strerror(-r));
        return 1;
    }
    rd_import_summary_print(stdout, &sum);
    return sum.rejected ? 3 : 0;
}

int rd_cmd_maintain(void)
{
    rd_config c;
    if (load_config(&c, false) < 0)
        return 2;
    rd_db *db = connect_waiting(c.database_url, 0);
    int r = db ? rd_prepare_schema(db) : -ECONNREFUSED;
    rd_service svc;
    rd_service_init(&svc, NULL, NULL, false);
    rd_maintain_summary sum = {0};
    if (r >= 0)
        r = rd_maintain(&svc, db, &sum);
    char *line = r >= 0 ? rd_maintain_summary_json(&sum) : NULL;
    if (r >= 0 && !line)
        r = -ENOMEM;
    rd_maintain_summary_free(&sum);
    rd_service_done(&svc);
    rd_db_close(db);
    rd_config_free(&c);
    if (r < 0) {
        fprintf(stderr,
                "repeatd: maintain failed: %s (the months it finished are gone; run it again)\n",
                strerror(-r));
        return 1;
    }
    printf("%s\n", line);
    free(line);
    return 0;
}

/* ---- serve's own maintenance: once soon after start, then once a day ---- */

#define MAINTAIN_FIRST_S    60
#define MAINTAIN_EVERY_S    (24 * 3600)
#define MAINTAIN_RETRY_S    3600
#define MAINTAIN_TIMEOUT_MS (30 * 60 * 1000) /* a run that takes longer is given up */

/* A thread with a connection and a service context of its own (no pool worker taken, no
 * request's deadline), so that a retention run never holds up a request, and shares nothing
 * that the server frees when it stops. */
typedef struct maintainer {
    const char *url; /* read before each run only */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on CLOCK_MONOTONIC */
    bool stop, running;
} maintainer;

/* One run, logged; how long until the next. */
static int maintain_once(const char *url)
{
    rd_service svc;
    rd_service_init(&svc, NULL, NULL, false);
    rd_db *db = rd_db_connect(url);
    if (db)
        db->deadline_ms = rd_mono_ms() + MAINTAIN_TIMEOUT_MS;
    rd_maintain_summary sum = {0};
    int r = db ? rd_maintain(&svc, db, &sum) : -ECONNREFUSED;
    rd_db_close(db);
    rd_service_done(&svc);
    char *line = r >= 0 ? rd_maintain_summary_json(&sum) : NULL;
    rd_maintain_summary_free(&sum);
    if (r < 0) {
        rd_log(RD_LOG_ERROR, "maintenance failed: %s; next try in %d s", strerror(-r),
               MAINTAIN_RETRY_S);
        return MAINTAIN_RETRY_S;
    }
    rd_log(RD_LOG_INFO, "maintenance: %s", line ? line : "done");
    free(line);
    return MAINTAIN_EVERY_S;
}

static void *maintain_daily(void *arg)
{
    maintainer *m = arg;
    int wait_s = MAINTAIN_FIRST_S;
    pthread_mutex_lock(&m->lock);
    while (!m->stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += wait_s;
        while (!m->stop && pthread_cond_timedwait(&m->wake, &m->lock, &until) != ETIMEDOUT)
            ;
        if (m->stop)
            break;
        const char *url = m->url;
        pthread_mutex_unlock(&m->lock);
        wait_s = maintain_once(url);
        pthread_mutex_lock(&m->lock);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

static int maintainer_start(maintainer *m, const char *url)
{
    *m = (maintainer){.url = url};
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&m->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&m->lock, NULL);
    int r = pthread_create(&m->thread, NULL, maintain_daily, m);
    if (r != 0) {
        pthread_cond_destroy(&m->wake);
        pthread_mutex_destroy(&m->lock);
        return -r;
    }
    m->running = true;
    return 0;
}

/* Wakes the thread and waits for it, a run in progress for DRAIN_S at most: one that takes
 * longer (a stalled database) ends with the process, and its transaction is rolled back. */
static void maintainer_stop(maintainer *m)
{
    if (!m->running)
        return;
    pthread_mutex_lock(&m->lock);
    m->stop = true;
    m->url = NULL;
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->lock);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += DRAIN_S;
    if (pthread_timedjoin_np(m->thread, NULL, &until) != 0) {
        rd_log(RD_LOG_WARN, "maintenance still running: left to end with the process");
        return; /* m is static: the thread may still take its lock */
    }
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->lock);
    m->running = false;
}

int rd_cmd_serve(void)
{
    rd_config c;
    if (load_config(&c, true) < 0)
        return 2;
    /* Block the stop signals before any thread starts, so that only sigwait() sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    int status = 1;
    rd_pool *pool = NULL, *replica = NULL;
    rd_service service = {0};
    rd_server *server = NULL;
    static maintainer maint; /* outlives this function if a run outlives the drain */
    rd_db *db = connect_waiting(c.database_url, STARTUP_DB_WAIT_S);
    int r = db ? rd_prepare_database(db) : -ECONNREFUSED;
    if (r >= 0 && c.bootstrap_admin_key)
        r = ensure_key(db, "bootstrap", "admin", c.bootstrap_admin_key);
    rd_db_close(db);
    if (r < 0) {
        rd_log(RD_LOG_ERROR, "database not ready: %s", strerror(-r));
        goto out;
    }
    /* One connection more for the metrics address, so that a scrape never waits for one. */
    if (rd_pool_new(c.database_url, c.threads + (c.metrics_host != NULL), c.db_timeout_ms, &pool) <
        0)
        goto out;
    rd_service_init(&service, pool, c.secret, c.bench_no_aggregates);
    if (c.replica_url) {
        if (rd_pool_new(c.replica_url, c.threads, c.db_timeout_ms, &replica) < 0)
            goto out;
        rd_service_use_replica(&service, replica, c.replica_max_lag_s);
        rd_log(RD_LOG_INFO, "dashboard reads on the replica while it is at most %d s behind",
               c.replica_max_lag_s);
    }
    rd_httpd httpd = {.config = &c, .service = &service};
    if ((r = rd_server_start(&httpd, &server)) < 0) {
        rd_log(RD_LOG_ERROR, "cannot listen on %s:%d: %s%s", c.listen_host, c.listen_port,
               r == -EADDRINUSE ? "the address is in use by another process" : strerror(-r),
               r == -EADDRINUSE ? " (REPEATD_REUSE_PORT=1 shares a port on purpose)" : "");
        if (c.metrics_host)
            rd_log(RD_LOG_ERROR, "(or on REPEATD_METRICS_LISTEN %s:%d)", c.metrics_host,
                   c.metrics_port);
        goto out;
    }
    rd_log(RD_LOG_INFO, "repeatd listening on %s:%d with %d threads", c.listen_host, c.listen_port,
           c.threads);
    if (c.metrics_host)
        rd_log(RD_LOG_INFO, "/metrics without a key on %s:%d", c.metrics_host, c.metrics_port);
    if ((r = maintainer_start(&maint, c.database_url)) < 0)
        rd_log(RD_LOG_WARN, "no daily maintenance in this process: %s", strerror(-r));
    int sig = 0;
    sigwait(&stop, &sig);
    rd_log(RD_LOG_INFO, "signal %d: finishing in-flight requests", sig);
    rd_server_stop(server, DRAIN_S);
    server = NULL;
    maintainer_stop(&maint); /* after the requests: a run in progress waits, they do not */
    status = 0;
out:
    rd_server_stop(server, 0);
    rd_pool_free(replica);
    rd_pool_free(pool);
    if (pool)
        rd_service_done(&service);
    rd_config_free(&c);
    if (status == 0)
        rd_log(RD_LOG_INFO, "repeatd stopped");
    return status;
}
