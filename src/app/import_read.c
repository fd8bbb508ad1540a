/* Import, first half: read JSON Lines, check each line's shape, and put the records in the
 * order the history happened. */
#include "import_records.h"

#include "repeatd/citizen.h"
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

/* Check the outer shape and note the sort key; the fields themselves are checked when the
 * record is applied, by the live path's own parsers. A bad shape is a rejected line. */
static int classify(const imp_records *rs, imp_record *rec, imp_reject *rej)
{
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
 * intakes, except a ticket's own events, which come after its intake; then input order. */
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
            r = push(rs, &it->rec);
            if (r < 0)
                imp_record_free(&it->rec);
        } else {
            imp_record_free(&it->rec);
        }
    }
    return r;
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
    while (r == 0 && (len = getline(&line, &cap, f)) >= 0) {
        line_no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue; /* blank lines are nothing */
        rs->lines++;
        imp_record rec = {.file = file_index, .line = line_no, .seq = rs->seq++};
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
