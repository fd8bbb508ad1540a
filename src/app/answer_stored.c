/* A decision to its stored columns and back (see answer_stored.h). */
#include "repeatd/answer_stored.h"

#include "repeatd/codec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Append name to a comma-separated list; a list that would not fit stays as it was. */
static void list_add(char *list, size_t size, const char *name)
{
    size_t n = strlen(list);
    int w = snprintf(list + n, size - n, "%s%s", n ? "," : "", name);
    if (w < 0 || (size_t)w >= size - n)
        list[n] = '\0';
}

void rd_answer_store(store_answer *ret, const rd_ticket_in *t, const rd_decision *d,
                     size_t considered, const rd_settings *s, const char *specialist)
{
    store_answer a = {
        .received_offset = t->received_offset,
        .counts_as_repeat = d->counts_as_repeat,
        .creates_work_order = d->creates_work_order,
        .repeat_ordinal = d->repeat_ordinal,
        .definition_version = s->definition_version,
        .considered = (int)considered,
        .window_months = s->repeat_window_months,
        .in_window = d->in_window,
        .past_deadline = d->past_deadline,
        .claim_assumed = (d->assumptions & RD_ASSUMED_CLAIM_UNRESOLVED) != 0,
    };
    snprintf(a.ticket_id, sizeof(a.ticket_id), "%s", t->ticket_id);
    snprintf(a.decision, sizeof(a.decision), "%s", rd_decision_name(d->kind));
    snprintf(a.rule, sizeof(a.rule), "%s", rd_rule_name(d->rule));
    snprintf(a.chain_id, sizeof(a.chain_id), "%s", d->chain_id ? d->chain_id : "");
    for (int i = 0; i < RD_CAUSE_COUNT; i++)
        if (d->root_causes & (1u << i))
            list_add(a.root_causes, sizeof(a.root_causes),
                     rd_root_cause_name((rd_root_cause)(1u << i)));
    for (size_t i = 0; i < d->n_actions; i++) {
        list_add(a.actions, sizeof(a.actions), rd_action_name(d->actions[i].code));
        if (d->actions[i].code == RD_ACTION_DISPATCH_TO_ORIGINAL_HANDLER)
            a.dispatch_mandatory = d->actions[i].mandatory;
    }
    snprintf(a.specialist, sizeof(a.specialist), "%s", specialist ? specialist : "");
    if (d->related) {
        a.has_related = true;
        a.related = *d->related;
    }
    *ret = a;
}

/* The decision as rd_answer_json and rd_script_render read it; d->related points into a. */
static int decision_of(const store_answer *a, rd_decision *ret)
{
    rd_decision d = {
        .counts_as_repeat = a->counts_as_repeat,
        .creates_work_order = a->creates_work_order,
        .repeat_ordinal = a->repeat_ordinal,
        .chain_id = a->chain_id,
        .related = a->has_related ? &a->related : NULL,
        .assumptions = a->claim_assumed ? RD_ASSUMED_CLAIM_UNRESOLVED : 0,
        .in_window = a->in_window,
        .past_deadline = a->past_deadline,
    };
    if (rd_decision_parse(a->decision, &d.kind) < 0 || rd_rule_parse(a->rule, &d.rule) < 0)
        return -EIO;
    char list[sizeof(a->actions)];
    snprintf(list, sizeof(list), "%s", a->root_causes);
    for (char *save = NULL, *n = strtok_r(list, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
        rd_root_cause c;
        if (rd_root_cause_parse(n, &c) < 0)
            return -EIO;
        d.root_causes |= (unsigned)c;
    }
    snprintf(list, sizeof(list), "%s", a->actions);
    for (char *save = NULL, *n = strtok_r(list, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
        if (d.n_actions == RD_ACTIONS_MAX)
            return -EIO;
        rd_action *x = &d.actions[d.n_actions++];
        if (rd_action_parse(n, &x->code) < 0)
            return -EIO;
        x->mandatory = x->code == RD_ACTION_DISPATCH_TO_ORIGINAL_HANDLER && a->dispatch_mandatory;
    }
    *ret = d;
    return 0;
}

int rd_answer_render(const store_answer *a, json_t **ret_answer, char *zh, size_t zh_size, char *en,
                     size_t en_size)
{
    *ret_answer = NULL;
    rd_decision d;
    if (decision_of(a, &d) < 0)
        return -EIO;
    rd_ticket_in t = {.ticket_id = a->ticket_id, .received_offset = a->received_offset};
    rd_settings s = {.repeat_window_months = a->window_months};
    json_t *answer = rd_answer_json(&t, &d, a->definition_version, (size_t)a->considered, &s);
    if (!answer)
        return -ENOMEM;
    if (a->specialist[0] && rd_answer_set_specialist(answer, a->specialist) < 0) {
        json_decref(answer);
        return -ENOMEM;
    }
    rd_script_render(&d, RD_LANG_ZH, zh, zh_size);
    rd_script_render(&d, RD_LANG_EN, en, en_size);
    *ret_answer = answer;
    return 0;
}

int rd_ticket_view_load(rd_db *db, const char *ticket_id, int64_t received_at_us,
                        const char *time_zone, rd_ticket_view **ret)
{
    store_answer a;
    int r = store_ticket_view(db, ticket_id, received_at_us, time_zone, ret, &a);
    if (r < 0 || !*ret)
        return r;
    char zh[RD_SCRIPT_MAX], en[RD_SCRIPT_MAX]; /* the view shows the answer without scripts */
    return rd_answer_render(&a, &(*ret)->decision, zh, sizeof(zh), en, sizeof(en));
}
