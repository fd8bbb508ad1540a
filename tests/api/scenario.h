/* API tests: builders for tickets and lifecycle events, dates relative to today, JSON look-ups
 * and checks that name what differed. */
#pragma once

#include "harness.h"

#include <jansson.h>
#include <stdbool.h>

/* ---- dates ---- */

/* "YYYY-MM-DDTHH:MM:00+08:00": day `day` of the month `months_ago` calendar months before the
 * current one in Asia/Shanghai. Kept in a ring of static buffers (64 live values). With
 * months_ago >= 1 the time is always in the past. */
const char *at(int months_ago, int day, int hour, int minute);

/* A phone number of test n: 139 followed by 8 digits (ring of static buffers). */
const char *phone(int n);

/* ---- JSON look-ups: dotted paths with indices, "actions[1].code" ---- */

json_t *jget(json_t *root, const char *path);
const char *jstr(json_t *root, const char *path); /* NULL unless a string */
long long jint(json_t *root, const char *path);   /* -999999 unless an integer */
int jbool(json_t *root, const char *path);        /* 1, 0, or -1 unless a boolean */
bool jisnull(json_t *root, const char *path);     /* present and null */

/* ---- checks: NULL when fine, else a message (static buffer) for ck_assert_msg ---- */

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        const char *check_msg_ = (expr);                                                           \
        ck_assert_msg(check_msg_ == NULL, "%s", check_msg_);                                       \
    } while (0)

/* decision, rule and repeat_ordinal as given; counts_as_repeat and creates_work_order as
 * DOMAIN.md's table says for that decision. */
const char *decision_is(json_t *answer, const char *decision, const char *rule, int ordinal);

/* The codes of an array of strings or of objects with "code", as a multiset, equal to the
 * comma-separated list (order ignored; "" = empty). */
const char *codes_are(json_t *array, const char *expected);

/* Close-out defects as "code@field" pairs, a multiset equal to the comma-separated list. */
const char *defects_are(json_t *defects, const char *expected);

/* Every string of j that is an RFC 3339 time ends with `offset` ("+08:00"), and there is at
 * least one; values under a "body" key (an event as sent) are the sender's and not looked at. */
const char *times_at_offset(json_t *j, const char *offset);

/* An error body {"error": code, ...} with the status, and the field when not NULL. */
const char *error_is(long status, json_t *body, long want_status, const char *code,
                     const char *field);

/* The action object of a code, or NULL. */
json_t *action_of(json_t *answer, const char *code);

/* Whether s holds at least one CJK ideograph (U+4E00..U+9FFF). */
bool has_cjk(const char *s);

/* Whether s is non-empty printable ASCII. */
bool is_ascii_text(const char *s);

/* ---- ownership: values handed to gc() are released after the test case ---- */

json_t *gc(json_t *j);
void gc_release_all(void);

/* The program's suite "api_NAME" with its one case "NAME" (the name given to harness_start),
 * whose values handed to gc() are released after each test; the case into ret_tc, for the
 * tests and then harness_run. */
Suite *api_suite(TCase **ret_tc);

/* ---- tickets ---- */

typedef struct tk {
    const char *id;
    const char *at;
    const char *phone;
    const char *citizen_id;
    const char *category;
    const char *claim;
    int new_evidence; /* 0 absent, 1 true, -1 false */
    bool has_location;
    double lat, lon;
    const char *address;
    const char *description;
    const char *channel; /* default "phone" */
} tk;

/* The POST /v1/tickets body of t (caller decrefs). */
json_t *ticket_body(const tk *t);

/* POST /v1/tickets (or /v1/classify when classify) with the crm key; the answer. */
json_t *post_ticket(const tk *t, long *status);
json_t *post_ticket_lang(const tk *t, const char *accept_language, long *status);
json_t *classify(const tk *t, long *status);

/* GET /v1/tickets/{id} with the crm key; NULL when not 200. */
json_t *get_ticket(const char *id, long *status);

/* ---- lifecycle events (each a new JSON object) ---- */

json_t *ev_dispatched(const char *at, const char *unit, const char *team, const char *handler,
                      const char *deadline);
json_t *ev_contact(const char *at, const char *outcome);
/* A close-out that passes inspection: every element in full Chinese sentences. */
json_t *ev_closeout(const char *at, const char *contact_time, bool resolved, bool satisfied);
json_t *ev_followup(const char *at, bool reached, bool resolved, bool satisfied);
json_t *ev_closed(const char *at, const char *outcome);
json_t *ev_reopened(const char *at);
json_t *ev_audit(const char *at, bool false_closeout, const char *note);

/* POST /v1/tickets/{id}/events with the crm key; steals ev. The reply body. */
json_t *post_event(const char *ticket_id, json_t *ev, long *status);

/* How a ticket was handled, for handle_ticket. */
typedef struct handling {
    const char *unit, *team, *handler;
    int months_ago, day; /* the month and day of the handling; events on day..day+2 */
    int failed_contacts; /* failed attempts before any success */
    bool reached;        /* a contact attempt reached the citizen */
    bool closeout_resolved;
    bool followup_reached;
    const char *outcome; /* closed outcome; NULL leaves the ticket open after follow-up */
} handling;

/* Post the events of h to ticket id: dispatched, contact attempts, an accepted close-out, a
 * follow-up, closed. NULL when every event was accepted, else what went wrong. */
const char *handle_ticket(const char *id, const handling *h);

/* ---- the same with the status asserted at the caller's line; answers are gc()'d ---- */

json_t *post_expect(const tk *t, long want, const char *accept_language, int line);
json_t *event_expect(const char *ticket_id, json_t *ev, long want, int line);

#define POST_TICKET(want, ...)            post_expect(&(tk){__VA_ARGS__}, (want), NULL, __LINE__)
#define POST_TICKET_LANG(lang, want, ...) post_expect(&(tk){__VA_ARGS__}, (want), (lang), __LINE__)
#define EVENT(id, ev, want)               event_expect((id), (ev), (want), __LINE__)
#define HANDLE(id, ...)                   CHECK(handle_ticket((id), &(handling){__VA_ARGS__}))
