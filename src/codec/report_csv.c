/* The periodic report's tables as CSV: each table is a section's rows of the JSON document
 * (codec/loop_json.c), cell for cell, so the download and the JSON cannot differ. Nested fields
 * are columns named by their path (checkin.due_at); a one-row table is a section's figures. */
#include "repeatd/loop_json.h"

#include "repeatd/kpi.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A value by its dotted path ("checkin.due_at"), or NULL. */
static json_t *path_get(json_t *o, const char *path)
{
    while (o && *path) {
        size_t n = strcspn(path, ".");
        char key[64];
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        path += n + (path[n] == '.');
    }
    return o;
}

/* The rows of a table: a new array of objects made of the report document. */
typedef json_t *rows_fn(json_t *doc);

static json_t *one_row(json_t *section)
{
    json_t *row = json_deep_copy(section);
    return row ? json_pack("[o]", row) : NULL;
}

static json_t *section_rows(json_t *doc, const char *path)
{
    json_t *rows = path_get(doc, path);
    return json_is_array(rows) ? json_incref(rows) : json_array();
}

static json_t *headline_rows(json_t *doc)
{
    json_t *row = json_deep_copy(json_object_get(doc, "headline"));
    if (row)
        json_object_set(row, "definition_versions", json_object_get(doc, "definition_versions"));
    return row ? json_pack("[o]", row) : NULL;
}

static json_t *ranking_rows(json_t *doc)
{
    return section_rows(doc, "ranking.rows");
}

static json_t *programmes_rows(json_t *doc)
{
    return section_rows(doc, "programmes.programmes");
}

/* Each row names the period it is compared with, as the KPI's CSV has it. */
static json_t *top_rows(json_t *doc)
{
    json_t *rows = json_array();
    json_t *prev = path_get(doc, "top_problems.previous_period");
    size_t i;
    json_t *row;
    json_array_foreach(path_get(doc, "top_problems.rows"), i, row)
    {
        json_t *o = json_deep_copy(row);
        if (o) {
            json_object_set(o, "previous_period", prev);
            json_array_append_new(rows, o);
        }
    }
    return rows;
}

/* By category, then by unit, each row naming its `by`. */
static json_t *anomaly_rows(json_t *doc)
{
    json_t *rows = json_array();
    static const char *const by[] = {"category", "unit"};
    for (size_t b = 0; rows && b < N_OF(by); b++) {
        char path[64];
        snprintf(path, sizeof(path), "anomalies.by_%s.rows", by[b]);
        size_t i;
        json_t *row;
        json_array_foreach(path_get(doc, path), i, row)
        {
            json_t *o = json_deep_copy(row);
            if (o) {
                json_object_set_new(o, "by", json_string(by[b]));
                json_array_append_new(rows, o);
            }
        }
    }
    return rows;
}

static json_t *contact_rows(json_t *doc)
{
    return section_rows(doc, "contact_failures.rows");
}

/* top_defects flattened as the KPI's CSV has them: top_defect_N and top_defect_N_count. */
static json_t *quality_rows(json_t *doc)
{
    json_t *rows = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(path_get(doc, "closeout_quality.rows"), i, row)
    {
        json_t *o = json_deep_copy(row);
        if (!o)
            continue;
        size_t k;
        json_t *d;
        json_array_foreach(json_object_get(row, "top_defects"), k, d)
        {
            char key[48];
            snprintf(key, sizeof(key), "top_defect_%zu", k + 1);
            json_object_set(o, key, json_object_get(d, "code"));
            snprintf(key, sizeof(key), "top_defect_%zu_count", k + 1);
            json_object_set(o, key, json_object_get(d, "count"));
        }
        json_array_append_new(rows, o);
    }
    return rows;
}

static json_t *green_rows(json_t *doc)
{
    return one_row(json_object_get(doc, "green_channel"));
}

static json_t *problem_rows(json_t *doc)
{
    return section_rows(doc, "problems.rows");
}

#define KPI_HEAD "period", "group", "name"

static const char *const headline_cols[] = {
    "current.period",
    "current.complaints",
    "current.repeats",
    "current.repeat_rate",
    "previous.period",
    "previous.complaints",
    "previous.repeats",
    "previous.repeat_rate",
    "year_ago.period",
    "year_ago.complaints",
    "year_ago.repeats",
    "year_ago.repeat_rate",
    "vs_previous.complaints",
    "vs_previous.repeats",
    "vs_previous.repeats_change_rate",
    "vs_previous.repeat_rate",
    "vs_year_ago.complaints",
    "vs_year_ago.repeats",
    "vs_year_ago.repeats_change_rate",
    "vs_year_ago.repeat_rate",
    "definition_versions",
};
static const char *const ranking_cols[] = {
    KPI_HEAD,     "complaints", "repeats", "repeat_rate",        "ranked", "rank", "target",
    "target_met", "watch",      "parent",  "definition_versions"};
static const char *const programme_cols[] = {"id",
                                             "scope",
                                             "code",
                                             "responsible",
                                             "measures",
                                             "opened_at",
                                             "opened_month",
                                             "opened_by",
                                             "status",
                                             "closed_at",
                                             "closed_by",
                                             "close_note",
                                             "exit_met_at_close",
                                             "checkin.interval_days",
                                             "checkin.count",
                                             "checkin.last_at",
                                             "checkin.last_status",
                                             "checkin.due_at",
                                             "checkin.overdue",
                                             "checkin.days_overdue",
                                             "exit.months_required",
                                             "exit.months_out_of_bottom",
                                             "exit.months_judged",
                                             "exit.met"};
static const char *const top_cols[] = {
    KPI_HEAD,           "repeats", "complaints",  "previous_period",
    "previous_repeats", "change",  "change_rate", "definition_versions"};
static const char *const anomaly_cols[] = {
    "by",       "period",  "group", "name",    "observed",
    "baseline", "p_value", "score", "history", "definition_versions"};
static const char *const contact_cols[] = {KPI_HEAD, "contacted", "first_contact_failed",
                                           "first_contact_failure_rate", "definition_versions"};
static const char *const quality_cols[] = {KPI_HEAD,
                                           "inspected",
                                           "rejected",
                                           "pass_rate",
                                           "false_closeouts",
                                           "top_defect_1",
                                           "top_defect_1_count",
                                           "top_defect_2",
                                           "top_defect_2_count",
                                           "top_defect_3",
                                           "top_defect_3_count",
                                           "top_defect_4",
                                           "top_defect_4_count",
                                           "top_defect_5",
                                           "top_defect_5_count",
                                           "definition_versions"};
static const char *const green_cols[] = {"min_repeats",
                                         "verify_days",
                                         "in_channel_now",
                                         "unassigned_now",
                                         "verification_overdue_now",
                                         "verifications_in_period",
                                         "solved_in_period"};
static const char *const problem_cols[] = {"id",
                                           "title",
                                           "category",
                                           "unit",
                                           "department",
                                           "due_date",
                                           "created_date",
                                           "created_in_period",
                                           "to_in_progress",
                                           "to_verified_fixed",
                                           "to_closed_unfixed",
                                           "measures_taken",
                                           "status_at_end",
                                           "overdue_at_end"};

static const struct {
    const char *name;
    rows_fn *rows;
    const char *const *cols;
    size_t n_cols;
} tables[] = {
#define TABLE(name, fn, cols)                                                                      \
    {                                                                                              \
        name, fn, cols, N_OF(cols)                                                                 \
    }
    TABLE("headline", headline_rows, headline_cols),
    TABLE("ranking", ranking_rows, ranking_cols),
    TABLE("programmes", programmes_rows, programme_cols),
    TABLE("top_problems", top_rows, top_cols),
    TABLE("anomalies", anomaly_rows, anomaly_cols),
    TABLE("contact_failures", contact_rows, contact_cols),
    TABLE("closeout_quality", quality_rows, quality_cols),
    TABLE("green_channel", green_rows, green_cols),
    TABLE("problems", problem_rows, problem_cols),
#undef TABLE
};

static int table_index(const char *name)
{
    for (size_t i = 0; name && i < N_OF(tables); i++)
        if (!strcmp(tables[i].name, name))
            return (int)i;
    return -1;
}

bool rd_report_table_known(const char *name)
{
    return table_index(name) >= 0;
}

int rd_report_csv(const rd_report *r, const char *table, rd_csv *c,
                  char filename[RD_CSV_FILENAME_MAX])
{
    int t = table_index(table);
    if (t < 0)
        return -EINVAL;
    json_t *doc = rd_report_json(r);
    json_t *rows = doc ? tables[t].rows(doc) : NULL;
    if (!rows) {
        json_decref(doc);
        return -ENOMEM;
    }
    rd_csv_header(c, tables[t].cols, tables[t].n_cols);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        for (size_t k = 0; k < tables[t].n_cols; k++)
            rd_csv_json(c, path_get(row, tables[t].cols[k]));
        rd_csv_end_row(c);
    }
    json_decref(rows);
    json_decref(doc);
    char label[RD_PERIOD_LABEL_MAX];
    rd_period_label(r->kind, r->month, label);
    snprintf(filename, RD_CSV_FILENAME_MAX, "repeatd-report-%s-%s.csv", label, tables[t].name);
    return 0;
}
