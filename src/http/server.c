/* The libmicrohttpd daemon: request contexts, body limits, routing, auth, replies, logs. */
#include "repeatd/http.h"

#include "repeatd/auth.h"
#include "repeatd/crypto.h"
#include "repeatd/log.h"
#include "repeatd/routes.h"
#include "repeatd/web.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A thread of libmicrohttpd serves every connection it accepted, one callback at a time, and
 * accepts new ones only while it polls: one blocked on the database would stall all of its
 * connections, /healthz included. So those threads never touch the database. A request that
 * needs it is suspended and queued as a job (FIFO) for `threads` workers, each with its own
 * pooled connection; the worker runs the handler, then resumes the connection, whose thread
 * sends the reply. A job still queued at its deadline (REPEATD_DB_TIMEOUT_MS after its body was
 * in) is answered 503 by the waker thread, whatever the workers are stuck on. */
/* Every open connection, for the bound on the time a client takes to send a request. */
typedef struct conn_state {
    MHD_socket fd;
    double since_ms; /* accepted, or its last request ended: the next must be in by limit */
    bool busy;       /* a whole request is in and being answered: not the client's time */
    bool cut;
    struct conn_state *prev, *next;
} conn_state;

struct rd_server {
    struct MHD_Daemon *daemon;
    conn_state *conns; /* under lock */
    rd_httpd *httpd;
    struct MHD_Daemon *open_daemon; /* REPEATD_METRICS_LISTEN's, or NULL */
    pthread_mutex_t lock;
    pthread_cond_t work; /* a job was queued, or closing */
    pthread_cond_t wake; /* for the waker: a job was queued, or closing */
    pthread_t waker;
    pthread_t *workers;
    int n_workers;
    bool waker_started, closing;
    rd_request *head, *tail; /* queued jobs, oldest first */
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A client's X-Request-Id is kept when it is short and plain, so logs join up across systems. */
static void set_request_id(rd_request *req)
{
    const char *h = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Request-Id");
    if (h && *h && strlen(h) < sizeof(req->request_id) &&
        strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
            strlen(h)) {
        strcpy(req->request_id, h);
        return;
    }
    rd_request_id(req->request_id);
}

/* Chinese unless the first language the client names is English. */
static rd_lang pick_lang(struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language");
    if (!h)
        return RD_LANG_ZH;
    h += strspn(h, " \t");
    return strncasecmp(h, "en", 2) == 0 && !isalpha((unsigned char)h[2]) ? RD_LANG_EN : RD_LANG_ZH;
}

static rd_request *request_new(rd_httpd *httpd, struct MHD_Connection *c, const char *method,
                               const char *url)
{
    rd_request *req = calloc(1, sizeof(*req));
    if (!req)
        return NULL;
    req->path = strdup(url);
    if (!req->path) {
        free(req);
        return NULL;
    }
    req->httpd = httpd;
    req->conn = c;
    snprintf(req->method, sizeof(req->method), "%s", method);
    req->started_ms = now_ms();
    req->body_max = (size_t)httpd->config->max_body_bytes;
    req->lang = pick_lang(c);
    set_request_id(req);
    /* Routed before the body arrives, so that the route's own body limit applies to it. */
    req->match = rd_route_find(req->method, req->path, &req->route, req->path_params, req->allow);
    if (req->match == RD_MATCH_OK && req->route->max_body)
        req->body_max = (size_t)req->route->max_body;
    atomic_fetch_add(&httpd->in_flight, 1);
    return req;
}

static void request_free(rd_request *req)
{
    if (req->processing)
        atomic_fetch_sub(&req->httpd->processing, 1);
    if (req->db)
        rd_service_release(req->httpd->service, req->db);
    for (int i = 0; i < RD_PATH_PARAMS; i++)
        free(req->path_params[i]);
    json_decref(req->json);
    json_decref(req->reply);
    free(req->reply_text);
    free(req->body);
    free(req->path);
    atomic_fetch_sub(&req->httpd->in_flight, 1);
    free(req);
}

static void append_body(rd_request *req, const char *data, size_t n)
{
    if (req->too_large)
        return;
    if (req->body_len + n > req->body_max) {
        req->too_large = true;
        return;
    }
    if (req->body_len + n + 1 > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : 1024;
        while (cap < req->body_len + n + 1)
            cap *= 2;
        char *b = realloc(req->body, cap);
        if (!b) {
            req->too_large = true;
            return;
        }
        req->body = b;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, n);
    req->body_len += n;
    req->body[req->body_len] = '\0';
}

static bool is_json_type(const char *ct)
{
    if (!ct)
        return false;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Body checks shared by every JSON route: type, size, syntax. */
static bool parse_body(rd_request *req)
{
    if (req->too_large) {
        rd_reply_error(req, RD_ERR_PAYLOAD_TOO_LARGE, NULL, "the body is larger than %zu bytes",
                       req->body_max);
        return false;
    }
    const char *ct =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!is_json_type(ct)) {
        rd_reply_error(req, RD_ERR_UNSUPPORTED_MEDIA, NULL,
                       "the body must be JSON, sent as Content-Type: application/json");
        return false;
    }
    if (req->body_len == 0) {
        rd_reply_error(req, RD_ERR_INVALID_JSON, NULL,
                       "the body is empty; a JSON object is "
                       "required");
        return false;
    }
    json_error_t e;
    req->json = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!req->json) {
        rd_reply_error(req, RD_ERR_INVALID_JSON, NULL, "invalid JSON at line %d column %d: %s",
                       e.line, e.column, e.text);
        return false;
    }
    if (!json_is_object(req->json)) {
        rd_reply_error(req, RD_ERR_INVALID_JSON, NULL, "the body must be a JSON object");
        return false;
    }
    return true;
}

static bool needs_db(const rd_request *req)
{
    return req->match == RD_MATCH_OK && req->route->handler != rd_handle_healthz;
}

/* Suspend the request's connection and queue it for a worker; false once closing. */
static bool enqueue(rd_request *req)
{
    rd_server *s = req->httpd->server;
    pthread_mutex_lock(&s->lock);
    if (s->closing) {
        pthread_mutex_unlock(&s->lock);
        return false;
    }
    MHD_suspend_connection(req->conn);
    req->next = NULL;
    if (s->tail)
        s->tail->next = req;
    else
        s->head = req;
    s->tail = req;
    pthread_cond_signal(&s->work);
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    return true;
}

/* On a worker: the route's checks and handler with a connection of the pool. */
static void run_job(rd_request *req)
{
    const rd_route *route = req->route;
    int timeout = req->httpd->config->db_timeout_ms;
    if (atomic_load(&req->httpd->draining)) {
        rd_reply_error(req, RD_ERR_SHUTTING_DOWN, NULL, "the server is shutting down");
        return;
    }
    if (now_ms() >= req->db_deadline_ms ||
        rd_service_try_take(req->httpd->service, (int64_t)req->db_deadline_ms, &req->db) < 0) {
        req->db = NULL;
        atomic_fetch_add(&req->httpd->metrics.db_unavailable, 1);
        rd_reply_error(req, RD_ERR_DB_UNAVAILABLE, NULL,
                       "no database connection became free within %d ms; try again shortly",
                       timeout);
        return;
    }
    if (route->role != RD_ROLE_NONE && !rd_auth_check(req, route->role))
        return;
    if (route->json_body && !parse_body(req))
        return;
    route->handler(req);
}

static void *worker_main(void *arg)
{
    rd_server *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->head && !s->closing)
            pthread_cond_wait(&s->work, &s->lock);
        rd_request *req = s->head;
        if (!req)
            break; /* closing, and nothing left */
        s->head = req->next;
        if (!s->head)
            s->tail = NULL;
        pthread_mutex_unlock(&s->lock);
        run_job(req);
        if (req->db) {
            rd_service_release(req->httpd->service, req->db);
            req->db = NULL;
        }
        req->job_done = true;
        MHD_resume_connection(req->conn);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Answers queued jobs whose deadline passed: 503 at once, while every worker may be stuck. */
static void *waker_main(void *arg)
{
    rd_server *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->closing) {
        double now = now_ms(), next = now + 1000;
        rd_request **link = &s->head, *prev = NULL;
        while (*link) {
            rd_request *req = *link;
            if (now >= req->db_deadline_ms) {
                *link = req->next;
                if (s->tail == req)
                    s->tail = prev;
                atomic_fetch_add(&s->httpd->metrics.db_unavailable, 1);
                rd_reply_error(req, RD_ERR_DB_UNAVAILABLE, NULL,
                               "no database connection became free within %d ms; try again "
                               "shortly",
                               s->httpd->config->db_timeout_ms);
                req->job_done = true;
                MHD_resume_connection(req->conn);
                continue;
            }
            if (req->db_deadline_ms < next)
                next = req->db_deadline_ms;
            prev = req;
            link = &req->next;
        }
        /* A client that has not sent a whole request (headers and body) within
         * REPEATD_REQUEST_TIMEOUT_S of its connection's accept or its previous request's end
         * is cut: a trickle of bytes resets libmicrohttpd's inactivity timeout, not this. */
        double limit = s->httpd->config->request_timeout_s * 1000.0;
        for (conn_state *cs = s->conns; cs; cs = cs->next)
            if (!cs->busy && !cs->cut && now - cs->since_ms > limit) {
                cs->cut = true;
                shutdown(cs->fd, SHUT_RDWR);
            }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        long wait_us = (long)((next - now) * 1000) + 1000;
        until.tv_sec += wait_us / 1000000;
        until.tv_nsec += (wait_us % 1000000) * 1000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static conn_state *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void set_busy(rd_server *s, struct MHD_Connection *c, bool busy)
{
    conn_state *cs = conn_of(c);
    if (!cs)
        return;
    pthread_mutex_lock(&s->lock);
    cs->busy = busy;
    cs->since_ms = now_ms();
    pthread_mutex_unlock(&s->lock);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    rd_server *s = ((rd_httpd *)cls)->server;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        conn_state *cs = calloc(1, sizeof(*cs));
        if (!cs || !ci) {
            free(cs);
            return;
        }
        cs->fd = ci->connect_fd;
        cs->since_ms = now_ms();
        pthread_mutex_lock(&s->lock);
        cs->next = s->conns;
        if (s->conns)
            s->conns->prev = cs;
        s->conns = cs;
        pthread_mutex_unlock(&s->lock);
        *socket_context = cs;
        return;
    }
    conn_state *cs = *socket_context;
    if (!cs)
        return;
    pthread_mutex_lock(&s->lock);
    if (cs->prev)
        cs->prev->next = cs->next;
    else
        s->conns = cs->next;
    if (cs->next)
        cs->next->prev = cs->prev;
    pthread_mutex_unlock(&s->lock);
    free(cs);
    *socket_context = NULL;
}

/* In libmicrohttpd's thread, once the body is in: answer what needs no database at once, queue
 * the rest. false when the request was queued: no reply yet. */
static bool dispatch(rd_request *req)
{
    if (!req->processing) {
        req->processing = true;
        atomic_fetch_add(&req->httpd->processing, 1);
        set_busy(req->httpd->server, req->conn, true);
    }
    if (atomic_load(&req->httpd->draining)) {
        rd_reply_error(req, RD_ERR_SHUTTING_DOWN, NULL, "the server is shutting down");
        return true;
    }
    switch (req->match) {
    case RD_MATCH_NO_PATH:
        rd_reply_error(req, RD_ERR_NOT_FOUND, NULL, "no resource at %s", req->path);
        return true;
    case RD_MATCH_NO_METHOD:
        rd_reply_error(req, RD_ERR_METHOD_NOT_ALLOWED, NULL, "%s is not allowed here; use %s",
                       req->method, req->allow);
        return true;
    case RD_MATCH_OK:
        break;
    }
    if (!needs_db(req)) {
        req->route->handler(req);
        return true;
    }
    req->db_deadline_ms = now_ms() + req->httpd->config->db_timeout_ms;
    if (enqueue(req))
        return false;
    rd_reply_error(req, RD_ERR_SHUTTING_DOWN, NULL, "the server is shutting down");
    return true;
}

static enum MHD_Result queue_reply(rd_request *req)
{
    if (req->asset)
        return rd_web_queue(req);
    char *text = NULL;
    const char *type = "application/json";
    if (req->reply_text) {
        text = req->reply_text;
        req->reply_text = NULL;
        type = req->reply_type ? req->reply_type : "text/plain; version=0.0.4; charset=utf-8";
    } else {
        if (!req->reply)
            rd_reply_error(req, RD_ERR_INTERNAL, NULL, "no reply (request %s)", req->request_id);
        text = json_dumps(req->reply, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    }
    if (!text)
        return MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (req->status == 405)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, req->allow);
    if (req->status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    if (req->reply_disposition[0])
        MHD_add_response_header(resp, "Content-Disposition", req->reply_disposition);
    enum MHD_Result ret = MHD_queue_response(req->conn, req->status, resp);
    MHD_destroy_response(resp);
    req->queued = ret == MHD_YES;
    return ret;
}

/* The value of a header that must appear at most once with one value: 0 absent, 1 once (or
 * repeated with the same value), -1 conflicting values. */
typedef struct header_count {
    const char *name;
    const char *first;
    int state;
} header_count;

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    header_count *h = cls;
    if (strcasecmp(key, h->name) != 0)
        return MHD_YES;
    if (!h->first) {
        h->first = value ? value : "";
        h->state = 1;
    } else if (strcmp(h->first, value ? value : "") != 0) {
        h->state = -1;
    }
    return MHD_YES;
}

/* The largest body over the limit that is read (and dropped) before its 413 is sent. */
#define RD_DRAIN_MAX (4u << 20)

/* Framing and size, decided at the headers before a byte of the body is read (and before a
 * 100 Continue is sent): false with a reply when the request must be refused, at once or, with
 * refuse_after_body, once its body is read. */
static bool check_headers(rd_request *req)
{
    header_count cl = {.name = MHD_HTTP_HEADER_CONTENT_LENGTH};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, count_header, &cl);
    const char *te =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (cl.state < 0) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, NULL,
                       "conflicting Content-Length headers: the body's length is ambiguous");
        return false;
    }
    if (cl.state > 0 && te) {
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, NULL,
                       "Content-Length and Transfer-Encoding together: the body's length is "
                       "ambiguous");
        return false;
    }
    if (cl.state > 0) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(cl.first, &end, 10);
        if (errno == 0 && end != cl.first && *end == '\0' && n > req->body_max) {
            rd_reply_error(req, RD_ERR_PAYLOAD_TOO_LARGE, NULL,
                           "the body is larger than %zu bytes (Content-Length: %llu)",
                           req->body_max, n);
            /* A client that is not waiting for 100 Continue is sending the body already: closing
             * before it is read makes the kernel reset the connection, and the client may lose
             * the 413 with it. A body of a few MiB is read and dropped first. */
            req->refuse_after_body =
                n <= RD_DRAIN_MAX &&
                !MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
            return false;
        }
    }
    if (strchr(req->path, '\x01')) { /* an encoded NUL: see unescape() */
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, NULL, "the path holds a NUL byte (%%00)");
        return false;
    }
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    rd_request *req = *con_cls;
    if (!req) {
        req = request_new(cls, c, method, url);
        if (!req)
            return MHD_NO;
        *con_cls = req;
        if (!check_headers(req)) {
            if (req->refuse_after_body)
                return MHD_YES;     /* the reply waits for the body's end, dropped meanwhile */
            req->processing = true; /* answered at once: the body is never read */
            atomic_fetch_add(&req->httpd->processing, 1);
            set_busy(req->httpd->server, c, true);
            return queue_reply(req);
        }
        return MHD_YES; /* reply on a later call: keeps keep-alive working */
    }
    if (*upload_data_size) {
        if (req->status) { /* refused at the headers: the rest of the body is dropped */
            *upload_data_size = 0;
            return MHD_YES;
        }
        append_body(req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->status == 0 && !req->job_done && !dispatch(req))
        return MHD_YES; /* queued: suspended until a worker has answered */
    /* Give the connection back before the reply is sent: it is no longer needed. */
    if (req->db) {
        rd_service_release(req->httpd->service, req->db);
        req->db = NULL;
    }
    if (req->queued)
        return MHD_YES;
    return queue_reply(req);
}

static const char *ended_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return NULL;
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "client_closed";
    case MHD_REQUEST_TERMINATED_WITH_ERROR:
        break;
    }
    return "error";
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    rd_request *req = *con_cls;
    if (!req)
        return;
    double ms = now_ms() - req->started_ms;
    char masked[256];
    const char *path = req->route ? req->route->pattern : masked;
    if (!req->route) /* a path no route knows may still hold a phone number or an id */
        rd_log_mask_digits(req->path, masked, sizeof(masked));
    const char *ended = ended_name(toe);
    if (ended && !req->processing)
        ended =
            toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? "shutdown_while_receiving_body" : ended;
    rd_log_request(req->request_id, req->method, path, req->queued ? req->status : 0, ms,
                   req->error_code, ended);
    rd_metrics_request(&req->httpd->metrics, req->route ? rd_route_index(req->route) : -1,
                       req->status, ms / 1e3);
    set_busy(req->httpd->server, c, false);
    request_free(req);
    *con_cls = NULL;
}

/* libmicrohttpd's own messages go through the JSON log, rate-limited. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    rd_log_library("libmicrohttpd", fmt, ap);
}

/* %HH decoding as libmicrohttpd's own, except that %00 becomes byte 1, which check_headers
 * refuses: a NUL would end the path early, and /v1/tickets/X%00.json would find X. A raw
 * byte 1 is refused too (no route takes control bytes). */
static size_t unescape(void *cls, struct MHD_Connection *c, char *val)
{
    char *w = val;
    for (const char *r = val; *r;) {
        if (r[0] == '%' && isxdigit((unsigned char)r[1]) && isxdigit((unsigned char)r[2])) {
            char hex[3] = {r[1], r[2], '\0'};
            long b = strtol(hex, NULL, 16);
            *w++ = b == 0 ? '\x01' : (char)b;
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - val);
}

static void on_panic(void *cls, const char *file, unsigned line, const char *reason)
{
    rd_log(RD_LOG_ERROR, "libmicrohttpd panic at %s:%u: %s", file ? file : "?", line,
           reason ? reason : "");
    abort();
}

/* ---- REPEATD_METRICS_LISTEN: /metrics (and /healthz) without a key, on an address of its own
 * that only the monitoring network reaches; the same requests, logs and counters otherwise. */

static bool open_path(const char *path)
{
    return !strcmp(path, "/metrics") || !strcmp(path, "/healthz");
}

/* Answers on the call where on_request would dispatch, then lets on_request reply. */
static enum MHD_Result on_open_request(void *cls, struct MHD_Connection *c, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_data_size,
                                       void **con_cls)
{
    rd_request *req = *con_cls;
    if (req && !*upload_data_size && req->status == 0) {
        if (atomic_load(&req->httpd->draining))
            rd_reply_error(req, RD_ERR_SHUTTING_DOWN, NULL, "the server is shutting down");
        else if (!open_path(req->path))
            rd_reply_error(req, RD_ERR_NOT_FOUND, NULL,
                           "no resource at %s on the metrics address (only /metrics, /healthz)",
                           req->path);
        else if (req->match != RD_MATCH_OK)
            rd_reply_error(req, RD_ERR_METHOD_NOT_ALLOWED, NULL, "%s is not allowed here; use %s",
                           req->method, req->allow);
        else
            req->route->handler(req);
    }
    return on_request(cls, c, url, method, version, upload_data, upload_data_size, con_cls);
}

static struct MHD_Daemon *open_daemon_start(rd_httpd *httpd)
{
    const rd_config *cf = httpd->config;
    struct sockaddr_in6 a6 = {0};
    struct sockaddr_in a4 = {0};
    const struct sockaddr *addr;
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (inet_pton(AF_INET, cf->metrics_host, &a4.sin_addr) == 1 ||
        (!strcmp(cf->metrics_host, "localhost") &&
         inet_pton(AF_INET, "127.0.0.1", &a4.sin_addr) == 1)) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)cf->metrics_port);
        addr = (const struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, cf->metrics_host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)cf->metrics_port);
        addr = (const struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        return NULL;
    }
    /* One thread: a scrape every few seconds. No SO_REUSEPORT: a clash must fail the start. */
    return MHD_start_daemon(
        flags, (uint16_t)cf->metrics_port, NULL, NULL, on_open_request, httpd,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, httpd, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(64 * 1024), MHD_OPTION_END);
}

/* ---- end of REPEATD_METRICS_LISTEN ---- */

/* Why the address cannot be had: bind it ourselves the way the daemon does (no SO_REUSEPORT). */
static int probe_bind(const struct sockaddr *addr, socklen_t len)
{
    int fd = socket(addr->sa_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    int r = bind(fd, addr, len) < 0 ? -errno : 0;
    close(fd);
    return r;
}

int rd_server_start(rd_httpd *httpd, rd_server **ret)
{
    rd_server *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->httpd = httpd;
    httpd->server = s;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &attr);
    pthread_cond_init(&s->work, &attr);
    pthread_condattr_destroy(&attr);
    struct sockaddr_in6 a6 = {0};
    struct sockaddr_in a4 = {0};
    const struct sockaddr *addr;
    socklen_t addr_len;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    const rd_config *cf = httpd->config;
    const char *host = cf->listen_host;
    if (inet_pton(AF_INET, host, &a4.sin_addr) == 1 ||
        (!strcmp(host, "localhost") && inet_pton(AF_INET, "127.0.0.1", &a4.sin_addr) == 1)) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)cf->listen_port);
        addr = (const struct sockaddr *)&a4;
        addr_len = sizeof(a4);
    } else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)cf->listen_port);
        addr = (const struct sockaddr *)&a6;
        addr_len = sizeof(a6);
        flags |= MHD_USE_IPv6;
    } else {
        rd_server_stop(s, 0);
        return -EINVAL;
    }
    rd_metrics *m = &httpd->metrics;
    m->n_routes = rd_route_count() < RD_METRIC_ROUTES - 1 ? rd_route_count() : RD_METRIC_ROUTES - 1;
    for (int i = 0; i < m->n_routes; i++)
        snprintf(m->route_labels[i], RD_METRIC_LABEL_MAX, "%s %s", rd_route_at(i)->method,
                 rd_route_at(i)->pattern);
    MHD_set_panic_func(on_panic, NULL);
    s->workers = calloc((size_t)cf->threads, sizeof(pthread_t));
    if (!s->workers || pthread_create(&s->waker, NULL, waker_main, s) != 0) {
        rd_server_stop(s, 0);
        return -ENOMEM;
    }
    s->waker_started = true;
    for (; s->n_workers < cf->threads; s->n_workers++)
        if (pthread_create(&s->workers[s->n_workers], NULL, worker_main, s) != 0) {
            rd_server_stop(s, 0);
            return -ENOMEM;
        }
    /* Without REPEATD_REUSE_PORT the option is not given at all: libmicrohttpd then sets
     * SO_REUSEADDR alone, so a second server on the port fails to start while a restart binds
     * at once despite connections in TIME_WAIT (given as 0, the option would drop
     * SO_REUSEADDR too). */
    struct MHD_OptionItem reuse[] = {
        {cf->reuse_port ? MHD_OPTION_LISTENING_ADDRESS_REUSE : MHD_OPTION_END, 1, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cf->listen_port, NULL, NULL, on_request, httpd, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)cf->threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, httpd,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, httpd, MHD_OPTION_UNESCAPE_CALLBACK, unescape,
        NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cf->request_timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cf->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cf->max_connections_per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_ARRAY, reuse,
        MHD_OPTION_END);
    if (s->daemon && cf->metrics_host && !(s->open_daemon = open_daemon_start(httpd))) {
        MHD_stop_daemon(s->daemon);
        s->daemon = NULL;
    }
    if (!s->daemon) {
        int r = probe_bind(addr, addr_len);
        rd_server_stop(s, 0);
        return r < 0 ? r : -EIO;
    }
    *ret = s;
    return 0;
}

void rd_server_stop(rd_server *s, int drain_s)
{
    if (!s)
        return;
    rd_httpd *h = s->httpd;
    atomic_store(&h->draining, true);
    MHD_socket fd = s->daemon ? MHD_quiesce_daemon(s->daemon) : MHD_INVALID_SOCKET;
    MHD_socket open_fd = s->open_daemon ? MHD_quiesce_daemon(s->open_daemon) : MHD_INVALID_SOCKET;
    /* Nothing is queued after this; the workers answer what is queued (503) and stop. */
    pthread_mutex_lock(&s->lock);
    s->closing = true;
    pthread_cond_broadcast(&s->work);
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    /* Only requests being answered are waited for; those still sending their body are cut. */
    int receiving = atomic_load(&h->in_flight) - atomic_load(&h->processing);
    if (s->daemon)
        rd_log(RD_LOG_INFO,
               "draining: %d request(s) being answered (waited for, up to %d s), %d still sending "
               "a body (cut now)",
               atomic_load(&h->processing), drain_s, receiving < 0 ? 0 : receiving);
    for (int i = 0; i < drain_s * 20 && atomic_load(&h->processing) > 0; i++)
        usleep(50 * 1000);
    /* No connection may stay suspended when the daemon stops: every job is answered first
     * (a worker on the database returns by its deadline). */
    if (s->waker_started)
        pthread_join(s->waker, NULL);
    for (int i = 0; i < s->n_workers; i++)
        pthread_join(s->workers[i], NULL);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    if (s->open_daemon)
        MHD_stop_daemon(s->open_daemon);
    if (open_fd != MHD_INVALID_SOCKET)
        close(open_fd);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->work);
    pthread_mutex_destroy(&s->lock);
    h->server = NULL;
    free(s->workers);
    free(s);
}
