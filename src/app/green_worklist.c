/* The green-channel worklist (绿色通道, 专人维护核查): the chains the green-channel KPI lists,
 * each with its named specialist and the specialist's verifications (核查). Membership is the
 * KPI use case's (core's one rule); this file adds who looks after each chain and since when. */
#include "repeatd/programmes.h"

#include "repeatd/codec.h"
#include "repeatd/decide.h"
#include "repeatd/json_spec.h"
#include "repeatd/loop_common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rd_green_worklist_clear(rd_green_worklist *w)
{
    if (!w)
        return;
    free(w->rows);
    free(w->chains);
    free(w->assignments);
    memset(w, 0, sizeof(*w));
}

void rd_green_chain_detail_clear(rd_green_chain_detail *d)
{
    if (!d)
        return;
    rd_green_verifications_free(d->verifications, d->n_verifications);
    rd_audit_free(d->audit, d->n_audit);
    memset(d, 0, sizeof(*d));
}

typedef struct assign_in {
    rd_service *service;
    const char *const *ids;
    size_t n;
} assign_in;

typedef struct assign_out {
    rd_settings s;
    rd_instant now;
    int now_month;
    rd_green_assignment *a;
    size_t n;
} assign_out;

static void assign_clear(void *out_)
{
    assign_out *o = out_;
    free(o->a);
    o->a = NULL;
    o->n = 0;
}

static int assignments_tx(rd_db *db, const void *in_, void *out_)
{
    const assign_in *in = in_;
    assign_out *o = out_;
    int r = rd_service_settings(in->service, db, &o->s);
    if (r == 0)
        r = store_loop_now(db, o->s.time_zone, &o->now, &o->now_month);
    if (r == 0 && in->n)
        r = store_green_assignments(db, in->ids, in->n, o->s.time_zone, &o->a, &o->n);
    return r;
}

/* Unassigned first, then overdue verifications, then the rest; within each, the order of the
 * KPI list (oldest chain first). */
static int work_rank(const rd_green_work *w)
{
    return !w->assigned ? 0 : w->verify_overdue ? 1 : 2;
}

static int cmp_work(const void *x, const void *y)
{
    const rd_green_work *a = x, *b = y;
    int ka = work_rank(a), kb = work_rank(b);
    if (ka != kb)
        return ka - kb;
    return a->chain < b->chain ? -1 : a->chain > b->chain;
}

static bool overdue_at(const rd_green_assignment *a, int verify_days, int64_t now_s, int *ret_days)
{
    int64_t since =
        (a->has_last_verification ? a->last_verified_at.us : a->assigned_at.us) / 1000000;
    *ret_days = rd_loop_days_between(since, now_s);
    return rd_loop_overdue(since, verify_days, now_s, NULL, NULL);
}

int rd_green_worklist_get(rd_service *svc, rd_db **db, long limit, bool on_replica,
                          rd_green_worklist *ret, rd_refusal *ref)
{
    rd_kpi_query q = {.period = RD_PERIOD_MONTH, .limit = limit};
    rd_kpi_answer a = {0};
    int r = rd_kpi_green_channel(svc, db, &q, &a, ref);
    if (r < 0)
        return r;
    rd_green_worklist w = {.min_repeats = a.green_min_repeats,
                           .definition_version = a.definition_version,
                           .chains = a.chains,
                           .n_chains = a.n_chains};
    a.chains = NULL;
    rd_kpi_answer_free(&a);
    const char **ids = calloc(w.n_chains ? w.n_chains : 1, sizeof(*ids));
    w.rows = calloc(w.n_chains ? w.n_chains : 1, sizeof(*w.rows));
    if (!ids || !w.rows) {
        free(ids);
        rd_green_worklist_clear(&w);
        return -ENOMEM;
    }
    for (size_t i = 0; i < w.n_chains; i++)
        ids[i] = w.chains[i].chain_id;
    assign_in in = {.service = svc, .ids = ids, .n = w.n_chains};
    assign_out o = {0};
    rd_tx tx = {
        .body = assignments_tx, .in = &in, .out = &o, .clear = assign_clear, .readonly = true};
    r = on_replica ? rd_service_read_tx(svc, db, &tx) : rd_service_tx(svc, db, &tx);
    free(ids);
    if (r < 0) {
        assign_clear(&o);
        rd_green_worklist_clear(&w);
        return r;
    }
    w.assignments = o.a;
    w.n_assignments = o.n;
    w.verify_days = o.s.green_channel_verify_days;
    int64_t now_s = o.now.us / 1000000;
    for (size_t i = 0; i < w.n_chains; i++) {
        rd_green_work *row = &w.rows[w.n_rows++];
        row->chain = &w.chains[i];
        row->days_waiting = rd_loop_days_between(w.chains[i].latest_received_us / 1000000, now_s);
        for (size_t k = 0; k < w.n_assignments; k++)
            if (!strcmp(w.assignments[k].chain_id, w.chains[i].chain_id)) {
                row->assigned = true;
                row->a = w.assignments[k];
            }
        if (row->assigned)
            row->verify_overdue = overdue_at(&row->a, w.verify_days, now_s, &row->days_since_check);
        else
            w.unassigned++;
        if (row->verify_overdue)
            w.overdue++;
    }
    qsort(w.rows, w.n_rows, sizeof(*w.rows), cmp_work);
    *ret = w;
    return 0;
}

/* ---- one chain ---- */

typedef struct chain_in {
    rd_service *service;
    const char *chain_id;
    int action; /* 0 read, 1 assign, 2 verify */
    const char *specialist;
    rd_time at;
    const char *found;
    int solved;
    const char *who, *detail;
} chain_in;

typedef struct chain_out {
    rd_green_chain_detail d;
    rd_refusal refusal;
} chain_out;

static void chain_clear(void *out_)
{
    chain_out *o = out_;
    rd_green_chain_detail_clear(&o->d);
}

static int chain_tx(rd_db *db, const void *in_, void *out_)
{
    const chain_in *in = in_;
    chain_out *o = out_;
    rd_green_chain_detail *d = &o->d;
    rd_settings s;
    rd_instant now;
    int now_month;
    int r = rd_service_settings(in->service, db, &s);
    if (r == 0)
        r = store_loop_now(db, s.time_zone, &now, &now_month);
    bool exists = false, open = false;
    int ordinal = 0;
    if (r == 0)
        r = store_chain_newest_repeat(db, in->chain_id, &exists, &ordinal, &open);
    if (r < 0)
        return r;
    if (!exists)
        return rd_refuse(&o->refusal, RD_ERR_NOT_FOUND, NULL, "no chain %s", in->chain_id);
    snprintf(d->chain_id, sizeof(d->chain_id), "%s", in->chain_id);
    d->repeats = ordinal;
    d->in_channel = r == 1 && rd_chain_in_green_channel(ordinal, open, &s);
    d->verify_days = s.green_channel_verify_days;
    r = store_green_assignment_get(db, in->chain_id, s.time_zone, &d->a);
    if (r < 0)
        return r;
    d->assigned = r == 1;
    if (in->action == 1) {
        if (!d->in_channel)
            return rd_refuse(&o->refusal, RD_ERR_NOT_IN_GREEN_CHANNEL, NULL,
                             "chain %s is not in the green channel (its newest repeat is the "
                             "%d-th, %s; the channel takes open chains from the %d-th)",
                             in->chain_id, ordinal, open ? "open" : "closed",
                             s.green_channel_min_repeats);
        r = store_green_assign(db, in->chain_id, in->specialist, in->at.set ? in->at.text : NULL,
                               in->who);
        if (r == 0)
            r = store_audit_insert(db, "green_chain", in->chain_id, "assigned", in->detail,
                                   in->who);
    } else if (in->action == 2) {
        if (!d->assigned)
            return rd_refuse(&o->refusal, RD_ERR_CONFLICT, NULL,
                             "chain %s has no specialist: assign one first", in->chain_id);
        if (in->at.unix * 1000000 < d->a.assigned_at.us - 999999)
            return rd_refuse(&o->refusal, RD_ERR_EVENT_OUT_OF_ORDER, "at",
                             "a verification cannot be dated before its specialist was assigned");
        r = store_green_verification_insert(db, in->chain_id, d->a.specialist, in->at.text,
                                            in->found, in->solved == 1, in->who, NULL);
        if (r == 0)
            r = store_audit_insert(db, "green_chain", in->chain_id, "verified", in->detail,
                                   in->who);
    }
    if (r < 0)
        return r;
    if (in->action) {
        r = store_green_assignment_get(db, in->chain_id, s.time_zone, &d->a);
        if (r < 0)
            return r;
        d->assigned = r == 1;
    }
    r = 0;
    if (d->assigned) {
        int days;
        d->verify_overdue = overdue_at(&d->a, s.green_channel_verify_days, now.us / 1000000, &days);
        r = store_green_verifications(db, in->chain_id, s.time_zone, &d->verifications,
                                      &d->n_verifications);
    }
    if (r == 0)
        r = store_audit_list(db, "green_chain", in->chain_id, s.time_zone, &d->audit, &d->n_audit);
    return r;
}

static int chain_run(rd_service *svc, rd_db **db, const chain_in *in, rd_green_chain_detail *ret,
                     rd_refusal *ref)
{
    chain_out o = {0};
    rd_tx tx = {
        .body = chain_tx, .in = in, .out = &o, .clear = chain_clear, .readonly = in->action == 0};
    int r = rd_service_tx(svc, db, &tx);
    if (r < 0) {
        if (r == -ECANCELED)
            *ref = o.refusal;
        chain_clear(&o);
        return r;
    }
    *ret = o.d;
    return 0;
}

/* A chain is named by the ticket that began it: a ticket id's charset and length (a byte
 * that is not one never reaches the database). */
static int chain_id_ok(const char *id, rd_refusal *ref)
{
    if (id && rd_ticket_id_valid(id))
        return 0;
    return rd_refuse(ref, RD_ERR_NOT_FOUND, NULL, "no such chain");
}

int rd_green_chain_get(rd_service *svc, rd_db **db, const char *chain_id,
                       rd_green_chain_detail *ret, rd_refusal *ref)
{
    int r = chain_id_ok(chain_id, ref);
    chain_in in = {.service = svc, .chain_id = chain_id};
    return r < 0 ? r : chain_run(svc, db, &in, ret, ref);
}

static const rd_field assign_fields[] = {
    {.name = "specialist",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 200,
     .offset = offsetof(chain_in, specialist)},
    {.name = "assigned_at", .type = RD_F_TIME, .offset = offsetof(chain_in, at)},
    {0},
};

static const rd_field verify_fields[] = {
    {.name = "at", .type = RD_F_TIME, .required = true, .offset = offsetof(chain_in, at)},
    {.name = "found",
     .type = RD_F_STRING,
     .required = true,
     .max_chars = 4000,
     .offset = offsetof(chain_in, found)},
    {.name = "solved", .type = RD_F_BOOL, .required = true, .offset = offsetof(chain_in, solved)},
    {0},
};

static int chain_write(rd_service *svc, rd_db **db, const char *chain_id, json_t *body,
                       const char *who, int action, rd_green_chain_detail *ret, rd_refusal *ref)
{
    int r = chain_id_ok(chain_id, ref);
    if (r < 0)
        return r;
    chain_in in = {.service = svc, .chain_id = chain_id, .action = action, .who = who};
    rd_field_error e;
    if (rd_json_parse(body, action == 1 ? assign_fields : verify_fields, &in, &e) < 0)
        return rd_loop_field_refusal(&e, ref);
    r = rd_loop_nonempty(action == 1 ? in.specialist : in.found,
                         action == 1 ? "specialist" : "found", ref);
    if (r < 0)
        return r;
    r = rd_loop_check_dated(&in.at, action == 1 ? "assigned_at" : "at", 0, ref);
    if (r < 0)
        return r;
    char *detail = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    if (!detail)
        return -ENOMEM;
    in.detail = detail;
    r = chain_run(svc, db, &in, ret, ref);
    free(detail);
    return r;
}

int rd_green_assign(rd_service *svc, rd_db **db, const char *chain_id, json_t *body,
                    const char *who, rd_green_chain_detail *ret, rd_refusal *ref)
{
    return chain_write(svc, db, chain_id, body, who, 1, ret, ref);
}

int rd_green_verify(rd_service *svc, rd_db **db, const char *chain_id, json_t *body,
                    const char *who, rd_green_chain_detail *ret, rd_refusal *ref)
{
    return chain_write(svc, db, chain_id, body, who, 2, ret, ref);
}

typedef struct counts_in {
    rd_service *service;
    int from, to;
} counts_in;

typedef struct counts_out {
    long n, solved;
} counts_out;

static int counts_tx(rd_db *db, const void *in_, void *out_)
{
    const counts_in *in = in_;
    counts_out *o = out_;
    rd_settings s;
    int r = rd_service_settings(in->service, db, &s);
    return r < 0 ? r
                 : store_green_verification_counts(db, in->from, in->to, s.time_zone, &o->n,
                                                   &o->solved);
}

int rd_green_verification_counts(rd_service *svc, rd_db **db, int from, int to, long *ret_n,
                                 long *ret_solved)
{
    counts_in in = {.service = svc, .from = from, .to = to};
    counts_out o = {0};
    rd_tx tx = {.body = counts_tx, .in = &in, .out = &o, .readonly = true};
    int r = rd_service_read_tx(svc, db, &tx); /* the report's: a replica's when one keeps up */
    if (r == 0) {
        *ret_n = o.n;
        *ret_solved = o.solved;
    }
    return r;
}
