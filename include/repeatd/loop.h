/* The improvement loop's arithmetic (core/loop.c): when a programme meets its exit criterion,
 * when a check-in or a green-channel verification is overdue, which status changes a
 * programme allows. Pure: times are unix seconds, months are rd_month_index values. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One judged month of a programme's unit or team, as the month's ranking saw it. */
typedef struct rd_loop_month {
    int month;
    bool ranked; /* enough complaints to be ranked */
    bool watch;  /* among the bottom ranking_bottom_n (末位) */
} rd_loop_month;

typedef struct rd_exit_state {
    int months_out;    /* consecutive months out of the bottom N, ending with the last judged one */
    int months_judged; /* complete months since the opening month */
    bool met;          /* months_out >= exit_months */
} rd_exit_state;

/* The exit criterion of a programme opened in month `opened_month`, judged on the complete
 * months after it, up to and including `last_complete_month` (the month before now, or the
 * closing month's predecessor): out of the bottom N for `exit_months` consecutive months, the
 * run ending with the latest judged month (a relapse starts the count again). A month that is
 * not flagged watch is out of the bottom, ranked or not. `months` holds the unit's months in
 * any order; a judged month missing from it had no complaints and is out of the bottom. */
rd_exit_state rd_programme_exit(const rd_loop_month *months, size_t n, int opened_month,
                                int last_complete_month, int exit_months);

/* When something due every `interval_days` days since `last` (unix seconds) is overdue at
 * `now`: more than interval_days * 86400 seconds have passed. *ret_days_overdue is the whole
 * days past the due time (0 when not overdue); ret_due the due time. */
bool rd_loop_overdue(int64_t last, int interval_days, int64_t now, int64_t *ret_due,
                     int *ret_days_overdue);

/* Whole days from `since` to `now` (0 when now is not later). */
int rd_loop_days_between(int64_t since, int64_t now);

/* When a manager's record may be dated: not in the future (beyond a few minutes of clock skew
 * between the manager's machine and this one), and, when max_months_back > 0, not more than
 * that many months (of 31 days) back. 0 when `at` is fine, 1 when it is in the future, -1 when
 * it is too old. */
#define RD_LOOP_CLOCK_SKEW_S 300
int rd_loop_when(int64_t at, int64_t now, int max_months_back);

/* A programme's statuses and the changes between them. */
typedef enum rd_programme_status {
    RD_PROGRAMME_OPEN,
    RD_PROGRAMME_CLOSED,
    RD_PROGRAMME_STATUS_COUNT_
} rd_programme_status;

const char *rd_programme_status_name(rd_programme_status s);
int rd_programme_status_parse(const char *s, rd_programme_status *ret);

/* Whether `from` may change to `to`; the statuses reachable from `from` into ret_allowed
 * (names, at most RD_PROGRAMME_STATUS_COUNT_), their count into *ret_n. */
bool rd_programme_transition(rd_programme_status from, rd_programme_status to,
                             const char *ret_allowed[], size_t *ret_n);

/* A check-in's assessment of the unit's rectification. */
extern const char *const rd_checkin_statuses[]; /* NULL-terminated: on_track, at_risk, off_track */

/* The id in a path of the improvement loop's resources (a problem, a programme): a positive
 * integer of at most 18 digits, written with digits alone (no sign, space or leading zero).
 * 0 and the id into *ret, or -EINVAL (s NULL, empty or anything else). */
int rd_loop_id_parse(const char *s, int64_t *ret);

/* Whether a text is empty or only spaces, tabs and line breaks (false for NULL: absent is not
 * blank). */
bool rd_loop_blank(const char *s);
