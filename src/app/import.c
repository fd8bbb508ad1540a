/* Import, second half: apply the ordered records, whole citizens at a time through the fast
 * path (app/import_fast.c) and the rest through the live transaction bodies, in batches, and
 * account for every line. */
#include "repeatd/import.h"

#include "import_records.h"
#include "repeatd/crypto.h"
#include "repeatd/intake.h"
#include "repeatd/json_canon.h"
#include "repeatd/lifecycle.h"
#include "repeatd/months.h"
#include "repeatd/store.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void imp_reject_set(imp_reject *ret, const imp_record *rec, rd_err code, const char *field,
                    const char *fmt, ...)
{
    va_list ap;
    memset(ret, 0, sizeof(*ret));
    ret->file = rec->file;
    ret->line = rec->line;
    ret->code = code;
    snprintf(ret->field, sizeof(ret->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(ret->message, sizeof(ret->message), fmt, ap);
    va_end(ap);
    ret->text = rec->text;
}

/* What the whole run keeps: the summary, the rejects file, the progress line; the workers
 * share it under `lock`. */
typedef struct run {
    rd_service *svc;
    rd_db *db; /* the caller's connection: the overlap check, worker 0 */
    const rd_import_opts *o;
    FILE *rejects;
    rd_import_summary s;
    double started, last_progress;
    size_t done, total;
    pthread_mutex_t lock;
    const imp_records *rs;
    unsigned n_workers;
    /* Where the time went: the phases before the workers, the workers' summed. */
    double read_s, order_s, check_s;
    double read_cpu, order_cpu; /* the process's CPU seconds (the reading threads') */
    imp_times times;
    double live_s, live_cpu;
} run;

/* One worker: its connection and the citizens it owns (citizen % n_workers == part). Each
 * citizen's records are applied by one worker in time order; a decision reads only its own
 * citizen's history, so the workers never need each other's writes. */
typedef struct worker {
    run *u;
    rd_db *db;
    unsigned part;
    int rc;
    imp_times times;
    double live_s, live_cpu; /* in the live transactions */
    imp_scratch scratch;     /* the fast path's arrays, from batch to batch */
    pthread_t thread;
} worker;

static double clock_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double imp_now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

double imp_cpu(void)
{
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

double imp_cpu_all(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static int write_reject(void *cls, const imp_reject *rej)
{
    run *u = cls;
    u->s.rejected++;
    if ((unsigned)rej->code < sizeof(u->s.rejected_by_code) / sizeof(u->s.rejected_by_code[0]))
        u->s.rejected_by_code[rej->code]++;
    if (!u->rejects)
        return 0;
    json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s?}", "file", u->o->files[rej->file], "line",
                          (json_int_t)rej->line, "error", rd_err_code(rej->code), "message",
                          rej->message, "field", rej->field[0] ? rej->field : NULL);
    json_t *text = json_string(rej->text);
    if (o) /* a line that is not UTF-8 is kept as it was read, escaped */
        json_object_set_new(o, "text", text ? text : json_string("(not valid UTF-8)"));
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!line)
        return -ENOMEM;
    int r = fprintf(u->rejects, "%s\n", line) < 0 ? -EIO : 0;
    free(line);
    return r;
}

/* ---- one record, inside the batch's transaction ---- */

/* Without an event_id of its own, an event is known by its content, so that a second run
 * recognises it (the same event twice at the same instant is one event): the first 20 bytes of
 * the SHA-256 of "ticket_id\n" and its canonical body, as hex (what earlier versions stored
 * as the event_id "imp-<key>"; migrations/0013). "" for an event with an event_id. */
int imp_event_key(const char *ticket_id, const json_t *body, char ret[41])
{
    ret[0] = '\0';
    if (json_object_get(body, "event_id"))
        return 0;
    char small[128], hex[2 * RD_HASH_LEN + 1]; /* a valid ticket id fits the stack */
    size_t n = strlen(ticket_id) + 2;
    char *prefix = n <= sizeof(small) ? small : malloc(n);
    if (!prefix)
        return -ENOMEM;
    snprintf(prefix, n, "%s\n", ticket_id);
    int r = rd_json_sha256(prefix, body, hex);
    if (prefix != small)
        free(prefix);
    if (r == 0)
        snprintf(ret, 41, "%.40s", hex);
    return r;
}

static int apply_ticket(worker *w, const imp_record *rec, json_t *body, imp_outcome *out)
{
    run *u = w->u;
    rd_intake_in in;
    rd_intake_out *x = calloc(1, sizeof(*x));
    if (!x)
        return -ENOMEM;
    int r = rd_intake_prepare(u->svc, body, true, &in, &x->refusal);
    in.skip_problem_lock = u->o->dry_run;
    if (r == 0)
        r = rd_intake_tx(w->db, &in, x);
    if (r == -ECANCELED) {
        out->what = O_REJECTED;
        imp_reject_set(&out->reject, rec, x->refusal.code, x->refusal.field, "%s",
                       x->refusal.message);
        r = 0;
    } else if (r == 0) {
        out->what = x->replayed ? O_SKIPPED_TICKET : O_DECIDED;
        out->decision = x->d.kind;
    }
    rd_intake_out_clear(x);
    free(x);
    return r;
}

static int apply_event(worker *w, const imp_record *rec, json_t *body, imp_outcome *out)
{
    run *u = w->u;
    json_object_del(body, "ticket_id");
    char key[41];
    int r = imp_event_key(rec->id, body, key);
    rd_event_in in;
    rd_event_out ev = {0};
    if (r == 0)
        r = rd_event_prepare(u->svc, rec->id, body, false, &in, &ev.refusal);
    if (r == 0) {
        memcpy(in.import_key, key, sizeof(key));
        r = rd_event_tx(w->db, &in, &ev);
        rd_event_in_clear(&in);
    }
    if (r == -ECANCELED) {
        out->what = O_REJECTED;
        imp_reject_set(&out->reject, rec, ev.refusal.code, ev.refusal.field, "%s",
                       ev.refusal.message);
        r = 0;
    } else if (r == 0) {
        bool rejected = ev.refusal.code == RD_ERR_CLOSEOUT_REJECTED;
        out->what = ev.replayed ? O_SKIPPED_EVENT : O_EVENT;
        out->closeout_rejected = rejected && !ev.replayed;
    }
    rd_event_out_clear(&ev);
    return r;
}

int imp_body(const imp_record *rec, json_t **ret, rd_refusal *ref)
{
    json_error_t e;
    json_t *o = imp_tree(rec->text);
    if (!o)
        o = json_loads(rec->text, JSON_REJECT_DUPLICATES, &e);
    if (!o && json_error_code(&e) != json_error_out_of_memory)
        return rd_refuse(ref, RD_ERR_INVALID_JSON, NULL, "the line is not JSON: %s", e.text);
    *ret = json_incref(json_object_get(o, rec->kind == IMP_TICKET ? "ticket" : "event"));
    json_decref(o);
    return *ret ? 0 : -ENOMEM; /* its shape was checked when it was read */
}

static int apply(worker *w, const imp_record *rec, imp_outcome *out)
{
    memset(out, 0, sizeof(*out));
    json_t *body = NULL;
    rd_refusal *ref = calloc(1, sizeof(*ref));
    int r = ref ? imp_body(rec, &body, ref) : -ENOMEM;
    if (r == -ECANCELED) {
        out->what = O_REJECTED;
        imp_reject_set(&out->reject, rec, ref->code, ref->field, "%s", ref->message);
        r = 0;
    }
    free(ref);
    if (!body)
        return r;
    r = rec->kind == IMP_TICKET ? apply_ticket(w, rec, body, out) : apply_event(w, rec, body, out);
    json_decref(body);
    return r;
}

/* Called with u->lock held. */
static int count(run *u, const imp_outcome *o)
{
    rd_import_summary *s = &u->s;
    switch (o->what) {
    case O_DECIDED:
        s->tickets++;
        s->decisions[o->decision]++;
        return 0;
    case O_EVENT:
        s->events_accepted++;
        s->closeouts_rejected += o->closeout_rejected;
        return 0;
    case O_SKIPPED_TICKET:
        s->skipped_tickets++;
        return 0;
    case O_SKIPPED_EVENT:
        s->skipped_events++;
        return 0;
    case O_REJECTED:
        return write_reject(u, &o->reject);
    }
    return 0;
}

/* ---- batches ---- */

/* A batch is a transaction (a dry run: a savepoint in its one transaction, rolled back at the
 * end); the outcomes count only once it is committed. */
static const char *begin_sql(const run *u)
{
    return u->o->dry_run ? "SAVEPOINT batch" : "BEGIN";
}
static const char *commit_sql(const run *u)
{
    return u->o->dry_run ? "RELEASE SAVEPOINT batch" : "COMMIT";
}
static const char *rollback_sql(const run *u)
{
    return u->o->dry_run ? "ROLLBACK TO SAVEPOINT batch" : "ROLLBACK";
}

static int run_batch(worker *w, const imp_record *const *recs, size_t n, imp_outcome *outs)
{
    run *u = w->u;
    int r = rd_db_simple(w->db, begin_sql(u));
    for (size_t i = 0; r == 0 && i < n; i++)
        r = apply(w, recs[i], &outs[i]);
    if (r == 0)
        r = rd_db_simple(w->db, commit_sql(u));
    if (r < 0 && !w->db->broken) {
        (void)rd_db_simple(w->db, rollback_sql(u));
        if (u->o->dry_run)
            (void)rd_db_simple(w->db, "RELEASE SAVEPOINT batch");
    }
    return r;
}

/* Called with u->lock held. */
static void progress(run *u, bool last)
{
    if (!u->o->progress)
        return;
    double t = imp_now();
    bool tty = isatty(fileno(u->o->progress));
    if (!last && t - u->last_progress < (tty ? 1.0 : 5.0))
        return;
    u->last_progress = t;
    double rate = u->done / (t - u->started > 0 ? t - u->started : 1);
    double eta = rate > 0 ? (double)(u->total - u->done) / rate : 0;
    fprintf(u->o->progress,
            "%srepeatd import: %ld lines, %ld tickets, %ld events, %zu/%zu records, %.0f/s, "
            "ETA %.0f s%s",
            tty ? "\r" : "", u->s.lines, u->s.tickets, u->s.events_accepted, u->done, u->total,
            rate, eta, tty && !last ? "" : "\n");
    fflush(u->o->progress);
}

static bool fatal(int r)
{
    return r == -ECONNRESET || r == -ECONNREFUSED || r == -ENOMEM;
}

/* Apply one batch. One that fails on a deadlock is tried again; one that fails otherwise is
 * applied a record at a time, so that the record at fault is rejected alone (internal_error)
 * and the others go in. The outcomes are counted once committed. */
static int apply_batch(worker *w, const imp_record *const *recs, size_t n, imp_outcome *outs)
{
    run *u = w->u;
    int r = 0;
    for (int tries = 0; tries < 5; tries++) {
        r = run_batch(w, recs, n, outs);
        if (r != -EAGAIN)
            break;
    }
    if (r < 0 && fatal(r))
        return r;
    if (r < 0) {
        for (size_t k = 0; k < n; k++) {
            int one = run_batch(w, &recs[k], 1, &outs[k]);
            if (fatal(one))
                return one;
            if (one < 0) {
                imp_reject_set(&outs[k].reject, recs[k], RD_ERR_INTERNAL, NULL,
                               "the database refused this record (%s)", strerror(-one));
                outs[k].what = O_REJECTED;
            }
        }
    }
    pthread_mutex_lock(&u->lock);
    r = 0;
    for (size_t k = 0; r == 0 && k < n; k++)
        r = count(u, &outs[k]);
    u->done += n;
    u->s.live_records += (long)n;
    progress(u, false);
    pthread_mutex_unlock(&u->lock);
    return r;
}

/* Records through the live transactions, RD_IMPORT_BATCH a transaction. */
static int apply_slow(worker *w, const imp_record *const *recs, size_t n)
{
    /* the outcomes in the worker's scratch: the fast path's batch is counted already */
    int r = n ? imp_scratch_reserve(&w->scratch, RD_IMPORT_BATCH) : 0;
    double t = imp_now(), c = imp_cpu();
    for (size_t i = 0; r == 0 && i < n; i += RD_IMPORT_BATCH)
        r = apply_batch(w, recs + i, n - i < RD_IMPORT_BATCH ? n - i : RD_IMPORT_BATCH,
                        w->scratch.outs);
    w->live_s += imp_now() - t;
    w->live_cpu += imp_cpu() - c;
    return r;
}

/* Whole citizens through the fast path; those it leaves go through the live transactions. */
static int apply_fast(worker *w, const imp_record *const *recs, size_t n, bool *slow,
                      const imp_record **rest)
{
    run *u = w->u;
    int r = imp_scratch_reserve(&w->scratch, n);
    if (r == 0)
        r = imp_fast_apply(u->svc, w->db, u->o->dry_run, recs, n, &w->scratch, slow, &w->times);
    if (r < 0 && fatal(r))
        return r;
    const imp_outcome *outs = w->scratch.outs;
    bool all_slow = r < 0; /* the database refused a question: the live way for all */
    size_t n_rest = 0;
    r = 0;
    pthread_mutex_lock(&u->lock);
    for (size_t k = 0; k < n; k++) {
        if (all_slow || slow[k])
            rest[n_rest++] = recs[k];
        else if (r == 0)
            r = count(u, &outs[k]);
    }
    u->done += n - n_rest;
    u->s.fast_records += (long)(n - n_rest);
    progress(u, false);
    pthread_mutex_unlock(&u->lock);
    return r < 0 ? r : apply_slow(w, rest, n_rest);
}

/* A worker's records by citizen, each citizen's in time order (the order they come in). */
static int cmp_citizen(const void *a, const void *b)
{
    const imp_record *x = *(const imp_record *const *)a, *y = *(const imp_record *const *)b;
    if (x->citizen != y->citizen)
        return x->citizen < y->citizen ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* The texts of a batch, read again from their files. A line that is no longer what was read
 * (the file changed under the import) is an input error: nothing more is applied. */
static int load_texts(run *u, imp_record *const *recs, size_t n)
{
    int r = imp_text_load(u->rs, recs, n);
    if (r == -EIO) {
        fprintf(stderr, "repeatd import: an input file changed while it was imported\n");
        r = -EINVAL;
    }
    return r;
}

/* A worker's share of the ordered records: whole citizens, RD_IMPORT_FAST_BATCH records or
 * so a transaction, through the fast path (all of it through the live transactions with
 * --per-record). A dry run works in one transaction of its own, rolled back. */
static void *work(void *cls)
{
    worker *w = cls;
    run *u = w->u;
    size_t n = 0;
    for (size_t i = 0; i < u->rs->n; i++)
        n += u->rs->items[i].citizen % u->n_workers == w->part;
    imp_record **mine = calloc(n + 1, sizeof(*mine));
    const imp_record **rest = calloc(n + 1, sizeof(*rest));
    bool *slow = calloc(n + 1, sizeof(*slow));
    int r = mine && rest && slow ? 0 : -ENOMEM;
    /* Its commits may be lost in a crash of the database: the next run applies them again. */
    if (r == 0)
        r = rd_db_simple(w->db, "SET synchronous_commit TO off");
    if (r == 0 && u->o->dry_run)
        r = rd_db_simple(w->db, "BEGIN");
    size_t k = 0;
    for (size_t i = 0; r == 0 && i < u->rs->n; i++)
        if (u->rs->items[i].citizen % u->n_workers == w->part)
            mine[k++] = &u->rs->items[i];
    if (r == 0 && u->o->per_record) {
        for (size_t i = 0; r == 0 && i < n; i += RD_IMPORT_FAST_BATCH) {
            size_t m = n - i < RD_IMPORT_FAST_BATCH ? n - i : RD_IMPORT_FAST_BATCH;
            r = load_texts(u, mine + i, m);
            if (r == 0)
                r = apply_slow(w, (const imp_record *const *)(mine + i), m);
            imp_text_drop(mine + i, m);
        }
    } else if (r == 0) {
        qsort(mine, n, sizeof(*mine), cmp_citizen);
        size_t from = 0;
        for (size_t i = 1; r == 0 && i <= n; i++) {
            bool boundary = i == n || mine[i]->citizen != mine[i - 1]->citizen;
            if (boundary && (i - from >= RD_IMPORT_FAST_BATCH || i == n)) {
                r = load_texts(u, mine + from, i - from);
                if (r == 0)
                    r = apply_fast(w, (const imp_record *const *)(mine + from), i - from,
                                   slow + from, rest);
                imp_text_drop(mine + from, i - from);
                from = i;
            }
        }
    }

    if (u->o->dry_run && !w->db->broken)
        (void)rd_db_simple(w->db, "ROLLBACK"); /* a dry run writes nothing */
    free(mine);
    free(rest);
    free(slow);
    imp_scratch_free(&w->scratch);
    w->rc = r;
    return NULL;
}

/* Events whose ticket is not in the input belong to the citizen the database has for it
 * (one that has none is rejected when applied: not_found). */
static int citizens_from_database(run *u, imp_records *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        imp_record *rec = &rs->items[i];
        if (rec->kind != IMP_EVENT || rec->has_citizen)
            continue;
        char hex[72];
        int r = store_ticket_citizen(u->db, rec->id, hex);
        if (r < 0)
            return r;
        if (r == 1) {
            rec->citizen = imp_citizen_of_hex(hex);
            rec->has_citizen = true;
        }
    }
    return 0;
}

/* Start the workers (worker 0 on the caller's connection) and wait for them all. */
static int apply_all(run *u)
{
    worker ws[RD_IMPORT_WORKERS_MAX] = {{0}};
    unsigned started = 0;
    int r = 0;
    for (unsigned i = 0; i < u->n_workers; i++) {
        ws[i] = (worker){.u = u, .part = i, .db = i == 0 ? u->db : NULL};
        if (i > 0 && !(ws[i].db = rd_db_connect(u->o->database_url))) {
            r = -ECONNREFUSED;
            break;
        }
    }
    for (unsigned i = 0; r == 0 && i < u->n_workers; i++, started++)
        if (pthread_create(&ws[i].thread, NULL, work, &ws[i]) != 0)
            r = -EAGAIN;
    for (unsigned i = 0; i < started; i++) {
        pthread_join(ws[i].thread, NULL);
        if (r == 0)
            r = ws[i].rc;
        u->times.parse += ws[i].times.parse;
        u->times.ask += ws[i].times.ask;
        u->times.fold += ws[i].times.fold;
        u->times.write += ws[i].times.write;
        u->times.cpu_parse += ws[i].times.cpu_parse;
        u->times.cpu_ask += ws[i].times.cpu_ask;
        u->times.cpu_fold += ws[i].times.cpu_fold;
        u->times.cpu_write += ws[i].times.cpu_write;
        u->live_s += ws[i].live_s;
        u->live_cpu += ws[i].live_cpu;
    }
    for (unsigned i = 1; i < u->n_workers; i++)
        rd_db_close(ws[i].db);
    return r;
}

/* ---- the whole run ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A history is imported before the line goes live on it: the database may hold tickets of
 * this same history (a second run, a run after a kill) and older ones, but a ticket received
 * after the history begins that the history does not hold would make its decisions differ
 * from the live path's. */
static int check_overlap(run *u, const imp_records *rs)
{
    if (rs->n == 0)
        return 0;
    char **ids = calloc(rs->n, sizeof(*ids));
    size_t n = 0;
    if (!ids)
        return -ENOMEM;
    for (size_t i = 0; i < rs->n; i++)
        if (rs->items[i].kind == IMP_TICKET)
            ids[n++] = rs->items[i].id;
    qsort(ids, n, sizeof(*ids), cmp_str);
    char **later = NULL;
    size_t n_later = 0;
    int r = store_tickets_received_after(u->db, rs->items[0].at, &later, &n_later);
    size_t foreign = 0;
    const char *example = NULL;
    for (size_t i = 0; r == 0 && i < n_later; i++) {
        if (!bsearch(&later[i], ids, n, sizeof(*ids), cmp_str)) {
            foreign++;
            if (!example)
                example = later[i];
        }
    }
    if (r == 0 && foreign) {
        fprintf(stderr,
                "repeatd import: the database holds %zu ticket(s) received after this history "
                "begins that it does not contain (%s, ...); import history before the line "
                "goes live on it, or only history that begins after the newest stored "
                "ticket\n",
                foreign, example);
        r = -EINVAL;
    }
    for (size_t i = 0; i < n_later; i++)
        free(later[i]);
    free(later);
    free(ids);
    return r;
}

/* Every month the history's tickets were received in gets its partitions before the workers
 * COPY into them (a dry run too: empty partitions are schema, not history). The records are in
 * time order, so each month comes once. */
static int make_partitions(rd_db *db, const imp_records *rs)
{
    int last = INT_MIN;
    for (size_t i = 0; i < rs->n; i++) {
        const imp_record *x = &rs->items[i];
        int month = rd_month_index(x->at, 0);
        if (x->kind != IMP_TICKET || month == last)
            continue;
        char at[RD_TIME_TEXT_MAX];
        rd_time_format(x->at, 0, at);
        int r = store_partition_for(db, at);
        if (r < 0)
            return r;
        last = month;
    }
    return 0;
}

int rd_import(rd_service *svc, rd_db *db, const rd_import_opts *o, rd_import_summary *ret)
{
    run u = {.svc = svc, .db = db, .o = o, .started = imp_now(), .n_workers = 1};
    double cpu = imp_cpu_all();
    if (o->database_url && o->workers > 0)
        u.n_workers = o->workers < RD_IMPORT_WORKERS_MAX ? o->workers : RD_IMPORT_WORKERS_MAX;
    u.s.dry_run = o->dry_run;
    svc->settings_pinned = true; /* one history, one set of settings: read once */
    imp_records rs = {.secret = svc->secret};
    int r = 0;
    if (o->rejects_path && !(u.rejects = fopen(o->rejects_path, "w"))) {
        fprintf(stderr, "repeatd import: cannot write %s: %s\n", o->rejects_path, strerror(errno));
        return -EINVAL;
    }
    /* The files stay open until the workers are done: they read each line again (a regular
     * file's text is not kept in memory). */
    FILE **files = calloc(o->n_files + 1, sizeof(*files));
    rs.fds = calloc(o->n_files + 1, sizeof(*rs.fds));
    if (!files || !rs.fds)
        r = -ENOMEM;
    for (size_t i = 0; r == 0 && i < o->n_files; i++) {
        bool std_in = !strcmp(o->files[i], "-");
        FILE *f = std_in ? stdin : fopen(o->files[i], "r");
        if (!f) {
            fprintf(stderr, "repeatd import: cannot read %s: %s\n", o->files[i], strerror(errno));
            r = -EINVAL;
            break;
        }
        files[i] = std_in ? NULL : f;
        struct stat st;
        rs.fds[i] = !std_in && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) ? fileno(f) : -1;
        rs.n_fds = (unsigned)i + 1;
        r = imp_read(&rs, f, (unsigned)i, write_reject, &u);
    }
    u.s.lines = rs.lines;
    double t = imp_now(), c = imp_cpu_all();
    u.read_s = t - u.started;
    u.read_cpu = c - cpu;
    if (r == 0)
        r = imp_order(&rs);
    u.order_s = imp_now() - t;
    u.order_cpu = imp_cpu_all() - c;
    t = imp_now();
    u.total = rs.n;
    if (r == 0)
        r = check_overlap(&u, &rs);
    if (r == 0)
        r = make_partitions(db, &rs);
    if (r == 0)
        r = citizens_from_database(&u, &rs);
    u.check_s = imp_now() - t;
    u.rs = &rs;
    pthread_mutex_init(&u.lock, NULL);
    if (r == 0)
        r = apply_all(&u);
    pthread_mutex_destroy(&u.lock);
    progress(&u, true);
    if (o->progress)
        fprintf(o->progress,
                "repeatd import: seconds in reading %.2f, ordering %.2f, checking %.2f; the "
                "workers' sum: parsing %.2f, asking %.2f, folding %.2f, writing %.2f, live "
                "transactions %.2f\n",
                u.read_s, u.order_s, u.check_s, u.times.parse, u.times.ask, u.times.fold,
                u.times.write, u.live_s);
    if (o->progress)
        fprintf(o->progress,
                "repeatd import: CPU seconds in reading %.2f, ordering %.2f; the workers' sum: "
                "parsing %.2f, asking %.2f, folding %.2f, writing %.2f, live transactions "
                "%.2f\n",
                u.read_cpu, u.order_cpu, u.times.cpu_parse, u.times.cpu_ask, u.times.cpu_fold,
                u.times.cpu_write, u.live_cpu);
    if (u.rejects && fclose(u.rejects) != 0 && r == 0)
        r = -EIO;
    for (size_t i = 0; files && i < o->n_files; i++)
        if (files[i])
            fclose(files[i]);
    free(files);
    free(rs.fds);
    imp_records_free(&rs);
    u.s.seconds = imp_now() - u.started;
    if (r == 0)
        *ret = u.s;
    return r;
}

void rd_import_summary_print(FILE *f, const rd_import_summary *s)
{
    json_t *decisions = json_object(), *rejected = json_object();
    for (int k = 0; k < 6; k++)
        json_object_set_new(decisions, rd_decision_name((rd_decision_kind)k),
                            json_integer(s->decisions[k]));
    for (int c = 0; c < RD_ERR_COUNT_; c++)
        if (s->rejected_by_code[c])
            json_object_set_new(rejected, rd_err_code((rd_err)c),
                                json_integer(s->rejected_by_code[c]));
    json_t *o = json_pack(
        "{s:I, s:I, s:o, s:I, s:I, s:{s:I, s:I}, s:I, s:o, s:{s:I, s:I}, s:f, s:b}", "lines",
        (json_int_t)s->lines, "tickets", (json_int_t)s->tickets, "decisions", decisions,
        "events_accepted", (json_int_t)s->events_accepted, "closeouts_rejected",
        (json_int_t)s->closeouts_rejected, "skipped_duplicates", "tickets",
        (json_int_t)s->skipped_tickets, "events", (json_int_t)s->skipped_events, "lines_rejected",
        (json_int_t)s->rejected, "rejected_by_error", rejected, "records_by_path", "fast",
        (json_int_t)s->fast_records, "live", (json_int_t)s->live_records, "seconds", s->seconds,
        "dry_run", s->dry_run);
    char *text =
        o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    if (text)
        fprintf(f, "%s\n", text);
    free(text);
    json_decref(o);
}
