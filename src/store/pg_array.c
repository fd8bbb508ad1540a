/* PostgreSQL array literals, one writer for every batch statement of the store. */
#include "repeatd/pg_array.h"

#include <stdio.h>

int store_array_text(rd_text *t, const char *s, bool first)
{
    rd_text_put(t, first ? "\"" : ",\"", first ? 1 : 2);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            rd_text_put(t, "\\", 1);
        rd_text_put(t, s, 1);
    }
    return rd_text_put(t, "\"", 1);
}

int store_array_long(rd_text *t, long v, bool first)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%s%ld", first ? "" : ",", v);
    return rd_text_put(t, tmp, (size_t)n);
}

int store_array_of(rd_text *t, size_t n, const char *const *v)
{
    rd_text_put(t, "{", 1);
    for (size_t i = 0; i < n; i++)
        store_array_text(t, v[i], i == 0);
    return rd_text_put(t, "}", 1);
}
