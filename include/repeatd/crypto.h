/* Hashes and random tokens (GnuTLS): citizen keys, API keys, idempotency. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define RD_HASH_LEN 32

/* HMAC-SHA256 of data under key. 0 or -EIO. */
int rd_hmac_sha256(const char *key, const void *data, size_t len, uint8_t ret[RD_HASH_LEN]);

/* SHA-256 of data. 0 or -EIO. */
int rd_sha256(const void *data, size_t len, uint8_t ret[RD_HASH_LEN]);

/* A new random API key: "rk_" and 43 URL-safe characters (256 bits). 0 or -EIO. */
#define RD_TOKEN_LEN 47
int rd_random_token(char ret[RD_TOKEN_LEN]);

/* A random request id of 16 hex digits. */
void rd_request_id(char ret[17]);

/* Lower-case hex of n bytes into ret (2n+1 bytes). */
void rd_hex(const uint8_t *data, size_t n, char *ret);
