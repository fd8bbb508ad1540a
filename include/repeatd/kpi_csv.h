/* The KPI answers as CSV (codec/kpi_csv.c), from the same answer structs as kpi_json.h, with
 * the same numbers: a header of stable column names (the JSON's field names), then one line
 * per row of the JSON answer, in the same order. */
#pragma once

#include "repeatd/csv.h"
#include "repeatd/kpi_types.h"

#define RD_CSV_FILENAME_MAX 160

/* Write the answer into c and a file name for it ("repeatd-repeats-unit-2026-01_2026-10.csv":
 * ASCII letters, digits, '.', '_' and '-' only) into filename. */
typedef void rd_kpi_csv_fn(const rd_kpi_answer *a, rd_csv *c, char filename[RD_CSV_FILENAME_MAX]);

rd_kpi_csv_fn rd_kpi_repeats_csv, rd_kpi_contact_failures_csv, rd_kpi_closeout_quality_csv,
    rd_kpi_ranking_csv, rd_kpi_top_problems_csv, rd_kpi_anomalies_csv, rd_kpi_trend_csv,
    rd_kpi_green_channel_csv, rd_kpi_decisions_csv;
