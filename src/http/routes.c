/* The route table and its matcher: 404 and 405 come from the table, not from handlers. */
#include "repeatd/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rd_route routes[] = {
    {"GET", "/healthz", rd_handle_healthz, RD_ROLE_NONE, false, 0},
    {"GET", "/readyz", rd_handle_readyz, RD_ROLE_NONE, false, 0},
    {"GET", "/metrics", rd_handle_metrics, RD_ROLE_DASHBOARD, false, 0},
    {"POST", "/v1/tickets", rd_handle_ticket_create, RD_ROLE_CRM, true, 0},
    {"POST", "/v1/classify", rd_handle_classify, RD_ROLE_CRM, true, 0},
    {"GET", "/v1/tickets/{ticket_id}", rd_handle_ticket_get, RD_ROLE_CRM, false, 0},
    {"POST", "/v1/tickets/{ticket_id}/events", rd_handle_event_create, RD_ROLE_CRM, true, 0},
    {"GET", "/v1/callers/{phone}/history", rd_handle_caller_history, RD_ROLE_CRM, false, 0},
    {"GET", "/v1/admin/categories", rd_handle_categories_get, RD_ROLE_ADMIN, false, 0},
    {"PUT", "/v1/admin/categories", rd_handle_categories_put, RD_ROLE_ADMIN, true, 4 << 20},
    {"GET", "/v1/admin/settings", rd_handle_settings_get, RD_ROLE_ADMIN, false, 0},
    {"PATCH", "/v1/admin/settings", rd_handle_settings_patch, RD_ROLE_ADMIN, true, 0},
    {"GET", "/v1/admin/settings/audit", rd_handle_settings_audit, RD_ROLE_ADMIN, false, 0},
    {"GET", "/v1/admin/units", rd_handle_units_get, RD_ROLE_ADMIN, false, 0},
    {"PUT", "/v1/admin/units", rd_handle_units_put, RD_ROLE_ADMIN, true, 4 << 20},
    {"GET", "/v1/admin/targets", rd_handle_targets_get, RD_ROLE_ADMIN, false, 0},
    {"PUT", "/v1/admin/targets", rd_handle_targets_put, RD_ROLE_ADMIN, true, 4 << 20},
    {"GET", "/v1/kpi/repeats", rd_handle_kpi_repeats, RD_ROLE_DASHBOARD, false, 0},
    {"GET", "/v1/kpi/ranking", rd_handle_kpi_ranking, RD_ROLE_DASHBOARD, false, 0},
    {"GET", "/v1/kpi/top-problems", rd_handle_kpi_top_problems, RD_ROLE_DASHBOARD, false, 0},
    {"GET", "/v1/kpi/anomalies", rd_handle_kpi_anomalies, RD_ROLE_DASHBOARD, false, 0},
    {"GET", "/v1/kpi/contact-failures", rd_handle_kpi_contact_failures, RD_ROLE_DASHBOARD, false,
     0},
    {"GET", "/v1/kpi/closeout-quality", rd_handle_kpi_closeout_quality, RD_ROLE_DASHBOARD, false,
     0},
    {"GET", "/v1/kpi/green-channel", rd_handle_kpi_green_channel, RD_ROLE_DASHBOARD, false, 0},
    {"GET", "/v1/kpi/trend", rd_handle_kpi_trend, RD_ROLE_DASHBOARD, false, 0},
    {"GET", "/v1/kpi/decisions", rd_handle_kpi_decisions, RD_ROLE_DASHBOARD, false, 0},
    /* The improvement loop: programmes, the green-channel worklist, the periodic report. */
    {"GET", "/v1/programmes", rd_handle_programmes_list, RD_ROLE_DASHBOARD, false, 0},
    {"POST", "/v1/programmes", rd_handle_programme_create, RD_ROLE_MANAGER, true, 0},
    {"GET", "/v1/programmes/{id}", rd_handle_programme_get, RD_ROLE_DASHBOARD, false, 0},
    {"POST", "/v1/programmes/{id}/checkins", rd_handle_programme_checkin, RD_ROLE_MANAGER, true, 0},
    {"POST", "/v1/programmes/{id}/status", rd_handle_programme_status, RD_ROLE_MANAGER, true, 0},
    {"GET", "/v1/green-channel", rd_handle_green_worklist, RD_ROLE_DASHBOARD, false, 0},
    {"GET", "/v1/green-channel/{chain_id}", rd_handle_green_chain_get, RD_ROLE_DASHBOARD, false, 0},
    {"PUT", "/v1/green-channel/{chain_id}/specialist", rd_handle_green_assign, RD_ROLE_MANAGER,
     true, 0},
    {"POST", "/v1/green-channel/{chain_id}/verifications", rd_handle_green_verify, RD_ROLE_MANAGER,
     true, 0},
    {"GET", "/v1/reports/{period}", rd_handle_report_get, RD_ROLE_DASHBOARD, false, 0},
    /* The problem list: read like a dashboard, written by a manager (suggestions before {id}). */
    {"GET", "/v1/problems", rd_handle_problems_list, RD_ROLE_DASHBOARD, false, 0},
    {"POST", "/v1/problems", rd_handle_problem_create, RD_ROLE_MANAGER, true, 0},
    {"GET", "/v1/problems/suggestions", rd_handle_problem_suggestions, RD_ROLE_DASHBOARD, false, 0},
    {"GET", "/v1/problems/{id}", rd_handle_problem_get, RD_ROLE_DASHBOARD, false, 0},
    {"PATCH", "/v1/problems/{id}", rd_handle_problem_patch, RD_ROLE_MANAGER, true, 0},
    {"POST", "/v1/problems/{id}/measures", rd_handle_problem_measure, RD_ROLE_MANAGER, true, 0},
    {"POST", "/v1/problems/{id}/notes", rd_handle_problem_note, RD_ROLE_MANAGER, true, 0},
    {"POST", "/v1/problems/{id}/status", rd_handle_problem_status, RD_ROLE_MANAGER, true, 0},
    /* The dashboard's files: public; the data they show needs a key. */
    {"GET", "/", rd_handle_web_root, RD_ROLE_NONE, false, 0},
    {"GET", "/ui/{file}", rd_handle_web_file, RD_ROLE_NONE, false, 0},
    /* The calling key's name and role: the dashboard shows write controls to a manager only. */
    {"GET", "/v1/whoami", rd_handle_whoami, RD_ROLE_DASHBOARD, false, 0},
};

int rd_route_index(const rd_route *r)
{
    return (int)(r - routes);
}

int rd_route_count(void)
{
    return (int)(sizeof(routes) / sizeof(routes[0]));
}

const rd_route *rd_route_at(int i)
{
    return &routes[i];
}

/* Match path against pattern segment by segment; captures {x} segments into params. */
static bool match(const char *pattern, const char *path, char *params[RD_PATH_PARAMS])
{
    int n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            goto no;
        p++, s++;
        size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
        if (*p == '{') {
            if (slen == 0 || n >= RD_PATH_PARAMS)
                goto no; /* and free what the earlier segments captured */
            params[n++] = strndup(s, slen);
        } else if (plen != slen || strncmp(p, s, plen)) {
            goto no;
        }
        p += plen, s += slen;
    }
    if (*p == '\0' && *s == '\0')
        return true;
no:
    for (int i = 0; i < n; i++) {
        free(params[i]);
        params[i] = NULL;
    }
    return false;
}

rd_match rd_route_find(const char *method, const char *path, const rd_route **ret,
                       char *params[RD_PATH_PARAMS], char ret_allow[RD_ALLOW_MAX])
{
    ret_allow[0] = '\0';
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        char *tmp[RD_PATH_PARAMS] = {NULL, NULL};
        if (!match(routes[i].pattern, path, tmp))
            continue;
        if (!strcmp(routes[i].method, method) ||
            (!strcmp(method, "HEAD") && !strcmp(routes[i].method, "GET"))) {
            memcpy(params, tmp, sizeof(tmp));
            *ret = &routes[i];
            return RD_MATCH_OK;
        }
        for (int k = 0; k < RD_PATH_PARAMS; k++)
            free(tmp[k]);
        size_t n = strlen(ret_allow);
        snprintf(ret_allow + n, RD_ALLOW_MAX - n, "%s%s", n ? ", " : "", routes[i].method);
    }
    return ret_allow[0] ? RD_MATCH_NO_METHOD : RD_MATCH_NO_PATH;
}
