/* The improvement loop's use cases (app/programmes.c, app/green_worklist.c): improvement
 * programmes for the units at the bottom of the ranking (末位改善专项) and the green-channel
 * worklist (专人维护核查). Writes validate before their transaction, are audited under `who`
 * (the key's name) and answer what they wrote; refusals come back as -ECANCELED with *ref. */
#pragma once

#include "repeatd/json_spec.h"
#include "repeatd/kpi_answer.h"
#include "repeatd/loop_store.h"
#include "repeatd/loop_types.h"
#include "repeatd/refusal.h"
#include "repeatd/service.h"

#include <jansson.h>

#define RD_PROGRAMME_BEFORE_MAX 24    /* months before the opening shown */
#define RD_GREEN_WORKLIST_MAX   10000 /* chains one worklist answer lists */

void rd_programme_view_clear(rd_programme_view *v);
void rd_programme_detail_clear(rd_programme_detail *d);
void rd_programme_list_clear(rd_programme_list *l);

/* A manager records what has happened: `t` (when set) not in the future beyond a few minutes of
 * clock skew, and when max_months_back > 0 not more than that many months back. 0, or
 * -ECANCELED with a 400 invalid_field naming `field` in *ref. */
int rd_loop_check_dated(const rd_time *t, const char *field, int max_months_back, rd_refusal *ref);

/* How far back a programme may be opened: its view reads the ranking of every month since. */
#define RD_PROGRAMME_MAX_MONTHS_BACK 36

/* POST /v1/programmes: {scope, code, responsible, measures, checkin_interval_days,
 * opened_at?}. 422 unknown_unit, 409 conflict when the unit already has an open programme. */
int rd_programme_create(rd_service *svc, rd_db **db, json_t *body, const char *who,
                        rd_programme_detail *ret, rd_refusal *ref);

/* POST /v1/programmes/{id}/checkins: {at, status, notes}. 404, 409 invalid_transition on a
 * closed programme, 422 event_out_of_order for a check-in dated before the opening. */
int rd_programme_checkin(rd_service *svc, rd_db **db, const char *id, json_t *body, const char *who,
                         rd_programme_detail *ret, rd_refusal *ref);

/* POST /v1/programmes/{id}/status: {status: "closed", at, note}: a manager's act, recorded
 * with whether the exit criterion was met then. 409 invalid_transition with the allowed ones. */
int rd_programme_set_status(rd_service *svc, rd_db **db, const char *id, json_t *body,
                            const char *who, rd_programme_detail *ret, rd_refusal *ref);

/* GET /v1/programmes/{id}?before=N: the programme, its months from N before the opening to
 * now (or its closing), its check-ins and its audit trail. */
int rd_programme_get(rd_service *svc, rd_db **db, const char *id, int before_months,
                     rd_programme_detail *ret, rd_refusal *ref);

/* GET /v1/programmes?status=&overdue=: newest first, each with its exit state and check-in
 * state. status NULL for all; overdue -1 any, 0 not overdue, 1 overdue. */
int rd_programmes_list(rd_service *svc, rd_db **db, const char *status, int overdue,
                       rd_programme_list *ret, rd_refusal *ref);

/* The programmes that were open at some time in months [from, to] (the report's), with
 * their state now; read on the replica when one keeps up, as the report's every section. */
int rd_programmes_in_period(rd_service *svc, rd_db **db, int from, int to, rd_programme_list *ret,
                            rd_refusal *ref);

/* ---- the green-channel worklist (app/green_worklist.c) ---- */

/* GET /v1/green-channel?limit=: the chains of GET /v1/kpi/green-channel with their
 * specialists; unassigned first, then overdue verifications, then the rest, each oldest first.
 * The chains are a KPI read (a replica's when one keeps up); the specialists are read there
 * too when on_replica (the report), else on the primary, where the worklist's own page sees
 * an assignment the moment it is made. */
int rd_green_worklist_get(rd_service *svc, rd_db **db, long limit, bool on_replica,
                          rd_green_worklist *ret, rd_refusal *ref);
void rd_green_worklist_clear(rd_green_worklist *w);

void rd_green_chain_detail_clear(rd_green_chain_detail *d);

/* GET /v1/green-channel/{chain_id}: 404 for a chain no ticket starts. */
int rd_green_chain_get(rd_service *svc, rd_db **db, const char *chain_id,
                       rd_green_chain_detail *ret, rd_refusal *ref);

/* PUT /v1/green-channel/{chain_id}/specialist: {specialist, assigned_at?} (default now). 404;
 * 409 not_in_green_channel. */
int rd_green_assign(rd_service *svc, rd_db **db, const char *chain_id, json_t *body,
                    const char *who, rd_green_chain_detail *ret, rd_refusal *ref);

/* POST /v1/green-channel/{chain_id}/verifications: {at, found, solved}. 404; 409 conflict when
 * the chain has no specialist; 422 event_out_of_order before the assignment. */
int rd_green_verify(rd_service *svc, rd_db **db, const char *chain_id, json_t *body,
                    const char *who, rd_green_chain_detail *ret, rd_refusal *ref);

/* Verifications recorded with `at` in months [from, to] and how many found the problem solved
 * (the report's: on the replica when one keeps up). */
int rd_green_verification_counts(rd_service *svc, rd_db **db, int from, int to, long *ret_n,
                                 long *ret_solved);
