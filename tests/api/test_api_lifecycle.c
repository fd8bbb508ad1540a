/* API: the ticket lifecycle. Every event type, close-out inspection (驳回 with defect codes),
 * workflow enforcement (固化流程), closed tickets, audits of false close-outs (虚假回单), root
 * causes read off the prior ticket (溯源), and the caller screen pop. */
#include "scenario.h"

#include <stdio.h>
#include <string.h>

#define JZ "HB.ZS.JZ" /* 建筑施工噪声 */
#define LD "CG.SZ.LD" /* 路灯故障 */
#define PS "CG.SZ.PS" /* 排水管道堵塞 */

#define NOISE  "小区附近建筑工地经常在夜间施工，噪音严重扰民，影响居民正常休息。"
#define LIGHTS "某条街道上的路灯在夜间经常闪烁且部分路灯不亮，影响居民出行安全。"

/* A valid close-out with some elements replaced (value NULL deletes the element). */
static json_t *closeout_with(const char *at_, const char *contact_time, const char *key,
                             json_t *value)
{
    json_t *o = ev_closeout(at_, contact_time, true, false);
    if (value)
        json_object_set_new(o, key, value);
    else
        json_object_del(o, key);
    return o;
}

static json_t *ticket_view(const char *id)
{
    long st;
    json_t *t = gc(get_ticket(id, &st));
    ck_assert_msg(st == 200, "GET /v1/tickets/%s: %ld", id, st);
    return t;
}

START_TEST(every_event_type_is_recorded)
{
    const char *id = "LC-EV-1";
    POST_TICKET(201, .id = id, .at = at(2, 3, 22, 0), .phone = phone(201), .category = JZ,
                .description = NOISE);
    json_t *v =
        EVENT(id, ev_dispatched(at(2, 4, 9, 0), "CGZF-01", "ZF-3", "H-Wang", at(2, 9, 18, 0)), 201);
    ck_assert_str_eq(jstr(v, "status"), "open");
    ck_assert_str_eq(jstr(v, "unit"), "CGZF-01");
    ck_assert_str_eq(jstr(v, "team"), "ZF-3");
    ck_assert_str_eq(jstr(v, "handler"), "H-Wang");
    ck_assert_ptr_nonnull(jstr(v, "deadline"));
    ck_assert_ptr_nonnull(jstr(v, "dispatched_at"));

    v = EVENT(id, ev_contact(at(2, 4, 10, 0), "no_answer"), 201);
    ck_assert_int_eq(jint(v, "state.contact_failures"), 1);
    ck_assert_int_eq(jbool(v, "state.contact_reached"), 0);
    ck_assert_int_eq(jbool(v, "state.first_contact_failed"), 1);
    v = EVENT(id, ev_contact(at(2, 4, 15, 0), "reached"), 201);
    ck_assert_int_eq(jbool(v, "state.contact_reached"), 1);

    v = EVENT(id, ev_closeout(at(2, 5, 9, 0), at(2, 4, 15, 0), true, true), 201);
    ck_assert_int_eq(jbool(v, "state.closeout_accepted"), 1);
    ck_assert_int_eq(jint(v, "state.closeout_rejections"), 0);

    v = EVENT(id, ev_followup(at(2, 6, 10, 0), true, true, true), 201);
    ck_assert_int_eq(jbool(v, "state.followup_recorded"), 1);
    ck_assert_int_eq(jbool(v, "state.followup_reached"), 1);

    v = EVENT(id, ev_closed(at(2, 6, 11, 0), "resolved"), 201);
    ck_assert_str_eq(jstr(v, "status"), "closed");
    ck_assert_str_eq(jstr(v, "outcome"), "resolved");
    ck_assert_ptr_nonnull(jstr(v, "closed_at"));

    v = EVENT(id, ev_audit(at(2, 20, 10, 0), false, "抽查回访，回单属实。"), 201);
    ck_assert_int_eq(jbool(v, "state.false_closeout"), 0);
    ck_assert_str_eq(jstr(v, "status"), "closed");

    v = EVENT(id, ev_reopened(at(2, 21, 10, 0)), 201);
    ck_assert_str_eq(jstr(v, "status"), "open");
    ck_assert(jisnull(v, "outcome"));

    /* Reopened, it is handled again: a new close-out and follow-up before it may close. */
    json_t *r = EVENT(id, ev_closed(at(2, 22, 10, 0), "resolved"), 409);
    CHECK(error_is(409, r, 409, "workflow_incomplete", NULL));
    CHECK(codes_are(jget(r, "missing"), "closeout,followup"));

    json_t *t = ticket_view(id);
    static const char *const types[] = {"dispatched", "contact_attempt", "contact_attempt",
                                        "closeout",   "followup",        "closed",
                                        "audit",      "reopened"};
    ck_assert_int_eq(json_array_size(jget(t, "events")), 8);
    for (size_t i = 0; i < 8; i++) {
        char path[32];
        snprintf(path, sizeof(path), "events[%zu].type", i);
        ck_assert_str_eq(jstr(t, path), types[i]);
        snprintf(path, sizeof(path), "events[%zu].accepted", i);
        ck_assert_int_eq(jbool(t, path), 1);
        /* The body as sent: its type and time come back from their columns. */
        snprintf(path, sizeof(path), "events[%zu].body.type", i);
        ck_assert_str_eq(jstr(t, path), types[i]);
        char at_path[32];
        snprintf(path, sizeof(path), "events[%zu].body.at", i);
        snprintf(at_path, sizeof(at_path), "events[%zu].at", i);
        ck_assert_str_eq(jstr(t, path), jstr(t, at_path));
    }
    ck_assert_str_eq(jstr(t, "events[6].body.note"), "抽查回访，回单属实。");
    ck_assert_str_eq(jstr(t, "status"), "open");
}
END_TEST

/* 工单回单要素巡检: a poor close-out is rejected at once with every defect, and recorded. */
/* A CRM that retries: the same event_id and body is answered again (200) and recorded once,
 * another body under it is 409, and a retried rejected close-out gets its defects again. */
START_TEST(event_ids_make_retries_harmless)
{
    const char *id = "LC-EID-1";
    POST_TICKET(201, .id = id, .at = at(2, 3, 9, 0), .phone = phone(290), .category = LD,
                .description = LIGHTS);
    json_t *d = ev_dispatched(at(2, 3, 10, 0), "SZ-LD", "LD-1", "H-Chen", NULL);
    json_object_set_new(d, "event_id", json_string("CRM-EV-1"));
    EVENT(id, json_deep_copy(d), 201);
    json_t *again = EVENT(id, json_deep_copy(d), 200);
    ck_assert_int_eq(json_array_size(jget(again, "events")), 1);
    json_object_set_new(d, "unit", json_string("SZ-OTHER"));
    json_t *r = EVENT(id, d, 409);
    CHECK(error_is(409, r, 409, "idempotency_conflict", "event_id"));

    json_t *bad = closeout_with(at(2, 4, 9, 0), at(2, 4, 8, 0), "cause", json_string("已维修"));
    json_object_set_new(bad, "event_id", json_string("CRM-EV-2"));
    r = EVENT(id, json_deep_copy(bad), 422);
    CHECK(defects_are(jget(r, "defects"), "boilerplate_only@cause"));
    r = EVENT(id, bad, 422);
    CHECK(defects_are(jget(r, "defects"), "boilerplate_only@cause"));
    json_t *t = ticket_view(id);
    ck_assert_int_eq(json_array_size(jget(t, "events")), 2);

    /* Ids are per ticket; a malformed one is a 400 naming the field. */
    json_t *c = ev_contact(at(2, 4, 9, 30), "reached");
    json_object_set_new(c, "event_id", json_string("bad id!"));
    r = EVENT(id, c, 400);
    CHECK(error_is(400, r, 400, "invalid_field", "event_id"));
}
END_TEST

/* Events in time: each dated before what it follows is refused with 422 event_out_of_order
 * naming the field, and records nothing. */
START_TEST(events_are_ordered_in_time)
{
    const char *id = "LC-ORD-1";
    POST_TICKET(201, .id = id, .at = at(2, 5, 9, 0), .phone = phone(291), .category = LD,
                .description = LIGHTS);
    json_t *r = EVENT(id, ev_dispatched(at(2, 5, 8, 0), "SZ-LD", "LD-1", "H-Chen", NULL), 422);
    CHECK(error_is(422, r, 422, "event_out_of_order", "at"));
    r = EVENT(id, ev_dispatched(at(2, 5, 10, 0), "SZ-LD", "LD-1", "H-Chen", at(2, 5, 10, 0)), 422);
    CHECK(error_is(422, r, 422, "event_out_of_order", "deadline"));
    EVENT(id, ev_dispatched(at(2, 5, 10, 0), "SZ-LD", "LD-1", "H-Chen", at(2, 8, 10, 0)), 201);
    EVENT(id, ev_contact(at(2, 5, 11, 0), "reached"), 201);
    r = EVENT(id, ev_closeout(at(2, 6, 9, 0), at(2, 6, 10, 0), true, true), 422);
    CHECK(error_is(422, r, 422, "event_out_of_order", "contact_time"));
    EVENT(id, ev_closeout(at(2, 6, 9, 0), at(2, 5, 11, 0), true, true), 201);
    r = EVENT(id, ev_followup(at(2, 6, 8, 0), true, true, true), 422);
    CHECK(error_is(422, r, 422, "event_out_of_order", "at"));
    EVENT(id, ev_followup(at(2, 7, 9, 0), true, true, true), 201);
    r = EVENT(id, ev_closed(at(2, 7, 8, 0), "resolved"), 422);
    CHECK(error_is(422, r, 422, "event_out_of_order", "at"));
    EVENT(id, ev_closed(at(2, 7, 10, 0), "resolved"), 201);
    r = EVENT(id, ev_reopened(at(2, 7, 9, 0)), 422);
    CHECK(error_is(422, r, 422, "event_out_of_order", "at"));
    json_t *t = ticket_view(id);
    ck_assert_int_eq(json_array_size(jget(t, "events")), 5); /* the refusals left no trace */
    ck_assert_str_eq(jstr(t, "status"), "closed");
}
END_TEST

START_TEST(closeout_inspection_rejects)
{
    const char *id = "LC-CO-1";
    POST_TICKET(201, .id = id, .at = at(2, 3, 9, 0), .phone = phone(202), .category = LD,
                .description = LIGHTS);
    EVENT(id, ev_dispatched(at(2, 3, 10, 0), "SZ-LD", "LD-1", "H-Chen", NULL), 201);
    json_t *bad =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "type", "closeout", "at",
                  at(2, 4, 9, 0), "cause", "已维修", "verification", "现场已查看", "reply_method",
                  "fax", "contact_time", at(2, 2, 9, 0), "reply_to_citizen",
                  "已电话告知市民处理结果和后续安排，市民无异议。", "satisfied", true);
    json_t *r = EVENT(id, bad, 422);
    CHECK(error_is(422, r, 422, "closeout_rejected", NULL));
    CHECK(defects_are(jget(r, "defects"),
                      "boilerplate_only@cause,too_short@verification,"
                      "missing_element@handling_opinion,reply_method_not_allowed@reply_method,"
                      "contact_time_before_received@contact_time,missing_element@resolved,"
                      "satisfied_without_contact@satisfied"));

    json_t *t = ticket_view(id);
    ck_assert_int_eq(json_array_size(jget(t, "events")), 2);
    ck_assert_str_eq(jstr(t, "events[1].type"), "closeout");
    ck_assert_int_eq(jbool(t, "events[1].accepted"), 0);
    CHECK(defects_are(jget(t, "events[1].defects"),
                      "boilerplate_only@cause,too_short@verification,"
                      "missing_element@handling_opinion,reply_method_not_allowed@reply_method,"
                      "contact_time_before_received@contact_time,missing_element@resolved,"
                      "satisfied_without_contact@satisfied"));
    ck_assert_int_eq(jint(t, "state.closeout_rejections"), 1);
    ck_assert_int_eq(jbool(t, "state.closeout_accepted"), 0);

    /* Every element missing. */
    r = EVENT(id, json_pack("{s:s, s:s}", "type", "closeout", "at", at(2, 4, 10, 0)), 422);
    CHECK(defects_are(jget(r, "defects"),
                      "missing_element@cause,missing_element@verification,"
                      "missing_element@handling_opinion,missing_element@reply_method,"
                      "missing_element@contact_time,missing_element@reply_to_citizen,"
                      "missing_element@resolved,missing_element@satisfied"));
    /* Empty and blank texts (ideographic spaces too) are missing elements. */
    json_t *blank = closeout_with(at(2, 4, 11, 0), at(2, 3, 11, 0), "cause", json_string(""));
    json_object_set_new(blank, "verification", json_string(" \u3000 "));
    r = EVENT(id, blank, 422);
    CHECK(defects_are(jget(r, "defects"), "missing_element@cause,missing_element@verification"));
    /* A contact time in the future. */
    r = EVENT(id, closeout_with(at(2, 4, 12, 0), at(-1, 1, 9, 0), "handler", NULL), 422);
    CHECK(defects_are(jget(r, "defects"), "contact_time_in_future@contact_time"));

    t = ticket_view(id);
    ck_assert_int_eq(jint(t, "state.closeout_rejections"), 4);
    /* Rejected close-outs do not count for closing. */
    r = EVENT(id, ev_closed(at(2, 5, 9, 0), "resolved"), 409);
    CHECK(codes_are(jget(r, "missing"), "contact,closeout,followup"));
}
END_TEST

/* The article's 路灯 record "已维修" and other stock phrases say nothing; lengths are counted
 * in characters, not bytes. */
START_TEST(boilerplate_and_character_counts)
{
    const char *id = "LC-BP-1";
    POST_TICKET(201, .id = id, .at = at(2, 3, 20, 0), .phone = phone(203), .category = LD,
                .description = LIGHTS);
    EVENT(id, ev_dispatched(at(2, 3, 21, 0), "SZ-LD", "LD-1", "H-Chen", NULL), 201);
    json_t *e = ev_closeout(at(2, 4, 9, 0), at(2, 3, 22, 0), true, false);
    json_object_set_new(e, "cause", json_string("已维修"));
    json_object_set_new(e, "verification", json_string("已维修。"));
    json_object_set_new(e, "handling_opinion", json_string(" 已处理 "));
    json_object_set_new(e, "reply_to_citizen", json_string("处理完毕！"));
    json_t *r = EVENT(id, e, 422);
    CHECK(defects_are(jget(r, "defects"),
                      "boilerplate_only@cause,boilerplate_only@verification,"
                      "boilerplate_only@handling_opinion,boilerplate_only@reply_to_citizen"));

    /* 9 characters (27 bytes) is short of closeout_min_chars = 10, and so are 9 ASCII
     * characters; 10 characters pass. */
    r = EVENT(
        id,
        closeout_with(at(2, 4, 10, 0), at(2, 3, 22, 0), "cause", json_string("灯泡老化线路接触不")),
        422);
    CHECK(defects_are(jget(r, "defects"), "too_short@cause"));
    r = EVENT(
        id,
        closeout_with(at(2, 4, 10, 0), at(2, 3, 22, 0), "verification", json_string("lamp fail")),
        422);
    CHECK(defects_are(jget(r, "defects"), "too_short@verification"));
    json_t *v = EVENT(id,
                      closeout_with(at(2, 4, 11, 0), at(2, 3, 22, 0), "cause",
                                    json_string("路灯灯泡老化线路接触")),
                      201);
    ck_assert_int_eq(jbool(v, "state.closeout_accepted"), 1);
    ck_assert_int_eq(jint(v, "state.closeout_rejections"), 3);
}
END_TEST

/* 固化流程: closing is refused, naming the missing steps, until each is on record; three
 * failed contact attempts stand in for reaching the citizen. */
START_TEST(workflow_requires_every_step)
{
    const char *id = "LC-WF-1";
    POST_TICKET(201, .id = id, .at = at(2, 3, 9, 0), .phone = phone(204), .category = PS,
                .description = "小区门口污水管道堵塞，污水外溢。");
    json_t *r = EVENT(id, ev_closed(at(2, 3, 10, 0), "resolved"), 409);
    CHECK(error_is(409, r, 409, "workflow_incomplete", NULL));
    CHECK(codes_are(jget(r, "missing"), "dispatched,contact,closeout,followup"));

    EVENT(id, ev_dispatched(at(2, 3, 11, 0), "SW-02", "T1", "H-Zhao", NULL), 201);
    r = EVENT(id, ev_closed(at(2, 3, 12, 0), "resolved"), 409);
    CHECK(codes_are(jget(r, "missing"), "contact,closeout,followup"));

    EVENT(id, ev_contact(at(2, 3, 13, 0), "no_answer"), 201);
    EVENT(id, ev_contact(at(2, 3, 14, 0), "powered_off"), 201);
    r = EVENT(id, ev_closed(at(2, 3, 15, 0), "resolved"), 409);
    CHECK(codes_are(jget(r, "missing"), "contact,closeout,followup"));
    EVENT(id, ev_contact(at(2, 3, 16, 0), "busy"), 201);
    r = EVENT(id, ev_closed(at(2, 3, 17, 0), "resolved"), 409);
    CHECK(codes_are(jget(r, "missing"), "closeout,followup"));

    EVENT(id, ev_closeout(at(2, 4, 9, 0), at(2, 3, 16, 0), true, false), 201);
    r = EVENT(id, ev_closed(at(2, 4, 10, 0), "resolved"), 409);
    CHECK(codes_are(jget(r, "missing"), "followup"));
    json_t *t = ticket_view(id);
    ck_assert_str_eq(jstr(t, "status"), "open");
    ck_assert_int_eq(json_array_size(jget(t, "events")), 5); /* refusals leave no trace */

    EVENT(id, ev_followup(at(2, 5, 9, 0), false, false, false), 201);
    json_t *v = EVENT(id, ev_closed(at(2, 5, 10, 0), "resolved"), 201);
    ck_assert_str_eq(jstr(v, "status"), "closed");
    ck_assert_int_eq(jint(v, "state.contact_failures"), 3);
}
END_TEST

/* A closed ticket takes only an audit or a reopening; excluded calls take no events. */
START_TEST(closed_ticket_refuses_events)
{
    const char *id = "LC-CL-1";
    POST_TICKET(201, .id = id, .at = at(2, 3, 9, 0), .phone = phone(205), .category = PS);
    HANDLE(id, .unit = "SW-02", .team = "T1", .handler = "H-Zhao", .months_ago = 2, .day = 4,
           .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    json_t *refused[] = {
        ev_dispatched(at(2, 10, 9, 0), "SW-03", NULL, NULL, NULL),
        ev_contact(at(2, 10, 9, 0), "reached"),
        ev_closeout(at(2, 10, 9, 0), at(2, 10, 8, 0), true, true),
        ev_followup(at(2, 10, 9, 0), true, true, true),
        ev_closed(at(2, 10, 9, 0), "withdrawn"),
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        json_t *r = EVENT(id, refused[i], 409);
        CHECK(error_is(409, r, 409, "ticket_closed", "type"));
    }
    json_t *t = ticket_view(id);
    ck_assert_int_eq(json_array_size(jget(t, "events")), 5);
    ck_assert_str_eq(jstr(t, "unit"), "SW-02");

    EVENT(id, ev_audit(at(2, 11, 9, 0), false, NULL), 201);
    json_t *v = EVENT(id, ev_reopened(at(2, 12, 9, 0)), 201);
    ck_assert_str_eq(jstr(v, "status"), "open");
    json_t *r = EVENT(id, ev_reopened(at(2, 12, 10, 0)), 409);
    CHECK(error_is(409, r, 409, "ticket_open", "type"));

    r = EVENT("LC-NO-SUCH", ev_contact(at(2, 10, 9, 0), "reached"), 404);
    CHECK(error_is(404, r, 404, "not_found", NULL));

    json_t *a = POST_TICKET(201, .id = "LC-CL-2", .at = at(2, 13, 9, 0), .phone = phone(205),
                            .category = PS);
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));
    r = EVENT("LC-CL-2", ev_dispatched(at(2, 13, 10, 0), "SW-02", NULL, NULL, NULL), 409);
    CHECK(error_is(409, r, 409, "no_work_order", NULL));
    /* The CRM can re-route the event: the answer names the ticket the call was about. */
    ck_assert_str_eq(jstr(r, "related_ticket"), jstr(a, "related_ticket.ticket_id"));
    ck_assert_ptr_nonnull(strstr(jstr(r, "message"), jstr(a, "related_ticket.ticket_id")));
}
END_TEST

/* 虚假回单 + 系铃解铃: an audit finds the close-out false; the next repeat must go back to the
 * original handler, escalated, and a dissatisfied call is no longer excluded (R5). */
START_TEST(audit_false_closeout)
{
    POST_TICKET(201, .id = "LC-AU-2", .at = at(2, 2, 9, 0), .phone = phone(207), .category = JZ,
                .description = NOISE);
    HANDLE("LC-AU-2", .unit = "CGZF-01", .team = "ZF-3", .handler = "H-Wang", .months_ago = 2,
           .day = 3, .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    json_t *v = EVENT(
        "LC-AU-2", ev_audit(at(2, 8, 9, 0), true, "回访核实工地仍在夜间施工，回单内容不实。"), 201);
    ck_assert_int_eq(jbool(v, "state.false_closeout"), 1);
    ck_assert_str_eq(jstr(v, "status"), "closed");

    json_t *a = POST_TICKET(201, .id = "LC-AU-3", .at = at(2, 12, 23, 0), .phone = phone(207),
                            .category = JZ, .claim = "dissatisfied");
    CHECK(decision_is(a, "repeat", "R6", 1));
    CHECK(codes_are(jget(a, "root_causes"), "prior_false_closeout"));
    CHECK(codes_are(jget(a, "actions"),
                    "dispatch_to_original_handler,expedite,escalate_to_supervisor"));
    json_t *orig = action_of(a, "dispatch_to_original_handler");
    ck_assert_int_eq(jbool(orig, "mandatory"), 1);
    ck_assert_str_eq(jstr(orig, "handler"), "H-Wang");
    ck_assert_str_eq(jstr(orig, "unit"), "CGZF-01");
}
END_TEST

/* 溯源: each root cause is read off P's own record, with the action it calls for. */
START_TEST(root_causes_read_off_prior)
{
    static const struct {
        const char *id;
        handling h;
        const char *causes, *actions;
    } rows[] = {
        {"LC-RC-1",
         {.failed_contacts = 3,
          .reached = false,
          .closeout_resolved = true,
          .followup_reached = true,
          .outcome = "resolved"},
         "prior_contact_failed",
         "dispatch_to_original_handler,expedite,confirm_contact_preferences"},
        {"LC-RC-2",
         {.reached = true,
          .closeout_resolved = true,
          .followup_reached = false,
          .outcome = "resolved"},
         "prior_no_followup",
         "dispatch_to_original_handler,expedite,require_followup"},
        {"LC-RC-3",
         {.reached = true,
          .closeout_resolved = false,
          .followup_reached = true,
          .outcome = "resolved"},
         "prior_unresolved",
         "dispatch_to_original_handler,expedite"},
        {"LC-RC-4",
         {.reached = true,
          .closeout_resolved = true,
          .followup_reached = true,
          .outcome = "unresolved"},
         "prior_unresolved",
         "dispatch_to_original_handler,expedite"},
        {"LC-RC-5",
         {.reached = true,
          .closeout_resolved = true,
          .followup_reached = true,
          .outcome = "resolved"},
         "",
         "dispatch_to_original_handler,expedite"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char again[32];
        handling h = rows[i].h;
        h.unit = "SZ-LD";
        h.team = "LD-2";
        h.handler = "H-Gao";
        h.months_ago = 2;
        h.day = 3;
        POST_TICKET(201, .id = rows[i].id, .at = at(2, 2, 20, 0), .phone = phone(210 + (int)i),
                    .category = LD, .description = LIGHTS);
        CHECK(handle_ticket(rows[i].id, &h));
        snprintf(again, sizeof(again), "%s-again", rows[i].id);
        json_t *a =
            POST_TICKET(201, .id = again, .at = at(2, 15, 20, 0), .phone = phone(210 + (int)i),
                        .category = LD, .claim = "unresolved");
        CHECK(decision_is(a, "repeat", "R6", 1));
        CHECK(codes_are(jget(a, "root_causes"), rows[i].causes));
        CHECK(codes_are(jget(a, "actions"), rows[i].actions));
    }
}
END_TEST

/* 无法追溯首次处理情况: a close-out that only says "已维修" is rejected, so the ticket cannot
 * be closed on it; the citizen's next call finds the problem still in progress. */
START_TEST(incomplete_record_is_traced)
{
    const char *id = "LC-IR-1";
    POST_TICKET(201, .id = id, .at = at(2, 2, 20, 0), .phone = phone(220), .category = LD,
                .description = LIGHTS);
    EVENT(id, ev_dispatched(at(2, 3, 9, 0), "SZ-LD", "LD-1", "H-Chen", NULL), 201);
    EVENT(id, ev_contact(at(2, 3, 10, 0), "reached"), 201);
    json_t *e = ev_closeout(at(2, 3, 16, 0), at(2, 3, 10, 0), true, true);
    json_object_set_new(e, "handling_opinion", json_string("已维修"));
    json_t *r = EVENT(id, e, 422);
    CHECK(defects_are(jget(r, "defects"), "boilerplate_only@handling_opinion"));
    EVENT(id, ev_followup(at(2, 4, 9, 0), true, true, true), 201);
    r = EVENT(id, ev_closed(at(2, 4, 10, 0), "resolved"), 409);
    CHECK(codes_are(jget(r, "missing"), "closeout"));
    json_t *a = POST_TICKET(201, .id = "LC-IR-2", .at = at(2, 20, 20, 0), .phone = phone(220),
                            .category = LD, .claim = "unresolved");
    CHECK(decision_is(a, "excluded_in_progress", "R2", 0));

    /* Rewritten with every element it closes; the rejection stays on record, and a repeat
     * traces the first handling (trace_prior_handling). */
    EVENT(id, ev_closeout(at(2, 21, 16, 0), at(2, 21, 10, 0), true, true), 201);
    EVENT(id, ev_followup(at(2, 22, 9, 0), true, true, true), 201);
    EVENT(id, ev_closed(at(2, 22, 10, 0), "resolved"), 201);
    a = POST_TICKET(201, .id = "LC-IR-3", .at = at(2, 25, 20, 0), .phone = phone(220),
                    .category = LD, .claim = "unresolved");
    CHECK(decision_is(a, "repeat", "R6", 1));
    CHECK(codes_are(jget(a, "root_causes"), "prior_incomplete_record"));
    CHECK(codes_are(jget(a, "actions"),
                    "dispatch_to_original_handler,expedite,trace_prior_handling"));
}
END_TEST

/* The screen pop: open tickets, chains with their repeat counts, the green channel. */
START_TEST(caller_history)
{
    const char *lights = "公园公共照明设施损坏，夜间出行不便。";
    POST_TICKET(201, .id = "LC-H-1", .at = at(2, 1, 20, 0), .phone = phone(230), .category = LD,
                .description = lights);
    HANDLE("LC-H-1", .unit = "YL-01", .team = "T2", .handler = "H-Liu", .months_ago = 2, .day = 2,
           .reached = true, .closeout_resolved = false, .followup_reached = true,
           .outcome = "unresolved");
    POST_TICKET(201, .id = "LC-H-2", .at = at(2, 8, 20, 0), .phone = phone(230), .category = LD,
                .claim = "unresolved");
    HANDLE("LC-H-2", .unit = "YL-01", .team = "T2", .handler = "H-Liu", .months_ago = 2, .day = 9,
           .reached = true, .closeout_resolved = false, .followup_reached = true,
           .outcome = "unresolved");
    json_t *a = POST_TICKET(201, .id = "LC-H-3", .at = at(2, 16, 20, 0), .phone = phone(230),
                            .category = LD, .claim = "unresolved");
    CHECK(decision_is(a, "repeat", "R6", 2));
    POST_TICKET(201, .id = "LC-H-4", .at = at(2, 17, 22, 0), .phone = phone(230), .category = JZ,
                .description = NOISE);
    POST_TICKET(201, .id = "LC-H-5", .at = at(2, 18, 22, 0), .phone = phone(230), .category = JZ);

    long st;
    json_t *h = gc(get_json("/v1/callers/13900000230/history", api.crm_key, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(h, "phone_masked"), "139****0230");
    ck_assert_int_eq(jbool(h, "green_channel"), 1);
    json_t *open = jget(h, "open_tickets");
    ck_assert_int_eq(json_array_size(open), 2);
    ck_assert_str_eq(jstr(open, "[0].ticket_id"), "LC-H-4"); /* newest first */
    ck_assert_str_eq(jstr(open, "[1].ticket_id"), "LC-H-3");
    ck_assert_int_eq(jint(open, "[1].repeat_ordinal"), 2);
    ck_assert_str_eq(jstr(open, "[1].chain_id"), "LC-H-1");

    json_t *chains = jget(h, "chains");
    ck_assert_int_eq(json_array_size(chains), 2);
    json_t *lamp = NULL, *noise = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(chains, i, c)
    {
        if (!strcmp(jstr(c, "chain_id"), "LC-H-1"))
            lamp = c;
        else if (!strcmp(jstr(c, "chain_id"), "LC-H-4"))
            noise = c;
    }
    ck_assert_ptr_nonnull(lamp);
    ck_assert_ptr_nonnull(noise);
    ck_assert_int_eq(jint(lamp, "repeats"), 2);
    ck_assert_int_eq(jbool(lamp, "open"), 1);
    ck_assert_int_eq(jbool(lamp, "green_channel"), 1);
    ck_assert_str_eq(jstr(lamp, "category"), LD);
    ck_assert_int_eq(jint(noise, "repeats"), 0);
    ck_assert_int_eq(jint(noise, "calls"), 2);
    ck_assert_int_eq(jbool(noise, "green_channel"), 0);

    /* The phone in any accepted format; the same citizen. */
    json_t *h2 = gc(get_json("/v1/callers/%2B86%20139-0000-0230/history", api.crm_key, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(json_array_size(jget(h2, "open_tickets")), 2);

    /* Nobody known: empty lists. */
    json_t *none = gc(get_json("/v1/callers/13900000239/history", api.crm_key, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(json_array_size(jget(none, "open_tickets")), 0);
    ck_assert_int_eq(json_array_size(jget(none, "chains")), 0);
    ck_assert_int_eq(jbool(none, "green_channel"), 0);

    /* Closing the green-channel chain's open repeat takes it out of the green channel. */
    HANDLE("LC-H-3", .unit = "YL-01", .team = "T2", .handler = "H-Liu", .months_ago = 2, .day = 17,
           .reached = true, .closeout_resolved = true, .followup_reached = true,
           .outcome = "resolved");
    h = gc(get_json("/v1/callers/13900000230/history", api.crm_key, &st));
    ck_assert_int_eq(jbool(h, "green_channel"), 0);
    ck_assert_int_eq(json_array_size(jget(h, "open_tickets")), 1);
}
END_TEST

int main(void)
{
    harness_start("lifecycle");
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_test(tc, every_event_type_is_recorded);
    tcase_add_test(tc, event_ids_make_retries_harmless);
    tcase_add_test(tc, events_are_ordered_in_time);
    tcase_add_test(tc, closeout_inspection_rejects);
    tcase_add_test(tc, boilerplate_and_character_counts);
    tcase_add_test(tc, workflow_requires_every_step);
    tcase_add_test(tc, closed_ticket_refuses_events);
    tcase_add_test(tc, audit_false_closeout);
    tcase_add_test(tc, root_causes_read_off_prior);
    tcase_add_test(tc, incomplete_record_is_traced);
    tcase_add_test(tc, caller_history);
    return harness_run(s, tc);
}
