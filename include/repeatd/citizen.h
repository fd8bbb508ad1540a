/* Citizen identities: keyed hashes of the CRM id or the normalised phone, never the number. */
#pragma once

#include "repeatd/crypto.h"
#include "repeatd/phone.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct rd_citizen_key {
    char citizen_hex[2 * RD_HASH_LEN + 1]; /* who the citizen is, for "same citizen" */
    bool has_phone;
    char phone_hex[2 * RD_HASH_LEN + 1]; /* the phone alone, for the caller screen pop */
    char phone_masked[RD_PHONE_MAX];
} rd_citizen_key;

/* Hash the citizen (CRM id when given, else phone). -EINVAL for an unusable phone. */
int rd_citizen_key_make(const char *secret, const char *phone, const char *citizen_id,
                        rd_citizen_key *ret);

/* The phone hash alone. -EINVAL for an unusable phone. */
int rd_phone_hash(const char *secret, const char *phone, char ret[2 * RD_HASH_LEN + 1]);

/* The key of a citizen's problem (citizen, category): the first 8 bytes of
 * SHA-256("<citizen hex>|<category>") read big-endian, as SQL's rd_problem_key computes it
 * (migrations/0011). Intake's advisory lock, and ticket_state's indexes by problem. */
int64_t rd_problem_key(const char *citizen_hex, const char *category);

/* The next 8 bytes of the same hash (SQL's rd_problem_check, migrations/0014): with the key,
 * 128 bits that tell one citizen's problem from another's whose key is the same by chance. */
int64_t rd_problem_check(const char *citizen_hex, const char *category);
