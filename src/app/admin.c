/* Administration use cases: the category tree and the settings (with their audit trail). */
#include "repeatd/admin.h"

#include "repeatd/codec.h"
#include "repeatd/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- categories ---- */

typedef struct category_in {
    const char *code, *name, *parent;
    int policy;
} category_in;

static const rd_field category_fields[] = {
    {.name = "code",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 64,
     .offset = offsetof(category_in, code)},
    {.name = "name",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 200,
     .offset = offsetof(category_in, name)},
    {.name = "parent",
     .type = RD_F_STRING,
     .max_chars = 64,
     .offset = offsetof(category_in, parent)},
    {.name = "policy", .type = RD_F_BOOL, .offset = offsetof(category_in, policy)},
    {0},
};

typedef struct categories_in {
    category_in *items; /* borrow from the body */
    size_t n;
} categories_in;

typedef struct categories_out {
    size_t total;
    rd_refusal refusal;
} categories_out;

static bool code_valid(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 64 &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* One entry, checked as far as it can be without the database. */
static int category_parse(json_t *v, size_t i, category_in *ret, rd_refusal *ref)
{
    rd_field_error err;
    category_in in = {.policy = -1};
    bool ok = rd_json_parse(v, category_fields, &in, &err) == 0;
    if (ok && !code_valid(in.code)) {
        ok = false;
        snprintf(err.field, sizeof(err.field), "code");
        snprintf(err.message, sizeof(err.message),
                 "code must be 1 to 64 of the characters A-Z a-z 0-9 . _ -");
    } else if (ok && (!in.name[0] || (in.parent && !strcmp(in.parent, in.code)))) {
        ok = false;
        snprintf(err.field, sizeof(err.field), in.name[0] ? "parent" : "name");
        snprintf(err.message, sizeof(err.message), "%s",
                 in.name[0] ? "a category cannot be its own parent" : "name is empty");
    }
    if (!ok) {
        char field[200];
        snprintf(field, sizeof(field), "categories[%zu].%s", i, err.field);
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, field, "categories[%zu]: %s", i, err.message);
    }
    *ret = in;
    return 0;
}

static int tree_refusal(rd_refusal *ref, size_t i, const char *why, const char *parent)
{
    char field[64];
    snprintf(field, sizeof(field), "categories[%zu].parent", i);
    return rd_refuse(ref, RD_ERR_INVALID_CATEGORY_TREE, field, "categories[%zu]: parent %s %s", i,
                     parent, why);
}

static int categories_tx(rd_db *db, const void *in_, void *out_)
{
    const categories_in *in = in_;
    categories_out *out = out_;
    for (size_t i = 0; i < in->n; i++) {
        const category_in *c = &in->items[i];
        int r = c->parent ? store_category_exists(db, c->parent) : 1;
        if (r < 0)
            return r;
        if (r == 0)
            return tree_refusal(&out->refusal, i, "is neither stored nor sent before this category",
                                c->parent);
        r = c->parent ? store_category_would_cycle(db, c->code, c->parent) : 0;
        if (r < 0)
            return r;
        if (r == 1)
            return tree_refusal(&out->refusal, i, "would make a cycle", c->parent);
        r = store_category_upsert(db, c->code, c->name, c->parent, c->policy == 1);
        if (r < 0)
            return r;
    }
    return store_categories_count(db, &out->total);
}

int rd_categories_put(rd_service *svc, rd_db **db, json_t *body, size_t *ret_upserted,
                      size_t *ret_total, rd_refusal *ref)
{
    json_t *list = json_object_get(body, "categories");
    if (!json_is_array(list) || json_object_size(body) != 1)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "categories",
                         "the body must be {\"categories\": [...]} and nothing else");
    size_t n = json_array_size(list);
    if (n == 0 || n > RD_CATEGORIES_MAX)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "categories",
                         "categories must hold 1 to %d entries", RD_CATEGORIES_MAX);
    categories_in in = {.items = calloc(n, sizeof(category_in)), .n = n};
    if (!in.items)
        return -ENOMEM;
    int r = 0;
    for (size_t i = 0; r == 0 && i < n; i++)
        r = category_parse(json_array_get(list, i), i, &in.items[i], ref);
    categories_out out = {0};
    if (r == 0) {
        rd_tx tx = {.body = categories_tx, .in = &in, .out = &out};
        r = rd_service_tx(svc, db, &tx);
        if (r == -ECANCELED)
            *ref = out.refusal;
    }
    free(in.items);
    if (r == 0) {
        *ret_upserted = n;
        *ret_total = out.total;
    }
    return r;
}

typedef struct list_out {
    void *items;
    size_t n;
} list_out;

static void categories_clear(void *out)
{
    list_out *l = out;
    free(l->items);
    *l = (list_out){0};
}

static int categories_get_tx(rd_db *db, const void *in, void *out)
{
    list_out *l = out;
    return store_categories_list(db, (rd_category **)&l->items, &l->n);
}

int rd_categories_get(rd_service *svc, rd_db **db, rd_category **ret, size_t *ret_n)
{
    list_out l = {0};
    rd_tx tx = {.body = categories_get_tx, .out = &l, .clear = categories_clear, .readonly = true};
    int r = rd_service_tx(svc, db, &tx);
    if (r < 0) {
        categories_clear(&l);
        return r;
    }
    *ret = l.items;
    *ret_n = l.n;
    return 0;
}

/* ---- settings ---- */

static int settings_get_tx(rd_db *db, const void *in, void *out)
{
    return rd_service_settings((rd_service *)in, db, out);
}

int rd_settings_get(rd_service *svc, rd_db **db, rd_settings *ret)
{
    rd_tx tx = {.body = settings_get_tx, .in = svc, .out = ret, .readonly = true};
    return rd_service_tx(svc, db, &tx);
}

typedef struct patch_in {
    rd_service *service;
    json_t *patch;
    const char *who;
} patch_in;

typedef struct patch_out {
    rd_settings after;
    rd_refusal refusal;
} patch_out;

/* Whether a setting that defines a repeat differs: then the change makes a new version. */
static bool defines_repeat_changed(json_t *before, json_t *after)
{
    for (size_t i = 0; i < rd_setting_count; i++) {
        const char *name = rd_setting_defs[i].name;
        if (rd_setting_defs[i].defines_repeat &&
            !json_equal(json_object_get(before, name), json_object_get(after, name)))
            return true;
    }
    return false;
}

static int patch_tx(rd_db *db, const void *in_, void *out_)
{
    const patch_in *in = in_;
    patch_out *out = out_;
    rd_settings before;
    rd_field_error err;
    int r = store_settings_lock(db);
    if (r == 0)
        r = rd_service_settings(in->service, db, &before);
    if (r < 0)
        return r;
    out->after = before;
    if (rd_settings_apply_json(&out->after, in->patch, true, &err) < 0)
        return -EIO; /* checked before the transaction: cannot happen */
    r = store_time_zone_exists(db, out->after.time_zone);
    if (r < 0)
        return r;
    if (r == 0)
        return rd_refuse(&out->refusal, RD_ERR_INVALID_FIELD, "time_zone",
                         "time_zone %s is not a time zone the database knows",
                         out->after.time_zone);
    r = 0;
    json_t *old_json = rd_settings_to_json(&before), *new_json = rd_settings_to_json(&out->after);
    int version = before.definition_version;
    if (!old_json || !new_json)
        r = -ENOMEM;
    else if (defines_repeat_changed(old_json, new_json))
        r = store_definition_version_new(db, new_json, in->who, &version);
    for (size_t i = 0; r == 0 && i < rd_setting_count; i++) {
        const char *name = rd_setting_defs[i].name;
        json_t *o = json_object_get(old_json, name), *n = json_object_get(new_json, name);
        if (!json_equal(o, n))
            r = store_settings_update(db, name, o, n, in->who, version);
    }
    out->after.definition_version = version;
    json_decref(old_json);
    json_decref(new_json);
    return r;
}

int rd_settings_patch(rd_service *svc, rd_db **db, json_t *patch, const char *who,
                      rd_settings *ret_after, rd_refusal *ref)
{
    if (json_object_get(patch, "definition_version"))
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "definition_version",
                         "definition_version is read-only: it changes with the settings that "
                         "define a repeat");
    /* Names, types and bounds do not depend on what is stored: check them first. */
    rd_settings scratch;
    rd_field_error err;
    rd_settings_defaults(&scratch);
    if (rd_settings_apply_json(&scratch, patch, true, &err) < 0)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, err.field, "%s", err.message);
    patch_in in = {.service = svc, .patch = patch, .who = who};
    patch_out out = {0};
    rd_tx tx = {.body = patch_tx, .in = &in, .out = &out};
    int r = rd_service_tx(svc, db, &tx);
    if (r == -ECANCELED)
        *ref = out.refusal;
    if (r == 0) {
        rd_service_settings_changed(svc);
        *ret_after = out.after;
    }
    return r;
}

typedef struct audit_in {
    rd_service *service;
    int limit;
} audit_in;

static int audit_tx(rd_db *db, const void *in_, void *out)
{
    const audit_in *in = in_;
    list_out *l = out;
    rd_settings s;
    int r = rd_service_settings(in->service, db, &s);
    return r < 0 ? r
                 : store_settings_audit(db, in->limit, s.time_zone,
                                        (rd_settings_change **)&l->items, &l->n);
}

static void audit_clear(void *out)
{
    list_out *l = out;
    rd_settings_changes_free(l->items, l->n);
    *l = (list_out){0};
}

int rd_settings_audit(rd_service *svc, rd_db **db, int limit, rd_settings_change **ret,
                      size_t *ret_n)
{
    audit_in in = {.service = svc, .limit = limit};
    list_out l = {0};
    rd_tx tx = {.body = audit_tx, .in = &in, .out = &l, .clear = audit_clear, .readonly = true};
    int r = rd_service_tx(svc, db, &tx);
    if (r < 0) {
        audit_clear(&l);
        return r;
    }
    *ret = l.items;
    *ret_n = l.n;
    return 0;
}
