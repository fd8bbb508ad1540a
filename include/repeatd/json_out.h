/* Small JSON values the codec's answers write alike: instants, month labels, texts that may be
 * absent. Each returns a new reference (NULL only when out of memory). */
#pragma once

#include "repeatd/domain.h"

#include <jansson.h>
#include <stdbool.h>

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
