/* Import, the fast path: whole citizens folded in memory by the live path's own pure steps
 * (intake's decision, lifecycle's checks, inspection and aggregate deltas) and written with
 * COPY, one transaction a batch. Every row it writes is the row the live statements would have
 * written (store/tickets.c, store/events.c, store/kpi_store.c): the test command compares a
 * city imported this way with the same city built live, row for row. A citizen whose history
 * the fold cannot vouch for goes to the live transactions instead (import.c). */
#include "import_records.h"
#include "lifecycle_parts.h"

#include "repeatd/answer_stored.h"
#include "repeatd/citizen.h"
#include "repeatd/codec.h"
#include "repeatd/import_store.h"
#include "repeatd/intake.h"
#include "repeatd/kpi_store.h"
#include "repeatd/log.h"
#include "repeatd/months.h"
#include "repeatd/prior_state.h"
#include "repeatd/script.h"
#include "repeatd/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A citizen with more records than this goes the live way: the fold looks candidates up by a
 * scan of the citizen's tickets. */
#define GROUP_MAX 256

/* ---- COPY text ---- */

/* COPY rows are written into an rd_text: its first failure sticks, checked once a batch. */

/* A column of COPY's text format: NULL is \N; backslash, newline, return and tab escaped. The
 * row's first column comes without the tab before it. */
static void col(rd_text *b, const char *s, bool first)
{
    if (!first)
        rd_text_put(b, "\t", 1);
    if (!s) {
        rd_text_put(b, "\\N", 2);
        return;
    }
    const char *run = s;
    for (; *s; s++) {
        const char *esc = *s == '\\'   ? "\\\\"
                          : *s == '\n' ? "\\n"
                          : *s == '\r' ? "\\r"
                          : *s == '\t' ? "\\t"
                                       : NULL;
        if (esc) {
            rd_text_put(b, run, (size_t)(s - run));
            rd_text_put(b, esc, 2);
            run = s + 1;
        }
    }
    rd_text_put(b, run, (size_t)(s - run));
}

static void col_int(rd_text *b, int64_t v)
{
    char t[32];
    snprintf(t, sizeof(t), "%lld", (long long)v);
    col(b, t, false);
}

/* A coordinate as intake sends it ("%.7f"; the fold keeps the value that text reads back). */
static void col_coord(rd_text *b, bool set, double v)
{
    char t[48];
    snprintf(t, sizeof(t), "%.7f", v);
    col(b, set ? t : NULL, false);
}

static void col_bool(rd_text *b, bool v)
{
    col(b, v ? "t" : "f", false);
}

static void col_hash(rd_text *b, const char *hex)
{
    char t[80];
    if (hex)
        snprintf(t, sizeof(t), "\\x%s", hex);
    col(b, hex ? t : NULL, false);
}

/* ---- what the fold keeps ---- */

#define TIME_MAX RD_TIME_TEXT_MAX /* an RFC 3339 time as sent; "" for NULL */

static void copy_time(char dst[TIME_MAX], const char *src)
{
    snprintf(dst, TIME_MAX, "%s", src ? src : "");
}

/* A ticket the fold stored: its row as the live statements leave it. */
typedef struct fticket {
    char id[RD_ID_MAX];
    const char *citizen_hex; /* in its prep */
    char category[RD_ID_MAX];
    bool creates_work_order;
    bool has_lat, has_lon;
    double lat, lon; /* as stored: the text "%.7f" read back */
    rd_prior p;      /* what the candidate query reads of it */
    store_ticket_state st;
    bool has_unit, has_team, has_handler; /* NULL until dispatched; a team may stay NULL */
    char dispatched_at[TIME_MAX], deadline[TIME_MAX], closed_at[TIME_MAX],
        closeout_accepted_at[TIME_MAX], followup_at[TIME_MAX];
    int first_contact_failed;  /* -1 NULL */
    const char *outcome;       /* as the closing wrote it; NULL while open */
    int64_t last_change;       /* its newest event or excluded call */
    char changed_at[TIME_MAX]; /* the same, as sent (ticket_state.changed_at) */
    char received_at[TIME_MAX];
    int64_t problem_key, problem_check;
    int green_ordinal; /* a counted repeat's ordinal, -1 none */
    char *intake;      /* the columns intake writes into ticket_facts, COPY text */
} fticket;

/* One record between parsing and folding. */
typedef struct fprep {
    const imp_record *rec;
    json_t *body;
    rd_refusal *ref; /* the parse refused it (rare: allocated then) */
    rd_intake_in tin;
    rd_event_in ein;
    bool ein_made;
    size_t fact; /* a ticket: its index in the batch's facts */
} fprep;

typedef struct group {
    size_t lo, hi; /* its records in the batch */
    bool slow;
} group;

/* Aggregate deltas of the batch: d[0, base) one entry a key, summed (slots index them by
 * key); d[base, n) the open citizen's, merged in when its fold succeeds, dropped when not. */
typedef struct deltas {
    rd_kpi_delta *d;
    size_t n, cap, base;
    uint32_t *slots; /* index + 1 into d, 0 empty */
    size_t n_slots;  /* a power of two, at least twice base */
    store_kpi_defect_count *x;
    size_t nx, capx, basex;
} deltas;

static int delta_push(deltas *ds, const rd_kpi_delta *d)
{
    if (ds->n == ds->cap) {
        size_t cap = ds->cap ? ds->cap * 2 : 256;
        rd_kpi_delta *p = realloc(ds->d, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        ds->d = p;
        ds->cap = cap;
    }
    ds->d[ds->n++] = *d;
    return 0;
}

static uint64_t delta_hash(const rd_kpi_delta *d)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *c = d->key; *c; c++)
        h = (h ^ (uint8_t)*c) * 1099511628211ULL;
    h = (h ^ (uint64_t)d->dim) * 1099511628211ULL;
    h = (h ^ (uint64_t)(uint32_t)d->month) * 1099511628211ULL;
    return (h ^ (uint64_t)(uint32_t)d->version) * 1099511628211ULL;
}

static bool same_key(const rd_kpi_delta *a, const rd_kpi_delta *b)
{
    return a->dim == b->dim && a->month == b->month && a->version == b->version &&
           !strcmp(a->key, b->key);
}

static uint32_t *slot_of(deltas *ds, const rd_kpi_delta *d)
{
    size_t mask = ds->n_slots - 1, i = (size_t)delta_hash(d) & mask;
    while (ds->slots[i] && !same_key(&ds->d[ds->slots[i] - 1], d))
        i = (i + 1) & mask;
    return &ds->slots[i];
}

static int rehash(deltas *ds)
{
    size_t n = ds->n_slots ? ds->n_slots * 2 : 1024;
    uint32_t *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return -ENOMEM;
    free(ds->slots);
    ds->slots = slots;
    ds->n_slots = n;
    for (size_t i = 0; i < ds->base; i++)
        *slot_of(ds, &ds->d[i]) = (uint32_t)(i + 1);
    return 0;
}

/* The open citizen's deltas into the batch's sums. */
static int deltas_merge(deltas *ds)
{
    for (size_t i = ds->base; i < ds->n; i++) {
        if (2 * (ds->base + 1) > ds->n_slots) {
            int r = rehash(ds);
            if (r < 0)
                return r;
        }
        rd_kpi_delta d = ds->d[i];
        uint32_t *slot = slot_of(ds, &d);
        if (*slot) {
            for (int m = 0; m < RD_KPI_METRIC_COUNT_; m++)
                ds->d[*slot - 1].values[m] += d.values[m];
        } else {
            ds->d[ds->base] = d;
            *slot = (uint32_t)++ds->base;
        }
    }
    ds->n = ds->base;
    ds->basex = ds->nx;
    return 0;
}

static void deltas_drop(deltas *ds)
{
    ds->n = ds->base;
    ds->nx = ds->basex;
}

static int defect_push(deltas *ds, int dim, const char *key, int month, const char *code)
{
    if (ds->nx == ds->capx) {
        size_t cap = ds->capx ? ds->capx * 2 : 64;
        store_kpi_defect_count *p = realloc(ds->x, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        ds->x = p;
        ds->capx = cap;
    }
    store_kpi_defect_count *c = &ds->x[ds->nx++];
    memset(c, 0, sizeof(*c));
    c->dim = dim;
    snprintf(c->key, sizeof(c->key), "%s", key);
    c->month = month;
    c->code = code;
    c->n = 1;
    return 0;
}

static int cmp_defect(const void *a, const void *b)
{
    const store_kpi_defect_count *x = a, *y = b;
    if (x->dim != y->dim)
        return x->dim - y->dim;
    if (x->month != y->month)
        return x->month < y->month ? -1 : 1;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->code, y->code);
}

/* One entry a key, the amounts summed: an upsert may touch a row once a statement. */
static void defects_sum(deltas *ds)
{
    if (ds->nx) {
        qsort(ds->x, ds->nx, sizeof(*ds->x), cmp_defect);
        size_t k = 0;
        for (size_t i = 1; i < ds->nx; i++) {
            if (cmp_defect(&ds->x[k], &ds->x[i]) == 0)
                ds->x[k].n += ds->x[i].n;
            else
                ds->x[++k] = ds->x[i];
        }
        ds->nx = k + 1;
    }
}

/* The fold of one citizen: its stored tickets; its event rows and deltas go straight into the
 * batch's, taken back if the citizen goes the live way. */
typedef struct gstate {
    fticket *t;
    size_t n, cap;
    rd_text *events;
    deltas *ds;
    const char *event_ids[GROUP_MAX]; /* "ticket\nevent_id" of its events, to find a twice */
    size_t n_event_ids;
} gstate;

/* Ready for the next citizen (the arrays are kept). */
static void gstate_reset(gstate *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->t[i].intake);
    g->n = 0;
    for (size_t i = 0; i < g->n_event_ids; i++)
        free((void *)g->event_ids[i]);
    g->n_event_ids = 0;
}

static fticket *find_ticket(gstate *g, const char *id)
{
    for (size_t i = 0; i < g->n; i++)
        if (!strcmp(g->t[i].id, id))
            return &g->t[i];
    return NULL;
}

/* ---- the checks that send a citizen the live way ---- */

/* The fold compares times in whole seconds, as the live path reads them back (the second they
 * fall in): a time with a fraction, or in any other shape than YYYY-MM-DDTHH:MM:SS and Z or
 * +HH:MM, goes the live way. */
static bool plain_time(const char *s)
{
    if (!s)
        return false;
    size_t n = strlen(s);
    if (n != 20 && n != 25)
        return false;
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; i < 19; i++) {
        char c = s[i];
        if (shape[i] == 'd' ? (c < '0' || c > '9') : c != shape[i])
            return false;
    }
    if (s[17] > '5')
        return false; /* a leap second */
    if (n == 20)
        return s[19] == 'Z';
    return (s[19] == '+' || s[19] == '-') && s[20] >= '0' && s[20] <= '9' && s[21] >= '0' &&
           s[21] <= '9' && s[22] == ':' && s[23] >= '0' && s[23] <= '9' && s[24] >= '0' &&
           s[24] <= '9';
}

/* ---- tickets ---- */

/* A double as the database reads the text we send of it: "%.7f" for a stored coordinate,
 * "%.9f" for a bound of the candidate query's box. */
static double as_text7(double v)
{
    char t[64];
    snprintf(t, sizeof(t), "%.7f", v);
    return strtod(t, NULL);
}

static double as_text9(double v)
{
    char t[64];
    snprintf(t, sizeof(t), "%.9f", v);
    return strtod(t, NULL);
}

static void reject(imp_outcome *out, const imp_record *rec, const rd_refusal *ref)
{
    out->what = O_REJECTED;
    imp_reject_set(&out->reject, rec, ref->code, ref->field, "%s", ref->message);
}

static rd_claim claim_of(const char *s)
{
    rd_claim c = RD_CLAIM_NONE;
    if (s)
        (void)rd_claim_parse(s, &c);
    return c;
}

/* The candidates of intake's query (store/tickets.c q_candidates), over the citizen's stored
 * tickets: 1 when the fold cannot answer as the query would (a page or more of them, or a
 * prior changed after the ticket's time, which the fold never sees in time order). */
static int candidates(gstate *g, const fprep *pp, const rd_ticket_in *t, const store_import_fact *f,
                      const rd_settings *s, rd_prior *ret, size_t *ret_n)
{
    const rd_ticket_req *q = &pp->tin.req;
    bool box = t->has_location;
    double lat_min = 0, lat_max = 0, lon_min = 0, lon_max = 0;
    if (box) {
        rd_box b;
        rd_same_place_box(t->lat, t->lon, s->same_place_radius_m, &b);
        lat_min = as_text9(b.lat_min), lat_max = as_text9(b.lat_max);
        lon_min = as_text9(b.lon_min), lon_max = as_text9(b.lon_max);
    }
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++) {
        const fticket *c = &g->t[i];
        if (!c->creates_work_order || strcmp(c->category, q->category) ||
            strcmp(c->citizen_hex, pp->tin.who.citizen_hex))
            continue;
        if (c->p.received_at > t->received_at || !strcmp(c->id, q->ticket_id))
            continue;
        if (!(c->p.open || (!c->p.open && c->p.closed_at > t->received_at) ||
              c->p.received_at >= f->lookback_start))
            continue;
        if (box && c->has_lat && c->has_lon &&
            !(c->lat >= lat_min && c->lat <= lat_max && c->lon >= lon_min && c->lon <= lon_max))
            continue;
        if (c->last_change > t->received_at || n + 1 >= RD_CANDIDATES_MAX)
            return 1;
        ret[n++] = c->p;
    }
    *ret_n = n;
    return 0;
}

/* The columns intake's insert writes into ticket_facts (store/tickets.c q_insert). */
static void facts_columns(rd_text *b, const store_ticket_row *t)
{
    const store_answer *a = t->answer;
    const rd_prior *p = a->has_related ? &a->related : NULL;
    char rel_at[RD_TIME_TEXT_MAX], rel_closed[RD_TIME_TEXT_MAX], rel_deadline[RD_TIME_TEXT_MAX];
    if (p) {
        rd_time_format(p->received_at, 0, rel_at);
        rd_time_format(p->closed_at, 0, rel_closed);
        rd_time_format(p->deadline, 0, rel_deadline);
    }
    col(b, t->ticket_id, true);
    col_hash(b, t->citizen_hash_hex);
    col_hash(b, t->phone_hash_hex);
    col(b, t->phone_masked, false);
    col(b, t->category, false);
    col(b, t->received_at, false);
    col(b, t->channel, false);
    col(b, t->address, false);
    col(b, t->lat, false);
    col(b, t->lon, false);
    col(b, t->description, false);
    col(b, t->claim, false);
    col_bool(b, t->new_evidence);
    col_hash(b, t->request_hash_hex);
    col_int(b, t->received_month);
    col_int(b, a->received_offset);
    col(b, a->decision, false);
    col(b, a->rule, false);
    col_bool(b, a->counts_as_repeat);
    col_bool(b, a->creates_work_order);
    col_int(b, a->repeat_ordinal);
    col(b, a->chain_id, false);
    col_int(b, a->definition_version);
    col_int(b, a->considered);
    col_int(b, a->window_months);
    col_bool(b, a->in_window);
    col_bool(b, a->past_deadline);
    col_bool(b, a->claim_assumed);
    col(b, a->root_causes[0] ? a->root_causes : NULL, false);
    col(b, a->actions, false);
    col_bool(b, a->dispatch_mandatory);
    col(b, a->specialist[0] ? a->specialist : NULL, false);
    col(b, p ? p->ticket_id : NULL, false);
    col(b, p ? rel_at : NULL, false);
    col(b, p ? (p->open ? "t" : "f") : NULL, false);
    col(b, p && p->unit[0] ? p->unit : NULL, false);
    col(b, p && p->team[0] ? p->team : NULL, false);
    col(b, p && p->handler[0] ? p->handler : NULL, false);
    col(b, p && !p->open && p->closed_at ? rel_closed : NULL, false);
    col(b, p && p->outcome != RD_OUTCOME_NONE ? rd_outcome_name(p->outcome) : NULL, false);
    col(b, p && p->has_deadline ? rel_deadline : NULL, false);
    if (p)
        col_int(b, p->repeat_ordinal);
    else
        col(b, NULL, false);
    col(b, p ? p->chain_id : NULL, false);
    if (p)
        col_int(b, p->calls);
    else
        col(b, NULL, false);
    rd_text_put(b, "\n", 1);
}

static const char facts_copy[] =
    "COPY ticket_facts (ticket_id, citizen_hash, phone_hash, phone_masked, category, received_at,"
    " channel, address, lat, lon, description, claim, new_evidence, request_hash, received_month,"
    " received_offset, decision, rule, counts_as_repeat, creates_work_order, repeat_ordinal,"
    " chain_id, definition_version, considered, window_months, in_window, past_deadline,"
    " claim_assumed, root_causes, actions, dispatch_mandatory, specialist, related_ticket_id,"
    " rel_received_at, rel_open, rel_unit, rel_team, rel_handler, rel_closed_at, rel_outcome,"
    " rel_deadline, rel_repeat_ordinal, rel_chain_id, rel_calls) FROM STDIN";

static const char state_copy[] =
    "COPY ticket_state (ticket_id, received_at, problem_key, creates_work_order, green_ordinal,"
    " status, unit, team, handler, dispatched_at, deadline, contact_reached, contact_failures,"
    " first_contact_failed, closeout_accepted, closeout_rejections, closeout_unresolved,"
    " followup_recorded, followup_reached, false_closeout, closed_at, outcome, calls,"
    " closeout_accepted_at, followup_at, changed_at, problem_check, lat, lon, repeat_ordinal,"
    " chain_id) FROM STDIN";

static const char *time_or_null(const char *t)
{
    return t[0] ? t : NULL;
}

/* The state the events left (store/events.c's updates, folded). */
static void state_row(rd_text *b, const fticket *t)
{
    col(b, t->id, true);
    col(b, t->received_at, false);
    col_int(b, t->problem_key);
    col_bool(b, t->creates_work_order);
    if (t->green_ordinal >= 0)
        col_int(b, t->green_ordinal);
    else
        col(b, NULL, false);
    col(b, t->st.open ? "open" : "closed", false);
    col(b, t->has_unit ? t->st.unit : NULL, false);
    col(b, t->has_team ? t->st.team : NULL, false);
    col(b, t->has_handler ? t->st.handler : NULL, false);
    col(b, time_or_null(t->dispatched_at), false);
    col(b, time_or_null(t->deadline), false);
    col_bool(b, t->st.contact_reached);
    col_int(b, t->st.contact_failures);
    col(b, t->first_contact_failed < 0 ? NULL : t->first_contact_failed ? "t" : "f", false);
    col_bool(b, t->st.closeout_accepted);
    col_int(b, t->p.closeout_rejections);
    col_bool(b, t->p.closeout_unresolved);
    col_bool(b, t->st.followup_recorded);
    col_bool(b, t->st.followup_reached);
    col_bool(b, t->st.false_closeout);
    col(b, time_or_null(t->closed_at), false);
    col(b, t->outcome, false);
    col_int(b, t->p.calls);
    col(b, time_or_null(t->closeout_accepted_at), false);
    col(b, time_or_null(t->followup_at), false);
    col(b, t->changed_at, false);
    col_int(b, t->problem_check);
    col_coord(b, t->has_lat, t->lat);
    col_coord(b, t->has_lon, t->lon);
    col_int(b, t->p.repeat_ordinal);
    col(b, t->p.chain_id, false);
    rd_text_put(b, "\n", 1);
}

static int push_ticket(gstate *g, fticket **ret)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        fticket *p = realloc(g->t, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        g->t = p;
        g->cap = cap;
    }
    *ret = &g->t[g->n++];
    memset(*ret, 0, sizeof(**ret));
    return 0;
}

/* Intake (app/intake.c rd_intake_tx and insert_ticket) of one ticket: 1 to go the live way. */
static int fold_ticket(gstate *g, const fprep *pp, const store_import_fact *f, const rd_settings *s,
                       bool kpis, imp_outcome *out)
{
    const rd_intake_in *in = &pp->tin;
    if (!f->found || !f->leaf) {
        rd_refusal ref = {0};
        rd_refuse(&ref, RD_ERR_UNKNOWN_CATEGORY, "category",
                  "category %s is not a known leaf of the category tree", in->req.category);
        reject(out, pp->rec, &ref);
        return 0;
    }
    rd_ticket_in t = {
        .ticket_id = in->req.ticket_id,
        .received_at = in->req.received_at.unix,
        .received_offset = f->utc_offset,
        .has_location = in->req.lat.set,
        .lat = in->req.lat.v,
        .lon = in->req.lon.v,
        .claim = claim_of(in->req.claim),
        .new_evidence = in->req.new_evidence == 1,
        .category_is_policy = f->policy,
    };
    rd_prior cands[RD_CANDIDATES_MAX];
    size_t n = 0;
    if (candidates(g, pp, &t, f, s, cands, &n))
        return 1;
    rd_decision d;
    int r = rd_decide(&t, cands, n, s, &d);
    if (r < 0)
        return r;
    /* No specialist is named in an import: the history predates any assignment. */
    store_answer answer;
    rd_answer_store(&answer, &t, &d, n, s, NULL);
    int month = rd_month_index(t.received_at, t.received_offset);
    rd_assignment prior = {0};
    bool repeat = d.counts_as_repeat && d.related;
    if (repeat) {
        memcpy(prior.unit, d.related->unit, sizeof(prior.unit));
        memcpy(prior.team, d.related->team, sizeof(prior.team));
        memcpy(prior.handler, d.related->handler, sizeof(prior.handler));
    }
    rd_ticket_coords coords;
    store_ticket_row row;
    rd_intake_row(in, month, &answer, &coords, &row);
    rd_text b = {0};
    facts_columns(&b, &row);
    if (b.err) {
        free(b.p);
        return b.err;
    }
    if (kpis) {
        rd_kpi_deltas ds = {0};
        rd_kpi_intake(&ds, in->req.category, month, s->definition_version, d.creates_work_order,
                      d.counts_as_repeat, &prior);
        rd_kpi_decided(&ds, rd_decision_name(d.kind), month, s->definition_version);
        for (size_t i = 0; r == 0 && i < ds.n; i++)
            r = delta_push(g->ds, &ds.d[i]);
    }
    /* An excluded call is one more call about P (d.related points into cands: copy first). */
    char related[RD_ID_MAX] = "";
    if (d.related)
        snprintf(related, sizeof(related), "%s", d.related->ticket_id);
    if (r == 0 && !d.creates_work_order && related[0]) {
        fticket *p = find_ticket(g, related);
        if (!p)
            r = -EIO; /* a candidate is one of the citizen's tickets */
        else {
            p->p.calls++;
            if (t.received_at >= p->last_change) {
                p->last_change = t.received_at;
                copy_time(p->changed_at, in->req.received_at.text);
            }
        }
    }
    fticket *x = NULL;
    if (r == 0)
        r = push_ticket(g, &x);
    if (r < 0) {
        free(b.p);
        return r;
    }
    x->intake = b.p;
    snprintf(x->id, sizeof(x->id), "%s", in->req.ticket_id);
    x->citizen_hex = in->who.citizen_hex;
    snprintf(x->category, sizeof(x->category), "%s", in->req.category);
    x->creates_work_order = d.creates_work_order;
    x->has_lat = in->req.lat.set;
    x->has_lon = in->req.lon.set;
    x->lat = as_text7(in->req.lat.v);
    x->lon = as_text7(in->req.lon.v);
    x->first_contact_failed = -1;
    x->last_change = t.received_at;
    copy_time(x->changed_at, in->req.received_at.text);
    copy_time(x->received_at, in->req.received_at.text);
    x->problem_key = rd_problem_key(in->who.citizen_hex, in->req.category);
    x->problem_check = rd_problem_check(in->who.citizen_hex, in->req.category);
    x->green_ordinal = d.counts_as_repeat ? d.repeat_ordinal : -1;
    rd_prior *p = &x->p;
    snprintf(p->ticket_id, sizeof(p->ticket_id), "%s", in->req.ticket_id);
    p->received_at = t.received_at;
    p->received_offset = f->utc_offset;
    p->has_location = x->has_lat && x->has_lon;
    p->lat = x->has_lat ? x->lat : 0;
    p->lon = x->has_lon ? x->lon : 0;
    p->repeat_ordinal = d.repeat_ordinal;
    snprintf(p->chain_id, sizeof(p->chain_id), "%s", d.chain_id);
    rd_prior_at_intake(p, 0);
    p->open = d.creates_work_order; /* an excluded call is stored closed */
    store_ticket_state *st = &x->st;
    st->found = true;
    st->creates_work_order = d.creates_work_order;
    st->open = d.creates_work_order;
    st->received_at = t.received_at;
    snprintf(st->category, sizeof(st->category), "%s", in->req.category);
    st->received_month = month;
    st->definition_version = s->definition_version;
    snprintf(st->related_ticket_id, sizeof(st->related_ticket_id), "%s", related);
    out->what = O_DECIDED;
    out->decision = d.kind;
    return 0;
}

/* ---- events ---- */

static const char events_copy[] =
    "COPY ticket_events (ticket_id, received_at, type, at, body, accepted, defects, event_id,"
    " request_hash) FROM STDIN";

/* The updates of store/events.c, on the fold's row, and core's fold on the candidate view. */
static void update(fticket *x, const rd_event_req *e, bool accepted)
{
    store_ticket_state *st = &x->st;
    rd_prior_fact f = {.type = e->type, .at = e->at.unix, .accepted = accepted};
    switch (e->type) {
    case RD_EVENT_DISPATCHED:
        if (!x->dispatched_at[0])
            copy_time(x->dispatched_at, e->at.text);
        st->dispatched = true;
        x->has_unit = e->unit != NULL;
        x->has_team = e->team != NULL;
        x->has_handler = e->handler != NULL;
        snprintf(st->unit, sizeof(st->unit), "%s", e->unit ? e->unit : "");
        snprintf(st->team, sizeof(st->team), "%s", e->team ? e->team : "");
        snprintf(st->handler, sizeof(st->handler), "%s", e->handler ? e->handler : "");
        copy_time(x->deadline, e->deadline.set ? e->deadline.text : NULL);
        f.unit = e->unit, f.team = e->team, f.handler = e->handler;
        f.has_deadline = e->deadline.set;
        f.deadline = e->deadline.unix;
        break;
    case RD_EVENT_CONTACT_ATTEMPT:
        f.reached = e->contact_outcome == RD_CONTACT_REACHED;
        st->contact_reached = st->contact_reached || f.reached;
        st->contact_failures += f.reached ? 0 : 1;
        if (x->first_contact_failed < 0)
            x->first_contact_failed = !f.reached;
        break;
    case RD_EVENT_CLOSEOUT:
        f.unresolved = e->closeout.resolved == RD_FALSE;
        if (accepted) {
            copy_time(x->closeout_accepted_at, e->at.text);
            st->closeout_accepted = true;
            st->has_closeout_accepted_at = true;
            st->closeout_accepted_at = e->at.unix;
        }
        break;
    case RD_EVENT_FOLLOWUP:
        f.reached = e->reached == 1;
        st->followup_recorded = true;
        copy_time(x->followup_at, e->at.text);
        st->has_followup_at = true;
        st->followup_at = e->at.unix;
        st->followup_reached = st->followup_reached || f.reached;
        break;
    case RD_EVENT_CLOSED:
        f.outcome = e->outcome;
        x->outcome = rd_outcome_name(e->outcome);
        st->open = false;
        copy_time(x->closed_at, e->at.text);
        st->has_closed_at = true;
        st->closed_at = e->at.unix;
        break;
    case RD_EVENT_REOPENED:
        st->open = true;
        x->outcome = NULL;
        x->closed_at[0] = '\0';
        st->has_closed_at = false;
        st->closed_at = 0;
        st->closeout_accepted = false;
        st->followup_recorded = false;
        st->followup_reached = false;
        x->closeout_accepted_at[0] = x->followup_at[0] = '\0';
        st->has_closeout_accepted_at = st->has_followup_at = false;
        st->closeout_accepted_at = st->followup_at = 0;
        break;
    case RD_EVENT_AUDIT:
        f.false_closeout = e->false_closeout == 1;
        st->false_closeout = st->false_closeout || f.false_closeout;
        break;
    }
    rd_prior_fold(&x->p, &f);
    if (e->at.unix >= x->last_change) { /* in time order: the newest so far */
        x->last_change = e->at.unix;
        copy_time(x->changed_at, e->at.text);
    }
}

/* An event_id (or an id-less event's content key) seen before in the citizen's history: a
 * replay or a conflict, the live way. */
static int seen_before(gstate *g, const char *ticket_id, const rd_event_in *c, bool *ret)
{
    const char *id = c->ev.event_id ? c->ev.event_id : c->import_key;
    size_t n = strlen(ticket_id) + strlen(id) + 3;
    char *key = malloc(n);
    if (!key)
        return -ENOMEM;
    /* "\n" after a CRM id, "\t" before a key: neither is in an id's charset */
    snprintf(key, n, "%s%s%s", ticket_id, c->ev.event_id ? "\n" : "\t", id);
    *ret = false;
    for (size_t i = 0; i < g->n_event_ids; i++)
        if (!strcmp(g->event_ids[i], key))
            *ret = true;
    if (*ret || g->n_event_ids >= GROUP_MAX) {
        free(key);
        return 0;
    }
    g->event_ids[g->n_event_ids++] = key;
    return 0;
}

/* The lifecycle transaction (app/lifecycle.c rd_event_tx) of one event: 1 to go the live way. */
static int fold_event(gstate *g, const fprep *pp, const rd_settings *s, bool kpis, imp_outcome *out)
{
    const rd_event_in *c = &pp->ein;
    const rd_event_req *e = &c->ev;
    bool twice;
    int r = seen_before(g, c->ticket_id, c, &twice);
    if (r < 0 || twice)
        return r < 0 ? r : 1;
    fticket *x = find_ticket(g, c->ticket_id);
    store_ticket_state st = {0};
    if (x)
        st = x->st;
    rd_refusal ref = {0};
    if (rd_event_check(c, &st, &ref) < 0) {
        reject(out, pp->rec, &ref);
        return 0;
    }
    rd_defect defects[RD_DEFECTS_MAX];
    size_t n_defects = 0;
    if (e->type == RD_EVENT_CLOSEOUT) {
        n_defects = rd_event_inspect(c, &st, s, defects);
    } else if (e->type == RD_EVENT_CLOSED) {
        unsigned missing = rd_event_closing_missing(&st, s);
        if (missing) {
            rd_refuse(&ref, RD_ERR_WORKFLOW_INCOMPLETE, NULL,
                      "ticket %s cannot be closed before every required step is on record",
                      c->ticket_id);
            reject(out, pp->rec, &ref);
            return 0;
        }
    }
    if (kpis) {
        rd_kpi_deltas ds = {0};
        bool count_defects = rd_event_kpis(c, n_defects, &st, &ds);
        for (size_t i = 0; r == 0 && i < ds.n; i++)
            r = delta_push(g->ds, &ds.d[i]);
        for (size_t i = 0; r == 0 && count_defects && i < n_defects; i++) {
            const char *code = rd_defect_name(defects[i].code);
            r = defect_push(g->ds, RD_DIM_UNIT, st.unit, st.received_month, code);
            if (r == 0)
                r = defect_push(g->ds, RD_DIM_HANDLER, st.handler, st.received_month, code);
        }
        if (r < 0)
            return r;
    }
    char *defects_text = NULL;
    if (n_defects) {
        json_t *d = rd_defects_json(defects, n_defects);
        defects_text = d ? json_dumps(d, JSON_COMPACT) : NULL;
        json_decref(d);
        if (!defects_text)
            return -ENOMEM;
    }
    update(x, e, n_defects == 0);
    rd_text *b = g->events;
    col(b, c->ticket_id, true);
    col(b, x->received_at, false);
    col(b, rd_event_type_name(e->type), false);
    col(b, e->at.text, false);
    col(b, c->body_text, false);
    col_bool(b, n_defects == 0);
    col(b, defects_text, false);
    col(b, e->event_id, false);
    col_hash(b, e->event_id ? c->request_hex : c->import_key[0] ? c->import_key : NULL);
    rd_text_put(b, "\n", 1);
    free(defects_text);
    if (b->err)
        return b->err;
    out->what = O_EVENT;
    out->closeout_rejected = n_defects > 0;
    return 0;
}

/* ---- a batch ---- */

/* Parse a record as the live path does before its transaction (import.c apply): 1 when its
 * citizen must go the live way. */
static int parse(rd_service *svc, fprep *pp)
{
    const imp_record *rec = pp->rec;
    rd_refusal ref = {0};
    int r = imp_body(rec, &pp->body, &ref);
    if (r == 0 && rec->kind == IMP_TICKET) {
        r = rd_intake_prepare(svc, pp->body, true, &pp->tin, &ref);
        if (r == 0 && !plain_time(pp->tin.req.received_at.text))
            return 1;
    } else if (r == 0) {
        json_object_del(pp->body, "ticket_id");
        char key[41];
        r = imp_event_key(rec->id, pp->body, key);
        if (r == 0)
            r = rd_event_prepare(svc, rec->id, pp->body, false, &pp->ein, &ref);
        pp->ein_made = r == 0;
        if (r == 0)
            memcpy(pp->ein.import_key, key, sizeof(key));
        if (r == 0 && (!plain_time(pp->ein.ev.at.text) ||
                       (pp->ein.ev.deadline.set && !plain_time(pp->ein.ev.deadline.text))))
            return 1;
    }
    if (r == -ECANCELED) {
        pp->ref = malloc(sizeof(*pp->ref));
        if (!pp->ref)
            return -ENOMEM;
        *pp->ref = ref;
        return 0;
    }
    return r;
}

/* What a batch asks the database before folding: each ticket's facts, and whether any of its
 * problems (citizen and category) or ticket ids is stored already (those go the live way: the
 * fold sees only the batch's tickets, and a decision reads only its own problem's). */
typedef struct asked {
    const char **codes, **times, **citizens, **ids;
    char (*keys)[24]; /* the problem keys as text, what citizens[i] points at */
    size_t n_tickets, n_ids;
    store_import_fact *facts;
    bool *citizen_stored, *id_stored;
    size_t *id_group, *citizen_group;
} asked;

static void asked_free(asked *a)
{
    free(a->codes);
    free(a->times);
    free(a->citizens);
    free(a->keys);
    free(a->ids);
    free(a->facts);
    free(a->citizen_stored);
    free(a->id_stored);
    free(a->id_group);
    free(a->citizen_group);
}

static int ask(rd_db *db, const rd_settings *s, fprep *pp, size_t n, group *gs, size_t n_groups,
               asked *a)
{
    a->codes = calloc(n + 1, sizeof(*a->codes));
    a->times = calloc(n + 1, sizeof(*a->times));
    a->citizens = calloc(n + 1, sizeof(*a->citizens));
    a->keys = calloc(n + 1, sizeof(*a->keys));
    a->ids = calloc(n + 1, sizeof(*a->ids));
    a->facts = calloc(n + 1, sizeof(*a->facts));
    a->citizen_stored = calloc(n + 1, sizeof(*a->citizen_stored));
    a->id_stored = calloc(n + 1, sizeof(*a->id_stored));
    a->id_group = calloc(n + 1, sizeof(*a->id_group));
    a->citizen_group = calloc(n + 1, sizeof(*a->citizen_group));
    if (!a->codes || !a->times || !a->citizens || !a->keys || !a->ids || !a->facts ||
        !a->citizen_stored || !a->id_stored || !a->id_group || !a->citizen_group)
        return -ENOMEM;
    for (size_t k = 0; k < n_groups; k++) {
        if (gs[k].slow)
            continue;
        for (size_t i = gs[k].lo; i < gs[k].hi; i++) {
            fprep *p = &pp[i];
            a->id_group[a->n_ids] = k;
            a->ids[a->n_ids++] = p->rec->id;
            if (p->rec->kind != IMP_TICKET || p->ref)
                continue;
            p->fact = a->n_tickets;
            a->codes[a->n_tickets] = p->tin.req.category;
            a->times[a->n_tickets] = p->tin.req.received_at.text;
            a->citizen_group[a->n_tickets] = k;
            snprintf(a->keys[a->n_tickets], sizeof(a->keys[0]), "%lld",
                     (long long)rd_problem_key(p->tin.who.citizen_hex, p->tin.req.category));
            a->citizens[a->n_tickets] = a->keys[a->n_tickets];
            a->n_tickets++;
        }
    }
    int r = store_import_facts(db, a->n_tickets, a->codes, a->times, s->time_zone,
                               s->lookback_months, a->facts);
    if (r == 0)
        r = store_import_stored(db, a->n_tickets, a->citizens, a->citizen_stored, a->n_ids, a->ids,
                                a->id_stored);
    for (size_t i = 0; r == 0 && i < a->n_tickets; i++)
        if (a->citizen_stored[i])
            gs[a->citizen_group[i]].slow = true;
    for (size_t i = 0; r == 0 && i < a->n_ids; i++)
        if (a->id_stored[i])
            gs[a->id_group[i]].slow = true;
    return r;
}

/* Fold one citizen into the batch's rows: 1 to go the live way (nothing of it kept). */
static int fold_group(gstate *g, fprep *pp, const group *gr, const store_import_fact *facts,
                      const rd_settings *s, bool kpis, imp_outcome *outs, rd_text *tickets,
                      rd_text *states)
{
    size_t tickets_n = tickets->n, states_n = states->n, events_n = g->events->n;
    int r = 0;
    gstate_reset(g);
    for (size_t i = gr->lo; r == 0 && i < gr->hi; i++) {
        memset(&outs[i], 0, sizeof(outs[i]));
        if (pp[i].ref)
            reject(&outs[i], pp[i].rec, pp[i].ref);
        else if (pp[i].rec->kind == IMP_TICKET)
            r = fold_ticket(g, &pp[i], &facts[pp[i].fact], s, kpis, &outs[i]);
        else
            r = fold_event(g, &pp[i], s, kpis, &outs[i]);
    }
    for (size_t i = 0; r == 0 && i < g->n; i++) {
        rd_text_put(tickets, g->t[i].intake, strlen(g->t[i].intake));
        state_row(states, &g->t[i]);
    }
    if (r == 0 && (tickets->err || states->err || g->events->err))
        r = -ENOMEM;
    if (r == 0)
        r = deltas_merge(g->ds);
    if (r != 0) {
        tickets->n = tickets_n;
        states->n = states_n;
        g->events->n = events_n;
        deltas_drop(g->ds);
    }
    return r;
}

static int write_batch(rd_db *db, bool dry_run, rd_text *tickets, rd_text *states, rd_text *events,
                       deltas *ds)
{
    int r = rd_db_simple(db, dry_run ? "SAVEPOINT batch" : "BEGIN");
    /* The state first: its primary key refuses a ticket id stored twice. */
    if (r == 0)
        r = store_copy_in(db, state_copy, states->p, states->n);
    if (r == 0)
        r = store_copy_in(db, facts_copy, tickets->p, tickets->n);
    if (r == 0)
        r = store_copy_in(db, events_copy, events->p, events->n);
    /* The defects first, as the live transaction counts them: the same order of locks. */
    if (r == 0)
        r = store_kpi_defects_many(db, ds->x, ds->nx);
    if (r == 0)
        r = store_kpi_apply_many(db, ds->d, ds->n);
    if (r == 0)
        r = rd_db_simple(db, dry_run ? "RELEASE SAVEPOINT batch" : "COMMIT");
    if (r < 0 && !db->broken) {
        (void)rd_db_simple(db, dry_run ? "ROLLBACK TO SAVEPOINT batch" : "ROLLBACK");
        if (dry_run)
            (void)rd_db_simple(db, "RELEASE SAVEPOINT batch");
    }
    return r;
}

static bool fatal(int r)
{
    return r == -ECONNRESET || r == -ECONNREFUSED || r == -ENOMEM;
}

static int fast(rd_service *svc, rd_db *db, bool dry_run, fprep *pp, size_t n, group *gs,
                size_t n_groups, imp_outcome *outs, imp_times *times)
{
    double t0 = imp_now(), c0 = imp_cpu();
    rd_settings s;
    int r = rd_service_settings(svc, db, &s);
    for (size_t k = 0; r == 0 && k < n_groups; k++) {
        group *gr = &gs[k];
        gr->slow = gr->hi - gr->lo > GROUP_MAX;
        for (size_t i = gr->lo; !gr->slow && i < gr->hi; i++)
            gr->slow = !pp[i].rec->has_citizen || pp[i].rec->dup_id;
        for (size_t i = gr->lo; r == 0 && !gr->slow && i < gr->hi; i++) {
            r = parse(svc, &pp[i]);
            if (r == 1) {
                gr->slow = true;
                r = 0;
            }
        }
    }
    double t1 = imp_now(), c1 = imp_cpu();
    asked a = {0};
    if (r == 0)
        r = ask(db, &s, pp, n, gs, n_groups, &a);
    double t2 = imp_now(), c2 = imp_cpu();
    rd_text tickets = {0}, states = {0}, events = {0};
    deltas ds = {0};
    bool kpis = !svc->skip_kpis;
    size_t n_fast = 0;
    gstate g = {.events = &events, .ds = &ds};
    for (size_t k = 0; r == 0 && k < n_groups; k++) {
        if (gs[k].slow)
            continue;
        r = fold_group(&g, pp, &gs[k], a.facts, &s, kpis, outs, &tickets, &states);
        if (r == 1) {
            gs[k].slow = true;
            r = 0;
        }
        n_fast += !gs[k].slow;
    }
    double t3 = imp_now(), c3 = imp_cpu();
    if (r == 0 && n_fast) {
        defects_sum(&ds);
        /* A deadlock with another worker's aggregate rows (a live transaction takes them in
         * the order of its records) rolled the batch back: it is written again as it was. */
        for (int tries = 0; tries < 5; tries++) {
            r = write_batch(db, dry_run, &tickets, &states, &events, &ds);
            if (r != -EAGAIN)
                break;
        }
        if (r < 0 && !fatal(r)) {
            rd_log(RD_LOG_WARN,
                   "import: a batch of %zu records failed (%s): the live"
                   " transactions apply it",
                   n, strerror(-r));
            /* Nothing of it was kept: the live transactions apply it record by record, and
             * reject what the database refuses. */
            for (size_t k = 0; k < n_groups; k++)
                gs[k].slow = true;
            r = 0;
        }
    }
    double t4 = imp_now(), c4 = imp_cpu();
    times->cpu_parse += c1 - c0;
    times->cpu_ask += c2 - c1;
    times->cpu_fold += c3 - c2;
    times->cpu_write += c4 - c3;
    times->parse += t1 - t0;
    times->ask += t2 - t1;
    times->fold += t3 - t2;
    times->write += t4 - t3;
    gstate_reset(&g);
    free(g.t);
    asked_free(&a);
    free(ds.slots);
    free(tickets.p);
    free(states.p);
    free(events.p);
    free(ds.d);
    free(ds.x);
    return r;
}

int imp_scratch_reserve(imp_scratch *sc, size_t n)
{
    if (n + 1 > sc->cap) {
        size_t cap = sc->cap + sc->cap / 2 > n + 1 ? sc->cap + sc->cap / 2 : n + 1;
        fprep *pp = realloc(sc->pp, cap * sizeof(*pp));
        if (pp)
            sc->pp = pp;
        group *gs = realloc(sc->gs, cap * sizeof(*gs));
        if (gs)
            sc->gs = gs;
        imp_outcome *outs = realloc(sc->outs, cap * sizeof(*outs));
        if (outs)
            sc->outs = outs;
        if (!pp || !gs || !outs)
            return -ENOMEM;
        sc->cap = cap;
    }
    memset(sc->pp, 0, (n + 1) * sizeof(fprep));
    memset(sc->gs, 0, (n + 1) * sizeof(group));
    memset(sc->outs, 0, (n + 1) * sizeof(imp_outcome));
    return 0;
}

void imp_scratch_free(imp_scratch *sc)
{
    free(sc->pp);
    free(sc->gs);
    free(sc->outs);
    *sc = (imp_scratch){0};
}

int imp_fast_apply(rd_service *svc, rd_db *db, bool dry_run, const imp_record *const *recs,
                   size_t n, imp_scratch *sc, bool *slow, imp_times *times)
{
    fprep *pp = sc->pp;
    group *gs = sc->gs;
    imp_outcome *outs = sc->outs;
    int r = sc->cap > n ? 0 : -EINVAL;
    size_t n_groups = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        pp[i].rec = recs[i];
        if (i == 0 || recs[i]->citizen != recs[i - 1]->citizen)
            gs[n_groups++] = (group){.lo = i};
        gs[n_groups - 1].hi = i + 1;
    }
    if (r == 0)
        r = fast(svc, db, dry_run, pp, n, gs, n_groups, outs, times);
    for (size_t k = 0; r == 0 && k < n_groups; k++)
        for (size_t i = gs[k].lo; i < gs[k].hi; i++)
            slow[i] = gs[k].slow;
    double c = imp_cpu();
    for (size_t i = 0; pp && i < n; i++) {
        if (pp[i].ein_made)
            rd_event_in_clear(&pp[i].ein);
        json_decref(pp[i].body);
        free(pp[i].ref);
    }
    times->cpu_parse += imp_cpu() - c;
    return r;
}
