/* The HTTP layer: the application context, the request context and reply helpers. */
#pragma once

#include "repeatd/config.h"
#include "repeatd/csv.h"
#include "repeatd/domain.h"
#include "repeatd/errors.h"
#include "repeatd/metrics.h"
#include "repeatd/refusal.h"
#include "repeatd/service.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>

/* The HTTP server's context: the service layer it calls, and what only HTTP needs. */
typedef struct rd_httpd {
    const rd_config *config;
    rd_service *service;
    atomic_int in_flight; /* requests between first call and completion */
    atomic_bool draining; /* SIGTERM seen: new requests get 503 */
    rd_metrics metrics;
    atomic_int processing;    /* requests past their body, being answered: what a drain waits for */
    struct rd_server *server; /* set by rd_server_start */
} rd_httpd;

struct rd_route;

#define RD_PATH_PARAMS 2

/* Everything one request owns; allocated on the first access-handler call, freed in the
 * completion callback. */
typedef struct rd_request {
    rd_httpd *httpd;
    struct MHD_Connection *conn;
    char method[16];
    char *path; /* copy of the URL path */
    char request_id[65];
    double started_ms;

    char *body; /* the upload, NUL-terminated */
    size_t body_len, body_cap, body_max;
    bool too_large;
    bool refuse_after_body; /* refused at the headers, answered once the body is read */

    const struct rd_route *route; /* NULL unless match is RD_MATCH_OK */
    int match;                    /* rd_match of the method and path */
    char *path_params[RD_PATH_PARAMS];
    json_t *json; /* the parsed body, when the route takes one */
    char key_name[65];
    rd_role role;
    rd_lang lang;
    struct rd_db *db; /* acquired on first use (app/), released at completion */

    unsigned status;
    json_t *reply;               /* JSON reply, or */
    char *reply_text;            /* a text/plain reply */
    const char *reply_type;      /* reply_text's Content-Type when not Prometheus text (static) */
    char reply_disposition[200]; /* Content-Disposition of a download, or "" */
    const char *error_code;      /* for the access log */
    char allow[64];              /* Allow header of a 405 */

    const struct rd_web_asset *asset; /* a dashboard file to send instead (web.h) */

    bool processing;         /* counted in httpd->processing */
    bool queued;             /* the reply is handed to libmicrohttpd */
    bool job_done;           /* a worker has run the handler (server.c) */
    double db_deadline_ms;   /* every database wait of this request ends by then (0: unset) */
    struct rd_request *next; /* in the server's queue of jobs for its workers */
} rd_request;

typedef void (*rd_handler_fn)(rd_request *req);

/* Reply with a JSON value (the request takes the reference). */
void rd_reply_json(rd_request *req, unsigned status, json_t *body);
/* The same with the body already JSON text (an answer too long to build as jansson values):
 * takes t's text and empties t; 500 when t ran out of memory. */
void rd_reply_json_text(rd_request *req, unsigned status, rd_text *t);

/* Reply with the error shape {"error": code, "message": ..., "field": ...}; field may be NULL. */
void rd_reply_error(rd_request *req, rd_err e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reply 503 / 500 for a negative errno from the service or the store. */
void rd_reply_store_error(rd_request *req, int r);

/* Reply with a refusal of the service layer: its code's status, the error shape, and its
 * details (missing steps, defects). */
void rd_reply_refusal(rd_request *req, const rd_refusal *ref);

/* Reply for the result of a service call: a refusal (-ECANCELED, *ref) or a store error.
 * Only for r < 0. */
void rd_reply_failure(rd_request *req, int r, const rd_refusal *ref);

/* Run a transaction on the request's connection (acquired on first use, released at
 * completion), by the one retry policy of rd_tx_run. */
int rd_request_tx(rd_request *req, const rd_tx *tx);

/* A read that builds its answer (a new JSON value in *ret). */
typedef int (*rd_read_fn)(rd_db *db, json_t **ret);

/* Run `read` in a read-only transaction and reply 200 with its value, wrapped as
 * {wrap_key: value} when wrap_key is not NULL; 503/500 on a store error. */
void rd_reply_read(rd_request *req, rd_read_fn read, const char *wrap_key);

/* A query-string argument, or NULL. */
const char *rd_request_arg(rd_request *req, const char *name);

/* ---- reply_csv.c: CSV downloads ---- */

typedef enum rd_format { RD_FORMAT_JSON, RD_FORMAT_CSV } rd_format;

/* The representation of an answer the client asked for: `?format=json|csv` when given (it wins:
 * a download link needs no header), else the Accept header (JSON when absent or when it takes
 * both equally). Replies 400 naming `format` for another value, 406 when Accept allows neither,
 * and returns false then. */
bool rd_reply_format(rd_request *req, rd_format *ret);

/* Finish the CSV writer c (codec/csv.c) and reply 200 with its text as a download named
 * `filename` (ASCII, no quotes); 500 when it ran out of memory. c is emptied either way. */
void rd_reply_csv(rd_request *req, rd_csv *c, const char *filename);

/* ---- server.c ---- */

typedef struct rd_server rd_server;

int rd_server_start(rd_httpd *httpd, rd_server **ret);
/* Stop accepting, let in-flight requests finish (up to drain_s seconds), stop. */
void rd_server_stop(rd_server *s, int drain_s);
