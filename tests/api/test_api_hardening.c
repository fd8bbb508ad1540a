/* API: hardening. Every timestamp, number and string field of the request bodies under
 * hostile values (never a 500; a bad timestamp is a 400 naming its field; a leap second stays
 * in its month), path parameters the database cannot take, framing refused at the headers, a
 * stalled database (SIGSTOP) answered with 503 in bounded time while /healthz answers at once,
 * logs that stay JSON and hold no phone number, SIGTERM that cuts a half-sent upload, and a
 * second server on the same port that does not start. Runs its own PostgreSQL cluster, the
 * one it stops. */
#include "private_pg.h"
#include "rd_test.h"
#include "scenario.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DB_TIMEOUT_MS     1000
#define REQUEST_TIMEOUT_S 3

static double slow = 1; /* time bounds are multiplied by this under valgrind */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- bodies under hostile values ---- */

typedef enum kind { K_TIME, K_NUMBER, K_STRING } kind;

/* A request body and the fields in it to spoil, one at a time. */
typedef struct target {
    const char *name;
    const char *path; /* NULL: POST /v1/tickets with a fresh ticket_id */
    const char *body; /* a valid body */
    const char *fields[16];
    kind kinds[16];
} target;

#define T_AT "2026-09-03T09:00:00+08:00"

/* clang-format off */
static const target targets[] = {
    {"ticket", NULL,
     "{\"ticket_id\":\"X\",\"received_at\":\"" T_AT "\",\"channel\":\"phone\",\"citizen\":{\"phone\":\"13900000901\",\"id\":\"C-901\"},\"category\":\"HB.ZS.JZ\",\"location\":{\"address\":\"天河路 88 号\",\"lat\":23.1,\"lon\":113.2},\"description\":\"噪音\",\"claim\":\"unresolved\"}",
     {"received_at", "channel", "citizen.phone", "citizen.id", "category", "location.address", "location.lat", "location.lon", "description", "ticket_id", NULL},
     {K_TIME, K_STRING, K_STRING, K_STRING, K_STRING, K_STRING, K_NUMBER, K_NUMBER, K_STRING, K_STRING}},
    {"classify", "/v1/classify",
     "{\"ticket_id\":\"HD-CL\",\"received_at\":\"" T_AT "\",\"citizen\":{\"phone\":\"13900000902\"},\"category\":\"HB.ZS.JZ\",\"location\":{\"lat\":1,\"lon\":2}}",
     {"received_at", "citizen.phone", "category", "location.lat", "location.lon", NULL},
     {K_TIME, K_STRING, K_STRING, K_NUMBER, K_NUMBER}},
    {"dispatched", "/v1/tickets/HD-EV/events",
     "{\"type\":\"dispatched\",\"at\":\"2026-09-03T10:00:00+08:00\",\"unit\":\"U1\",\"team\":\"T1\",\"handler\":\"H1\",\"deadline\":\"2026-09-06T10:00:00+08:00\",\"event_id\":\"E1\"}",
     {"at", "deadline", "unit", "team", "handler", "event_id", NULL},
     {K_TIME, K_TIME, K_STRING, K_STRING, K_STRING, K_STRING}},
    {"contact", "/v1/tickets/HD-EV/events",
     "{\"type\":\"contact_attempt\",\"at\":\"2026-09-03T11:00:00+08:00\",\"channel\":\"phone\",\"outcome\":\"reached\"}",
     {"at", "channel", NULL},
     {K_TIME, K_STRING}},
    {"closeout", "/v1/tickets/HD-EV/events",
     "{\"type\":\"closeout\",\"at\":\"2026-09-03T12:00:00+08:00\",\"handler\":\"H1\",\"cause\":\"工地赶工期夜间违规施工\",\"verification\":\"执法人员到场核实夜间确有施工\",\"handling_opinion\":\"责令停止夜间施工并口头警告\",\"reply_method\":\"phone\",\"contact_time\":\"2026-09-03T11:30:00+08:00\",\"reply_to_citizen\":\"已电话告知市民处理结果\",\"resolved\":true,\"satisfied\":true}",
     {"at", "contact_time", "handler", "cause", "verification", "handling_opinion", "reply_method", "reply_to_citizen", NULL},
     {K_TIME, K_TIME, K_STRING, K_STRING, K_STRING, K_STRING, K_STRING, K_STRING}},
};

/* Timestamps the grammar refuses: 400 invalid_field naming the field. */
static const char *const bad_times[] = {
    "2026-09-03T09:00:00.1234567+08:00",                      /* 7 fraction digits */
    "2026-09-03T09:00:00.000000000000000000000000000001+08:00", /* very many */
    "2026-09-03T09:00:60+08:00",                              /* second 60 not at 23:59 UTC */
    "2026-12-31T23:59:60+08:00",                              /* the same at a month's end */
    "2026-09-03T23:59:60.5+08:00",
    "2026-09-03T09:00:00.+08:00",
    "2026-09-03T09:00:61Z",
    "2026-09-03T24:00:00Z",
    "2026-02-29T00:00:00Z",
    "1899-12-31T23:59:59Z",
    "10000-01-01T00:00:00Z",
    "2026-09-03T09:00:00+16:00",
    "2026-09-03T09:00:00+08:60",
    "2026-09-03 09:00:00+08:00",
    "2026-09-03T09:00:00",
    "2026-09-03T09:00:00Z ",
    "2026-09-03T09:00:00Z\n",
    "+2026-09-03T09:00:00Z",
    "2026-9-3T9:00:00Z",
    "",
    "now",
    "infinity",
    "epoch",
    "2026-09-03T09:00:00 BC+08:00",
};

/* Timestamps it takes: never a 400 on the time, never a 500. */
static const char *const good_times[] = {
    "2016-12-31T23:59:60Z", /* a real leap second */
    "2017-01-01T07:59:60+08:00",
    "2016-12-31T23:59:60.999999Z",
    "2026-09-03T09:00:00.123456+08:00",
    "2026-09-03t09:00:00z",
    "2026-09-03T09:00:00-00:00",
    "2026-09-03T09:00:00+15:59",
    "2026-09-03T09:00:00-15:59",
    "1900-01-01T00:00:00+15:59",
    "9999-12-31T23:59:59-15:59",
};
/* clang-format on */

static char *big_string(const char *unit, size_t n)
{
    size_t u = strlen(unit);
    char *s = malloc(u * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * u, unit, u);
    s[u * n] = '\0';
    return s;
}

/* Hostile values of every kind, as JSON values. */
static json_t *hostile_values(kind k)
{
    json_t *a = json_array();
    switch (k) {
    case K_TIME:
        for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++)
            json_array_append_new(a, json_string(bad_times[i]));
        break;
    case K_NUMBER:
        json_array_append_new(a, json_real(1e308));
        json_array_append_new(a, json_real(-1e308));
        json_array_append_new(a, json_real(5e-324));
        json_array_append_new(a, json_real(-0.0));
        json_array_append_new(a, json_real(90.00000000000001));
        json_array_append_new(a, json_integer(9223372036854775807LL));
        json_array_append_new(a, json_integer(-9223372036854775807LL - 1));
        json_array_append_new(a, json_string("NaN"));
        json_array_append_new(a, json_true());
        json_array_append_new(a, json_array());
        break;
    case K_STRING: {
        char *emoji = big_string("\xF0\x9F\x98\x80", 64);
        char *han = big_string("\xE5\x99\xAA", 2000);
        char *longest = big_string("a", 30000);
        json_array_append_new(a, json_string(""));
        json_array_append_new(a, json_string(emoji));
        json_array_append_new(a, json_string(han));
        json_array_append_new(a, json_string(longest));
        json_array_append_new(a, json_string("'\"; DROP TABLE tickets; --"));
        json_array_append_new(a, json_string("%00%ff\\x00"));
        json_array_append_new(a, json_string("\xE2\x80\xAE\xEF\xBB\xBF\xCC\x81"));
        json_array_append_new(a, json_string("\xF4\x8F\xBF\xBF")); /* U+10FFFF */
        json_array_append_new(a, json_string("\x7F\x01\x1B[31m"));
        json_array_append_new(a, json_real(1e308));
        json_array_append_new(a, json_integer(13800138000));
        json_array_append_new(a, json_object());
        free(emoji);
        free(han);
        free(longest);
        break;
    }
    }
    return a;
}

/* Set a dotted field of a body (objects on the way exist in the valid bodies). */
static void set_path(json_t *body, const char *path, json_t *v)
{
    char head[64];
    const char *dot = strchr(path, '.');
    if (!dot) {
        json_object_set(body, path, v);
        return;
    }
    snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
    set_path(json_object_get(body, head), dot + 1, v);
}

static int serial;

/* POST one body; the status, and the reply's field when it is an error. */
static long post_body(const target *t, json_t *body, char *field, size_t field_size, char *raw,
                      size_t raw_size)
{
    char id[32];
    if (!t->path) {
        const char *cur = json_string_value(json_object_get(body, "ticket_id"));
        if (cur && !strcmp(cur, "X")) {
            snprintf(id, sizeof(id), "HD-%d", ++serial);
            json_object_set_new(body, "ticket_id", json_string(id));
        }
    }
    char *text = json_dumps(body, JSON_COMPACT);
    http_reply rep;
    http_send(&(http_request){.method = "POST",
                              .path = t->path ? t->path : "/v1/tickets",
                              .key = api.crm_key,
                              .content_type = "application/json",
                              .body = text,
                              .body_len = strlen(text)},
              &rep);
    const char *f = rep.json ? json_string_value(json_object_get(rep.json, "field")) : NULL;
    snprintf(field, field_size, "%s", f ? f : "");
    snprintf(raw, raw_size, "%s", rep.body ? rep.body : "");
    long st = rep.status;
    http_reply_free(&rep);
    free(text);
    return st;
}

START_TEST(every_field_under_hostile_values)
{
    long st;
    json_t *a = POST_TICKET(201, .id = "HD-EV", .at = "2026-09-03T08:00:00+08:00",
                            .phone = "13900000900", .category = "HB.ZS.JZ");
    (void)a;
    int tried = 0, refused = 0;
    for (size_t ti = 0; ti < sizeof(targets) / sizeof(targets[0]); ti++) {
        const target *t = &targets[ti];
        for (int fi = 0; t->fields[fi]; fi++) {
            json_t *values = hostile_values(t->kinds[fi]);
            size_t vi;
            json_t *v;
            json_array_foreach(values, vi, v)
            {
                json_t *body = json_loads(t->body, 0, NULL);
                ck_assert_ptr_nonnull(body);
                set_path(body, t->fields[fi], v);
                char field[128], raw[512];
                st = post_body(t, body, field, sizeof(field), raw, sizeof(raw));
                json_decref(body);
                tried++;
                char *shown = json_dumps(v, JSON_ENCODE_ANY);
                ck_assert_msg(st != 500 && st != 0 && st < 500, "%s.%s = %.80s: %ld %s", t->name,
                              t->fields[fi], shown, st, raw);
                if (t->kinds[fi] == K_TIME) {
                    ck_assert_msg(st == 400 && !strcmp(field, t->fields[fi]),
                                  "%s.%s = %s: %ld field \"%s\" %s", t->name, t->fields[fi], shown,
                                  st, field, raw);
                }
                refused += st >= 400;
                free(shown);
            }
            json_decref(values);
        }
    }
    /* The timestamps the grammar takes are taken, by every time field. */
    for (size_t ti = 0; ti < sizeof(targets) / sizeof(targets[0]); ti++) {
        const target *t = &targets[ti];
        for (int fi = 0; t->fields[fi]; fi++) {
            if (t->kinds[fi] != K_TIME)
                continue;
            for (size_t gi = 0; gi < sizeof(good_times) / sizeof(good_times[0]); gi++) {
                json_t *body = json_loads(t->body, 0, NULL), *g = json_string(good_times[gi]);
                set_path(body, t->fields[fi], g);
                json_decref(g);
                char field[128], raw[512];
                st = post_body(t, body, field, sizeof(field), raw, sizeof(raw));
                json_decref(body);
                tried++;
                ck_assert_msg(st < 500 && st != 0, "%s.%s = %s: %ld %s", t->name, t->fields[fi],
                              good_times[gi], st, raw);
                ck_assert_msg(!(st == 400 && !strcmp(field, t->fields[fi])),
                              "%s.%s = %s refused: %s", t->name, t->fields[fi], good_times[gi],
                              raw);
            }
        }
    }
    printf("# %d hostile or edge bodies, %d refused, none 500\n", tried, refused);
    /* Every accepted ticket reads back. */
    for (int i = 1; i <= serial; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/v1/tickets/HD-%d", i);
        gc(get_json(path, api.crm_key, &st));
        ck_assert_msg(st == 200 || st == 404, "%s: %ld", path, st);
    }
}
END_TEST

/* A leap second at the end of a month in UTC: the codec and the database both put it in June
 * (PostgreSQL alone would roll 23:59:60 into July). */
START_TEST(leap_second_stays_in_its_month)
{
    long st;
    json_t *r = gc(send_json("PATCH", "/v1/admin/settings", api.admin_key,
                             gc(json_pack("{s:s}", "time_zone", "UTC")), NULL, &st));
    ck_assert_msg(st == 200, "PATCH time_zone: %ld", st);
    POST_TICKET(201, .id = "HD-LEAP", .at = "2015-06-30T23:59:60Z", .phone = "13900000950",
                .category = "HB.ZS.JZ");
    json_t *v = gc(get_ticket("HD-LEAP", &st));
    ck_assert_int_eq(st, 200);
    const char *got = jstr(v, "received_at");
    ck_assert_msg(got && !strncmp(got, "2015-06-30T23:59:59.999999", 26), "received_at %s",
                  got ? got : "(none)");
    r = gc(get_json("/v1/kpi/repeats?period=month&from=2015-06&to=2015-07", api.dash_key, &st));
    ck_assert_msg(st == 200, "kpi %ld", st);
    json_t *rows = jget(r, "rows");
    ck_assert_ptr_nonnull(rows);
    long june = -1, july = 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *p = jstr(row, "period");
        if (p && !strcmp(p, "2015-06"))
            june = (long)jint(row, "complaints");
        if (p && !strcmp(p, "2015-07"))
            july = (long)jint(row, "complaints");
    }
    ck_assert_msg(june == 1 && july == 0, "June %ld, July %ld", june, july);
    gc(send_json("PATCH", "/v1/admin/settings", api.admin_key,
                 gc(json_pack("{s:s}", "time_zone", "Asia/Shanghai")), NULL, &st));
    ck_assert_int_eq(st, 200);
}
END_TEST

/* A time past 2^53 microseconds since 1970 (about 2255) keeps its last microsecond: the month's
 * rows are found by it exactly (once multiplied by an interval in floating point, an odd
 * microsecond was lost there, and the ticket could be neither read nor given an event). */
START_TEST(far_future_microseconds_stay_exact)
{
    POST_TICKET(201, .id = "HD-FAR", .at = "2300-01-01T00:00:00.000001Z", .phone = "13900000951",
                .category = "HB.ZS.JZ");
    long st;
    json_t *v = gc(get_ticket("HD-FAR", &st));
    ck_assert_int_eq(st, 200);
    const char *got = jstr(v, "received_at");
    ck_assert_msg(got && strstr(got, ".000001"), "received_at %s", got ? got : "(none)");
    EVENT("HD-FAR",
          ev_dispatched("2300-01-01T09:00:00+08:00", "HD-U", "T1", "H-Far",
                        "2300-01-05T18:00:00+08:00"),
          201);
    v = gc(get_ticket("HD-FAR", &st));
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(v, "unit"), "HD-U");
}
END_TEST

/* Path and query parameters the database cannot take, or that a NUL would cut short. */
START_TEST(path_parameters)
{
    static const char *const paths[] = {
        "/v1/tickets/%FF",           "/v1/tickets/%C0%80",
        "/v1/tickets/HD-EV%00.json", "/v1/tickets/%00",
        "/v1/tickets/HD-EV%00",      "/v1/callers/%FF/history",
        "/v1/callers/%00/history",   "/v1/callers/1380013800%00/history",
        "/v1/tickets/%ED%A0%80",     "/v1/tickets/HD-EV%2500",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        long st;
        json_t *j = gc(get_json(paths[i], api.crm_key, &st));
        ck_assert_msg(st == 400 || st == 404, "%s: %ld %s", paths[i], st,
                      j ? json_dumps(j, JSON_COMPACT) : "");
    }
    /* Query parameters of the KPI reads at and past their edges. */
    static const char *const kpi[] = {
        "/v1/kpi/repeats?period=month&from=1900-01&to=9999-12",
        "/v1/kpi/repeats?period=year&from=0000&to=99999",
        "/v1/kpi/repeats?period=month&at=2026-13",
        "/v1/kpi/repeats?by=category&level=99999999999999999999",
        "/v1/kpi/repeats?period=quarter&at=2026-Q9",
        "/v1/kpi/ranking?by=handler&at=%FF",
        "/v1/kpi/top-problems?limit=-1&level=-5",
        "/v1/kpi/top-problems?limit=1e400",
        "/v1/kpi/anomalies?baseline=100000000&min_score=1e308&min_repeats=-9223372036854775808",
        "/v1/kpi/anomalies?baseline=0&min_score=NaN",
        "/v1/kpi/contact-failures?period=month&from=2026-01&to=1900-01",
        "/v1/kpi/closeout-quality?by=unit&from=%00",
        "/v1/kpi/green-channel?limit=99999999999",
        "/v1/kpi/trend?metric=repeat_rate&periods=100000000",
        "/v1/kpi/trend?metric=repeat_rate&period=month&periods=1&by=unit&group=%ED%A0%80",
    };
    for (size_t i = 0; i < sizeof(kpi) / sizeof(kpi[0]); i++) {
        long st;
        json_t *j = gc(get_json(kpi[i], api.dash_key, &st));
        ck_assert_msg(st == 200 || st == 400, "%s: %ld %.200s", kpi[i], st,
                      j ? json_dumps(j, JSON_COMPACT) : "");
    }
    long st;
    json_t *j = gc(get_json("/v1/tickets/HD-EV%00.json", api.crm_key, &st));
    CHECK(error_is(st, j, 400, "invalid_parameter", NULL));
    /* and the intact id still reads */
    gc(get_json("/v1/tickets/HD-EV", api.crm_key, &st));
    ck_assert_int_eq(st, 200);
}
END_TEST

/* ---- a stateful fuzz: random ticket and event sequences ---- */

static unsigned rnd_state = 20261207;

static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

typedef struct acked {
    char id[16];
    int month, day, hour; /* 2025-01..03, +08:00 */
    int events;           /* acknowledged */
    int step;             /* the next step of its workflow: types[step] */
} acked;

/* 400 random operations on six callers and one category: tickets at random times (late ones
 * too) and random events on them (many out of order). Never a 5xx; every acknowledged ticket
 * and event is stored; the month aggregates equal a recount of the acknowledged answers. */
START_TEST(random_sequences_keep_the_invariants)
{
    enum { OPS = 400 };
    static acked t[OPS];
    int n = 0, complaints[4] = {0}, repeats[4] = {0}, by_status[6] = {0};
    static const char *const types[] = {"dispatched", "contact_attempt", "closeout", "followup",
                                        "closed"};
    for (int op = 0; op < OPS; op++) {
        long st;
        json_t *a;
        if (n == 0 || rnd(2) == 0) {
            acked *k = &t[n];
            snprintf(k->id, sizeof(k->id), "HS-%d", op);
            k->month = 1 + (int)rnd(3);
            k->day = 1 + (int)rnd(28);
            k->hour = (int)rnd(24);
            char when[40], ph[16];
            snprintf(when, sizeof(when), "2025-%02d-%02dT%02d:00:00+08:00", k->month, k->day,
                     k->hour);
            snprintf(ph, sizeof(ph), "1390000097%d", (int)rnd(6));
            tk body = {.id = k->id, .at = when, .phone = ph, .category = "HB.ZS.JZ"};
            a = post_ticket(&body, &st);
            if (st == 201) {
                complaints[k->month] += jbool(a, "creates_work_order") == 1;
                repeats[k->month] += jbool(a, "counts_as_repeat") == 1;
                k->events = 0;
                k->step = 0;
                n++;
            }
        } else {
            acked *k = &t[rnd((unsigned)n)];
            char when[40];
            /* Mostly its workflow's next step in time, now and then anything at any time. */
            bool in_order = rnd(10) < 7 && k->step < 5;
            int h = in_order ? k->hour + 2 * (k->step + 1) : k->hour + (int)rnd(96) - 8;
            snprintf(when, sizeof(when), "2025-%02d-%02dT%02d:%02d:00+08:00", k->month,
                     k->day + h / 24 > 28 ? 28 : k->day + (h < 0 ? 0 : h / 24), (h % 24 + 24) % 24,
                     (int)rnd(60));
            const char *type = in_order ? types[k->step] : types[rnd(5)];
            json_t *ev;
            if (!strcmp(type, "dispatched"))
                ev = ev_dispatched(when, "U1", "T1", "H1", NULL);
            else if (!strcmp(type, "contact_attempt"))
                ev = ev_contact(when, rnd(2) ? "reached" : "no_answer");
            else if (!strcmp(type, "closeout"))
                ev = ev_closeout(when, when, in_order || rnd(2), in_order || rnd(2));
            else if (!strcmp(type, "followup"))
                ev = ev_followup(when, in_order || rnd(2), rnd(2), rnd(2));
            else
                ev = ev_closed(when, "resolved");
            a = post_event(k->id, ev, &st);
            if (st == 201) {
                k->events++;
                k->step += in_order;
            }
        }
        ck_assert_msg(st >= 200 && st < 500, "operation %d: %ld %s", op, st,
                      a ? json_string_value(json_object_get(a, "error")) : "");
        by_status[st / 100]++;
        json_decref(a);
    }
    for (int i = 0; i < n; i++) {
        long st;
        json_t *v = gc(get_ticket(t[i].id, &st));
        ck_assert_msg(st == 200, "acknowledged ticket %s: %ld", t[i].id, st);
        json_t *events = json_object_get(v, "events");
        ck_assert_msg((int)json_array_size(events) >= t[i].events,
                      "ticket %s: %d events acknowledged, %zu stored", t[i].id, t[i].events,
                      json_array_size(events));
    }
    long st;
    json_t *r =
        gc(get_json("/v1/kpi/repeats?period=month&from=2025-01&to=2025-03", api.dash_key, &st));
    ck_assert_int_eq(st, 200);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "rows"), i, row)
    {
        const char *p = jstr(row, "period");
        int m = p ? atoi(p + 5) : 0;
        ck_assert(m >= 1 && m <= 3);
        ck_assert_msg(jint(row, "complaints") == complaints[m] &&
                          jint(row, "repeats") == repeats[m],
                      "%s: complaints %lld repeats %lld, recount %d and %d", p,
                      jint(row, "complaints"), jint(row, "repeats"), complaints[m], repeats[m]);
    }
    printf("# %d random operations: %d tickets acknowledged; answers 2xx %d, 4xx %d; "
           "complaints %d/%d/%d, repeats %d/%d/%d\n",
           OPS, n, by_status[2], by_status[4], complaints[1], complaints[2], complaints[3],
           repeats[1], repeats[2], repeats[3]);
}
END_TEST

/* ---- framing, on raw sockets ---- */

static int raw_open(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)api.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Read what arrives within timeout_ms (stops early at end of stream). */
static size_t raw_read(int fd, char *out, size_t size, int timeout_ms)
{
    size_t got = 0;
    double end = now_ms() + timeout_ms;
    while (got + 1 < size) {
        int left = (int)(end - now_ms());
        if (left <= 0)
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, left) <= 0)
            break;
        ssize_t k = recv(fd, out + got, size - 1 - got, 0);
        if (k <= 0)
            break;
        got += (size_t)k;
        if (strstr(out, "\r\n\r\n") && got > 12 && strncmp(out, "HTTP/1.1 100", 12) != 0) {
            out[got] = '\0';
            break; /* a final reply's head is in */
        }
        out[got] = '\0';
    }
    out[got] = '\0';
    return got;
}

static void raw_expect(const char *name, const char *head, const char *want_status)
{
    int fd = raw_open();
    ck_assert_int_ge(fd, 0);
    ck_assert(send(fd, head, strlen(head), MSG_NOSIGNAL) == (ssize_t)strlen(head));
    char out[4096];
    double t0 = now_ms();
    raw_read(fd, out, sizeof(out), (int)(3000 * slow));
    double ms = now_ms() - t0;
    close(fd);
    ck_assert_msg(!strncmp(out, want_status, strlen(want_status)), "%s: got \"%.60s\" in %.0f ms",
                  name, out, ms);
    ck_assert_msg(ms < 2000 * slow, "%s: the answer took %.0f ms", name, ms);
}

#define HEAD(method, path, extra)                                                                  \
    method " " path " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"                         \
           "Content-Type: application/json\r\n" extra "\r\n"

/* A head with the crm key filled in (fmt is one of the HEAD literals). */
#define RAW_KEYED(name, fmt, want)                                                                 \
    do {                                                                                           \
        char head_[1024];                                                                          \
        snprintf(head_, sizeof(head_), fmt, api.crm_key);                                          \
        raw_expect((name), head_, (want));                                                         \
    } while (0)

START_TEST(framing_refused_at_the_headers)
{
    /* A declared length far over the route's limit (over 4 MiB): 413 at once, the body never
     * waited for. */
    RAW_KEYED("10 GB body", HEAD("POST", "/v1/tickets", "Content-Length: 10000000000\r\n"),
              "HTTP/1.1 413");
    /* With Expect: 100-continue, no 100 Continue first. */
    RAW_KEYED(
        "10 GB body, Expect",
        HEAD("POST", "/v1/tickets", "Content-Length: 10000000000\r\nExpect: 100-continue\r\n"),
        "HTTP/1.1 413");
    /* Just over the limit, without Expect: the body is read and dropped before the 413, so
     * that a client still sending it does not lose the answer to a connection reset. */
    char just_over[1024];
    snprintf(just_over, sizeof(just_over),
             HEAD("PATCH", "/v1/admin/settings", "Content-Length: 65537\r\n"), api.crm_key);
    int over = raw_open();
    ck_assert(send(over, just_over, strlen(just_over), MSG_NOSIGNAL) > 0);
    char early[256];
    ck_assert_uint_eq(raw_read(over, early, sizeof(early), 300), 0); /* nothing yet */
    char *filler = malloc(65537);
    ck_assert_ptr_nonnull(filler);
    memset(filler, ' ', 65537);
    for (size_t sent = 0; sent < 65537;) {
        ssize_t k = send(over, filler + sent, 65537 - sent, MSG_NOSIGNAL);
        ck_assert_int_gt(k, 0);
        sent += (size_t)k;
    }
    free(filler);
    char late[4096];
    raw_read(over, late, sizeof(late), (int)(3000 * slow));
    close(over);
    ck_assert_msg(!strncmp(late, "HTTP/1.1 413", 12), "just over the limit: got \"%.60s\"", late);
    /* The category upload's own limit (4 MiB) is the one that counts there. */
    RAW_KEYED("over 4 MiB on categories",
              HEAD("PUT", "/v1/admin/categories", "Content-Length: 4194305\r\n"), "HTTP/1.1 413");
    RAW_KEYED("conflicting lengths",
              HEAD("POST", "/v1/tickets", "Content-Length: 10\r\nContent-Length: 20\r\n"),
              "HTTP/1.1 400");
    RAW_KEYED("length and chunked",
              HEAD("POST", "/v1/tickets", "Content-Length: 10\r\nTransfer-Encoding: chunked\r\n"),
              "HTTP/1.1 400");
    /* Under the limit with Expect: 100 Continue comes, then the answer. */
    char head[1024];
    snprintf(head, sizeof(head),
             HEAD("POST", "/v1/tickets", "Content-Length: 2\r\nExpect: 100-continue\r\n"),
             api.crm_key);
    int fd = raw_open();
    ck_assert(send(fd, head, strlen(head), MSG_NOSIGNAL) > 0);
    char out[4096];
    size_t n = 0;
    double end = now_ms() + 3000 * slow;
    while (n < 12 && now_ms() < end) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) > 0) {
            ssize_t k = recv(fd, out + n, sizeof(out) - 1 - n, 0);
            if (k <= 0)
                break;
            n += (size_t)k;
        }
    }
    out[n] = '\0';
    ck_assert_msg(!strncmp(out, "HTTP/1.1 100", 12), "expected 100 Continue, got %.40s", out);
    ck_assert(send(fd, "{}", 2, MSG_NOSIGNAL) == 2);
    raw_read(fd, out, sizeof(out), (int)(3000 * slow));
    close(fd);
    ck_assert_msg(strstr(out, "HTTP/1.1 400"), "after the body: %.80s", out);
}
END_TEST

/* The HTTP entry under mutated raw requests: seeds from the API's own shapes, bytes flipped,
 * cut, repeated and spliced. The server answers or drops each; never a 500, never a crash. */
START_TEST(mutated_raw_requests)
{
    int RUNS = slow > 1 ? 100 : 400; /* fewer under valgrind */
    char seeds[4][1024];
    snprintf(seeds[0], sizeof(seeds[0]),
             "POST /v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 130\r\n\r\n"
             "{\"ticket_id\":\"HF-1\",\"received_at\":\"2026-09-03T09:00:00+08:00\","
             "\"citizen\":{\"phone\":\"13900000999\"},\"category\":\"HB.ZS.JZ\"}     ",
             api.crm_key);
    snprintf(seeds[1], sizeof(seeds[1]),
             "POST /v1/tickets/HD-EV/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
             "4a\r\n{\"type\":\"contact_attempt\",\"at\":\"2026-09-03T11:00:00+08:00\","
             "\"outcome\":\"busy\"}\r\n0\r\n\r\n",
             api.crm_key);
    snprintf(seeds[2], sizeof(seeds[2]),
             "GET /v1/callers/13900000900/history?x=%%41%%00 HTTP/1.1\r\nHost: x\r\n"
             "Authorization: Bearer %s\r\nAccept-Language: en\r\nX-Request-Id: a.b-c\r\n\r\n",
             api.crm_key);
    snprintf(seeds[3], sizeof(seeds[3]),
             "GET /v1/kpi/repeats?period=month&from=2026-01&to=2026-03&by=unit HTTP/1.1\r\n"
             "Host: x\r\nAuthorization: Bearer %s\r\nExpect: 100-continue\r\n\r\n",
             api.dash_key);
    static const char *const splices[] = {"\r\n",
                                          "\r\n\r\n",
                                          "%00",
                                          "%",
                                          ":",
                                          " ",
                                          "\0",
                                          "Content-Length: 99999999999999999999\r\n",
                                          "Transfer-Encoding: chunked\r\n",
                                          "\xff\xfe",
                                          "{",
                                          "\"",
                                          "-1",
                                          "1e999"};
    int answered = 0, dropped = 0;
    for (int run = 0; run < RUNS; run++) {
        char buf[2048];
        const char *seed = seeds[rnd(4)];
        size_t len = strlen(seed);
        memcpy(buf, seed, len);
        for (int m = 0, n_mut = 1 + (int)rnd(4); m < n_mut; m++) {
            size_t at = rnd((unsigned)len);
            switch (rnd(4)) {
            case 0: /* flip a byte */
                buf[at] = (char)(buf[at] ^ (1 << rnd(8)));
                break;
            case 1: /* cut */
                len = at + 1;
                break;
            case 2: { /* splice */
                const char *sp = splices[rnd(sizeof(splices) / sizeof(splices[0]))];
                size_t k = strlen(sp) ? strlen(sp) : 1;
                if (len + k < sizeof(buf)) {
                    memmove(buf + at + k, buf + at, len - at);
                    memcpy(buf + at, sp, k);
                    len += k;
                }
                break;
            }
            default: /* repeat a stretch */
                if (len + 64 < sizeof(buf)) {
                    size_t k = 1 + rnd(64);
                    if (at + k > len)
                        k = len - at;
                    memmove(buf + at + k, buf + at, len - at);
                    len += k;
                }
                break;
            }
        }
        int fd = raw_open();
        ck_assert_msg(fd >= 0, "run %d: cannot connect: the server is gone", run);
        char out[4096];
        out[0] = '\0';
        if (send(fd, buf, len, MSG_NOSIGNAL) >= 0) {
            shutdown(fd, SHUT_WR);
            raw_read(fd, out, sizeof(out), 300);
        }
        close(fd);
        const char *status = strncmp(out, "HTTP/1.1 100", 12) ? out : strstr(out + 12, "HTTP/1.");
        /* libmicrohttpd's own 505 for a mangled version is fine; a 500 never is. */
        ck_assert_msg(!status || strncmp(status + 8, " 500", 4), "run %d: %.60s for %.300s", run,
                      status, buf);
        if (out[0])
            answered++;
        else
            dropped++;
    }
    long st;
    gc(get_json("/healthz", NULL, &st));
    ck_assert_int_eq(st, 200);
    printf("# %d mutated raw requests: %d answered, %d dropped, none 500\n", RUNS, answered,
           dropped);
}
END_TEST

/* ---- logs ---- */

static char *read_log_once(void)
{
    FILE *f = fopen(api.log_path, "r");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

/* The log once it holds `want` (lines are written after the reply is sent), or as it is
 * after a few seconds. */
static char *read_log_for(const char *want)
{
    double end = now_ms() + 5000 * slow;
    for (;;) {
        char *log = read_log_once();
        if (!log || !want || strstr(log, want) || now_ms() > end)
            return log;
        free(log);
        usleep(50 * 1000);
    }
}

static char *read_log(void)
{
    return read_log_for(NULL);
}

START_TEST(logs_hold_no_phone_number)
{
    long st;
    gc(get_json("/v1/callers/13800138000/profile", api.crm_key, &st));
    ck_assert_int_eq(st, 404);
    gc(get_json("/v1/callers/13800138000", api.crm_key, &st));
    gc(get_json("/v1/citizens/440106199001011234", api.crm_key, &st));
    /* A phone number in a value the database refuses is not echoed into the log either: the
     * log is read at the end of the program (below). */
    char *log = read_log_for("/v1/citizens/");
    ck_assert_ptr_nonnull(log);
    ck_assert_msg(!strstr(log, "13800138000"), "a phone number in the log");
    ck_assert_msg(!strstr(log, "440106199001011234"), "a citizen id in the log");
    ck_assert_msg(strstr(log, "/v1/callers/###########/profile"), "the masked path is missing");
    free(log);
}
END_TEST

/* ---- a connection flood ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* 1,200 connections from 127.0.0.1 that send their headers a line at a time, while a client
 * on 127.0.0.2 reads a ticket, one request after another on fresh connections. */
START_TEST(a_flood_from_one_address_leaves_room_for_others)
{
    enum { SLOW = 1200, QUICK = 200 };
    static int fds[SLOW];
    int opened = 0;
    for (int i = 0; i < SLOW; i++) {
        fds[i] = raw_open();
        if (fds[i] < 0)
            continue;
        opened++;
        static const char line[] = "POST /v1/tickets HTTP/1.1\r\nHost: x\r\n";
        (void)send(fds[i], line, sizeof(line) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    char get[512];
    snprintf(get, sizeof(get),
             "GET /v1/tickets/HD-EV HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Connection: close\r\n\r\n",
             api.crm_key);
    static double ms[QUICK];
    int ok = 0;
    for (int k = 0; k < QUICK; k++) {
        if (k % 20 == 0) /* the flood goes on: one more header line each */
            for (int i = 0; i < SLOW; i++)
                if (fds[i] >= 0)
                    (void)send(fds[i], "X-Slow: 1\r\n", 11, MSG_NOSIGNAL | MSG_DONTWAIT);
        double t0 = now_ms();
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in from = {.sin_family = AF_INET};
        from.sin_addr.s_addr = htonl(0x7F000002); /* 127.0.0.2 */
        struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)api.port)};
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        char out[4096] = "";
        if (bind(fd, (struct sockaddr *)&from, sizeof(from)) == 0 &&
            connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0 &&
            send(fd, get, strlen(get), MSG_NOSIGNAL) > 0)
            raw_read(fd, out, sizeof(out), (int)(5000 * slow));
        close(fd);
        ms[k] = now_ms() - t0;
        ok += !strncmp(out, "HTTP/1.1 200", 12);
    }
    for (int i = 0; i < SLOW; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    qsort(ms, QUICK, sizeof(ms[0]), cmp_double);
    printf("# %d slow connections from 127.0.0.1 (%d opened); 127.0.0.2: %d/%d answered, p50 "
           "%.2f ms, p99 %.2f ms, max %.2f ms\n",
           SLOW, opened, ok, QUICK, ms[QUICK / 2], ms[QUICK * 99 / 100 - 1], ms[QUICK - 1]);
    ck_assert_msg(ok == QUICK, "only %d of %d requests from 127.0.0.2 were answered", ok, QUICK);
}
END_TEST

/* A client that trickles its headers a line at a time is cut REPEATD_REQUEST_TIMEOUT_S after
 * it connected, though it is never silent long enough for the inactivity timeout. */
START_TEST(a_trickled_request_is_cut_in_bounded_time)
{
    int fd = raw_open();
    ck_assert_int_ge(fd, 0);
    double t0 = now_ms(), cut = 0;
    static const char line[] = "POST /v1/tickets HTTP/1.1\r\nHost: x\r\n";
    ck_assert(send(fd, line, sizeof(line) - 1, MSG_NOSIGNAL) > 0);
    while (now_ms() - t0 < (REQUEST_TIMEOUT_S * 1000 + 5000) * slow) {
        usleep(300 * 1000);
        if (send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL) < 0) {
            cut = now_ms() - t0;
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        char b[256];
        if (poll(&p, 1, 0) > 0 && recv(fd, b, sizeof(b), MSG_DONTWAIT) <= 0) {
            cut = now_ms() - t0;
            break;
        }
    }
    close(fd);
    printf("# a trickled request was cut after %.0f ms (limit %d s)\n", cut, REQUEST_TIMEOUT_S);
    ck_assert_msg(cut > 0, "still connected after %d s", REQUEST_TIMEOUT_S + 5);
    ck_assert_msg(cut >= REQUEST_TIMEOUT_S * 1000 - 500, "cut early, after %.0f ms", cut);
}
END_TEST

/* ---- a stalled database ---- */

/* The postmaster and its children (backends, background workers). */
static int cluster_pids(pid_t *out, int max)
{
    char path[512], line[64];
    snprintf(path, sizeof(path), "%s/data/postmaster.pid", private_pg_dir(""));
    FILE *f = fopen(path, "r");
    if (!f || !fgets(line, sizeof(line), f)) {
        if (f)
            fclose(f);
        return 0;
    }
    fclose(f);
    pid_t pm = (pid_t)atoi(line);
    int n = 0;
    out[n++] = pm;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)) && n < max) {
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 0)
            continue;
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        FILE *s = fopen(path, "r");
        if (!s)
            continue;
        char buf[512];
        size_t k = fread(buf, 1, sizeof(buf) - 1, s);
        fclose(s);
        buf[k] = '\0';
        char *rp = strrchr(buf, ')'); /* after "pid (comm)": state, ppid */
        int ppid = 0;
        char state;
        if (rp && sscanf(rp + 2, "%c %d", &state, &ppid) == 2 && ppid == pm)
            out[n++] = pid;
    }
    if (d)
        closedir(d);
    return n;
}

static pid_t stopped[256];
static int n_stopped;

static void cluster_signal(int sig)
{
    if (sig == SIGSTOP)
        n_stopped = cluster_pids(stopped, 256);
    for (int i = 0; i < n_stopped; i++)
        kill(stopped[i], sig);
    if (sig == SIGCONT)
        n_stopped = 0;
}

typedef struct timed {
    const char *path;
    json_t *body;
    const char *key;
    long status;
    char error[64];
    double ms;
} timed;

static void *timed_request(void *arg)
{
    timed *t = arg;
    double t0 = now_ms();
    json_t *r = t->body ? post_json(t->path, t->key, t->body, &t->status)
                        : get_json(t->path, t->key, &t->status);
    t->ms = now_ms() - t0;
    const char *e = r ? json_string_value(json_object_get(r, "error")) : NULL;
    snprintf(t->error, sizeof(t->error), "%s", e ? e : "");
    json_decref(r);
    return NULL;
}

START_TEST(stalled_database)
{
    long st;
    gc(get_json("/readyz", NULL, &st));
    ck_assert_int_eq(st, 200);
    cluster_signal(SIGSTOP);
    ck_assert_msg(n_stopped >= 2, "found %d cluster processes", n_stopped);
    /* More requests than the server has connections (4) and workers (5), all at once. */
    enum { N = 12 };
    timed req[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        char id[32];
        snprintf(id, sizeof(id), "HD-STALL-%d", i);
        tk t = {.id = id,
                .at = "2026-09-05T09:00:00+08:00",
                .phone = phone(960 + i),
                .category = "HB.ZS.JZ"};
        req[i] = (timed){.path = i % 3 == 2 ? "/v1/tickets/HD-EV" : "/v1/tickets",
                         .body = i % 3 == 2 ? NULL : ticket_body(&t),
                         .key = api.crm_key};
        pthread_create(&th[i], NULL, timed_request, &req[i]);
    }
    usleep(200 * 1000);
    /* /healthz meanwhile: at once, many times over, on fresh connections. */
    double worst_health = 0;
    int health_failed = 0;
    for (int k = 0; k < 20; k++) {
        double t0 = now_ms();
        gc(get_json("/healthz", NULL, &st));
        double ms = now_ms() - t0;
        health_failed += st != 200;
        if (ms > worst_health)
            worst_health = ms;
        usleep(20 * 1000);
    }
    double t0 = now_ms();
    json_t *ry = gc(get_json("/readyz", NULL, &st));
    double ready_ms = now_ms() - t0;
    long ready_status = st;
    double worst = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        json_decref(req[i].body);
        if (req[i].ms > worst)
            worst = req[i].ms;
    }
    cluster_signal(SIGCONT); /* before any assertion: a failed one leaves the case */
    printf("# database stopped: %d requests 503 within %.0f ms (timeout %d ms), /readyz 503 in "
           "%.0f ms, /healthz at worst %.1f ms\n",
           N, worst, DB_TIMEOUT_MS, ready_ms, worst_health);
    st = ready_status;
    CHECK(error_is(st, ry, 503, "database_unavailable", NULL));
    for (int i = 0; i < N; i++)
        ck_assert_msg(req[i].status == 503 && !strcmp(req[i].error, "database_unavailable"),
                      "request %d: %ld %s after %.0f ms", i, req[i].status, req[i].error,
                      req[i].ms);
    ck_assert_msg(worst < (DB_TIMEOUT_MS + 1500) * slow, "a request waited %.0f ms", worst);
    ck_assert_msg(worst_health < 500 * slow, "/healthz took %.0f ms", worst_health);
    ck_assert_msg(health_failed == 0, "/healthz failed %d times", health_failed);
    /* Back: ready again, and writes go through. */
    t0 = now_ms();
    do {
        gc(get_json("/readyz", NULL, &st));
        if (st == 200)
            break;
        usleep(100 * 1000);
    } while (now_ms() - t0 < 20000 * slow);
    ck_assert_msg(st == 200, "/readyz %ld after SIGCONT", st);
    POST_TICKET(201, .id = "HD-AFTER", .at = "2026-09-05T10:00:00+08:00", .phone = phone(990),
                .category = "HB.ZS.JZ");
}
END_TEST

/* ---- start and stop ---- */

static pid_t spawn_on_port(int port)
{
    int saved = api.port;
    api.port = port;
    static const char *const serve[] = {"serve", NULL};
    pid_t pid = harness_spawn_repeatd_on(api.db_url, serve);
    api.port = saved;
    return pid;
}

static int wait_exit(pid_t pid, double ms)
{
    double end = now_ms() + ms;
    int ws;
    while (now_ms() < end) {
        pid_t r = waitpid(pid, &ws, WNOHANG);
        if (r == pid)
            return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
        usleep(20 * 1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &ws, 0);
    return -1;
}

START_TEST(second_server_on_the_port_does_not_start)
{
    pid_t pid = spawn_on_port(api.port);
    int st = wait_exit(pid, 30000 * slow);
    ck_assert_msg(st != 0 && st != -1, "a second server on port %d: exit %d", api.port, st);
    char *log = read_log_for("the address is in use");
    ck_assert_msg(strstr(log, "the address is in use by another process"),
                  "no clear message in the log");
    free(log);
    long code;
    gc(get_json("/healthz", NULL, &code));
    ck_assert_int_eq(code, 200);
}
END_TEST

START_TEST(sigterm_cuts_a_half_sent_upload)
{
    /* A second server of our own on another port, so the fixture's keeps running. */
    int port = api.port + 1, saved = api.port;
    pid_t pid = spawn_on_port(port);
    api.port = port;
    char out[1024] = "";
    double t0 = now_ms();
    while (now_ms() - t0 < 30000 * slow) {
        int hfd = raw_open();
        if (hfd >= 0) {
            static const char get[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
            if (send(hfd, get, sizeof(get) - 1, MSG_NOSIGNAL) > 0)
                raw_read(hfd, out, sizeof(out), 2000);
            close(hfd);
            if (!strncmp(out, "HTTP/1.1 200", 12))
                break;
        }
        usleep(100 * 1000);
    }
    ck_assert_msg(!strncmp(out, "HTTP/1.1 200", 12), "the second server does not answer");
    char head[1024];
    snprintf(head, sizeof(head), HEAD("POST", "/v1/tickets", "Content-Length: 1000\r\n"),
             api.crm_key);
    int fd = raw_open();
    api.port = saved;
    ck_assert(send(fd, head, strlen(head), MSG_NOSIGNAL) > 0);
    ck_assert(send(fd, "{\"ticket_id\"", 12, MSG_NOSIGNAL) == 12);
    usleep(300 * 1000);
    t0 = now_ms();
    kill(pid, SIGTERM);
    int code = wait_exit(pid, 30000 * slow);
    double ms = now_ms() - t0;
    close(fd);
    printf("# SIGTERM with a half-sent upload: stopped in %.0f ms, exit %d\n", ms, code);
    ck_assert_int_eq(code, 0);
    ck_assert_msg(ms < 5000 * slow, "the drain waited %.0f ms for a half-sent upload", ms);
    char *log = read_log_for("shutdown_while_receiving_body");
    ck_assert_msg(strstr(log, "\"ended\":\"shutdown_while_receiving_body\""),
                  "the cut upload is not logged as such");
    ck_assert_msg(strstr(log, "1 still sending a body (cut now)"), "the drain does not say so");
    free(log);
    /* A new server binds the port at once, its cut connection in TIME_WAIT notwithstanding. */
    pid = spawn_on_port(port);
    api.port = port;
    out[0] = '\0';
    t0 = now_ms();
    while (now_ms() - t0 < 30000 * slow && waitpid(pid, NULL, WNOHANG) == 0) {
        int hfd = raw_open();
        if (hfd >= 0) {
            static const char get[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
            if (send(hfd, get, sizeof(get) - 1, MSG_NOSIGNAL) > 0)
                raw_read(hfd, out, sizeof(out), 2000);
            close(hfd);
            if (!strncmp(out, "HTTP/1.1 200", 12))
                break;
        }
        usleep(100 * 1000);
    }
    api.port = saved;
    kill(pid, SIGTERM);
    int again = wait_exit(pid, 30000 * slow);
    ck_assert_msg(!strncmp(out, "HTTP/1.1 200", 12), "a restarted server on the port: %.40s", out);
    ck_assert_int_eq(again, 0);
}
END_TEST

/* Every line of the server's log is one JSON object (libmicrohttpd's messages too). */
START_TEST(every_log_line_is_json)
{
    char *log = read_log();
    int lines = 0, library = 0;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "==", 2) || line[0] != '{')
            continue; /* valgrind's own lines, pg.sh's */
        json_error_t e;
        json_t *j = json_loads(line, 0, &e);
        ck_assert_msg(j && json_is_object(j), "not JSON: %.120s", line);
        library += json_object_get(j, "source") != NULL;
        json_decref(j);
        lines++;
    }
    free(log);
    ck_assert_int_gt(lines, 10);
    printf("# %d log lines, all JSON, %d from libmicrohttpd\n", lines, library);
}
END_TEST

/* At exit, also after a bail-out: a paused cluster is resumed before it is stopped. */
static void resume_cluster(void)
{
    if (n_stopped)
        cluster_signal(SIGCONT);
}

int main(void)
{
    private_pg_init("hardening");
    private_pg_before_cleanup(resume_cluster);
    struct rlimit nofile; /* the flood needs 1,200 sockets */
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    const char *wrapper = getenv("REPEATD_TEST_SERVER_WRAPPER");
    if (wrapper && *wrapper)
        slow = 10;
    char timeout[32];
    snprintf(timeout, sizeof(timeout), "%d", DB_TIMEOUT_MS);
    setenv("REPEATD_DB_TIMEOUT_MS", timeout, 1);
    snprintf(timeout, sizeof(timeout), "%d", REQUEST_TIMEOUT_S);
    setenv("REPEATD_REQUEST_TIMEOUT_S", timeout, 1);
    if (private_pg("start", "") != 0) {
        printf("Bail out! could not start a private PostgreSQL in %s\n", private_pg_dir(""));
        return 1;
    }
    char url[1024];
    private_pg_url("", "postgres", url, sizeof(url));
    harness_start_on("hardening", url);

    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_set_timeout(tc, 120 * slow);
    tcase_add_test(tc, every_field_under_hostile_values);
    tcase_add_test(tc, leap_second_stays_in_its_month);
    tcase_add_test(tc, far_future_microseconds_stay_exact);
    tcase_add_test(tc, path_parameters);
    tcase_add_test(tc, random_sequences_keep_the_invariants);
    tcase_add_test(tc, framing_refused_at_the_headers);
    tcase_add_test(tc, mutated_raw_requests);
    tcase_add_test(tc, logs_hold_no_phone_number);
    tcase_add_test(tc, a_flood_from_one_address_leaves_room_for_others);
    tcase_add_test(tc, a_trickled_request_is_cut_in_bounded_time);
    tcase_add_test(tc, stalled_database);
    tcase_add_test(tc, second_server_on_the_port_does_not_start);
    tcase_add_test(tc, sigterm_cuts_a_half_sent_upload);
    tcase_add_test(tc, every_log_line_is_json);
    return harness_run(s, tc);
}
