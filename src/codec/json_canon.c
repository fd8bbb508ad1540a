/* JSON text as json_dumps writes it with JSON_COMPACT (and JSON_SORT_KEYS): the same bytes, so
 * that a hash taken here equals one taken by json_dumps, but written straight into one buffer.
 * json_dumps keeps a hash table of the containers it is inside (to find cycles, which a parsed
 * body cannot have), calls back for every token and copies the text at the end: most of the
 * time a request hash took. What it writes, and what is written here alike:
 *   - null, true, false; an integer as "%lld"; a real as jansson writes it (asked of jansson:
 *     its shortest-or-%.17g rule and the ".0" it adds are its own);
 *   - a string between quotes, UTF-8 checked (a string that is not UTF-8 fails the whole
 *     text), with \" \\ \b \f \n \r \t and \u00XX (upper-case hex) for the other bytes below
 *     0x20; everything else as it is (no ASCII escaping, "/" as is);
 *   - an object's keys in its own order, or sorted byte by byte (a key that is a prefix of
 *     another first), "key":value joined by ","; an array's values joined by ",". */
#include "repeatd/json_canon.h"
#include "repeatd/json_out.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The text being written: in the caller's buffer until it outgrows it, then on the heap. */
typedef struct sink {
    char *p;
    size_t n, cap;
    bool heap;
    int err;
} sink;

static bool grow(sink *s, size_t more)
{
    if (s->err)
        return false;
    size_t cap = s->cap * 2;
    while (cap < s->n + more + 1)
        cap *= 2;
    char *p = s->heap ? realloc(s->p, cap) : malloc(cap);
    if (!p) {
        s->err = -ENOMEM;
        return false;
    }
    if (!s->heap)
        memcpy(p, s->p, s->n);
    s->p = p;
    s->cap = cap;
    s->heap = true;
    return true;
}

static inline void put(sink *s, const char *t, size_t len)
{
    if (s->n + len + 1 > s->cap && !grow(s, len))
        return;
    memcpy(s->p + s->n, t, len);
    s->n += len;
}

static inline void put_c(sink *s, char c)
{
    if (s->n + 2 > s->cap && !grow(s, 1))
        return;
    s->p[s->n++] = c;
}

/* The length of the UTF-8 sequence at p (at most `left` bytes), 0 when it is not one: the
 * checks of jansson's utf8_iterate (no overlong form, no surrogate, nothing past U+10FFFF). */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    unsigned char u = p[0];
    size_t n;
    uint32_t v;
    if (u < 0x80)
        return 1;
    if (u >= 0xC2 && u <= 0xDF)
        n = 2, v = u & 0x1F;
    else if (u >= 0xE0 && u <= 0xEF)
        n = 3, v = u & 0x0F;
    else if (u >= 0xF0 && u <= 0xF4)
        n = 4, v = u & 0x07;
    else
        return 0;
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
        v = v << 6 | (p[i] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 2 && v < 0x80) ||
        (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
        return 0;
    return n;
}

static void put_string(sink *s, const char *str, size_t len)
{
    const unsigned char *p = (const unsigned char *)str, *end = p + len, *run = p;
    put_c(s, '"');
    while (p < end) {
        unsigned char c = *p;
        if (c >= 0x80) {
            size_t n = utf8_len(p, (size_t)(end - p));
            if (!n) {
                s->err = s->err ? s->err : -EINVAL;
                return;
            }
            p += n;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            p++;
            continue;
        }
        put(s, (const char *)run, (size_t)(p - run));
        char esc[6];
        size_t n = rd_json_escape(c, esc);
        put(s, esc, n);
        run = ++p;
    }
    put(s, (const char *)run, (size_t)(p - run));
    put_c(s, '"');
}

static void put_integer(sink *s, json_int_t v)
{
    char t[24], *e = t + sizeof(t), *q = e;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--q = '-';
    put(s, q, (size_t)(e - q));
}

typedef struct member {
    const char *key;
    size_t len;
    json_t *value;
} member;

static int cmp_member(const member *a, const member *b)
{
    int c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);
    return c ? c : a->len < b->len ? -1 : a->len > b->len;
}

static int cmp_member_q(const void *a, const void *b)
{
    return cmp_member(a, b);
}

static void put_value(sink *s, const json_t *v, bool sort_keys);

static void put_object(sink *s, const json_t *v, bool sort_keys)
{
    size_t n = json_object_size(v);
    put_c(s, '{');
    if (!sort_keys || n < 2) {
        bool first = true;
        for (void *it = json_object_iter((json_t *)v); it && !s->err;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first)
                put_c(s, ',');
            first = false;
            put_string(s, json_object_iter_key(it), json_object_iter_key_len(it));
            put_c(s, ':');
            put_value(s, json_object_iter_value(it), sort_keys);
        }
        put_c(s, '}');
        return;
    }
    member small[32], *m = n <= 32 ? small : malloc(n * sizeof(*m));
    if (!m) {
        s->err = -ENOMEM;
        return;
    }
    size_t k = 0;
    for (void *it = json_object_iter((json_t *)v); it && k < n;
         it = json_object_iter_next((json_t *)v, it))
        m[k++] = (member){json_object_iter_key(it), json_object_iter_key_len(it),
                          json_object_iter_value(it)};
    if (k <= 32) { /* a body's few keys: insertion sort beats qsort's calls */
        for (size_t i = 1; i < k; i++) {
            member x = m[i];
            size_t j = i;
            for (; j > 0 && cmp_member(&m[j - 1], &x) > 0; j--)
                m[j] = m[j - 1];
            m[j] = x;
        }
    } else {
        qsort(m, k, sizeof(*m), cmp_member_q);
    }
    for (size_t i = 0; i < k && !s->err; i++) {
        if (i)
            put_c(s, ',');
        put_string(s, m[i].key, m[i].len);
        put_c(s, ':');
        put_value(s, m[i].value, sort_keys);
    }
    if (m != small)
        free(m);
    put_c(s, '}');
}

static void put_value(sink *s, const json_t *v, bool sort_keys)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        put_object(s, v, sort_keys);
        return;
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        put_c(s, '[');
        for (size_t i = 0; i < n && !s->err; i++) {
            if (i)
                put_c(s, ',');
            put_value(s, json_array_get(v, i), sort_keys);
        }
        put_c(s, ']');
        return;
    }
    case JSON_STRING:
        put_string(s, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
        put_integer(s, json_integer_value(v));
        return;
    case JSON_REAL: {
        char t[128];
        size_t n = json_dumpb(v, t, sizeof(t), JSON_COMPACT | JSON_ENCODE_ANY);
        if (n == 0 || n > sizeof(t))
            s->err = s->err ? s->err : -EINVAL;
        else
            put(s, t, n);
        return;
    }
    case JSON_TRUE:
        put(s, "true", 4);
        return;
    case JSON_FALSE:
        put(s, "false", 5);
        return;
    case JSON_NULL:
        put(s, "null", 4);
        return;
    }
}

/* Write v into s (whose buffer the caller gave); 0 or s->err. */
static int write_json(sink *s, const json_t *v, bool sort_keys)
{
    if (!json_is_object(v) && !json_is_array(v))
        return -EINVAL; /* json_dumps writes containers only */
    put_value(s, v, sort_keys);
    if (!s->err)
        s->p[s->n] = '\0';
    return s->err;
}

char *rd_json_dumps(const json_t *v, bool sort_keys)
{
    char buf[2048];
    sink s = {.p = buf, .cap = sizeof(buf)};
    char *ret = NULL;
    if (write_json(&s, v, sort_keys) == 0) {
        ret = s.heap ? s.p : malloc(s.n + 1);
        if (ret && !s.heap)
            memcpy(ret, s.p, s.n + 1);
        return ret;
    }
    if (s.heap)
        free(s.p);
    return NULL;
}

int rd_json_sha256(const char *prefix, const json_t *v, char ret_hex[2 * RD_HASH_LEN + 1])
{
    char buf[4096];
    sink s = {.p = buf, .cap = sizeof(buf)};
    if (prefix)
        put(&s, prefix, strlen(prefix));
    int r = write_json(&s, v, true);
    uint8_t h[RD_HASH_LEN];
    if (r == 0)
        r = rd_sha256(s.p, s.n, h);
    if (r == 0)
        rd_hex(h, sizeof(h), ret_hex);
    if (s.heap)
        free(s.p);
    return r;
}
