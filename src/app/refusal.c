/* Refusals of the service layer, and the API's error code strings. */
#include "repeatd/refusal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const codes[RD_ERR_COUNT_] = {
    [RD_ERR_INVALID_JSON] = "invalid_json",
    [RD_ERR_INVALID_FIELD] = "invalid_field",
    [RD_ERR_INVALID_PARAMETER] = "invalid_parameter",
    [RD_ERR_UNAUTHORIZED] = "unauthorized",
    [RD_ERR_FORBIDDEN] = "forbidden",
    [RD_ERR_NOT_FOUND] = "not_found",
    [RD_ERR_METHOD_NOT_ALLOWED] = "method_not_allowed",
    [RD_ERR_IDEMPOTENCY_CONFLICT] = "idempotency_conflict",
    [RD_ERR_WORKFLOW_INCOMPLETE] = "workflow_incomplete",
    [RD_ERR_NO_WORK_ORDER] = "no_work_order",
    [RD_ERR_TICKET_CLOSED] = "ticket_closed",
    [RD_ERR_TICKET_OPEN] = "ticket_open",
    [RD_ERR_PAYLOAD_TOO_LARGE] = "payload_too_large",
    [RD_ERR_UNSUPPORTED_MEDIA] = "unsupported_media_type",
    [RD_ERR_UNKNOWN_CATEGORY] = "unknown_category",
    [RD_ERR_CLOSEOUT_REJECTED] = "closeout_rejected",
    [RD_ERR_INVALID_CATEGORY_TREE] = "invalid_category_tree",
    [RD_ERR_EVENT_OUT_OF_ORDER] = "event_out_of_order",
    [RD_ERR_TRANSITION_NOT_ALLOWED] = "transition_not_allowed",
    [RD_ERR_DB_UNAVAILABLE] = "database_unavailable",
    [RD_ERR_SHUTTING_DOWN] = "shutting_down",
    [RD_ERR_INTERNAL] = "internal_error",
};

const char *rd_err_code(rd_err e)
{
    return e >= 0 && e < RD_ERR_COUNT_ ? codes[e] : "internal_error";
}

int rd_refuse(rd_refusal *ret, rd_err code, const char *field, const char *fmt, ...)
{
    va_list ap;
    memset(ret, 0, sizeof(*ret));
    ret->code = code;
    snprintf(ret->field, sizeof(ret->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(ret->message, sizeof(ret->message), fmt, ap);
    va_end(ap);
    return -ECANCELED;
}
