/* Replies: the error table, the one JSON error shape, store errors, per-request DB access. */
#include "repeatd/http.h"

#include "repeatd/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

static const struct {
    unsigned status;
    const char *code;
} errors[RD_ERR_COUNT_] = {
    [RD_ERR_INVALID_JSON] = {400, "invalid_json"},
    [RD_ERR_INVALID_FIELD] = {400, "invalid_field"},
    [RD_ERR_INVALID_PARAMETER] = {400, "invalid_parameter"},
    [RD_ERR_UNAUTHORIZED] = {401, "unauthorized"},
    [RD_ERR_FORBIDDEN] = {403, "forbidden"},
    [RD_ERR_NOT_FOUND] = {404, "not_found"},
    [RD_ERR_METHOD_NOT_ALLOWED] = {405, "method_not_allowed"},
    [RD_ERR_IDEMPOTENCY_CONFLICT] = {409, "idempotency_conflict"},
    [RD_ERR_WORKFLOW_INCOMPLETE] = {409, "workflow_incomplete"},
    [RD_ERR_NO_WORK_ORDER] = {409, "no_work_order"},
    [RD_ERR_TICKET_CLOSED] = {409, "ticket_closed"},
    [RD_ERR_TICKET_OPEN] = {409, "ticket_open"},
    [RD_ERR_PAYLOAD_TOO_LARGE] = {413, "payload_too_large"},
    [RD_ERR_UNSUPPORTED_MEDIA] = {415, "unsupported_media_type"},
    [RD_ERR_UNKNOWN_CATEGORY] = {422, "unknown_category"},
    [RD_ERR_CLOSEOUT_REJECTED] = {422, "closeout_rejected"},
    [RD_ERR_INVALID_CATEGORY_TREE] = {422, "invalid_category_tree"},
    [RD_ERR_DB_UNAVAILABLE] = {503, "database_unavailable"},
    [RD_ERR_SHUTTING_DOWN] = {503, "shutting_down"},
    [RD_ERR_INTERNAL] = {500, "internal_error"},
};

unsigned rd_err_status(rd_err e)
{
    return errors[e].status;
}

const char *rd_err_code(rd_err e)
{
    return errors[e].code;
}

void rd_reply_json(rd_request *req, unsigned status, json_t *body)
{
    json_decref(req->reply);
    req->reply = body;
    req->status = status;
}

void rd_reply_error(rd_request *req, rd_err e, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *body = json_pack("{s:s, s:s}", "error", errors[e].code, "message", msg);
    if (!body) /* msg quoted bytes that are not UTF-8, such as a percent-decoded path */
        body = json_pack("{s:s, s:s}", "error", errors[e].code, "message",
                         "the request quoted bytes that are not valid UTF-8");
    if (body && field)
        json_object_set_new(body, "field", json_string(field));
    req->error_code = errors[e].code;
    rd_reply_json(req, errors[e].status, body);
}

void rd_reply_store_error(rd_request *req, int r)
{
    if (r == -ECONNREFUSED || r == -ECONNRESET) {
        atomic_fetch_add(&req->app->metrics.db_unavailable, 1);
        rd_reply_error(req, RD_ERR_DB_UNAVAILABLE, NULL,
                       "the database is unavailable; try again shortly");
    } else {
        atomic_fetch_add(&req->app->metrics.db_errors, 1);
        rd_reply_error(req, RD_ERR_INTERNAL, NULL,
                       "internal error (request %s); it has been logged", req->request_id);
    }
}

rd_db *rd_request_db(rd_request *req)
{
    if (!req->db) {
        int r = rd_pool_acquire(req->app->pool, &req->db);
        if (r < 0) {
            req->db = NULL;
            rd_reply_store_error(req, r);
        }
    }
    return req->db;
}

int rd_request_tx(rd_request *req, rd_tx_fn fn, void *cls, bool readonly)
{
    rd_db *db = rd_request_db(req);
    if (!db)
        return -ECONNREFUSED;
    int r = readonly ? rd_tx_run_readonly(db, fn, cls) : rd_tx_run(db, fn, cls);
    if (r == -ECONNRESET) {
        /* The connection died (say, the database restarted): a fresh one, one more try. */
        rd_pool_release(req->app->pool, db);
        req->db = NULL;
        db = rd_request_db(req);
        if (!db)
            return -ECONNREFUSED;
        r = readonly ? rd_tx_run_readonly(db, fn, cls) : rd_tx_run(db, fn, cls);
    }
    return r;
}

typedef struct read_call {
    rd_read_fn read;
    json_t *value;
} read_call;

static int read_tx(rd_db *db, void *cls)
{
    read_call *c = cls;
    json_decref(c->value); /* a retried transaction starts over */
    c->value = NULL;
    return c->read(db, &c->value);
}

void rd_reply_read(rd_request *req, rd_read_fn read, const char *wrap_key)
{
    read_call c = {.read = read};
    int r = rd_request_tx(req, read_tx, &c, true);
    if (r < 0) {
        json_decref(c.value);
        rd_reply_store_error(req, r);
        return;
    }
    rd_reply_json(req, 200, wrap_key ? json_pack("{s:o}", wrap_key, c.value) : c.value);
}

const char *rd_request_arg(rd_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}
