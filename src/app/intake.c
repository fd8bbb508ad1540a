/* Intake: validate a ticket, decide it against the citizen's history and store it. The store
 * fetches, core decides, this file glues, for the HTTP handlers and the demo alike. */
#include "repeatd/intake.h"

#include "repeatd/answer_stored.h"
#include "repeatd/kpi_store.h"
#include "repeatd/codec.h"
#include "repeatd/json_canon.h"
#include "repeatd/loop_store.h"
#include "repeatd/months.h"
#include "repeatd/prior_state.h"
#include "repeatd/script.h"
#include "repeatd/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rd_claim claim_of(const char *s)
{
    rd_claim c = RD_CLAIM_NONE;
    if (s)
        (void)rd_claim_parse(s, &c);
    return c;
}

static int replay(const rd_intake_in *in, rd_intake_out *x, const store_existing *e)
{
    if (strcmp(e->request_hash_hex, in->request_hex) != 0) {
        return rd_refuse(&x->refusal, RD_ERR_IDEMPOTENCY_CONFLICT, "ticket_id",
                         "ticket %s was already recorded with a different body", in->req.ticket_id);
    }
    x->replayed = true;
    x->stored = e->answer;
    return rd_answer_render(&x->stored, &x->answer, x->script_zh, sizeof(x->script_zh),
                            x->script_en, sizeof(x->script_en));
}

void rd_intake_row(const rd_intake_in *in, int month, const store_answer *answer,
                   rd_ticket_coords *coords, store_ticket_row *ret)
{
    snprintf(coords->lat, sizeof(coords->lat), "%.7f", in->req.lat.v);
    snprintf(coords->lon, sizeof(coords->lon), "%.7f", in->req.lon.v);
    *ret = (store_ticket_row){
        .ticket_id = in->req.ticket_id,
        .citizen_hash_hex = in->who.citizen_hex,
        .phone_hash_hex = in->who.has_phone ? in->who.phone_hex : NULL,
        .phone_masked = in->who.has_phone ? in->who.phone_masked : NULL,
        .category = in->req.category,
        .received_at = in->req.received_at.text,
        .channel = in->req.channel,
        .address = in->req.address,
        .lat = in->req.lat.set ? coords->lat : NULL,
        .lon = in->req.lon.set ? coords->lon : NULL,
        .description = in->req.description,
        .claim = in->req.claim,
        .new_evidence = in->req.new_evidence == 1,
        .request_hash_hex = in->request_hex,
        .received_month = month,
        .answer = answer,
    };
}

static int insert_ticket(rd_db *db, const rd_intake_in *in, const rd_intake_out *x)
{
    rd_ticket_coords c;
    store_ticket_row row;
    rd_intake_row(in, rd_month_index(x->t.received_at, x->t.received_offset), &x->stored, &c, &row);
    /* A repeat counts against the handling that failed: P's assignment as it is now. */
    rd_assignment prior = {0};
    if (x->d.counts_as_repeat && x->d.related) {
        memcpy(prior.unit, x->d.related->unit, sizeof(prior.unit));
        memcpy(prior.team, x->d.related->team, sizeof(prior.team));
        memcpy(prior.handler, x->d.related->handler, sizeof(prior.handler));
    }
    int r = store_ticket_insert(db, &row);
    if (r == 0 && !in->service->skip_kpis) {
        rd_kpi_deltas ds = {0};
        rd_kpi_intake(&ds, in->req.category, row.received_month, x->stored.definition_version,
                      x->d.creates_work_order, x->d.counts_as_repeat, &prior);
        rd_kpi_decided(&ds, rd_decision_name(x->d.kind), row.received_month,
                       x->stored.definition_version);
        r = store_kpi_apply(db, &ds);
    }
    /* An excluded call is one more call about P: it counts towards expedite_after_calls. */
    if (r == 0 && !x->d.creates_work_order && x->d.related)
        r = store_ticket_count_call(db, x->d.related->ticket_id, in->req.received_at.text);
    return r;
}

/* What a recorded event did, read back from its body as sent (it passed the codec then). */
static int fact_of(const store_prior_event *e, rd_event_req *req, rd_prior_fact *ret)
{
    rd_field_error err;
    rd_prior_fact f = {.at = e->at, .accepted = e->accepted};
    if (rd_event_type_parse(e->type, &f.type) < 0 || rd_event_req_parse(e->body, req, &err) < 0)
        return -EIO;
    f.reached = f.type == RD_EVENT_CONTACT_ATTEMPT ? req->contact_outcome == RD_CONTACT_REACHED
                                                   : req->reached == 1;
    f.unresolved = req->closeout.resolved == RD_FALSE;
    f.outcome = req->outcome;
    f.false_closeout = req->false_closeout == 1;
    f.unit = req->unit;
    f.team = req->team;
    f.handler = req->handler;
    f.has_deadline = req->deadline.set;
    f.deadline = req->deadline.unix;
    *ret = f;
    return 0;
}

int rd_prior_as_of(rd_db *db, const char *until, rd_prior *p)
{
    int calls;
    store_prior_event *evs = NULL;
    size_t n = 0;
    int r = store_prior_calls(db, p->ticket_id, p->received_at, until, &calls);
    if (r == 0)
        r = store_prior_events(db, p->ticket_id, p->received_at, until, &evs, &n);
    if (r < 0)
        return r;
    rd_prior_at_intake(p, calls);
    for (size_t i = 0; r == 0 && i < n; i++) {
        rd_event_req req;
        rd_prior_fact f;
        r = fact_of(&evs[i], &req, &f); /* f borrows from evs[i].body */
        if (r == 0)
            rd_prior_fold(p, &f);
    }
    store_prior_events_free(evs, n);
    return r;
}

/* A late ticket (its received_at before events already recorded on its priors) is decided as
 * of its time: each prior that changed after it is taken back, and one that was closed then
 * and lies before the lookback is no candidate (the store returned it as closed later). */
static int as_of_received(rd_db *db, const rd_intake_in *in, rd_intake_out *x,
                          const store_candidate_extra *extra)
{
    size_t kept = 0;
    for (size_t i = 0; i < x->n_cands; i++) {
        rd_prior p = x->cands[i];
        if (extra[i].changed_after) {
            int r = rd_prior_as_of(db, in->req.received_at.text, &p);
            if (r < 0)
                return r;
            if (!p.open && !extra[i].in_lookback)
                continue;
        }
        x->cands[kept++] = p;
    }
    x->n_cands = kept;
    return 0;
}

static int take_category(rd_db *db, const rd_intake_in *in, rd_intake_out *x, int ticket);

/* The candidates, a page at a time: P is the newest candidate at the same place, so a page
 * that holds one holds P, and only a full page without one sends us to the next (older) page.
 * Every open prior and every prior in the window is seen, however many there are. */
static int fetch_candidates(rd_db *db, const rd_intake_in *in, rd_intake_out *x, int cat_ticket)
{
    store_candidate_query q = {
        .citizen_hash_hex = in->who.citizen_hex,
        .category = in->req.category,
        .received_at = in->req.received_at.text,
        .ticket_id = in->req.ticket_id,
        .lookback_months = x->settings.lookback_months,
        .time_zone = x->settings.time_zone,
        .has_box = in->req.lat.set, /* x->t is made when the category's answer is in */
    };
    if (q.has_box) {
        rd_box b;
        rd_same_place_box(in->req.lat.v, in->req.lon.v, x->settings.same_place_radius_m, &b);
        q.lat_min = b.lat_min, q.lat_max = b.lat_max, q.lon_min = b.lon_min, q.lon_max = b.lon_max;
    }
    char cursor[RD_ID_MAX];
    x->n_considered = 0;
    store_candidate_extra extra[RD_CANDIDATES_MAX];
    for (;;) {
        store_candidate_page page;
        int r = store_candidates(db, &q, x->cands, extra, RD_CANDIDATES_MAX, &page);
        if (r == 0 && cat_ticket >= 0) /* answered in the same flight */
            r = take_category(db, in, x, cat_ticket);
        cat_ticket = -1;
        if (r < 0)
            return r;
        snprintf(cursor, sizeof(cursor), "%s", page.last_ticket_id);
        x->n_cands = page.n;
        x->n_considered += page.n;
        r = as_of_received(db, in, x, extra);
        if (r < 0)
            return r;
        if (!page.full || rd_pick_prior(&x->t, x->cands, x->n_cands, &x->settings))
            return 0;
        q.before_ticket_id = cursor;
        q.before_received_at_us = page.last_received_at_us;
    }
}

/* A repeat that opens the green channel names the chain's specialist, when a manager assigned
 * one: one primary-key probe, only then. */
static int name_specialist(rd_db *db, const rd_intake_out *x, char ret[RD_NAME_MAX])
{
    ret[0] = '\0';
    bool green = false;
    for (size_t i = 0; i < x->d.n_actions; i++)
        green |= x->d.actions[i].code == RD_ACTION_GREEN_CHANNEL;
    if (!green || !x->d.chain_id)
        return 0;
    int r = store_green_specialist(db, x->d.chain_id, ret);
    if (r <= 0)
        ret[0] = '\0';
    return r < 0 ? r : 0;
}

/* The category (a known leaf, or a refusal) and the new ticket as core sees it. */
static int take_category(rd_db *db, const rd_intake_in *in, rd_intake_out *x, int ticket)
{
    store_category cat;
    int r = store_category_take(db, ticket, &cat);
    if (r < 0)
        return r;
    if (!cat.found || !cat.leaf) {
        return rd_refuse(&x->refusal, RD_ERR_UNKNOWN_CATEGORY, "category",
                         "category %s is not a known leaf of the category tree", in->req.category);
    }
    x->t = (rd_ticket_in){
        .ticket_id = in->req.ticket_id,
        .received_at = in->req.received_at.unix,
        .received_offset = cat.utc_offset,
        .has_location = in->req.lat.set,
        .lat = in->req.lat.v,
        .lon = in->req.lon.v,
        .claim = claim_of(in->req.claim),
        .new_evidence = in->req.new_evidence == 1,
        .category_is_policy = cat.policy,
    };
    return 0;
}

static int decide(rd_db *db, const rd_intake_in *in, rd_intake_out *x);

/* The reads the decision needs under x->settings: the category and the candidates, in one
 * flight. */
static int decision_reads(rd_db *db, const rd_intake_in *in, rd_intake_out *x)
{
    int cat_ticket = -1;
    int r = store_category_send(db, in->req.category, in->req.received_at.text,
                                x->settings.time_zone, &cat_ticket);
    return r < 0 ? r : fetch_candidates(db, in, x, cat_ticket);
}

/* In two flights when nothing is unusual: BEGIN, the settings revision, the problem lock, the
 * replay probe, the category and the candidates (read under the cached settings, and again in
 * the rare case that the revision says they changed); the ticket, the aggregates and the
 * runner's COMMIT, checked when that flight lands. A classification (nothing stored, and no
 * transaction block: rd_tx.implicit) is the first flight alone. */
static int intake_body(rd_db *db, const rd_intake_in *in, rd_intake_out *x)
{
    rd_settings_check check;
    int existing = -1;
    int r = rd_service_settings_send(in->service, db, &check);
    if (r == 0 && in->store) {
        r = in->skip_problem_lock ? 0 : store_lock_problem(db, in->lock_key);
        if (r == 0)
            r = store_ticket_existing_send(db, in->req.ticket_id, in->req.received_at.text,
                                           &existing);
    }
    if (r < 0)
        return r;
    bool guessed = rd_service_settings_guess(in->service, &check, &x->settings);
    int reads = guessed ? decision_reads(db, in, x) : 0;
    if (existing >= 0) {
        /* A replay answers what was stored, whatever became of the category since: what the
         * reads made of it (a refusal included) is dropped. */
        store_existing e;
        r = store_ticket_existing_take(db, existing, &e);
        if (r < 0)
            return r;
        if (e.found) {
            x->refusal = (rd_refusal){0};
            return replay(in, x, &e);
        }
    }
    if (reads < 0)
        return reads;
    r = rd_service_settings_take(in->service, db, &check, &x->settings);
    if (r == 0 && !rd_service_settings_guess_held(&check))
        r = decision_reads(db, in, x);
    return r < 0 ? r : decide(db, in, x);
}

/* Decide on what was read, name the specialist, store the ticket (intake only). */
static int decide(rd_db *db, const rd_intake_in *in, rd_intake_out *x)
{
    int r = rd_decide(&x->t, x->cands, x->n_cands, &x->settings, &x->d);
    if (r < 0)
        return r;
    char specialist[RD_NAME_MAX];
    r = name_specialist(db, x, specialist);
    if (r < 0)
        return r;
    rd_answer_store(&x->stored, &x->t, &x->d, x->n_considered, &x->settings, specialist);
    r = rd_answer_render(&x->stored, &x->answer, x->script_zh, sizeof(x->script_zh), x->script_en,
                         sizeof(x->script_en));
    if (r < 0)
        return r;
    return in->store ? insert_ticket(db, in, x) : 0;
}

/* The transaction body: reads in, writes out only (the runner clears out between tries). It
 * pipelines itself, so that a command's own transaction (import, the demo) gains as well;
 * inside rd_intake_run's pipelined transaction its last writes go with the COMMIT. */
int rd_intake_tx(rd_db *db, const void *in_, void *out)
{
    int r = rd_db_pipeline_begin(db);
    if (r < 0)
        return r;
    r = intake_body(db, in_, out);
    int e = rd_db_pipeline_end(db);
    return e < 0 && (r == 0 || r == -ECANCELED) ? e : r;
}

static void intake_clear(void *out)
{
    rd_intake_out_clear(out);
}

int rd_intake_run(rd_db **db, const rd_intake_in *in, rd_intake_out *out)
{
    rd_intake_out_clear(out);
    rd_tx tx = {.body = rd_intake_tx,
                .in = in,
                .out = out,
                .clear = intake_clear,
                .readonly = !in->store,
                .pipelined = true,
                .implicit = !in->store};
    int r = rd_service_tx(in->service, db, &tx);
    if (r == -ENOENT && in->store && *db) {
        /* The first ticket of a month that has no partition yet (history posted late): make
         * it in a transaction of its own, then decide again. */
        r = store_partition_for(*db, in->req.received_at.text);
        if (r == 0) {
            rd_intake_out_clear(out);
            r = rd_service_tx(in->service, db, &tx);
        }
    }
    return r;
}

int rd_intake(rd_service *svc, rd_db **db, json_t *body, bool store, rd_intake_out *out)
{
    rd_intake_in in;
    rd_intake_out_clear(out);
    int r = rd_intake_prepare(svc, body, store, &in, &out->refusal);
    return r < 0 ? r : rd_intake_run(db, &in, out);
}

int rd_intake_prepare(rd_service *svc, json_t *body, bool store, rd_intake_in *ret, rd_refusal *ref)
{
    rd_field_error ferr;
    rd_intake_in *x = ret;
    memset(x, 0, sizeof(*x));
    x->service = svc;
    x->store = store;
    if (rd_ticket_req_parse(body, &x->req, &ferr) < 0)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, ferr.field, "%s", ferr.message);
    int r = rd_citizen_key_make(svc->secret, x->req.phone, x->req.citizen_id, &x->who);
    if (r == -EINVAL)
        return rd_refuse(ref, RD_ERR_INVALID_FIELD, "citizen.phone",
                         "citizen.phone must be a phone number of 5 to 20 digits");
    if (r < 0)
        return r;
    /* Same body means the same JSON value: key order and spacing do not matter. */
    if (rd_json_sha256(NULL, body, x->request_hex) < 0)
        return -ENOMEM;
    /* Two calls on one citizen and problem are decided one after the other: an advisory lock
     * on the problem's key. */
    x->lock_key = rd_problem_key(x->who.citizen_hex, x->req.category);
    return 0;
}

void rd_intake_out_clear(rd_intake_out *out)
{
    json_decref(out->answer);
    memset(out, 0, sizeof(*out));
}
