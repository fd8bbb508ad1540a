/* The agent script (话术): a few sentences for the agent on the line, per decision. */
#include "repeatd/script.h"

#include <stdio.h>
#include <string.h>

/* Appends to a caller's buffer; once something does not fit, it is cut at a UTF-8 boundary
 * and everything after it is dropped, so the text never ends in half a character. */
typedef struct writer {
    char *buf;
    size_t size, len;
    bool full;
} writer;

static void put(writer *w, const char *s)
{
    if (w->full || !s)
        return;
    size_t avail = w->size - 1 - w->len, n = strlen(s);
    if (n > avail) {
        n = avail;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        w->full = true;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void put_int(writer *w, int v)
{
    char num[16];
    snprintf(num, sizeof(num), "%d", v);
    put(w, num);
}

#define N_KINDS (RD_DECISION_EXCLUDED_UNMEETABLE + 1)

/* The fragments of each language. A sentence about the related ticket P reads
 * pre[kind] + P's id + who(P) + post[kind]. */
typedef struct lang_text {
    const char *no_history; /* R1 */
    const char *pre[N_KINDS], *post[N_KINDS];
    const char *who_open, *who_unit, *who_sep, *who_handler, *who_close;
    const char *late, *called_again; /* why R2 expedites */
    const char *repeat_no, *repeat_no_end, *green, *repeat_end;
    const char *orig, *orig_no_unit, *orig_unit, *orig_handler, *orig_open, *orig_mandatory,
        *orig_end;
    const char *plain_dispatch;
    const char *ask_resolved; /* the claim was assumed */
} lang_text;

static const lang_text texts[] = {
    [RD_LANG_ZH] =
        {
            .no_history = "该市民此前没有同类工单，请按新问题受理并派单。",
            .pre =
                {
                    [RD_DECISION_NEW] = "市民曾有工单",
                    [RD_DECISION_SIMILAR_NEW] = "关联工单",
                    [RD_DECISION_EXCLUDED_IN_PROGRESS] = "该问题的工单",
                    [RD_DECISION_EXCLUDED_CLOSED] = "关联工单",
                    [RD_DECISION_EXCLUDED_UNMEETABLE] = "关联工单",
                },
            .post =
                {
                    [RD_DECISION_NEW] = "，已超出重复投诉时限，仅作历史参考，请按新问题派单。",
                    [RD_DECISION_SIMILAR_NEW] = "反映的问题此前已解决，现再次发生，请向市民说明此前"
                                                "已处理，并按新问题派单。",
                    [RD_DECISION_EXCLUDED_IN_PROGRESS] =
                        "仍在办理中，请向市民说明办理进度，本次不再派单。",
                    [RD_DECISION_EXCLUDED_CLOSED] =
                        "已办结并回复市民，请向市民解释办理结果，本次不派单。",
                    [RD_DECISION_EXCLUDED_UNMEETABLE] =
                        "：该诉求属于政策性问题，请向市民做好政策解释，本次不派单。",
                },
            .who_open = "（",
            .who_unit = "承办单位：",
            .who_sep = "，",
            .who_handler = "处理人员：",
            .who_close = "）",
            .late = "该工单已超过办理时限，已为市民催办。",
            .called_again = "市民已多次来电反映，已为市民催办。",
            .repeat_no = "本次为工单",
            .repeat_no_end = "次重复投诉，已加急催办",
            .green = "，并进入绿色通道由专人跟进",
            .repeat_end = "。",
            .orig = "请派回原承办单位",
            .orig_no_unit = "请派回原处理人员",
            .orig_unit = "",
            .orig_handler = "、原处理人员",
            .orig_open = "处理（系铃解铃",
            .orig_mandatory = "，原回单经核查不实，必须派回",
            .orig_end = "）。",
            .plain_dispatch = "原工单无处理人员记录，请派单处理。",
            .ask_resolved = "请向市民确认上次问题是否已解决。",
        },
    [RD_LANG_EN] =
        {
            .no_history = "The citizen has no earlier ticket on this problem: take it as a new "
                          "problem and dispatch it.",
            .pre =
                {
                    [RD_DECISION_NEW] = "The citizen has an earlier ticket ",
                    [RD_DECISION_SIMILAR_NEW] = "The problem of ticket ",
                    [RD_DECISION_EXCLUDED_IN_PROGRESS] = "Ticket ",
                    [RD_DECISION_EXCLUDED_CLOSED] = "Ticket ",
                    [RD_DECISION_EXCLUDED_UNMEETABLE] = "Related ticket ",
                },
            .post =
                {
                    [RD_DECISION_NEW] = ", outside the repeat window and shown as history only: "
                                        "dispatch this as a new problem.",
                    [RD_DECISION_SIMILAR_NEW] =
                        " was resolved and has recurred: tell the citizen it "
                        "was fixed before, and dispatch it as a new problem.",
                    [RD_DECISION_EXCLUDED_IN_PROGRESS] = " is still being handled: explain its "
                                                         "progress; no new work order is created.",
                    [RD_DECISION_EXCLUDED_CLOSED] =
                        " was closed with an accepted reply: explain the "
                        "result; no work order is created.",
                    [RD_DECISION_EXCLUDED_UNMEETABLE] =
                        ": the request concerns a matter of policy; "
                        "explain the policy, no work order is created.",
                },
            .who_open = " (",
            .who_unit = "unit ",
            .who_sep = ", ",
            .who_handler = "handler ",
            .who_close = ")",
            .late = " It is past its deadline and is being expedited.",
            .called_again = " The citizen has called about it again, so it is being expedited.",
            .repeat_no = "This call repeats ticket ",
            .repeat_no_end = "); it is being expedited",
            .green = " and enters the green channel",
            .repeat_end = ".",
            .orig = " Dispatch it back to the original unit",
            .orig_no_unit = " Dispatch it back to the original handler ",
            .orig_unit = " ",
            .orig_handler = ", handler ",
            .orig_open = "",
            .orig_mandatory = " (mandatory: the earlier close-out was found false)",
            .orig_end = ".",
            .plain_dispatch = " The earlier ticket has no known handler: dispatch it.",
            .ask_resolved = " Ask the citizen whether the earlier problem was resolved.",
        },
};

/* Unit and handler of P, where known. */
static void put_who(writer *w, const lang_text *L, const rd_prior *p)
{
    bool unit = p->unit[0] != '\0', handler = p->handler[0] != '\0';

    if (!unit && !handler)
        return;
    put(w, L->who_open);
    if (unit) {
        put(w, L->who_unit);
        put(w, p->unit);
    }
    if (unit && handler)
        put(w, L->who_sep);
    if (handler) {
        put(w, L->who_handler);
        put(w, p->handler);
    }
    put(w, L->who_close);
}

static const rd_action *find_action(const rd_decision *d, rd_action_code code)
{
    for (size_t i = 0; i < d->n_actions && i < RD_ACTIONS_MAX; i++)
        if (d->actions[i].code == code)
            return &d->actions[i];
    return NULL;
}

static void put_expedite_reason(writer *w, const lang_text *L, const rd_decision *d)
{
    if (!find_action(d, RD_ACTION_EXPEDITE))
        return;
    put(w, d->past_deadline ? L->late : L->called_again);
}

static void put_repeat(writer *w, const lang_text *L, const rd_decision *d, bool en)
{
    const rd_prior *p = d->related;
    const rd_action *orig = find_action(d, RD_ACTION_DISPATCH_TO_ORIGINAL_HANDLER);

    put(w, L->repeat_no);
    put(w, p->ticket_id);
    put(w, en ? " (repeat no. " : "的第");
    put_int(w, d->repeat_ordinal);
    put(w, L->repeat_no_end);
    if (find_action(d, RD_ACTION_GREEN_CHANNEL))
        put(w, L->green);
    put(w, L->repeat_end);
    if (!orig) {
        put(w, L->plain_dispatch);
        return;
    }
    if (p->unit[0] != '\0') {
        put(w, L->orig);
        put(w, L->orig_unit);
        put(w, p->unit);
        put(w, L->orig_handler);
    } else {
        put(w, L->orig_no_unit);
    }
    put(w, p->handler);
    put(w, L->orig_open);
    if (orig->mandatory)
        put(w, L->orig_mandatory);
    put(w, L->orig_end);
}

static void render(writer *w, const rd_decision *d, rd_lang lang)
{
    bool en = lang == RD_LANG_EN;
    const lang_text *L = &texts[en ? RD_LANG_EN : RD_LANG_ZH];
    const rd_prior *p = d->related;

    if (!p || (unsigned)d->kind >= N_KINDS) {
        put(w, L->no_history);
        return;
    }
    if (d->kind == RD_DECISION_REPEAT) {
        put_repeat(w, L, d, en);
    } else {
        put(w, L->pre[d->kind]);
        put(w, p->ticket_id);
        put_who(w, L, p);
        put(w, L->post[d->kind]);
        if (d->kind == RD_DECISION_EXCLUDED_IN_PROGRESS)
            put_expedite_reason(w, L, d);
    }
    if (d->assumptions & RD_ASSUMED_CLAIM_UNRESOLVED)
        put(w, L->ask_resolved);
}

size_t rd_script_render(const rd_decision *d, rd_lang lang, char *buf, size_t size)
{
    if (!buf || size == 0)
        return 0;
    writer w = {.buf = buf, .size = size, .len = 0, .full = false};
    buf[0] = '\0';
    if (d)
        render(&w, d, lang);
    return w.len;
}
