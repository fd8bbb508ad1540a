/* The problem list's pure rules (问题清单): the statuses and the transitions between them, the
 * effect arithmetic (repeats before and since the measures), and hotspot clustering (聚集性问题).
 * No I/O: the store reads, app/ glues, core decides. */
#pragma once

#include "repeatd/domain.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- statuses: open → in_progress → verified_fixed | closed_unfixed ---- */

typedef enum rd_problem_status {
    RD_PROBLEM_OPEN = 0,
    RD_PROBLEM_IN_PROGRESS,
    RD_PROBLEM_VERIFIED_FIXED,
    RD_PROBLEM_CLOSED_UNFIXED,
    RD_PROBLEM_STATUS_COUNT_
} rd_problem_status;

/* "open", "in_progress", "verified_fixed", "closed_unfixed"; NULL out of range. */
const char *rd_problem_status_name(rd_problem_status s);

/* 0 or -EINVAL. */
int rd_problem_status_parse(const char *s, rd_problem_status *ret);

/* The statuses `from` may move to, as bits (1u << status); 0 for the final ones. */
unsigned rd_problem_transitions(rd_problem_status from);

/* Whether a problem in `s` still waits for work: open or in progress (overdue applies). */
bool rd_problem_active(rd_problem_status s);

/* ---- the effect of the measures ---- */

/* One month of the problem's scope, read from the aggregates. */
typedef struct rd_effect_month {
    int month; /* month index (months.h) */
    long complaints, repeats;
    bool complete; /* false for the month still running: shown, not averaged */
} rd_effect_month;

/* The complete months of one side: their sums, repeats per month and the pooled rate. */
typedef struct rd_effect_side {
    int months;
    long complaints, repeats;
    double repeats_per_month; /* repeats / months; 0 when months is 0 */
    double rate;              /* repeats / complaints; -1 when no complaints */
} rd_effect_side;

typedef struct rd_effect {
    rd_effect_side before, after; /* months before `start`, and from `start` on */
    /* after - before, each only when both sides have it. */
    bool has_repeats_change, has_repeats_change_ratio, has_rate_change;
    double repeats_change;       /* repeats per month, after - before */
    double repeats_change_ratio; /* repeats_change / before's repeats per month (> 0) */
    double rate_change;          /* after's rate - before's rate (a fraction, not points) */
} rd_effect;

/* Split `months` at `start` (the month the first measure took effect) and compute the
 * averages and the change. Months that are not complete count on neither side. */
void rd_problem_effect(const rd_effect_month *months, size_t n, int start, rd_effect *ret);

/* ---- hotspots ---- */

/* A ticket with a place, of one leaf category. */
typedef struct rd_hotspot_point {
    int64_t at; /* unix seconds */
    double lat, lon;
    const char *citizen; /* the citizen's identity (any stable text), borrowed */
} rd_hotspot_point;

typedef struct rd_hotspot_rule {
    int min_citizens;
    int radius_m;        /* within: at most this far from the anchor (exactly at it is inside) */
    int days;            /* within: at most days * 86400 s before the anchor */
    int64_t from, until; /* anchors lie in [from, until): the period asked about */
} rd_hotspot_rule;

typedef struct rd_hotspot {
    size_t anchor;   /* index of the newest ticket of the cluster in the points */
    double lat, lon; /* the anchor's place, the centre of the cluster */
    int citizens, tickets;
    int64_t first_at, last_at;
} rd_hotspot;

/* Find hotspots among `points` (one category, ascending by `at`): for every anchor in the
 * period, the tickets at most `days` before it and at most `radius_m` from it; an anchor whose
 * tickets come from at least `min_citizens` different citizens is a hotspot. Overlapping ones
 * (anchors within the radius of each other and the days) are one: the one with the most
 * citizens, then the earliest. Writes at most `max` into ret (most citizens first) and returns
 * how many, or -ENOMEM. */
int rd_hotspots_find(const rd_hotspot_point *points, size_t n, const rd_hotspot_rule *rule,
                     rd_hotspot *ret, size_t max);

/* ---- the records of the list, as the store reads them (plain data) ---- */

#define RD_PROBLEM_TEXT_MAX  801 /* 200 characters of UTF-8 */
#define RD_PROBLEM_DATE_MAX  11  /* 2026-10-31 */
#define RD_PROBLEM_WHO_MAX   65  /* an API key's name */
#define RD_PROBLEM_SHORT_MAX 17  /* source, status, kind, period labels */

typedef struct rd_problem {
    int64_t id;
    char title[RD_PROBLEM_TEXT_MAX];
    char category[RD_ID_MAX], category_name[RD_PROBLEM_TEXT_MAX];
    char unit[RD_ID_MAX];
    bool has_unit;
    char source[RD_PROBLEM_SHORT_MAX], source_period[RD_PROBLEM_SHORT_MAX];
    bool has_source_period;
    char department[RD_PROBLEM_TEXT_MAX];
    bool has_department;
    char due_date[RD_PROBLEM_DATE_MAX];
    bool has_due_date;
    char status[RD_PROBLEM_SHORT_MAX];
    bool overdue; /* due before today (in time_zone) and still open or in progress */
    int measures; /* how many */
    char first_effective[RD_PROBLEM_DATE_MAX]; /* the earliest measure's date */
    bool has_first_effective;
    int first_effective_month;              /* its month index */
    char created_date[RD_PROBLEM_DATE_MAX]; /* in time_zone */
    rd_instant created_at, updated_at;
    char created_by[RD_PROBLEM_WHO_MAX];
} rd_problem;

typedef struct rd_problem_measure {
    int64_t id;
    char *description; /* malloc'd */
    char effective_date[RD_PROBLEM_DATE_MAX];
    rd_instant recorded_at;
    char recorded_by[RD_PROBLEM_WHO_MAX];
} rd_problem_measure;

typedef struct rd_problem_update {
    int64_t id;
    char kind[RD_PROBLEM_SHORT_MAX]; /* created, edited, measure, note, status */
    char date[RD_PROBLEM_DATE_MAX];
    char *note; /* malloc'd, NULL when none */
    char old_status[RD_PROBLEM_SHORT_MAX], new_status[RD_PROBLEM_SHORT_MAX];
    bool has_old_status, has_new_status;
    char *changes; /* edited: {"field": [old, new]} as JSON text, malloc'd; NULL otherwise */
    rd_instant recorded_at;
    char recorded_by[RD_PROBLEM_WHO_MAX];
} rd_problem_update;

/* One problem's movements in a period (the periodic report's `problems` section): created in
 * it, its status changes dated in it by target status, its measures that took effect in it, its
 * status at the end and whether it was overdue then (due before the end, still open or in
 * progress). A period not over yet ends today: its end is what GET /v1/problems answers now. */
typedef struct rd_problem_movement {
    int64_t id;
    char title[RD_PROBLEM_TEXT_MAX];
    char category[RD_ID_MAX], unit[RD_ID_MAX];
    bool has_unit;
    char department[RD_PROBLEM_TEXT_MAX];
    bool has_department;
    char due_date[RD_PROBLEM_DATE_MAX];
    bool has_due_date;
    char created_date[RD_PROBLEM_DATE_MAX];
    bool created;                                             /* in the period */
    int to_in_progress, to_verified_fixed, to_closed_unfixed; /* status changes in the period */
    int measures;                                             /* taken effect in the period */
    char status_at_end[RD_PROBLEM_SHORT_MAX];
    bool overdue_at_end;
} rd_problem_movement;

/* ---- what the use cases answer (app/problems.c), for codec/problem_json.c ---- */

#define RD_PROBLEM_MONTHS_SINCE_MAX 120 /* months since the measures an effect shows */

/* A problem with its measures, updates and effect (free with rd_problem_view_free). */
typedef struct rd_problem_view {
    rd_problem problem;
    rd_problem_measure *measures;
    size_t n_measures;
    rd_problem_update *updates;
    size_t n_updates;
    /* The effect: the scope's months [from, now], split at `start` (the first measure's month;
     * without measures there is no start and every month is before). */
    int months_before, from, now_month;
    bool has_start;
    int start;
    rd_effect_month *months;
    size_t n_months;
    rd_effect effect;
} rd_problem_view;

typedef struct rd_problem_page {
    rd_problem *items;
    size_t n;
    long total, limit, offset;
} rd_problem_page;

typedef struct rd_problem_suggestion {
    char source[RD_PROBLEM_SHORT_MAX]; /* top_problem, anomaly, hotspot */
    char category[RD_ID_MAX], category_name[RD_PROBLEM_TEXT_MAX];
    char title[RD_PROBLEM_TEXT_MAX];
    long repeats, previous; /* top_problem: this period's and the previous period's repeats */
    int rank;               /* top_problem */
    double score, baseline; /* anomaly */
    int citizens, tickets;  /* hotspot */
    double lat, lon;
    rd_instant first_at, last_at;
} rd_problem_suggestion;

typedef struct rd_problem_suggestions {
    char period[RD_PROBLEM_SHORT_MAX];
    int radius_m, days, min_citizens; /* the hotspot settings applied */
    int *versions;                    /* definition versions of the KPI numbers, ascending */
    size_t n_versions;
    rd_problem_suggestion *items;
    size_t n;
} rd_problem_suggestions;

/* Parse a calendar date 2026-10-31 into days since 1970-01-01. 0 or -EINVAL. */
int rd_date_parse(const char *s, int64_t *ret_days);

/* The month index of a date's day count. */
int rd_date_month(int64_t days);
