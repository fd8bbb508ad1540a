/* API: the database goes away under a running server and comes back. This program runs its
 * own PostgreSQL cluster (the shared one serves the other programs in parallel): while it is
 * down the server answers 503 database_unavailable and stays alive; once it is back the same
 * server process is ready again within seconds. */
#include "private_pg.h"
#include "rd_test.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The database of this program's own cluster (private_pg.h), stopped and started again. */
static int pg(const char *cmd)
{
    return private_pg(cmd, "");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(posts_with_the_database_up)
{
    json_t *a =
        POST_TICKET(201, .id = "RS-1", .at = at(2, 3, 22, 0), .phone = phone(601),
                    .category = "HB.ZS.JZ", .description = "小区附近建筑工地夜间施工，噪音扰民。");
    CHECK(decision_is(a, "new", "R1", 0));
    long st;
    gc(get_json("/readyz", NULL, &st));
    ck_assert_int_eq(st, 200);
}
END_TEST

START_TEST(database_down_is_503)
{
    ck_assert_int_eq(pg("stop"), 0);
    long st;
    double t0 = now_s();
    json_t *r = gc(get_json("/readyz", NULL, &st));
    CHECK(error_is(st, r, 503, "database_unavailable", NULL));

    tk t = {.id = "RS-2", .at = at(2, 4, 22, 0), .phone = phone(601), .category = "HB.ZS.JZ"};
    r = gc(post_ticket(&t, &st));
    CHECK(error_is(st, r, 503, "database_unavailable", NULL));
    r = gc(classify(&t, &st));
    CHECK(error_is(st, r, 503, "database_unavailable", NULL));
    r = gc(get_json("/v1/tickets/RS-1", api.crm_key, &st));
    CHECK(error_is(st, r, 503, "database_unavailable", NULL));
    r = gc(post_event("RS-1", ev_contact(at(2, 4, 10, 0), "reached"), &st));
    CHECK(error_is(st, r, 503, "database_unavailable", NULL));
    /* A CRM call must not hang while the database is away. */
    ck_assert_msg(now_s() - t0 < 60, "503s took %.1f s", now_s() - t0);

    json_t *h = gc(get_json("/healthz", NULL, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(h, "status"), "ok");
    ck_assert(harness_server_alive());
}
END_TEST

START_TEST(database_back_without_a_server_restart)
{
    ck_assert_int_eq(pg("start"), 0);
    long st = 0;
    double t0 = now_s();
    while (now_s() - t0 < 30) {
        gc(get_json("/readyz", NULL, &st));
        if (st == 200)
            break;
        usleep(200 * 1000);
    }
    ck_assert_msg(st == 200, "/readyz still %ld 30 s after the database came back", st);

    json_t *a = POST_TICKET(201, .id = "RS-2", .at = at(2, 4, 22, 0), .phone = phone(601),
                            .category = "HB.ZS.JZ");
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    ck_assert_str_eq(jstr(a, "related_ticket.ticket_id"), "RS-1");
    EVENT("RS-1", ev_dispatched(at(2, 5, 9, 0), "CGZF-01", "ZF-3", "H-Wang", NULL), 201);
    json_t *v = gc(get_ticket("RS-1", &st));
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(jint(v, "state.calls"), 1);
    /* Every pooled connection was replaced: a burst of requests all succeed. */
    for (int i = 0; i < 12; i++) {
        gc(get_json("/v1/tickets/RS-2", api.crm_key, &st));
        ck_assert_int_eq(st, 200);
    }
}
END_TEST

int main(void)
{
    private_pg_init("restart");
    if (pg("start") != 0) {
        printf("Bail out! could not start a private PostgreSQL in %s\n", private_pg_dir(""));
        return 1;
    }
    char url[1024];
    private_pg_url("", "postgres", url, sizeof(url));
    harness_start_on("restart", url);

    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, posts_with_the_database_up);
    tcase_add_test(tc, database_down_is_503);
    tcase_add_test(tc, database_back_without_a_server_restart);
    return harness_run(s, tc);
}
