/* The problem list's answers as JSON: problems, their history and effect, suggestions. */
#include "repeatd/problem_json.h"

#include "repeatd/json_spec.h"
#include "repeatd/json_out.h"
#include "repeatd/kpi.h"

#include <string.h>

/* A rate or a change that may be absent: null. */
static json_t *opt_real(bool set, double v)
{
    return set ? json_real(v) : json_null();
}

json_t *rd_problem_json(const rd_problem *p)
{
    json_t *scope = json_pack("{s:s, s:s, s:o}", "category", p->category, "category_name",
                              p->category_name, "unit", rd_json_opt_string(p->has_unit, p->unit));
    return json_pack("{s:I, s:s, s:o, s:s, s:o, s:o, s:o, s:s, s:b, s:i, s:o, s:o, s:s, s:o}", "id",
                     (json_int_t)p->id, "title", p->title, "scope", scope, "source", p->source,
                     "source_period", rd_json_opt_string(p->has_source_period, p->source_period),
                     "department", rd_json_opt_string(p->has_department, p->department), "due_date",
                     rd_json_opt_string(p->has_due_date, p->due_date), "status", p->status,
                     "overdue", p->overdue, "measure_count", p->measures, "first_measure_date",
                     rd_json_opt_string(p->has_first_effective, p->first_effective), "created_at",
                     rd_json_instant(p->created_at), "created_by", p->created_by, "updated_at",
                     rd_json_instant(p->updated_at));
}

static json_t *side_json(const rd_effect_side *s)
{
    return json_pack("{s:i, s:I, s:I, s:f, s:o}", "months", s->months, "complaints",
                     (json_int_t)s->complaints, "repeats", (json_int_t)s->repeats,
                     "repeats_per_month", s->repeats_per_month, "repeat_rate",
                     opt_real(s->rate >= 0, s->rate));
}

static json_t *effect_json(const rd_problem_view *v)
{
    const rd_effect *e = &v->effect;
    json_t *months = json_array();
    for (size_t i = 0; i < v->n_months; i++) {
        const rd_effect_month *m = &v->months[i];
        json_array_append_new(
            months,
            json_pack("{s:o, s:I, s:I, s:o, s:s, s:b}", "period", rd_json_month(m->month),
                      "complaints", (json_int_t)m->complaints, "repeats", (json_int_t)m->repeats,
                      "repeat_rate",
                      opt_real(m->complaints > 0, rd_rate(m->repeats, m->complaints)), "side",
                      m->month < v->start ? "before" : "after", "complete", m->complete));
    }
    json_t *change = json_pack(
        "{s:o, s:o, s:o}", "repeats_per_month", opt_real(e->has_repeats_change, e->repeats_change),
        "repeats_per_month_ratio", opt_real(e->has_repeats_change_ratio, e->repeats_change_ratio),
        "repeat_rate", opt_real(e->has_rate_change, e->rate_change));
    return json_pack("{s:o, s:i, s:s, s:o, s:o, s:o, s:o, s:o}", "measured_from",
                     v->has_start ? rd_json_month(v->start) : json_null(), "months_before",
                     v->months_before, "category", v->problem.category, "unit",
                     rd_json_opt_string(v->problem.has_unit, v->problem.unit), "months", months,
                     "before", side_json(&e->before), "after", side_json(&e->after), "change",
                     change);
}

json_t *rd_problem_view_json(const rd_problem_view *v)
{
    json_t *o = rd_problem_json(&v->problem);
    if (!o)
        return NULL;
    json_t *measures = json_array();
    for (size_t i = 0; i < v->n_measures; i++) {
        const rd_problem_measure *m = &v->measures[i];
        json_array_append_new(
            measures, json_pack("{s:I, s:s, s:s, s:o, s:s}", "id", (json_int_t)m->id, "description",
                                m->description ? m->description : "", "effective_date",
                                m->effective_date, "recorded_at", rd_json_instant(m->recorded_at),
                                "recorded_by", m->recorded_by));
    }
    json_t *updates = json_array();
    for (size_t i = 0; i < v->n_updates; i++) {
        const rd_problem_update *u = &v->updates[i];
        json_t *changes = u->changes ? json_loads(u->changes, 0, NULL) : NULL;
        json_array_append_new(
            updates, json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s}", "id",
                               (json_int_t)u->id, "kind", u->kind, "date", u->date, "note",
                               rd_json_opt_string(u->note != NULL, u->note ? u->note : ""),
                               "old_status", rd_json_opt_string(u->has_old_status, u->old_status),
                               "new_status", rd_json_opt_string(u->has_new_status, u->new_status),
                               "changes", changes ? changes : json_null(), "recorded_at",
                               rd_json_instant(u->recorded_at), "recorded_by", u->recorded_by));
    }
    json_t *allowed = json_array();
    rd_problem_status st;
    if (rd_problem_status_parse(v->problem.status, &st) == 0)
        for (int i = 0; i < RD_PROBLEM_STATUS_COUNT_; i++)
            if (rd_problem_transitions(st) & (1u << i))
                json_array_append_new(allowed,
                                      json_string(rd_problem_status_name((rd_problem_status)i)));
    json_object_set_new(o, "allowed_transitions", allowed);
    json_object_set_new(o, "measures", measures);
    json_object_set_new(o, "updates", updates);
    json_object_set_new(o, "effect", effect_json(v));
    return o;
}

json_t *rd_problem_page_json(const rd_problem_page *page)
{
    json_t *list = json_array();
    for (size_t i = 0; i < page->n; i++)
        json_array_append_new(list, rd_problem_json(&page->items[i]));
    return json_pack("{s:o, s:I, s:I, s:I}", "problems", list, "total", (json_int_t)page->total,
                     "limit", (json_int_t)page->limit, "offset", (json_int_t)page->offset);
}

static json_t *suggestion_json(const rd_problem_suggestions *all, const rd_problem_suggestion *s)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "source", s->source, "category", s->category,
                          "category_name", s->category_name, "period", all->period);
    if (!strcmp(s->source, "top_problem")) {
        json_object_set_new(o, "rank", json_integer(s->rank));
        json_object_set_new(o, "repeats", json_integer(s->repeats));
        json_object_set_new(o, "previous", json_integer(s->previous));
    } else if (!strcmp(s->source, "anomaly")) {
        json_object_set_new(o, "repeats", json_integer(s->repeats));
        json_object_set_new(o, "baseline", json_real(s->baseline));
        json_object_set_new(o, "score", json_real(s->score));
    } else {
        json_object_set_new(o, "citizens", json_integer(s->citizens));
        json_object_set_new(o, "tickets", json_integer(s->tickets));
        json_object_set_new(o, "location", json_pack("{s:f, s:f}", "lat", s->lat, "lon", s->lon));
        json_object_set_new(o, "first_received_at", rd_json_instant(s->first_at));
        json_object_set_new(o, "last_received_at", rd_json_instant(s->last_at));
    }
    /* The body of POST /v1/problems that puts it on the list. */
    json_object_set_new(o, "problem",
                        json_pack("{s:s, s:{s:s}, s:s, s:s}", "title", s->title, "scope",
                                  "category", s->category, "source", s->source, "source_period",
                                  all->period));
    return o;
}

json_t *rd_problem_suggestions_json(const rd_problem_suggestions *s)
{
    json_t *list = json_array(), *versions = json_array();
    for (size_t i = 0; i < s->n; i++)
        json_array_append_new(list, suggestion_json(s, &s->items[i]));
    for (size_t i = 0; i < s->n_versions; i++)
        json_array_append_new(versions, json_integer(s->versions[i]));
    return json_pack("{s:s, s:{s:i, s:i, s:i}, s:o, s:o}", "period", s->period, "hotspot",
                     "min_citizens", s->min_citizens, "radius_m", s->radius_m, "days", s->days,
                     "definition_versions", versions, "suggestions", list);
}
