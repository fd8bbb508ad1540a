/* Small JSON values the codec's answers write alike. */
#include "repeatd/json_out.h"

#include "repeatd/json_spec.h"
#include "repeatd/kpi.h"

json_t *rd_json_instant(rd_instant t)
{
    char text[RD_TIME_TEXT_MAX];
    rd_time_format_us(t.us, t.offset, text);
    return json_string(text);
}

json_t *rd_json_opt_instant(bool set, rd_instant t)
{
    return set ? rd_json_instant(t) : json_null();
}

json_t *rd_json_opt_string(bool set, const char *s)
{
    return set ? json_string(s) : json_null();
}

json_t *rd_json_text_or_null(const char *s)
{
    return rd_json_opt_string(s != NULL, s);
}

json_t *rd_json_nonempty_or_null(const char *s)
{
    return rd_json_opt_string(s && *s, s);
}

json_t *rd_json_month(int month)
{
    char label[RD_PERIOD_LABEL_MAX];
    rd_period_label(RD_PERIOD_MONTH, month, label);
    return json_string(label);
}
