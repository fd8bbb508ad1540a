/* The settings table of DOMAIN.md: descriptors, defaults and validated setters. */
#include "repeatd/settings.h"
#include "repeatd/closeout.h" /* rd_utf8_valid */

#include <errno.h>
#include <stddef.h>
#include <string.h>

static const char *const default_boilerplate[] = {
    "已处理", "已维修", "已解决", "处理完毕", "已办结", "已回复", NULL,
};

#define INT(name, min, max, def, defines)                                                          \
    {                                                                                              \
#name, RD_SETTING_INT, min, max, defines, offsetof(rd_settings, name), def, NULL, NULL     \
    }

/* In DOMAIN.md's order, so that listings read like the spec. */
// clang-format off
const rd_setting_def rd_setting_defs[] = {
    INT(repeat_window_months,      1, 24,      1,   true),
    /* The store applies lookback; the decision does not need lookback >= window. */
    INT(lookback_months,           1, 60,      12,  true),
    INT(same_place_radius_m,       0, 100000,  250, true),
    INT(green_channel_min_repeats, 1, 100,     2,   true),
    INT(expedite_after_calls,      1, 100,     2,   true),
    INT(contact_failure_attempts,  1, 20,      3,   false),
    {"time_zone", RD_SETTING_TIME_ZONE, 0, 0, true, offsetof(rd_settings, time_zone), 0,
     "Asia/Shanghai", NULL},
    INT(closeout_min_chars,        1, 500,     10,  false),
    /* For the list, min..max bound the number of entries. */
    {"closeout_boilerplate", RD_SETTING_TEXT_LIST, 0, RD_BOILERPLATE_MAX, false,
     offsetof(rd_settings, closeout_boilerplate), 0, NULL, default_boilerplate},
    INT(ranking_min_complaints,    0, 1000000, 20,  false),
    INT(ranking_bottom_n,          0, 1000,    3,   false),
    /* The improvement programmes and the green-channel worklist. */
    INT(programme_exit_months,     1, 24,      2,   false),
    INT(green_channel_verify_days, 1, 365,     3,   false),
    /* Hotspots of the problem list's suggestions (聚集性问题): this many different citizens
     * on one leaf category within the radius and the days. */
    INT(hotspot_min_citizens,      2, 1000,    5,   false),
    INT(hotspot_radius_m,          1, 100000,  250, false),
    INT(hotspot_days,              1, 92,      7,   false),
    /* Storage: months of tickets kept before the current one, 0 = all (100 years at most). */
    INT(retain_months,             0, 1200,    0,   false),
};
// clang-format on
const size_t rd_setting_count = sizeof(rd_setting_defs) / sizeof(rd_setting_defs[0]);

static int *int_slot(rd_settings *s, const rd_setting_def *d)
{
    return (int *)(void *)((char *)s + d->offset);
}

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
    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; i < rd_setting_count; i++) {
        const rd_setting_def *d = &rd_setting_defs[i];
        switch (d->type) {
        case RD_SETTING_INT:
            *int_slot(ret, d) = (int)d->def;
            break;
        case RD_SETTING_TIME_ZONE:
            (void)rd_settings_set_text(ret, d->name, d->def_text);
            break;
        case RD_SETTING_TEXT_LIST: {
            size_t n = 0;
            while (d->def_list[n])
                n++;
            (void)rd_settings_set_list(ret, d->name, d->def_list, n);
            break;
        }
        }
    }
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
    *int_slot(s, def) = (int)value;
    return 0;
}

int rd_settings_retention_months(const rd_settings *s)
{
    if (s->retain_months <= 0)
        return 0;
    return s->retain_months > s->lookback_months ? s->retain_months : s->lookback_months + 1;
}

int rd_settings_get_int(const rd_settings *s, const char *name, long *ret)
{
    const rd_setting_def *def = find_typed(name, RD_SETTING_INT);
    if (!s || !def)
        return -ENOENT;
    *ret = *int_slot((rd_settings *)s, def);
    return 0;
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
    const rd_setting_def *def = find_typed(name, RD_SETTING_TIME_ZONE);
    if (!def)
        return -ENOENT;
    if (!value || !time_zone_valid(value))
        return -EINVAL;
    strcpy((char *)s + def->offset, value); /* a char[RD_TZ_MAX]: time_zone_valid bounds it */
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
