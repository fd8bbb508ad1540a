/* The settings of DOMAIN.md: one descriptor table (name, type, bounds, default) and the struct. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define RD_TZ_MAX              64
#define RD_BOILERPLATE_MAX     32 /* entries */
#define RD_BOILERPLATE_LEN_MAX 64 /* bytes per entry, with NUL */

typedef struct rd_settings {
    int repeat_window_months;
    int lookback_months;
    int same_place_radius_m;
    int green_channel_min_repeats;
    int expedite_after_calls;
    int contact_failure_attempts;
    char time_zone[RD_TZ_MAX];
    int closeout_min_chars;
    char closeout_boilerplate[RD_BOILERPLATE_MAX][RD_BOILERPLATE_LEN_MAX];
    size_t n_closeout_boilerplate;
    int ranking_min_complaints;
    int ranking_bottom_n;
    /* The improvement programmes and the green-channel worklist. */
    int programme_exit_months;
    int green_channel_verify_days;
    int hotspot_min_citizens;
    int hotspot_radius_m;
    int hotspot_days;
    /* Storage: months of tickets kept (0: all); see rd_settings_retention_months. */
    int retain_months;
    /* Which definition version these values are; set by the store, 0 for defaults. */
    int definition_version;
} rd_settings;

typedef enum rd_setting_type {
    RD_SETTING_INT,
    RD_SETTING_TIME_ZONE, /* text; whether the zone exists is checked by the store */
    RD_SETTING_TEXT_LIST,
} rd_setting_type;

/* One row per setting: it drives the defaults, parsing and validation, the settings JSON and
 * the audit (after PgBouncer's CF_ABS table). */
typedef struct rd_setting_def {
    const char *name;
    rd_setting_type type;
    long min, max;        /* RD_SETTING_INT bounds, inclusive; RD_SETTING_TEXT_LIST entries */
    bool defines_repeat;  /* a change makes a new definition version */
    size_t offset;        /* of the value in rd_settings: int, char[RD_TZ_MAX] or the list */
    long def;             /* RD_SETTING_INT default */
    const char *def_text; /* RD_SETTING_TIME_ZONE default */
    const char *const *def_list; /* RD_SETTING_TEXT_LIST default, NULL-terminated */
} rd_setting_def;

extern const rd_setting_def rd_setting_defs[];
extern const size_t rd_setting_count;

/* NULL when no setting has this name. */
const rd_setting_def *rd_setting_find(const char *name);

/* The defaults of DOMAIN.md. */
void rd_settings_defaults(rd_settings *ret);

/* The months of tickets that retention keeps before the current UTC month: 0 when
 * retain_months is 0 (keep everything), else retain_months but never fewer than
 * lookback_months + 1, so that no month the decision's look-up can read is dropped (its
 * lookback, counted in time_zone, reaches at most into the UTC month before). */
int rd_settings_retention_months(const rd_settings *s);

/* Read one integer setting by name. 0, or -ENOENT when no integer setting has this name. */
int rd_settings_get_int(const rd_settings *s, const char *name, long *ret);

/* Set one value. 0 on success, -ENOENT for an unknown name or the wrong type,
 * -EINVAL for a value out of bounds (too long, empty, outside min..max). */
int rd_settings_set_int(rd_settings *s, const char *name, long value);
int rd_settings_set_text(rd_settings *s, const char *name, const char *value);
int rd_settings_set_list(rd_settings *s, const char *name, const char *const *values, size_t n);
