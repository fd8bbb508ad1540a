/* The stable error codes of the API (API.md). The service layer refuses with them; http/ alone
 * maps each to an HTTP status. */
#pragma once

typedef enum rd_err {
    RD_ERR_INVALID_JSON = 0,
    RD_ERR_INVALID_FIELD,     /* names the field */
    RD_ERR_INVALID_PARAMETER, /* a path or query parameter */
    RD_ERR_UNAUTHORIZED,
    RD_ERR_FORBIDDEN,
    RD_ERR_NOT_FOUND,
    RD_ERR_METHOD_NOT_ALLOWED,
    RD_ERR_IDEMPOTENCY_CONFLICT, /* same ticket_id, other body */
    RD_ERR_WORKFLOW_INCOMPLETE,
    RD_ERR_NO_WORK_ORDER, /* events on a ticket decided excluded_* */
    RD_ERR_TICKET_CLOSED,
    RD_ERR_TICKET_OPEN, /* reopening an open ticket */
    RD_ERR_PAYLOAD_TOO_LARGE,
    RD_ERR_UNSUPPORTED_MEDIA,
    RD_ERR_NOT_ACCEPTABLE, /* an Accept header that takes none of an answer's types */
    RD_ERR_UNKNOWN_CATEGORY,
    RD_ERR_CLOSEOUT_REJECTED,
    RD_ERR_INVALID_CATEGORY_TREE,
    RD_ERR_EVENT_OUT_OF_ORDER, /* an event dated before what it follows; names the field */
    RD_ERR_DB_UNAVAILABLE,
    RD_ERR_SHUTTING_DOWN,
    RD_ERR_INTERNAL, /* our fault, logged */
    /* The improvement loop: problems, programmes and the green-channel worklist. */
    RD_ERR_INVALID_TRANSITION,   /* a status change its state does not allow; names the allowed */
    RD_ERR_UNKNOWN_UNIT,         /* a unit or team no name and no ticket knows */
    RD_ERR_NOT_IN_GREEN_CHANNEL, /* a chain that is not in the green channel now */
    RD_ERR_CONFLICT, /* the write collides with a row that exists (one open programme) */
    RD_ERR_COUNT_
} rd_err;

/* The code string of the API: "invalid_field", "closeout_rejected", ... */
const char *rd_err_code(rd_err e);
