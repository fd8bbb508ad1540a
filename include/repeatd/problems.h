/* The problem list's pure rules (问题清单): the statuses and the transitions between them, the
 * effect arithmetic (repeats before and since the measures), and hotspot clustering (聚集性问题).
 * No I/O: the store reads, app/ glues, core decides. */
#pragma once

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
