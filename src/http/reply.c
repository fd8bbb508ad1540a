/* Replies: the status of each error code, the one JSON error shape, refusals, store errors. */
#include "repeatd/http.h"

#include "repeatd/codec.h"
#include "repeatd/log.h"
#include "repeatd/workflow.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* The one map from the service's error codes to HTTP statuses. */
static const unsigned statuses[RD_ERR_COUNT_] = {
    [RD_ERR_INVALID_JSON] = 400,
    [RD_ERR_INVALID_FIELD] = 400,
    [RD_ERR_INVALID_PARAMETER] = 400,
    [RD_ERR_UNAUTHORIZED] = 401,
    [RD_ERR_FORBIDDEN] = 403,
    [RD_ERR_NOT_FOUND] = 404,
    [RD_ERR_METHOD_NOT_ALLOWED] = 405,
    [RD_ERR_IDEMPOTENCY_CONFLICT] = 409,
    [RD_ERR_WORKFLOW_INCOMPLETE] = 409,
    [RD_ERR_NO_WORK_ORDER] = 409,
    [RD_ERR_TICKET_CLOSED] = 409,
    [RD_ERR_TICKET_OPEN] = 409,
    [RD_ERR_PAYLOAD_TOO_LARGE] = 413,
    [RD_ERR_UNSUPPORTED_MEDIA] = 415,
    [RD_ERR_NOT_ACCEPTABLE] = 406, /* an Accept that takes none of the answer's types */
    [RD_ERR_UNKNOWN_CATEGORY] = 422,
    [RD_ERR_CLOSEOUT_REJECTED] = 422,
    [RD_ERR_INVALID_CATEGORY_TREE] = 422,
    [RD_ERR_EVENT_OUT_OF_ORDER] = 422,
    [RD_ERR_DB_UNAVAILABLE] = 503,
    [RD_ERR_SHUTTING_DOWN] = 503,
    [RD_ERR_INTERNAL] = 500,
    [RD_ERR_INVALID_TRANSITION] = 409,
    [RD_ERR_UNKNOWN_UNIT] = 422,
    [RD_ERR_NOT_IN_GREEN_CHANNEL] = 409,
    [RD_ERR_CONFLICT] = 409,
};

void rd_reply_json(rd_request *req, unsigned status, json_t *body)
{
    json_decref(req->reply);
    req->reply = body;
    req->status = status;
}

void rd_reply_json_text(rd_request *req, unsigned status, rd_text *t)
{
    if (t->err || !t->p) {
        rd_text_free(t);
        rd_reply_store_error(req, -ENOMEM);
        return;
    }
    json_decref(req->reply);
    req->reply = NULL;
    free(req->reply_text);
    req->reply_text = t->p;
    req->reply_type = "application/json";
    req->status = status;
    *t = (rd_text){0};
}

void rd_reply_error(rd_request *req, rd_err e, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *body = json_pack("{s:s, s:s}", "error", rd_err_code(e), "message", msg);
    if (!body) /* msg quoted bytes that are not UTF-8, such as a percent-decoded path */
        body = json_pack("{s:s, s:s}", "error", rd_err_code(e), "message",
                         "the request quoted bytes that are not valid UTF-8");
    if (body && field)
        json_object_set_new(body, "field", json_string(field));
    req->error_code = rd_err_code(e);
    rd_reply_json(req, statuses[e], body);
}

void rd_reply_store_error(rd_request *req, int r)
{
    if (r == -ECONNREFUSED || r == -ECONNRESET || r == -ETIMEDOUT) {
        atomic_fetch_add(&req->httpd->metrics.db_unavailable, 1);
        rd_reply_error(req, RD_ERR_DB_UNAVAILABLE, NULL,
                       r == -ETIMEDOUT ? "the database did not answer in time; try again shortly"
                                       : "the database is unavailable; try again shortly");
    } else if (r == -EDOM) {
        /* The database refused a value of the request (a data exception): the client's
         * input, never a 500. The value is not quoted back, nor logged. */
        const char *column = rd_service_refused_column(req->db);
        rd_reply_error(req, RD_ERR_INVALID_FIELD, column,
                       "a value of the request is out of the range the database can store%s%s",
                       column ? ": " : "", column ? column : "");
    } else {
        atomic_fetch_add(&req->httpd->metrics.db_errors, 1);
        rd_reply_error(req, RD_ERR_INTERNAL, NULL,
                       "internal error (request %s); it has been logged", req->request_id);
    }
}

void rd_reply_refusal(rd_request *req, const rd_refusal *ref)
{
    rd_reply_error(req, ref->code, ref->field[0] ? ref->field : NULL, "%s", ref->message);
    if (ref->code == RD_ERR_WORKFLOW_INCOMPLETE) {
        json_t *missing = json_array();
        for (int i = 0; i < RD_STEP_COUNT; i++)
            if (ref->missing & (1u << i))
                json_array_append_new(missing, json_string(rd_step_name((rd_step)(1u << i))));
        json_object_set_new(req->reply, "missing", missing);
    } else if (ref->code == RD_ERR_NO_WORK_ORDER && ref->related_ticket[0]) {
        json_object_set_new(req->reply, "related_ticket", json_string(ref->related_ticket));
    } else if (ref->code == RD_ERR_CLOSEOUT_REJECTED) {
        json_object_set_new(req->reply, "defects", rd_defects_json(ref->defects, ref->n_defects));
    } else if (ref->code == RD_ERR_INVALID_TRANSITION) {
        json_t *allowed = json_array();
        for (size_t i = 0; i < ref->n_allowed; i++)
            json_array_append_new(allowed, json_string(ref->allowed[i]));
        json_object_set_new(req->reply, "from", json_string(ref->from_status));
        json_object_set_new(req->reply, "allowed", allowed);
    }
}

void rd_reply_failure(rd_request *req, int r, const rd_refusal *ref)
{
    if (r == -ECANCELED)
        rd_reply_refusal(req, ref);
    else
        rd_reply_store_error(req, r);
}

int rd_request_tx(rd_request *req, const rd_tx *tx)
{
    return rd_service_tx(req->httpd->service, &req->db, tx);
}

static int read_body(rd_db *db, const void *in, void *out)
{
    rd_read_fn read = *(const rd_read_fn *)in;
    return read(db, (json_t **)out);
}

static void read_clear(void *out)
{
    json_decref(*(json_t **)out);
    *(json_t **)out = NULL;
}

void rd_reply_read(rd_request *req, rd_read_fn read, const char *wrap_key)
{
    json_t *value = NULL;
    rd_tx tx = {
        .body = read_body, .in = &read, .out = &value, .clear = read_clear, .readonly = true};
    int r = rd_request_tx(req, &tx);
    if (r < 0) {
        read_clear(&value);
        rd_reply_store_error(req, r);
        return;
    }
    rd_reply_json(req, 200, wrap_key ? json_pack("{s:o}", wrap_key, value) : value);
}

const char *rd_request_arg(rd_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}
