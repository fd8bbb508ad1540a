/* Natural-month and calendar-period arithmetic (自然月) over unix time and a UTC offset. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Months since year 0 (year * 12 + month - 1) of the local date of `t` at UTC offset
 * `offset_s` (seconds east of UTC). */
int rd_month_index(int64_t t, int32_t offset_s);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian; month 1..12). */
int64_t rd_days_from_civil(int64_t year, int month, int day);

/* Year, month (1..12) and day (1..31) of a count of days since 1970-01-01. */
void rd_civil_from_days(int64_t days, int64_t *ret_year, int *ret_month, int *ret_day);

/* Whether an earlier ticket of month `earlier` is within `window` natural months of one of
 * month `later`: window 1 = same calendar month, 2 = same or previous, ... */
bool rd_within_natural_months(int earlier, int later, int window);
