/* A small cache of recently seen valid API keys, so that a request does not spend a database
 * round trip on its key. Entries live KEY_CACHE_TTL_S seconds; only valid keys are cached. */
#pragma once

#include "repeatd/crypto.h"
#include "repeatd/domain.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define RD_KEY_CACHE_SLOTS 64
#define RD_KEY_CACHE_TTL_S 60
#define RD_KEY_NAME_MAX    65

typedef struct rd_key_cache_entry {
    uint8_t hash[RD_HASH_LEN];
    rd_role role;
    char name[RD_KEY_NAME_MAX];
    double expires; /* monotonic seconds; 0 = empty */
} rd_key_cache_entry;

typedef struct rd_key_cache {
    pthread_mutex_t lock;
    rd_key_cache_entry slots[RD_KEY_CACHE_SLOTS];
} rd_key_cache;

void rd_key_cache_init(rd_key_cache *c);
void rd_key_cache_destroy(rd_key_cache *c);

/* Whether a live entry for hash exists; copies its role and name. */
bool rd_key_cache_get(rd_key_cache *c, const uint8_t hash[RD_HASH_LEN], double now,
                      rd_role *ret_role, char ret_name[RD_KEY_NAME_MAX]);

/* Remember a valid key (evicting the slot the hash maps to). */
void rd_key_cache_put(rd_key_cache *c, const uint8_t hash[RD_HASH_LEN], double now, rd_role role,
                      const char *name);
