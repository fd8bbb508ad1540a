/* Declarative JSON field specs: each handler declares its fields once; one parser checks
 * presence, types, lengths and enums and names the offending field. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum rd_ftype {
    RD_F_STRING, /* const char * (borrowed from the JSON value), NULL when absent */
    RD_F_ENUM,   /* const char *, one of `values` */
    RD_F_BOOL,   /* int: -1 absent, 0 false, 1 true */
    RD_F_NUMBER, /* rd_opt_double */
    RD_F_TIME,   /* rd_time: RFC 3339 with offset */
    RD_F_OBJECT, /* nested fields, written into the same target */
} rd_ftype;

typedef struct rd_opt_double {
    bool set;
    double v;
} rd_opt_double;

#define RD_TIME_TEXT_MAX 64

typedef struct rd_time {
    bool set;
    int64_t unix; /* seconds (the fraction dropped) */
    /* The same instant in the one form the database is given: the digits as sent, a leap
     * second as hh:mm:59.999999 (see rd_time_parse), so the codec and PostgreSQL agree on the
     * instant, its minute, day and month. */
    char text[RD_TIME_TEXT_MAX];
} rd_time;

typedef struct rd_field {
    const char *name; /* NULL ends a list */
    rd_ftype type;
    bool required;
    size_t max_chars;              /* RD_F_STRING: characters, not bytes */
    double min, max;               /* RD_F_NUMBER bounds */
    const char *const *values;     /* RD_F_ENUM: NULL-terminated */
    const struct rd_field *fields; /* RD_F_OBJECT */
    size_t offset;                 /* of the value in the target struct */
} rd_field;

typedef struct rd_field_error {
    const char *code; /* missing_field, invalid_type, too_long, invalid_value, unknown_field */
    char field[128];  /* dotted path: citizen.phone */
    char message[256];
} rd_field_error;

/* Parse `obj` into `target` by `fields`. Fields not in the spec are refused (a misspelt
 * optional field must not pass silently). 0 or -EINVAL with *err filled. */
int rd_json_parse(json_t *obj, const rd_field *fields, void *target, rd_field_error *err);

/* RFC 3339 date-time with offset to unix seconds (the fraction dropped). The grammar, total and
 * strict: YYYY-MM-DD, T (or t), hh:mm:ss, an optional fraction of 1 to 6 digits (PostgreSQL
 * keeps microseconds: more digits would be rounded, possibly into the next second, minute or
 * month), then Z (or z) or +hh:mm / -hh:mm up to 15:59; year 1900 to 9999, a real calendar
 * date. Second 60 is a leap second and exists only where the UTC time is 23:59 (the only
 * place one is ever inserted, so at 07:59:60+08:00); it is read as hh:mm:59.999999, the last
 * microsecond of its minute: the same minute, day and month for the codec and the database.
 * 0, or -EINVAL with a short reason in *ret_reason (may be NULL). */
int rd_time_parse(const char *s, int64_t *ret);
int rd_time_parse_text(const char *s, int64_t *ret, char canon[RD_TIME_TEXT_MAX],
                       const char **ret_reason);

/* Format unix seconds at a UTC offset as RFC 3339: 2026-11-28T09:15:00+08:00. */
void rd_time_format(int64_t t, int32_t offset_s, char ret[RD_TIME_TEXT_MAX]);

/* Format unix microseconds at a UTC offset the way PostgreSQL writes a timestamptz in JSON:
 * 2026-11-03T14:15:00+00:00, a fraction only when not zero and without trailing zeros
 * (14:15:00.5+00:00), and the offset's seconds only when it has any (+08:05:43). Select the
 * column as (extract(epoch FROM x) * 1000000)::bigint and its offset as
 * extract(timezone FROM x)::integer to write what jsonb would have written. */
void rd_time_format_us(int64_t us, int32_t offset_s, char ret[RD_TIME_TEXT_MAX]);
