/* Small JSON values the codec's answers write alike: instants, month labels, texts that may be
 * absent. Each returns a new reference (NULL only when out of memory). */
#pragma once

#include "repeatd/domain.h"
#include "repeatd/text.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* An instant as text at its own offset (rd_time_format_us), e.g. "2026-10-31T09:00:00+08:00". */
json_t *rd_json_instant(rd_instant t);

/* rd_json_instant(t) when set, else null. */
json_t *rd_json_opt_instant(bool set, rd_instant t);

/* The text s when set (s must then not be NULL), else null. */
json_t *rd_json_opt_string(bool set, const char *s);

/* The text s, or null when s is NULL. */
json_t *rd_json_text_or_null(const char *s);

/* The text s, or null when s is NULL or empty. */
json_t *rd_json_nonempty_or_null(const char *s);

/* A month index (rd_month_index) as its label, e.g. "2026-10". */
json_t *rd_json_month(int month);

/* ---- JSON text written straight into an rd_text, byte for byte as the server's json_dumps
 * (JSON_COMPACT | JSON_REAL_PRECISION(15)) writes the same values: for answers too long to
 * build as jansson values first. Appends fail as rd_text's do (look at t->err at the end). */

/* A real as jansson writes it with 15 digits ("0.25", "1.0", "1e-5"); its length. */
size_t rd_json_real_text(double v, char text[40]);

/* A JSON string of the UTF-8 text s, escaped as jansson escapes (\", \\, \b \f \n \r \t, other
 * controls as \u00XX; nothing else). */
void rd_jtext_string(rd_text *t, const char *s);

/* The escape of a byte that needs one in a JSON string ('"', '\\', below 0x20), as jansson
 * writes it: into esc, its length returned. */
size_t rd_json_escape(unsigned char c, char esc[6]);

/* rd_jtext_string(s), or null when s is NULL. */
void rd_jtext_string_or_null(rd_text *t, const char *s);

void rd_jtext_int(rd_text *t, long long v);
void rd_jtext_real(rd_text *t, double v);

/* [v0,v1,...] */
void rd_jtext_ints(rd_text *t, const int *v, size_t n);
