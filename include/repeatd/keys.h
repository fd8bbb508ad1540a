/* API keys: who is calling. A key is known by its SHA-256 only; valid keys are cached for a
 * minute in the service (rd_service.keys), so that a request seldom spends a round trip on it. */
#pragma once

#include "repeatd/refusal.h"
#include "repeatd/service.h"

/* The role and name of `key`. 0; -ECANCELED with *ref (RD_ERR_UNAUTHORIZED) for a key that is
 * not valid; or a store error. ret_name holds RD_KEY_NAME_MAX bytes. */
int rd_key_authenticate(rd_service *svc, rd_db **db, const char *key, rd_role *ret_role,
                        char *ret_name, rd_refusal *ref);

/* Whether the database answers now (the readiness probe). */
int rd_service_ping(rd_service *svc, rd_db **db);
