/* The service layer's context: what every use case of app/ needs, shared by the HTTP server,
 * the commands and the tools. One per process; safe to use from many threads. */
#pragma once

#include "repeatd/key_cache.h"
#include "repeatd/pool.h"
#include "repeatd/settings.h"
#include "repeatd/tx.h"

#include <pthread.h>
#include <stdint.h>

/* Where dashboards' reads go (app/replica.c): a streaming replica while it answers and keeps
 * up, else the primary. Its state is looked at again at most once a second. */
typedef enum rd_replica_state {
    RD_REPLICA_OK = 0,
    RD_REPLICA_LAGGING, /* more than max_lag_s behind */
    RD_REPLICA_DOWN,    /* no connection, or a read that lost it */
} rd_replica_state;

typedef struct rd_replica_stats {
    bool configured;
    rd_replica_state state;
    double lag_s;                   /* as last measured */
    uint64_t reads;                 /* transactions the replica served */
    uint64_t fallbacks_unavailable; /* reads sent to the primary: the replica did not answer */
    uint64_t fallbacks_lag;         /* reads sent to the primary: the replica lagged */
} rd_replica_stats;

typedef struct rd_replica {
    rd_pool *pool; /* borrowed; NULL: no replica, every read on the primary */
    double max_lag_s;
    pthread_mutex_t lock;
    double checked_at; /* monotonic seconds of the last look */
    bool probing;      /* a thread is looking now: the others go by the last look */
    rd_replica_stats stats;
} rd_replica;

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

    rd_replica replica;
} rd_service;

void rd_service_init(rd_service *svc, rd_pool *pool, const char *secret, bool skip_kpis);
void rd_service_done(rd_service *svc);

/* The settings in force, in the caller's transaction: one integer read while nothing changed,
 * a full load and parse after a change. -EIO when the stored settings are invalid (logged). */
int rd_service_settings(rd_service *svc, rd_db *db, rd_settings *ret);

/* The same check in two halves, for a transaction in pipeline mode: _send queues the revision
 * read so that it rides in the transaction's first flight, _take (once) compares it with the
 * cache after that flight (a load and parse only after a change). */
typedef struct rd_settings_check {
    int ticket; /* of the revision read; -1: none sent (pinned settings) */
    bool guessed;
    int64_t guessed_revision; /* of rd_service_settings_guess's copy */
    int64_t revision;         /* read by _take */
} rd_settings_check;
int rd_service_settings_send(rd_service *svc, rd_db *db, rd_settings_check *ret);
int rd_service_settings_take(rd_service *svc, rd_db *db, rd_settings_check *check,
                             rd_settings *ret);

/* After _send: the cached settings, for reads that depend on them to ride in the same flight
 * as the check; false when none are cached. Once _take has the stored revision,
 * rd_service_settings_guess_held says whether the guess was the settings in force (else the
 * reads are made again with _take's). */
bool rd_service_settings_guess(rd_service *svc, rd_settings_check *check, rd_settings *ret);
bool rd_service_settings_guess_held(const rd_settings_check *check);

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

/* Send dashboards' reads to a streaming replica (a pool the caller keeps) while it lags at most
 * max_lag_s seconds behind the primary. Call once, before serving. */
void rd_service_use_replica(rd_service *svc, rd_pool *replica, int max_lag_s);

/* A read-only transaction that a replica may serve (app/replica.c): on the replica when one is
 * configured, answers and keeps up; otherwise, or when it fails to answer during the read, on
 * the primary through *db as rd_service_tx does. Each fallback is counted and each change of the
 * replica's state logged. */
int rd_service_read_tx(rd_service *svc, rd_db **db, const rd_tx *tx);

/* A snapshot of the replica's state and counters, for /metrics. */
void rd_service_replica_stats(rd_service *svc, rd_replica_stats *ret);
