/* What KPIs are judged by (app/org.c): the names of units, teams and handlers, and the target
 * repeat rates of units and teams (考核指标). */
#pragma once

#include "repeatd/kpi_store.h"
#include "repeatd/refusal.h"
#include "repeatd/service.h"

#include <jansson.h>

#define RD_ORG_MAX 20000 /* entries of one PUT */

/* PUT /v1/admin/units: {"units": [{code, name}], "teams": [{code, name, unit?}], "handlers":
 * [{code, name, team?}]}, any of the three. Every entry is checked before anything is written:
 * a bad entry changes nothing (400 naming it). 0 with the count upserted. */
int rd_org_put(rd_service *svc, rd_db **db, json_t *body, size_t *ret_upserted, rd_refusal *ref);

/* All names, in the order of the admin answer; *ret is malloc'd (free it). */
int rd_org_names_get(rd_service *svc, rd_db **db, rd_kpi_name **ret, size_t *ret_n);

/* PUT /v1/admin/targets: {"targets": [{scope, code, period?, target_rate}]}, written under
 * `who`. Checked before anything is written. 0 with the count upserted. */
int rd_targets_put(rd_service *svc, rd_db **db, json_t *body, const char *who, size_t *ret_upserted,
                   rd_refusal *ref);

/* All targets, in the order of the admin answer; *ret is malloc'd (free it). */
int rd_targets_get(rd_service *svc, rd_db **db, rd_kpi_target **ret, size_t *ret_n);
