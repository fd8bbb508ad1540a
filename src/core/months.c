/* Natural-month arithmetic: the local calendar month of a unix time at a UTC offset. */
#include "repeatd/months.h"

#include <limits.h>

/* Floor division: C's '/' truncates towards zero, which would put 1969-12-31T23:59:59Z on
 * day 0 instead of day -1. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Year, month (1..12) and day of a day count since 1970-01-01, proleptic Gregorian
 * (H. Hinnant's civil_from_days). */
void rd_civil_from_days(int64_t z, int64_t *ret_year, int *ret_month, int *ret_day)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11], from March */
    int month = (int)(mp < 10 ? mp + 3 : mp - 9);

    *ret_year = yoe + era * 400 + (month <= 2);
    *ret_month = month;
    *ret_day = (int)(doy - (153 * mp + 2) / 5 + 1);
}

int64_t rd_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int rd_month_index(int64_t t, int32_t offset_s)
{
    /* Saturate rather than overflow for absurd inputs; real times are far from the edges. */
    int64_t local;
    if (offset_s > 0 && t > INT64_MAX - offset_s)
        local = INT64_MAX;
    else if (offset_s < 0 && t < INT64_MIN - offset_s)
        local = INT64_MIN;
    else
        local = t + offset_s;

    int64_t year;
    int month, day;
    rd_civil_from_days(floor_div(local, 86400), &year, &month, &day);

    int64_t idx = year * 12 + month - 1;
    if (idx > INT_MAX)
        return INT_MAX;
    if (idx < INT_MIN)
        return INT_MIN;
    return (int)idx;
}

bool rd_within_natural_months(int earlier, int later, int window)
{
    int64_t diff = (int64_t)later - earlier;
    return diff >= 0 && diff < window;
}
