/* The problem list's use cases (app/problems.c, app/problem_suggest.c): each validates what it
 * can before its transaction and answers a result or an rd_refusal. */
#pragma once

#include "repeatd/problems.h"
#include "repeatd/refusal.h"
#include "repeatd/service.h"

#include <jansson.h>

#define RD_PROBLEM_MONTHS_BEFORE_DEFAULT 6
#define RD_PROBLEM_MONTHS_BEFORE_MAX     24
#define RD_PROBLEM_PAGE_MAX              500

void rd_problem_view_free(rd_problem_view *v);

/* POST /v1/problems: {title, scope: {category, unit?}, source, source_period?, department?,
 * due_date?} under `who`; the new problem's view. */
int rd_problem_create(rd_service *svc, rd_db **db, json_t *body, const char *who,
                      rd_problem_view *ret, rd_refusal *ref);

/* GET /v1/problems/{id}: `id` as sent (refused unless a positive integer), the effect over
 * months_before months before the first measure. */
int rd_problem_get(rd_service *svc, rd_db **db, const char *id, int months_before,
                   rd_problem_view *ret, rd_refusal *ref);

/* The writes on one problem, each recorded as a dated update under `who`; the view after. */
int rd_problem_edit(rd_service *svc, rd_db **db, const char *id, json_t *body, const char *who,
                    rd_problem_view *ret, rd_refusal *ref);
int rd_problem_measure_add(rd_service *svc, rd_db **db, const char *id, json_t *body,
                           const char *who, rd_problem_view *ret, rd_refusal *ref);
int rd_problem_note_add(rd_service *svc, rd_db **db, const char *id, json_t *body, const char *who,
                        rd_problem_view *ret, rd_refusal *ref);
int rd_problem_status_set(rd_service *svc, rd_db **db, const char *id, json_t *body,
                          const char *who, rd_problem_view *ret, rd_refusal *ref);

/* GET /v1/problems: filters (NULL for none; overdue -1 any), a page. */
typedef struct rd_problem_query {
    const char *status, *department;
    int overdue;
    long limit, offset;
} rd_problem_query;

int rd_problems_list(rd_service *svc, rd_db **db, const rd_problem_query *q, rd_problem_page *ret,
                     rd_refusal *ref);

/* The problems that moved in the months [from, to] (month indexes) or were overdue at their end,
 * for the periodic report (read on the replica when one keeps up); *ret malloc'd (free it). */
int rd_problem_movements(rd_service *svc, rd_db **db, int from, int to, rd_problem_movement **ret,
                         size_t *ret_n);

/* ---- suggestions ---- */

void rd_problem_suggestions_free(rd_problem_suggestions *s);

/* GET /v1/problems/suggestions?at=2026-10 (NULL: the current month). */
int rd_problem_suggest(rd_service *svc, rd_db **db, const char *at, rd_problem_suggestions *ret,
                       rd_refusal *ref);
