/* The improvement loop's answers as JSON: programmes with their months and check-ins, the
 * green-channel worklist, a chain's record, and the periodic report built of KPI answers. */
#include "repeatd/loop_json.h"

#include "repeatd/json_spec.h"
#include "repeatd/json_out.h"
#include "repeatd/kpi_json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static json_t *rate_json(long num, long den)
{
    return den == 0 ? json_null() : json_real(rd_rate(num, den));
}

/* A stored JSON text, or null when it does not parse (it always does: the store wrote jsonb). */
static json_t *detail_json(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *audit_json(const rd_audit_entry *a, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr,
                              json_pack("{s:s, s:o, s:s, s:o}", "action", a[i].action, "changed_at",
                                        rd_json_instant(a[i].changed_at), "changed_by",
                                        a[i].changed_by, "detail", detail_json(a[i].detail)));
    return arr;
}

static json_t *month_json(const rd_programme_month *m)
{
    const rd_rank_row *k = &m->rank;
    return json_pack("{s:o, s:b, s:I, s:I, s:o, s:b, s:o, s:b}", "month", rd_json_month(m->month),
                     "since_opening", m->since, "complaints", (json_int_t)m->complaints, "repeats",
                     (json_int_t)m->repeats, "repeat_rate", rate_json(m->repeats, m->complaints),
                     "ranked", k->ranked, "rank", k->ranked ? json_integer(k->rank) : json_null(),
                     "watch", k->watch);
}

static json_t *checkin_json(const rd_checkin *c)
{
    return json_pack("{s:I, s:o, s:s, s:s, s:s}", "id", (json_int_t)c->id, "at",
                     rd_json_instant(c->at), "status", c->status, "notes", c->notes ? c->notes : "",
                     "recorded_by", c->recorded_by);
}

static json_t *view_json(const rd_programme_view *v, bool detail)
{
    const rd_programme *p = &v->p;
    rd_instant due = {.us = v->checkin_due * 1000000, .offset = v->checkin_due_offset};
    json_t *checkin =
        json_pack("{s:i, s:i, s:o, s:o, s:o, s:b, s:i}", "interval_days", p->checkin_days, "count",
                  p->n_checkins, "last_at",
                  rd_json_opt_instant(p->has_last_checkin, p->last_checkin_at), "last_status",
                  rd_json_nonempty_or_null(p->has_last_checkin ? p->last_checkin_status : NULL),
                  "due_at", p->closed ? json_null() : rd_json_instant(due), "overdue",
                  v->checkin_overdue, "days_overdue", v->checkin_days_overdue);
    json_t *exit =
        json_pack("{s:i, s:i, s:i, s:b}", "months_required", v->exit_months, "months_out_of_bottom",
                  v->exit.months_out, "months_judged", v->exit.months_judged, "met", v->exit.met);
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
                  "id", (json_int_t)p->id, "scope", p->scope, "code", p->code, "responsible",
                  p->responsible ? p->responsible : "", "measures", p->measures ? p->measures : "",
                  "opened_at", rd_json_instant(p->opened_at), "opened_month",
                  rd_json_month(p->opened_month), "opened_by", p->opened_by, "status", p->status,
                  "closed_at", rd_json_opt_instant(p->closed, p->closed_at), "closed_by",
                  rd_json_nonempty_or_null(p->closed ? p->closed_by : NULL), "close_note",
                  rd_json_nonempty_or_null(p->closed ? p->close_note : NULL), "exit_met_at_close",
                  p->closed ? json_boolean(p->exit_met_at_close) : json_null(), "checkin", checkin,
                  "exit", exit);
    if (!o || !detail)
        return o;
    json_t *months = json_array(), *checkins = json_array();
    for (size_t i = 0; months && i < v->n_months; i++)
        json_array_append_new(months, month_json(&v->months[i]));
    for (size_t i = 0; checkins && i < v->n_checkins; i++)
        json_array_append_new(checkins, checkin_json(&v->checkins[i]));
    json_object_set_new(o, "months", months);
    json_object_set_new(o, "checkins", checkins);
    return o;
}

json_t *rd_programme_detail_json(const rd_programme_detail *d)
{
    json_t *o = view_json(&d->v, true);
    if (o)
        json_object_set_new(o, "audit", audit_json(d->audit, d->n_audit));
    return o;
}

json_t *rd_programme_list_json(const rd_programme_list *l)
{
    json_t *items = json_array();
    for (size_t i = 0; items && i < l->n; i++)
        json_array_append_new(items, view_json(&l->items[i], false));
    return items ? json_pack("{s:o}", "programmes", items) : NULL;
}

static json_t *assignment_json(const rd_green_assignment *a)
{
    return json_pack("{s:s, s:o, s:s, s:i, s:o, s:o}", "specialist", a->specialist, "assigned_at",
                     rd_json_instant(a->assigned_at), "assigned_by", a->assigned_by,
                     "verifications", a->n_verifications, "last_verified_at",
                     rd_json_opt_instant(a->has_last_verification, a->last_verified_at),
                     "last_solved",
                     a->has_last_verification ? json_boolean(a->last_solved) : json_null());
}

json_t *rd_green_worklist_json(const rd_green_worklist *w)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < w->n_rows; i++) {
        const rd_green_work *r = &w->rows[i];
        json_t *o = rd_green_chain_json(r->chain);
        if (!o)
            continue;
        json_object_set_new(o, "days_waiting", json_integer(r->days_waiting));
        json_object_set_new(o, "assignment", r->assigned ? assignment_json(&r->a) : json_null());
        json_object_set_new(o, "days_since_verification",
                            r->assigned ? json_integer(r->days_since_check) : json_null());
        json_object_set_new(o, "verification_overdue", json_boolean(r->verify_overdue));
        json_array_append_new(rows, o);
    }
    return rows ? json_pack("{s:i, s:i, s:i, s:I, s:I, s:o}", "min_repeats", w->min_repeats,
                            "verify_days", w->verify_days, "definition_version",
                            w->definition_version, "unassigned", (json_int_t)w->unassigned,
                            "verification_overdue", (json_int_t)w->overdue, "chains", rows)
                : NULL;
}

json_t *rd_green_chain_detail_json(const rd_green_chain_detail *d)
{
    json_t *ver = json_array();
    for (size_t i = 0; ver && i < d->n_verifications; i++) {
        const rd_green_verification *v = &d->verifications[i];
        json_array_append_new(ver,
                              json_pack("{s:I, s:s, s:o, s:s, s:b, s:s}", "id", (json_int_t)v->id,
                                        "specialist", v->specialist, "at", rd_json_instant(v->at),
                                        "found", v->found ? v->found : "", "solved", v->solved,
                                        "recorded_by", v->recorded_by));
    }
    return json_pack("{s:s, s:b, s:i, s:o, s:i, s:b, s:o, s:o}", "chain_id", d->chain_id,
                     "in_green_channel", d->in_channel, "repeats", d->repeats, "assignment",
                     d->assigned ? assignment_json(&d->a) : json_null(), "verify_days",
                     d->verify_days, "verification_overdue", d->verify_overdue, "verifications",
                     ver, "audit", audit_json(d->audit, d->n_audit));
}

/* ---- the report ---- */

/* The whole line's numbers in the period starting at m, as /v1/kpi/repeats has them. */
static json_t *headline_period(const rd_report *r, int m)
{
    const rd_kpi_row *row = NULL;
    for (size_t i = 0; i < r->headline.n_items; i++)
        if (r->headline.items[i].period_start == m)
            row = r->headline.items[i].row;
    long c = row ? row->v[RD_KPI_COMPLAINTS] : 0, k = row ? row->v[RD_KPI_REPEATS] : 0;
    char label[RD_PERIOD_LABEL_MAX];
    rd_period_label(r->kind, m, label);
    return json_pack("{s:s, s:I, s:I, s:o}", "period", label, "complaints", (json_int_t)c,
                     "repeats", (json_int_t)k, "repeat_rate", rate_json(k, c));
}

/* Differences of the current period against another: counts and the rate in points. */
static json_t *versus(json_t *now, json_t *then)
{
    long c = (long)json_integer_value(json_object_get(now, "complaints"));
    long k = (long)json_integer_value(json_object_get(now, "repeats"));
    long c0 = (long)json_integer_value(json_object_get(then, "complaints"));
    long k0 = (long)json_integer_value(json_object_get(then, "repeats"));
    json_t *rate = json_object_get(now, "repeat_rate"),
           *rate0 = json_object_get(then, "repeat_rate");
    return json_pack("{s:I, s:I, s:o, s:o}", "complaints", (json_int_t)(c - c0), "repeats",
                     (json_int_t)(k - k0), "repeats_change_rate", rate_json(k - k0, k0),
                     "repeat_rate",
                     json_is_real(rate) && json_is_real(rate0)
                         ? json_real(json_real_value(rate) - json_real_value(rate0))
                         : json_null());
}

static json_t *headline_json(const rd_report *r)
{
    json_t *now = headline_period(r, r->month), *prev = headline_period(r, r->previous);
    json_t *ago = headline_period(r, r->year_ago);
    if (!now || !prev || !ago) {
        json_decref(now);
        json_decref(prev);
        json_decref(ago);
        return NULL;
    }
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "vs_previous", versus(now, prev), "vs_year_ago",
                     versus(now, ago), "current", now, "previous", prev, "year_ago", ago);
}

static json_t *ranking_json(const rd_report *r)
{
    json_t *o = rd_kpi_ranking_json(&r->ranking);
    json_t *bottom = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(o, "rows"), i, row)
    {
        if (json_is_true(json_object_get(row, "watch")))
            json_array_append(bottom, row);
    }
    if (o)
        json_object_set_new(o, "bottom", bottom);
    else
        json_decref(bottom);
    return o;
}

static json_t *programmes_json(const rd_report *r)
{
    int last = r->month + rd_period_months(r->kind) - 1;
    long opened = 0, closed = 0, open_now = 0, met = 0, overdue = 0;
    for (size_t i = 0; i < r->programmes.n; i++) {
        const rd_programme_view *v = &r->programmes.items[i];
        opened += v->p.opened_month >= r->month && v->p.opened_month <= last;
        closed += v->p.closed && v->p.closed_month >= r->month && v->p.closed_month <= last;
        open_now += !v->p.closed;
        met += v->exit.met;
        overdue += v->checkin_overdue;
    }
    json_t *o = rd_programme_list_json(&r->programmes);
    if (o) {
        json_object_set_new(o, "opened_in_period", json_integer(opened));
        json_object_set_new(o, "closed_in_period", json_integer(closed));
        json_object_set_new(o, "open_now", json_integer(open_now));
        json_object_set_new(o, "exit_met", json_integer(met));
        json_object_set_new(o, "checkin_overdue", json_integer(overdue));
    }
    return o;
}

static json_t *anomalies_json(const rd_report *r)
{
    return json_pack("{s:o, s:o}", "by_category", rd_kpi_anomalies_json(&r->anomalies_category),
                     "by_unit", rd_kpi_anomalies_json(&r->anomalies_unit));
}

static json_t *top_json(const rd_report *r)
{
    return rd_kpi_top_problems_json(&r->top_problems);
}

static json_t *contact_json(const rd_report *r)
{
    return rd_kpi_contact_failures_json(&r->contact_failures);
}

static json_t *quality_json(const rd_report *r)
{
    return rd_kpi_closeout_quality_json(&r->closeout_quality);
}

static json_t *green_json(const rd_report *r)
{
    const rd_green_worklist *w = &r->green;
    return json_pack("{s:i, s:i, s:I, s:I, s:I, s:I, s:I}", "min_repeats", w->min_repeats,
                     "verify_days", w->verify_days, "in_channel_now", (json_int_t)w->n_rows,
                     "unassigned_now", (json_int_t)w->unassigned, "verification_overdue_now",
                     (json_int_t)w->overdue, "verifications_in_period",
                     (json_int_t)r->verifications, "solved_in_period",
                     (json_int_t)r->verifications_solved);
}

static json_t *opt_text(bool set, const char *s)
{
    return set ? json_string(s) : json_null();
}

/* The problem list's movements: the counts, and the problems that make them up. */
static json_t *problems_json(const rd_report *r)
{
    long created = 0, to_ip = 0, to_vf = 0, to_cu = 0, measures = 0, measured = 0, overdue = 0;
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < r->n_problems; i++) {
        const rd_problem_movement *m = &r->problems[i];
        created += m->created;
        to_ip += m->to_in_progress;
        to_vf += m->to_verified_fixed;
        to_cu += m->to_closed_unfixed;
        measures += m->measures;
        measured += m->measures > 0;
        overdue += m->overdue_at_end;
        json_t *o =
            json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:s, s:b, s:i, s:i, s:i, s:i, s:s, s:b}",
                      "id", (json_int_t)m->id, "title", m->title, "category", m->category, "unit",
                      opt_text(m->has_unit, m->unit), "department",
                      opt_text(m->has_department, m->department), "due_date",
                      opt_text(m->has_due_date, m->due_date), "created_date", m->created_date,
                      "created_in_period", m->created, "to_in_progress", m->to_in_progress,
                      "to_verified_fixed", m->to_verified_fixed, "to_closed_unfixed",
                      m->to_closed_unfixed, "measures_taken", m->measures, "status_at_end",
                      m->status_at_end, "overdue_at_end", m->overdue_at_end);
        json_array_append_new(rows, o);
    }
    return rows ? json_pack("{s:I, s:{s:I, s:I, s:I}, s:I, s:I, s:I, s:o}", "created",
                            (json_int_t)created, "status_changes", "in_progress", (json_int_t)to_ip,
                            "verified_fixed", (json_int_t)to_vf, "closed_unfixed",
                            (json_int_t)to_cu, "measures_taken", (json_int_t)measures,
                            "problems_with_measures", (json_int_t)measured, "overdue_at_end",
                            (json_int_t)overdue, "rows", rows)
                : NULL;
}

/* The report's sections in the order they read; a new one is one more row (beside app/report.c's
 * filler). */
static const struct {
    const char *key;
    json_t *(*json)(const rd_report *r);
} sections[] = {
    {"headline", headline_json},        {"ranking", ranking_json},
    {"programmes", programmes_json},    {"top_problems", top_json},
    {"anomalies", anomalies_json},      {"contact_failures", contact_json},
    {"closeout_quality", quality_json}, {"green_channel", green_json},
    {"problems", problems_json},
};

static void add_versions(json_t *set, const rd_kpi_answer *a)
{
    for (size_t i = 0; i < a->n_versions; i++) {
        json_int_t v = a->versions[i];
        size_t k;
        json_t *x;
        bool seen = false;
        json_array_foreach(set, k, x) seen |= json_integer_value(x) == v;
        if (!seen)
            json_array_append_new(set, json_integer(v));
    }
}

static int cmp_json_int(const void *x, const void *y)
{
    json_int_t a = json_integer_value(*(json_t *const *)x);
    json_int_t b = json_integer_value(*(json_t *const *)y);
    return a < b ? -1 : a > b;
}

/* The union of the versions the report's numbers were made under, ascending. */
static json_t *versions_json(const rd_report *r)
{
    json_t *set = json_array();
    const rd_kpi_answer *answers[] = {
        &r->headline,       &r->ranking,          &r->top_problems,    &r->anomalies_category,
        &r->anomalies_unit, &r->contact_failures, &r->closeout_quality};
    for (size_t i = 0; set && i < sizeof(answers) / sizeof(answers[0]); i++)
        add_versions(set, answers[i]);
    size_t n = json_array_size(set);
    json_t **v = calloc(n ? n : 1, sizeof(*v));
    json_t *sorted = json_array();
    if (!v || !sorted) {
        free(v);
        json_decref(set);
        json_decref(sorted);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(set, i);
    qsort(v, n, sizeof(*v), cmp_json_int);
    for (size_t i = 0; i < n; i++)
        json_array_append(sorted, v[i]);
    free(v);
    json_decref(set);
    return sorted;
}

json_t *rd_report_json(const rd_report *r)
{
    char label[RD_PERIOD_LABEL_MAX], prev[RD_PERIOD_LABEL_MAX], ago[RD_PERIOD_LABEL_MAX];
    rd_period_label(r->kind, r->month, label);
    rd_period_label(r->kind, r->previous, prev);
    rd_period_label(r->kind, r->year_ago, ago);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "period", label, "period_kind",
                          rd_period_kind_name(r->kind), "previous_period", prev, "year_ago_period",
                          ago, "definition_versions", versions_json(r));
    for (size_t i = 0; o && i < sizeof(sections) / sizeof(sections[0]); i++) {
        json_t *s = sections[i].json(r);
        if (!s) {
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, sections[i].key, s);
    }
    return o;
}
