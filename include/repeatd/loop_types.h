/* The improvement loop's records as the store reads them and the service layer answers them:
 * programmes with their check-ins and months, the green-channel worklist, the audit trail.
 * Plain data, no I/O (codec/loop_json.c writes them). */
#pragma once

#include "repeatd/domain.h"
#include "repeatd/kpi_types.h"
#include "repeatd/loop.h"
#include "repeatd/problems.h"

#include <stdbool.h>
#include <stdint.h>

#define RD_WHO_MAX 65 /* a key's name */

typedef struct rd_programme {
    int64_t id;
    char scope[8]; /* unit, team */
    char code[RD_ID_MAX];
    char *responsible, *measures; /* malloc'd */
    int checkin_days;
    rd_instant opened_at;
    int opened_month; /* rd_month_index of opened_at in time_zone */
    char opened_by[RD_WHO_MAX];
    char status[8]; /* open, closed */
    bool closed;
    rd_instant closed_at;
    int closed_month;
    char closed_by[RD_WHO_MAX];
    char *close_note; /* malloc'd, NULL while open */
    bool exit_met_at_close;
    int n_checkins;
    bool has_last_checkin;
    rd_instant last_checkin_at;
    char last_checkin_status[16];
} rd_programme;

typedef struct rd_checkin {
    int64_t id;
    rd_instant at;
    char status[16];
    char *notes; /* malloc'd */
    char recorded_by[RD_WHO_MAX];
} rd_checkin;

/* A programme's unit or team in one month, read through the month's ranking. */
typedef struct rd_programme_month {
    int month;
    bool has_row; /* the group had complaints or repeats that month */
    long complaints, repeats;
    rd_rank_row rank;
    bool since; /* after the opening month (judged) or the opening month itself */
} rd_programme_month;

/* A programme with what is worked out of it at `now`. */
typedef struct rd_programme_view {
    rd_programme p;
    bool checkin_overdue;
    int64_t checkin_due; /* unix seconds */
    int32_t checkin_due_offset;
    int checkin_days_overdue;
    rd_exit_state exit;
    int exit_months;            /* the setting it was judged by */
    rd_programme_month *months; /* when asked for; malloc'd */
    size_t n_months;
    rd_checkin *checkins; /* when asked for; malloc'd */
    size_t n_checkins;
} rd_programme_view;

typedef struct rd_audit_entry {
    int64_t id;
    char entity[16], entity_id[RD_ID_MAX], action[32];
    char *detail; /* JSON text of what was written, malloc'd */
    char changed_by[RD_WHO_MAX];
    rd_instant changed_at;
} rd_audit_entry;

/* A chain's specialist and latest verification (store). */
typedef struct rd_green_assignment {
    char chain_id[RD_ID_MAX];
    char specialist[RD_NAME_MAX];
    rd_instant assigned_at;
    char assigned_by[RD_WHO_MAX];
    int n_verifications;
    bool has_last_verification;
    rd_instant last_verified_at;
    bool last_solved;
} rd_green_assignment;

typedef struct rd_green_verification {
    int64_t id;
    char specialist[RD_NAME_MAX];
    rd_instant at;
    char *found; /* malloc'd */
    bool solved;
    char recorded_by[RD_WHO_MAX];
} rd_green_verification;

/* A row of the worklist: the chain as the green-channel KPI lists it, and its assignment. */
typedef struct rd_green_work {
    const rd_green_chain *chain; /* into rd_green_worklist.chains */
    bool assigned;
    rd_green_assignment a;
    int days_waiting;     /* whole days since the chain's newest repeat came in */
    bool verify_overdue;  /* assigned, last verification (or assignment) older than verify_days */
    int days_since_check; /* whole days since the last verification, or the assignment */
} rd_green_work;

typedef struct rd_green_worklist {
    int min_repeats, verify_days, definition_version;
    rd_green_work *rows;
    size_t n_rows;
    size_t unassigned, overdue;
    rd_green_chain *chains; /* what rows point into */
    size_t n_chains;
    rd_green_assignment *assignments;
    size_t n_assignments;
} rd_green_worklist;

/* A programme with its check-ins, months and audit trail (GET /v1/programmes/{id}). */
typedef struct rd_programme_detail {
    rd_programme_view v;
    rd_audit_entry *audit;
    size_t n_audit;
    int before_months;
} rd_programme_detail;

typedef struct rd_programme_list {
    rd_programme_view *items;
    size_t n;
} rd_programme_list;

typedef struct rd_green_chain_detail {
    char chain_id[RD_ID_MAX];
    bool in_channel;
    int repeats;
    bool assigned;
    rd_green_assignment a;
    bool verify_overdue;
    int verify_days;
    rd_green_verification *verifications;
    size_t n_verifications;
    rd_audit_entry *audit;
    size_t n_audit;
} rd_green_chain_detail;

/* The periodic report (通报) of one month, quarter or year: each part is the answer of the KPI
 * use case that a dashboard would call for the same period, so every number is that
 * endpoint's (app/report.c fills it, codec/loop_json.c writes it). */
typedef struct rd_report {
    rd_period_kind kind;
    int month;                  /* first month of the period */
    int previous, year_ago;     /* first months of the previous period and a year earlier */
    rd_kpi_answer headline;     /* /v1/kpi/repeats, whole line, from year_ago to month */
    rd_kpi_answer ranking;      /* /v1/kpi/ranking by unit */
    rd_kpi_answer top_problems; /* /v1/kpi/top-problems */
    rd_kpi_answer anomalies_category, anomalies_unit; /* /v1/kpi/anomalies by each */
    rd_kpi_answer contact_failures;                   /* /v1/kpi/contact-failures */
    rd_kpi_answer closeout_quality;                   /* /v1/kpi/closeout-quality */
    rd_programme_list programmes; /* open at some time in the period, with their state now */
    rd_green_worklist green;      /* the worklist now */
    long verifications, verifications_solved; /* green-channel verifications in the period */
    rd_problem_movement *problems;            /* the problem list's movements in the period */
    size_t n_problems;
} rd_report;
