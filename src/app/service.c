/* The service layer's context and its settings cache. */
#include "repeatd/service.h"

#include "repeatd/codec.h"
#include "repeatd/log.h"
#include "repeatd/store.h"

#include <errno.h>
#include <string.h>

void rd_service_init(rd_service *svc, rd_pool *pool, const char *secret, bool skip_kpis)
{
    memset(svc, 0, sizeof(*svc));
    svc->pool = pool;
    svc->secret = secret;
    svc->skip_kpis = skip_kpis;
    pthread_mutex_init(&svc->settings_lock, NULL);
    pthread_mutex_init(&svc->replica.lock, NULL);
    rd_key_cache_init(&svc->keys);
}

void rd_service_done(rd_service *svc)
{
    if (!svc)
        return;
    pthread_mutex_destroy(&svc->settings_lock);
    pthread_mutex_destroy(&svc->replica.lock);
    rd_key_cache_destroy(&svc->keys);
}

static bool cached(rd_service *svc, int64_t revision, rd_settings *ret)
{
    pthread_mutex_lock(&svc->settings_lock);
    bool hit = svc->settings_valid && svc->settings_revision == revision;
    if (hit)
        *ret = svc->settings;
    pthread_mutex_unlock(&svc->settings_lock);
    return hit;
}

/* The pinned settings, once read: no revision check. */
static bool pinned(rd_service *svc, rd_settings *ret)
{
    pthread_mutex_lock(&svc->settings_lock);
    bool hit = svc->settings_pinned && svc->settings_valid;
    if (hit && ret)
        *ret = svc->settings;
    pthread_mutex_unlock(&svc->settings_lock);
    return hit;
}

/* The settings of stored revision `revision`: the cached copy, or loaded and parsed again. */
static int settings_at(rd_service *svc, rd_db *db, int64_t revision, rd_settings *ret)
{
    if (cached(svc, revision, ret))
        return 0;
    store_settings_stored stored;
    int r = store_settings_load(db, &stored);
    if (r < 0)
        return r;
    rd_settings s;
    rd_field_error err;
    rd_settings_defaults(&s);
    r = rd_settings_apply_json(&s, stored.values, true,
                               &err); /* a new setting not seeded yet: its default */
    json_decref(stored.values);
    if (r < 0) {
        rd_log(RD_LOG_ERROR, "stored settings are invalid: %s", err.message);
        return -EIO;
    }
    s.definition_version = stored.definition_version;
    pthread_mutex_lock(&svc->settings_lock);
    svc->settings = s;
    svc->settings_revision = stored.revision;
    svc->settings_valid = true;
    pthread_mutex_unlock(&svc->settings_lock);
    *ret = s;
    return 0;
}

int rd_service_settings(rd_service *svc, rd_db *db, rd_settings *ret)
{
    if (pinned(svc, ret))
        return 0;
    int64_t revision;
    int r = store_settings_revision(db, &revision);
    return r < 0 ? r : settings_at(svc, db, revision, ret);
}

int rd_service_settings_send(rd_service *svc, rd_db *db, rd_settings_check *ret)
{
    *ret = (rd_settings_check){.ticket = -1};
    if (pinned(svc, NULL))
        return 0;
    return store_settings_revision_send(db, &ret->ticket);
}

int rd_service_settings_take(rd_service *svc, rd_db *db, rd_settings_check *check, rd_settings *ret)
{
    if (check->ticket < 0) { /* pinned when sent: a guess, if any, holds */
        check->revision = check->guessed_revision;
        return rd_service_settings(svc, db, ret);
    }
    int r = store_settings_revision_take(db, check->ticket, &check->revision);
    check->ticket = -1;
    return r < 0 ? r : settings_at(svc, db, check->revision, ret);
}

bool rd_service_settings_guess(rd_service *svc, rd_settings_check *check, rd_settings *ret)
{
    pthread_mutex_lock(&svc->settings_lock);
    check->guessed = svc->settings_valid;
    if (check->guessed) {
        check->guessed_revision = svc->settings_revision;
        *ret = svc->settings;
    }
    pthread_mutex_unlock(&svc->settings_lock);
    return check->guessed;
}

bool rd_service_settings_guess_held(const rd_settings_check *check)
{
    return check->guessed && check->revision == check->guessed_revision;
}

void rd_service_settings_changed(rd_service *svc)
{
    pthread_mutex_lock(&svc->settings_lock);
    svc->settings_valid = false;
    pthread_mutex_unlock(&svc->settings_lock);
}

int rd_service_tx(rd_service *svc, rd_db **db, const rd_tx *tx)
{
    return rd_tx_run(svc->pool, db, tx);
}

void rd_service_release(rd_service *svc, rd_db *db)
{
    if (db)
        rd_pool_release(svc->pool, db);
}

void rd_service_pool_stats(rd_service *svc, int *ret_size, int *ret_idle)
{
    rd_pool_stats(svc->pool, ret_size, ret_idle);
}

int rd_service_try_take(rd_service *svc, int64_t deadline_ms, rd_db **ret)
{
    return rd_pool_try_take(svc->pool, deadline_ms, ret);
}

const char *rd_service_refused_column(const rd_db *db)
{
    return db && db->error_column[0] ? db->error_column : NULL;
}
