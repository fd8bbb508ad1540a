/* The improvement loop: programmes (末位改善专项), the green-channel worklist (专人维护核查) and
 * the periodic report (通报) (app/programmes.c, green_worklist.c, report.c). */
#include "repeatd/routes.h"

#include "repeatd/kpi_params.h"
#include "repeatd/loop_json.h"
#include "repeatd/programmes.h"
#include "repeatd/report.h"

#include <errno.h>
#include <string.h>

static void reply_value(rd_request *req, unsigned status, json_t *body)
{
    if (body)
        rd_reply_json(req, status, body);
    else
        rd_reply_store_error(req, -ENOMEM);
}

static void reply_detail(rd_request *req, int r, unsigned status, rd_programme_detail *d,
                         const rd_refusal *ref)
{
    if (r < 0) {
        rd_reply_failure(req, r, ref);
        return;
    }
    json_t *body = rd_programme_detail_json(d);
    rd_programme_detail_clear(d);
    reply_value(req, status, body);
}

void rd_handle_programmes_list(rd_request *req)
{
    const char *status = rd_request_arg(req, "status");
    if (status && strcmp(status, "open") && strcmp(status, "closed")) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "status", "status must be open or closed");
        return;
    }
    const char *overdue = rd_request_arg(req, "overdue");
    if (overdue && strcmp(overdue, "true") && strcmp(overdue, "false")) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "overdue", "overdue must be true or false");
        return;
    }
    rd_programme_list l = {0};
    rd_refusal ref;
    int r = rd_programmes_list(req->httpd->service, &req->db, status,
                               overdue ? !strcmp(overdue, "true") : -1, &l, &ref);
    if (r < 0) {
        rd_reply_failure(req, r, &ref);
        return;
    }
    json_t *body = rd_programme_list_json(&l);
    rd_programme_list_clear(&l);
    reply_value(req, 200, body);
}

void rd_handle_programme_create(rd_request *req)
{
    rd_programme_detail d = {0};
    rd_refusal ref;
    int r = rd_programme_create(req->httpd->service, &req->db, req->json, req->key_name, &d, &ref);
    reply_detail(req, r, 201, &d, &ref);
}

void rd_handle_programme_get(rd_request *req)
{
    long before;
    if (!rd_int_param(req, "before", 0, RD_PROGRAMME_BEFORE_MAX, 3, &before))
        return;
    rd_programme_detail d = {0};
    rd_refusal ref;
    int r =
        rd_programme_get(req->httpd->service, &req->db, req->path_params[0], (int)before, &d, &ref);
    reply_detail(req, r, 200, &d, &ref);
}

void rd_handle_programme_checkin(rd_request *req)
{
    rd_programme_detail d = {0};
    rd_refusal ref;
    int r = rd_programme_checkin(req->httpd->service, &req->db, req->path_params[0], req->json,
                                 req->key_name, &d, &ref);
    reply_detail(req, r, 201, &d, &ref);
}

void rd_handle_programme_status(rd_request *req)
{
    rd_programme_detail d = {0};
    rd_refusal ref;
    int r = rd_programme_set_status(req->httpd->service, &req->db, req->path_params[0], req->json,
                                    req->key_name, &d, &ref);
    reply_detail(req, r, 200, &d, &ref);
}

void rd_handle_green_worklist(rd_request *req)
{
    long limit;
    if (!rd_int_param(req, "limit", 1, RD_GREEN_WORKLIST_MAX, 1000, &limit))
        return;
    rd_green_worklist w = {0};
    rd_refusal ref;
    int r = rd_green_worklist_get(req->httpd->service, &req->db, limit, false, &w, &ref);
    if (r < 0) {
        rd_reply_failure(req, r, &ref);
        return;
    }
    json_t *body = rd_green_worklist_json(&w);
    rd_green_worklist_clear(&w);
    reply_value(req, 200, body);
}

static void reply_chain(rd_request *req, int r, unsigned status, rd_green_chain_detail *d,
                        const rd_refusal *ref)
{
    if (r < 0) {
        rd_reply_failure(req, r, ref);
        return;
    }
    json_t *body = rd_green_chain_detail_json(d);
    rd_green_chain_detail_clear(d);
    reply_value(req, status, body);
}

void rd_handle_green_chain_get(rd_request *req)
{
    rd_green_chain_detail d = {0};
    rd_refusal ref;
    int r = rd_green_chain_get(req->httpd->service, &req->db, req->path_params[0], &d, &ref);
    reply_chain(req, r, 200, &d, &ref);
}

void rd_handle_green_assign(rd_request *req)
{
    rd_green_chain_detail d = {0};
    rd_refusal ref;
    int r = rd_green_assign(req->httpd->service, &req->db, req->path_params[0], req->json,
                            req->key_name, &d, &ref);
    reply_chain(req, r, 200, &d, &ref);
}

void rd_handle_green_verify(rd_request *req)
{
    rd_green_chain_detail d = {0};
    rd_refusal ref;
    int r = rd_green_verify(req->httpd->service, &req->db, req->path_params[0], req->json,
                            req->key_name, &d, &ref);
    reply_chain(req, r, 201, &d, &ref);
}

/* The whole document as JSON, or one of its tables as CSV (?format=csv or Accept: text/csv,
 * with ?table=): the table is checked before the report is built. */
void rd_handle_report_get(rd_request *req)
{
    rd_period_kind kind;
    int month;
    rd_refusal ref;
    if (rd_report_period_parse(req->path_params[0], &kind, &month, &ref) < 0) {
        rd_reply_refusal(req, &ref);
        return;
    }
    rd_format format;
    if (!rd_reply_format(req, &format))
        return;
    const char *table = rd_request_arg(req, "table");
    if (table ? !rd_report_table_known(table) : format == RD_FORMAT_CSV) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "table",
                       "a CSV of the report is one of its tables: table must be one of: %s",
                       RD_REPORT_TABLES);
        return;
    }
    rd_report rep = {0};
    int r = rd_report_get(req->httpd->service, &req->db, kind, month, &rep, &ref);
    if (r < 0) {
        rd_reply_failure(req, r, &ref);
        return;
    }
    if (format == RD_FORMAT_CSV) {
        rd_csv c = {0};
        char filename[RD_CSV_FILENAME_MAX];
        r = rd_report_csv(&rep, table, &c, filename);
        rd_report_clear(&rep);
        if (r < 0) {
            rd_csv_free(&c);
            rd_reply_store_error(req, r);
        } else {
            rd_reply_csv(req, &c, filename);
        }
        return;
    }
    json_t *body = rd_report_json(&rep);
    rd_report_clear(&rep);
    reply_value(req, 200, body);
}
