/* The store of the improvement loop (store/loop_store.c): programmes, check-ins, green-channel
 * assignments and verifications, the audit trail. Times are read as instants at the offset of
 * time_zone `tz`; arrays returned in *ret are malloc'd (free with the matching _free). */
#pragma once

#include "repeatd/loop_types.h"
#include "repeatd/pool.h"

/* The database's now, as an instant and as a month of time_zone. */
int store_loop_now(rd_db *db, const char *tz, rd_instant *ret, int *ret_month);

/* 1 when a unit or team of this code is named (org_names) or has KPI numbers, else 0. */
int store_group_known(rd_db *db, const char *scope, const char *code);

/* The month of an RFC 3339 time in time_zone. */
int store_month_of(rd_db *db, const char *at, const char *tz, int *ret);

/* ---- programmes ---- */

/* The id of the open programme of (scope, code): 1 with *ret_id, 0 when there is none. */
int store_programme_open_of(rd_db *db, const char *scope, const char *code, int64_t *ret_id);

int store_programme_insert(rd_db *db, const char *scope, const char *code, const char *responsible,
                           const char *measures, int checkin_days, const char *opened_at,
                           const char *who, int64_t *ret_id);

/* One programme: 1 with *ret (free with rd_programme_clear), 0 when there is none. With
 * for_update the row is locked to the end of the transaction. */
int store_programme_get(rd_db *db, int64_t id, const char *tz, bool for_update, rd_programme *ret);

/* Programmes by status ("open", "closed", or NULL for all), newest first. */
int store_programmes_list(rd_db *db, const char *status, const char *tz, rd_programme **ret,
                          size_t *ret_n);
void rd_programmes_free(rd_programme *p, size_t n);
void rd_programme_clear(rd_programme *p);

int store_checkin_insert(rd_db *db, int64_t programme, const char *at, const char *status,
                         const char *notes, const char *who, int64_t *ret_id);
/* Check-ins of a programme, oldest first. */
int store_checkins(rd_db *db, int64_t programme, const char *tz, rd_checkin **ret, size_t *ret_n);
void rd_checkins_free(rd_checkin *c, size_t n);

int store_programme_close(rd_db *db, int64_t id, const char *at, const char *who, const char *note,
                          bool exit_met);

/* ---- the audit trail ---- */

/* Record a change: `detail` is a JSON text of what was written. */
int store_audit_insert(rd_db *db, const char *entity, const char *entity_id, const char *action,
                       const char *detail, const char *who);
/* The changes of one entity, oldest first. */
int store_audit_list(rd_db *db, const char *entity, const char *entity_id, const char *tz,
                     rd_audit_entry **ret, size_t *ret_n);
void rd_audit_free(rd_audit_entry *a, size_t n);

/* ---- the green channel ---- */

/* The newest repeat of a chain: 1 with its ordinal and whether it is open, 0 when the chain
 * has no repeat; *ret_exists says whether a ticket of that id exists at all. */
int store_chain_newest_repeat(rd_db *db, const char *chain_id, bool *ret_exists, int *ret_ordinal,
                              bool *ret_open);

/* The assignments of the given chains (all when n is 0 and ids NULL), with their latest
 * verification. */
int store_green_assignments(rd_db *db, const char *const *ids, size_t n, const char *tz,
                            rd_green_assignment **ret, size_t *ret_n);
/* One chain's: 1 with *ret, 0 when unassigned. */
int store_green_assignment_get(rd_db *db, const char *chain_id, const char *tz,
                               rd_green_assignment *ret);
/* Assign (or reassign) a chain's specialist as of `at` (NULL: now). */
int store_green_assign(rd_db *db, const char *chain_id, const char *specialist, const char *at,
                       const char *who);
int store_green_verification_insert(rd_db *db, const char *chain_id, const char *specialist,
                                    const char *at, const char *found, bool solved, const char *who,
                                    int64_t *ret_id);
int store_green_verifications(rd_db *db, const char *chain_id, const char *tz,
                              rd_green_verification **ret, size_t *ret_n);
void rd_green_verifications_free(rd_green_verification *v, size_t n);

/* The specialist of a chain, for intake (one primary-key probe): 1 with the name, 0 when none. */
int store_green_specialist(rd_db *db, const char *chain_id, char ret[RD_NAME_MAX]);

/* Verifications dated in months [from, to] of time_zone: how many, how many found it solved. */
int store_green_verification_counts(rd_db *db, int from, int to, const char *tz, long *ret_n,
                                    long *ret_solved);
