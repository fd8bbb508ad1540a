/* The cursor of a paged KPI answer (core/kpi_cursor.c, pure): where the last page ended. The
 * rows of a paged answer are ordered by period, then group, and a cursor holds that pair of the
 * last row sent; the next page is the rows after it. On the wire it is opaque: base64url, no
 * padding, of "1:<first month index of the period>:<group>". */
#pragma once

#include "repeatd/domain.h"

#include <stdbool.h>

typedef struct rd_kpi_cursor {
    int period_start;    /* first month index of the last row's period */
    char key[RD_ID_MAX]; /* the last row's group ("" for the whole line) */
} rd_kpi_cursor;

/* Room for an encoded cursor, NUL included: base64 of "1:", ten digits, ":" and a key. */
#define RD_KPI_CURSOR_MAX (((2 + 10 + 1 + RD_ID_MAX - 1) + 2) / 3 * 4 + 1)

/* The wire text of c. */
void rd_kpi_cursor_encode(const rd_kpi_cursor *c, char ret[RD_KPI_CURSOR_MAX]);

/* The cursor of a wire text: 0, or -EINVAL for anything rd_kpi_cursor_encode does not write
 * (other letters, padding, another version, a month outside years 1900..9999, a group that is
 * too long or not UTF-8). */
int rd_kpi_cursor_decode(const char *s, rd_kpi_cursor *ret);
