/* The problem list (问题清单): create, read with its effect, list, and the dated writes on one
 * problem, each recorded as an update naming the key that made it. */
#include "repeatd/problem_list.h"

#include "repeatd/closeout.h" /* rd_utf8_chars */
#include "repeatd/json_spec.h"
#include "repeatd/kpi.h"
#include "repeatd/kpi_store.h"
#include "repeatd/loop.h"
#include "repeatd/loop_common.h"
#include "repeatd/months.h"
#include "repeatd/problem_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rd_problem_view_free(rd_problem_view *v)
{
    if (!v)
        return;
    store_problem_measures_free(v->measures, v->n_measures);
    store_problem_updates_free(v->updates, v->n_updates);
    free(v->months);
    memset(v, 0, sizeof(*v));
}

/* ---- checks without the database ---- */

/* A problem's id in a path (rd_loop_id_parse's rule): anything else is a problem not found. */
static int parse_id(const char *s, int64_t *ret, rd_refusal *ref)
{
    if (rd_loop_id_parse(s, ret) < 0)
        return rd_refuse(ref, RD_ERR_NOT_FOUND, "id", "there is no problem %s", s ? s : "");
    return 0;
}

/* The first day of a period label of any kind, in days since 1970-01-01. */
static int period_first_day(const char *label, int64_t *ret)
{
    rd_period_kind k;
    int m;
    if (rd_period_parse_any(label, &k, &m) < 0)
        return -EINVAL;
    *ret = rd_days_from_civil(m / 12, m % 12 + 1, 1);
    return 0;
}

static int check_date(const char *field, const char *value, int64_t *ret, rd_refusal *ref)
{
    if (rd_date_parse(value, ret) < 0)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, field, "%s must be a date like 2026-10-31",
                         field);
    return 0;
}

/* A dated entry lies between the period that surfaced the problem and today. */
static int check_dated(const char *field, int64_t day, const rd_problem *p, const char *today,
                       rd_refusal *ref)
{
    int64_t first, now;
    if (p->has_source_period && period_first_day(p->source_period, &first) == 0 && day < first)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, field,
                         "%s is before the period %s that surfaced the problem", field,
                         p->source_period);
    if (rd_date_parse(today, &now) == 0 && day > now)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, field,
                         "%s is after today (%s): record what has happened", field, today);
    return 0;
}

/* ---- reading a problem with its effect ---- */

/* The scope's repeats and complaints per month from the aggregates: the category's leaves
 * summed as GET /v1/kpi/repeats?by=category&level=N sums them. */
static int load_effect(rd_db *db, rd_problem_view *v, int months_before)
{
    const rd_problem *p = &v->problem;
    int level;
    bool leaf;
    int r = store_category_level(db, p->category, &level, &leaf);
    if (r <= 0)
        return r < 0 ? r : -EIO;
    v->months_before = months_before;
    v->has_start = p->has_first_effective;
    /* Without a measure every month is before: the last months_before complete ones. */
    v->start = v->has_start ? p->first_effective_month : v->now_month + 1;
    int from = (v->has_start ? v->start : v->now_month) - months_before, to = v->now_month;
    if (to - from + 1 > months_before + RD_PROBLEM_MONTHS_SINCE_MAX)
        to = from + months_before + RD_PROBLEM_MONTHS_SINCE_MAX - 1;
    if (to < from)
        to = from;
    v->from = from;
    v->n_months = (size_t)to - (size_t)from + 1; /* to >= from */
    v->months = calloc(v->n_months, sizeof(*v->months));
    if (!v->months)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_months; i++) {
        v->months[i].month = from + (int)i;
        v->months[i].complete = v->months[i].month < v->now_month;
    }
    if (p->has_unit) { /* the unit's counts in the category's leaves */
        store_month_counts *rows = NULL;
        size_t n_rows = 0;
        r = store_unit_category_months(db, p->category, p->unit, from, to, &rows, &n_rows);
        for (size_t k = 0; r == 0 && k < n_rows; k++) {
            rd_effect_month *m = &v->months[rows[k].month - from];
            m->complaints = (long)rows[k].complaints;
            m->repeats = (long)rows[k].repeats;
        }
        free(rows);
    } else {
        rd_kpi_row *rows = NULL;
        size_t n_rows = 0;
        r = store_kpi_grouped(db, RD_DIM_CATEGORY, leaf ? 0 : level, 1, from, to, &rows, &n_rows);
        for (size_t k = 0; r == 0 && k < n_rows; k++)
            if (!strcmp(rows[k].key, p->category)) {
                rd_effect_month *m = &v->months[rows[k].period_start - from];
                m->complaints = rows[k].v[RD_KPI_COMPLAINTS];
                m->repeats = rows[k].v[RD_KPI_REPEATS];
            }
        free(rows);
    }
    if (r < 0)
        return r;
    rd_problem_effect(v->months, v->n_months, v->start, &v->effect);
    return 0;
}

typedef struct view_in {
    rd_service *svc;
    int64_t id;
    int months_before;
} view_in;

static void view_clear(void *out)
{
    rd_problem_view_free(out);
}

static int view_body(rd_db *db, const void *in_, void *out)
{
    const view_in *in = in_;
    rd_problem_view *v = out;
    rd_settings s;
    int r = rd_service_settings(in->svc, db, &s);
    if (r == 0)
        r = store_problem_get(db, in->id, s.time_zone, false, &v->problem);
    if (r == 0)
        return -ENOENT;
    if (r > 0)
        r = store_problem_measures(db, in->id, s.time_zone, &v->measures, &v->n_measures);
    if (r == 0)
        r = store_problem_updates(db, in->id, s.time_zone, &v->updates, &v->n_updates);
    if (r == 0)
        r = store_month_now(db, s.time_zone, &v->now_month);
    if (r == 0)
        r = load_effect(db, v, in->months_before);
    return r;
}

static int view_load(rd_service *svc, rd_db **db, int64_t id, int months_before,
                     rd_problem_view *ret, rd_refusal *ref)
{
    view_in in = {.svc = svc, .id = id, .months_before = months_before};
    rd_problem_view v = {0};
    rd_tx tx = {.body = view_body, .in = &in, .out = &v, .clear = view_clear, .readonly = true};
    int r = rd_service_tx(svc, db, &tx);
    if (r == -ENOENT)
        r = rd_refuse(ref, RD_ERR_NOT_FOUND, "id", "there is no problem %lld", (long long)id);
    if (r < 0) {
        rd_problem_view_free(&v);
        return r;
    }
    *ret = v;
    return 0;
}

int rd_problem_get(rd_service *svc, rd_db **db, const char *id, int months_before,
                   rd_problem_view *ret, rd_refusal *ref)
{
    int64_t n;
    int r = parse_id(id, &n, ref);
    if (r < 0)
        return r;
    if (months_before < 1 || months_before > RD_PROBLEM_MONTHS_BEFORE_MAX)
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "months_before",
                         "months_before must be from 1 to %d", RD_PROBLEM_MONTHS_BEFORE_MAX);
    return view_load(svc, db, n, months_before, ret, ref);
}

/* ---- create ---- */

typedef struct create_in {
    const char *title, *category, *unit, *source, *source_period, *department, *due_date;
    const char *who;
    rd_service *svc;
} create_in;

static const char *const sources[] = {"top_problem", "anomaly", "hotspot", "manual", NULL};

#define F(x) offsetof(create_in, x)
static const rd_field scope_fields[] = {
    {.name = "category",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 64,
     .offset = F(category)},
    {.name = "unit", .type = RD_F_STRING, .max_chars = 64, .offset = F(unit)},
    {0},
};
static const rd_field create_fields[] = {
    {.name = "title", .type = RD_F_STRING, .required = true, .max_chars = 200, .offset = F(title)},
    {.name = "scope", .type = RD_F_OBJECT, .required = true, .fields = scope_fields},
    {.name = "source", .type = RD_F_ENUM, .required = true, .values = sources, .offset = F(source)},
    {.name = "source_period", .type = RD_F_STRING, .max_chars = 16, .offset = F(source_period)},
    {.name = "department", .type = RD_F_STRING, .max_chars = 200, .offset = F(department)},
    {.name = "due_date", .type = RD_F_STRING, .max_chars = 10, .offset = F(due_date)},
    {0},
};
#undef F

static int create_check(const create_in *in, rd_refusal *ref)
{
    int64_t due, first = 0; /* set whenever source_period is */
    if (rd_loop_blank(in->title))
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "title", "title must not be empty");
    if (rd_loop_blank(in->category))
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "scope.category",
                         "scope.category must not be empty");
    char key[RD_ID_MAX];
    if (in->unit && rd_loop_blank(in->unit))
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "scope.unit", "scope.unit must not be empty");
    if (in->unit && !rd_kpi_unit_category_key(in->category, in->unit, key))
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "scope.unit",
                         "scope.unit and scope.category together must fit %d bytes", RD_ID_MAX - 2);
    if (in->department && rd_loop_blank(in->department))
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "department",
                         "department must not be empty (leave it out until one is named)");
    if (in->source_period && period_first_day(in->source_period, &first) < 0)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "source_period",
                         "source_period must be a period like 2026-10, 2026-Q4 or 2026");
    if (!in->source_period && strcmp(in->source, "manual") != 0)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "source_period",
                         "source_period is required when the source is %s", in->source);
    if (in->due_date && check_date("due_date", in->due_date, &due, ref) < 0)
        return -ECANCELED;
    if (in->due_date && in->source_period && due < first)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "due_date",
                         "due_date is before the period %s that surfaced the problem",
                         in->source_period);
    return 0;
}

typedef struct write_out {
    int64_t id;
    rd_refusal refusal;
} write_out;

static int create_body(rd_db *db, const void *in_, void *out_)
{
    const create_in *in = in_;
    write_out *out = out_;
    rd_settings s;
    int level;
    bool leaf;
    char today[RD_PROBLEM_DATE_MAX];
    int r = rd_service_settings(in->svc, db, &s);
    if (r == 0)
        r = store_category_level(db, in->category, &level, &leaf);
    if (r == 0)
        return rd_refuse(&out->refusal, RD_ERR_UNKNOWN_CATEGORY, "scope.category",
                         "%s is not a category of the tree", in->category);
    if (r > 0 && in->unit) {
        r = store_unit_known(db, in->unit);
        if (r == 0)
            return rd_refuse(&out->refusal, RD_ERR_UNKNOWN_UNIT, "scope.unit",
                             "%s is not a known unit (named under /v1/admin/units or dispatched "
                             "to)",
                             in->unit);
    }
    if (r > 0)
        r = store_today(db, s.time_zone, today);
    store_problem_new row = {.title = in->title,
                             .category = in->category,
                             .unit = in->unit,
                             .source = in->source,
                             .source_period = in->source_period,
                             .department = in->department,
                             .due_date = in->due_date,
                             .who = in->who};
    if (r == 0)
        r = store_problem_insert(db, &row, &out->id);
    store_problem_update_new u = {.problem_id = out->id,
                                  .kind = "created",
                                  .date = today,
                                  .new_status = "open",
                                  .who = in->who};
    if (r == 0)
        r = store_problem_update_insert(db, &u);
    return r;
}

static void write_clear(void *out)
{
    memset(out, 0, sizeof(write_out));
}

int rd_problem_create(rd_service *svc, rd_db **db, json_t *body, const char *who,
                      rd_problem_view *ret, rd_refusal *ref)
{
    create_in in = {.who = who, .svc = svc};
    rd_field_error err;
    if (rd_json_parse(body, create_fields, &in, &err) < 0)
        return rd_loop_field_refusal(&err, ref);
    int r = create_check(&in, ref);
    if (r < 0)
        return r;
    write_out out = {0};
    rd_tx tx = {.body = create_body, .in = &in, .out = &out, .clear = write_clear};
    r = rd_service_tx(svc, db, &tx);
    if (r == -ECANCELED)
        *ref = out.refusal;
    if (r < 0)
        return r;
    return view_load(svc, db, out.id, RD_PROBLEM_MONTHS_BEFORE_DEFAULT, ret, ref);
}

/* ---- writes on one problem ---- */

typedef enum write_kind { W_EDIT, W_MEASURE, W_NOTE, W_STATUS } write_kind;

typedef struct write_in {
    rd_service *svc;
    write_kind kind;
    int64_t id;
    const char *who;
    /* edit */
    const char *title, *department, *due_date;
    /* measure */
    const char *description, *effective_date;
    /* note, status */
    const char *note, *date, *status;
} write_in;

#define F(x) offsetof(write_in, x)
static const rd_field edit_fields[] = {
    {.name = "title", .type = RD_F_STRING, .max_chars = 200, .offset = F(title)},
    {.name = "department", .type = RD_F_STRING, .max_chars = 200, .offset = F(department)},
    {.name = "due_date", .type = RD_F_STRING, .max_chars = 10, .offset = F(due_date)},
    {0},
};
static const rd_field measure_fields[] = {
    {.name = "description",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 2000,
     .offset = F(description)},
    {.name = "effective_date",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 10,
     .offset = F(effective_date)},
    {0},
};
static const rd_field note_fields[] = {
    {.name = "note", .type = RD_F_STRING, .required = true, .max_chars = 2000, .offset = F(note)},
    {.name = "date", .type = RD_F_STRING, .max_chars = 10, .offset = F(date)},
    {0},
};
static const char *const statuses[] = {"open", "in_progress", "verified_fixed", "closed_unfixed",
                                       NULL};
static const rd_field status_fields[] = {
    {.name = "status",
     .type = RD_F_ENUM,
     .required = true,
     .values = statuses,
     .offset = F(status)},
    {.name = "note", .type = RD_F_STRING, .max_chars = 2000, .offset = F(note)},
    {.name = "date", .type = RD_F_STRING, .max_chars = 10, .offset = F(date)},
    {0},
};
#undef F

/* What can be checked without the problem: shapes, blanks, dates that parse. */
static int write_check(const write_in *in, rd_refusal *ref)
{
    int64_t d;
    switch (in->kind) {
    case W_EDIT:
        if (!in->title && !in->department && !in->due_date)
            return rd_refuse(ref, RD_ERR_INVALID_FIELD, "body",
                             "name at least one of title, department, due_date");
        if (in->title && rd_loop_blank(in->title))
            return rd_refuse(ref, RD_ERR_INVALID_FIELD, "title", "title must not be empty");
        if (in->department && rd_loop_blank(in->department))
            return rd_refuse(ref, RD_ERR_INVALID_FIELD, "department",
                             "department must not be empty");
        return in->due_date ? check_date("due_date", in->due_date, &d, ref) : 0;
    case W_MEASURE:
        if (rd_loop_blank(in->description))
            return rd_refuse(ref, RD_ERR_INVALID_FIELD, "description",
                             "description must not be empty");
        return check_date("effective_date", in->effective_date, &d, ref);
    case W_NOTE:
    case W_STATUS:
        if (in->kind == W_NOTE && rd_loop_blank(in->note))
            return rd_refuse(ref, RD_ERR_INVALID_FIELD, "note", "note must not be empty");
        return in->date ? check_date("date", in->date, &d, ref) : 0;
    }
    return 0;
}

/* {"field": [old, new]} of the fields an edit changes; NULL when it changes none. */
static char *edit_changes(const rd_problem *p, const write_in *in)
{
    json_t *c = json_object();
    if (in->title && strcmp(in->title, p->title) != 0)
        json_object_set_new(c, "title", json_pack("[s,s]", p->title, in->title));
    if (in->department && (!p->has_department || strcmp(in->department, p->department) != 0))
        json_object_set_new(
            c, "department",
            json_pack("[s?,s]", p->has_department ? p->department : NULL, in->department));
    if (in->due_date && (!p->has_due_date || strcmp(in->due_date, p->due_date) != 0))
        json_object_set_new(
            c, "due_date", json_pack("[s?,s]", p->has_due_date ? p->due_date : NULL, in->due_date));
    char *text = json_object_size(c) ? json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(c);
    return text;
}

static int write_body(rd_db *db, const void *in_, void *out_)
{
    const write_in *in = in_;
    write_out *out = out_;
    rd_refusal *ref = &out->refusal;
    rd_settings s;
    rd_problem p;
    char today[RD_PROBLEM_DATE_MAX];
    int r = rd_service_settings(in->svc, db, &s);
    if (r == 0)
        r = store_problem_get(db, in->id, s.time_zone, true, &p);
    if (r == 0)
        return rd_refuse(ref, RD_ERR_NOT_FOUND, "id", "there is no problem %lld",
                         (long long)in->id);
    if (r > 0)
        r = store_today(db, s.time_zone, today);
    if (r < 0)
        return r;
    out->id = in->id;
    const char *date = in->date ? in->date : today;
    int64_t day;
    store_problem_update_new u = {.problem_id = in->id, .date = date, .who = in->who};
    switch (in->kind) {
    case W_EDIT: {
        int64_t first;
        if (in->due_date && p.has_source_period && rd_date_parse(in->due_date, &day) == 0 &&
            period_first_day(p.source_period, &first) == 0 && day < first)
            return rd_refuse(ref, RD_ERR_INVALID_FIELD, "due_date",
                             "due_date is before the period %s that surfaced the problem",
                             p.source_period);
        char *changes = edit_changes(&p, in);
        if (!changes)
            return 0; /* nothing changes: nothing to record */
        r = store_problem_set_fields(db, in->id, in->title ? in->title : p.title,
                                     in->department     ? in->department
                                     : p.has_department ? p.department
                                                        : NULL,
                                     in->due_date     ? in->due_date
                                     : p.has_due_date ? p.due_date
                                                      : NULL);
        u.kind = "edited";
        u.date = today;
        u.changes = changes;
        if (r == 0)
            r = store_problem_update_insert(db, &u);
        free(changes);
        return r;
    }
    case W_MEASURE:
        (void)rd_date_parse(in->effective_date, &day);
        if (check_dated("effective_date", day, &p, today, ref) < 0)
            return -ECANCELED;
        r = store_problem_measure_insert(db, in->id, in->description, in->effective_date, in->who);
        u.kind = "measure";
        u.date = in->effective_date;
        u.note = in->description;
        return r < 0 ? r : store_problem_update_insert(db, &u);
    case W_NOTE:
    case W_STATUS:
        (void)rd_date_parse(date, &day);
        if (check_dated("date", day, &p, today, ref) < 0)
            return -ECANCELED;
        u.kind = in->kind == W_NOTE ? "note" : "status";
        u.note = in->note;
        if (in->kind == W_STATUS) {
            rd_problem_status from, to;
            if (rd_problem_status_parse(p.status, &from) < 0 ||
                rd_problem_status_parse(in->status, &to) < 0)
                return -EIO;
            unsigned allowed = rd_problem_transitions(from);
            if (!(allowed & (1u << to))) {
                rd_refuse(ref, RD_ERR_INVALID_TRANSITION, "status", "a problem %s cannot become %s",
                          p.status, in->status);
                ref->from_status = rd_problem_status_name(from);
                for (int i = 0; i < RD_PROBLEM_STATUS_COUNT_; i++)
                    if (allowed & (1u << i) &&
                        ref->n_allowed < sizeof(ref->allowed) / sizeof(ref->allowed[0]))
                        ref->allowed[ref->n_allowed++] =
                            rd_problem_status_name((rd_problem_status)i);
                return -ECANCELED;
            }
            /* The statuses follow one another in time: a change is not dated before the
             * last one (the report reads the status at a period's end from these dates). */
            char last[RD_PROBLEM_DATE_MAX];
            r = store_problem_last_status_date(db, in->id, last);
            if (r < 0)
                return r;
            if (r == 1 && strcmp(date, last) < 0)
                return rd_refuse(ref, RD_ERR_EVENT_OUT_OF_ORDER, "date",
                                 "date %s is before the problem's last status change (%s)", date,
                                 last);
            r = store_problem_set_status(db, in->id, in->status);
            u.old_status = p.status;
            u.new_status = in->status;
        }
        return r < 0 ? r : store_problem_update_insert(db, &u);
    }
    return -EINVAL;
}

static int write_run(rd_service *svc, rd_db **db, const char *id, json_t *body, const char *who,
                     write_kind kind, const rd_field *fields, rd_problem_view *ret, rd_refusal *ref)
{
    write_in in = {.svc = svc, .kind = kind, .who = who};
    int r = parse_id(id, &in.id, ref);
    if (r < 0)
        return r;
    rd_field_error err;
    if (rd_json_parse(body, fields, &in, &err) < 0)
        return rd_loop_field_refusal(&err, ref);
    r = write_check(&in, ref);
    if (r < 0)
        return r;
    write_out out = {0};
    rd_tx tx = {.body = write_body, .in = &in, .out = &out, .clear = write_clear};
    r = rd_service_tx(svc, db, &tx);
    if (r == -ECANCELED)
        *ref = out.refusal;
    if (r < 0)
        return r;
    return view_load(svc, db, in.id, RD_PROBLEM_MONTHS_BEFORE_DEFAULT, ret, ref);
}

int rd_problem_edit(rd_service *svc, rd_db **db, const char *id, json_t *body, const char *who,
                    rd_problem_view *ret, rd_refusal *ref)
{
    return write_run(svc, db, id, body, who, W_EDIT, edit_fields, ret, ref);
}

int rd_problem_measure_add(rd_service *svc, rd_db **db, const char *id, json_t *body,
                           const char *who, rd_problem_view *ret, rd_refusal *ref)
{
    return write_run(svc, db, id, body, who, W_MEASURE, measure_fields, ret, ref);
}

int rd_problem_note_add(rd_service *svc, rd_db **db, const char *id, json_t *body, const char *who,
                        rd_problem_view *ret, rd_refusal *ref)
{
    return write_run(svc, db, id, body, who, W_NOTE, note_fields, ret, ref);
}

int rd_problem_status_set(rd_service *svc, rd_db **db, const char *id, json_t *body,
                          const char *who, rd_problem_view *ret, rd_refusal *ref)
{
    return write_run(svc, db, id, body, who, W_STATUS, status_fields, ret, ref);
}

/* ---- the movements of a period (the periodic report) ---- */

typedef struct moves_in {
    rd_service *svc;
    char first[RD_PROBLEM_DATE_MAX], until[RD_PROBLEM_DATE_MAX];
} moves_in;

typedef struct moves_out {
    rd_problem_movement *rows;
    size_t n;
} moves_out;

static void moves_clear(void *out)
{
    moves_out *o = out;
    free(o->rows);
    memset(o, 0, sizeof(*o));
}

static int moves_body(rd_db *db, const void *in_, void *out_)
{
    const moves_in *in = in_;
    moves_out *out = out_;
    rd_settings s;
    int r = rd_service_settings(in->svc, db, &s);
    return r < 0 ? r
                 : store_problem_movements(db, in->first, in->until, s.time_zone, &out->rows,
                                           &out->n);
}

/* 2026-10-01 of a month index (a period label's year has four digits). */
static void month_first_day(int month, char ret[RD_PROBLEM_DATE_MAX])
{
    unsigned y = (unsigned)(month / 12) % 10000u, m = (unsigned)(month % 12) % 12u + 1u;
    snprintf(ret, RD_PROBLEM_DATE_MAX, "%04u-%02u-01", y, m);
}

int rd_problem_movements(rd_service *svc, rd_db **db, int from, int to, rd_problem_movement **ret,
                         size_t *ret_n)
{
    moves_in in = {.svc = svc};
    month_first_day(from, in.first);
    month_first_day(to + 1, in.until);
    moves_out out = {0};
    rd_tx tx = {.body = moves_body, .in = &in, .out = &out, .clear = moves_clear, .readonly = true};
    int r = rd_service_read_tx(svc, db, &tx); /* the report's: a replica's when one keeps up */
    if (r < 0) {
        moves_clear(&out);
        return r;
    }
    *ret = out.rows;
    *ret_n = out.n;
    return 0;
}

/* ---- the list ---- */

typedef struct list_in {
    rd_service *svc;
    const rd_problem_query *q;
} list_in;

static void page_clear(void *out)
{
    rd_problem_page *p = out;
    free(p->items);
    memset(p, 0, sizeof(*p));
}

static int list_body(rd_db *db, const void *in_, void *out)
{
    const list_in *in = in_;
    rd_problem_page *page = out;
    rd_settings s;
    int r = rd_service_settings(in->svc, db, &s);
    if (r < 0)
        return r;
    store_problem_filter f = {.status = in->q->status,
                              .department = in->q->department,
                              .overdue = in->q->overdue,
                              .limit = in->q->limit,
                              .offset = in->q->offset};
    return store_problems_list(db, &f, s.time_zone, &page->items, &page->n, &page->total);
}

int rd_problems_list(rd_service *svc, rd_db **db, const rd_problem_query *q, rd_problem_page *ret,
                     rd_refusal *ref)
{
    rd_problem_status st;
    if (q->status && rd_problem_status_parse(q->status, &st) < 0)
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "status",
                         "status must be one of: open, in_progress, verified_fixed, "
                         "closed_unfixed");
    if (q->department && (rd_utf8_chars(q->department) > 200 || rd_loop_blank(q->department)))
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "department",
                         "department must be 1 to 200 characters");
    if (q->limit < 1 || q->limit > RD_PROBLEM_PAGE_MAX)
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "limit", "limit must be from 1 to %d",
                         RD_PROBLEM_PAGE_MAX);
    if (q->offset < 0 || q->offset > 100000000)
        return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "offset",
                         "offset must be from 0 to 100000000");
    list_in in = {.svc = svc, .q = q};
    rd_problem_page page = {0};
    rd_tx tx = {.body = list_body, .in = &in, .out = &page, .clear = page_clear, .readonly = true};
    int r = rd_service_tx(svc, db, &tx);
    if (r < 0) {
        page_clear(&page);
        return r;
    }
    page.limit = q->limit;
    page.offset = q->offset;
    *ret = page;
    return 0;
}
