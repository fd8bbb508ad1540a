/* Declarative JSON field specs (after Taler's GNUNET_JSON_Specification): one parser. */
#include "repeatd/json_spec.h"

#include "repeatd/closeout.h"
#include "repeatd/months.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <stdarg.h>

static int fail(rd_field_error *err, const char *code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(rd_field_error *err, const char *code, const char *path, const char *fmt, ...)
{
    va_list ap;
    err->code = code;
    snprintf(err->field, sizeof(err->field), "%s", path);
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* prefix.name (or name) into out, cut to size as snprintf would: built for every field of
 * every body parsed, so without snprintf's cost. */
static void join_path(char *out, size_t size, const char *prefix, const char *name)
{
    size_t n = 0;
    for (const char *s = prefix; *s && n + 1 < size; s++)
        out[n++] = *s;
    if (prefix[0] && n + 1 < size)
        out[n++] = '.';
    for (const char *s = name; *s && n + 1 < size; s++)
        out[n++] = *s;
    out[n] = '\0';
}

static int parse_fields(json_t *obj, const rd_field *fields, void *target, const char *prefix,
                        rd_field_error *err);

static int parse_one(json_t *v, const rd_field *f, void *target, const char *path,
                     rd_field_error *err)
{
    void *dst = (char *)target + f->offset;
    switch (f->type) {
    case RD_F_STRING:
    case RD_F_ENUM: {
        if (!json_is_string(v))
            return fail(err, "invalid_type", path, "%s must be a string", path);
        const char *s = json_string_value(v);
        if (f->type == RD_F_STRING) {
            if (f->max_chars && rd_utf8_chars(s) > f->max_chars) {
                char limit[32];
                snprintf(limit, sizeof(limit), "%zu", f->max_chars);
                return fail(err, "too_long", path, "%s must be at most %s characters", path, limit);
            }
        } else {
            size_t i = 0;
            while (f->values[i] && strcmp(f->values[i], s))
                i++;
            if (!f->values[i]) {
                char list[160] = "";
                for (size_t j = 0; f->values[j]; j++) {
                    size_t n = strlen(list);
                    snprintf(list + n, sizeof(list) - n, "%s%s", j ? ", " : "", f->values[j]);
                }
                return fail(err, "invalid_value", path, "%s must be one of: %s", path, list);
            }
        }
        *(const char **)dst = s;
        return 0;
    }
    case RD_F_BOOL:
        if (!json_is_boolean(v))
            return fail(err, "invalid_type", path, "%s must be true or false", path);
        *(int *)dst = json_is_true(v);
        return 0;
    case RD_F_NUMBER: {
        if (!json_is_number(v))
            return fail(err, "invalid_type", path, "%s must be a number", path);
        double d = json_number_value(v);
        if (!isfinite(d) || d < f->min || d > f->max) {
            char range[64];
            snprintf(range, sizeof(range), "%g to %g", f->min, f->max);
            return fail(err, "invalid_value", path, "%s must be from %s", path, range);
        }
        *(rd_opt_double *)dst = (rd_opt_double){true, d};
        return 0;
    }
    case RD_F_TIME: {
        if (!json_is_string(v))
            return fail(err, "invalid_type", path, "%s must be an RFC 3339 time string", path);
        rd_time *tm = dst;
        const char *why;
        if (rd_time_parse_text(json_string_value(v), &tm->unix, tm->text, &why) < 0)
            return fail(err, "invalid_value", path,
                        "%s must be an RFC 3339 time with offset, like "
                        "2026-11-28T09:15:00+08:00 (%s)",
                        path, why);
        tm->set = true;
        return 0;
    }
    case RD_F_OBJECT:
        if (!json_is_object(v))
            return fail(err, "invalid_type", path, "%s must be an object", path);
        return parse_fields(v, f->fields, target, path, err);
    }
    return -EINVAL;
}

static const rd_field *find_field(const rd_field *fields, const char *name)
{
    for (const rd_field *f = fields; f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

static int parse_fields(json_t *obj, const rd_field *fields, void *target, const char *prefix,
                        rd_field_error *err)
{
    char path[128];
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (!find_field(fields, key)) {
            join_path(path, sizeof(path), prefix, key);
            return fail(err, "unknown_field", path, "%s is not a known field", path);
        }
    }
    for (const rd_field *f = fields; f->name; f++) {
        join_path(path, sizeof(path), prefix, f->name);
        v = json_object_get(obj, f->name);
        if (!v || json_is_null(v)) {
            if (f->required)
                return fail(err, "missing_field", path, "%s is required", path);
            continue;
        }
        int r = parse_one(v, f, target, path, err);
        if (r < 0)
            return r;
    }
    return 0;
}

int rd_json_parse(json_t *obj, const rd_field *fields, void *target, rd_field_error *err)
{
    if (!json_is_object(obj))
        return fail(err, "invalid_type", "body", "the %s must be a JSON object", "body");
    return parse_fields(obj, fields, target, "", err);
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static bool digits(const char *s, int n, int *ret)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *ret = v;
    return true;
}

/* v (0 <= v < 10^width) in width digits, zeros first; the end. */
static char *put_digits(char *out, int v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
    return out + width;
}

int rd_time_parse_text(const char *s, int64_t *ret, char canon[RD_TIME_TEXT_MAX],
                       const char **ret_reason)
{
    const char *why_local = NULL, **why = ret_reason ? ret_reason : &why_local;
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    *why = "the form is YYYY-MM-DDThh:mm:ss[.ffffff] then Z or +hh:mm";
    if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return -EINVAL;
    const char *p = s + 19, *frac = NULL;
    int n_frac = 0;
    if (*p == '.') {
        frac = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        n_frac = (int)(p - frac);
        if (n_frac == 0)
            return -EINVAL;
        if (n_frac > 6) {
            *why = "at most 6 digits of a second (microseconds)";
            return -EINVAL;
        }
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        sign = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2, &oh) && p[3] == ':' &&
               digits(p + 4, 2, &om)) {
        sign = *p == '+' ? 1 : -1;
    } else {
        return -EINVAL;
    }
    if (y < 1900 || y > 9999) {
        *why = "the year must be from 1900 to 9999";
        return -EINVAL;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60) {
        *why = "no such date or time of day";
        return -EINVAL;
    }
    if (oh > 15 || om > 59) { /* PostgreSQL takes offsets to ±15:59 */
        *why = "the offset must be Z or from -15:59 to +15:59";
        return -EINVAL;
    }
    int32_t offset = sign * (oh * 3600 + om * 60);
    int64_t t = rd_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (sec == 60 ? 59 : sec);
    t -= offset;
    if (sec == 60 && (t % 86400 + 86400) % 86400 != 86399) {
        *why = "second 60 is a leap second: only where the UTC time is 23:59";
        return -EINVAL;
    }
    *ret = t;
    if (canon) {
        /* The digits as sent (the same local time and offset), bounded; a leap second as the
         * last microsecond of its minute. */
        char *c = canon; /* at most 32 bytes: every number was checked above */
        c = put_digits(c, y, 4);
        *c++ = '-';
        c = put_digits(c, mo, 2);
        *c++ = '-';
        c = put_digits(c, d, 2);
        *c++ = 'T';
        c = put_digits(c, h, 2);
        *c++ = ':';
        c = put_digits(c, mi, 2);
        *c++ = ':';
        if (sec == 60) {
            memcpy(c, "59.999999", 9);
            c += 9;
        } else {
            c = put_digits(c, sec, 2);
            if (n_frac) {
                *c++ = '.';
                memcpy(c, frac, (size_t)n_frac);
                c += n_frac;
            }
        }
        if (sign == 0) {
            *c++ = 'Z';
        } else {
            *c++ = sign > 0 ? '+' : '-';
            c = put_digits(c, oh, 2);
            *c++ = ':';
            c = put_digits(c, om, 2);
        }
        *c = '\0';
    }
    *why = NULL;
    return 0;
}

int rd_time_parse(const char *s, int64_t *ret)
{
    return rd_time_parse_text(s, ret, NULL, NULL);
}

/* The date and time of day at the offset, without the offset: 2026-11-28T09:15:00. */
static int format_local(int64_t t, int32_t offset_s, char ret[RD_TIME_TEXT_MAX])
{
    int64_t local = t + offset_s;
    int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int64_t secs = local - days * 86400, y;
    int m, d;
    rd_civil_from_days(days, &y, &m, &d);
    return snprintf(ret, RD_TIME_TEXT_MAX, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, m, d,
                    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

void rd_time_format(int64_t t, int32_t offset_s, char ret[RD_TIME_TEXT_MAX])
{
    int n = format_local(t, offset_s, ret);
    int32_t off = offset_s < 0 ? -offset_s : offset_s;
    snprintf(ret + n, RD_TIME_TEXT_MAX - (size_t)n, "%c%02d:%02d", offset_s < 0 ? '-' : '+',
             off / 3600, off / 60 % 60);
}

void rd_time_format_us(int64_t us, int32_t offset_s, char ret[RD_TIME_TEXT_MAX])
{
    int64_t t = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    int frac = (int)(us - t * 1000000);
    int n = format_local(t, offset_s, ret);
    if (frac) {
        char digits6[8];
        snprintf(digits6, sizeof(digits6), "%06d", frac);
        size_t k = 6;
        while (digits6[k - 1] == '0')
            k--;
        n += snprintf(ret + n, RD_TIME_TEXT_MAX - (size_t)n, ".%.*s", (int)k, digits6);
    }
    int32_t off = offset_s < 0 ? -offset_s : offset_s;
    n += snprintf(ret + n, RD_TIME_TEXT_MAX - (size_t)n, "%c%02d:%02d", offset_s < 0 ? '-' : '+',
                  off / 3600, off / 60 % 60);
    if (off % 60) /* a local mean time of the past: PostgreSQL writes the seconds too */
        snprintf(ret + n, RD_TIME_TEXT_MAX - (size_t)n, ":%02d", off % 60);
}
