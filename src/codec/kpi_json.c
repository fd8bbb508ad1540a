/* KPI answers as JSON: the frame every answer shares, a row's head, and each endpoint's row. */
#include "repeatd/kpi_json.h"

#include "repeatd/json_out.h"
#include "repeatd/json_spec.h"

#include <math.h>

/* A rate: null without a denominator. On the denominator, not on rd_rate's -1: a change rate
 * (a fall) is rightly negative. */
static json_t *rate_json(long num, long den)
{
    return den == 0 ? json_null() : json_real(rd_rate(num, den));
}

static json_t *ints_json(const int *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static json_t *row_versions_json(const rd_kpi_row *row)
{
    return row ? ints_json(row->versions, (size_t)row->n_versions) : json_array();
}

/* {"period": label, "group": key, "name": name}: group null for the whole line. */
static json_t *head_json(const rd_kpi_answer *a, const rd_kpi_item *it)
{
    char label[RD_PERIOD_LABEL_MAX];
    rd_period_label(a->period, it->period_start, label);
    return json_pack("{s:s, s:o, s:o}", "period", label, "group",
                     a->has_by ? json_string(it->row->key) : json_null(), "name",
                     it->name ? json_string(it->name) : json_null());
}

/* {"period", "by", "level", "from", "to", "definition_versions", rows_key: rows}. */
static json_t *frame_json(const rd_kpi_answer *a, const char *rows_key, json_t *rows)
{
    char from[RD_PERIOD_LABEL_MAX], to[RD_PERIOD_LABEL_MAX];
    rd_period_label(a->period, a->from, from);
    rd_period_label(a->period, a->to, to);
    return json_pack("{s:s, s:o, s:o, s:s, s:s, s:o, s:o}", "period",
                     rd_period_kind_name(a->period), "by",
                     a->has_by ? json_string(rd_kpi_dim_name(a->by)) : json_null(), "level",
                     a->level ? json_integer(a->level) : json_null(), "from", from, "to", to,
                     "definition_versions", ints_json(a->versions, a->n_versions), rows_key, rows);
}

/* An endpoint's fields of one row, set on the head. */
typedef void (*row_fields_fn)(json_t *o, const rd_kpi_answer *a, const rd_kpi_item *it);

/* The frame with a row per item: head, the endpoint's fields, the row's versions. */
static json_t *rows_answer(const rd_kpi_answer *a, row_fields_fn fields)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < a->n_items; i++) {
        const rd_kpi_item *it = &a->items[i];
        json_t *o = head_json(a, it);
        if (!o) {
            json_decref(rows);
            return NULL;
        }
        fields(o, a, it);
        json_object_set_new(o, "definition_versions", row_versions_json(it->row));
        json_array_append_new(rows, o);
    }
    return rows ? frame_json(a, "rows", rows) : NULL;
}

static void set_int(json_t *o, const char *key, long v)
{
    json_object_set_new(o, key, json_integer(v));
}

/* ---- The long lists (repeats, contact-failures, closeout-quality), written straight as text:
 * thousands of rows are a megabyte that jansson would build value by value first. The bytes are
 * those json_dumps would write of the same answer built with jansson. ---- */

/* ,"key": */
static void text_key(rd_text *t, const char *key)
{
    rd_text_put(t, ",\"", 2);
    rd_text_puts(t, key);
    rd_text_put(t, "\":", 2);
}

static void text_int(rd_text *t, const char *key, long v)
{
    text_key(t, key);
    rd_jtext_int(t, v);
}

/* A rate: null without a denominator, as rate_json. */
static void text_rate(rd_text *t, const char *key, long num, long den)
{
    text_key(t, key);
    if (den == 0)
        rd_text_put(t, "null", 4);
    else
        rd_jtext_real(t, rd_rate(num, den));
}

/* A count, the count it is a part of, and their rate. */
static void text_part(rd_text *t, const rd_kpi_item *it, const char *whole_key, rd_kpi_metric whole,
                      const char *part_key, rd_kpi_metric part, const char *rate_key)
{
    text_int(t, whole_key, it->row->v[whole]);
    text_int(t, part_key, it->row->v[part]);
    text_rate(t, rate_key, it->row->v[part], it->row->v[whole]);
}

typedef void (*row_text_fn)(rd_text *t, const rd_kpi_item *it);

/* The frame of frame_json, a row per item (the head of head_json, the endpoint's fields, the
 * row's versions), then next_cursor: where the next page starts, null after the last. */
static int list_text(const rd_kpi_answer *a, row_text_fn fields, rd_text *t)
{
    char from[RD_PERIOD_LABEL_MAX], to[RD_PERIOD_LABEL_MAX], label[RD_PERIOD_LABEL_MAX];
    rd_period_label(a->period, a->from, from);
    rd_period_label(a->period, a->to, to);
    rd_text_reserve(t, 256 + a->n_items * 192); /* a row is 150 to 250 bytes: one allocation */
    rd_text_puts(t, "{\"period\":");
    rd_jtext_string(t, rd_period_kind_name(a->period));
    text_key(t, "by");
    rd_jtext_string_or_null(t, a->has_by ? rd_kpi_dim_name(a->by) : NULL);
    text_key(t, "level");
    if (a->level)
        rd_jtext_int(t, a->level);
    else
        rd_text_put(t, "null", 4);
    text_key(t, "from");
    rd_jtext_string(t, from);
    text_key(t, "to");
    rd_jtext_string(t, to);
    text_key(t, "definition_versions");
    rd_jtext_ints(t, a->versions, a->n_versions);
    text_key(t, "rows");
    rd_text_put(t, "[", 1);
    int labelled = -1; /* the period `label` holds: rows come period by period */
    for (size_t i = 0; i < a->n_items && !t->err; i++) {
        const rd_kpi_item *it = &a->items[i];
        if (it->period_start != labelled) {
            labelled = it->period_start;
            rd_period_label(a->period, labelled, label);
        }
        rd_text_puts(t, i ? ",{\"period\":" : "{\"period\":");
        rd_jtext_string(t, label);
        text_key(t, "group");
        rd_jtext_string_or_null(t, a->has_by ? it->row->key : NULL);
        text_key(t, "name");
        rd_jtext_string_or_null(t, it->name);
        fields(t, it);
        text_key(t, "definition_versions");
        rd_jtext_ints(t, it->row->versions, (size_t)it->row->n_versions);
        rd_text_put(t, "}", 1);
    }
    rd_text_put(t, "]", 1);
    text_key(t, "next_cursor");
    if (a->has_next) {
        char cursor[RD_KPI_CURSOR_MAX];
        rd_kpi_cursor_encode(&a->next, cursor);
        rd_jtext_string(t, cursor);
    } else {
        rd_text_put(t, "null", 4);
    }
    return rd_text_put(t, "}", 1);
}

static void repeats_text(rd_text *t, const rd_kpi_item *it)
{
    text_part(t, it, "complaints", RD_KPI_COMPLAINTS, "repeats", RD_KPI_REPEATS, "repeat_rate");
}

static void contact_text(rd_text *t, const rd_kpi_item *it)
{
    text_part(t, it, "contacted", RD_KPI_CONTACTED, "first_contact_failed",
              RD_KPI_FIRST_CONTACT_FAILED, "first_contact_failure_rate");
}

static void quality_text(rd_text *t, const rd_kpi_item *it)
{
    long inspected = it->row->v[RD_KPI_CLOSEOUTS_INSPECTED];
    long rejected = it->row->v[RD_KPI_CLOSEOUTS_REJECTED];
    text_int(t, "inspected", inspected);
    text_int(t, "rejected", rejected);
    text_rate(t, "pass_rate", inspected - rejected, inspected);
    text_int(t, "false_closeouts", it->row->v[RD_KPI_FALSE_CLOSEOUTS]);
    text_key(t, "top_defects");
    rd_text_put(t, "[", 1);
    for (size_t i = 0; i < it->n_defects; i++) {
        rd_text_puts(t, i ? ",{\"code\":" : "{\"code\":");
        rd_jtext_string(t, it->defects[i].code);
        text_int(t, "count", it->defects[i].count);
        rd_text_put(t, "}", 1);
    }
    rd_text_put(t, "]", 1);
}

int rd_kpi_repeats_text(const rd_kpi_answer *a, rd_text *t)
{
    return list_text(a, repeats_text, t);
}

int rd_kpi_contact_failures_text(const rd_kpi_answer *a, rd_text *t)
{
    return list_text(a, contact_text, t);
}

int rd_kpi_closeout_quality_text(const rd_kpi_answer *a, rd_text *t)
{
    return list_text(a, quality_text, t);
}

/* The same answers as jansson values (the periodic report's sections): parsed from the text,
 * so that a section is the endpoint's answer byte for byte. */
static json_t *text_json(const rd_kpi_answer *a, rd_kpi_text_fn fn)
{
    rd_text t = {0};
    json_t *j = fn(a, &t) == 0 ? json_loadb(t.p, t.n, 0, NULL) : NULL;
    rd_text_free(&t);
    return j;
}

json_t *rd_kpi_repeats_json(const rd_kpi_answer *a)
{
    return text_json(a, rd_kpi_repeats_text);
}

json_t *rd_kpi_contact_failures_json(const rd_kpi_answer *a)
{
    return text_json(a, rd_kpi_contact_failures_text);
}

json_t *rd_kpi_closeout_quality_json(const rd_kpi_answer *a)
{
    return text_json(a, rd_kpi_closeout_quality_text);
}

static void ranking_fields(json_t *o, const rd_kpi_answer *a, const rd_kpi_item *it)
{
    const rd_rank_row *k = &it->rank;
    set_int(o, "complaints", k->complaints);
    set_int(o, "repeats", k->repeats);
    json_object_set_new(o, "repeat_rate", rate_json(k->repeats, k->complaints));
    json_object_set_new(o, "ranked", json_boolean(k->ranked));
    json_object_set_new(o, "rank", k->ranked ? json_integer(k->rank) : json_null());
    json_object_set_new(o, "target", k->has_target ? json_real(k->target) : json_null());
    json_object_set_new(o, "target_met",
                        k->target_met < 0 ? json_null() : json_boolean(k->target_met));
    json_object_set_new(o, "watch", json_boolean(k->watch));
    /* A team's unit, a handler's team (PUT /v1/admin/units): a dashboard drills down by it. */
    json_object_set_new(o, "parent", it->parent ? json_string(it->parent) : json_null());
}

json_t *rd_kpi_ranking_json(const rd_kpi_answer *a)
{
    json_t *o = rows_answer(a, ranking_fields);
    if (o) {
        set_int(o, "min_complaints", a->min_complaints);
        set_int(o, "bottom_n", a->bottom_n);
    }
    return o;
}

static void top_fields(json_t *o, const rd_kpi_answer *a, const rd_kpi_item *it)
{
    long now = it->row->v[RD_KPI_REPEATS], before = it->previous;
    set_int(o, "repeats", now);
    set_int(o, "complaints", it->row->v[RD_KPI_COMPLAINTS]);
    set_int(o, "previous_repeats", before);
    set_int(o, "change", now - before);
    json_object_set_new(o, "change_rate", rate_json(now - before, before));
}

json_t *rd_kpi_top_problems_json(const rd_kpi_answer *a)
{
    json_t *o = rows_answer(a, top_fields);
    char prev[RD_PERIOD_LABEL_MAX];
    rd_period_label(a->period, a->previous_period, prev);
    if (o)
        json_object_set_new(o, "previous_period", json_string(prev));
    return o;
}

static void anomaly_fields(json_t *o, const rd_kpi_answer *a, const rd_kpi_item *it)
{
    set_int(o, "observed", it->row->v[RD_KPI_REPEATS]);
    json_object_set_new(o, "baseline", json_real(it->anomaly.baseline));
    json_object_set_new(o, "p_value", json_real(it->anomaly.p_value));
    json_object_set_new(o, "score", json_real(it->anomaly.score));
    json_t *h = json_array();
    for (long b = 0; h && b < a->baseline; b++)
        json_array_append_new(h, json_integer(it->history[b]));
    json_object_set_new(o, "history", h);
}

json_t *rd_kpi_anomalies_json(const rd_kpi_answer *a)
{
    json_t *o = rows_answer(a, anomaly_fields);
    if (o)
        json_object_set_new(o, "method",
                            json_pack("{s:s, s:I, s:f, s:I}", "name", "poisson_upper_tail",
                                      "baseline_periods", (json_int_t)a->baseline, "min_score",
                                      (double)a->min_score, "min_repeats",
                                      (json_int_t)a->min_repeats));
    return o;
}

static json_t *trend_value_json(const rd_kpi_trend_metric *m, const rd_kpi_row *row)
{
    long num = row ? row->v[m->num] : 0;
    if (m->den < 0)
        return json_integer(num);
    long den = row ? row->v[m->den] : 0;
    return rate_json(m->complement ? den - num : num, den);
}

json_t *rd_kpi_trend_json(const rd_kpi_answer *a)
{
    json_t *series = json_array();
    for (size_t i = 0; series && i < a->n_items; i++) {
        const rd_kpi_item *it = &a->items[i];
        char label[RD_PERIOD_LABEL_MAX];
        rd_period_label(a->period, it->period_start, label);
        json_array_append_new(series, json_pack("{s:s, s:o, s:o}", "period", label, "value",
                                                trend_value_json(a->metric, it->row),
                                                "definition_versions", row_versions_json(it->row)));
    }
    json_t *o = series ? frame_json(a, "series", series) : NULL;
    if (o) {
        json_object_set_new(o, "metric", json_string(a->metric->name));
        json_object_set_new(o, "group", a->group ? json_string(a->group) : json_null());
    }
    return o;
}

static json_t *opt_text(bool set, const char *s)
{
    return set ? json_string(s) : json_null();
}

static json_t *time_json(int64_t us, int tz)
{
    char text[RD_TIME_TEXT_MAX];
    rd_time_format_us(us, tz, text);
    return json_string(text);
}

/* Keys in the order the answer had when jsonb built it: shorter first, then bytewise. */
static json_t *chain_json(const rd_green_chain *c)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "team", opt_text(c->has_team, c->team));
    json_object_set_new(o, "unit", opt_text(c->has_unit, c->unit));
    json_object_set_new(o, "citizen", opt_text(c->has_citizen, c->citizen));
    json_object_set_new(o, "handler", opt_text(c->has_handler, c->handler));
    json_object_set_new(o, "repeats", json_integer(c->repeats));
    json_object_set_new(o, "category", json_string(c->category));
    json_object_set_new(o, "chain_id", json_string(c->chain_id));
    json_object_set_new(o, "deadline",
                        c->has_deadline ? time_json(c->deadline_us, c->deadline_tz) : json_null());
    json_object_set_new(o, "original_team", opt_text(c->has_original_team, c->original_team));
    json_object_set_new(o, "original_unit", opt_text(c->has_original_unit, c->original_unit));
    json_object_set_new(o, "latest_ticket_id", json_string(c->latest_ticket_id));
    json_object_set_new(o, "original_handler",
                        opt_text(c->has_original_handler, c->original_handler));
    json_object_set_new(o, "first_received_at",
                        time_json(c->first_received_us, c->first_received_tz));
    json_object_set_new(o, "latest_received_at",
                        time_json(c->latest_received_us, c->latest_received_tz));
    return o;
}

json_t *rd_green_chain_json(const rd_green_chain *c)
{
    return chain_json(c);
}

json_t *rd_kpi_green_channel_json(const rd_kpi_answer *a)
{
    json_t *chains = json_array();
    for (size_t i = 0; chains && i < a->n_chains; i++)
        json_array_append_new(chains, chain_json(&a->chains[i]));
    return chains ? json_pack("{s:i, s:i, s:o}", "min_repeats", a->green_min_repeats,
                              "definition_version", a->definition_version, "chains", chains)
                  : NULL;
}

json_t *rd_org_names_json(const rd_kpi_name *names, size_t n)
{
    json_t *o = json_pack("{s:{}, s:{}, s:{}}", "team", "unit", "handler");
    for (size_t i = 0; o && i < n; i++)
        json_object_set_new(json_object_get(o, rd_kpi_dim_name(names[i].dim)), names[i].code,
                            json_string(names[i].name));
    return o;
}

json_t *rd_targets_json(const rd_kpi_target *targets, size_t n)
{
    json_t *o = json_pack("{s:{}, s:{}}", "team", "unit");
    for (size_t i = 0; o && i < n; i++) {
        const rd_kpi_target *t = &targets[i];
        json_t *scope = json_object_get(o, rd_kpi_dim_name(t->scope));
        json_t *code = json_object_get(scope, t->code);
        if (!code)
            json_object_set_new(scope, t->code, code = json_object());
        /* 0 and 1 were integers in jsonb's numeric: they stay so. */
        json_object_set_new(code, t->period,
                            t->rate == floor(t->rate) ? json_integer((json_int_t)t->rate)
                                                      : json_real(t->rate));
    }
    return o;
}

json_t *rd_kpi_decisions_json(const rd_kpi_answer *a)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < a->n_mixes; i++) {
        const rd_kpi_decision_mix *m = &a->mixes[i];
        char label[RD_PERIOD_LABEL_MAX];
        rd_period_label(a->period, m->period_start, label);
        json_t *o = json_pack("{s:s}", "period", label);
        if (!o) {
            json_decref(rows);
            return NULL;
        }
        for (int d = 0; d < RD_DECISION_KIND_COUNT; d++)
            set_int(o, rd_decision_name((rd_decision_kind)d), m->n[d]);
        set_int(o, "total", m->total);
        json_object_set_new(o, "definition_versions",
                            ints_json(m->versions, (size_t)m->n_versions));
        json_array_append_new(rows, o);
    }
    return rows ? frame_json(a, "rows", rows) : NULL;
}
