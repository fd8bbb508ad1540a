/* KPI math: calendar periods, rates, rankings, Poisson anomaly scores and aggregate deltas. */
#include "repeatd/kpi.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const period_kind_names[] = {
    [RD_PERIOD_MONTH] = "month",
    [RD_PERIOD_QUARTER] = "quarter",
    [RD_PERIOD_YEAR] = "year",
};

static const char *const metric_names[RD_KPI_METRIC_COUNT_] = {
    [RD_KPI_COMPLAINTS] = "complaints",
    [RD_KPI_REPEATS] = "repeats",
    [RD_KPI_CONTACTED] = "contacted",
    [RD_KPI_FIRST_CONTACT_FAILED] = "first_contact_failed",
    [RD_KPI_CLOSEOUTS_INSPECTED] = "closeouts_inspected",
    [RD_KPI_CLOSEOUTS_REJECTED] = "closeouts_rejected",
    [RD_KPI_FALSE_CLOSEOUTS] = "false_closeouts",
};

static const char *const dim_names[RD_DIM_COUNT_] = {
    [RD_DIM_TOTAL] = "total",       [RD_DIM_UNIT] = "unit",
    [RD_DIM_TEAM] = "team",         [RD_DIM_HANDLER] = "handler",
    [RD_DIM_CATEGORY] = "category", [RD_DIM_UNIT_CATEGORY] = "unit_category",
    [RD_DIM_DECISION] = "decision",
};

/* Out-of-range values get "unknown" rather than NULL, as in names.c: a corrupt value formatted
 * into JSON or a log line must not crash. */
static const char *name_at(const char *const *names, size_t n, long i)
{
    if (i < 0 || (size_t)i >= n || !names[i])
        return "unknown";
    return names[i];
}

static int index_of(const char *const *names, size_t n, const char *s)
{
    if (!s)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return (int)i;
    return -EINVAL;
}

/* ---- calendar periods ---- */

int rd_period_kind_parse(const char *s, rd_period_kind *ret)
{
    int i = ret ? index_of(period_kind_names, N_OF(period_kind_names), s) : -EINVAL;
    if (i < 0)
        return i;
    *ret = (rd_period_kind)i;
    return 0;
}

const char *rd_period_kind_name(rd_period_kind k)
{
    return name_at(period_kind_names, N_OF(period_kind_names), k);
}

int rd_period_months(rd_period_kind k)
{
    switch (k) {
    case RD_PERIOD_QUARTER:
        return 3;
    case RD_PERIOD_YEAR:
        return 12;
    default:
        return 1;
    }
}

/* Floor division, so that month indices before year 0 still fall into the right year rather
 * than the one truncation towards zero would give. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int rd_period_start(rd_period_kind k, int month)
{
    int64_t len = rd_period_months(k);
    int64_t year = floor_div(month, 12);
    int64_t in_year = month - year * 12; /* [0, 11] */
    int64_t start = year * 12 + in_year / len * len;

    /* Only near INT_MIN does the start leave int; saturate as rd_month_index does. */
    return start < INT_MIN ? INT_MIN : (int)start;
}

void rd_period_label(rd_period_kind k, int month, char ret[RD_PERIOD_LABEL_MAX])
{
    /* Floor division in int, so that the compiler sees the ranges too: |year| < 2^28 and
     * in_year in [0, 11], so every form fits in 16 bytes (sign, 9 digits, "-Qn", NUL). */
    int year = month / 12, in_year = month % 12;
    if (in_year < 0) {
        in_year += 12;
        year--;
    }

    switch (k) {
    case RD_PERIOD_QUARTER:
        snprintf(ret, RD_PERIOD_LABEL_MAX, "%04d-Q%d", year, in_year / 3 + 1);
        break;
    case RD_PERIOD_YEAR:
        snprintf(ret, RD_PERIOD_LABEL_MAX, "%04d", year);
        break;
    default:
        snprintf(ret, RD_PERIOD_LABEL_MAX, "%04d-%02d", year, in_year + 1);
        break;
    }
}

/* Value of the n ASCII digits at s, or -1. Not isdigit(): the locale must not widen what a
 * label may contain. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Labels are exact: one spelling per period, so that a label is also a cache and URL key. */
int rd_period_parse(rd_period_kind k, const char *s, int *ret_first_month)
{
    if (!s || !ret_first_month)
        return -EINVAL;

    int year = digits(s, 4);
    if (year < 1900 || year > 9999)
        return -EINVAL;

    int in_year; /* 0..11 */
    size_t len;
    switch (k) {
    case RD_PERIOD_MONTH: {
        int m = s[4] == '-' ? digits(s + 5, 2) : -1;
        if (m < 1 || m > 12)
            return -EINVAL;
        in_year = m - 1;
        len = 7;
        break;
    }
    case RD_PERIOD_QUARTER: {
        int q = s[4] == '-' && s[5] == 'Q' ? digits(s + 6, 1) : -1;
        if (q < 1 || q > 4)
            return -EINVAL;
        in_year = (q - 1) * 3;
        len = 7;
        break;
    }
    case RD_PERIOD_YEAR:
        in_year = 0;
        len = 4;
        break;
    default:
        return -EINVAL;
    }
    /* The checks above stop at the first bad byte, so they never read past a short string's
     * NUL; only now is it safe to demand that the label ends here. */
    if (s[len] != '\0')
        return -EINVAL;

    *ret_first_month = year * 12 + in_year;
    return 0;
}

int rd_period_parse_any(const char *s, rd_period_kind *ret_kind, int *ret_first_month)
{
    for (int k = RD_PERIOD_MONTH; s && k <= RD_PERIOD_YEAR; k++)
        if (rd_period_parse((rd_period_kind)k, s, ret_first_month) == 0) {
            *ret_kind = (rd_period_kind)k;
            return 0;
        }
    return -EINVAL;
}

/* ---- rates and ranking ---- */

double rd_rate(long num, long den)
{
    if (den == 0)
        return -1.0;
    return (double)num / (double)den;
}

/* Quadratic, but allocation-free (rd_rank cannot fail) and n is the units, teams or handlers
 * of one organisation. Equal fractions give bit-identical doubles (division is correctly
 * rounded), so ties compare exactly without an epsilon. */
void rd_rank(rd_rank_row *rows, size_t n, long min_complaints, int bottom_n)
{
    if (!rows)
        return;

    for (size_t i = 0; i < n; i++) {
        rd_rank_row *r = &rows[i];
        r->rate = rd_rate(r->repeats, r->complaints);
        r->ranked = r->complaints > 0 && r->complaints >= min_complaints;
        r->rank = 0;
        r->watch = false;
        /* Without complaints there is no rate to hold against the target. The tolerance keeps
         * a rate that equals the target on paper (e.g. 0.1 vs 1/10) from missing it. */
        if (!r->has_target || r->complaints <= 0)
            r->target_met = -1;
        else
            r->target_met = r->rate <= r->target + 1e-12 ? 1 : 0;
    }

    for (size_t i = 0; i < n; i++) {
        rd_rank_row *r = &rows[i];
        if (!r->ranked)
            continue;
        long better = 0, worse = 0;
        for (size_t j = 0; j < n; j++) {
            if (!rows[j].ranked)
                continue;
            if (rows[j].rate < r->rate)
                better++;
            else if (rows[j].rate > r->rate)
                worse++;
        }
        r->rank = better >= INT_MAX ? INT_MAX : (int)better + 1;
        r->watch = worse < bottom_n;
    }
}

/* ---- anomalies ---- */

#define LN10 2.302585092994045684 /* log(10): M_LN10 is not ISO C */

/* Highest score reported: p-values below 1e-300, and those that underflow to 0, score this. */
#define SCORE_MAX 300.0

/* Terms summed at most. A tail of Poisson(lambda) needs about sqrt(80 * lambda) terms to reach
 * 1e-17 of its sum, so this is exact up to baselines of ~1e12, far past any repeat count. */
#define TAIL_TERMS_MAX 10000000L

/* ln P(X = k) for X ~ Poisson(lambda). lgamma_r rather than lgamma: lgamma writes the global
 * signgam, a data race between request threads. */
static double log_pmf(double k, double lambda)
{
    int sign;
    return k * log(lambda) - lambda - lgamma_r(k + 1.0, &sign);
}

/* P(X >= k) for X ~ Poisson(lambda > 0), as ln P. The tail is summed in units of its first term,
 * whose logarithm carries the magnitude, so that neither large counts (e^-900 underflows) nor
 * tiny p-values lose precision. Below the mean the complement is summed instead: it is the
 * smaller side there, and P(X >= k) is then about a half or more, so the subtraction costs
 * nothing. */
static double log_upper_tail(long k, double lambda)
{
    if (k <= 0)
        return 0.0;

    double kd = (double)k;
    double sum = 1.0, term = 1.0;
    if (kd > lambda) {
        /* sum_{j >= k} pmf(j) / pmf(k): each term is the last times lambda / j. */
        for (long i = 1; i < TAIL_TERMS_MAX; i++) {
            term *= lambda / (kd + (double)i);
            sum += term;
            if (term < sum * 1e-17)
                break;
        }
        return log_pmf(kd, lambda) + log(sum);
    }

    /* sum_{j < k} pmf(j) / pmf(k - 1): going down, each term is the last times j / lambda. */
    for (long j = k - 1; j > 0 && k - j < TAIL_TERMS_MAX; j--) {
        term *= (double)j / lambda;
        sum += term;
        if (term < sum * 1e-17)
            break;
    }
    double p = 1.0 - exp(log_pmf(kd - 1.0, lambda) + log(sum));
    return p > 0.0 ? log(p) : -INFINITY;
}

rd_anomaly rd_anomaly_score(long observed, const long *history, size_t n_history, double min_score,
                            long min_observed)
{
    rd_anomaly a = {0};

    /* A double sum: counts cannot overflow it, only round, and the mean needs no more. */
    double total = 0.0;
    if (history)
        for (size_t i = 0; i < n_history; i++)
            total += (double)history[i];
    a.baseline = history && n_history > 0 ? total / (double)n_history : 0.0;
    if (!(a.baseline >= RD_ANOMALY_BASELINE_FLOOR))
        a.baseline = RD_ANOMALY_BASELINE_FLOOR;

    double log_p = log_upper_tail(observed, a.baseline);
    a.p_value = exp(log_p);

    /* Scored from ln p, not from p, so that a p-value that underflowed still ranks by how far
     * it underflowed, up to the cap; at or below the baseline nothing is surprising. */
    if ((double)observed > a.baseline) {
        a.score = -log_p / LN10;
        if (!(a.score <= SCORE_MAX))
            a.score = SCORE_MAX;
        if (a.score < 0.0)
            a.score = 0.0;
    }
    a.flagged = a.score >= min_score && observed >= min_observed;
    return a;
}

/* ---- aggregate deltas ---- */

const char *rd_kpi_metric_name(rd_kpi_metric m)
{
    return name_at(metric_names, N_OF(metric_names), m);
}

const char *rd_kpi_dim_name(rd_kpi_dim d)
{
    return name_at(dim_names, N_OF(dim_names), d);
}

int rd_kpi_dim_parse(const char *s, rd_kpi_dim *ret)
{
    int i = ret ? index_of(dim_names, N_OF(dim_names), s) : -EINVAL;
    if (i < 0)
        return i;
    *ret = (rd_kpi_dim)i;
    return 0;
}

/* Length of s, at most RD_ID_MAX - 1: keys longer than a key slot are cut to the same prefix
 * when stored and when compared, so that two adds of one long key still merge. */
static size_t key_len(const char *s)
{
    size_t n = 0;
    while (n < RD_ID_MAX - 1 && s[n])
        n++;
    return n;
}

static bool key_eq(const char *stored, const char *key)
{
    size_t n = key_len(key);
    return key_len(stored) == n && memcmp(stored, key, n) == 0;
}

static bool same_assignment(const rd_assignment *a, const rd_assignment *b)
{
    return key_eq(a->unit, b->unit) && key_eq(a->team, b->team) && key_eq(a->handler, b->handler);
}

static rd_kpi_delta *find_delta(rd_kpi_deltas *ds, rd_kpi_dim dim, const char *key, int month,
                                int version)
{
    for (size_t i = 0; i < ds->n; i++) {
        rd_kpi_delta *d = &ds->d[i];
        if (d->dim == dim && d->month == month && d->version == version && key_eq(d->key, key))
            return d;
    }
    return NULL;
}

/* Nobody's unit, team or handler is not a group: a ticket not yet dispatched counts in the
 * whole line and its category only. That keeps a new ticket's intake to two aggregate rows
 * (and its decision's, rd_kpi_decided).
 * A unit's leaf keeps complaints and repeats only (the problem list's effect reads no more). */
static bool counted(rd_kpi_dim dim, const char *key, rd_kpi_metric metric)
{
    if (dim == RD_DIM_DECISION)
        return false; /* rd_kpi_decided's alone */
    if (dim == RD_DIM_UNIT_CATEGORY)
        return key[0] != '\0' && (metric == RD_KPI_COMPLAINTS || metric == RD_KPI_REPEATS);
    return dim == RD_DIM_TOTAL || dim == RD_DIM_CATEGORY || key[0] != '\0';
}

bool rd_kpi_unit_category_key(const char *category, const char *unit, char ret[RD_ID_MAX])
{
    size_t c = category ? strlen(category) : 0, u = unit ? strlen(unit) : 0;
    ret[0] = '\0';
    if (!c || !u || c + 1 + u > RD_ID_MAX - 1)
        return false;
    memcpy(ret, category, c);
    ret[c] = '/';
    memcpy(ret + c + 1, unit, u + 1);
    return true;
}

/* rd_kpi_add, but all or nothing: -ENOSPC, with ds unchanged, when the new entries do not all
 * fit. Adding to some dimensions and not others would make the total disagree with the sum of
 * the units. */
static int add_checked(rd_kpi_deltas *ds, const rd_assignment *who, const char *category, int month,
                       int version, rd_kpi_metric metric, long amount)
{
    static const rd_assignment nobody = {{0}, {0}, {0}};
    if (!who)
        who = &nobody;
    char unit_category[RD_ID_MAX];
    (void)rd_kpi_unit_category_key(category, who->unit, unit_category);
    const char *keys[RD_DIM_COUNT_] = {
        [RD_DIM_TOTAL] = "",
        [RD_DIM_UNIT] = who->unit,
        [RD_DIM_TEAM] = who->team,
        [RD_DIM_HANDLER] = who->handler,
        [RD_DIM_CATEGORY] = category ? category : "",
        [RD_DIM_UNIT_CATEGORY] = unit_category,
        [RD_DIM_DECISION] = "",
    };

    if ((unsigned)metric >= RD_KPI_METRIC_COUNT_ || ds->n > RD_KPI_DELTAS_MAX)
        return -EINVAL;

    size_t missing = 0;
    for (int dim = 0; dim < RD_DIM_COUNT_; dim++)
        if (counted((rd_kpi_dim)dim, keys[dim], metric) &&
            !find_delta(ds, (rd_kpi_dim)dim, keys[dim], month, version))
            missing++;
    if (missing > RD_KPI_DELTAS_MAX - ds->n)
        return -ENOSPC;

    for (int dim = 0; dim < RD_DIM_COUNT_; dim++) {
        if (!counted((rd_kpi_dim)dim, keys[dim], metric))
            continue;
        rd_kpi_delta *d = find_delta(ds, (rd_kpi_dim)dim, keys[dim], month, version);
        if (!d) {
            d = &ds->d[ds->n++];
            *d = (rd_kpi_delta){.dim = (rd_kpi_dim)dim, .month = month, .version = version};
            memcpy(d->key, keys[dim], key_len(keys[dim]));
        }
        d->values[metric] += amount;
    }
    return 0;
}

void rd_kpi_add(rd_kpi_deltas *ds, const rd_assignment *who, const char *category, int month,
                int version, rd_kpi_metric metric, long amount)
{
    /* The header gives no way to report a full list; the callers here need at most 12 of the
     * 24 slots, so a full list is a caller's bug and is left as it was. */
    if (ds)
        (void)add_checked(ds, who, category, month, version, metric, amount);
}

void rd_kpi_intake(rd_kpi_deltas *ds, const char *category, int month, int version,
                   bool creates_work_order, bool counts_as_repeat, const rd_assignment *prior)
{
    if (!ds)
        return;

    /* On a copy, committed only if both adds fit: half an intake would count a repeat without
     * its complaint. */
    rd_kpi_deltas next = *ds;
    if (creates_work_order &&
        add_checked(&next, NULL, category, month, version, RD_KPI_COMPLAINTS, 1) < 0)
        return;
    if (counts_as_repeat &&
        add_checked(&next, prior, category, month, version, RD_KPI_REPEATS, 1) < 0)
        return;
    *ds = next;
}

static bool all_zero(const rd_kpi_delta *d)
{
    for (size_t m = 0; m < RD_KPI_METRIC_COUNT_; m++)
        if (d->values[m] != 0)
            return false;
    return true;
}

void rd_kpi_dispatch(rd_kpi_deltas *ds, const char *category, int month, int version,
                     const rd_assignment *before, const rd_assignment *after)
{
    static const rd_assignment nobody = {{0}, {0}, {0}};
    if (!ds)
        return;
    if (!before)
        before = &nobody;
    if (!after)
        after = &nobody;
    if (same_assignment(before, after))
        return;

    /* On a copy, so that a list too full for both halves is left as it was rather than
     * losing a complaint. */
    rd_kpi_deltas next = *ds;
    if (add_checked(&next, before, category, month, version, RD_KPI_COMPLAINTS, -1) < 0 ||
        add_checked(&next, after, category, month, version, RD_KPI_COMPLAINTS, 1) < 0)
        return;

    /* The complaint only moved: the total, the category and any unchanged unit or team net to
     * zero, and a zero row would be a pointless write (and a lock) per dispatch. */
    size_t kept = 0;
    for (size_t i = 0; i < next.n; i++)
        if (!all_zero(&next.d[i]))
            next.d[kept++] = next.d[i];
    next.n = kept;
    *ds = next;
}

void rd_kpi_decided(rd_kpi_deltas *ds, const char *decision, int month, int version)
{
    if (!ds || !decision || !decision[0])
        return;
    rd_kpi_delta *d = find_delta(ds, RD_DIM_DECISION, decision, month, version);
    if (!d) {
        if (ds->n >= RD_KPI_DELTAS_MAX)
            return; /* as rd_kpi_add: a full list is a caller's bug */
        d = &ds->d[ds->n++];
        *d = (rd_kpi_delta){.dim = RD_DIM_DECISION, .month = month, .version = version};
        memcpy(d->key, decision, key_len(decision));
    }
    d->values[RD_KPI_COMPLAINTS] += 1;
}
