/* Dashboards' reads on a streaming replica: routing, lag fallback and the replica's state.
 * Intake and events never come here; they run on the primary through rd_service_tx. */
#include "repeatd/log.h"
#include "repeatd/service.h"
#include "repeatd/store.h"

#include <errno.h>
#include <time.h>

/* How often the replica's lag (or, when it was down, its presence) is looked at again: a
 * dashboard's read pays the lag query at most once a second per process. */
#define LOOK_EVERY_S 1.0

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void rd_service_use_replica(rd_service *svc, rd_pool *replica, int max_lag_s)
{
    svc->replica.pool = replica;
    svc->replica.max_lag_s = max_lag_s;
    svc->replica.stats.configured = replica != NULL;
    /* Not trusted before the first look: the reads that come while it runs go to the primary. */
    svc->replica.stats.state = RD_REPLICA_DOWN;
    svc->replica.checked_at = -LOOK_EVERY_S; /* look at the first read */
}

/* Under rp->lock: a new state, logged when it changes. */
static void set_state(rd_replica *rp, rd_replica_state state, double lag_s)
{
    rd_replica_state was = rp->stats.state;
    rp->stats.state = state;
    rp->stats.lag_s = lag_s;
    if (state == was)
        return;
    if (state == RD_REPLICA_OK)
        rd_log(RD_LOG_INFO, "dashboard reads go to the replica (%.1f s behind)", lag_s);
    else if (state == RD_REPLICA_LAGGING)
        rd_log(RD_LOG_WARN,
               "dashboard reads fall back to the primary: the replica is %.1f s behind "
               "(REPEATD_REPLICA_MAX_LAG_S %.0f)",
               lag_s, rp->max_lag_s);
    else
        rd_log(RD_LOG_WARN,
               "dashboard reads fall back to the primary: the replica does not answer");
}

/* Under rp->lock: one read goes to the primary because of the state. */
static void count_fallback(rd_replica *rp)
{
    if (rp->stats.state == RD_REPLICA_LAGGING)
        rp->stats.fallbacks_lag++;
    else
        rp->stats.fallbacks_unavailable++;
}

/* Look at the replica: a connection and its lag. The new state; *ret a connection to read on
 * when it is RD_REPLICA_OK. */
static rd_replica_state look(rd_replica *rp, rd_db **ret, double *ret_lag_s)
{
    rd_db *db = NULL;
    *ret_lag_s = 0;
    if (rd_pool_acquire(rp->pool, &db) < 0)
        return RD_REPLICA_DOWN;
    if (store_replica_lag(db, ret_lag_s) < 0) {
        rd_pool_release(rp->pool, db);
        return RD_REPLICA_DOWN;
    }
    if (*ret_lag_s > rp->max_lag_s) {
        rd_pool_release(rp->pool, db);
        return RD_REPLICA_LAGGING;
    }
    *ret = db;
    return RD_REPLICA_OK;
}

/* A replica connection to read on, or false: read on the primary (counted). One thread at a
 * time looks at the replica when the last look is a second old; the others go by that look. */
static bool take(rd_replica *rp, rd_db **ret)
{
    double now = now_s();
    pthread_mutex_lock(&rp->lock);
    bool mine = !rp->probing && now - rp->checked_at >= LOOK_EVERY_S;
    rp->probing |= mine;
    rd_replica_state state = rp->stats.state;
    if (!mine && state != RD_REPLICA_OK)
        count_fallback(rp);
    pthread_mutex_unlock(&rp->lock);

    if (!mine) {
        if (state != RD_REPLICA_OK)
            return false;
        if (rd_pool_acquire(rp->pool, ret) == 0)
            return true;
        pthread_mutex_lock(&rp->lock);
        set_state(rp, RD_REPLICA_DOWN, 0);
        count_fallback(rp);
        pthread_mutex_unlock(&rp->lock);
        return false;
    }
    double lag_s;
    state = look(rp, ret, &lag_s);
    pthread_mutex_lock(&rp->lock);
    rp->probing = false;
    rp->checked_at = now_s();
    set_state(rp, state, lag_s);
    if (state != RD_REPLICA_OK)
        count_fallback(rp);
    pthread_mutex_unlock(&rp->lock);
    return state == RD_REPLICA_OK;
}

int rd_service_read_tx(rd_service *svc, rd_db **db, const rd_tx *tx)
{
    rd_replica *rp = &svc->replica;
    rd_db *rdb = NULL;
    if (rp->pool && take(rp, &rdb)) {
        int r = rd_tx_run(rp->pool, &rdb, tx);
        if (rdb)
            rd_pool_release(rp->pool, rdb);
        pthread_mutex_lock(&rp->lock);
        /* -EAGAIN: still refused after the runner's retries, such as a standby cancelling
         * the read for a conflict with recovery; the primary answers it instead. */
        bool lost = r == -ECONNREFUSED || r == -ECONNRESET || r == -EAGAIN;
        if (lost) {
            set_state(rp, RD_REPLICA_DOWN, 0);
            rp->checked_at = now_s();
            count_fallback(rp);
        } else {
            rp->stats.reads++;
        }
        pthread_mutex_unlock(&rp->lock);
        if (!lost)
            return r;
        if (tx->clear) /* what the lost try left; the primary's first try starts clean */
            tx->clear(tx->out);
    }
    return rd_service_tx(svc, db, tx);
}

void rd_service_replica_stats(rd_service *svc, rd_replica_stats *ret)
{
    pthread_mutex_lock(&svc->replica.lock);
    *ret = svc->replica.stats;
    pthread_mutex_unlock(&svc->replica.lock);
}
