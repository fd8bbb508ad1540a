/* Administration: the category tree and the settings (with their audit trail). */
#include "repeatd/routes.h"

#include "repeatd/codec.h"
#include "repeatd/current_settings.h"
#include "repeatd/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CATEGORIES_MAX 10000

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

typedef struct categories_call {
    json_t *list;
    size_t bad_index;
    char message[256];
    size_t total;
} categories_call;

static bool code_valid(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 64 &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* Upsert in the order given, so that a parent sent earlier in the same body is known. */
static int categories_tx(rd_db *db, void *cls)
{
    categories_call *c = cls;
    for (size_t i = 0; i < json_array_size(c->list); i++) {
        category_in in = {.policy = -1};
        rd_field_error err;
        (void)rd_json_parse(json_array_get(c->list, i), category_fields, &in, &err); /* vetted */
        c->bad_index = i;
        int r = in.parent ? store_category_exists(db, in.parent) : 1;
        if (r < 0)
            return r;
        if (r == 0) {
            snprintf(c->message, sizeof(c->message),
                     "parent %s is neither stored nor sent before this category", in.parent);
            return -ECANCELED;
        }
        r = in.parent ? store_category_would_cycle(db, in.code, in.parent) : 0;
        if (r < 0)
            return r;
        if (r == 1) {
            snprintf(c->message, sizeof(c->message), "parent %s would make a cycle", in.parent);
            return -ECANCELED;
        }
        r = store_category_upsert(db, in.code, in.name, in.parent, in.policy == 1);
        if (r < 0)
            return r;
    }
    json_t *all;
    int r = store_categories_list(db, &all);
    if (r == 0) {
        c->total = json_array_size(all);
        json_decref(all);
    }
    return r;
}

void rd_handle_categories_put(rd_request *req)
{
    categories_call c = {.list = json_object_get(req->json, "categories")};
    if (!json_is_array(c.list) || json_object_size(req->json) != 1) {
        rd_reply_error(req, RD_ERR_INVALID_FIELD, "categories",
                       "the body must be {\"categories\": [...]} and nothing else");
        return;
    }
    if (json_array_size(c.list) == 0 || json_array_size(c.list) > CATEGORIES_MAX) {
        rd_reply_error(req, RD_ERR_INVALID_FIELD, "categories",
                       "categories must hold 1 to %d entries", CATEGORIES_MAX);
        return;
    }
    for (size_t i = 0; i < json_array_size(c.list); i++) {
        category_in in = {.policy = -1};
        rd_field_error err;
        char field[200];
        bool ok = rd_json_parse(json_array_get(c.list, i), category_fields, &in, &err) == 0;
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
            snprintf(field, sizeof(field), "categories[%zu].%s", i, err.field);
            rd_reply_error(req, RD_ERR_INVALID_FIELD, field, "categories[%zu]: %s", i, err.message);
            return;
        }
    }
    int r = rd_request_tx(req, categories_tx, &c, false);
    if (r == -ECANCELED) {
        char field[64];
        snprintf(field, sizeof(field), "categories[%zu].parent", c.bad_index);
        rd_reply_error(req, RD_ERR_INVALID_CATEGORY_TREE, field, "categories[%zu]: %s", c.bad_index,
                       c.message);
        return;
    }
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    rd_reply_json(req, 200,
                  json_pack("{s:i, s:i}", "upserted", (json_int_t)json_array_size(c.list), "total",
                            (json_int_t)c.total));
}

void rd_handle_categories_get(rd_request *req)
{
    rd_reply_read(req, store_categories_list, "categories");
}

/* ---- settings ---- */

static json_t *settings_reply(const rd_settings *s)
{
    json_t *o = rd_settings_to_json(s);
    if (o)
        json_object_set_new(o, "definition_version", json_integer(s->definition_version));
    return o;
}

static int settings_get_tx(rd_db *db, void *cls)
{
    return rd_current_settings(db, cls);
}

void rd_handle_settings_get(rd_request *req)
{
    rd_settings s;
    int r = rd_request_tx(req, settings_get_tx, &s, true);
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    rd_reply_json(req, 200, settings_reply(&s));
}

typedef struct patch_call {
    json_t *patch;
    const char *who;
    rd_settings after;
    rd_field_error err;
    bool bad_zone;
} patch_call;

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

static int patch_tx(rd_db *db, void *cls)
{
    patch_call *p = cls;
    rd_settings before;
    int r = store_settings_lock(db);
    if (r == 0)
        r = rd_current_settings(db, &before);
    if (r < 0)
        return r;
    p->after = before;
    if (rd_settings_apply_json(&p->after, p->patch, true, &p->err) < 0)
        return -ECANCELED;
    r = store_time_zone_exists(db, p->after.time_zone);
    if (r <= 0) {
        p->bad_zone = r == 0;
        return r < 0 ? r : -ECANCELED;
    }
    r = 0;
    json_t *old_json = rd_settings_to_json(&before), *new_json = rd_settings_to_json(&p->after);
    int version = before.definition_version;
    if (!old_json || !new_json)
        r = -ENOMEM;
    else if (defines_repeat_changed(old_json, new_json))
        r = store_definition_version_new(db, new_json, p->who, &version);
    for (size_t i = 0; r == 0 && i < rd_setting_count; i++) {
        const char *name = rd_setting_defs[i].name;
        json_t *o = json_object_get(old_json, name), *n = json_object_get(new_json, name);
        if (!json_equal(o, n))
            r = store_settings_update(db, name, o, n, p->who, version);
    }
    p->after.definition_version = version;
    json_decref(old_json);
    json_decref(new_json);
    return r;
}

void rd_handle_settings_patch(rd_request *req)
{
    patch_call p = {.patch = req->json, .who = req->key_name};
    if (json_object_get(req->json, "definition_version")) {
        rd_reply_error(req, RD_ERR_INVALID_FIELD, "definition_version",
                       "definition_version is read-only: it changes with the settings that "
                       "define a repeat");
        return;
    }
    int r = rd_request_tx(req, patch_tx, &p, false);
    if (r == -ECANCELED && p.bad_zone) {
        rd_reply_error(req, RD_ERR_INVALID_FIELD, "time_zone",
                       "time_zone %s is not a time zone the database knows", p.after.time_zone);
        return;
    }
    if (r == -ECANCELED) {
        rd_reply_error(req, RD_ERR_INVALID_FIELD, p.err.field, "%s", p.err.message);
        return;
    }
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    rd_reply_json(req, 200, settings_reply(&p.after));
}

/* The last 200 changes. */
static int audit_read(rd_db *db, json_t **ret)
{
    return store_settings_audit(db, 200, ret);
}

void rd_handle_settings_audit(rd_request *req)
{
    rd_reply_read(req, audit_read, "changes");
}
