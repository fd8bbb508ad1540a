/* Administration of what KPIs are judged by: names of units, teams and handlers, and target
 * repeat rates per unit and team (考核指标). Bodies are parsed once, checked whole, then
 * written in one transaction. */
#include "repeatd/kpi_org.h"

#include "repeatd/json_spec.h"
#include "repeatd/kpi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ---- */

typedef struct org_in {
    size_t list; /* index in org_lists */
    const char *code, *name, *parent;
} org_in;

/* Every entry has a code and a name; the parent of a team is its unit, of a handler its team. */
#define CODE_AND_NAME                                                                              \
    {.name = "code",                                                                               \
     .type = RD_F_STRING,                                                                          \
     .required = true,                                                                             \
     .max_chars = 64,                                                                              \
     .offset = offsetof(org_in, code)},                                                            \
    {                                                                                              \
        .name = "name", .type = RD_F_STRING, .required = true, .max_chars = 200,                   \
        .offset = offsetof(org_in, name)                                                           \
    }
#define PARENT(key)                                                                                \
    {                                                                                              \
        .name = key, .type = RD_F_STRING, .max_chars = 64, .offset = offsetof(org_in, parent)      \
    }

static const rd_field unit_fields[] = {CODE_AND_NAME, {0}};
static const rd_field team_fields[] = {CODE_AND_NAME, PARENT("unit"), {0}};
static const rd_field handler_fields[] = {CODE_AND_NAME, PARENT("team"), {0}};

#define N_LISTS 3

static const struct {
    const char *list; /* the body's key */
    const char *kind; /* org_names.kind */
    const rd_field *fields;
} org_lists[N_LISTS] = {
    {"units", "unit", unit_fields},
    {"teams", "team", team_fields},
    {"handlers", "handler", handler_fields},
};

typedef struct org_body {
    org_in *items; /* strings borrowed from the body */
    size_t n;
} org_body;

static int org_entry(json_t *v, const char *key, size_t k, size_t i, org_in *ret, rd_refusal *ref)
{
    org_in in = {.list = k};
    rd_field_error err;
    int r = rd_json_parse(v, org_lists[k].fields, &in, &err);
    /* After a failed parse code or name may be NULL: only a parsed entry is looked at. */
    if (r == 0 && (!in.code[0] || !in.name[0])) {
        snprintf(err.field, sizeof(err.field), "%s", in.code[0] ? "name" : "code");
        snprintf(err.message, sizeof(err.message), "code and name must not be empty");
        r = -EINVAL;
    }
    if (r < 0) {
        char field[200];
        snprintf(field, sizeof(field), "%s[%zu].%s", key, i, err.field);
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, field, "%s[%zu]: %s", key, i, err.message);
    }
    *ret = in;
    return 0;
}

/* Every entry parsed and checked, in the body's order; the first bad one refuses the body. */
static int org_parse(json_t *body, org_body *ret, rd_refusal *ref)
{
    size_t total = 0;
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (json_is_array(v))
            total += json_array_size(v);
    }
    /* Past the limit entries are still checked (a bad one is named first), not kept. */
    org_body b = {.items = calloc(total && total <= RD_ORG_MAX ? total : 1, sizeof(org_in))};
    if (!b.items)
        return -ENOMEM;
    int r = 0;
    json_object_foreach(body, key, v)
    {
        size_t k = 0;
        while (k < N_LISTS && strcmp(org_lists[k].list, key))
            k++;
        if (k == N_LISTS || !json_is_array(v)) {
            r = rd_refuse(ref, RD_ERR_INVALID_FIELD, key,
                          "%s: the body holds arrays units, teams and handlers only", key);
            break;
        }
        for (size_t i = 0; r == 0 && i < json_array_size(v); i++) {
            org_in scratch;
            r = org_entry(json_array_get(v, i), key, k, i,
                          total <= RD_ORG_MAX ? &b.items[b.n++] : &scratch, ref);
        }
        if (r < 0)
            break;
    }
    if (r == 0 && (total == 0 || total > RD_ORG_MAX))
        r = rd_refuse(ref, RD_ERR_INVALID_FIELD, "units",
                      "send 1 to %d entries in units, teams and handlers", RD_ORG_MAX);
    if (r < 0) {
        free(b.items);
        return r;
    }
    *ret = b;
    return 0;
}

/* Units first, then teams, then handlers, each list in its order. */
static int org_tx(rd_db *db, const void *in, void *out)
{
    const org_body *b = in;
    for (size_t k = 0; k < N_LISTS; k++)
        for (size_t i = 0; i < b->n; i++) {
            const org_in *e = &b->items[i];
            if (e->list != k)
                continue;
            int r = store_org_name_upsert(db, org_lists[k].kind, e->code, e->name, e->parent);
            if (r < 0)
                return r;
        }
    return 0;
}

int rd_org_put(rd_service *svc, rd_db **db, json_t *body, size_t *ret_upserted, rd_refusal *ref)
{
    org_body b;
    int r = org_parse(body, &b, ref);
    if (r < 0)
        return r;
    rd_tx tx = {.body = org_tx, .in = &b};
    r = rd_service_tx(svc, db, &tx);
    if (r == 0)
        *ret_upserted = b.n;
    free(b.items);
    return r;
}

typedef struct list_out {
    void *items;
    size_t n;
} list_out;

static void list_clear(void *out)
{
    list_out *l = out;
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

static int names_tx(rd_db *db, const void *in, void *out)
{
    list_out *l = out;
    return store_org_names(db, (rd_kpi_name **)&l->items, &l->n);
}

static int targets_get_tx(rd_db *db, const void *in, void *out)
{
    list_out *l = out;
    return store_targets(db, (rd_kpi_target **)&l->items, &l->n);
}

static int list_get(rd_service *svc, rd_db **db, rd_tx_body body, void **ret, size_t *ret_n)
{
    list_out l = {0};
    rd_tx tx = {.body = body, .out = &l, .clear = list_clear, .readonly = true};
    int r = rd_service_tx(svc, db, &tx);
    if (r < 0) {
        list_clear(&l);
        return r;
    }
    *ret = l.items;
    *ret_n = l.n;
    return 0;
}

int rd_org_names_get(rd_service *svc, rd_db **db, rd_kpi_name **ret, size_t *ret_n)
{
    return list_get(svc, db, names_tx, (void **)ret, ret_n);
}

/* ---- targets ---- */

typedef struct target_in {
    const char *scope, *code, *period;
    rd_opt_double rate;
} target_in;

static const char *const scopes[] = {"unit", "team", NULL};

static const rd_field target_fields[] = {
    {.name = "scope",
     .type = RD_F_ENUM,
     .required = true,
     .values = scopes,
     .offset = offsetof(target_in, scope)},
    {.name = "code",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 64,
     .offset = offsetof(target_in, code)},
    {.name = "period", .type = RD_F_STRING, .max_chars = 16, .offset = offsetof(target_in, period)},
    {.name = "target_rate",
     .type = RD_F_NUMBER,
     .required = true,
     .min = 0,
     .max = 1,
     .offset = offsetof(target_in, rate)},
    {0},
};

/* A period label of any kind: 2026-10, 2026-Q4 or 2026. */
static bool period_label_valid(const char *s)
{
    int m;
    for (int k = RD_PERIOD_MONTH; k <= RD_PERIOD_YEAR; k++)
        if (rd_period_parse((rd_period_kind)k, s, &m) == 0)
            return true;
    return false;
}

static int target_entry(json_t *v, size_t i, target_in *ret, rd_refusal *ref)
{
    target_in in = {0};
    rd_field_error err;
    int r = rd_json_parse(v, target_fields, &in, &err);
    if (r == 0 && !in.code[0]) {
        snprintf(err.field, sizeof(err.field), "code");
        snprintf(err.message, sizeof(err.message), "code must not be empty");
        r = -EINVAL;
    } else if (r == 0 && in.period && !period_label_valid(in.period)) {
        snprintf(err.field, sizeof(err.field), "period");
        snprintf(err.message, sizeof(err.message),
                 "period must be a label like 2026-10, 2026-Q4 or 2026, or null for a "
                 "standing target");
        r = -EINVAL;
    }
    if (r < 0) {
        char field[200];
        snprintf(field, sizeof(field), "targets[%zu].%s", i, err.field);
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, field, "targets[%zu]: %s", i, err.message);
    }
    *ret = in;
    return 0;
}

typedef struct targets_in {
    const target_in *items; /* strings borrowed from the body */
    size_t n;
    const char *who;
} targets_in;

static int targets_tx(rd_db *db, const void *in_, void *out)
{
    const targets_in *in = in_;
    for (size_t i = 0; i < in->n; i++) {
        const target_in *t = &in->items[i];
        int r = store_target_upsert(db, t->scope, t->code, t->period ? t->period : "", t->rate.v,
                                    in->who);
        if (r < 0)
            return r;
    }
    return 0;
}

int rd_targets_put(rd_service *svc, rd_db **db, json_t *body, const char *who, size_t *ret_upserted,
                   rd_refusal *ref)
{
    json_t *list = json_object_get(body, "targets");
    size_t n = json_array_size(list);
    if (!json_is_array(list) || json_object_size(body) != 1 || n == 0 || n > RD_ORG_MAX)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "targets",
                         "the body must be {\"targets\": [1 to %d entries]}", RD_ORG_MAX);
    target_in *items = calloc(n, sizeof(*items));
    if (!items)
        return -ENOMEM;
    int r = 0;
    for (size_t i = 0; r == 0 && i < n; i++)
        r = target_entry(json_array_get(list, i), i, &items[i], ref);
    if (r == 0) {
        targets_in in = {.items = items, .n = n, .who = who};
        rd_tx tx = {.body = targets_tx, .in = &in};
        r = rd_service_tx(svc, db, &tx);
    }
    free(items);
    if (r == 0)
        *ret_upserted = n;
    return r;
}

int rd_targets_get(rd_service *svc, rd_db **db, rd_kpi_target **ret, size_t *ret_n)
{
    return list_get(svc, db, targets_get_tx, (void **)ret, ret_n);
}
