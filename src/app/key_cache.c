/* A small cache of recently seen valid API keys: direct-mapped by the key's hash. */
#include "repeatd/key_cache.h"

#include <stdio.h>
#include <string.h>

void rd_key_cache_init(rd_key_cache *c)
{
    memset(c->slots, 0, sizeof(c->slots));
    pthread_mutex_init(&c->lock, NULL);
}

void rd_key_cache_destroy(rd_key_cache *c)
{
    pthread_mutex_destroy(&c->lock);
}

static rd_key_cache_entry *slot_of(rd_key_cache *c, const uint8_t hash[RD_HASH_LEN])
{
    return &c->slots[hash[0] % RD_KEY_CACHE_SLOTS];
}

bool rd_key_cache_get(rd_key_cache *c, const uint8_t hash[RD_HASH_LEN], double now,
                      rd_role *ret_role, char ret_name[RD_KEY_NAME_MAX])
{
    bool hit = false;
    pthread_mutex_lock(&c->lock);
    rd_key_cache_entry *e = slot_of(c, hash);
    if (e->expires > now && memcmp(e->hash, hash, RD_HASH_LEN) == 0) {
        *ret_role = e->role;
        memcpy(ret_name, e->name, RD_KEY_NAME_MAX);
        hit = true;
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void rd_key_cache_put(rd_key_cache *c, const uint8_t hash[RD_HASH_LEN], double now, rd_role role,
                      const char *name)
{
    pthread_mutex_lock(&c->lock);
    rd_key_cache_entry *e = slot_of(c, hash);
    memcpy(e->hash, hash, RD_HASH_LEN);
    e->role = role;
    snprintf(e->name, sizeof(e->name), "%s", name);
    e->expires = now + RD_KEY_CACHE_TTL_S;
    pthread_mutex_unlock(&c->lock);
}
