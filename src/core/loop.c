/* The improvement loop's arithmetic: exit criterion, overdue check-ins and verifications, the
 * status changes of a programme. */
#include "repeatd/loop.h"

#include <errno.h>
#include <string.h>

rd_exit_state rd_programme_exit(const rd_loop_month *months, size_t n, int opened_month,
                                int last_complete_month, int exit_months)
{
    rd_exit_state st = {0};
    st.months_judged = last_complete_month > opened_month ? last_complete_month - opened_month : 0;
    /* Walk back from the latest judged month while it is out of the bottom. */
    for (int m = last_complete_month; m > opened_month; m--) {
        bool watch = false;
        for (size_t i = 0; i < n; i++)
            if (months[i].month == m)
                watch = months[i].watch;
        if (watch)
            break;
        st.months_out++;
    }
    st.met = exit_months > 0 && st.months_out >= exit_months;
    return st;
}

bool rd_loop_overdue(int64_t last, int interval_days, int64_t now, int64_t *ret_due,
                     int *ret_days_overdue)
{
    int64_t due = last + (int64_t)interval_days * 86400;
    bool overdue = now > due;
    if (ret_due)
        *ret_due = due;
    if (ret_days_overdue)
        *ret_days_overdue = overdue ? (int)((now - due) / 86400) : 0;
    return overdue;
}

int rd_loop_days_between(int64_t since, int64_t now)
{
    return now > since ? (int)((now - since) / 86400) : 0;
}

static const char *const status_names[RD_PROGRAMME_STATUS_COUNT_] = {"open", "closed"};

const char *rd_programme_status_name(rd_programme_status s)
{
    return s >= 0 && s < RD_PROGRAMME_STATUS_COUNT_ ? status_names[s] : "open";
}

int rd_programme_status_parse(const char *s, rd_programme_status *ret)
{
    for (int i = 0; s && i < RD_PROGRAMME_STATUS_COUNT_; i++)
        if (!strcmp(s, status_names[i])) {
            *ret = (rd_programme_status)i;
            return 0;
        }
    return -1;
}

/* open → closed; a closed programme is history (a unit that relapses gets a new one). */
static const bool transitions[RD_PROGRAMME_STATUS_COUNT_][RD_PROGRAMME_STATUS_COUNT_] = {
    [RD_PROGRAMME_OPEN] = {[RD_PROGRAMME_CLOSED] = true},
};

bool rd_programme_transition(rd_programme_status from, rd_programme_status to,
                             const char *ret_allowed[], size_t *ret_n)
{
    size_t n = 0;
    for (int t = 0; t < RD_PROGRAMME_STATUS_COUNT_; t++)
        if (transitions[from][t])
            ret_allowed[n++] = status_names[t];
    *ret_n = n;
    return transitions[from][to];
}

const char *const rd_checkin_statuses[] = {"on_track", "at_risk", "off_track", NULL};

int rd_loop_when(int64_t at, int64_t now, int max_months_back)
{
    if (at > now + RD_LOOP_CLOCK_SKEW_S)
        return 1;
    if (max_months_back > 0 && at < now - (int64_t)max_months_back * 31 * 86400)
        return -1;
    return 0;
}

int rd_loop_id_parse(const char *s, int64_t *ret)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n || s[0] == '0')
        return -EINVAL;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    *ret = v;
    return 0;
}

bool rd_loop_blank(const char *s)
{
    return s && s[strspn(s, " \t\r\n")] == '\0';
}
