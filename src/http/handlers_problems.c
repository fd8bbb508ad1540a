/* The problem list (问题清单): /v1/problems and its suggestions (app/problems.c,
 * app/problem_suggest.c answer; codec/problem_json.c writes). */
#include "repeatd/routes.h"

#include "repeatd/kpi_params.h"
#include "repeatd/problem_json.h"
#include "repeatd/problem_list.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void reply_view(rd_request *req, int r, unsigned status, rd_problem_view *v,
                       const rd_refusal *ref)
{
    if (r < 0) {
        rd_reply_failure(req, r, ref);
        return;
    }
    json_t *body = rd_problem_view_json(v);
    rd_problem_view_free(v);
    if (body)
        rd_reply_json(req, status, body);
    else
        rd_reply_store_error(req, -ENOMEM);
}

void rd_handle_problem_create(rd_request *req)
{
    rd_problem_view v = {0};
    rd_refusal ref;
    int r = rd_problem_create(req->httpd->service, &req->db, req->json, req->key_name, &v, &ref);
    reply_view(req, r, 201, &v, &ref);
}

void rd_handle_problem_get(rd_request *req)
{
    long months;
    if (!rd_int_param(req, "months_before", 1, RD_PROBLEM_MONTHS_BEFORE_MAX,
                      RD_PROBLEM_MONTHS_BEFORE_DEFAULT, &months))
        return;
    rd_problem_view v = {0};
    rd_refusal ref;
    int r =
        rd_problem_get(req->httpd->service, &req->db, req->path_params[0], (int)months, &v, &ref);
    reply_view(req, r, 200, &v, &ref);
}

typedef int problem_write_fn(rd_service *svc, rd_db **db, const char *id, json_t *body,
                             const char *who, rd_problem_view *ret, rd_refusal *ref);

static void problem_write(rd_request *req, problem_write_fn *fn, unsigned status)
{
    rd_problem_view v = {0};
    rd_refusal ref;
    int r =
        fn(req->httpd->service, &req->db, req->path_params[0], req->json, req->key_name, &v, &ref);
    reply_view(req, r, status, &v, &ref);
}

void rd_handle_problem_patch(rd_request *req)
{
    problem_write(req, rd_problem_edit, 200);
}

void rd_handle_problem_measure(rd_request *req)
{
    problem_write(req, rd_problem_measure_add, 201);
}

void rd_handle_problem_note(rd_request *req)
{
    problem_write(req, rd_problem_note_add, 201);
}

void rd_handle_problem_status(rd_request *req)
{
    problem_write(req, rd_problem_status_set, 200);
}

void rd_handle_problems_list(rd_request *req)
{
    rd_problem_query q = {.status = rd_request_arg(req, "status"),
                          .department = rd_request_arg(req, "department"),
                          .overdue = -1};
    const char *overdue = rd_request_arg(req, "overdue");
    if (overdue && strcmp(overdue, "true") && strcmp(overdue, "false")) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "overdue", "overdue must be true or false");
        return;
    }
    if (overdue)
        q.overdue = !strcmp(overdue, "true");
    if (!rd_int_param(req, "limit", 1, RD_PROBLEM_PAGE_MAX, 50, &q.limit) ||
        !rd_int_param(req, "offset", 0, 100000000, 0, &q.offset))
        return;
    rd_problem_page page = {0};
    rd_refusal ref;
    int r = rd_problems_list(req->httpd->service, &req->db, &q, &page, &ref);
    if (r < 0) {
        rd_reply_failure(req, r, &ref);
        return;
    }
    json_t *body = rd_problem_page_json(&page);
    free(page.items);
    if (body)
        rd_reply_json(req, 200, body);
    else
        rd_reply_store_error(req, -ENOMEM);
}

void rd_handle_problem_suggestions(rd_request *req)
{
    rd_problem_suggestions s = {0};
    rd_refusal ref;
    int r = rd_problem_suggest(req->httpd->service, &req->db, rd_request_arg(req, "at"), &s, &ref);
    if (r < 0) {
        rd_reply_failure(req, r, &ref);
        return;
    }
    json_t *body = rd_problem_suggestions_json(&s);
    rd_problem_suggestions_free(&s);
    if (body)
        rd_reply_json(req, 200, body);
    else
        rd_reply_store_error(req, -ENOMEM);
}
