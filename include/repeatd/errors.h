/* One error enum, mapped by one table to an HTTP status and a stable code string. */
#pragma once

typedef enum rd_err {
    RD_ERR_INVALID_JSON = 0,      /* 400 */
    RD_ERR_INVALID_FIELD,         /* 400, names the field */
    RD_ERR_INVALID_PARAMETER,     /* 400, a path or query parameter */
    RD_ERR_UNAUTHORIZED,          /* 401 */
    RD_ERR_FORBIDDEN,             /* 403 */
    RD_ERR_NOT_FOUND,             /* 404 */
    RD_ERR_METHOD_NOT_ALLOWED,    /* 405 */
    RD_ERR_IDEMPOTENCY_CONFLICT,  /* 409: same ticket_id, other body */
    RD_ERR_WORKFLOW_INCOMPLETE,   /* 409 */
    RD_ERR_NO_WORK_ORDER,         /* 409: events on a ticket decided excluded_* */
    RD_ERR_TICKET_CLOSED,         /* 409 */
    RD_ERR_TICKET_OPEN,           /* 409: reopening an open ticket */
    RD_ERR_PAYLOAD_TOO_LARGE,     /* 413 */
    RD_ERR_UNSUPPORTED_MEDIA,     /* 415 */
    RD_ERR_UNKNOWN_CATEGORY,      /* 422 */
    RD_ERR_CLOSEOUT_REJECTED,     /* 422 */
    RD_ERR_INVALID_CATEGORY_TREE, /* 422 */
    RD_ERR_DB_UNAVAILABLE,        /* 503 */
    RD_ERR_SHUTTING_DOWN,         /* 503 */
    RD_ERR_INTERNAL,              /* 500: our fault, logged */
    RD_ERR_COUNT_
} rd_err;

unsigned rd_err_status(rd_err e);
const char *rd_err_code(rd_err e);
