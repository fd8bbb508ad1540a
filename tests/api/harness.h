/* API tests: an HTTP client on libcurl and a fixture that runs the real server on a fresh
 * database, once per test program (Check runs with CK_FORK=no so the server is ours). */
#pragma once

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- the fixture ---- */

typedef struct api_fixture {
    char name[32];         /* the test program's short name: decisions, lifecycle, ... */
    char admin_url[1024];  /* superuser URI of the cluster (database postgres) */
    char db_name[64];      /* the fresh database of this program */
    char db_url[1200];     /* its URI, given to the server */
    int port;              /* the server's TCP port on 127.0.0.1 */
    pid_t pid;             /* the server (or its wrapper), 0 once stopped */
    int exit_status;       /* how it stopped: exit code, 128 + signal, -1 unknown */
    char log_path[1024];   /* the server's stderr */
    char bin[1024];        /* REPEATD_BIN */
    char admin_key[64];    /* REPEATD_BOOTSTRAP_ADMIN_KEY, name "bootstrap" */
    char crm_key[128];     /* repeatd key create --role crm --name t-crm */
    char dash_key[128];    /* repeatd key create --role dashboard --name t-dashboard */
    char manager_key[128]; /* repeatd key create --role manager --name t-manager */
    bool metrics_listener; /* set before harness_start: serve REPEATD_METRICS_LISTEN too */
    int metrics_port;      /* its port on 127.0.0.1, chosen by harness_start */
} api_fixture;

/* Test code only: one fixture per test program, read by every case. */
extern api_fixture api;

/* Start everything for test program `name` on the cluster of REPEATD_TEST_DATABASE_URL:
 * a fresh database, the server on a free port, API keys, the sample category tree. Prints
 * the TAP skip line and exits 0 when the variable is unset; prints "Bail out!" and exits 1
 * when something cannot be set up. */
void harness_start(const char *name);

/* The same on the cluster whose superuser URI is admin_url (a private cluster). */
void harness_start_on(const char *name, const char *admin_url);

/* Give up on setting up: "Bail out!" on TAP, the server's log on stderr, the server killed and
 * the database dropped, exit 1. */
void harness_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* SIGTERM the server and wait up to 60 s. Returns its exit status (0 = clean), 128 + the
 * signal when killed by one, or -1 when it did not stop (it is then killed). */
int harness_stop_server(void);

/* Whether the server process is still running (it did not crash). */
bool harness_server_alive(void);

/* Run the suite without forking, with the last case "server stops cleanly with exit 0"
 * appended to `last`; then drop the database. Returns the process exit status. */
int harness_run(Suite *s, TCase *last);

/* Last lines of the server's log on stderr. */
void harness_print_log_tail(int lines);

/* Run the repeatd binary with the server's environment (args NULL-terminated); its first
 * line of stdout is copied into out. Returns the exit status. */
int harness_run_repeatd(char *out, size_t out_size, const char *const *args);

/* The same against another database of the cluster (its URI). */
int harness_run_repeatd_on(const char *db_url, char *out, size_t out_size, const char *const *args);

/* The same with another program of the build (the demo city's, say). */
int harness_run_program_on(const char *bin, const char *db_url, char *out, size_t out_size,
                           const char *const *args);

/* Start the repeatd binary against db_url in the background (stdout and stderr to the
 * server's log); harness_wait() reaps it and returns its exit status. */
pid_t harness_spawn_repeatd_on(const char *db_url, const char *const *args);
int harness_wait(pid_t pid);

/* ---- HTTP ---- */

typedef enum key_kind { KEY_NONE = 0, KEY_CRM, KEY_DASHBOARD, KEY_ADMIN, KEY_MANAGER } key_kind;

typedef struct http_reply {
    long status;  /* 0 when the request failed at the transport */
    json_t *json; /* the body parsed as JSON, or NULL */
    char *body;   /* the raw body, NUL-terminated (owned) */
    size_t body_len;
    char allow[128];
    char content_type[128];
    char www_authenticate[128];
    char content_disposition[256];
    char error[256]; /* the transport error when status is 0 */
} http_reply;

typedef struct http_request {
    const char *method;
    const char *path;              /* raw: sent as is, no normalisation */
    const char *key;               /* bearer key, or NULL */
    const char *raw_authorization; /* a whole Authorization value instead of key */
    const char *content_type;      /* NULL: no Content-Type header at all */
    const char *body;
    size_t body_len;
    const char *accept_language;
    const char *extra_header; /* one more "Name: value" line, or NULL */
    int port;                 /* another port of 127.0.0.1 than the server's, or 0 */
} http_request;

/* Send one request; 0 on a reply (any status), -1 on a transport error (reply->status 0).
 * Free the reply with http_reply_free. Safe from any thread. */
int http_send(const http_request *rq, http_reply *reply);
void http_reply_free(http_reply *reply);

/* The brief's shape: *json (may be NULL) is the caller's. */
int http(const char *method, const char *path, const char *key, const char *content_type,
         const char *body, size_t body_len, long *status, json_t **json);

/* The key of a role. */
const char *key_of(key_kind k);

/* GET with a key; the parsed body (caller decrefs) or NULL. */
json_t *get_json(const char *path, const char *key, long *status);

/* POST/PUT/PATCH a JSON value (not stolen) with a key and an optional Accept-Language. */
json_t *send_json(const char *method, const char *path, const char *key, json_t *body,
                  const char *accept_language, long *status);

/* POST a JSON value. */
json_t *post_json(const char *path, const char *key, json_t *body, long *status);

/* The server's base URL: http://127.0.0.1:PORT */
const char *base_url(void);
