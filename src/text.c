/* A growing text buffer: one copy of the doubling that CSV, COPY rows and array literals need. */
#include "repeatd/text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rd_text_reserve(rd_text *t, size_t n)
{
    if (t->err)
        return t->err;
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap < t->n + n + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p)
            return t->err = -ENOMEM;
        t->p = p;
        t->cap = cap;
    }
    return 0;
}

int rd_text_put(rd_text *t, const char *s, size_t len)
{
    if (rd_text_reserve(t, len) < 0)
        return t->err;
    memcpy(t->p + t->n, s, len);
    t->n += len;
    t->p[t->n] = '\0';
    return 0;
}

int rd_text_puts(rd_text *t, const char *s)
{
    return rd_text_put(t, s, strlen(s));
}

void rd_text_free(rd_text *t)
{
    free(t->p);
    *t = (rd_text){0};
}
