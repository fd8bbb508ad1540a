/* Citizen identities: keyed hashes of the CRM id or the normalised phone, never the number. */
#pragma once

#include "repeatd/crypto.h"
#include "repeatd/phone.h"

#include <stdbool.h>

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
