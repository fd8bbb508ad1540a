/* Administration use cases: the category tree and the settings (with their audit trail). */
#pragma once

#include "repeatd/refusal.h"
#include "repeatd/service.h"
#include "repeatd/store.h"

#include <jansson.h>

#define RD_CATEGORIES_MAX 10000

/* PUT /v1/admin/categories: {"categories": [{code, name, parent?, policy?}, ...]}, upserted in
 * the order given (a parent sent earlier in the same body is known). Every entry is checked
 * before anything is written; a parent that is unknown or would make a cycle refuses the whole
 * body (422). 0 with the count upserted and the size of the tree after. */
int rd_categories_put(rd_service *svc, rd_db **db, json_t *body, size_t *ret_upserted,
                      size_t *ret_total, rd_refusal *ref);

/* The whole tree by code (*ret malloc'd: free it). */
int rd_categories_get(rd_service *svc, rd_db **db, rd_category **ret, size_t *ret_n);

/* The settings in force, with their definition version. */
int rd_settings_get(rd_service *svc, rd_db **db, rd_settings *ret);

/* PATCH /v1/admin/settings: change the named settings, audited under `who`. A change of a
 * setting that defines a repeat makes a new definition version. 0 with the settings after. */
int rd_settings_patch(rd_service *svc, rd_db **db, json_t *patch, const char *who,
                      rd_settings *ret_after, rd_refusal *ref);

/* The last `limit` changes, newest first (free with rd_settings_changes_free). */
int rd_settings_audit(rd_service *svc, rd_db **db, int limit, rd_settings_change **ret,
                      size_t *ret_n);
