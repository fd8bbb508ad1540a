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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct rd_server {
    struct MHD_Daemon *daemon;
    rd_httpd *httpd;
    struct MHD_Daemon *open_daemon; /* REPEATD_METRICS_LISTEN's, or NULL */
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

static void dispatch(rd_request *req)
{
    if (atomic_load(&req->httpd->draining)) {
        rd_reply_error(req, RD_ERR_SHUTTING_DOWN, NULL, "the server is shutting down");
        return;
    }
    const rd_route *route = req->route;
    switch (req->match) {
    case RD_MATCH_NO_PATH:
        rd_reply_error(req, RD_ERR_NOT_FOUND, NULL, "no resource at %s", req->path);
        return;
    case RD_MATCH_NO_METHOD:
        rd_reply_error(req, RD_ERR_METHOD_NOT_ALLOWED, NULL, "%s is not allowed here; use %s",
                       req->method, req->allow);
        return;
    case RD_MATCH_OK:
        break;
    }
    if (route->role != RD_ROLE_NONE && !rd_auth_check(req, route->role))
        return;
    if (route->json_body && !parse_body(req))
        return;
    route->handler(req);
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
    return ret;
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
        return MHD_YES; /* reply on a later call: keeps keep-alive working */
    }
    if (*upload_data_size) {
        append_body(req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->status == 0)
        dispatch(req);
    /* Give the connection back before the reply is sent: it is no longer needed. */
    if (req->db) {
        rd_service_release(req->httpd->service, req->db);
        req->db = NULL;
    }
    return queue_reply(req);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    rd_request *req = *con_cls;
    if (!req)
        return;
    double ms = now_ms() - req->started_ms;
    rd_log_request(req->request_id, req->method, req->route ? req->route->pattern : req->path,
                   req->status, ms, req->error_code);
    rd_metrics_request(&req->httpd->metrics, req->route ? rd_route_index(req->route) : -1,
                       req->status, ms / 1e3);
    request_free(req);
    *con_cls = NULL;
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
        flags, (uint16_t)cf->metrics_port, NULL, NULL, on_open_request, httpd, MHD_OPTION_SOCK_ADDR,
        addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, httpd, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(64 * 1024), MHD_OPTION_END);
}

/* ---- end of REPEATD_METRICS_LISTEN ---- */

int rd_server_start(rd_httpd *httpd, rd_server **ret)
{
    rd_server *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->httpd = httpd;
    struct sockaddr_in6 a6 = {0};
    struct sockaddr_in a4 = {0};
    const struct sockaddr *addr;
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    const char *host = httpd->config->listen_host;
    if (inet_pton(AF_INET, host, &a4.sin_addr) == 1 ||
        (!strcmp(host, "localhost") && inet_pton(AF_INET, "127.0.0.1", &a4.sin_addr) == 1)) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)httpd->config->listen_port);
        addr = (const struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)httpd->config->listen_port);
        addr = (const struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        free(s);
        return -EINVAL;
    }
    rd_metrics *m = &httpd->metrics;
    m->n_routes = rd_route_count() < RD_METRIC_ROUTES - 1 ? rd_route_count() : RD_METRIC_ROUTES - 1;
    for (int i = 0; i < m->n_routes; i++)
        snprintf(m->route_labels[i], RD_METRIC_LABEL_MAX, "%s %s", rd_route_at(i)->method,
                 rd_route_at(i)->pattern);
    MHD_set_panic_func(on_panic, NULL);
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)httpd->config->listen_port, NULL, NULL, on_request, httpd,
        MHD_OPTION_SOCK_ADDR, addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)httpd->config->threads,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, httpd, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_LISTENING_ADDRESS_REUSE,
        (unsigned)1, MHD_OPTION_END);
    if (s->daemon && httpd->config->metrics_host && !(s->open_daemon = open_daemon_start(httpd))) {
        MHD_stop_daemon(s->daemon);
        s->daemon = NULL;
    }
    if (!s->daemon) {
        free(s);
        return -EADDRINUSE;
    }
    *ret = s;
    return 0;
}

void rd_server_stop(rd_server *s, int drain_s)
{
    if (!s)
        return;
    atomic_store(&s->httpd->draining, true);
    MHD_socket fd = MHD_quiesce_daemon(s->daemon); /* no new connections */
    MHD_socket open_fd = s->open_daemon ? MHD_quiesce_daemon(s->open_daemon) : MHD_INVALID_SOCKET;
    for (int i = 0; i < drain_s * 20 && atomic_load(&s->httpd->in_flight) > 0; i++)
        usleep(50 * 1000);
    MHD_stop_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    if (s->open_daemon)
        MHD_stop_daemon(s->open_daemon);
    if (open_fd != MHD_INVALID_SOCKET)
        close(open_fd);
    free(s);
}
