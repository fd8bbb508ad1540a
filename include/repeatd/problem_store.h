/* The store of the problem list (store/problems.c): problems, their measures and dated
 * updates, the scope's category level, and a period's located tickets for hotspots. */
#pragma once

#include "repeatd/pool.h"
#include "repeatd/problems.h"

#include <stdint.h>

/* A new problem; NULL for the optional ones. Its id into *ret_id. */
typedef struct store_problem_new {
    const char *title, *category, *unit, *source, *source_period, *department, *due_date;
    const char *who;
} store_problem_new;
int store_problem_insert(rd_db *db, const store_problem_new *p, int64_t *ret_id);

/* One problem (with its measure count and first effective date, overdue as of today in
 * `tz`); `lock` takes its row for update. 1 found, 0 none, or an error. */
int store_problem_get(rd_db *db, int64_t id, const char *tz, bool lock, rd_problem *ret);

/* Filters of the list; NULL / -1 for none. */
typedef struct store_problem_filter {
    const char *status, *department;
    int overdue; /* -1 any, 0 not overdue, 1 overdue */
    long limit, offset;
} store_problem_filter;

/* A page of problems, newest first, and how many match in all; *ret is malloc'd (free it). */
int store_problems_list(rd_db *db, const store_problem_filter *f, const char *tz, rd_problem **ret,
                        size_t *ret_n, long *ret_total);

/* Measures by effective date, and updates in order; *ret malloc'd (free with the _free). */
int store_problem_measures(rd_db *db, int64_t id, const char *tz, rd_problem_measure **ret,
                           size_t *ret_n);
int store_problem_updates(rd_db *db, int64_t id, const char *tz, rd_problem_update **ret,
                          size_t *ret_n);
void store_problem_measures_free(rd_problem_measure *list, size_t n);
void store_problem_updates_free(rd_problem_update *list, size_t n);

/* An update row (the audit), touching the problem's updated_at. NULL for absent values;
 * changes is JSON text. */
typedef struct store_problem_update_new {
    int64_t problem_id;
    const char *kind, *date, *note, *old_status, *new_status, *changes, *who;
} store_problem_update_new;
int store_problem_update_insert(rd_db *db, const store_problem_update_new *u);

int store_problem_measure_insert(rd_db *db, int64_t id, const char *description,
                                 const char *effective_date, const char *who);
int store_problem_set_status(rd_db *db, int64_t id, const char *status);
/* title, department and due date as they are to be (NULL: SQL NULL). */
int store_problem_set_fields(rd_db *db, int64_t id, const char *title, const char *department,
                             const char *due_date);

/* Today's date in tz (2026-10-31). */
int store_today(rd_db *db, const char *tz, char ret[RD_PROBLEM_DATE_MAX]);

/* The level of a category in its tree (1 = a root) and whether it is a leaf: 1 found, 0 not. */
int store_category_level(rd_db *db, const char *code, int *ret_level, bool *ret_leaf);

/* Whether a unit is known: named in org_names or counted in the aggregates. 1, 0 or error. */
int store_unit_known(rd_db *db, const char *unit);

/* The scope and source of the problems a suggestion for `period` must not repeat: those open or
 * in progress, and those surfaced in that period. *ret is malloc'd (free it). */
typedef struct store_problem_scope {
    char category[RD_ID_MAX], unit[RD_ID_MAX], source[RD_PROBLEM_SHORT_MAX];
    bool has_unit;
} store_problem_scope;
int store_problem_scopes(rd_db *db, const char *period, store_problem_scope **ret, size_t *ret_n);

/* The first instant of a month (index) in tz, as unix seconds. */
int store_month_start(rd_db *db, const char *tz, int month, int64_t *ret);

/* A ticket with a place. */
typedef struct store_located {
    char category[RD_ID_MAX];
    int64_t at;     /* unix seconds */
    int32_t offset; /* tz's offset at `at` */
    double lat, lon;
    char citizen[65]; /* hex of the citizen hash */
} store_located;

/* Tickets with a place received in [from, until) (unix seconds), by category then time: one
 * range of the index tickets_hotspot. *ret is malloc'd (free it). */
int store_located_tickets(rd_db *db, int64_t from, int64_t until, const char *tz,
                          store_located **ret, size_t *ret_n);

/* One month's complaints and repeats of a scope. */
typedef struct store_month_counts {
    int month;
    int64_t complaints, repeats;
} store_month_counts;

/* The complaints and repeats of `unit` in the leaves under `category` (itself when a leaf),
 * per month of [from, to], from the aggregates' unit-and-leaf rows (RD_DIM_UNIT_CATEGORY);
 * months without any are absent. *ret is malloc'd (free it). */
int store_unit_category_months(rd_db *db, const char *category, const char *unit, int from, int to,
                               store_month_counts **ret, size_t *ret_n);

/* The problems that moved in the days [first, until) (dates 2026-10-01, 2026-11-01) of time
 * zone tz, or were overdue at its end (rd_problem_movement), by id. *ret is malloc'd (free it). */
int store_problem_movements(rd_db *db, const char *first, const char *until, const char *tz,
                            rd_problem_movement **ret, size_t *ret_n);

/* The date of the problem's latest status change (2026-10-31): 1 with *ret, 0 when it never
 * changed status, or an error. */
int store_problem_last_status_date(rd_db *db, int64_t id, char ret[RD_PROBLEM_DATE_MAX]);
