/* API tests: ticket and event builders, relative dates, JSON look-ups and named checks. */
#include "scenario.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RING 64

static char *ring_slot(void)
{
    static char slots[RING][48];
    static unsigned next;
    return slots[next++ % RING];
}

const char *at(int months_ago, int day, int hour, int minute)
{
    time_t now = time(NULL) + 8 * 3600; /* Asia/Shanghai: UTC+8, no daylight saving */
    struct tm tm;
    gmtime_r(&now, &tm);
    int m = tm.tm_year * 12 + tm.tm_mon - months_ago;
    char *s = ring_slot();
    snprintf(s, 48, "%04d-%02d-%02dT%02d:%02d:00+08:00", 1900 + m / 12, m % 12 + 1, day, hour,
             minute);
    return s;
}

const char *phone(int n)
{
    char *s = ring_slot();
    snprintf(s, 48, "139%08d", n);
    return s;
}

/* ---- JSON look-ups ---- */

json_t *jget(json_t *root, const char *path)
{
    json_t *cur = root;
    const char *p = path;
    while (cur && *p) {
        if (*p == '.') {
            p++;
            continue;
        }
        if (*p == '[') {
            char *end;
            long i = strtol(p + 1, &end, 10);
            if (*end != ']')
                return NULL;
            cur = json_array_get(cur, (size_t)i);
            p = end + 1;
            continue;
        }
        size_t n = strcspn(p, ".[");
        char key[128];
        snprintf(key, sizeof(key), "%.*s", (int)n, p);
        cur = json_object_get(cur, key);
        p += n;
    }
    return cur;
}

const char *jstr(json_t *root, const char *path)
{
    return json_string_value(jget(root, path));
}

long long jint(json_t *root, const char *path)
{
    json_t *v = jget(root, path);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -999999;
}

int jbool(json_t *root, const char *path)
{
    json_t *v = jget(root, path);
    return json_is_boolean(v) ? json_is_true(v) : -1;
}

bool jisnull(json_t *root, const char *path)
{
    return json_is_null(jget(root, path));
}

/* ---- checks ---- */

static char msg_buf[4096];

static const char *mismatch(json_t *shown, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *mismatch(json_t *shown, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg_buf, sizeof(msg_buf), fmt, ap);
    va_end(ap);
    if (shown && n > 0 && (size_t)n < sizeof(msg_buf)) {
        char *text = json_dumps(shown, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(msg_buf + n, sizeof(msg_buf) - (size_t)n, " in %s", text ? text : "?");
        free(text);
    }
    return msg_buf;
}

static bool str_eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

const char *decision_is(json_t *a, const char *decision, const char *rule, int ordinal)
{
    if (!a)
        return mismatch(NULL, "no JSON answer");
    if (!str_eq(jstr(a, "decision"), decision))
        return mismatch(a, "decision %s, expected %s", jstr(a, "decision"), decision);
    if (!str_eq(jstr(a, "rule"), rule))
        return mismatch(a, "rule %s, expected %s", jstr(a, "rule"), rule);
    if (jint(a, "repeat_ordinal") != ordinal)
        return mismatch(a, "repeat_ordinal %lld, expected %d", jint(a, "repeat_ordinal"), ordinal);
    int counts = !strcmp(decision, "repeat");
    int wo =
        !strcmp(decision, "new") || !strcmp(decision, "repeat") || !strcmp(decision, "similar_new");
    if (jbool(a, "counts_as_repeat") != counts)
        return mismatch(a, "counts_as_repeat is not %s", counts ? "true" : "false");
    if (jbool(a, "creates_work_order") != wo)
        return mismatch(a, "creates_work_order is not %s", wo ? "true" : "false");
    if (!jstr(a, "chain_id") || !jstr(a, "script") || !jstr(a, "script")[0])
        return mismatch(a, "chain_id or script missing");
    return NULL;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* got[] against the comma-separated list, both sorted; NULL when equal as multisets. */
static const char *same_multiset(json_t *shown, const char **got, size_t n_got,
                                 const char *expected)
{
    const char *want[32];
    size_t n_want = 0, i;
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", expected);
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && n_want < 32;
         t = strtok_r(NULL, ",", &save))
        want[n_want++] = t;
    qsort(got, n_got, sizeof(got[0]), cmp_str);
    qsort(want, n_want, sizeof(want[0]), cmp_str);
    bool same = n_got == n_want;
    for (i = 0; same && i < n_got; i++)
        same = !strcmp(got[i], want[i]);
    return same ? NULL : mismatch(shown, "codes differ from [%s]", expected);
}

static bool looks_like_time(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd"; /* the rest varies */
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return false;
    return true;
}

static int walk_times(json_t *j, const char *offset, const char **bad, int *seen)
{
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        size_t n = strlen(s), k = strlen(offset);
        if (strlen(s) >= 16 && looks_like_time(s)) {
            (*seen)++;
            if (n < k || strcmp(s + n - k, offset) != 0)
                *bad = s;
        }
    } else if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++)
            walk_times(json_array_get(j, i), offset, bad, seen);
    } else if (json_is_object(j)) {
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v) if (strcmp(key, "body") != 0)
            walk_times(v, offset, bad, seen);
    }
    return 0;
}

const char *times_at_offset(json_t *j, const char *offset)
{
    static char msg[512];
    const char *bad = NULL;
    int seen = 0;
    walk_times(j, offset, &bad, &seen);
    if (seen == 0)
        return "no time in the answer";
    if (bad) {
        snprintf(msg, sizeof(msg), "time %s is not at %s", bad, offset);
        return msg;
    }
    return NULL;
}

const char *codes_are(json_t *array, const char *expected)
{
    if (!json_is_array(array))
        return mismatch(array, "not an array (expected %s)", expected);
    const char *got[32];
    size_t n_got = 0, i;
    json_t *v;
    json_array_foreach(array, i, v)
    {
        const char *s = json_is_string(v) ? json_string_value(v) : jstr(v, "code");
        if (!s || n_got >= 32)
            return mismatch(array, "an element without a code");
        got[n_got++] = s;
    }
    return same_multiset(array, got, n_got, expected);
}

const char *defects_are(json_t *defects, const char *expected)
{
    if (!json_is_array(defects))
        return mismatch(defects, "defects is not an array (expected %s)", expected);
    static char pairs[32][160];
    const char *got[32];
    size_t n_got = 0, i;
    json_t *v;
    json_array_foreach(defects, i, v)
    {
        if (n_got >= 32 || !jstr(v, "code") || !jstr(v, "field") || !jstr(v, "message"))
            return mismatch(defects, "a defect without code, field or message");
        snprintf(pairs[n_got], sizeof(pairs[n_got]), "%s@%s", jstr(v, "code"), jstr(v, "field"));
        got[n_got] = pairs[n_got];
        n_got++;
    }
    return same_multiset(defects, got, n_got, expected);
}

const char *error_is(long status, json_t *body, long want_status, const char *code,
                     const char *field)
{
    if (status != want_status)
        return mismatch(body, "status %ld, expected %ld", status, want_status);
    if (!str_eq(jstr(body, "error"), code))
        return mismatch(body, "error %s, expected %s", jstr(body, "error"), code);
    if (!jstr(body, "message") || !jstr(body, "message")[0])
        return mismatch(body, "no message");
    if (field && !str_eq(jstr(body, "field"), field))
        return mismatch(body, "field %s, expected %s", jstr(body, "field"), field);
    return NULL;
}

json_t *action_of(json_t *answer, const char *code)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(answer, "actions"), i, v)
    {
        if (str_eq(jstr(v, "code"), code))
            return v;
    }
    return NULL;
}

bool has_cjk(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        /* U+4E00..U+9FFF are E4 B8 80 .. E9 BF BF in UTF-8 */
        if (p[0] >= 0xE4 && p[0] <= 0xE9 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
            return true;
    }
    return false;
}

bool is_ascii_text(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
            return false;
    return true;
}

/* ---- tickets ---- */

json_t *ticket_body(const tk *t)
{
    json_t *citizen = json_object();
    if (t->phone)
        json_object_set_new(citizen, "phone", json_string(t->phone));
    if (t->citizen_id)
        json_object_set_new(citizen, "id", json_string(t->citizen_id));
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:o, s:s}", "ticket_id", t->id, "received_at", t->at, "channel",
                  t->channel ? t->channel : "phone", "citizen", citizen, "category", t->category);
    if (t->has_location || t->address) {
        json_t *loc = json_object();
        if (t->address)
            json_object_set_new(loc, "address", json_string(t->address));
        if (t->has_location) {
            json_object_set_new(loc, "lat", json_real(t->lat));
            json_object_set_new(loc, "lon", json_real(t->lon));
        }
        json_object_set_new(o, "location", loc);
    }
    if (t->description)
        json_object_set_new(o, "description", json_string(t->description));
    if (t->claim)
        json_object_set_new(o, "claim", json_string(t->claim));
    if (t->new_evidence)
        json_object_set_new(o, "new_evidence", json_boolean(t->new_evidence > 0));
    return o;
}

json_t *post_ticket_lang(const tk *t, const char *accept_language, long *status)
{
    json_t *body = ticket_body(t);
    json_t *r = send_json("POST", "/v1/tickets", api.crm_key, body, accept_language, status);
    json_decref(body);
    return r;
}

json_t *post_ticket(const tk *t, long *status)
{
    return post_ticket_lang(t, NULL, status);
}

json_t *classify(const tk *t, long *status)
{
    json_t *body = ticket_body(t);
    json_t *r = send_json("POST", "/v1/classify", api.crm_key, body, NULL, status);
    json_decref(body);
    return r;
}

json_t *get_ticket(const char *id, long *status)
{
    char path[256];
    snprintf(path, sizeof(path), "/v1/tickets/%s", id);
    long st = 0;
    json_t *j = get_json(path, api.crm_key, &st);
    if (status)
        *status = st;
    if (st != 200) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* ---- events ---- */

json_t *ev_dispatched(const char *at_, const char *unit, const char *team, const char *handler,
                      const char *deadline)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "type", "dispatched", "at", at_, "unit", unit);
    if (team)
        json_object_set_new(o, "team", json_string(team));
    if (handler)
        json_object_set_new(o, "handler", json_string(handler));
    if (deadline)
        json_object_set_new(o, "deadline", json_string(deadline));
    return o;
}

json_t *ev_contact(const char *at_, const char *outcome)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "type", "contact_attempt", "at", at_, "channel",
                     "phone", "outcome", outcome);
}

json_t *ev_closeout(const char *at_, const char *contact_time, bool resolved, bool satisfied)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "type", "closeout", "at", at_,
        "handler", "H-closeout", "cause", "建筑工地夜间违规施工，产生噪音影响周边居民休息。",
        "verification", "执法人员到现场核查，确认工地晚上十点后仍在进行混凝土浇筑作业。",
        "handling_opinion", "责令工地负责人立即停止夜间施工，并依法处以罚款，后续加强巡查。",
        "reply_method", "phone", "contact_time", contact_time, "reply_to_citizen",
        "已电话告知市民现场核查结果和处理措施，市民表示会继续关注夜间施工情况。", "resolved",
        resolved, "satisfied", satisfied);
}

json_t *ev_followup(const char *at_, bool reached, bool resolved, bool satisfied)
{
    return json_pack("{s:s, s:s, s:b, s:b, s:b}", "type", "followup", "at", at_, "reached", reached,
                     "resolved", resolved, "satisfied", satisfied);
}

json_t *ev_closed(const char *at_, const char *outcome)
{
    return json_pack("{s:s, s:s, s:s}", "type", "closed", "at", at_, "outcome", outcome);
}

json_t *ev_reopened(const char *at_)
{
    return json_pack("{s:s, s:s}", "type", "reopened", "at", at_);
}

json_t *ev_audit(const char *at_, bool false_closeout, const char *note)
{
    json_t *o =
        json_pack("{s:s, s:s, s:b}", "type", "audit", "at", at_, "false_closeout", false_closeout);
    if (note)
        json_object_set_new(o, "note", json_string(note));
    return o;
}

json_t *post_event(const char *ticket_id, json_t *ev, long *status)
{
    char path[256];
    snprintf(path, sizeof(path), "/v1/tickets/%s/events", ticket_id);
    json_t *r = post_json(path, api.crm_key, ev, status);
    json_decref(ev);
    return r;
}

static const char *expect_event(const char *id, json_t *ev, long want)
{
    char what[64];
    snprintf(what, sizeof(what), "%s", jstr(ev, "type") ? jstr(ev, "type") : "?");
    long st = 0;
    json_t *r = post_event(id, ev, &st);
    const char *m = NULL;
    if (st != want)
        m = mismatch(r, "event %s on %s: status %ld, expected %ld", what, id, st, want);
    json_decref(r);
    return m;
}

const char *handle_ticket(const char *id, const handling *h)
{
    const char *m;
    int ma = h->months_ago, d = h->day;
    const char *deadline = at(ma, d + 5, 18, 0);
    m = expect_event(id, ev_dispatched(at(ma, d, 10, 0), h->unit, h->team, h->handler, deadline),
                     201);
    if (m)
        return m;
    static const char *const failures[] = {"no_answer", "powered_off", "busy", "rejected",
                                           "wrong_number"};
    for (int i = 0; i < h->failed_contacts; i++) {
        m = expect_event(id, ev_contact(at(ma, d, 11, i), failures[i % 5]), 201);
        if (m)
            return m;
    }
    const char *contact_at = at(ma, d, 11, 30);
    if (h->reached) {
        m = expect_event(id, ev_contact(contact_at, "reached"), 201);
        if (m)
            return m;
    }
    m = expect_event(
        id, ev_closeout(at(ma, d + 1, 9, 0), contact_at, h->closeout_resolved, h->reached), 201);
    if (m)
        return m;
    m = expect_event(id,
                     ev_followup(at(ma, d + 2, 10, 0), h->followup_reached, h->closeout_resolved,
                                 h->followup_reached),
                     201);
    if (m || !h->outcome)
        return m;
    return expect_event(id, ev_closed(at(ma, d + 2, 11, 0), h->outcome), 201);
}

/* ---- ownership ---- */

static pthread_mutex_t gc_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t **gc_items;
static size_t gc_n, gc_cap;

json_t *gc(json_t *j)
{
    if (!j)
        return NULL;
    pthread_mutex_lock(&gc_lock);
    if (gc_n == gc_cap) {
        size_t cap = gc_cap ? gc_cap * 2 : 256;
        json_t **p = realloc(gc_items, cap * sizeof(*p));
        if (p) {
            gc_items = p;
            gc_cap = cap;
        }
    }
    if (gc_n < gc_cap)
        gc_items[gc_n++] = j;
    pthread_mutex_unlock(&gc_lock);
    return j;
}

void gc_release_all(void)
{
    pthread_mutex_lock(&gc_lock);
    for (size_t i = 0; i < gc_n; i++)
        json_decref(gc_items[i]);
    free(gc_items);
    gc_items = NULL;
    gc_n = gc_cap = 0;
    pthread_mutex_unlock(&gc_lock);
}

Suite *api_suite(TCase **ret_tc)
{
    static char suite_name[48]; /* Check keeps the pointer */
    snprintf(suite_name, sizeof(suite_name), "api_%s", api.name);
    Suite *s = suite_create(suite_name);
    TCase *tc = tcase_create(api.name);
    tcase_add_checked_fixture(tc, NULL, gc_release_all);
    suite_add_tcase(s, tc);
    *ret_tc = tc;
    return s;
}

json_t *post_expect(const tk *t, long want, const char *accept_language, int line)
{
    long st = 0;
    json_t *r = gc(post_ticket_lang(t, accept_language, &st));
    if (st != want) {
        char *text = r ? json_dumps(r, JSON_COMPACT) : NULL;
        snprintf(msg_buf, sizeof(msg_buf),
                 "line %d: POST /v1/tickets %s: status %ld, expected %ld: %s", line, t->id, st,
                 want, text ? text : "(no JSON)");
        free(text);
        ck_abort_msg("%s", msg_buf);
    }
    return r;
}

json_t *event_expect(const char *ticket_id, json_t *ev, long want, int line)
{
    char type[64];
    snprintf(type, sizeof(type), "%s", jstr(ev, "type") ? jstr(ev, "type") : "?");
    long st = 0;
    json_t *r = gc(post_event(ticket_id, ev, &st));
    if (st != want) {
        char *text = r ? json_dumps(r, JSON_COMPACT) : NULL;
        snprintf(msg_buf, sizeof(msg_buf), "line %d: event %s on %s: status %ld, expected %ld: %s",
                 line, type, ticket_id, st, want, text ? text : "(no JSON)");
        free(text);
        ck_abort_msg("%s", msg_buf);
    }
    return r;
}
