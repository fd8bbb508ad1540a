/* API: idempotency on ticket_id and decisions under concurrency. Twenty callers released
 * together must see exactly one new problem, or exactly one first write of one ticket. */
#include "scenario.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 20

START_TEST(replay_same_body)
{
    tk t = {.id = "CON-ID-1",
            .at = at(2, 3, 22, 0),
            .phone = phone(501),
            .category = "HB.ZS.JZ",
            .description = "建筑工地夜间施工噪音扰民。",
            .has_location = true,
            .lat = 23.1291,
            .lon = 113.2644};
    json_t *first = post_expect(&t, 201, NULL, __LINE__);
    CHECK(decision_is(first, "new", "R1", 0));
    json_t *again = post_expect(&t, 200, NULL, __LINE__);
    ck_assert_msg(json_equal(first, again), "a replay answers what was stored");

    /* The same JSON value: other key order, other spacing, other escapes. */
    char *text = json_dumps(gc(ticket_body(&t)), JSON_SORT_KEYS | JSON_INDENT(3));
    long st;
    json_t *j = NULL;
    http("POST", "/v1/tickets", api.crm_key, "application/json", text, strlen(text), &st, &j);
    free(text);
    gc(j);
    ck_assert_int_eq(st, 200);
    ck_assert(json_equal(first, j));

    /* A different body under the same id: a conflict, and the stored ticket is unchanged. */
    tk other = t;
    other.description = "另一段描述。";
    json_t *r = gc(post_ticket(&other, &st));
    CHECK(error_is(st, r, 409, "idempotency_conflict", "ticket_id"));
    other = t;
    other.claim = "unresolved";
    r = gc(post_ticket(&other, &st));
    CHECK(error_is(st, r, 409, "idempotency_conflict", "ticket_id"));
    /* Another time: a minute later, and another month (the replay probe reads the month the
     * request names, where this id is not). */
    other = t;
    other.at = at(2, 3, 22, 1);
    r = gc(post_ticket(&other, &st));
    CHECK(error_is(st, r, 409, "idempotency_conflict", "ticket_id"));
    other.at = at(1, 3, 22, 0);
    r = gc(post_ticket(&other, &st));
    CHECK(error_is(st, r, 409, "idempotency_conflict", "ticket_id"));
    json_t *v = gc(get_ticket("CON-ID-1", &st));
    ck_assert_str_eq(jstr(v, "description"), "建筑工地夜间施工噪音扰民。");
    ck_assert(jisnull(v, "claim"));
}
END_TEST

/* A replay is the stored decision even after the citizen's history has moved on. */
START_TEST(replay_is_not_recomputed)
{
    tk t = {.id = "CON-RP-1", .at = at(2, 3, 9, 0), .phone = phone(502), .category = "CG.SZ.LD"};
    json_t *first = post_expect(&t, 201, NULL, __LINE__);
    CHECK(decision_is(first, "new", "R1", 0));
    json_t *second = POST_TICKET(201, .id = "CON-RP-2", .at = at(2, 4, 9, 0), .phone = phone(502),
                                 .category = "CG.SZ.LD");
    CHECK(decision_is(second, "excluded_in_progress", "R2", 0));
    json_t *again = post_expect(&t, 200, NULL, __LINE__);
    ck_assert(json_equal(first, again));
    again = post_expect(
        &(tk){.id = "CON-RP-2", .at = at(2, 4, 9, 0), .phone = phone(502), .category = "CG.SZ.LD"},
        200, NULL, __LINE__);
    ck_assert(json_equal(second, again));
    long st;
    json_t *p = gc(get_ticket("CON-RP-1", &st));
    ck_assert_int_eq(jint(p, "state.calls"), 1); /* replays are no new calls */
}
END_TEST

typedef struct worker {
    pthread_barrier_t *go;
    json_t *body;
    long status;
    json_t *answer;
    char error[256];
} worker;

static void *post_worker(void *cls)
{
    worker *w = cls;
    char *text = json_dumps(w->body, JSON_COMPACT);
    http_request rq = {.method = "POST",
                       .path = "/v1/tickets",
                       .key = api.crm_key,
                       .content_type = "application/json",
                       .body = text,
                       .body_len = strlen(text)};
    http_reply r;
    pthread_barrier_wait(w->go);
    http_send(&rq, &r);
    w->status = r.status;
    w->answer = r.json;
    r.json = NULL;
    snprintf(w->error, sizeof(w->error), "%s", r.error);
    http_reply_free(&r);
    free(text);
    return NULL;
}

/* The statuses of the workers, for messages. */
static const char *statuses(const worker w[N])
{
    static char buf[N * 300];
    size_t n = 0;
    for (int i = 0; i < N && n < sizeof(buf); i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%ld%s%s", i ? "," : "", w[i].status,
                              w[i].error[0] ? " " : "", w[i].error);
    return buf;
}

/* Run N posts of bodies[i] released together; statuses and answers land in w. */
static void post_together(worker w[N], json_t *bodies[N])
{
    pthread_t th[N];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    for (int i = 0; i < N; i++) {
        w[i] = (worker){.go = &go, .body = bodies[i]};
        ck_assert_int_eq(pthread_create(&th[i], NULL, post_worker, &w[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
    for (int i = 0; i < N; i++)
        gc(w[i].answer);
}

/* Twenty first calls about one problem at once, all received in the same second (so each is
 * "earlier" for the others): one work order, nineteen calls about it. */
START_TEST(simultaneous_first_calls)
{
    json_t *bodies[N];
    for (int i = 0; i < N; i++) {
        char id[32];
        snprintf(id, sizeof(id), "CON-SIM-%02d", i);
        bodies[i] = gc(ticket_body(&(tk){.id = id,
                                         .at = at(2, 3, 22, 0),
                                         .phone = phone(503),
                                         .category = "HB.ZS.JZ",
                                         .description = "工地夜间施工噪音。"}));
    }
    worker w[N];
    post_together(w, bodies);
    int fresh = 0, excluded = 0;
    const char *first = NULL;
    for (int i = 0; i < N; i++) {
        ck_assert_msg(w[i].status == 201, "post %d: %ld (%s)", i, w[i].status, statuses(w));
        const char *d = jstr(w[i].answer, "decision");
        if (d && !strcmp(d, "new")) {
            fresh++;
            first = jstr(w[i].answer, "ticket_id");
        } else if (d && !strcmp(d, "excluded_in_progress")) {
            excluded++;
        }
    }
    ck_assert_int_eq(fresh, 1);
    ck_assert_int_eq(excluded, N - 1);
    for (int i = 0; i < N; i++) {
        if (!strcmp(jstr(w[i].answer, "decision"), "new"))
            continue;
        ck_assert_str_eq(jstr(w[i].answer, "related_ticket.ticket_id"), first);
        ck_assert_str_eq(jstr(w[i].answer, "chain_id"), first);
    }
    long st;
    json_t *p = gc(get_ticket(first, &st));
    ck_assert_int_eq(jint(p, "state.calls"), N - 1);
    ck_assert_int_eq(json_array_size(jget(p, "later_calls")), N - 1);
}
END_TEST

/* Twenty identical posts of one ticket at once: one 201, nineteen replays of it. */
START_TEST(simultaneous_same_ticket)
{
    json_t *body = gc(ticket_body(&(tk){
        .id = "CON-SAME-1", .at = at(2, 4, 8, 0), .phone = phone(504), .category = "CG.SZ.PS"}));
    json_t *bodies[N];
    for (int i = 0; i < N; i++)
        bodies[i] = body;
    worker w[N];
    post_together(w, bodies);
    int created = 0, replayed = 0, winner = -1;
    for (int i = 0; i < N; i++) {
        if (w[i].status == 201) {
            created++;
            winner = i;
        } else if (w[i].status == 200) {
            replayed++;
        }
    }
    ck_assert_msg(created == 1 && replayed == N - 1, "statuses %s", statuses(w));
    CHECK(decision_is(w[winner].answer, "new", "R1", 0));
    for (int i = 0; i < N; i++)
        ck_assert_msg(json_equal(w[i].answer, w[winner].answer), "answer %d differs", i);
}
END_TEST

/* Twenty posts of one id with two different bodies: one wins; its twins replay, the others
 * conflict. */
START_TEST(simultaneous_conflicting_bodies)
{
    json_t *a = gc(ticket_body(&(tk){.id = "CON-CF-1",
                                     .at = at(2, 4, 8, 0),
                                     .phone = phone(505),
                                     .category = "CG.SZ.PS",
                                     .description = "甲"}));
    json_t *b = gc(ticket_body(&(tk){.id = "CON-CF-1",
                                     .at = at(2, 4, 8, 0),
                                     .phone = phone(505),
                                     .category = "CG.SZ.PS",
                                     .description = "乙"}));
    json_t *bodies[N];
    for (int i = 0; i < N; i++)
        bodies[i] = i % 2 ? a : b;
    worker w[N];
    post_together(w, bodies);
    int winner = -1, created = 0;
    for (int i = 0; i < N; i++)
        if (w[i].status == 201) {
            winner = i;
            created++;
        }
    ck_assert_msg(created == 1, "statuses %s", statuses(w));
    for (int i = 0; i < N; i++) {
        if (i == winner)
            continue;
        long want = bodies[i] == bodies[winner] ? 200 : 409;
        ck_assert_msg(w[i].status == want, "post %d: %ld, expected %ld (%s)", i, w[i].status, want,
                      statuses(w));
        if (want == 409)
            CHECK(error_is(w[i].status, w[i].answer, 409, "idempotency_conflict", "ticket_id"));
    }
    long st;
    json_t *v = gc(get_ticket("CON-CF-1", &st));
    ck_assert_str_eq(jstr(v, "description"), jstr(bodies[winner], "description"));
}
END_TEST

typedef struct event_worker {
    pthread_barrier_t *go;
    const char *at;
    long status;
    char error[256];
} event_worker;

static void *event_thread(void *cls)
{
    event_worker *w = cls;
    json_t *ev = ev_contact(w->at, "no_answer");
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    http_request rq = {.method = "POST",
                       .path = "/v1/tickets/CON-EV-1/events",
                       .key = api.crm_key,
                       .content_type = "application/json",
                       .body = text,
                       .body_len = strlen(text)};
    http_reply r;
    pthread_barrier_wait(w->go);
    http_send(&rq, &r);
    w->status = r.status;
    snprintf(w->error, sizeof(w->error), "%s", r.error);
    http_reply_free(&r);
    free(text);
    return NULL;
}

/* Events on one ticket at once: none is lost. */
START_TEST(simultaneous_events)
{
    POST_TICKET(201, .id = "CON-EV-1", .at = at(2, 5, 8, 0), .phone = phone(506),
                .category = "CG.SZ.LD");
    EVENT("CON-EV-1", ev_dispatched(at(2, 5, 9, 0), "SZ-LD", "LD-1", "H-Chen", NULL), 201);
    pthread_t th[N];
    event_worker w[N];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    for (int i = 0; i < N; i++) {
        w[i] = (event_worker){.go = &go, .at = at(2, 5, 10, i)};
        ck_assert_int_eq(pthread_create(&th[i], NULL, event_thread, &w[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
    for (int i = 0; i < N; i++)
        ck_assert_msg(w[i].status == 201, "event %d: %ld %s", i, w[i].status, w[i].error);
    long st;
    json_t *v = gc(get_ticket("CON-EV-1", &st));
    ck_assert_int_eq(jint(v, "state.contact_failures"), N);
    ck_assert_int_eq(json_array_size(jget(v, "events")), N + 1);
}
END_TEST

int main(void)
{
    harness_start("concurrency");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, replay_same_body);
    tcase_add_test(tc, replay_is_not_recomputed);
    tcase_add_test(tc, simultaneous_first_calls);
    tcase_add_test(tc, simultaneous_same_ticket);
    tcase_add_test(tc, simultaneous_conflicting_bodies);
    tcase_add_test(tc, simultaneous_events);
    return harness_run(s, tc);
}
