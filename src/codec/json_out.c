/* Small JSON values the codec's answers write alike, as jansson values or straight as text. */
#include "repeatd/json_out.h"

#include "repeatd/json_spec.h"
#include "repeatd/kpi.h"

#include <stdio.h>
#include <string.h>

json_t *rd_json_instant(rd_instant t)
{
    char text[RD_TIME_TEXT_MAX];
    rd_time_format_us(t.us, t.offset, text);
    return json_string(text);
}

json_t *rd_json_opt_instant(bool set, rd_instant t)
{
    return set ? rd_json_instant(t) : json_null();
}

json_t *rd_json_opt_string(bool set, const char *s)
{
    return set ? json_string(s) : json_null();
}

json_t *rd_json_text_or_null(const char *s)
{
    return rd_json_opt_string(s != NULL, s);
}

json_t *rd_json_nonempty_or_null(const char *s)
{
    return rd_json_opt_string(s && *s, s);
}

json_t *rd_json_month(int month)
{
    char label[RD_PERIOD_LABEL_MAX];
    rd_period_label(RD_PERIOD_MONTH, month, label);
    return json_string(label);
}

size_t rd_json_real_text(double v, char text[40])
{
    int n = snprintf(text, 40, "%.15g", v);
    if (n < 0 || n >= 36)
        return 0;
    if (!strpbrk(text, ".e") && !strpbrk(text, "in")) { /* not inf or nan */
        strcpy(text + n, ".0");
        n += 2;
    }
    char *e = strchr(text, 'e');
    if (e) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, strlen(end) + 1);
            n = (int)strlen(text);
        }
    }
    return (size_t)n;
}

size_t rd_json_escape(unsigned char c, char esc[6])
{
    static const char hex[] = "0123456789ABCDEF";
    esc[0] = '\\';
    switch (c) {
    case '"':
    case '\\':
        esc[1] = (char)c;
        return 2;
    case '\b':
        esc[1] = 'b';
        return 2;
    case '\f':
        esc[1] = 'f';
        return 2;
    case '\n':
        esc[1] = 'n';
        return 2;
    case '\r':
        esc[1] = 'r';
        return 2;
    case '\t':
        esc[1] = 't';
        return 2;
    default:
        esc[1] = 'u';
        esc[2] = esc[3] = '0';
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        return 6;
    }
}

void rd_jtext_string(rd_text *t, const char *s)
{
    rd_text_put(t, "\"", 1);
    const char *run = s;
    for (const char *p = s;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rd_text_put(t, run, (size_t)(p - run));
        if (!c)
            break;
        char esc[6];
        rd_text_put(t, esc, rd_json_escape(c, esc));
        run = p + 1;
    }
    rd_text_put(t, "\"", 1);
}

void rd_jtext_string_or_null(rd_text *t, const char *s)
{
    if (s)
        rd_jtext_string(t, s);
    else
        rd_text_put(t, "null", 4);
}

/* Digits by hand: snprintf's format parsing is most of the cost of a long list's numbers. */
void rd_jtext_int(rd_text *t, long long v)
{
    char text[24];
    char *p = text + sizeof(text);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    rd_text_put(t, p, (size_t)(text + sizeof(text) - p));
}

void rd_jtext_real(rd_text *t, double v)
{
    char text[40];
    rd_text_put(t, text, rd_json_real_text(v, text));
}

void rd_jtext_ints(rd_text *t, const int *v, size_t n)
{
    rd_text_put(t, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            rd_text_put(t, ",", 1);
        rd_jtext_int(t, v[i]);
    }
    rd_text_put(t, "]", 1);
}
