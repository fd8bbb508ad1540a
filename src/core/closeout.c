/* Close-out inspection (工单回单要素巡检): required elements, length, boilerplate, times. */
#include "repeatd/closeout.h"

#include <errno.h>
#include <string.h>

/* A byte range of a caller's string; never owns its bytes. */
typedef struct span {
    const char *p;
    size_t len;
} span;

typedef struct defects {
    rd_defect *items;
    size_t n;
} defects;

static const char *const defect_names[RD_DEFECT_COUNT_] = {
    [RD_DEFECT_MISSING_ELEMENT] = "missing_element",
    [RD_DEFECT_TOO_SHORT] = "too_short",
    [RD_DEFECT_BOILERPLATE_ONLY] = "boilerplate_only",
    [RD_DEFECT_CONTACT_TIME_BEFORE_RECEIVED] = "contact_time_before_received",
    [RD_DEFECT_CONTACT_TIME_IN_FUTURE] = "contact_time_in_future",
    [RD_DEFECT_REPLY_METHOD_NOT_ALLOWED] = "reply_method_not_allowed",
    [RD_DEFECT_SATISFIED_WITHOUT_CONTACT] = "satisfied_without_contact",
};

static const char *const defect_messages[RD_DEFECT_COUNT_] = {
    [RD_DEFECT_MISSING_ELEMENT] = "A required element of the close-out record is missing or empty.",
    [RD_DEFECT_TOO_SHORT] = "The text is shorter than the minimum number of characters.",
    [RD_DEFECT_BOILERPLATE_ONLY] =
        "The text is only a stock phrase such as \"已处理\" and says nothing about the case.",
    [RD_DEFECT_CONTACT_TIME_BEFORE_RECEIVED] =
        "The contact time is earlier than the time the ticket was received.",
    [RD_DEFECT_CONTACT_TIME_IN_FUTURE] = "The contact time is in the future.",
    [RD_DEFECT_REPLY_METHOD_NOT_ALLOWED] =
        "The reply method is not one of phone, sms, visit, letter or app.",
    [RD_DEFECT_SATISFIED_WITHOUT_CONTACT] =
        "The citizen is recorded as satisfied, but no successful contact is on record.",
};

static const char *const allowed_reply_methods[] = {"phone", "sms", "visit", "letter", "app"};

/* Spaces that may surround an element: ASCII white space and the ideographic space U+3000,
 * which Chinese input methods produce. */
static const char *const spaces[] = {" ", "\t", "\n", "\r", "\v", "\f", "\xE3\x80\x80"};

/* Trailing punctuation that does not turn a stock phrase into a statement: "已处理。" is
 * still only "已处理". ASCII and full-width forms. */
static const char *const punctuation[] = {
    ".",
    "!",
    "?",
    ",",
    ";",
    ":",
    "~",
    "\xE3\x80\x82", /* 。 */
    "\xE3\x80\x81", /* 、 */
    "\xEF\xBC\x81", /* ！ */
    "\xEF\xBC\x9F", /* ？ */
    "\xEF\xBC\x8C", /* ， */
    "\xEF\xBC\x9B", /* ； */
    "\xEF\xBC\x9A", /* ： */
    "\xEF\xBD\x9E", /* ～ */
    "\xEF\xBC\x8E", /* ． */
    "\xE2\x80\xA6", /* … */
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Length of the first entry of set that s starts with (within len bytes), or 0. */
static size_t prefix_in(const char *s, size_t len, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(set[i]);
        if (k <= len && memcmp(s, set[i], k) == 0)
            return k;
    }
    return 0;
}

/* Same for a suffix. */
static size_t suffix_in(const char *s, size_t len, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(set[i]);
        if (k <= len && memcmp(s + len - k, set[i], k) == 0)
            return k;
    }
    return 0;
}

static span trim_spaces(span t)
{
    size_t k;

    while ((k = prefix_in(t.p, t.len, spaces, N_OF(spaces))) > 0) {
        t.p += k;
        t.len -= k;
    }
    while ((k = suffix_in(t.p, t.len, spaces, N_OF(spaces))) > 0)
        t.len -= k;
    return t;
}

/* Strip trailing punctuation and spaces, in any mix ("已处理 。!"). */
static span trim_tail_punctuation(span t)
{
    size_t k;

    for (;;) {
        k = suffix_in(t.p, t.len, punctuation, N_OF(punctuation));
        if (k == 0)
            k = suffix_in(t.p, t.len, spaces, N_OF(spaces));
        if (k == 0)
            return t;
        t.len -= k;
    }
}

static size_t span_chars(span t)
{
    size_t n = 0;
    for (size_t i = 0; i < t.len; i++)
        if (((unsigned char)t.p[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static bool is_boilerplate(span text, const rd_settings *s)
{
    span core = trim_tail_punctuation(text);

    for (size_t i = 0; i < s->n_closeout_boilerplate && i < RD_BOILERPLATE_MAX; i++) {
        const char *e = s->closeout_boilerplate[i];
        size_t raw = strnlen(e, RD_BOILERPLATE_LEN_MAX);
        if (raw < core.len)
            continue; /* trimming only shortens: a real text is longer than every stock phrase */
        span entry = trim_tail_punctuation(trim_spaces((span){e, raw}));
        if (entry.len > 0 && entry.len == core.len && memcmp(entry.p, core.p, core.len) == 0)
            return true;
    }
    return false;
}

static void add(defects *d, rd_defect_code code, const char *field)
{
    if (d->n < RD_DEFECTS_MAX)
        d->items[d->n++] = (rd_defect){.code = code, .field = field};
}

static void check_text(defects *d, const char *text, const char *field, const rd_settings *s)
{
    span t = text ? trim_spaces((span){text, strlen(text)}) : (span){"", 0};

    if (t.len == 0)
        add(d, RD_DEFECT_MISSING_ELEMENT, field);
    else if (is_boilerplate(t, s))
        add(d, RD_DEFECT_BOILERPLATE_ONLY, field);
    else if (span_chars(t) < (size_t)(s->closeout_min_chars > 0 ? s->closeout_min_chars : 0))
        add(d, RD_DEFECT_TOO_SHORT, field);
}

static void check_reply_method(defects *d, const char *m)
{
    if (!m || trim_spaces((span){m, strlen(m)}).len == 0) {
        add(d, RD_DEFECT_MISSING_ELEMENT, "reply_method");
        return;
    }
    for (size_t i = 0; i < N_OF(allowed_reply_methods); i++)
        if (strcmp(m, allowed_reply_methods[i]) == 0)
            return;
    add(d, RD_DEFECT_REPLY_METHOD_NOT_ALLOWED, "reply_method");
}

static void check_contact_time(defects *d, const rd_closeout *c, const rd_closeout_context *ctx)
{
    if (!c->has_contact_time)
        add(d, RD_DEFECT_MISSING_ELEMENT, "contact_time");
    else if (c->contact_time < ctx->ticket_received_at)
        add(d, RD_DEFECT_CONTACT_TIME_BEFORE_RECEIVED, "contact_time");
    else if (c->contact_time > ctx->now)
        add(d, RD_DEFECT_CONTACT_TIME_IN_FUTURE, "contact_time");
}

/* Anything but RD_TRUE / RD_FALSE counts as not answered. */
static void check_answer(defects *d, rd_tristate v, const char *field)
{
    if (v != RD_TRUE && v != RD_FALSE)
        add(d, RD_DEFECT_MISSING_ELEMENT, field);
}

size_t rd_closeout_inspect(const rd_closeout *c, const rd_closeout_context *ctx,
                           const rd_settings *s, rd_defect ret[RD_DEFECTS_MAX])
{
    defects d = {.items = ret, .n = 0};

    if (!c || !ctx || !s || !ret)
        return 0;
    check_text(&d, c->cause, "cause", s);
    check_text(&d, c->verification, "verification", s);
    check_text(&d, c->handling_opinion, "handling_opinion", s);
    check_reply_method(&d, c->reply_method);
    check_contact_time(&d, c, ctx);
    check_text(&d, c->reply_to_citizen, "reply_to_citizen", s);
    check_answer(&d, c->resolved, "resolved");
    check_answer(&d, c->satisfied, "satisfied");
    /* A satisfaction answer that nobody could have given. */
    if (c->satisfied == RD_TRUE && !ctx->contact_reached)
        add(&d, RD_DEFECT_SATISFIED_WITHOUT_CONTACT, "satisfied");
    return d.n;
}

const char *rd_defect_name(rd_defect_code c)
{
    return (unsigned)c < RD_DEFECT_COUNT_ ? defect_names[c] : "unknown";
}

const char *rd_defect_message(rd_defect_code c)
{
    return (unsigned)c < RD_DEFECT_COUNT_ ? defect_messages[c] : "Unknown defect.";
}

/* The elements a defect can name, as the inspection above names them. */
static const char *const elements[] = {"cause",        "verification", "handling_opinion",
                                       "reply_method", "contact_time", "reply_to_citizen",
                                       "resolved",     "satisfied"};

int rd_defect_parse(const char *code, const char *field, rd_defect *ret)
{
    int c = -1;
    for (int i = 0; code && i < RD_DEFECT_COUNT_; i++)
        if (!strcmp(code, rd_defect_name((rd_defect_code)i)))
            c = i;
    for (size_t i = 0; c >= 0 && field && i < sizeof(elements) / sizeof(elements[0]); i++) {
        if (!strcmp(field, elements[i])) {
            *ret = (rd_defect){.code = (rd_defect_code)c, .field = elements[i]};
            return 0;
        }
    }
    return -EINVAL;
}
