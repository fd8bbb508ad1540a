/* Settings ⇄ JSON, by the descriptor table of core/settings.c. */
#include "repeatd/codec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static json_t *setting_value(const rd_settings *s, const rd_setting_def *d)
{
    switch (d->type) {
    case RD_SETTING_INT: {
        long v;
        return rd_settings_get_int(s, d->name, &v) == 0 ? json_integer(v) : NULL;
    }
    case RD_SETTING_TIME_ZONE:
        return json_string(s->time_zone);
    case RD_SETTING_TEXT_LIST: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < s->n_closeout_boilerplate; i++)
            json_array_append_new(a, json_string(s->closeout_boilerplate[i]));
        return a;
    }
    }
    return NULL;
}

json_t *rd_settings_to_json(const rd_settings *s)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < rd_setting_count; i++)
        json_object_set_new(o, rd_setting_defs[i].name, setting_value(s, &rd_setting_defs[i]));
    return o;
}

static int bad(rd_field_error *err, const char *code, const char *key, const char *msg)
{
    err->code = code;
    snprintf(err->field, sizeof(err->field), "%s", key);
    snprintf(err->message, sizeof(err->message), "%s %s", key, msg);
    return -EINVAL;
}

static int apply_one(rd_settings *s, const rd_setting_def *d, json_t *v, rd_field_error *err)
{
    char msg[128];
    switch (d->type) {
    case RD_SETTING_INT:
        snprintf(msg, sizeof(msg), "must be a whole number from %ld to %ld", d->min, d->max);
        if (!json_is_integer(v))
            return bad(err, "invalid_type", d->name, msg);
        if (rd_settings_set_int(s, d->name, (long)json_integer_value(v)) < 0)
            return bad(err, "invalid_value", d->name, msg);
        return 0;
    case RD_SETTING_TIME_ZONE:
        if (!json_is_string(v))
            return bad(err, "invalid_type", d->name, "must be a time zone name string");
        if (rd_settings_set_text(s, d->name, json_string_value(v)) < 0)
            return bad(err, "invalid_value", d->name,
                       "must be an IANA time zone name such as Asia/Shanghai");
        return 0;
    case RD_SETTING_TEXT_LIST: {
        const char *items[RD_BOILERPLATE_MAX];
        size_t n = json_array_size(v);
        snprintf(msg, sizeof(msg),
                 "must be an array of at most %d non-empty strings of under %d bytes",
                 RD_BOILERPLATE_MAX, RD_BOILERPLATE_LEN_MAX);
        if (!json_is_array(v))
            return bad(err, "invalid_type", d->name, msg);
        if (n > RD_BOILERPLATE_MAX)
            return bad(err, "invalid_value", d->name, msg);
        for (size_t i = 0; i < n; i++) {
            items[i] = json_string_value(json_array_get(v, i));
            if (!items[i])
                return bad(err, "invalid_type", d->name, msg);
        }
        if (rd_settings_set_list(s, d->name, items, n) < 0)
            return bad(err, "invalid_value", d->name, msg);
        return 0;
    }
    }
    return -EINVAL;
}

int rd_settings_apply_json(rd_settings *s, json_t *obj, bool partial, rd_field_error *err)
{
    if (!json_is_object(obj))
        return bad(err, "invalid_type", "body", "must be a JSON object of settings");
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        const rd_setting_def *d = rd_setting_find(key);
        if (!d)
            return bad(err, "unknown_field", key, "is not a setting");
        int r = apply_one(s, d, v, err);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; !partial && i < rd_setting_count; i++)
        if (!json_object_get(obj, rd_setting_defs[i].name))
            return bad(err, "missing_field", rd_setting_defs[i].name, "is not stored");
    return 0;
}
