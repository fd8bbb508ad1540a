/* The decision stored compactly (ticket_facts' columns) and rendered back into the answer and
 * its scripts. Intake renders its first answer from the stored form too, so a replay, the
 * ticket view and the first answer are the same bytes by construction. */
#pragma once

#include "repeatd/decide.h"
#include "repeatd/script.h"
#include "repeatd/settings.h"
#include "repeatd/store.h"

#include <jansson.h>

#define RD_SCRIPT_MAX 1024 /* a rendered script, NUL included */

/* What to store of a decision: t, d (and d->related), the candidates considered, the settings
 * it was made under and the green channel's specialist ("" or NULL for none). */
void rd_answer_store(store_answer *ret, const rd_ticket_in *t, const rd_decision *d,
                     size_t considered, const rd_settings *s, const char *specialist);

/* The answer of API.md without its script, and the scripts in both languages. 0, or -EIO when
 * the stored form names something unknown (a column edited by hand), -ENOMEM. */
int rd_answer_render(const store_answer *a, json_t **ret_answer, char *zh, size_t zh_size, char *en,
                     size_t en_size);

/* The ticket view (store_ticket_view) with its decision rendered from what was stored: 0 and
 * *ret (NULL when there is no such ticket), or a store error. received_at_us as there. */
int rd_ticket_view_load(rd_db *db, const char *ticket_id, int64_t received_at_us,
                        const char *time_zone, rd_ticket_view **ret);
