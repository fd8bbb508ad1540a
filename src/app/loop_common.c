/* The refusals the improvement loop's use cases share. */
#include "repeatd/loop_common.h"

#include "repeatd/loop.h"

int rd_loop_field_refusal(const rd_field_error *e, rd_refusal *ref)
{
    return rd_refuse(ref, RD_ERR_INVALID_FIELD, e->field, "%s", e->message);
}

int rd_loop_nonempty(const char *v, const char *field, rd_refusal *ref)
{
    if (v && !rd_loop_blank(v))
        return 0;
    return rd_refuse(ref, RD_ERR_INVALID_FIELD, field, "%s must not be empty", field);
}
