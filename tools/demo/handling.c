/* What happens to a demo work order after intake: its lifecycle planned by the habits of the
 * unit that handles it, and each event sent through the live lifecycle code as the hotline
 * system would send it (JSON parsed by the same codec, applied in its own transaction). */
#include "simulate.h"

#include "repeatd/codec.h"
#include "repeatd/lifecycle.h"
#include "repeatd/months.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR 3600
#define DAY  86400

/* ---- the queue ---- */

static bool before(const sim_pending *a, int64_t at, int seq)
{
    return a->at < at || (a->at == at && a->seq < seq);
}

static int push(sim_queue *q, sim_pending e)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 256;
        sim_pending *ev = realloc(q->ev, cap * sizeof(*ev));
        if (!ev)
            return -ENOMEM;
        q->ev = ev;
        q->cap = cap;
    }
    e.seq = q->seq++;
    size_t lo = q->head, hi = q->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (before(&q->ev[mid], e.at, e.seq))
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(&q->ev[lo + 1], &q->ev[lo], (q->n - lo) * sizeof(*q->ev));
    q->ev[lo] = e;
    q->n++;
    return 0;
}

/* ---- planning ---- */

static int64_t span(demo_rng *r, double lo_s, double hi_s)
{
    return (int64_t)demo_between(r, lo_s, hi_s);
}

static rd_contact_outcome failed_contact(demo_rng *r)
{
    double x = demo_uniform(r);
    if (x < 0.45)
        return RD_CONTACT_NO_ANSWER;
    if (x < 0.65)
        return RD_CONTACT_BUSY;
    if (x < 0.80)
        return RD_CONTACT_POWERED_OFF;
    if (x < 0.92)
        return RD_CONTACT_REJECTED;
    return RD_CONTACT_WRONG_NUMBER;
}

/* The botched element of a close-out that the inspection rejects. */
enum {
    DEFECT_NONE = 0,
    DEFECT_BOILERPLATE_OPINION, /* handling_opinion "已维修" */
    DEFECT_NO_VERIFICATION,
    DEFECT_SHORT_REPLY,         /* reply_to_citizen "已电话告知" */
    DEFECT_BOILERPLATE_CAUSE,   /* cause "已处理。" */
    DEFECT_SATISFIED_UNREACHED, /* satisfied, yet nobody reached the citizen */
    DEFECT_BAD_METHOD,          /* reply_method "wechat" */
    DEFECT_NO_CONTACT_TIME,
};

static int pick_defect(demo_rng *r, bool reached)
{
    double x = demo_uniform(r);
    if (x < 0.30)
        return DEFECT_BOILERPLATE_OPINION;
    if (x < 0.45)
        return DEFECT_NO_VERIFICATION;
    if (x < 0.65)
        return DEFECT_SHORT_REPLY;
    if (x < 0.75)
        return DEFECT_BOILERPLATE_CAUSE;
    if (x < 0.85)
        return reached ? DEFECT_BOILERPLATE_OPINION : DEFECT_SATISFIED_UNREACHED;
    if (x < 0.90)
        return DEFECT_BAD_METHOD;
    return DEFECT_NO_CONTACT_TIME;
}

static rd_outcome pick_outcome(demo_rng *r, const demo_unit *u, bool policy)
{
    if (policy)
        return demo_chance(r, 0.85)  ? RD_OUTCOME_POLICY_EXPLAINED
               : demo_chance(r, 0.6) ? RD_OUTCOME_RESOLVED
                                     : RD_OUTCOME_UNRESOLVED;
    double x = demo_uniform(r);
    if (x < 0.02)
        return RD_OUTCOME_WITHDRAWN;
    return x < 0.02 + u->unresolved ? RD_OUTCOME_UNRESOLVED : RD_OUTCOME_RESOLVED;
}

/* Close-out (rejected ones first), follow-up and closing from `at` on; returns the closing
 * time. */
static int plan_closing(sim_queue *q, demo_rng *r, const demo_unit *u, int ti, int64_t at,
                        int64_t contact_time, bool reached, rd_outcome out, bool burst,
                        bool audit_false, int64_t *ret_closed)
{
    int rejections = !burst && demo_chance(r, u->reject) ? (demo_chance(r, 0.15) ? 2 : 1) : 0;
    bool resolved = out == RD_OUTCOME_RESOLVED;
    int rc = 0;
    for (int i = 0; rc == 0 && i < rejections; i++) {
        rc = push(q, (sim_pending){.at = at,
                                   .ticket = ti,
                                   .type = RD_EVENT_CLOSEOUT,
                                   .when = contact_time,
                                   .defect = pick_defect(r, reached),
                                   .reached = reached,
                                   .resolved = resolved,
                                   .satisfied = reached && resolved,
                                   .outcome = out});
        at += span(r, 3 * HOUR, 2 * DAY);
    }
    if (rc == 0)
        rc = push(q, (sim_pending){.at = at,
                                   .ticket = ti,
                                   .type = RD_EVENT_CLOSEOUT,
                                   .when = contact_time,
                                   .reached = reached,
                                   .resolved = resolved,
                                   .satisfied = reached && resolved && demo_chance(r, 0.9),
                                   .outcome = out});
    /* 回访: a false close-out shows when the citizen says nothing was done. */
    at += burst ? span(r, 8 * HOUR, 20 * HOUR) : span(r, 12 * HOUR, 3 * DAY);
    bool fu_reached = burst || demo_chance(r, u->followup_reach);
    bool fu_resolved = fu_reached && resolved && !audit_false && demo_chance(r, 0.93);
    if (rc == 0)
        rc = push(q, (sim_pending){.at = at,
                                   .ticket = ti,
                                   .type = RD_EVENT_FOLLOWUP,
                                   .reached = fu_reached,
                                   .resolved = fu_resolved,
                                   .satisfied = fu_resolved && demo_chance(r, 0.88)});
    at += burst ? span(r, HOUR, 3 * HOUR) : span(r, HOUR, 20 * HOUR);
    if (rc == 0)
        rc =
            push(q, (sim_pending){.at = at, .ticket = ti, .type = RD_EVENT_CLOSED, .outcome = out});
    *ret_closed = at;
    return rc;
}

int sim_plan_ticket(sim_queue *q, demo_rng *r, const demo_city *city, const sim_ticket *t, int ti,
                    int leaf, bool burst)
{
    const demo_unit *u = &city->units[t->unit];
    const demo_category *cat = demo_leaf(city, leaf);
    int64_t at = t->received + (burst ? span(r, HOUR / 2, 3 * HOUR) : span(r, 900, 8 * HOUR));
    int64_t deadline = at + cat->deadline_days * (int64_t)DAY;
    int rc = push(q, (sim_pending){.at = at,
                                   .ticket = ti,
                                   .type = RD_EVENT_DISPATCHED,
                                   .when = deadline,
                                   .unit = t->unit,
                                   .team = t->team,
                                   .handler = t->handler});

    /* Up to three attempts; the third failure lets the ticket close all the same. */
    bool reached = false;
    int64_t contact_time = at;
    at += burst ? span(r, 20 * HOUR, 30 * HOUR) : span(r, HOUR, 26 * HOUR);
    for (int k = 0; rc == 0 && k < 3 && !reached; k++) {
        reached = burst || !demo_chance(r, k == 0 ? u->contact_fail : 0.45);
        rc = push(q, (sim_pending){.at = at,
                                   .ticket = ti,
                                   .type = RD_EVENT_CONTACT_ATTEMPT,
                                   .contact = reached ? RD_CONTACT_REACHED : failed_contact(r)});
        contact_time = at;
        if (!reached)
            at += span(r, 3 * HOUR, 26 * HOUR);
    }

    rd_outcome out = burst ? RD_OUTCOME_UNRESOLVED : pick_outcome(r, u, cat->policy);
    if (burst)
        at += span(r, 12 * HOUR, 36 * HOUR);
    else if (demo_chance(r, u->late)) /* drags on past the deadline, now and then for months */
        at = deadline +
             (demo_chance(r, 0.2) ? span(r, 30 * DAY, 150 * DAY) : span(r, DAY, 30 * DAY));
    else
        at += span(r, 6 * HOUR, (cat->deadline_days < 8 ? cat->deadline_days : 8) * DAY);
    bool audited = !burst && demo_chance(r, u->audit);
    bool audit_false = audited && demo_chance(r, u->audit_false);
    int64_t closed = at;
    if (rc == 0)
        rc = plan_closing(q, r, u, ti, at, contact_time, reached, out, burst, audit_false, &closed);
    if (rc == 0 && audited)
        rc = push(q, (sim_pending){.at = closed + span(r, 3 * DAY, 40 * DAY),
                                   .ticket = ti,
                                   .type = RD_EVENT_AUDIT,
                                   .false_closeout = audit_false});
    /* Now and then an unresolved ticket is reopened and handled again, this time to the end. */
    if (rc == 0 && !burst && out == RD_OUTCOME_UNRESOLVED && demo_chance(r, 0.04)) {
        at = closed + span(r, DAY, 4 * DAY);
        rc = push(q, (sim_pending){.at = at, .ticket = ti, .type = RD_EVENT_REOPENED});
        at += span(r, 2 * DAY, 6 * DAY);
        if (rc == 0)
            rc = plan_closing(q, r, u, ti, at, contact_time, reached, RD_OUTCOME_RESOLVED, false,
                              false, &closed);
    }
    return rc;
}

/* ---- the events as the hotline system sends them ---- */

static void set_time(json_t *o, const char *key, int64_t t)
{
    char buf[RD_TIME_TEXT_MAX];
    rd_time_format(t, SIM_TZ_OFFSET, buf);
    json_object_set_new(o, key, json_string(buf));
}

static void set_text(json_t *o, const char *key, const char *s)
{
    json_object_set_new(o, key, json_string(s));
}

static const char *const causes[] = {
    "相关经营单位日常管理不到位", "设施老化且长期缺乏维护",     "施工单位未按规定时段作业",
    "责任主体整改落实不及时",     "多部门职责交叉导致衔接不畅", "巡查发现不及时、处置滞后",
};

static void closeout_texts(json_t *o, demo_rng *r, const sim_ticket *t, const sim_pending *e)
{
    char buf[256];
    int64_t local = t->received + SIM_TZ_OFFSET;
    int64_t y;
    int m, d;
    rd_civil_from_days(local / DAY, &y, &m, &d);

    if (e->outcome == RD_OUTCOME_POLICY_EXPLAINED)
        snprintf(buf, sizeof(buf), "市民诉求涉及现行政策规定，对相关标准存在不同理解");
    else
        snprintf(buf, sizeof(buf), "经核查，该问题系%s所致",
                 causes[demo_below(r, (int)(sizeof(causes) / sizeof(causes[0])))]);
    set_text(o, "cause", e->defect == DEFECT_BOILERPLATE_CAUSE ? "已处理。" : buf);

    if (e->defect != DEFECT_NO_VERIFICATION) {
        static const char *const found[] = {"属实", "基本属实", "部分属实"};
        snprintf(buf, sizeof(buf), "工作人员于%d月%d日起进行核查，市民反映情况%s", m, d,
                 found[demo_below(r, 3)]);
        set_text(o, "verification", buf);
    }

    const char *opinion;
    switch (e->outcome) {
    case RD_OUTCOME_RESOLVED:
        opinion = "已责令责任单位立即整改，整改完成后安排专人复查，确认问题已解决";
        break;
    case RD_OUTCOME_POLICY_EXPLAINED:
        opinion = "已向市民详细解释现行政策规定及其依据，相关标准按国家和省市文件执行";
        break;
    case RD_OUTCOME_WITHDRAWN:
        opinion = "市民表示问题已与对方自行协商解决，申请撤回诉求";
        break;
    default:
        opinion = "已督促责任单位制定整改计划，因涉及多部门协调，需较长时间处理";
        break;
    }
    set_text(o, "handling_opinion", e->defect == DEFECT_BOILERPLATE_OPINION ? "已维修" : opinion);

    const char *method = "sms";
    if (e->reached) {
        double x = demo_uniform(r);
        method = x < 0.7 ? "phone" : x < 0.9 ? "visit" : "app";
    }
    set_text(o, "reply_method", e->defect == DEFECT_BAD_METHOD ? "wechat" : method);
    if (e->defect != DEFECT_NO_CONTACT_TIME)
        set_time(o, "contact_time", e->when);

    const char *reply = !e->reached ? "多次联系市民未果，已通过短信告知处理结果及咨询电话"
                        : e->satisfied ? "已电话向市民反馈处理结果，市民表示满意"
                                       : "已向市民反馈处理情况及后续安排，市民表示知悉";
    set_text(o, "reply_to_citizen", e->defect == DEFECT_SHORT_REPLY ? "已电话告知" : reply);
    json_object_set_new(o, "resolved", json_boolean(e->resolved));
    json_object_set_new(o, "satisfied",
                        json_boolean(e->satisfied || e->defect == DEFECT_SATISFIED_UNREACHED));
}

static json_t *event_body(demo_rng *r, const sim_worker *w, const sim_ticket *t,
                          const sim_pending *e)
{
    const demo_city *c = w->city;
    json_t *o = json_object();
    if (!o)
        return NULL;
    set_text(o, "type", rd_event_type_name(e->type));
    set_time(o, "at", e->at);
    switch (e->type) {
    case RD_EVENT_DISPATCHED:
        set_text(o, "unit", c->units[e->unit].code);
        set_text(o, "team", c->teams[e->team].code);
        set_text(o, "handler", c->handlers[e->handler].code);
        set_time(o, "deadline", e->when);
        break;
    case RD_EVENT_CONTACT_ATTEMPT:
        set_text(o, "channel", "phone");
        set_text(o, "outcome", rd_contact_outcome_name(e->contact));
        break;
    case RD_EVENT_CLOSEOUT:
        set_text(o, "handler", c->handlers[t->handler].code);
        closeout_texts(o, r, t, e);
        break;
    case RD_EVENT_FOLLOWUP:
        json_object_set_new(o, "reached", json_boolean(e->reached));
        if (e->reached) {
            json_object_set_new(o, "resolved", json_boolean(e->resolved));
            json_object_set_new(o, "satisfied", json_boolean(e->satisfied));
        }
        break;
    case RD_EVENT_CLOSED:
        set_text(o, "outcome", rd_outcome_name(e->outcome));
        break;
    case RD_EVENT_AUDIT:
        json_object_set_new(o, "false_closeout", json_boolean(e->false_closeout));
        set_text(o, "note",
                 e->false_closeout ? "抽查回访发现回单所述整改措施并未落实"
                                   : "抽查核实回单内容与现场情况一致");
        break;
    case RD_EVENT_REOPENED:
        break;
    }
    return o;
}

int sim_event_apply(sim_worker *w, sim_ticket *t, const sim_pending *e, sim_stats *st)
{
    /* Texts vary by a stream of their own, so that wording never shifts a decision. */
    demo_rng r = demo_rng_make(w->seed ^ (uint64_t)t->received, (uint64_t)e->seq);
    json_t *body = event_body(&r, w, t, e);
    if (!body)
        return -ENOMEM;
    if (w->jsonl) { /* the dump's event names its ticket */
        json_t *dumped = json_deep_copy(body);
        int d = dumped && json_object_set_new(dumped, "ticket_id", json_string(t->id)) == 0
                    ? sim_dump(w, "event", dumped)
                    : -ENOMEM;
        json_decref(dumped);
        if (d < 0) {
            json_decref(body);
            return d;
        }
    }
    rd_event_in in;
    rd_event_out out = {0};
    int rc = rd_event_prepare(w->service, t->id, body, false, &in, &out.refusal);
    if (rc < 0)
        fprintf(stderr, "repeatd-demo: event %s of %s: %s\n", rd_event_type_name(e->type), t->id,
                rc == -ECANCELED ? out.refusal.message : strerror(-rc));
    else
        rc = rd_event_tx(w->db, &in, &out);
    if (rc == -ECANCELED) {
        /* The simulation plans only what the workflow allows: a refusal is its bug. */
        if (st->events_refused++ < 5)
            fprintf(stderr, "repeatd-demo: event %s of %s refused: %s (missing %#x)\n",
                    rd_event_type_name(e->type), t->id, rd_err_code(out.refusal.code),
                    out.refusal.missing);
        rc = 0;
    } else if (rc == 0) {
        st->events++;
        if (out.refusal.n_defects)
            st->closeouts_rejected++;
        else if (e->type == RD_EVENT_CLOSED) {
            t->open = false;
            t->outcome = e->outcome;
        } else if (e->type == RD_EVENT_REOPENED) {
            t->open = true;
            t->outcome = RD_OUTCOME_NONE;
        }
    }
    rd_event_out_clear(&out);
    rd_event_in_clear(&in);
    json_decref(body);
    return rc;
}
