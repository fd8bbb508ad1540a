/* Result specs: read a PostgreSQL result row into a struct by column name (after Taler's
 * GNUNET_PQ_result_spec_*), so that no caller counts columns. */
#pragma once

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum rd_col_type {
    RD_COL_TEXT,    /* char[size], truncated to fit; "" for NULL */
    RD_COL_STRDUP,  /* char * (malloc'd, the caller frees); NULL for NULL */
    RD_COL_INT,     /* int; 0 for NULL */
    RD_COL_INT64,   /* int64_t; 0 for NULL */
    RD_COL_BOOL,    /* bool from 't'/'f'; false for NULL */
    RD_COL_DOUBLE,  /* double; 0 for NULL */
    RD_COL_JSON,    /* json_t * of a jsonb/json column (the caller decrefs); NULL for NULL */
    RD_COL_INSTANT, /* rd_instant from RD_SQL_INSTANT's "us offset" text; zeros for NULL */
} rd_col_type;

typedef struct rd_col {
    const char *name; /* NULL ends a spec */
    rd_col_type type;
    size_t offset; /* of the value in the target struct */
    size_t size;   /* RD_COL_TEXT: the buffer's size */
    /* When set: offset of a bool in the target, true when the column is not NULL. */
    size_t set_offset;
    bool has_set;
} rd_col;

/* The struct's parameter is `st`: named `type`, it would replace the designator .type. */
#define RD_COL(col, kind, st, field)                                                               \
    {                                                                                              \
        .name = col, .type = kind, .offset = offsetof(st, field)                                   \
    }
#define RD_COL_T(col, st, field)                                                                   \
    {                                                                                              \
        .name = col, .type = RD_COL_TEXT, .offset = offsetof(st, field),                           \
        .size = sizeof(((st *)0)->field)                                                           \
    }
/* A nullable column with a flag saying whether it was set. */
#define RD_COL_OPT(col, kind, st, field, flag)                                                     \
    {                                                                                              \
        .name = col, .type = kind, .offset = offsetof(st, field),                                  \
        .set_offset = offsetof(st, flag), .has_set = true                                          \
    }

/* An instant as the exact text of a timestamptz parameter ("2300-01-01 00:00:00.000001+00")
 * from unix microseconds: PostgreSQL reads it to the microsecond, where a bigint times an
 * interval goes through float8 and loses the last microsecond past 2^53 (about 2255). */
#define RD_INSTANT_PARAM_MAX 64
void rd_instant_param(int64_t us, char ret[RD_INSTANT_PARAM_MAX]);

/* A timestamptz column as unix microseconds. */
#define RD_SQL_US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"

/* The UTC offset, in seconds, of the zone named by parameter tz (e.g. "$2") at a timestamptz;
 * and the column as an rd_instant (RD_COL_INSTANT): its unix microseconds and that offset, as
 * "us offset" text; NULL stays NULL. Every time the API returns is written at that offset. */
#define RD_SQL_OFFSET(col, tz)                                                                     \
    "(extract(epoch FROM (" col " AT TIME ZONE " tz ")) - extract(epoch FROM " col "))::integer"
#define RD_SQL_INSTANT(col, tz)                                                                    \
    "(" RD_SQL_US(col) "::text || ' ' || " RD_SQL_OFFSET(col, tz) "::text)"

#define RD_COLS_MAX 48

/* A result with its spec's columns resolved once. */
typedef struct rd_rows {
    PGresult *res;
    const rd_col *spec;
    int cols[RD_COLS_MAX];
    int n;
} rd_rows;

/* Resolve the spec's names in res. -EIO when a column is missing (a bug: logged). */
int rd_rows_open(rd_rows *rows, PGresult *res, const rd_col *spec);

/* Read row `i` into target. -EIO for a value that does not parse, -ENOMEM. On error what was
 * allocated for this row is freed. */
int rd_rows_read(const rd_rows *rows, int i, void *target);

/* Free what a row read into target holds (its RD_COL_STRDUP and RD_COL_JSON fields). */
void rd_row_free(const rd_col *spec, void *target);
