/* Administration of what KPIs are judged by: names of units, teams and handlers, and target
 * repeat rates per unit and team (考核指标). */
#include "repeatd/routes.h"

#include "repeatd/json_spec.h"
#include "repeatd/kpi.h"
#include "repeatd/kpi_store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ORG_MAX 20000

typedef struct org_in {
    const char *code, *name, *parent;
} org_in;

/* The parent of a team is its unit; of a handler, its team. */
static const rd_field unit_fields[] = {
    {.name = "code",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 64,
     .offset = offsetof(org_in, code)},
    {.name = "name",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 200,
     .offset = offsetof(org_in, name)},
    {0},
};
static const rd_field team_fields[] = {
    {.name = "code",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 64,
     .offset = offsetof(org_in, code)},
    {.name = "name",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 200,
     .offset = offsetof(org_in, name)},
    {.name = "unit", .type = RD_F_STRING, .max_chars = 64, .offset = offsetof(org_in, parent)},
    {0},
};
static const rd_field handler_fields[] = {
    {.name = "code",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 64,
     .offset = offsetof(org_in, code)},
    {.name = "name",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 200,
     .offset = offsetof(org_in, name)},
    {.name = "team", .type = RD_F_STRING, .max_chars = 64, .offset = offsetof(org_in, parent)},
    {0},
};

static const struct {
    const char *list; /* the body's key */
    const char *kind; /* org_names.kind */
    const rd_field *fields;
} org_lists[] = {
    {"units", "unit", unit_fields},
    {"teams", "team", team_fields},
    {"handlers", "handler", handler_fields},
};

/* Every entry is checked before anything is written: a bad entry changes nothing. */
static bool check_org_body(rd_request *req, size_t *ret_total)
{
    size_t total = 0;
    const char *key;
    json_t *v;
    json_object_foreach(req->json, key, v)
    {
        size_t k = 0;
        while (k < 3 && strcmp(org_lists[k].list, key))
            k++;
        if (k == 3 || !json_is_array(v)) {
            rd_reply_error(req, RD_ERR_INVALID_FIELD, key,
                           "%s: the body holds arrays units, teams and handlers only", key);
            return false;
        }
        for (size_t i = 0; i < json_array_size(v); i++) {
            org_in in = {0};
            rd_field_error err;
            int r = rd_json_parse(json_array_get(v, i), org_lists[k].fields, &in, &err);
            /* After a failed parse code or name may be NULL: only a parsed entry is looked at. */
            if (r == 0 && (!in.code[0] || !in.name[0])) {
                snprintf(err.field, sizeof(err.field), "%s", in.code[0] ? "name" : "code");
                snprintf(err.message, sizeof(err.message), "code and name must not be empty");
                r = -EINVAL;
            }
            if (r < 0) {
                char field[200];
                snprintf(field, sizeof(field), "%s[%zu].%s", key, i, err.field);
                rd_reply_error(req, RD_ERR_INVALID_FIELD, field, "%s[%zu]: %s", key, i,
                               err.message);
                return false;
            }
        }
        total += json_array_size(v);
    }
    if (total == 0 || total > ORG_MAX) {
        rd_reply_error(req, RD_ERR_INVALID_FIELD, "units",
                       "send 1 to %d entries in units, teams and handlers", ORG_MAX);
        return false;
    }
    *ret_total = total;
    return true;
}

static int org_tx(rd_db *db, const void *body_in, void *out)
{
    json_t *body = (json_t *)body_in;
    for (size_t k = 0; k < 3; k++) {
        json_t *list = json_object_get(body, org_lists[k].list);
        for (size_t i = 0; i < json_array_size(list); i++) {
            org_in in = {0};
            rd_field_error err;
            (void)rd_json_parse(json_array_get(list, i), org_lists[k].fields, &in, &err);
            int r = store_org_name_upsert(db, org_lists[k].kind, in.code, in.name, in.parent);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

void rd_handle_units_put(rd_request *req)
{
    size_t total;
    if (!check_org_body(req, &total))
        return;
    rd_tx tx = {.body = org_tx, .in = req->json};
    int r = rd_request_tx(req, &tx);
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    rd_reply_json(req, 200, json_pack("{s:i}", "upserted", (json_int_t)total));
}

void rd_handle_units_get(rd_request *req)
{
    rd_reply_read(req, store_org_names, NULL);
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

typedef struct targets_call {
    json_t *list;
    const char *who;
} targets_call;

static int targets_tx(rd_db *db, const void *call, void *out)
{
    const targets_call *t = call;
    for (size_t i = 0; i < json_array_size(t->list); i++) {
        target_in in = {0};
        rd_field_error err;
        (void)rd_json_parse(json_array_get(t->list, i), target_fields, &in, &err);
        int r = store_target_upsert(db, in.scope, in.code, in.period ? in.period : "", in.rate.v,
                                    t->who);
        if (r < 0)
            return r;
    }
    return 0;
}

void rd_handle_targets_put(rd_request *req)
{
    targets_call t = {.list = json_object_get(req->json, "targets"), .who = req->key_name};
    if (!json_is_array(t.list) || json_object_size(req->json) != 1 ||
        json_array_size(t.list) == 0 || json_array_size(t.list) > ORG_MAX) {
        rd_reply_error(req, RD_ERR_INVALID_FIELD, "targets",
                       "the body must be {\"targets\": [1 to %d entries]}", ORG_MAX);
        return;
    }
    for (size_t i = 0; i < json_array_size(t.list); i++) {
        target_in in = {0};
        rd_field_error err;
        char field[200];
        int r = rd_json_parse(json_array_get(t.list, i), target_fields, &in, &err);
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
            snprintf(field, sizeof(field), "targets[%zu].%s", i, err.field);
            rd_reply_error(req, RD_ERR_INVALID_FIELD, field, "targets[%zu]: %s", i, err.message);
            return;
        }
    }
    rd_tx tx = {.body = targets_tx, .in = &t};
    int r = rd_request_tx(req, &tx);
    if (r < 0) {
        rd_reply_store_error(req, r);
        return;
    }
    rd_reply_json(req, 200, json_pack("{s:i}", "upserted", (json_int_t)json_array_size(t.list)));
}

void rd_handle_targets_get(rd_request *req)
{
    rd_reply_read(req, store_targets, NULL);
}
