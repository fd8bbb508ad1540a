/* The demo city's problem list: a few problems with measures, notes and status changes, made
 * through the same use cases as POST /v1/problems and its writes, so that the list, the effect
 * and the audit trail have something to show. */
#include "demo.h"

#include "repeatd/kpi_answer.h"
#include "repeatd/problem_list.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define WHO "demo"

/* The first day of a month index, 2026-10-01. */
#define DATE_TEXT 16

static void first_day(int month, char out[DATE_TEXT])
{
    snprintf(out, DATE_TEXT, "%04d-%02d-01", month / 12 % 10000, month % 12 + 1);
}

typedef int write_fn(rd_service *svc, rd_db **db, const char *id, json_t *body, const char *who,
                     rd_problem_view *ret, rd_refusal *ref);

/* One write on problem `id`; the body is stolen. */
static int apply(rd_service *svc, rd_db **db, write_fn *fn, int64_t id, json_t *body)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%lld", (long long)id);
    rd_problem_view v = {0};
    rd_refusal ref;
    int r = body ? fn(svc, db, ids, body, WHO, &v, &ref) : -ENOMEM;
    json_decref(body);
    rd_problem_view_free(&v);
    if (r == -ECANCELED)
        fprintf(stderr, "demo problem %lld refused: %s\n", (long long)id, ref.message);
    return r;
}

static int create(rd_service *svc, rd_db **db, json_t *body, int64_t *ret_id)
{
    rd_problem_view v = {0};
    rd_refusal ref;
    int r = body ? rd_problem_create(svc, db, body, WHO, &v, &ref) : -ENOMEM;
    json_decref(body);
    if (r == 0)
        *ret_id = v.problem.id;
    else if (r == -ECANCELED)
        fprintf(stderr, "demo problem refused: %s\n", ref.message);
    rd_problem_view_free(&v);
    return r;
}

/* The month's top repeat problem (a leaf), as GET /v1/kpi/top-problems answers it. */
static int top_leaf(rd_service *svc, rd_db **db, int month, char code[RD_ID_MAX],
                    char name[RD_PROBLEM_TEXT_MAX])
{
    rd_kpi_query q = {.period = RD_PERIOD_MONTH,
                      .has_from = true,
                      .has_to = true,
                      .from = month,
                      .to = month,
                      .has_by = true,
                      .by = RD_DIM_CATEGORY,
                      .limit = 1};
    rd_kpi_answer a = {0};
    rd_refusal ref;
    int r = rd_kpi_top_problems(svc, db, &q, &a, &ref);
    if (r == 0 && a.n_items == 0)
        r = -ENOENT;
    if (r == 0) {
        snprintf(code, RD_ID_MAX, "%s", a.items[0].row->key);
        snprintf(name, RD_PROBLEM_TEXT_MAX, "%s", a.items[0].name ? a.items[0].name : code);
    }
    rd_kpi_answer_free(&a);
    return r;
}

int demo_problems(rd_db *db, rd_service *svc, const rd_demo_summary *s, int end_month, long *ret_n)
{
    /* Earlier demo problems make way, as earlier demo tickets do. */
    int r = rd_db_simple(db, "DELETE FROM problem_updates WHERE problem_id IN"
                             " (SELECT id FROM problems WHERE created_by = '" WHO "');"
                             " DELETE FROM problem_measures WHERE problem_id IN"
                             " (SELECT id FROM problems WHERE created_by = '" WHO "');"
                             " DELETE FROM problems WHERE created_by = '" WHO "'");
    long n = 0;
    char period[RD_PERIOD_LABEL_MAX], d1[DATE_TEXT], d2[DATE_TEXT];
    char code[RD_ID_MAX], name[RD_PROBLEM_TEXT_MAX], title[RD_PROBLEM_TEXT_MAX + 64];
    int64_t id = 0;

    /* Half a year ago's top problem: worked on, measured, verified fixed. */
    int m = end_month - 6, found = r == 0 ? top_leaf(svc, &db, m, code, name) : r;
    if (found < 0 && found != -ENOENT) /* a city too young has no top problem then */
        r = found;
    if (r == 0 && found == 0) {
        rd_period_label(RD_PERIOD_MONTH, m, period);
        first_day(m + 3, d1);
        snprintf(title, sizeof(title), "%s：%s 重复投诉第一", name, period);
        r = create(svc, &db,
                   json_pack("{s:s, s:{s:s}, s:s, s:s, s:s, s:s}", "title", title, "scope",
                             "category", code, "source", "top_problem", "source_period", period,
                             "department", "市城市管理和综合执法局", "due_date", d1),
                   &id);
    }
    if (r == 0 && found == 0) {
        n++;
        first_day(m + 1, d1);
        first_day(m + 2, d2);
        r = apply(
            svc, &db, rd_problem_note_add, id,
            json_pack("{s:s, s:s}", "note", "月度例会：责任部门认领，制定整改方案", "date", d1));
        if (r == 0)
            r = apply(svc, &db, rd_problem_status_set, id,
                      json_pack("{s:s, s:s}", "status", "in_progress", "date", d1));
        if (r == 0)
            r = apply(svc, &db, rd_problem_measure_add, id,
                      json_pack("{s:s, s:s}", "description",
                                "建立首问负责和处置回访双台账，重复来电直派原处理人",
                                "effective_date", d2));
        first_day(end_month - 1, d1);
        if (r == 0)
            r = apply(svc, &db, rd_problem_status_set, id,
                      json_pack("{s:s, s:s, s:s}", "status", "verified_fixed", "note",
                                "整改后连续三个月重复投诉下降，核验通过", "date", d1));
    }

    /* Last month's planted anomalies (异动): on the list, a measure this month. */
    rd_period_label(RD_PERIOD_MONTH, s->anomaly_month, period);
    for (size_t i = 0; r == 0 && i < s->n_planted; i++) {
        const rd_demo_planted *p = &s->planted[i];
        if (p->dim != RD_DIM_CATEGORY)
            continue;
        snprintf(title, sizeof(title), "%s：%s 重复投诉异动", p->name, period);
        first_day(end_month + 1, d1);
        r = create(svc, &db,
                   json_pack("{s:s, s:{s:s}, s:s, s:s, s:s, s:s}", "title", title, "scope",
                             "category", p->key, "source", "anomaly", "source_period", period,
                             "department", "市政务服务数据管理局", "due_date", d1),
                   &id);
        if (r == 0) {
            n++;
            first_day(end_month, d1);
            r = apply(svc, &db, rd_problem_status_set, id,
                      json_pack("{s:s, s:s, s:s}", "status", "in_progress", "note",
                                "专题研讨：集中派单至原处理单位复核", "date", d1));
        }
        if (r == 0)
            r = apply(svc, &db, rd_problem_measure_add, id,
                      json_pack("{s:s, s:s}", "description", "每日通报该类工单，专人跟进回访",
                                "effective_date", d1));
    }

    /* A problem raised by hand two months ago, never taken up: open and overdue. */
    if (r == 0 && top_leaf(svc, &db, end_month - 2, code, name) == 0) {
        rd_period_label(RD_PERIOD_MONTH, end_month - 2, period);
        first_day(end_month - 1, d1);
        snprintf(title, sizeof(title), "%s：市民反映处置不彻底", name);
        r = create(svc, &db,
                   json_pack("{s:s, s:{s:s}, s:s, s:s, s:s, s:s}", "title", title, "scope",
                             "category", code, "source", "manual", "source_period", period,
                             "department", "区住房和城乡建设局", "due_date", d1),
                   &id);
        if (r == 0) {
            n++;
            r = apply(
                svc, &db, rd_problem_note_add, id,
                json_pack("{s:s, s:s}", "note", "例会通报：责任部门尚未反馈整改计划", "date", d1));
        }
    }
    if (r == 0)
        *ret_n = n;
    return r;
}
