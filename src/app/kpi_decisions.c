/* GET /v1/kpi/decisions: how many tickets of each decision were received in each period, every
 * ticket counted (excluded calls too: they are no complaints, so kpi_counts has none of them). */
#include "repeatd/kpi_answer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Add v to the mix's ascending versions (the first 64 kept, like rd_kpi_row's). */
static void mix_version(rd_kpi_decision_mix *m, int v)
{
    int i = 0;
    while (i < m->n_versions && m->versions[i] < v)
        i++;
    if ((i < m->n_versions && m->versions[i] == v) ||
        m->n_versions == (int)(sizeof(m->versions) / sizeof(m->versions[0])))
        return;
    memmove(&m->versions[i + 1], &m->versions[i], (size_t)(m->n_versions - i) * sizeof(int));
    m->versions[i] = v;
    m->n_versions++;
}

static int decisions_body(rd_db *db, const rd_kpi_ctx *c, rd_kpi_answer *a)
{
    (void)c;
    int pm = rd_period_months(a->period);
    size_t periods = (size_t)(a->to - a->from) / (size_t)pm + 1;
    a->mixes = calloc(periods, sizeof(*a->mixes));
    if (!a->mixes)
        return -ENOMEM;
    a->n_mixes = periods;
    for (size_t i = 0; i < periods; i++)
        a->mixes[i].period_start = a->from + (int)i * pm;
    rd_kpi_decision_count *counts;
    size_t n;
    int r = store_kpi_decisions(db, pm, a->from, a->to + pm - 1, &counts, &n);
    if (r < 0)
        return r;
    for (size_t i = 0; r == 0 && i < n; i++) {
        const rd_kpi_decision_count *k = &counts[i];
        int p = (k->period_start - a->from) / pm;
        if (p < 0 || (size_t)p >= periods || (int)k->decision < 0 ||
            (int)k->decision >= RD_DECISION_KIND_COUNT) {
            r = -EIO;
            break;
        }
        rd_kpi_decision_mix *m = &a->mixes[p];
        m->n[k->decision] += k->n;
        m->total += k->n;
        mix_version(m, k->version);
        r = rd_kpi_note_version(a, k->version);
    }
    free(counts);
    return r;
}

int rd_kpi_decisions(rd_service *svc, rd_db **db, const rd_kpi_query *q, rd_kpi_answer *ret,
                     rd_refusal *ref)
{
    return rd_kpi_run(svc, db, q, decisions_body, ret, ref);
}
