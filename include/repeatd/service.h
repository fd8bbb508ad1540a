/* The service layer's context: what every use case of app/ needs, shared by the HTTP server,
 * the commands and the tools. One per process; safe to use from many threads. */
#pragma once

#include "repeatd/key_cache.h"
#include "repeatd/pool.h"
#include "repeatd/settings.h"
#include "repeatd/tx.h"

#include <pthread.h>
#include <stdint.h>

typedef struct rd_service {
    rd_pool *pool;      /* borrowed */
    const char *secret; /* HMAC key of citizen identities, borrowed; NULL when not needed */
    bool skip_kpis;     /* REPEATD_BENCH_NO_AGGREGATES: measuring what the aggregates cost */
    rd_key_cache keys;  /* valid API keys seen lately */

    /* The parsed settings, valid while the stored revision is `settings_revision`. */
    pthread_mutex_t settings_lock;
    bool settings_valid;
    int64_t settings_revision;
    rd_settings settings;
    /* Set by a command that decides a whole history under one set of settings (import): once
     * read, the settings are kept without the revision check of every transaction. */
    bool settings_pinned;
} rd_service;

void rd_service_init(rd_service *svc, rd_pool *pool, const char *secret, bool skip_kpis);
void rd_service_done(rd_service *svc);

/* The settings in force, in the caller's transaction: one integer read while nothing changed,
 * a full load and parse after a change. -EIO when the stored settings are invalid (logged). */
int rd_service_settings(rd_service *svc, rd_db *db, rd_settings *ret);

/* Forget the cached settings (after this process changed them). */
void rd_service_settings_changed(rd_service *svc);

/* Give a connection of the pool back (NULL is fine). */
void rd_service_release(rd_service *svc, rd_db *db);

/* Connections in the pool and how many are idle now. */
void rd_service_pool_stats(rd_service *svc, int *ret_size, int *ret_idle);

/* Take a free connection of the pool without waiting (-EAGAIN when none is); every wait on
 * it ends by deadline_ms (CLOCK_MONOTONIC milliseconds). It connects on first use. */
int rd_service_try_take(rd_service *svc, int64_t deadline_ms, rd_db **ret);

/* The column PostgreSQL named when it refused a value of the request (-EDOM), or NULL. */
const char *rd_service_refused_column(const rd_db *db);

/* rd_tx_run on the service's pool. */
int rd_service_tx(rd_service *svc, rd_db **db, const rd_tx *tx);
