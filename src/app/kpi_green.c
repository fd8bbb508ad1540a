/* GET /v1/kpi/green-channel (绿色通道): the chains in the green channel now, oldest first. */
#include "repeatd/kpi_answer.h"

#include "repeatd/decide.h"

#include <limits.h>
#include <stdlib.h>

static int green_body(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a)
{
    size_t limit = (size_t)c->q->limit;
    a->green_min_repeats = c->s.green_channel_min_repeats;
    a->definition_version = c->s.definition_version;
    /* The store prefilters by the index (open newest repeats at or above the threshold); the
     * rule is core's, rd_chain_in_green_channel, applied here. Should it ever refuse a
     * candidate, more are fetched so that the limit still counts chains in the channel. */
    for (int fetch = (int)limit;; fetch = fetch > INT_MAX / 4 ? INT_MAX : fetch * 4) {
        free(a->chains);
        a->chains = NULL;
        a->n_chains = 0;
        rd_green_chain *cand;
        size_t n;
        int r = store_green_candidates(db, c->s.green_channel_min_repeats, fetch, c->s.time_zone,
                                       &cand, &n);
        if (r < 0)
            return r;
        for (size_t i = 0; i < n && a->n_chains < limit; i++)
            if (rd_chain_in_green_channel(cand[i].repeats, cand[i].open, &c->s))
                cand[a->n_chains++] = cand[i];
        a->chains = cand;
        if (a->n_chains == limit || n < (size_t)fetch || fetch == INT_MAX)
            return 0;
    }
}

int rd_kpi_green_channel(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                         rd_refusal *ref)
{
    return rd_kpi_run(svc, db, q, green_body, ret, ref);
}
