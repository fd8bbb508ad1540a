/* The problem list's pure rules: status transitions, the effect of measures, hotspots. */
#include "repeatd/problems.h"

#include "repeatd/decide.h" /* rd_distance_m */
#include "repeatd/kpi.h"    /* rd_rate */
#include "repeatd/months.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[RD_PROBLEM_STATUS_COUNT_] = {
    [RD_PROBLEM_OPEN] = "open",
    [RD_PROBLEM_IN_PROGRESS] = "in_progress",
    [RD_PROBLEM_VERIFIED_FIXED] = "verified_fixed",
    [RD_PROBLEM_CLOSED_UNFIXED] = "closed_unfixed",
};

const char *rd_problem_status_name(rd_problem_status s)
{
    return (unsigned)s < RD_PROBLEM_STATUS_COUNT_ ? status_names[s] : NULL;
}

int rd_problem_status_parse(const char *s, rd_problem_status *ret)
{
    for (int i = 0; s && i < RD_PROBLEM_STATUS_COUNT_; i++)
        if (!strcmp(status_names[i], s)) {
            *ret = (rd_problem_status)i;
            return 0;
        }
    return -EINVAL;
}

/* The article's loop: a problem is taken up, worked on, then either verified fixed by the
 * numbers or closed unfixed; both ends are final (a problem that comes back is a new entry,
 * so that each entry's effect stays measurable from its own measures). */
unsigned rd_problem_transitions(rd_problem_status from)
{
    switch (from) {
    case RD_PROBLEM_OPEN:
        return 1u << RD_PROBLEM_IN_PROGRESS;
    case RD_PROBLEM_IN_PROGRESS:
        return 1u << RD_PROBLEM_VERIFIED_FIXED | 1u << RD_PROBLEM_CLOSED_UNFIXED;
    default:
        return 0;
    }
}

bool rd_problem_active(rd_problem_status s)
{
    return s == RD_PROBLEM_OPEN || s == RD_PROBLEM_IN_PROGRESS;
}

static void side_finish(rd_effect_side *s)
{
    s->repeats_per_month = s->months ? (double)s->repeats / s->months : 0;
    s->rate = rd_rate(s->repeats, s->complaints);
}

void rd_problem_effect(const rd_effect_month *months, size_t n, int start, rd_effect *ret)
{
    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; i < n; i++) {
        const rd_effect_month *m = &months[i];
        if (!m->complete)
            continue;
        rd_effect_side *s = m->month < start ? &ret->before : &ret->after;
        s->months++;
        s->complaints += m->complaints;
        s->repeats += m->repeats;
    }
    side_finish(&ret->before);
    side_finish(&ret->after);
    if (ret->before.months && ret->after.months) {
        ret->has_repeats_change = true;
        ret->repeats_change = ret->after.repeats_per_month - ret->before.repeats_per_month;
        if (ret->before.repeats_per_month > 0) {
            ret->has_repeats_change_ratio = true;
            ret->repeats_change_ratio = ret->repeats_change / ret->before.repeats_per_month;
        }
    }
    if (ret->before.rate >= 0 && ret->after.rate >= 0) {
        ret->has_rate_change = true;
        ret->rate_change = ret->after.rate - ret->before.rate;
    }
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool near(const rd_hotspot_point *a, const rd_hotspot_point *b, const rd_hotspot_rule *r)
{
    return rd_distance_m(a->lat, a->lon, b->lat, b->lon) <= (double)r->radius_m;
}

/* Most citizens first, then the earliest anchor. */
static int cmp_hotspot(const void *x, const void *y)
{
    const rd_hotspot *a = x, *b = y;
    if (a->citizens != b->citizens)
        return (a->citizens < b->citizens) - (a->citizens > b->citizens);
    return (a->last_at > b->last_at) - (a->last_at < b->last_at);
}

int rd_hotspots_find(const rd_hotspot_point *points, size_t n, const rd_hotspot_rule *rule,
                     rd_hotspot *ret, size_t max)
{
    const int64_t span = (int64_t)rule->days * 86400;
    const char **seen = calloc(n ? n : 1, sizeof(*seen));
    rd_hotspot *found = calloc(n ? n : 1, sizeof(*found));
    if (!seen || !found) {
        free(seen);
        free(found);
        return -ENOMEM;
    }
    size_t n_found = 0, lo = 0;
    for (size_t i = 0; i < n; i++) {
        const rd_hotspot_point *a = &points[i];
        while (points[lo].at < a->at - span)
            lo++;
        if (a->at < rule->from || a->at >= rule->until)
            continue;
        /* The window [at - span, at] by time (points after i at the same second count too). */
        size_t k = 0;
        rd_hotspot h = {.anchor = i, .lat = a->lat, .lon = a->lon, .first_at = a->at};
        for (size_t j = lo; j < n && points[j].at <= a->at; j++) {
            if (!near(a, &points[j], rule))
                continue;
            seen[k++] = points[j].citizen;
            if (points[j].at < h.first_at)
                h.first_at = points[j].at;
            h.last_at = points[j].at;
        }
        qsort(seen, k, sizeof(*seen), cmp_str);
        for (size_t j = 0; j < k; j++)
            h.citizens += j == 0 || strcmp(seen[j], seen[j - 1]) != 0;
        h.tickets = (int)k;
        if (h.citizens >= rule->min_citizens)
            found[n_found++] = h;
    }
    free(seen);
    qsort(found, n_found, sizeof(*found), cmp_hotspot);
    /* One place and time is one hotspot: an anchor near an accepted one in space and time is
     * the same cluster seen from another of its tickets. */
    size_t kept = 0;
    for (size_t i = 0; i < n_found; i++) {
        const rd_hotspot_point *a = &points[found[i].anchor];
        bool dup = false;
        for (size_t j = 0; j < kept && !dup; j++) {
            const rd_hotspot_point *b = &points[found[j].anchor];
            int64_t dt = a->at > b->at ? a->at - b->at : b->at - a->at;
            dup = dt <= span && near(a, b, rule);
        }
        if (!dup)
            found[kept++] = found[i];
    }
    size_t m = kept < max ? kept : max;
    memcpy(ret, found, m * sizeof(*found));
    free(found);
    return (int)m;
}

int rd_date_parse(const char *s, int64_t *ret_days)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -EINVAL;
    int v[3] = {0, 0, 0}, at[3] = {0, 5, 8}, len[3] = {4, 2, 2};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < len[k]; i++) {
            char c = s[at[k] + i];
            if (c < '0' || c > '9')
                return -EINVAL;
            v[k] = v[k] * 10 + (c - '0');
        }
    bool leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
    if (v[0] < 1900 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1] ||
        (v[1] == 2 && v[2] == 29 && !leap))
        return -EINVAL;
    *ret_days = rd_days_from_civil(v[0], v[1], v[2]);
    return 0;
}

int rd_date_month(int64_t days)
{
    int64_t y;
    int m, d;
    rd_civil_from_days(days, &y, &m, &d);
    return (int)(y * 12 + m - 1);
}
