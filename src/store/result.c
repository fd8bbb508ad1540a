/* Result specs: columns by name into struct fields. */
#include "repeatd/result.h"

#include "repeatd/log.h"
#include "repeatd/store.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int rd_rows_open(rd_rows *rows, PGresult *res, const rd_col *spec)
{
    rows->res = res;
    rows->spec = spec;
    rows->n = 0;
    for (const rd_col *c = spec; c->name; c++) {
        if (rows->n >= RD_COLS_MAX)
            return -EIO;
        int k = PQfnumber(res, c->name);
        if (k < 0) {
            rd_log(RD_LOG_ERROR, "result has no column %s", c->name);
            return -EIO;
        }
        rows->cols[rows->n++] = k;
    }
    return 0;
}

static void free_row(const rd_rows *rows, int upto, void *target)
{
    for (int j = 0; j < upto; j++) {
        const rd_col *c = &rows->spec[j];
        void *at = (char *)target + c->offset;
        if (c->type == RD_COL_STRDUP) {
            free(*(char **)at);
            *(char **)at = NULL;
        } else if (c->type == RD_COL_JSON) {
            json_decref(*(json_t **)at);
            *(json_t **)at = NULL;
        }
    }
}

static int read_one(const rd_col *c, const char *v, bool null, void *at)
{
    char *end;
    switch (c->type) {
    case RD_COL_TEXT:
        snprintf(at, c->size, "%s", null ? "" : v);
        return 0;
    case RD_COL_STRDUP:
        *(char **)at = null ? NULL : strdup(v);
        return null || *(char **)at ? 0 : -ENOMEM;
    case RD_COL_INT:
        *(int *)at = null ? 0 : (int)strtol(v, &end, 10);
        return null || *end == '\0' ? 0 : -EIO;
    case RD_COL_INT64:
        *(int64_t *)at = null ? 0 : (int64_t)strtoll(v, &end, 10);
        return null || *end == '\0' ? 0 : -EIO;
    case RD_COL_INSTANT: {
        rd_instant t = {0};
        if (!null) {
            long long us = strtoll(v, &end, 10);
            if (*end != ' ')
                return -EIO;
            long offset = strtol(end + 1, &end, 10);
            if (*end != '\0' || offset < -86400 || offset > 86400)
                return -EIO;
            t = (rd_instant){.us = (int64_t)us, .offset = (int32_t)offset};
        }
        *(rd_instant *)at = t;
        return 0;
    }
    case RD_COL_BOOL:
        *(bool *)at = !null && v[0] == 't';
        return 0;
    case RD_COL_DOUBLE:
        *(double *)at = null ? 0 : strtod(v, &end);
        return null || *end == '\0' ? 0 : -EIO;
    case RD_COL_JSON: {
        if (null) {
            *(json_t **)at = NULL;
            return 0;
        }
        json_error_t e;
        *(json_t **)at = json_loads(v, JSON_DECODE_ANY, &e);
        return *(json_t **)at ? 0 : -EIO;
    }
    }
    return -EIO;
}

int rd_rows_read(const rd_rows *rows, int i, void *target)
{
    for (int j = 0; j < rows->n; j++) {
        const rd_col *c = &rows->spec[j];
        int k = rows->cols[j];
        bool null = PQgetisnull(rows->res, i, k);
        if (c->has_set)
            *(bool *)(void *)((char *)target + c->set_offset) = !null;
        int r = read_one(c, PQgetvalue(rows->res, i, k), null, (char *)target + c->offset);
        if (r < 0) {
            if (r == -EIO)
                rd_log(RD_LOG_ERROR, "column %s: unreadable value", c->name);
            free_row(rows, j, target);
            return r;
        }
    }
    return 0;
}

void rd_row_free(const rd_col *spec, void *target)
{
    rd_rows rows = {.spec = spec};
    for (const rd_col *c = spec; c->name; c++)
        rows.n++;
    free_row(&rows, rows.n, target);
}

/* Every row of res (cleared here) by spec into a new array (see store_read_rows). */
static int all_rows(PGresult *res, const rd_col *spec, size_t size, void **ret, size_t *ret_n)
{
    rd_rows rows;
    size_t n = (size_t)PQntuples(res), done = 0;
    char *items = calloc(n ? n : 1, size);
    int r = items ? rd_rows_open(&rows, res, spec) : -ENOMEM;
    for (; r == 0 && done < n; done++)
        r = rd_rows_read(&rows, (int)done, items + done * size);
    PQclear(res);
    if (r < 0) { /* the failed row freed its own; the whole ones before it are freed here */
        for (size_t i = 0; items && i + 1 < done; i++)
            rd_row_free(spec, items + i * size);
        free(items);
        return r;
    }
    *ret = items;
    *ret_n = n;
    return 0;
}

int store_read_rows(rd_db *db, const rd_stmt *stmt, const char *const *params, const rd_col *spec,
                    size_t size, void **ret, size_t *ret_n)
{
    *ret = NULL;
    *ret_n = 0;
    PGresult *res;
    int r = rd_db_exec(db, stmt, params, &res);
    return r < 0 ? r : all_rows(res, spec, size, ret, ret_n);
}

int store_take_rows(rd_db *db, int ticket, const rd_col *spec, size_t size, void **ret,
                    size_t *ret_n)
{
    *ret = NULL;
    *ret_n = 0;
    PGresult *res;
    int r = rd_db_take(db, ticket, &res);
    return r < 0 ? r : all_rows(res, spec, size, ret, ret_n);
}

/* The first row of res (cleared here) into target: 1, 0 when none, or an error. */
static int first_row(PGresult *res, const rd_col *spec, void *target)
{
    rd_rows rows;
    int r = rd_rows_open(&rows, res, spec);
    if (r == 0 && PQntuples(res) > 0) {
        r = rd_rows_read(&rows, 0, target);
        if (r == 0)
            r = 1;
    }
    PQclear(res);
    return r;
}

int store_take_row(rd_db *db, int ticket, const rd_col *spec, void *target)
{
    PGresult *res;
    int r = rd_db_take(db, ticket, &res);
    return r < 0 ? r : first_row(res, spec, target);
}

int store_read_row(rd_db *db, const rd_stmt *stmt, const char *const *params, const rd_col *spec,
                   void *target)
{
    PGresult *res;
    int r = rd_db_exec(db, stmt, params, &res);
    return r < 0 ? r : first_row(res, spec, target);
}

void rd_instant_param(int64_t us, char ret[RD_INSTANT_PARAM_MAX])
{
    int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000); /* floor */
    int frac = (int)(us - secs * 1000000);
    time_t t = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(ret, RD_INSTANT_PARAM_MAX, "invalid"); /* PostgreSQL refuses it: an error */
        return;
    }
    snprintf(ret, RD_INSTANT_PARAM_MAX, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}
