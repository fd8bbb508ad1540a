/* PostgreSQL array literals ({"a","b"}, {1,2}) for statements that take a whole batch as one
 * parameter (src/store/pg_array.c): every value stays a parameter, however many there are. */
#pragma once

#include "repeatd/text.h"

#include <stdbool.h>
#include <stddef.h>

/* One element, after a comma unless it is the first: a string quoted with " and \ escaped,
 * or a whole number. The caller writes the braces. Return t->err. */
int store_array_text(rd_text *t, const char *s, bool first);
int store_array_long(rd_text *t, long v, bool first);

/* A whole literal of n strings, braces included. */
int store_array_of(rd_text *t, size_t n, const char *const *v);
