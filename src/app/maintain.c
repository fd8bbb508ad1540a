/* Storage maintenance: partitions ahead, then retention (migrations/0012's rd_drop_months). */
#include "repeatd/maintain.h"

#include <errno.h>
#include <stdbool.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct retention_in {
    rd_service *svc;
    const char *after; /* YYYY-MM of the last month looked at, NULL at first */
} retention_in;

typedef struct retention_out {
    int retain_months, keep_months;
    store_month_drop *months;
    size_t n_months;
} retention_out;

static void retention_clear(void *p)
{
    retention_out *o = p;
    free(o->months);
    memset(o, 0, sizeof(*o));
}

/* The settings and one month's drop in one transaction: a change of retain_months committed
 * meanwhile is either wholly seen or not at all. */
static int retention_body(rd_db *db, const void *in, void *out)
{
    const retention_in *x = in;
    retention_out *o = out;
    rd_settings s;
    int r = rd_service_settings(x->svc, db, &s);
    if (r < 0)
        return r;
    o->retain_months = s.retain_months;
    o->keep_months = rd_settings_retention_months(&s);
    if (o->keep_months == 0)
        return 0; /* keep everything */
    return store_drop_months(db, o->keep_months, x->after, 1, &o->months, &o->n_months);
}

static int append_months(rd_maintain_summary *sum, const retention_out *o)
{
    if (o->n_months == 0)
        return 0;
    store_month_drop *grown =
        realloc(sum->months, (sum->n_months + o->n_months) * sizeof(*sum->months));
    if (!grown)
        return -ENOMEM;
    memcpy(grown + sum->n_months, o->months, o->n_months * sizeof(*o->months));
    sum->months = grown;
    sum->n_months += o->n_months;
    for (size_t i = 0; i < o->n_months; i++) {
        if (o->months[i].dropped) {
            sum->months_dropped++;
            sum->tickets_removed += o->months[i].tickets;
        } else {
            sum->months_kept_open++;
        }
    }
    return 0;
}

/* A month a transaction: a long backlog (the first run after retain_months is set) makes
 * progress that is kept, each transaction's locks and WAL stay a month's, and the parents'
 * exclusive lock is held for one detach at a time. */
int rd_maintain(rd_service *svc, rd_db *db, rd_maintain_summary *ret)
{
    int made = store_partitions_ahead(db, RD_MAINTAIN_AHEAD_MONTHS);
    if (made < 0)
        return made;
    rd_maintain_summary sum = {.partitions_made = made};
    char after[sizeof(sum.months[0].month)] = "";
    int r;
    for (;;) {
        retention_in in = {.svc = svc, .after = after[0] ? after : NULL};
        retention_out o = {0};
        rd_tx tx = {.body = retention_body, .in = &in, .out = &o, .clear = retention_clear};
        r = rd_tx_run(NULL, &db, &tx);
        if (r >= 0) {
            sum.retain_months = o.retain_months;
            sum.keep_months = o.keep_months;
            r = append_months(&sum, &o);
        }
        bool more = r >= 0 && o.n_months > 0 && o.months[o.n_months - 1].dropped;
        if (more)
            memcpy(after, o.months[o.n_months - 1].month, sizeof(after));
        retention_clear(&o);
        if (!more)
            break;
    }
    if (r < 0) {
        rd_maintain_summary_free(&sum);
        return r;
    }
    *ret = sum;
    return 0;
}

void rd_maintain_summary_free(rd_maintain_summary *s)
{
    if (!s)
        return;
    free(s->months);
    s->months = NULL;
    s->n_months = 0;
}

char *rd_maintain_summary_json(const rd_maintain_summary *s)
{
    json_t *dropped = json_array(), *kept = json_array();
    for (size_t i = 0; dropped && kept && i < s->n_months; i++) {
        const store_month_drop *m = &s->months[i];
        if (m->dropped)
            json_array_append_new(dropped, json_string(m->month));
        else
            json_array_append_new(kept, json_pack("{s:s, s:I, s:I}", "month", m->month, "tickets",
                                                  (json_int_t)m->tickets, "open_tickets",
                                                  (json_int_t)m->open_tickets));
    }
    json_t *o = json_pack("{s:i, s:i, s:i, s:i, s:i, s:I, s:o, s:o}", "partitions_made",
                          s->partitions_made, "retain_months", s->retain_months, "keep_months",
                          s->keep_months, "months_dropped", s->months_dropped, "months_kept_open",
                          s->months_kept_open, "tickets_removed", (json_int_t)s->tickets_removed,
                          "dropped", dropped, "kept_open", kept);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return text;
}
