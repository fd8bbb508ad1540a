/* Import, first half: read JSON Lines, check each line's shape, and put the records in the
 * order the history happened. */
#include "import_records.h"

#include "repeatd/citizen.h"
#include "repeatd/closeout.h"
#include "repeatd/json_spec.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The instant a record sorts by: a ticket's received_at, an event's at (to the second). */
static int record_time(json_t *inner, const char *key, int64_t *ret)
{
    const char *t = json_string_value(json_object_get(inner, key));
    return t && rd_time_parse(t, ret) == 0 ? 0 : -EINVAL;
}

uint32_t imp_citizen_of_hex(const char *hex)
{
    uint32_t v = 0;
    for (int i = 0; i < 8 && hex[i]; i++) {
        char c = hex[i];
        v = v << 4 | (uint32_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
    }
    return v;
}

/* The citizen of a ticket, keyed as intake keys it (CRM id, else normalised phone). */
static void ticket_citizen(const char *secret, json_t *ticket, imp_record *rec)
{
    json_t *c = json_object_get(ticket, "citizen");
    rd_citizen_key key;
    if (rd_citizen_key_make(secret, json_string_value(json_object_get(c, "phone")),
                            json_string_value(json_object_get(c, "id")), &key) == 0) {
        rec->citizen = imp_citizen_of_hex(key.citizen_hex);
        rec->has_citizen = true;
    }
}

/* ---- the fast reading of a line ----
 *
 * Reading needs four strings of a line (its kind, ticket id, time and citizen), not the tree
 * json_loads builds: the worker parses the line once, when it applies it. scan() finds them
 * in one pass that checks the line as strictly as json_loads(JSON_REJECT_DUPLICATES) would:
 * the grammar, strings (UTF-8, escapes, no control byte, no \u0000, surrogates in pairs), a
 * key twice in an object. What it cannot vouch for with certainty -- an escaped key or wanted
 * value, an integer of 19 digits or more, an exponent, more than SCAN_KEYS keys in an object,
 * nesting deeper than SCAN_DEPTH -- it leaves to classify(), which parses as before; so a line
 * scan() takes is one json_loads takes. */

#define SCAN_DEPTH 16
#define SCAN_KEYS  48

typedef struct span {
    const char *p;
    size_t n;
} span;

/* What scan() found: the inner object's kind and the strings reading needs (p NULL: absent). */
typedef struct scanned {
    imp_kind kind;
    span id, time, phone, citizen_id;
    bool citizen_seen;
} scanned;

typedef struct scanner {
    const unsigned char *p;
    int depth;
} scanner;

static void ws(scanner *s)
{
    while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
        s->p++;
}

static int hex4(const unsigned char *p, unsigned *ret)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16)
            return -1;
        v = v << 4 | d;
    }
    *ret = v;
    return 0;
}

/* A string at s->p ('"'): its bytes between the quotes into ret, plain false when it holds an
 * escape (ret is then the escaped text). -1 for what json_loads refuses. */
static int scan_string(scanner *s, span *ret, bool *plain)
{
    const unsigned char *p = s->p + 1, *start = p;
    *plain = true;
    for (;;) {
        unsigned char c = *p;
        if (c == '"')
            break;
        if (c < 0x20)
            return -1; /* a control byte, or the end of the line */
        if (c == '\\') {
            *plain = false;
            c = p[1];
            if (c == 'u') {
                unsigned u, lo;
                if (hex4(p + 2, &u) < 0 || u == 0 || (u >= 0xDC00 && u <= 0xDFFF))
                    return -1;
                p += 6;
                if (u >= 0xD800 && u <= 0xDBFF) {
                    if (p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) < 0 || lo < 0xDC00 ||
                        lo > 0xDFFF)
                        return -1;
                    p += 6;
                }
                continue;
            }
            if (!c || !strchr("\"\\/bfnrt", c))
                return -1;
            p += 2;
            continue;
        }
        if (c < 0x80) {
            p++;
            continue;
        }
        const unsigned char *q = p + 1;
        while ((*q & 0xC0) == 0x80 && q - p < 4)
            q++;
        if (!rd_utf8_valid((const char *)p, (size_t)(q - p)) || (*q & 0xC0) == 0x80)
            return -1;
        p = q;
    }
    *ret = (span){(const char *)start, (size_t)(p - start)};
    s->p = p + 1;
    return 0;
}

static int scan_value(scanner *s);

/* A number json_loads reads without overflow: an integer of up to 18 digits, or a fraction
 * without exponent of up to 300 digits before the point. */
static int scan_number(scanner *s)
{
    const unsigned char *p = s->p;
    if (*p == '-')
        p++;
    const unsigned char *digits = p;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return -1;
    size_t n_int = (size_t)(p - digits);
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return -1;
        while (*p >= '0' && *p <= '9')
            p++;
        if (n_int > 300)
            return -1;
    } else if (n_int > 18) {
        return -1;
    }
    if (*p == 'e' || *p == 'E')
        return -1;
    s->p = p;
    return 0;
}

/* An object's members, each key once; want (may be NULL) is called on each member with the
 * scanner at its value, and reads the value itself (returning 1 when it does not). */
typedef int (*member_fn)(scanner *s, const span *key, void *cls);

static int scan_object(scanner *s, member_fn want, void *cls)
{
    span keys[SCAN_KEYS];
    size_t n = 0;
    if (++s->depth > SCAN_DEPTH)
        return -1;
    s->p++;
    ws(s);
    if (*s->p == '}') {
        s->p++;
        s->depth--;
        return 0;
    }
    for (;;) {
        span key;
        bool plain;
        if (*s->p != '"' || scan_string(s, &key, &plain) < 0 || !plain || n == SCAN_KEYS)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (keys[i].n == key.n && !memcmp(keys[i].p, key.p, key.n))
                return -1;
        keys[n++] = key;
        ws(s);
        if (*s->p != ':')
            return -1;
        s->p++;
        ws(s);
        int r = want ? want(s, &key, cls) : 1;
        if (r < 0 || (r == 1 && scan_value(s) < 0))
            return -1;
        ws(s);
        if (*s->p == '}')
            break;
        if (*s->p != ',')
            return -1;
        s->p++;
        ws(s);
    }
    s->p++;
    s->depth--;
    return 0;
}

static int scan_value(scanner *s)
{
    span str;
    bool plain;
    switch (*s->p) {
    case '{':
        return scan_object(s, NULL, NULL);
    case '[':
        if (++s->depth > SCAN_DEPTH)
            return -1;
        s->p++;
        ws(s);
        if (*s->p != ']') {
            for (;;) {
                if (scan_value(s) < 0)
                    return -1;
                ws(s);
                if (*s->p == ']')
                    break;
                if (*s->p != ',')
                    return -1;
                s->p++;
                ws(s);
            }
        }
        s->p++;
        s->depth--;
        return 0;
    case '"':
        return scan_string(s, &str, &plain);
    case 't':
        return strncmp((const char *)s->p, "true", 4) ? -1 : (s->p += 4, 0);
    case 'f':
        return strncmp((const char *)s->p, "false", 5) ? -1 : (s->p += 5, 0);
    case 'n':
        return strncmp((const char *)s->p, "null", 4) ? -1 : (s->p += 4, 0);
    default:
        return scan_number(s);
    }
}

static bool key_is(const span *key, const char *name)
{
    return key->n == strlen(name) && !memcmp(key->p, name, key->n);
}

/* A wanted string member: a plain string into ret; anything else is classify()'s. */
static int want_string(scanner *s, span *ret)
{
    bool plain;
    if (*s->p != '"' || scan_string(s, ret, &plain) < 0 || !plain)
        return -1;
    return 0;
}

static int citizen_member(scanner *s, const span *key, void *cls)
{
    scanned *x = cls;
    if (key_is(key, "phone"))
        return want_string(s, &x->phone);
    if (key_is(key, "id"))
        return want_string(s, &x->citizen_id);
    return 1;
}

static int inner_member(scanner *s, const span *key, void *cls)
{
    scanned *x = cls;
    if (key_is(key, "ticket_id"))
        return want_string(s, &x->id);
    if (key_is(key, x->kind == IMP_TICKET ? "received_at" : "at"))
        return want_string(s, &x->time);
    if (x->kind == IMP_TICKET && key_is(key, "citizen")) {
        x->citizen_seen = true;
        return *s->p == '{' ? scan_object(s, citizen_member, x) : -1;
    }
    return 1;
}

/* The one member of the line's object: "ticket" or "event", an object. */
static int outer_member(scanner *s, const span *key, void *cls)
{
    scanned *x = cls;
    if ((int)x->kind >= 0)
        return -1; /* a second member */
    if (key_is(key, "ticket"))
        x->kind = IMP_TICKET;
    else if (key_is(key, "event"))
        x->kind = IMP_EVENT;
    else
        return -1;
    return *s->p == '{' ? scan_object(s, inner_member, x) : -1;
}

/* 0 with x filled when the line is one json_loads takes, of the shape reading accepts, with
 * the strings it needs plain; -1 when classify() must look. */
static int scan(const char *text, scanned *x)
{
    scanner s = {.p = (const unsigned char *)text};
    memset(x, 0, sizeof(*x));
    x->kind = (imp_kind)-1;
    ws(&s);
    if (*s.p != '{' || scan_object(&s, outer_member, x) < 0)
        return -1;
    ws(&s);
    if (*s.p || (int)x->kind < 0 || !x->id.p || !x->time.p)
        return -1;
    if (x->kind == IMP_TICKET && (!x->citizen_seen || (!x->phone.p && !x->citizen_id.p)))
        return -1;
    return 0;
}

/* A span as a C string into buf (size bytes); -1 when it does not fit. */
static int span_str(const span *v, char *buf, size_t size)
{
    if (!v->p) {
        buf[0] = '\0';
        return 0;
    }
    if (v->n >= size)
        return -1;
    memcpy(buf, v->p, v->n);
    buf[v->n] = '\0';
    return 0;
}

/* What classify() makes of a line scan() took, without a tree: 1 when classify() must look. */
static int classify_scanned(const imp_records *rs, imp_record *rec)
{
    scanned x;
    char time[RD_TIME_TEXT_MAX], phone[256], cid[256];
    if (scan(rec->text, &x) < 0 || span_str(&x.time, time, sizeof(time)) < 0 ||
        span_str(&x.phone, phone, sizeof(phone)) < 0 ||
        span_str(&x.citizen_id, cid, sizeof(cid)) < 0 || rd_time_parse(time, &rec->at) < 0)
        return 1;
    rec->kind = x.kind;
    rec->id = strndup(x.id.p, x.id.n);
    if (!rec->id)
        return -ENOMEM;
    if (x.kind == IMP_TICKET) {
        rd_citizen_key key;
        if (rd_citizen_key_make(rs->secret, x.phone.p ? phone : NULL, x.citizen_id.p ? cid : NULL,
                                &key) == 0) {
            rec->citizen = imp_citizen_of_hex(key.citizen_hex);
            rec->has_citizen = true;
        }
    }
    return 0;
}

/* ---- a line's tree, built from the scan ----
 *
 * json_loads reads a line a character at a time through a callback and grows a buffer for
 * every token; the worker parses every line once, and that was most of its parsing. The same
 * tree is built here from the scan's tokens: strings and keys without escapes (the scan has
 * checked their UTF-8), integers of up to 18 digits, fractions of fewer than 64 characters
 * (strtod, as jansson's), objects in their keys' order. A line with anything else -- or one
 * json_loads would refuse -- gives NULL, and json_loads parses it as before. */

static json_t *build_value(scanner *s);

static json_t *build_object(scanner *s)
{
    span keys[SCAN_KEYS];
    size_t n = 0;
    json_t *o = json_object();
    if (!o || ++s->depth > SCAN_DEPTH)
        goto fail;
    s->p++;
    ws(s);
    if (*s->p != '}') {
        for (;;) {
            span key;
            bool plain;
            if (*s->p != '"' || scan_string(s, &key, &plain) < 0 || !plain || n == SCAN_KEYS)
                goto fail;
            for (size_t i = 0; i < n; i++)
                if (keys[i].n == key.n && !memcmp(keys[i].p, key.p, key.n))
                    goto fail;
            keys[n++] = key;
            ws(s);
            if (*s->p != ':')
                goto fail;
            s->p++;
            ws(s);
            json_t *v = build_value(s);
            if (!v || json_object_setn_new_nocheck(o, key.p, key.n, v) < 0)
                goto fail;
            ws(s);
            if (*s->p == '}')
                break;
            if (*s->p != ',')
                goto fail;
            s->p++;
            ws(s);
        }
    }
    s->p++;
    s->depth--;
    return o;
fail:
    json_decref(o);
    return NULL;
}

static json_t *build_array(scanner *s)
{
    json_t *a = json_array();
    if (!a || ++s->depth > SCAN_DEPTH)
        goto fail;
    s->p++;
    ws(s);
    if (*s->p != ']') {
        for (;;) {
            json_t *v = build_value(s);
            if (!v || json_array_append_new(a, v) < 0)
                goto fail;
            ws(s);
            if (*s->p == ']')
                break;
            if (*s->p != ',')
                goto fail;
            s->p++;
            ws(s);
        }
    }
    s->p++;
    s->depth--;
    return a;
fail:
    json_decref(a);
    return NULL;
}

static json_t *build_number(scanner *s)
{
    const char *start = (const char *)s->p;
    if (scan_number(s) < 0)
        return NULL;
    size_t n = (size_t)((const char *)s->p - start);
    char t[64];
    if (n >= sizeof(t))
        return NULL;
    memcpy(t, start, n);
    t[n] = '\0';
    if (memchr(t, '.', n))
        return json_real(strtod(t, NULL));
    return json_integer((json_int_t)strtoll(t, NULL, 10));
}

static json_t *build_value(scanner *s)
{
    span str;
    bool plain;
    switch (*s->p) {
    case '{':
        return build_object(s);
    case '[':
        return build_array(s);
    case '"':
        if (scan_string(s, &str, &plain) < 0 || !plain)
            return NULL;
        return json_stringn_nocheck(str.p, str.n);
    case 't':
        return strncmp((const char *)s->p, "true", 4) ? NULL : (s->p += 4, json_true());
    case 'f':
        return strncmp((const char *)s->p, "false", 5) ? NULL : (s->p += 5, json_false());
    case 'n':
        return strncmp((const char *)s->p, "null", 4) ? NULL : (s->p += 4, json_null());
    default:
        return build_number(s);
    }
}

json_t *imp_tree(const char *text)
{
    scanner s = {.p = (const unsigned char *)text};
    ws(&s);
    if (*s.p != '{')
        return NULL;
    json_t *o = build_object(&s);
    if (o) {
        ws(&s);
        if (*s.p) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

/* Check the outer shape and note the sort key; the fields themselves are checked when the
 * record is applied, by the live path's own parsers. A bad shape is a rejected line. */
static int classify(const imp_records *rs, imp_record *rec, imp_reject *rej)
{
    int fast = rs->no_scan ? 1 : classify_scanned(rs, rec);
    if (fast <= 0)
        return fast;
    json_error_t e;
    json_t *o = json_loads(rec->text, JSON_REJECT_DUPLICATES, &e);
    if (!o) {
        imp_reject_set(rej, rec, RD_ERR_INVALID_JSON, NULL, "the line is not JSON: %s", e.text);
        return -EINVAL;
    }
    json_t *ticket = json_object_get(o, "ticket"), *event = json_object_get(o, "event");
    int r = 0;
    if (json_object_size(o) != 1 || (!json_is_object(ticket) && !json_is_object(event))) {
        imp_reject_set(rej, rec, RD_ERR_INVALID_FIELD, NULL,
                       "a line is {\"ticket\": {...}} or {\"event\": {...}} and nothing else");
        r = -EINVAL;
    } else if (ticket) {
        rec->kind = IMP_TICKET;
        const char *id = json_string_value(json_object_get(ticket, "ticket_id"));
        rec->id = id ? strdup(id) : NULL;
        if (!rec->id || record_time(ticket, "received_at", &rec->at) < 0) {
            imp_reject_set(rej, rec, RD_ERR_INVALID_FIELD, id ? "received_at" : "ticket_id",
                           "a ticket needs a ticket_id and an RFC 3339 received_at");
            r = -EINVAL;
        } else {
            ticket_citizen(rs->secret, ticket, rec);
        }
    } else {
        rec->kind = IMP_EVENT;
        const char *id = json_string_value(json_object_get(event, "ticket_id"));
        rec->id = id ? strdup(id) : NULL;
        if (!rec->id || record_time(event, "at", &rec->at) < 0) {
            imp_reject_set(rej, rec, RD_ERR_INVALID_FIELD, id ? "at" : "ticket_id",
                           "an event needs the ticket_id it belongs to and an RFC 3339 at");
            r = -EINVAL;
        }
    }
    json_decref(o);
    return r;
}

static int cmp_id(const void *a, const void *b)
{
    const imp_record *x = *(imp_record *const *)a, *y = *(imp_record *const *)b;
    return strcmp(x->id, y->id);
}

/* The tie rule: at one instant, the events that advance or close tickets come before the
 * intakes, except a ticket's own events, which come after its intake; then input order. An
 * event dated before its own ticket sorts as of the ticket (imp_order), right after it, where
 * the workflow refuses it as the API does (event_out_of_order), not as an unknown ticket. */
static int cmp_time(const void *a, const void *b)
{
    const imp_record *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int imp_order(imp_records *rs)
{
    /* The tickets by id, to find each event's own ticket. */
    size_t n_tickets = 0;
    for (size_t i = 0; i < rs->n; i++)
        n_tickets += rs->items[i].kind == IMP_TICKET;
    imp_record **by_id = calloc(n_tickets ? n_tickets : 1, sizeof(*by_id));
    if (!by_id)
        return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < rs->n; i++)
        if (rs->items[i].kind == IMP_TICKET)
            by_id[k++] = &rs->items[i];
    qsort(by_id, n_tickets, sizeof(*by_id), cmp_id);
    for (size_t i = 1; i < n_tickets; i++)
        if (!strcmp(by_id[i - 1]->id, by_id[i]->id))
            by_id[i - 1]->dup_id = by_id[i]->dup_id = true;
    for (size_t i = 0; i < rs->n; i++) {
        imp_record *r = &rs->items[i];
        if (r->kind == IMP_TICKET) {
            r->rank = 1;
            continue;
        }
        imp_record key = {.id = r->id}, *kp = &key;
        imp_record **own = bsearch(&kp, by_id, n_tickets, sizeof(*by_id), cmp_id);
        /* Not when the id is a duplicate's: which copy bsearch found is unspecified, and the
         * copies after the first are rejected anyway. */
        if (own && !(*own)->dup_id && r->at < (*own)->at)
            r->at = (*own)->at;
        r->rank = own && (*own)->at == r->at ? 2 : 0;
        if (own) {
            r->citizen = (*own)->citizen;
            r->has_citizen = true;
            r->dup_id = (*own)->dup_id;
        }
    }
    free(by_id);
    qsort(rs->items, rs->n, sizeof(rs->items[0]), cmp_time);
    return 0;
}

static int push(imp_records *rs, const imp_record *rec)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 4096;
        imp_record *p = realloc(rs->items, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        rs->items = p;
        rs->cap = cap;
    }
    rs->items[rs->n++] = *rec;
    return 0;
}

/* Lines are read a chunk at a time and classified side by side (parsing the JSON and keying
 * the citizen is most of reading); then kept, or rejected, in the order of the file. */
#define READ_CHUNK   16384
#define READ_THREADS 4

typedef struct read_item {
    imp_record rec;
    imp_reject rej;
    int rc; /* classify's */
} read_item;

typedef struct read_part {
    const imp_records *rs;
    read_item *items;
    size_t from, to;
    pthread_t thread;
} read_part;

static void *classify_part(void *cls)
{
    read_part *p = cls;
    for (size_t i = p->from; i < p->to; i++)
        p->items[i].rc = classify(p->rs, &p->items[i].rec, &p->items[i].rej);
    return NULL;
}

static unsigned read_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > READ_THREADS ? READ_THREADS : (unsigned)n;
}

/* Classify the n lines of items side by side, then keep or reject each in order. */
static int take_chunk(imp_records *rs, read_item *items, size_t n, imp_reject_fn reject, void *cls)
{
    read_part parts[READ_THREADS];
    unsigned t = n < 256 ? 1 : read_threads(), started = 0;
    for (unsigned k = 0; k < t; k++) {
        parts[k] = (read_part){.rs = rs, .items = items, .from = n * k / t, .to = n * (k + 1) / t};
        if (k > 0 && pthread_create(&parts[k].thread, NULL, classify_part, &parts[k]) == 0)
            started |= 1u << k;
        else if (k > 0)
            classify_part(&parts[k]); /* no thread: here */
    }
    classify_part(&parts[0]);
    for (unsigned k = 1; k < t; k++)
        if (started & (1u << k))
            pthread_join(parts[k].thread, NULL);
    int r = 0;
    for (size_t i = 0; i < n; i++) {
        read_item *it = &items[i];
        if (r == 0 && it->rc == -ENOMEM)
            r = -ENOMEM;
        if (r == 0 && it->rc < 0) {
            r = reject(cls, &it->rej);
            imp_record_free(&it->rec);
        } else if (r == 0) {
            if (it->rec.off >= 0) { /* read again when applied */
                free(it->rec.text);
                it->rec.text = NULL;
            }
            r = push(rs, &it->rec);
            if (r < 0)
                imp_record_free(&it->rec);
        } else {
            imp_record_free(&it->rec);
        }
    }
    return r;
}

static uint32_t fnv1a(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 16777619u;
    return h;
}

int imp_read(imp_records *rs, FILE *f, unsigned file_index, imp_reject_fn reject, void *cls)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long line_no = 0;
    read_item *items = calloc(READ_CHUNK, sizeof(*items));
    size_t n = 0;
    int r = items ? 0 : -ENOMEM;
    /* A regular file can be read again where a line was: track each line's offset. */
    bool again = file_index < rs->n_fds && rs->fds[file_index] >= 0;
    int64_t pos = again ? (int64_t)ftello(f) : -1;
    again = again && pos >= 0;
    while (r == 0 && (len = getline(&line, &cap, f)) >= 0) {
        line_no++;
        int64_t off = pos;
        pos += len;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue; /* blank lines are nothing */
        rs->lines++;
        imp_record rec = {.file = file_index, .line = line_no, .seq = rs->seq++, .off = -1};
        if (again && len <= (ssize_t)UINT32_MAX && strlen(line) == (size_t)len) {
            rec.off = off;
            rec.len = (uint32_t)len;
            rec.check = fnv1a(line, (size_t)len);
        }
        rec.text = strdup(line);
        if (!rec.text) {
            r = -ENOMEM;
            break;
        }
        items[n++] = (read_item){.rec = rec};
        if (n == READ_CHUNK) {
            r = take_chunk(rs, items, n, reject, cls);
            n = 0;
        }
    }
    if (r == 0 && n > 0)
        r = take_chunk(rs, items, n, reject, cls);
    else
        for (size_t i = 0; i < n; i++)
            imp_record_free(&items[i].rec);
    free(items);
    free(line);
    if (r == 0 && ferror(f))
        r = -EIO;
    return r;
}

int imp_text_load(const imp_records *rs, imp_record *const *recs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        imp_record *rec = recs[i];
        if (rec->text || rec->off < 0)
            continue;
        char *t = malloc((size_t)rec->len + 1);
        if (!t)
            return -ENOMEM;
        size_t got = 0;
        while (got < rec->len) {
            ssize_t k = pread(rs->fds[rec->file], t + got, rec->len - got, rec->off + (off_t)got);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            got += (size_t)k;
        }
        t[got] = '\0';
        if (got != rec->len || fnv1a(t, got) != rec->check) {
            free(t);
            return -EIO; /* the file changed since it was read */
        }
        rec->text = t;
    }
    return 0;
}

void imp_text_drop(imp_record *const *recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (recs[i]->off >= 0) {
            free(recs[i]->text);
            recs[i]->text = NULL;
        }
}

void imp_record_free(imp_record *rec)
{
    free(rec->text);
    free(rec->id);
    rec->text = rec->id = NULL;
}

void imp_records_free(imp_records *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        imp_record_free(&rs->items[i]);
    free(rs->items);
    *rs = (imp_records){0};
}
