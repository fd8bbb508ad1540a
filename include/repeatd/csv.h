/* CSV for spreadsheets (codec/csv.c): UTF-8 with a byte-order mark, CRLF line ends, RFC 4180
 * quoting, and text cells guarded against formula injection. Any answer can be written with it:
 * cell by cell from its structs, or a JSON array of flat objects at once (rd_csv_json_rows). */
#pragma once

#include "repeatd/text.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* A CSV text being written. Zero it, write cells and rows, then take the text with
 * rd_csv_finish (or drop it with rd_csv_free). A failed allocation is remembered and reported
 * by rd_csv_finish, so the cell functions need no checks. */
typedef struct rd_csv {
    rd_text text;  /* the file so far, its byte-order mark first; text.err: out of memory */
    bool row_open; /* a cell was written on the current line */
} rd_csv;

/* A text cell: quoted when it holds a comma, a quote, CR or LF (quotes doubled). A cell that
 * begins with =, +, -, @, tab or CR gets a leading ' (OWASP's rule against formula injection:
 * a spreadsheet then shows it as text instead of evaluating it). NULL is an empty cell. */
void rd_csv_text(rd_csv *c, const char *s);

/* Numbers as the JSON writes them (%.15g for reals), so a spreadsheet reads the same value. */
void rd_csv_int(rd_csv *c, long long v);
void rd_csv_real(rd_csv *c, double v);
void rd_csv_bool(rd_csv *c, bool v); /* true / false */
void rd_csv_empty(rd_csv *c);        /* what JSON writes as null */

/* Integers in one cell, separated by spaces ("1 2 3"): definition versions, histories. */
void rd_csv_ints(rd_csv *c, const long *v, size_t n);
void rd_csv_int_list(rd_csv *c, const int *v, size_t n);

/* Ends the current line (CRLF). */
void rd_csv_end_row(rd_csv *c);

/* A header line of column names. */
void rd_csv_header(rd_csv *c, const char *const *names, size_t n);

/* A JSON value as one cell: null empty, a string as rd_csv_text, numbers and booleans as
 * above, an array of scalars joined by spaces, anything else as its compact JSON text. */
void rd_csv_json(rd_csv *c, const json_t *v);

/* A table from a JSON array of objects: the header `columns`, then one line per object with the
 * value of each column's key (absent: empty). */
void rd_csv_json_rows(rd_csv *c, const char *const *columns, size_t n, const json_t *rows);

/* The text (byte-order mark first, malloc'd, NUL-terminated: the caller frees) and its length.
 * 0, or -ENOMEM when any write failed (nothing is returned then). Either way c is emptied. */
int rd_csv_finish(rd_csv *c, char **ret, size_t *ret_len);

/* Drops what was written; NULL and an emptied c are fine. */
void rd_csv_free(rd_csv *c);
