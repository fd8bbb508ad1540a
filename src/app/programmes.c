/* Improvement programmes (末位改善专项): opened for a unit or team at the bottom of the ranking,
 * followed by dated check-ins, judged month by month through the ranking use case (never a scan
 * of tickets), closed by a manager. Every change is audited. */
#include "repeatd/programmes.h"

#include "repeatd/json_spec.h"
#include "repeatd/loop.h"
#include "repeatd/loop_common.h"
#include "repeatd/months.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void rd_programme_view_clear(rd_programme_view *v)
{
    if (!v)
        return;
    rd_programme_clear(&v->p);
    free(v->months);
    rd_checkins_free(v->checkins, v->n_checkins);
    memset(v, 0, sizeof(*v));
}

void rd_programme_detail_clear(rd_programme_detail *d)
{
    if (!d)
        return;
    rd_programme_view_clear(&d->v);
    rd_audit_free(d->audit, d->n_audit);
    memset(d, 0, sizeof(*d));
}

void rd_programme_list_clear(rd_programme_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        rd_programme_view_clear(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

/* A programme's id in a path (rd_loop_id_parse's rule): anything else is a programme not
 * found. */
static int parse_id(const char *s, int64_t *ret, rd_refusal *ref)
{
    if (rd_loop_id_parse(s, ret) < 0)
        return rd_refuse(ref, RD_ERR_NOT_FOUND, NULL, "no programme %s", s ? s : "");
    return 0;
}

/* ---- months through the ranking ---- */

typedef struct rank_entry {
    rd_kpi_dim dim;
    int month;
    rd_kpi_answer a;
} rank_entry;

/* The month rankings asked for so far by one use case: each month and dimension is ranked once
 * (GET /v1/kpi/ranking's use case, one read-only transaction each). */
typedef struct rank_cache {
    rank_entry *e;
    size_t n, cap;
} rank_cache;

static void rank_cache_free(rank_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        rd_kpi_answer_free(&c->e[i].a);
    free(c->e);
    memset(c, 0, sizeof(*c));
}

static int ranking_of(rd_service *svc, rd_db **db, rank_cache *c, rd_kpi_dim dim, int month,
                      const rd_kpi_answer **ret, rd_refusal *ref)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].dim == dim && c->e[i].month == month) {
            *ret = &c->e[i].a;
            return 0;
        }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        rank_entry *e = realloc(c->e, cap * sizeof(*e));
        if (!e)
            return -ENOMEM;
        c->e = e;
        c->cap = cap;
    }
    rd_kpi_query q = {.period = RD_PERIOD_MONTH,
                      .has_from = true,
                      .has_to = true,
                      .from = month,
                      .to = month,
                      .has_by = true,
                      .by = dim};
    rank_entry *e = &c->e[c->n];
    memset(e, 0, sizeof(*e));
    int r = rd_kpi_ranking(svc, db, &q, &e->a, ref);
    if (r < 0)
        return r;
    e->dim = dim;
    e->month = month;
    c->n++;
    *ret = &e->a;
    return 0;
}

static rd_kpi_dim dim_of(const rd_programme *p)
{
    return strcmp(p->scope, "team") ? RD_DIM_UNIT : RD_DIM_TEAM;
}

/* The programme's group in month m, as that month's ranking has it. */
static int month_of(rd_service *svc, rd_db **db, rank_cache *c, const rd_programme *p, int m,
                    rd_programme_month *ret, rd_refusal *ref)
{
    const rd_kpi_answer *a;
    int r = ranking_of(svc, db, c, dim_of(p), m, &a, ref);
    if (r < 0)
        return r;
    memset(ret, 0, sizeof(*ret));
    ret->month = m;
    ret->since = m >= p->opened_month;
    for (size_t i = 0; i < a->n_items; i++) {
        const rd_kpi_item *it = &a->items[i];
        if (it->row && !strcmp(it->row->key, p->code)) {
            ret->has_row = true;
            ret->complaints = it->row->v[RD_KPI_COMPLAINTS];
            ret->repeats = it->row->v[RD_KPI_REPEATS];
            ret->rank = it->rank;
            break;
        }
    }
    return 0;
}

/* The last month judged: the one before now, or before the closing. */
static int last_complete(const rd_programme *p, int now_month)
{
    return (p->closed ? p->closed_month : now_month) - 1;
}

/* Check-in state and exit criterion at `now`; with `before` >= 0 the months from `before`
 * months ahead of the opening to now (or the closing) are kept in v->months. */
static int finish_view(rd_service *svc, rd_db **db, rank_cache *c, const rd_settings *s,
                       rd_instant now, int now_month, int before, rd_programme_view *v,
                       rd_refusal *ref)
{
    const rd_programme *p = &v->p;
    int last = last_complete(p, now_month);
    int first = before >= 0 ? p->opened_month - before : p->opened_month + 1;
    int end = before >= 0 ? (p->closed ? p->closed_month : now_month) : last;
    size_t n = end >= first ? (size_t)(end - first + 1) : 0;
    rd_programme_month *months = calloc(n ? n : 1, sizeof(*months));
    rd_loop_month *judged = calloc(n ? n : 1, sizeof(*judged));
    int r = months && judged ? 0 : -ENOMEM;
    size_t n_judged = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        r = month_of(svc, db, c, p, first + (int)i, &months[i], ref);
        if (r == 0 && months[i].month > p->opened_month && months[i].month <= last)
            judged[n_judged++] = (rd_loop_month){.month = months[i].month,
                                                 .ranked = months[i].rank.ranked,
                                                 .watch = months[i].rank.watch};
    }
    if (r == 0) {
        v->exit =
            rd_programme_exit(judged, n_judged, p->opened_month, last, s->programme_exit_months);
        v->exit_months = s->programme_exit_months;
        int64_t since = (p->has_last_checkin ? p->last_checkin_at.us : p->opened_at.us) / 1000000;
        int64_t due;
        int days = 0;
        bool overdue = rd_loop_overdue(since, p->checkin_days, now.us / 1000000, &due, &days);
        v->checkin_overdue = !p->closed && overdue;
        v->checkin_days_overdue = v->checkin_overdue ? days : 0;
        v->checkin_due = due;
        v->checkin_due_offset = now.offset;
    }
    free(judged);
    if (r == 0 && before >= 0) {
        v->months = months;
        v->n_months = n;
    } else {
        free(months);
    }
    return r;
}

/* ---- reads ---- */

typedef struct read_in {
    rd_service *service;
    int64_t id;
    bool detail; /* check-ins and audit too */
    const char *status;
    bool on_replica; /* the report's read: a replica's when one keeps up */
} read_in;

typedef struct read_out {
    rd_settings s;
    rd_instant now;
    int now_month;
    rd_programme_detail d;
    rd_programme *list;
    size_t n_list;
    bool found;
} read_out;

static void read_clear(void *out_)
{
    read_out *o = out_;
    rd_programme_detail_clear(&o->d);
    rd_programmes_free(o->list, o->n_list);
    o->list = NULL;
    o->n_list = 0;
    o->found = false;
}

static int read_tx(rd_db *db, const void *in_, void *out_)
{
    const read_in *in = in_;
    read_out *o = out_;
    int r = rd_service_settings(in->service, db, &o->s);
    if (r == 0)
        r = store_loop_now(db, o->s.time_zone, &o->now, &o->now_month);
    if (r < 0)
        return r;
    if (!in->id)
        return store_programmes_list(db, in->status, o->s.time_zone, &o->list, &o->n_list);
    r = store_programme_get(db, in->id, o->s.time_zone, false, &o->d.v.p);
    if (r <= 0)
        return r;
    o->found = true;
    if (!in->detail)
        return 0;
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, in->id);
    r = store_checkins(db, in->id, o->s.time_zone, &o->d.v.checkins, &o->d.v.n_checkins);
    if (r == 0)
        r = store_audit_list(db, "programme", ids, o->s.time_zone, &o->d.audit, &o->d.n_audit);
    return r;
}

static int read_run(rd_service *svc, rd_db **db, const read_in *in, read_out *out)
{
    memset(out, 0, sizeof(*out));
    rd_tx tx = {.body = read_tx, .in = in, .out = out, .clear = read_clear, .readonly = true};
    int r = in->on_replica ? rd_service_read_tx(svc, db, &tx) : rd_service_tx(svc, db, &tx);
    if (r < 0)
        read_clear(out);
    return r;
}

/* The detail of programme `id` after a write or for a read. */
static int detail_get(rd_service *svc, rd_db **db, int64_t id, int before, rd_programme_detail *ret,
                      rd_refusal *ref)
{
    read_in in = {.service = svc, .id = id, .detail = true};
    read_out o;
    int r = read_run(svc, db, &in, &o);
    if (r < 0)
        return r;
    if (!o.found) {
        read_clear(&o);
        return rd_refuse(ref, RD_ERR_NOT_FOUND, NULL, "no programme %" PRId64, id);
    }
    rank_cache c = {0};
    r = finish_view(svc, db, &c, &o.s, o.now, o.now_month, before, &o.d.v, ref);
    rank_cache_free(&c);
    if (r < 0) {
        read_clear(&o);
        return r;
    }
    o.d.before_months = before;
    *ret = o.d;
    return 0;
}

int rd_programme_get(rd_service *svc, rd_db **db, const char *id, int before_months,
                     rd_programme_detail *ret, rd_refusal *ref)
{
    int64_t pid;
    int r = parse_id(id, &pid, ref);
    return r < 0 ? r : detail_get(svc, db, pid, before_months, ret, ref);
}

static int list_views(rd_service *svc, rd_db **db, const char *status, int overdue, int from,
                      int to, bool on_replica, rd_programme_list *ret, rd_refusal *ref)
{
    read_in in = {.service = svc, .status = status, .on_replica = on_replica};
    read_out o;
    int r = read_run(svc, db, &in, &o);
    if (r < 0)
        return r;
    rd_programme_list l = {.items = calloc(o.n_list ? o.n_list : 1, sizeof(*l.items))};
    rank_cache c = {0};
    r = l.items ? 0 : -ENOMEM;
    for (size_t i = 0; r == 0 && i < o.n_list; i++) {
        rd_programme *p = &o.list[i];
        /* In the report's months: opened by their end, not closed before their start. */
        if (p->opened_month > to || (p->closed && p->closed_month < from))
            continue;
        rd_programme_view *v = &l.items[l.n];
        v->p = *p;
        memset(p, 0, sizeof(*p)); /* moved */
        l.n++;
        r = finish_view(svc, db, &c, &o.s, o.now, o.now_month, -1, v, ref);
        if (r == 0 && overdue >= 0 && v->checkin_overdue != (overdue == 1)) {
            rd_programme_view_clear(v);
            l.n--;
        }
    }
    rank_cache_free(&c);
    read_clear(&o);
    if (r < 0) {
        rd_programme_list_clear(&l);
        return r;
    }
    *ret = l;
    return 0;
}

int rd_programmes_list(rd_service *svc, rd_db **db, const char *status, int overdue,
                       rd_programme_list *ret, rd_refusal *ref)
{
    return list_views(svc, db, status, overdue, 0, 1 << 30, false, ret, ref);
}

int rd_programmes_in_period(rd_service *svc, rd_db **db, int from, int to, rd_programme_list *ret,
                            rd_refusal *ref)
{
    return list_views(svc, db, NULL, -1, from, to, true, ret, ref);
}

/* ---- writes ---- */

static char *detail_text(json_t *body)
{
    return json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
}

typedef struct create_in {
    rd_service *service;
    const char *scope, *code, *responsible, *measures;
    rd_opt_double days;
    rd_time opened_at;
    const char *who;
    const char *detail;
} create_in;

typedef struct write_out {
    int64_t id;
    rd_refusal refusal;
} write_out;

static const char *const scopes[] = {"unit", "team", NULL};

static const rd_field create_fields[] = {
    {.name = "scope",
     .type = RD_F_ENUM,
     .required = true,
     .values = scopes,
     .offset = offsetof(create_in, scope)},
    {.name = "code",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 64,
     .offset = offsetof(create_in, code)},
    {.name = "responsible",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 200,
     .offset = offsetof(create_in, responsible)},
    {.name = "measures",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 4000,
     .offset = offsetof(create_in, measures)},
    {.name = "checkin_interval_days",
     .type = RD_F_NUMBER,
     .required = true,
     .min = 1,
     .max = 365,
     .offset = offsetof(create_in, days)},
    {.name = "opened_at", .type = RD_F_TIME, .offset = offsetof(create_in, opened_at)},
    {0},
};

static int create_tx(rd_db *db, const void *in_, void *out_)
{
    const create_in *in = in_;
    write_out *o = out_;
    int r = store_group_known(db, in->scope, in->code);
    if (r < 0)
        return r;
    if (r == 0)
        return rd_refuse(&o->refusal, RD_ERR_UNKNOWN_UNIT, "code",
                         "no %s %s is named or has tickets", in->scope, in->code);
    int64_t open_id;
    r = store_programme_open_of(db, in->scope, in->code, &open_id);
    if (r < 0)
        return r;
    if (r == 1)
        return rd_refuse(&o->refusal, RD_ERR_CONFLICT, "code",
                         "%s %s already has an open programme (%" PRId64 ")", in->scope, in->code,
                         open_id);
    r = store_programme_insert(db, in->scope, in->code, in->responsible, in->measures,
                               (int)in->days.v, in->opened_at.set ? in->opened_at.text : "now",
                               in->who, &o->id);
    char ids[24];
    snprintf(ids, sizeof(ids), "%" PRId64, o->id);
    return r < 0 ? r : store_audit_insert(db, "programme", ids, "opened", in->detail, in->who);
}

static int write_run(rd_service *svc, rd_db **db, rd_tx_body body, const void *in, int64_t *ret_id,
                     rd_refusal *ref)
{
    write_out o = {0};
    rd_tx tx = {.body = body, .in = in, .out = &o};
    int r = rd_service_tx(svc, db, &tx);
    if (r == -ECANCELED)
        *ref = o.refusal;
    if (r == 0 && ret_id)
        *ret_id = o.id;
    return r;
}

int rd_loop_check_dated(const rd_time *t, const char *field, int max_months_back, rd_refusal *ref)
{
    int w = t->set ? rd_loop_when(t->unix, (int64_t)time(NULL), max_months_back) : 0;
    if (w > 0)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, field,
                         "%s is in the future: record what has happened", field);
    if (w < 0)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, field, "%s is more than %d months ago", field,
                         max_months_back);
    return 0;
}

int rd_programme_create(rd_service *svc, rd_db **db, json_t *body, const char *who,
                        rd_programme_detail *ret, rd_refusal *ref)
{
    create_in in = {.service = svc, .who = who};
    rd_field_error e;
    if (rd_json_parse(body, create_fields, &in, &e) < 0)
        return rd_loop_field_refusal(&e, ref);
    int r = rd_loop_nonempty(in.code, "code", ref);
    if (r == 0)
        r = rd_loop_check_dated(&in.opened_at, "opened_at", RD_PROGRAMME_MAX_MONTHS_BACK, ref);
    if (r == 0)
        r = rd_loop_nonempty(in.responsible, "responsible", ref);
    if (r == 0)
        r = rd_loop_nonempty(in.measures, "measures", ref);
    if (r == 0 && in.days.v != (double)(int)in.days.v)
        r = rd_refuse(ref, RD_ERR_INVALID_FIELD, "checkin_interval_days",
                      "checkin_interval_days must be a whole number of days from 1 to 365");
    if (r < 0)
        return r;
    char *detail = detail_text(body);
    if (!detail)
        return -ENOMEM;
    in.detail = detail;
    int64_t id = 0;
    r = write_run(svc, db, create_tx, &in, &id, ref);
    free(detail);
    return r < 0 ? r : detail_get(svc, db, id, 3, ret, ref);
}

typedef struct checkin_in {
    rd_service *service;
    int64_t id;
    rd_time at;
    const char *status, *notes;
    const char *who, *detail;
} checkin_in;

static const rd_field checkin_fields[] = {
    {.name = "at", .type = RD_F_TIME, .required = true, .offset = offsetof(checkin_in, at)},
    {.name = "status",
     .type = RD_F_ENUM,
     .required = true,
     .values = rd_checkin_statuses,
     .offset = offsetof(checkin_in, status)},
    {.name = "notes",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 4000,
     .offset = offsetof(checkin_in, notes)},
    {0},
};

/* The programme locked for a change, or a refusal: 404, or 409 when it is closed. */
static int lock_open(rd_db *db, int64_t id, rd_settings *s, rd_programme *p, rd_refusal *ref)
{
    int r = store_programme_get(db, id, s->time_zone, true, p);
    if (r < 0)
        return r;
    if (r == 0)
        return rd_refuse(ref, RD_ERR_NOT_FOUND, NULL, "no programme %" PRId64, id);
    return 0;
}

static int transition_refusal(rd_programme_status from, rd_programme_status to, rd_refusal *ref)
{
    const char *allowed[RD_PROGRAMME_STATUS_COUNT_];
    size_t n;
    (void)rd_programme_transition(from, to, allowed, &n);
    rd_refuse(ref, RD_ERR_INVALID_TRANSITION, "status", "a programme that is %s cannot become %s",
              rd_programme_status_name(from), rd_programme_status_name(to));
    ref->from_status = rd_programme_status_name(from);
    for (size_t i = 0; i < n && i < sizeof(ref->allowed) / sizeof(ref->allowed[0]); i++)
        ref->allowed[ref->n_allowed++] = allowed[i];
    return -ECANCELED;
}

static int checkin_tx(rd_db *db, const void *in_, void *out_)
{
    const checkin_in *in = in_;
    write_out *o = out_;
    rd_settings s;
    int r = rd_service_settings(in->service, db, &s);
    rd_programme p = {0};
    if (r == 0)
        r = lock_open(db, in->id, &s, &p, &o->refusal);
    if (r < 0)
        goto out;
    if (p.closed) {
        /* A check-in reports on an open programme; a closed one takes none. */
        rd_refuse(&o->refusal, RD_ERR_INVALID_TRANSITION, "status",
                  "programme %" PRId64 " is closed: it takes no check-ins", in->id);
        o->refusal.from_status = "closed";
        r = -ECANCELED;
    } else if (in->at.unix < p.opened_at.us / 1000000) { /* whole seconds, as `at` comes */
        r = rd_refuse(&o->refusal, RD_ERR_EVENT_OUT_OF_ORDER, "at",
                      "a check-in cannot be dated before the programme was opened");
    } else {
        r = store_checkin_insert(db, in->id, in->at.text, in->status, in->notes, in->who, &o->id);
        char ids[24];
        snprintf(ids, sizeof(ids), "%" PRId64, in->id);
        if (r == 0)
            r = store_audit_insert(db, "programme", ids, "checkin", in->detail, in->who);
    }
out:
    rd_programme_clear(&p);
    return r;
}

int rd_programme_checkin(rd_service *svc, rd_db **db, const char *id, json_t *body, const char *who,
                         rd_programme_detail *ret, rd_refusal *ref)
{
    checkin_in in = {.service = svc, .who = who};
    int r = parse_id(id, &in.id, ref);
    if (r < 0)
        return r;
    rd_field_error e;
    if (rd_json_parse(body, checkin_fields, &in, &e) < 0)
        return rd_loop_field_refusal(&e, ref);
    r = rd_loop_nonempty(in.notes, "notes", ref);
    if (r == 0)
        r = rd_loop_check_dated(&in.at, "at", 0, ref);
    if (r < 0)
        return r;
    char *detail = detail_text(body);
    if (!detail)
        return -ENOMEM;
    in.detail = detail;
    r = write_run(svc, db, checkin_tx, &in, NULL, ref);
    free(detail);
    return r < 0 ? r : detail_get(svc, db, in.id, 3, ret, ref);
}

typedef struct status_in {
    rd_service *service;
    int64_t id;
    const char *status;
    rd_time at;
    const char *note;
    const char *who, *detail;
    bool exit_met; /* judged before the transaction, through the ranking */
} status_in;

static const char *const status_values[] = {"open", "closed", NULL};

static const rd_field status_fields[] = {
    {.name = "status",
     .type = RD_F_ENUM,
     .required = true,
     .values = status_values,
     .offset = offsetof(status_in, status)},
    {.name = "at", .type = RD_F_TIME, .required = true, .offset = offsetof(status_in, at)},
    {.name = "note",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 4000,
     .offset = offsetof(status_in, note)},
    {0},
};

static int status_tx(rd_db *db, const void *in_, void *out_)
{
    const status_in *in = in_;
    write_out *o = out_;
    rd_settings s;
    int r = rd_service_settings(in->service, db, &s);
    rd_programme p = {0};
    if (r == 0)
        r = lock_open(db, in->id, &s, &p, &o->refusal);
    if (r < 0)
        goto out;
    rd_programme_status from = p.closed ? RD_PROGRAMME_CLOSED : RD_PROGRAMME_OPEN, to;
    (void)rd_programme_status_parse(in->status, &to);
    const char *allowed[RD_PROGRAMME_STATUS_COUNT_];
    size_t n;
    /* Whole seconds on both sides: `at` comes without its fraction, so a closing in the second
     * of the opening or of the last check-in is not before it. */
    int64_t at_us = in->at.unix * 1000000 + 999999;
    if (!rd_programme_transition(from, to, allowed, &n)) {
        r = transition_refusal(from, to, &o->refusal);
    } else if (at_us < p.opened_at.us || (p.has_last_checkin && at_us < p.last_checkin_at.us)) {
        r = rd_refuse(&o->refusal, RD_ERR_EVENT_OUT_OF_ORDER, "at",
                      "a programme cannot be closed before it was opened or its last check-in");
    } else {
        r = store_programme_close(db, in->id, in->at.text, in->who, in->note, in->exit_met);
        char ids[24];
        snprintf(ids, sizeof(ids), "%" PRId64, in->id);
        if (r == 0)
            r = store_audit_insert(db, "programme", ids, "closed", in->detail, in->who);
    }
out:
    rd_programme_clear(&p);
    return r;
}

int rd_programme_set_status(rd_service *svc, rd_db **db, const char *id, json_t *body,
                            const char *who, rd_programme_detail *ret, rd_refusal *ref)
{
    status_in in = {.service = svc, .who = who};
    int r = parse_id(id, &in.id, ref);
    if (r < 0)
        return r;
    rd_field_error e;
    if (rd_json_parse(body, status_fields, &in, &e) < 0)
        return rd_loop_field_refusal(&e, ref);
    r = rd_loop_nonempty(in.note, "note", ref);
    if (r == 0)
        r = rd_loop_check_dated(&in.at, "at", 0, ref);
    if (r < 0)
        return r;
    /* Whether the exit criterion is met now, recorded with the closing. */
    rd_programme_detail now;
    r = detail_get(svc, db, in.id, -1, &now, ref);
    if (r < 0)
        return r;
    in.exit_met = now.v.exit.met;
    rd_programme_detail_clear(&now);
    char *detail = detail_text(body);
    if (!detail)
        return -ENOMEM;
    in.detail = detail;
    r = write_run(svc, db, status_tx, &in, NULL, ref);
    free(detail);
    return r < 0 ? r : detail_get(svc, db, in.id, 3, ret, ref);
}
