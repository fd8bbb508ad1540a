/* The route table: {method, pattern, handler, role, max body} rows and one matcher. */
#pragma once

#include "repeatd/http.h"

#define RD_ROLE_NONE (-1) /* no key needed */

typedef struct rd_route {
    const char *method;
    const char *pattern; /* "/v1/tickets/{id}/events": {x} matches one non-empty segment */
    rd_handler_fn handler;
    int role;       /* rd_role needed (admin passes every check), or RD_ROLE_NONE */
    bool json_body; /* the body is JSON and required */
    long max_body;  /* bytes; 0 = REPEATD_MAX_BODY_BYTES */
} rd_route;

typedef enum rd_match {
    RD_MATCH_OK,
    RD_MATCH_NO_PATH,   /* 404 */
    RD_MATCH_NO_METHOD, /* 405; *ret_allow lists the methods */
} rd_match;

#define RD_ALLOW_MAX 64

/* Find the route of (method, path); on RD_MATCH_OK fills params (malloc'd copies, caller
 * frees); on RD_MATCH_NO_METHOD lists the path's methods in ret_allow. */
rd_match rd_route_find(const char *method, const char *path, const rd_route **ret,
                       char *params[RD_PATH_PARAMS], char ret_allow[RD_ALLOW_MAX]);

/* The position of a route in the table, and how many there are (for metrics). */
int rd_route_index(const rd_route *r);
int rd_route_count(void);
const rd_route *rd_route_at(int i);

/* ---- handlers, one file per resource ---- */
void rd_handle_metrics(rd_request *req);
void rd_handle_web_root(rd_request *req);
void rd_handle_web_file(rd_request *req);
void rd_handle_whoami(rd_request *req);
void rd_handle_healthz(rd_request *req);
void rd_handle_readyz(rd_request *req);
void rd_handle_ticket_create(rd_request *req);
void rd_handle_classify(rd_request *req);
void rd_handle_ticket_get(rd_request *req);
void rd_handle_event_create(rd_request *req);
void rd_handle_caller_history(rd_request *req);
void rd_handle_categories_put(rd_request *req);
void rd_handle_categories_get(rd_request *req);
void rd_handle_settings_get(rd_request *req);
void rd_handle_settings_patch(rd_request *req);
void rd_handle_settings_audit(rd_request *req);
void rd_handle_units_get(rd_request *req);
void rd_handle_units_put(rd_request *req);
void rd_handle_targets_get(rd_request *req);
void rd_handle_targets_put(rd_request *req);
void rd_handle_kpi_repeats(rd_request *req);
void rd_handle_kpi_ranking(rd_request *req);
void rd_handle_kpi_top_problems(rd_request *req);
void rd_handle_kpi_anomalies(rd_request *req);
void rd_handle_kpi_contact_failures(rd_request *req);
void rd_handle_kpi_closeout_quality(rd_request *req);
void rd_handle_kpi_green_channel(rd_request *req);
void rd_handle_kpi_trend(rd_request *req);
void rd_handle_kpi_decisions(rd_request *req);
/* The improvement loop (handlers_loop.c). */
void rd_handle_programmes_list(rd_request *req);
void rd_handle_programme_create(rd_request *req);
void rd_handle_programme_get(rd_request *req);
void rd_handle_programme_checkin(rd_request *req);
void rd_handle_programme_status(rd_request *req);
void rd_handle_green_worklist(rd_request *req);
void rd_handle_green_chain_get(rd_request *req);
void rd_handle_green_assign(rd_request *req);
void rd_handle_green_verify(rd_request *req);
void rd_handle_report_get(rd_request *req);
/* the problem list */
void rd_handle_problems_list(rd_request *req);
void rd_handle_problem_create(rd_request *req);
void rd_handle_problem_suggestions(rd_request *req);
void rd_handle_problem_get(rd_request *req);
void rd_handle_problem_patch(rd_request *req);
void rd_handle_problem_measure(rd_request *req);
void rd_handle_problem_note(rd_request *req);
void rd_handle_problem_status(rd_request *req);
