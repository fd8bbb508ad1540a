/* The improvement loop's answers as JSON (codec/loop_json.c): programmes, the green-channel
 * worklist and a chain's record, the periodic report. Each returns a new value (NULL when out
 * of memory). */
#pragma once

#include "repeatd/kpi_csv.h"
#include "repeatd/loop_types.h"

#include <jansson.h>

json_t *rd_programme_detail_json(const rd_programme_detail *d);
json_t *rd_programme_list_json(const rd_programme_list *l);
json_t *rd_green_worklist_json(const rd_green_worklist *w);
json_t *rd_green_chain_detail_json(const rd_green_chain_detail *d);
json_t *rd_report_json(const rd_report *r);

/* ---- codec/report_csv.c: the report's tables as CSV ---- */

/* The tables of the report a CSV can be asked for (?table=), as a message lists them. */
#define RD_REPORT_TABLES                                                                           \
    "headline, ranking, programmes, top_problems, anomalies, contact_failures, "                   \
    "closeout_quality, green_channel, problems"

bool rd_report_table_known(const char *name);

/* Write the table `table` of the report into c (header, then the section's rows as the JSON
 * document has them) and its file name ("repeatd-report-2026-10-ranking.csv"). 0, -EINVAL for
 * a table not in RD_REPORT_TABLES, or -ENOMEM. */
int rd_report_csv(const rd_report *r, const char *table, rd_csv *c,
                  char filename[RD_CSV_FILENAME_MAX]);
