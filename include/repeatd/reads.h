/* The read use cases of the CRM: one ticket with its lifecycle, the caller screen pop. */
#pragma once

#include "repeatd/refusal.h"
#include "repeatd/service.h"

#include "repeatd/caller_history.h"
#include "repeatd/ticket_view.h"

#include <jansson.h>

/* The ticket with its decision, state and events. 0 with *ret (rd_ticket_view_free it),
 * -ECANCELED with *ref (400 bad id, 404), or a store error. */
int rd_ticket_get(rd_service *svc, rd_db **db, const char *ticket_id, rd_ticket_view **ret,
                  rd_refusal *ref);

/* Open tickets and recent chains of the citizen calling from `phone` (any spelling), each
 * chain judged by core's green-channel rule. 0 with *ret (rd_caller_history_free it),
 * -ECANCELED with *ref (400 not a phone number), or a store error. */
int rd_caller_history_get(rd_service *svc, rd_db **db, const char *phone, rd_caller_history *ret,
                          rd_refusal *ref);
