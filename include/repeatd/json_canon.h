/* JSON text as jansson's json_dumps writes it, byte for byte, without its per-call costs (a
 * hash table of parents, a callback a token, a copy at the end), and the request hash that
 * intake and events keep of a body (codec/json_canon.c). */
#pragma once

#include "repeatd/crypto.h"

#include <jansson.h>
#include <stdbool.h>

/* The text of v that json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) gives when sort_keys, else
 * json_dumps(v, JSON_COMPACT) (keys in the object's own order); v an object or an array. The
 * caller frees it; NULL where json_dumps gives NULL (a string that is not UTF-8, a value that
 * is neither object nor array) or out of memory. */
char *rd_json_dumps(const json_t *v, bool sort_keys);

/* The lower-case hex SHA-256 of prefix (NULL: none) followed by v's canonical text, the text of
 * rd_json_dumps(v, true): "same body" means the same JSON value, whatever the key order and
 * spacing. 0, -EINVAL where json_dumps would fail, -ENOMEM, -EIO. */
int rd_json_sha256(const char *prefix, const json_t *v, char ret_hex[2 * RD_HASH_LEN + 1]);
