/* KPI answers as CSV: each endpoint's columns, cell for cell what kpi_json.c writes. */
#include "repeatd/kpi_csv.h"

#include "repeatd/json_spec.h"

#include <stdio.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A rate: empty without a denominator (JSON's null). */
static void rate_cell(rd_csv *c, long num, long den)
{
    if (den == 0)
        rd_csv_empty(c);
    else
        rd_csv_real(c, rd_rate(num, den));
}

static void versions_cell(rd_csv *c, const rd_kpi_row *row)
{
    rd_csv_int_list(c, row ? row->versions : NULL, row ? (size_t)row->n_versions : 0);
}

static void period_cell(rd_csv *c, const rd_kpi_answer *a, int period_start)
{
    char label[RD_PERIOD_LABEL_MAX];
    rd_period_label(a->period, period_start, label);
    rd_csv_text(c, label);
}

/* Appends "-" and s to the file name, every byte outside [A-Za-z0-9._-] as '_' (a group code
 * is user input; a header value must stay plain ASCII). */
static void name_part(char *name, const char *s)
{
    size_t n = strlen(name);
    if (n + 2 >= RD_CSV_FILENAME_MAX - 4) /* room for ".csv" */
        return;
    name[n++] = '-';
    for (; *s && n < RD_CSV_FILENAME_MAX - 5; s++) {
        unsigned char ch = (unsigned char)*s;
        bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        name[n++] = plain ? (char)ch : '_';
    }
    name[n] = '\0';
}

/* "repeatd-<what>[-<by>][-level<N>]-<from>[_<to>].csv" */
static void frame_filename(const rd_kpi_answer *a, const char *what, const char *extra,
                           char name[RD_CSV_FILENAME_MAX])
{
    snprintf(name, RD_CSV_FILENAME_MAX, "repeatd");
    name_part(name, what);
    if (extra)
        name_part(name, extra);
    if (a->has_by)
        name_part(name, rd_kpi_dim_name(a->by));
    if (a->level) {
        char level[16];
        snprintf(level, sizeof(level), "level%d", a->level);
        name_part(name, level);
    }
    if (a->has_by && a->group)
        name_part(name, a->group);
    char from[RD_PERIOD_LABEL_MAX], to[RD_PERIOD_LABEL_MAX], range[2 * RD_PERIOD_LABEL_MAX + 1];
    rd_period_label(a->period, a->from, from);
    rd_period_label(a->period, a->to, to);
    if (a->from == a->to)
        snprintf(range, sizeof(range), "%s", from);
    else
        snprintf(range, sizeof(range), "%s_%s", from, to);
    name_part(name, range);
    size_t n = strlen(name);
    snprintf(name + n, RD_CSV_FILENAME_MAX - n, ".csv");
}

/* An endpoint's cells of one row, after period, group and name. */
typedef void row_cells_fn(rd_csv *c, const rd_kpi_answer *a, const rd_kpi_item *it);

/* Header (period, group, name, the endpoint's columns, definition_versions), then one line per
 * item. */
static void rows_csv(const rd_kpi_answer *a, rd_csv *c, const char *const *columns, size_t n,
                     row_cells_fn cells)
{
    rd_csv_text(c, "period");
    rd_csv_text(c, "group");
    rd_csv_text(c, "name");
    for (size_t i = 0; i < n; i++)
        rd_csv_text(c, columns[i]);
    rd_csv_text(c, "definition_versions");
    rd_csv_end_row(c);
    for (size_t i = 0; i < a->n_items; i++) {
        const rd_kpi_item *it = &a->items[i];
        period_cell(c, a, it->period_start);
        rd_csv_text(c, a->has_by ? it->row->key : NULL);
        rd_csv_text(c, it->name);
        cells(c, a, it);
        versions_cell(c, it->row);
        rd_csv_end_row(c);
    }
}

static void part_cells(rd_csv *c, const rd_kpi_item *it, rd_kpi_metric whole, rd_kpi_metric part)
{
    rd_csv_int(c, it->row->v[whole]);
    rd_csv_int(c, it->row->v[part]);
    rate_cell(c, it->row->v[part], it->row->v[whole]);
}

static void repeats_cells(rd_csv *c, const rd_kpi_answer *a, const rd_kpi_item *it)
{
    part_cells(c, it, RD_KPI_COMPLAINTS, RD_KPI_REPEATS);
}

void rd_kpi_repeats_csv(const rd_kpi_answer *a, rd_csv *c, char filename[RD_CSV_FILENAME_MAX])
{
    static const char *const cols[] = {"complaints", "repeats", "repeat_rate"};
    rows_csv(a, c, cols, N_OF(cols), repeats_cells);
    frame_filename(a, "repeats", NULL, filename);
}

static void contact_cells(rd_csv *c, const rd_kpi_answer *a, const rd_kpi_item *it)
{
    part_cells(c, it, RD_KPI_CONTACTED, RD_KPI_FIRST_CONTACT_FAILED);
}

void rd_kpi_contact_failures_csv(const rd_kpi_answer *a, rd_csv *c,
                                 char filename[RD_CSV_FILENAME_MAX])
{
    static const char *const cols[] = {"contacted", "first_contact_failed",
                                       "first_contact_failure_rate"};
    rows_csv(a, c, cols, N_OF(cols), contact_cells);
    frame_filename(a, "contact-failures", NULL, filename);
}

/* top_defects flattened: a code and a count column for each of the RD_KPI_TOP_DEFECTS, so that
 * a spreadsheet can sort and filter on them. */
static void quality_cells(rd_csv *c, const rd_kpi_answer *a, const rd_kpi_item *it)
{
    long inspected = it->row->v[RD_KPI_CLOSEOUTS_INSPECTED];
    long rejected = it->row->v[RD_KPI_CLOSEOUTS_REJECTED];
    rd_csv_int(c, inspected);
    rd_csv_int(c, rejected);
    rate_cell(c, inspected - rejected, inspected);
    rd_csv_int(c, it->row->v[RD_KPI_FALSE_CLOSEOUTS]);
    for (size_t i = 0; i < RD_KPI_TOP_DEFECTS; i++) {
        if (i < it->n_defects) {
            rd_csv_text(c, it->defects[i].code);
            rd_csv_int(c, it->defects[i].count);
        } else {
            rd_csv_empty(c);
            rd_csv_empty(c);
        }
    }
}

void rd_kpi_closeout_quality_csv(const rd_kpi_answer *a, rd_csv *c,
                                 char filename[RD_CSV_FILENAME_MAX])
{
    static const char *const cols[] = {
        "inspected",    "rejected",           "pass_rate",    "false_closeouts",
        "top_defect_1", "top_defect_1_count", "top_defect_2", "top_defect_2_count",
        "top_defect_3", "top_defect_3_count", "top_defect_4", "top_defect_4_count",
        "top_defect_5", "top_defect_5_count"};
    _Static_assert(N_OF(cols) == 4 + 2 * RD_KPI_TOP_DEFECTS, "a column pair per top defect");
    rows_csv(a, c, cols, N_OF(cols), quality_cells);
    frame_filename(a, "closeout-quality", NULL, filename);
}

static void ranking_cells(rd_csv *c, const rd_kpi_answer *a, const rd_kpi_item *it)
{
    const rd_rank_row *k = &it->rank;
    rd_csv_int(c, k->complaints);
    rd_csv_int(c, k->repeats);
    rate_cell(c, k->repeats, k->complaints);
    rd_csv_bool(c, k->ranked);
    if (k->ranked)
        rd_csv_int(c, k->rank);
    else
        rd_csv_empty(c);
    if (k->has_target)
        rd_csv_real(c, k->target);
    else
        rd_csv_empty(c);
    if (k->target_met < 0)
        rd_csv_empty(c);
    else
        rd_csv_bool(c, k->target_met);
    rd_csv_bool(c, k->watch);
    if (it->parent)
        rd_csv_text(c, it->parent);
    else
        rd_csv_empty(c);
}

void rd_kpi_ranking_csv(const rd_kpi_answer *a, rd_csv *c, char filename[RD_CSV_FILENAME_MAX])
{
    static const char *const cols[] = {"complaints", "repeats",    "repeat_rate", "ranked", "rank",
                                       "target",     "target_met", "watch",       "parent"};
    rows_csv(a, c, cols, N_OF(cols), ranking_cells);
    frame_filename(a, "ranking", NULL, filename);
}

/* previous_period is the answer's, repeated on every line: it says what previous_repeats
 * counts. */
static void top_cells(rd_csv *c, const rd_kpi_answer *a, const rd_kpi_item *it)
{
    long now = it->row->v[RD_KPI_REPEATS], before = it->previous;
    rd_csv_int(c, now);
    rd_csv_int(c, it->row->v[RD_KPI_COMPLAINTS]);
    period_cell(c, a, a->previous_period);
    rd_csv_int(c, before);
    rd_csv_int(c, now - before);
    rate_cell(c, now - before, before);
}

void rd_kpi_top_problems_csv(const rd_kpi_answer *a, rd_csv *c, char filename[RD_CSV_FILENAME_MAX])
{
    static const char *const cols[] = {"repeats",          "complaints", "previous_period",
                                       "previous_repeats", "change",     "change_rate"};
    rows_csv(a, c, cols, N_OF(cols), top_cells);
    frame_filename(a, "top-problems", NULL, filename);
}

/* history: the baseline periods' repeats, oldest first, in one cell ("0 1 0 2 1 0"). */
static void anomaly_cells(rd_csv *c, const rd_kpi_answer *a, const rd_kpi_item *it)
{
    rd_csv_int(c, it->row->v[RD_KPI_REPEATS]);
    rd_csv_real(c, it->anomaly.baseline);
    rd_csv_real(c, it->anomaly.p_value);
    rd_csv_real(c, it->anomaly.score);
    rd_csv_ints(c, it->history, (size_t)a->baseline);
}

void rd_kpi_anomalies_csv(const rd_kpi_answer *a, rd_csv *c, char filename[RD_CSV_FILENAME_MAX])
{
    static const char *const cols[] = {"observed", "baseline", "p_value", "score", "history"};
    rows_csv(a, c, cols, N_OF(cols), anomaly_cells);
    frame_filename(a, "anomalies", NULL, filename);
}

/* metric and group are the answer's, repeated on every line, so that a sheet says what it is. */
void rd_kpi_trend_csv(const rd_kpi_answer *a, rd_csv *c, char filename[RD_CSV_FILENAME_MAX])
{
    static const char *const cols[] = {"period", "metric", "group", "value", "definition_versions"};
    rd_csv_header(c, cols, N_OF(cols));
    const rd_kpi_trend_metric *m = a->metric;
    for (size_t i = 0; i < a->n_items; i++) {
        const rd_kpi_item *it = &a->items[i];
        const rd_kpi_row *row = it->row;
        period_cell(c, a, it->period_start);
        rd_csv_text(c, m->name);
        rd_csv_text(c, a->group);
        long num = row ? row->v[m->num] : 0;
        if (m->den < 0) {
            rd_csv_int(c, num);
        } else {
            long den = row ? row->v[m->den] : 0;
            rate_cell(c, m->complement ? den - num : num, den);
        }
        versions_cell(c, row);
        rd_csv_end_row(c);
    }
    frame_filename(a, "trend", m->name, filename);
}

static void opt_text(rd_csv *c, bool set, const char *s)
{
    rd_csv_text(c, set ? s : NULL);
}

static void time_cell(rd_csv *c, int64_t us, int tz)
{
    char text[RD_TIME_TEXT_MAX];
    rd_time_format_us(us, tz, text);
    rd_csv_text(c, text);
}

void rd_kpi_green_channel_csv(const rd_kpi_answer *a, rd_csv *c, char filename[RD_CSV_FILENAME_MAX])
{
    static const char *const cols[] = {"chain_id",
                                       "latest_ticket_id",
                                       "category",
                                       "citizen",
                                       "repeats",
                                       "first_received_at",
                                       "latest_received_at",
                                       "deadline",
                                       "unit",
                                       "team",
                                       "handler",
                                       "original_unit",
                                       "original_team",
                                       "original_handler"};
    rd_csv_header(c, cols, N_OF(cols));
    for (size_t i = 0; i < a->n_chains; i++) {
        const rd_green_chain *g = &a->chains[i];
        rd_csv_text(c, g->chain_id);
        rd_csv_text(c, g->latest_ticket_id);
        rd_csv_text(c, g->category);
        opt_text(c, g->has_citizen, g->citizen);
        rd_csv_int(c, g->repeats);
        time_cell(c, g->first_received_us, g->first_received_tz);
        time_cell(c, g->latest_received_us, g->latest_received_tz);
        if (g->has_deadline)
            time_cell(c, g->deadline_us, g->deadline_tz);
        else
            rd_csv_empty(c);
        opt_text(c, g->has_unit, g->unit);
        opt_text(c, g->has_team, g->team);
        opt_text(c, g->has_handler, g->handler);
        opt_text(c, g->has_original_unit, g->original_unit);
        opt_text(c, g->has_original_team, g->original_team);
        opt_text(c, g->has_original_handler, g->original_handler);
        rd_csv_end_row(c);
    }
    snprintf(filename, RD_CSV_FILENAME_MAX, "repeatd-green-channel.csv");
}

void rd_kpi_decisions_csv(const rd_kpi_answer *a, rd_csv *c, char filename[RD_CSV_FILENAME_MAX])
{
    const char *cols[RD_DECISION_KIND_COUNT + 3];
    size_t n = 0;
    cols[n++] = "period";
    for (int d = 0; d < RD_DECISION_KIND_COUNT; d++)
        cols[n++] = rd_decision_name((rd_decision_kind)d);
    cols[n++] = "total";
    cols[n++] = "definition_versions";
    rd_csv_header(c, cols, n);
    for (size_t i = 0; i < a->n_mixes; i++) {
        const rd_kpi_decision_mix *m = &a->mixes[i];
        period_cell(c, a, m->period_start);
        for (int d = 0; d < RD_DECISION_KIND_COUNT; d++)
            rd_csv_int(c, m->n[d]);
        rd_csv_int(c, m->total);
        rd_csv_int_list(c, m->versions, (size_t)m->n_versions);
        rd_csv_end_row(c);
    }
    frame_filename(a, "decisions", NULL, filename);
}
