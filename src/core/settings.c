/* The settings table of DOMAIN.md: descriptors, defaults and validated setters. */
#include "repeatd/settings.h"
#include "repeatd/closeout.h" /* rd_utf8_valid */

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* In DOMAIN.md's order, so that listings read like the spec. */
const rd_setting_def rd_setting_defs[] = {
    {"repeat_window_months", RD_SETTING_INT, 1, 24, true},
    /* The store applies lookback; the decision does not need lookback >= window. */
    {"lookback_months", RD_SETTING_INT, 1, 60, true},
    {"same_place_radius_m", RD_SETTING_INT, 0, 100000, true},
    {"green_channel_min_repeats", RD_SETTING_INT, 1, 100, true},
    {"expedite_after_calls", RD_SETTING_INT, 1, 100, true},
    {"contact_failure_attempts", RD_SETTING_INT, 1, 20, false},
    {"time_zone", RD_SETTING_TIME_ZONE, 0, 0, true},
    {"closeout_min_chars", RD_SETTING_INT, 1, 500, false},
    /* For the list, min..max bound the number of entries. */
    {"closeout_boilerplate", RD_SETTING_TEXT_LIST, 0, RD_BOILERPLATE_MAX, false},
    {"ranking_min_complaints", RD_SETTING_INT, 0, 1000000, false},
    {"ranking_bottom_n", RD_SETTING_INT, 0, 1000, false},
};
const size_t rd_setting_count = sizeof(rd_setting_defs) / sizeof(rd_setting_defs[0]);

/* Where each integer setting lives in rd_settings. */
static const struct int_slot {
    const char *name;
    size_t offset;
} int_slots[] = {
    {"repeat_window_months", offsetof(rd_settings, repeat_window_months)},
    {"lookback_months", offsetof(rd_settings, lookback_months)},
    {"same_place_radius_m", offsetof(rd_settings, same_place_radius_m)},
    {"green_channel_min_repeats", offsetof(rd_settings, green_channel_min_repeats)},
    {"expedite_after_calls", offsetof(rd_settings, expedite_after_calls)},
    {"contact_failure_attempts", offsetof(rd_settings, contact_failure_attempts)},
    {"closeout_min_chars", offsetof(rd_settings, closeout_min_chars)},
    {"ranking_min_complaints", offsetof(rd_settings, ranking_min_complaints)},
    {"ranking_bottom_n", offsetof(rd_settings, ranking_bottom_n)},
};

static const char *const default_boilerplate[] = {
    "已处理", "已维修", "已解决", "处理完毕", "已办结", "已回复",
};

const rd_setting_def *rd_setting_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < rd_setting_count; i++)
        if (strcmp(rd_setting_defs[i].name, name) == 0)
            return &rd_setting_defs[i];
    return NULL;
}

void rd_settings_defaults(rd_settings *ret)
{
    const size_t n_bp = sizeof(default_boilerplate) / sizeof(default_boilerplate[0]);

    memset(ret, 0, sizeof(*ret));
    ret->repeat_window_months = 1;
    ret->lookback_months = 12;
    ret->same_place_radius_m = 250;
    ret->green_channel_min_repeats = 2;
    ret->expedite_after_calls = 2;
    ret->contact_failure_attempts = 3;
    strcpy(ret->time_zone, "Asia/Shanghai");
    ret->closeout_min_chars = 10;
    for (size_t i = 0; i < n_bp; i++)
        strcpy(ret->closeout_boilerplate[i], default_boilerplate[i]);
    ret->n_closeout_boilerplate = n_bp;
    ret->ranking_min_complaints = 20;
    ret->ranking_bottom_n = 3;
    ret->definition_version = 0;
}

static const rd_setting_def *find_typed(const char *name, rd_setting_type type)
{
    const rd_setting_def *def = rd_setting_find(name);
    return def && def->type == type ? def : NULL;
}

int rd_settings_set_int(rd_settings *s, const char *name, long value)
{
    const rd_setting_def *def = find_typed(name, RD_SETTING_INT);
    if (!s)
        return -EINVAL;
    if (!def)
        return -ENOENT;
    if (value < def->min || value > def->max)
        return -EINVAL;
    for (size_t i = 0; i < sizeof(int_slots) / sizeof(int_slots[0]); i++) {
        if (strcmp(int_slots[i].name, name) == 0) {
            int *field = (int *)(void *)((char *)s + int_slots[i].offset);
            *field = (int)value;
            return 0;
        }
    }
    return -ENOENT; /* a descriptor without a slot: a bug in the tables above */
}

int rd_settings_get_int(const rd_settings *s, const char *name, long *ret)
{
    for (size_t i = 0; s && i < sizeof(int_slots) / sizeof(int_slots[0]); i++) {
        if (strcmp(int_slots[i].name, name) == 0) {
            *ret = *(const int *)(const void *)((const char *)s + int_slots[i].offset);
            return 0;
        }
    }
    return -ENOENT;
}

/* IANA names use letters, digits, '_', '-', '+' and '/' only ("Etc/GMT+8"); anything else
 * cannot be a zone and might be a path trick when the store resolves it. */
static bool time_zone_valid(const char *v)
{
    size_t len = strlen(v);
    if (len == 0 || len >= RD_TZ_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '+' || c == '-' || c == '/';
        if (!ok)
            return false;
    }
    return true;
}

int rd_settings_set_text(rd_settings *s, const char *name, const char *value)
{
    if (!s)
        return -EINVAL;
    if (!find_typed(name, RD_SETTING_TIME_ZONE))
        return -ENOENT;
    if (!value || !time_zone_valid(value))
        return -EINVAL;
    strcpy(s->time_zone, value);
    return 0;
}

int rd_settings_set_list(rd_settings *s, const char *name, const char *const *values, size_t n)
{
    if (!s)
        return -EINVAL;
    if (!find_typed(name, RD_SETTING_TEXT_LIST))
        return -ENOENT;
    if (n > RD_BOILERPLATE_MAX || (n > 0 && !values))
        return -EINVAL;
    /* Validate everything first so that a bad list leaves the settings untouched. */
    for (size_t i = 0; i < n; i++) {
        size_t len = values[i] ? strlen(values[i]) : 0;
        if (len == 0 || len >= RD_BOILERPLATE_LEN_MAX || !rd_utf8_valid(values[i], len))
            return -EINVAL;
    }
    for (size_t i = 0; i < n; i++)
        strcpy(s->closeout_boilerplate[i], values[i]);
    s->n_closeout_boilerplate = n;
    return 0;
}
