/* API: every parameter and error of every KPI endpoint, and the validation of their
 * administration (PUT /v1/admin/targets, PUT /v1/admin/units). */
#include "kpi_requests.h"

#include <stdlib.h>
#include <string.h>

/* Every KPI endpoint, with a query that makes it valid (trend needs a metric). */
static const char *const endpoints[] = {
    "/v1/kpi/repeats?",          "/v1/kpi/ranking?",
    "/v1/kpi/top-problems?",     "/v1/kpi/anomalies?",
    "/v1/kpi/contact-failures?", "/v1/kpi/closeout-quality?",
    "/v1/kpi/green-channel?",    "/v1/kpi/trend?metric=repeats&",
    "/v1/kpi/decisions?",
};

START_TEST(kpi_roles)
{
    for (size_t i = 0; i < N_OF(endpoints); i++) {
        const char *e = endpoints[i];
        GET_ERR(api.crm_key, e, 403, "forbidden", NULL);
        GET_ERR(NULL, e, 401, "unauthorized", NULL);
        GET_ERR("rk_not_a_key_at_all_0123456789", e, 401, "unauthorized", NULL);
        OK_GET(e);
        kpi_ok_at(__LINE__, api.admin_key, e);   /* admin may do everything */
        kpi_ok_at(__LINE__, api.manager_key, e); /* the quality staff read what dashboards do */
    }
    GET_ERR(api.crm_key, "/metrics", 403, "forbidden", NULL);
    GET_ERR(NULL, "/metrics", 401, "unauthorized", NULL);

    /* The administration of names and targets is the admin's alone. */
    static const char *const admin_paths[] = {"/v1/admin/units", "/v1/admin/targets"};
    for (size_t i = 0; i < N_OF(admin_paths); i++) {
        const char *p = admin_paths[i];
        GET_ERR(api.dash_key, p, 403, "forbidden", NULL);
        GET_ERR(api.crm_key, p, 403, "forbidden", NULL);
        GET_ERR(api.manager_key, p, 403, "forbidden", NULL);
        GET_ERR(NULL, p, 401, "unauthorized", NULL);
        kpi_err_at(__LINE__, api.dash_key, "PUT", p, "{}", 403, "forbidden", NULL);
        kpi_err_at(__LINE__, api.crm_key, "PUT", p, "{}", 403, "forbidden", NULL);
        kpi_err_at(__LINE__, NULL, "PUT", p, "{}", 401, "unauthorized", NULL);
        ADMIN("GET", p, NULL, 200);
    }
    /* The KPI endpoints are reads only. */
    kpi_err_at(__LINE__, api.dash_key, "POST", "/v1/kpi/repeats", "{}", 405, "method_not_allowed",
               NULL);
}
END_TEST

/* A bad period kind, bad labels of every kind, from after to, too long a range. */
START_TEST(kpi_period_params)
{
    static const struct {
        const char *period, *param, *value;
    } bad[] = {
        {NULL, "at", "2025-Q1"}, /* no period is month */
        {NULL, "from", ""},           {"month", "at", "2025-13"},     {"month", "from", "2025-1"},
        {"month", "to", "2025-00"},   {"month", "at", "2025-Q1"},     {"month", "from", "1899-12"},
        {"month", "to", "2025-01x"},  {"month", "at", "2025"},        {"month", "to", "2025-01-01"},
        {"quarter", "at", "2025-Q5"}, {"quarter", "from", "2025-01"}, {"quarter", "to", "2025-q1"},
        {"quarter", "at", "2025-Q0"}, {"quarter", "from", "2025"},    {"year", "at", "25"},
        {"year", "from", "2025-01"},  {"year", "to", "1899"},         {"year", "at", "10000"},
        {"year", "to", "2025-Q1"},
    };
    static const struct {
        const char *period, *from, *to;
        long status;
        const char *field;
    } ranges[] = {
        {"month", "2025-06", "2025-01", 400, "from"},
        {"quarter", "2025-Q3", "2025-Q1", 400, "from"},
        {"year", "2025", "2024", 400, "from"},
        {"month", "2010-01", "2020-01", 400, "to"}, /* 121 months */
        {"month", "2010-01", "2019-12", 200, NULL}, /* 120: the most */
        {"quarter", "1990-Q1", "2020-Q1", 400, "to"},
        {"quarter", "1990-Q1", "2019-Q4", 200, NULL},
        {"year", "1900", "2020", 400, "to"},
        {"year", "1900", "2019", 200, NULL},
        {"month", "2025-03", "2025-03", 200, NULL},
    };
    for (size_t i = 0; i < N_OF(endpoints); i++) {
        const char *e = endpoints[i];
        BAD_PARAM(P("%speriod=week", e), "period");
        BAD_PARAM(P("%speriod=", e), "period");
        BAD_PARAM(P("%speriod=Month", e), "period");
        for (size_t k = 0; k < N_OF(bad); k++) {
            if (bad[k].period)
                BAD_PARAM(P("%speriod=%s&%s=%s", e, bad[k].period, bad[k].param, bad[k].value),
                          bad[k].param);
            else
                BAD_PARAM(P("%s%s=%s", e, bad[k].param, bad[k].value), bad[k].param);
        }
        for (size_t k = 0; k < N_OF(ranges); k++) {
            const char *p =
                P("%speriod=%s&from=%s&to=%s", e, ranges[k].period, ranges[k].from, ranges[k].to);
            if (ranges[k].status == 200)
                OK_GET(p);
            else
                BAD_PARAM(p, ranges[k].field);
        }
        /* `at` alone is one period; a good label of each kind passes. */
        json_t *a = OK_GET(P("%speriod=quarter&at=2025-Q2", e));
        if (!strstr(e, "green-channel") && !strstr(e, "trend")) { /* trend: `periods` back */
            ck_assert_str_eq(jstr(a, "period"), "quarter");
            ck_assert_str_eq(jstr(a, "from"), jstr(a, "to"));
            ck_assert_str_eq(jstr(a, "to"), "2025-Q2");
        }
        OK_GET(P("%speriod=year&at=2025", e));
        OK_GET(P("%speriod=month&at=2025-12", e));
    }
}
END_TEST

/* by: unknown values, values an endpoint does not take, and level's rules. */
START_TEST(kpi_by_and_level_params)
{
    for (size_t i = 0; i < N_OF(endpoints); i++) {
        const char *e = endpoints[i];
        BAD_PARAM(P("%sby=region", e), "by");
        BAD_PARAM(P("%sby=total", e), "by"); /* the whole line is asked for by leaving by out */
        BAD_PARAM(P("%sby=", e), "by");
        BAD_PARAM(P("%sby=UNIT", e), "by");
    }
    static const struct {
        const char *endpoint, *by;
        bool allowed;
    } table[] = {
        {"/v1/kpi/repeats?", "unit", true},
        {"/v1/kpi/repeats?", "team", true},
        {"/v1/kpi/repeats?", "handler", true},
        {"/v1/kpi/repeats?", "category", true},
        {"/v1/kpi/ranking?", "unit", true},
        {"/v1/kpi/ranking?", "team", true},
        {"/v1/kpi/ranking?", "handler", true},
        {"/v1/kpi/ranking?", "category", false},
        {"/v1/kpi/top-problems?", "category", true},
        {"/v1/kpi/top-problems?", "unit", false},
        {"/v1/kpi/top-problems?", "team", false},
        {"/v1/kpi/top-problems?", "handler", false},
        {"/v1/kpi/anomalies?", "unit", true},
        {"/v1/kpi/anomalies?", "category", true},
        {"/v1/kpi/anomalies?", "team", false},
        {"/v1/kpi/anomalies?", "handler", false},
        {"/v1/kpi/contact-failures?", "unit", true},
        {"/v1/kpi/contact-failures?", "team", true},
        {"/v1/kpi/contact-failures?", "handler", true},
        {"/v1/kpi/contact-failures?", "category", false},
        {"/v1/kpi/closeout-quality?", "unit", true},
        {"/v1/kpi/closeout-quality?", "handler", true},
        {"/v1/kpi/closeout-quality?", "team", false},
        {"/v1/kpi/closeout-quality?", "category", false},
        {"/v1/kpi/green-channel?", "unit", false},
        {"/v1/kpi/green-channel?", "category", false},
    };
    for (size_t i = 0; i < N_OF(table); i++) {
        const char *p = P("%sby=%s", table[i].endpoint, table[i].by);
        if (!table[i].allowed) {
            BAD_PARAM(p, "by");
            continue;
        }
        json_t *a = OK_GET(p);
        ck_assert_msg(jstr(a, "by") && !strcmp(jstr(a, "by"), table[i].by), "GET %s: by %s", p,
                      jstr(a, "by"));
    }
    /* Trend takes by with a group. */
    static const char *const trend_by[] = {"unit", "team", "handler", "category"};
    for (size_t i = 0; i < N_OF(trend_by); i++) {
        json_t *a = OK_GET(P("/v1/kpi/trend?metric=repeats&by=%s&group=X1", trend_by[i]));
        ck_assert_str_eq(jstr(a, "by"), trend_by[i]);
        ck_assert_str_eq(jstr(a, "group"), "X1");
    }
    /* The defaults: the whole line, units, categories. */
    ck_assert(jisnull(OK_GET("/v1/kpi/repeats"), "by"));
    ck_assert_str_eq(jstr(OK_GET("/v1/kpi/ranking"), "by"), "unit");
    ck_assert_str_eq(jstr(OK_GET("/v1/kpi/top-problems"), "by"), "category");
    ck_assert_str_eq(jstr(OK_GET("/v1/kpi/anomalies"), "by"), "category");
    ck_assert_str_eq(jstr(OK_GET("/v1/kpi/contact-failures"), "by"), "unit");
    ck_assert_str_eq(jstr(OK_GET("/v1/kpi/closeout-quality"), "by"), "unit");
    ck_assert(jisnull(OK_GET("/v1/kpi/trend?metric=repeats"), "by"));

    /* level goes with by=category only (given or by default). */
    BAD_PARAM("/v1/kpi/repeats?level=1", "level");
    BAD_PARAM("/v1/kpi/repeats?by=unit&level=1", "level");
    BAD_PARAM("/v1/kpi/ranking?level=1", "level");
    BAD_PARAM("/v1/kpi/ranking?by=team&level=2", "level");
    BAD_PARAM("/v1/kpi/contact-failures?level=2", "level");
    BAD_PARAM("/v1/kpi/closeout-quality?by=handler&level=1", "level");
    BAD_PARAM("/v1/kpi/anomalies?by=unit&level=1", "level");
    BAD_PARAM("/v1/kpi/green-channel?level=1", "level");
    BAD_PARAM("/v1/kpi/trend?metric=repeats&level=1", "level");
    BAD_PARAM("/v1/kpi/trend?metric=repeats&by=unit&group=U&level=1", "level");
    json_t *a = OK_GET("/v1/kpi/top-problems?level=1");
    ck_assert_int_eq(jint(a, "level"), 1);
    a = OK_GET("/v1/kpi/anomalies?level=2");
    ck_assert_int_eq(jint(a, "level"), 2);
    a = OK_GET("/v1/kpi/trend?metric=repeats&by=category&group=HB&level=1");
    ck_assert_int_eq(jint(a, "level"), 1);
    ck_assert(jisnull(OK_GET("/v1/kpi/repeats?by=category"), "level"));

    /* level within 1..16, a whole number. */
    static const char *const bad_levels[] = {
        "0", "17", "-1", "x", "1.5", "", "99999999999999999999"};
    for (size_t i = 0; i < N_OF(bad_levels); i++) {
        BAD_PARAM(P("/v1/kpi/repeats?by=category&level=%s", bad_levels[i]), "level");
        BAD_PARAM(P("/v1/kpi/top-problems?level=%s", bad_levels[i]), "level");
    }
    a = OK_GET("/v1/kpi/repeats?by=category&level=16");
    ck_assert_int_eq(jint(a, "level"), 16);
    OK_GET("/v1/kpi/repeats?by=category&level=1");
}
END_TEST

/* Trend: a metric, by and group together, periods within 1..120. */
START_TEST(kpi_trend_params)
{
    BAD_PARAM("/v1/kpi/trend", "metric");
    BAD_PARAM("/v1/kpi/trend?metric=", "metric");
    BAD_PARAM("/v1/kpi/trend?metric=bogus", "metric");
    BAD_PARAM("/v1/kpi/trend?metric=Repeats", "metric");
    BAD_PARAM("/v1/kpi/trend?period=week", "metric"); /* the metric is checked first */
    BAD_PARAM("/v1/kpi/trend?metric=repeats&by=unit", "group");
    BAD_PARAM("/v1/kpi/trend?metric=repeats&by=category&level=2", "group");
    BAD_PARAM("/v1/kpi/trend?metric=repeats&group=U01", "by");
    static const char *const bad_periods[] = {"0", "121", "-3", "x", ""};
    for (size_t i = 0; i < N_OF(bad_periods); i++)
        BAD_PARAM(P("/v1/kpi/trend?metric=repeats&periods=%s", bad_periods[i]), "periods");
    BAD_PARAM("/v1/kpi/trend?metric=repeats&period=month&from=2025-05&to=2025-01", "from");

    static const char *const metrics[] = {
        "complaints",           "repeats",
        "repeat_rate",          "contacted",
        "first_contact_failed", "first_contact_failure_rate",
        "closeouts_inspected",  "closeouts_rejected",
        "closeout_pass_rate",   "false_closeouts",
    };
    for (size_t i = 0; i < N_OF(metrics); i++) {
        json_t *a =
            OK_GET(P("/v1/kpi/trend?metric=%s&period=quarter&to=2025-Q1&periods=3", metrics[i]));
        ck_assert_str_eq(jstr(a, "metric"), metrics[i]);
        ck_assert_int_eq(json_array_size(jget(a, "series")), 3);
        ck_assert_str_eq(jstr(a, "series[0].period"), "2024-Q3");
        ck_assert_str_eq(jstr(a, "series[2].period"), "2025-Q1");
        ck_assert_str_eq(jstr(a, "from"), "2024-Q3");
        ck_assert_str_eq(jstr(a, "to"), "2025-Q1");
        ck_assert(jisnull(a, "group"));
    }
    json_t *a = OK_GET("/v1/kpi/trend?metric=repeats&periods=120&period=month&to=2025-12");
    ck_assert_int_eq(json_array_size(jget(a, "series")), 120);
    ck_assert_str_eq(jstr(a, "from"), "2016-01");
    a = OK_GET("/v1/kpi/trend?metric=repeats&periods=1&period=year&to=2025");
    ck_assert_int_eq(json_array_size(jget(a, "series")), 1);
    ck_assert_str_eq(jstr(a, "series[0].period"), "2025");
    /* 12 periods by default, up to the current one. */
    a = OK_GET("/v1/kpi/trend?metric=complaints");
    ck_assert_int_eq(json_array_size(jget(a, "series")), 12);
}
END_TEST

/* limit and the anomaly parameters, with their bounds. */
START_TEST(kpi_limit_params)
{
    static const struct {
        const char *endpoint, *param, *value;
        bool ok;
    } table[] = {
        {"/v1/kpi/top-problems", "limit", "0", false},
        {"/v1/kpi/top-problems", "limit", "1001", false},
        {"/v1/kpi/top-problems", "limit", "-1", false},
        {"/v1/kpi/top-problems", "limit", "ten", false},
        {"/v1/kpi/top-problems", "limit", "", false},
        {"/v1/kpi/top-problems", "limit", "1", true},
        {"/v1/kpi/top-problems", "limit", "1000", true},
        {"/v1/kpi/green-channel", "limit", "0", false},
        {"/v1/kpi/green-channel", "limit", "1001", false},
        {"/v1/kpi/green-channel", "limit", "1", true},
        {"/v1/kpi/green-channel", "limit", "1000", true},
        {"/v1/kpi/anomalies", "limit", "0", false},
        {"/v1/kpi/anomalies", "limit", "1001", false},
        {"/v1/kpi/anomalies", "limit", "1000", true},
        {"/v1/kpi/anomalies", "baseline", "0", false},
        {"/v1/kpi/anomalies", "baseline", "25", false},
        {"/v1/kpi/anomalies", "baseline", "1", true},
        {"/v1/kpi/anomalies", "baseline", "24", true},
        {"/v1/kpi/anomalies", "min_repeats", "0", false},
        {"/v1/kpi/anomalies", "min_repeats", "100001", false},
        {"/v1/kpi/anomalies", "min_repeats", "1", true},
        {"/v1/kpi/anomalies", "min_score", "-1", false},
        {"/v1/kpi/anomalies", "min_score", "301", false},
        {"/v1/kpi/anomalies", "min_score", "2.5", false},
        {"/v1/kpi/anomalies", "min_score", "0", true},
        {"/v1/kpi/anomalies", "min_score", "300", true},
    };
    for (size_t i = 0; i < N_OF(table); i++) {
        const char *p = P("%s?%s=%s", table[i].endpoint, table[i].param, table[i].value);
        if (table[i].ok)
            OK_GET(p);
        else
            BAD_PARAM(p, table[i].param);
    }
    json_t *a = OK_GET("/v1/kpi/anomalies?baseline=4&min_score=2&min_repeats=5");
    ck_assert_str_eq(jstr(a, "method.name"), "poisson_upper_tail");
    ck_assert_int_eq(jint(a, "method.baseline_periods"), 4);
    ck_assert_int_eq(jint(a, "method.min_repeats"), 5);
    ck_assert(json_number_value(jget(a, "method.min_score")) == 2.0);
    /* A bad range is found before the endpoint's own parameters. */
    BAD_PARAM("/v1/kpi/anomalies?from=2025-05&to=2025-01&limit=0", "from");
}
END_TEST

/* PUT /v1/admin/targets: 400 naming the entry and field; a bad entry writes nothing. */
START_TEST(admin_targets_validation)
{
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{}", "targets"},
        {"{\"targets\": []}", "targets"},
        {"{\"targets\": {}}", "targets"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":0.1}], \"x\": 1}",
         "targets"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":1.5}]}",
         "targets[0].target_rate"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":-0.01}]}",
         "targets[0].target_rate"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":\"0.1\"}]}",
         "targets[0].target_rate"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\"}]}", "targets[0].target_rate"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":0.1,"
         "\"period\":\"2025-13\"}]}",
         "targets[0].period"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":0.1,"
         "\"period\":\"2025-Q5\"}]}",
         "targets[0].period"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":0.1,"
         "\"period\":\"Q1\"}]}",
         "targets[0].period"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":0.1,"
         "\"period\":\"\"}]}",
         "targets[0].period"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":0.1,"
         "\"period\":2025}]}",
         "targets[0].period"},
        {"{\"targets\": [{\"scope\":\"region\",\"code\":\"V1\",\"target_rate\":0.1}]}",
         "targets[0].scope"},
        {"{\"targets\": [{\"scope\":\"handler\",\"code\":\"V1\",\"target_rate\":0.1}]}",
         "targets[0].scope"},
        {"{\"targets\": [{\"code\":\"V1\",\"target_rate\":0.1}]}", "targets[0].scope"},
        {"{\"targets\": [{\"scope\":\"unit\",\"target_rate\":0.1}]}", "targets[0].code"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"\",\"target_rate\":0.1}]}",
         "targets[0].code"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":0.1,"
         "\"colour\":\"red\"}]}",
         "targets[0].colour"},
        {"{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":0.1},"
         "{\"scope\":\"team\",\"code\":\"V2\",\"target_rate\":2}]}",
         "targets[1].target_rate"},
    };
    json_t *before = json_deep_copy(ADMIN("GET", "/v1/admin/targets", NULL, 200));
    for (size_t i = 0; i < N_OF(bad); i++) {
        ADMIN_ERR("PUT", "/v1/admin/targets", bad[i].body, bad[i].field);
        json_t *now = ADMIN("GET", "/v1/admin/targets", NULL, 200);
        char *text = json_dumps(now, JSON_COMPACT | JSON_SORT_KEYS);
        ck_assert_msg(json_equal(before, now), "PUT %s changed the targets: %s", bad[i].body, text);
        free(text);
    }
    json_decref(before);

    /* Standing (period absent or null) and per-period targets, rates 0 and 1 included. */
    json_t *r =
        ADMIN("PUT", "/v1/admin/targets",
              "{\"targets\": ["
              "{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":0.05},"
              "{\"scope\":\"unit\",\"code\":\"V1\",\"period\":\"2025-Q4\",\"target_rate\":0.04},"
              "{\"scope\":\"unit\",\"code\":\"V1\",\"period\":\"2025-10\",\"target_rate\":0},"
              "{\"scope\":\"unit\",\"code\":\"V1\",\"period\":\"2025\",\"target_rate\":1},"
              "{\"scope\":\"team\",\"code\":\"V1-T\",\"period\":null,\"target_rate\":0.5}]}",
              200);
    ck_assert_int_eq(jint(r, "upserted"), 5);
    json_t *t = ADMIN("GET", "/v1/admin/targets", NULL, 200);
    json_t *v1 = jget(t, "unit.V1");
    ck_assert_ptr_nonnull(v1);
    ck_assert(json_number_value(json_object_get(v1, "")) == 0.05);
    ck_assert(json_number_value(json_object_get(v1, "2025-Q4")) == 0.04);
    ck_assert(json_number_value(json_object_get(v1, "2025-10")) == 0.0);
    ck_assert(json_number_value(json_object_get(v1, "2025")) == 1.0);
    ck_assert(json_number_value(json_object_get(jget(t, "team.V1-T"), "")) == 0.5);
    /* An upsert replaces. */
    ADMIN("PUT", "/v1/admin/targets",
          "{\"targets\": [{\"scope\":\"unit\",\"code\":\"V1\",\"target_rate\":0.07}]}", 200);
    t = ADMIN("GET", "/v1/admin/targets", NULL, 200);
    ck_assert(json_number_value(json_object_get(jget(t, "unit.V1"), "")) == 0.07);
    ck_assert(json_number_value(json_object_get(jget(t, "unit.V1"), "2025-Q4")) == 0.04);
}
END_TEST

/* PUT /v1/admin/units: units, teams and handlers with names; 400 naming the entry and field. */
START_TEST(admin_units_validation)
{
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{}", "units"},
        {"{\"units\": []}", "units"},
        {"{\"units\": {}}", "units"},
        {"{\"regions\": [{\"code\":\"R1\",\"name\":\"r\"}]}", "regions"},
        {"{\"units\": [{\"code\":\"W1\"}]}", "units[0].name"},
        {"{\"units\": [{\"name\":\"w\"}]}", "units[0].code"},
        {"{\"units\": [{\"code\":\"\",\"name\":\"w\"}]}", "units[0].code"},
        {"{\"units\": [{\"code\":\"W1\",\"name\":\"\"}]}", "units[0].name"},
        {"{\"units\": [{\"code\":\"W1\",\"name\":5}]}", "units[0].name"},
        {"{\"units\": [{\"code\":\"W1\",\"name\":\"w\",\"unit\":\"X\"}]}", "units[0].unit"},
        {"{\"units\": [{\"code\":\"W1\",\"name\":\"w\"},{\"code\":\"W2\"}]}", "units[1].name"},
        {"{\"teams\": [{\"code\":\"W1-T\",\"name\":\"t\",\"unit\":7}]}", "teams[0].unit"},
        {"{\"handlers\": [{\"code\":\"W1-H\",\"name\":\"h\",\"team\":[]}]}", "handlers[0].team"},
        {"{\"units\": [{\"code\":\"W1\",\"name\":\"w\"}], \"handlers\": [{\"code\":\"W1-H\"}]}",
         "handlers[0].name"},
    };
    json_t *before = json_deep_copy(ADMIN("GET", "/v1/admin/units", NULL, 200));
    for (size_t i = 0; i < N_OF(bad); i++) {
        ADMIN_ERR("PUT", "/v1/admin/units", bad[i].body, bad[i].field);
        json_t *now = ADMIN("GET", "/v1/admin/units", NULL, 200);
        ck_assert_msg(json_equal(before, now), "PUT %s changed the names", bad[i].body);
    }
    json_decref(before);
    /* Too long a name (201 characters, counted as characters). */
    char body[2048], name[1024] = "";
    for (int i = 0; i < 201; i++)
        strcat(name, "名");
    snprintf(body, sizeof(body), "{\"units\": [{\"code\":\"W1\",\"name\":\"%s\"}]}", name);
    ADMIN_ERR("PUT", "/v1/admin/units", body, "units[0].name");

    json_t *r = ADMIN("PUT", "/v1/admin/units",
                      "{\"units\": [{\"code\":\"W1\",\"name\":\"西区城管\"}],"
                      " \"teams\": [{\"code\":\"W1-T\",\"name\":\"一组\",\"unit\":\"W1\"}],"
                      " \"handlers\": [{\"code\":\"W1-H\",\"name\":\"李四\",\"team\":\"W1-T\"},"
                      "  {\"code\":\"W1-H2\",\"name\":\"张三\"}]}",
                      200);
    ck_assert_int_eq(jint(r, "upserted"), 4);
    json_t *n = ADMIN("GET", "/v1/admin/units", NULL, 200);
    ck_assert_str_eq(jstr(n, "unit.W1"), "西区城管");
    ck_assert_str_eq(jstr(n, "team.W1-T"), "一组");
    ck_assert_str_eq(jstr(n, "handler.W1-H"), "李四");
    ck_assert_str_eq(jstr(n, "handler.W1-H2"), "张三");
    ADMIN("PUT", "/v1/admin/units", "{\"units\": [{\"code\":\"W1\",\"name\":\"西区\"}]}", 200);
    n = ADMIN("GET", "/v1/admin/units", NULL, 200);
    ck_assert_str_eq(jstr(n, "unit.W1"), "西区");
}
END_TEST

int main(void)
{
    harness_start("kpi_params");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, kpi_roles);
    tcase_add_test(tc, kpi_period_params);
    tcase_add_test(tc, kpi_by_and_level_params);
    tcase_add_test(tc, kpi_trend_params);
    tcase_add_test(tc, kpi_limit_params);
    tcase_add_test(tc, admin_targets_validation);
    tcase_add_test(tc, admin_units_validation);
    return harness_run(s, tc);
}
