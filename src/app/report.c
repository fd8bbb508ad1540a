/* The periodic report (按月、季、年通报): each section is filled by the KPI use case a dashboard
 * calls for the same period (app/kpi_*.c) or by the improvement loop's reads, so every number
 * equals that endpoint's answer. A new section is one more row of `sections` (and of the
 * writer's table in codec/loop_json.c). */
#include "repeatd/report.h"

#include "repeatd/kpi_answer.h"
#include "repeatd/problem_list.h"
#include "repeatd/programmes.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int rd_report_period_parse(const char *label, rd_period_kind *ret_kind, int *ret_month,
                           rd_refusal *ref)
{
    if (rd_period_parse_any(label, ret_kind, ret_month) == 0)
        return 0;
    return rd_refuse(ref, RD_ERR_INVALID_PARAMETER, "period",
                     "period must be a month (2026-10), a quarter (2026-Q3) or a year (2026)");
}

void rd_report_clear(rd_report *r)
{
    if (!r)
        return;
    rd_kpi_answer_free(&r->headline);
    rd_kpi_answer_free(&r->ranking);
    rd_kpi_answer_free(&r->top_problems);
    rd_kpi_answer_free(&r->anomalies_category);
    rd_kpi_answer_free(&r->anomalies_unit);
    rd_kpi_answer_free(&r->contact_failures);
    rd_kpi_answer_free(&r->closeout_quality);
    rd_programme_list_clear(&r->programmes);
    rd_green_worklist_clear(&r->green);
    free(r->problems);
    memset(r, 0, sizeof(*r));
}

/* The query of a dashboard for the report's period: ?period=&at=, by `by` (RD_DIM_TOTAL for
 * none), the endpoint's defaults for the rest. */
static rd_kpi_query query_at(const rd_report *r, rd_kpi_dim by)
{
    return (rd_kpi_query){.period = r->kind,
                          .has_from = true,
                          .has_to = true,
                          .from = r->month,
                          .to = r->month,
                          .has_by = by != RD_DIM_TOTAL,
                          .by = by,
                          .limit = 10,
                          .baseline = RD_ANOMALY_DEFAULT_BASELINE,
                          .min_repeats = RD_ANOMALY_DEFAULT_MIN_REPEATS,
                          .min_score = RD_ANOMALY_DEFAULT_MIN_SCORE};
}

typedef int section_fn(rd_service *svc, rd_db **db, rd_report *r, rd_refusal *ref);

static int headline(rd_service *svc, rd_db **db, rd_report *r, rd_refusal *ref)
{
    rd_kpi_query q = query_at(r, RD_DIM_TOTAL);
    q.from = r->year_ago;
    return rd_kpi_repeats(svc, db, &q, &r->headline, ref);
}

static int ranking(rd_service *svc, rd_db **db, rd_report *r, rd_refusal *ref)
{
    rd_kpi_query q = query_at(r, RD_DIM_UNIT);
    return rd_kpi_ranking(svc, db, &q, &r->ranking, ref);
}

static int top_problems(rd_service *svc, rd_db **db, rd_report *r, rd_refusal *ref)
{
    rd_kpi_query q = query_at(r, RD_DIM_CATEGORY);
    return rd_kpi_top_problems(svc, db, &q, &r->top_problems, ref);
}

static int anomalies(rd_service *svc, rd_db **db, rd_report *r, rd_refusal *ref)
{
    rd_kpi_query q = query_at(r, RD_DIM_CATEGORY);
    q.limit = 50;
    int rc = rd_kpi_anomalies(svc, db, &q, &r->anomalies_category, ref);
    q.by = RD_DIM_UNIT;
    return rc < 0 ? rc : rd_kpi_anomalies(svc, db, &q, &r->anomalies_unit, ref);
}

/* By unit, as the endpoints answer without a `by`. */
static int handling(rd_service *svc, rd_db **db, rd_report *r, rd_refusal *ref)
{
    rd_kpi_query q = query_at(r, RD_DIM_UNIT);
    int rc = rd_kpi_contact_failures(svc, db, &q, &r->contact_failures, ref);
    return rc < 0 ? rc : rd_kpi_closeout_quality(svc, db, &q, &r->closeout_quality, ref);
}

static int programmes(rd_service *svc, rd_db **db, rd_report *r, rd_refusal *ref)
{
    int last = r->month + rd_period_months(r->kind) - 1;
    return rd_programmes_in_period(svc, db, r->month, last, &r->programmes, ref);
}

static int green(rd_service *svc, rd_db **db, rd_report *r, rd_refusal *ref)
{
    int rc = rd_green_worklist_get(svc, db, RD_GREEN_WORKLIST_MAX, true, &r->green, ref);
    int last = r->month + rd_period_months(r->kind) - 1;
    return rc < 0 ? rc
                  : rd_green_verification_counts(svc, db, r->month, last, &r->verifications,
                                                 &r->verifications_solved);
}

/* The problem list's movements in the period: what was created, changed status, took measures
 * or was overdue at its end. */
static int problems(rd_service *svc, rd_db **db, rd_report *r, rd_refusal *ref)
{
    (void)ref;
    int last = r->month + rd_period_months(r->kind) - 1;
    return rd_problem_movements(svc, db, r->month, last, &r->problems, &r->n_problems);
}

static section_fn *const sections[] = {
    headline, ranking, top_problems, anomalies, handling, programmes, green, problems,
};

typedef struct section_job {
    section_fn *fn;
    int rc;
    rd_refusal ref;
} section_job;

/* What the section threads share: the jobs, the next one to take. */
typedef struct section_run {
    rd_service *svc;
    rd_report *r;
    section_job jobs[sizeof(sections) / sizeof(sections[0])];
    atomic_size_t next;
} section_run;

#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

/* Take sections until none is left, each on a connection of its own, given back at once. */
static void *section_thread(void *arg)
{
    section_run *run = arg;
    for (size_t i; (i = atomic_fetch_add(&run->next, 1)) < N_SECTIONS;) {
        section_job *j = &run->jobs[i];
        rd_db *db = NULL;
        j->rc = j->fn(run->svc, &db, run->r, &j->ref);
        rd_service_release(run->svc, db);
    }
    return NULL;
}

/* Each section reads in transactions of its own and writes its own part of the report. With a
 * pool, side by side on at most half of its connections, so that a report (or two) never
 * takes every connection that intake needs; the caller's own connection is given back first,
 * so a section never waits for one its own request holds. Without a pool (a tool's single
 * connection), one after the other on *db. */
static int run_sections(rd_service *svc, rd_db **db, rd_report *r, rd_refusal *ref)
{
    section_run run = {.svc = svc, .r = r};
    for (size_t i = 0; i < N_SECTIONS; i++)
        run.jobs[i].fn = sections[i];
    atomic_init(&run.next, 0);
    pthread_t threads[N_SECTIONS];
    size_t n_threads = 0;
    if (svc->pool) {
        rd_service_release(svc, *db);
        *db = NULL;
        int size, idle;
        rd_service_pool_stats(svc, &size, &idle);
        size_t want = size > 3 ? (size_t)size / 2 : 1;
        while (n_threads < want && n_threads < N_SECTIONS &&
               pthread_create(&threads[n_threads], NULL, section_thread, &run) == 0)
            n_threads++;
    }
    if (n_threads == 0) /* no pool, or no thread to be had: this one does them all */
        for (size_t i; (i = atomic_fetch_add(&run.next, 1)) < N_SECTIONS;)
            run.jobs[i].rc = run.jobs[i].fn(svc, db, r, &run.jobs[i].ref);
    for (size_t i = 0; i < n_threads; i++)
        pthread_join(threads[i], NULL);
    int rc = 0;
    for (size_t i = 0; i < N_SECTIONS && rc == 0; i++) {
        rc = run.jobs[i].rc < 0 ? run.jobs[i].rc : 0;
        if (rc == -ECANCELED)
            *ref = run.jobs[i].ref;
    }
    return rc;
}

int rd_report_get(rd_service *svc, rd_db **db, rd_period_kind kind, int month, rd_report *ret,
                  rd_refusal *ref)
{
    rd_report r = {.kind = kind, .month = month};
    r.previous = month - rd_period_months(kind);
    r.year_ago = month - 12;
    int rc = run_sections(svc, db, &r, ref);
    if (rc < 0) {
        rd_report_clear(&r);
        return rc;
    }
    *ret = r;
    return 0;
}
