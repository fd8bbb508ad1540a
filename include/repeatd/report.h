/* The periodic report (通报), GET /v1/reports/{period} (app/report.c): one document per month,
 * quarter or year, built by calling the KPI use cases and the improvement loop's reads. */
#pragma once

#include "repeatd/loop_types.h"
#include "repeatd/refusal.h"
#include "repeatd/service.h"

/* The period label: 2026-10, 2026-Q3 or 2026. 0 with its kind and first month, or -ECANCELED
 * with *ref (400 naming `period`). */
int rd_report_period_parse(const char *label, rd_period_kind *ret_kind, int *ret_month,
                           rd_refusal *ref);

/* The report of the period starting at `month`. 0 with *ret (free with rd_report_clear), a
 * refusal or a store error. */
int rd_report_get(rd_service *svc, rd_db **db, rd_period_kind kind, int month, rd_report *ret,
                  rd_refusal *ref);

void rd_report_clear(rd_report *r);
