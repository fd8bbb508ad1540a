/* A growing NUL-terminated text buffer (src/text.c). Its first allocation failure sticks in
 * `err`: a writer appends without checking each call and looks at `err` once at the end. */
#pragma once

#include <stddef.h>

typedef struct rd_text {
    char *p; /* NULL until the first append; the caller frees it (rd_text_free) */
    size_t n, cap;
    int err; /* 0, or -ENOMEM once an append failed (later appends do nothing) */
} rd_text;

/* Append len bytes of s. Returns t->err: 0, or -ENOMEM. */
int rd_text_put(rd_text *t, const char *s, size_t len);
int rd_text_puts(rd_text *t, const char *s);

/* Room for n more bytes at once (a writer that knows its size skips the doublings). Returns
 * t->err. */
int rd_text_reserve(rd_text *t, size_t n);

void rd_text_free(rd_text *t);
