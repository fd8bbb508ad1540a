/* API test harness: libcurl client, and a fixture that runs the real repeatd binary on a fresh
 * PostgreSQL database, once per test program, and stops it as the program's last case. */
#include "harness.h"

#include "rd_test.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

api_fixture api;

#define READY_WAIT_S 90
#define STOP_WAIT_S  60
#define SECRET       "api-test-secret-0123456789abcdef"
#define ADMIN_KEY    "rk_api_test_bootstrap_admin_key_0123456789"

static pthread_t main_thread;
static CURL *main_curl; /* keep-alive on the main thread; other threads use their own */
static bool curl_ready, db_created;

/* ---- small utilities ---- */

static void msleep(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void finish(void);

void harness_bail(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printf("Bail out! %s\n", msg);
    fflush(stdout);
    fprintf(stderr, "api harness (%s): %s\n", api.name, msg);
    harness_print_log_tail(40);
    finish();
    exit(1);
}

/* ---- HTTP ---- */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static size_t on_body(char *data, size_t size, size_t n, void *cls)
{
    buf *b = cls;
    size_t k = size * n;
    if (b->len + k + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + k + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, k);
    b->len += k;
    b->p[b->len] = '\0';
    return k;
}

/* Copies the value of a header line "Name: value\r\n" when the name matches. */
static void header_value(const char *line, size_t n, const char *name, char *out, size_t size)
{
    size_t k = strlen(name);
    if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
        return;
    const char *v = line + k + 1;
    size_t vn = n - k - 1;
    while (vn && (*v == ' ' || *v == '\t'))
        v++, vn--;
    while (vn && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' '))
        vn--;
    snprintf(out, size, "%.*s", (int)vn, v);
}

static size_t on_header(char *data, size_t size, size_t n, void *cls)
{
    http_reply *r = cls;
    size_t k = size * n;
    header_value(data, k, "Allow", r->allow, sizeof(r->allow));
    header_value(data, k, "Content-Type", r->content_type, sizeof(r->content_type));
    header_value(data, k, "WWW-Authenticate", r->www_authenticate, sizeof(r->www_authenticate));
    header_value(data, k, "Content-Disposition", r->content_disposition,
                 sizeof(r->content_disposition));
    return k;
}

/* Written once when the port is chosen, before any thread runs: read-only afterwards. */
static char base_url_text[64];

const char *base_url(void)
{
    return base_url_text;
}

int http_send(const http_request *rq, http_reply *reply)
{
    memset(reply, 0, sizeof(*reply));
    bool on_main = pthread_equal(pthread_self(), main_thread);
    CURL *c = on_main ? main_curl : curl_easy_init();
    if (!c)
        return -1;
    if (on_main)
        curl_easy_reset(c);

    size_t url_len = strlen(rq->path) + 64;
    char *url = malloc(url_len);
    if (!url) {
        if (!on_main)
            curl_easy_cleanup(c);
        return -1;
    }
    if (rq->port)
        snprintf(url, url_len, "http://127.0.0.1:%d%s", rq->port, rq->path);
    else
        snprintf(url, url_len, "%s%s", base_url(), rq->path);

    struct curl_slist *h = NULL;
    char line[512];
    if (rq->raw_authorization) {
        snprintf(line, sizeof(line), "Authorization: %s", rq->raw_authorization);
        h = curl_slist_append(h, line);
    } else if (rq->key) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", rq->key);
        h = curl_slist_append(h, line);
    }
    if (rq->content_type) {
        snprintf(line, sizeof(line), "Content-Type: %s", rq->content_type);
        h = curl_slist_append(h, line);
    } else {
        h = curl_slist_append(h, "Content-Type:"); /* curl would add a form type */
    }
    if (rq->accept_language) {
        snprintf(line, sizeof(line), "Accept-Language: %s", rq->accept_language);
        h = curl_slist_append(h, line);
    }
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    if (rq->extra_header)
        h = curl_slist_append(h, rq->extra_header);

    buf body = {0};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, reply);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 180L); /* valgrind is slow */
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    if (!strcmp(rq->method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L); /* headers only: no body to wait for */
    if (rq->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);

    CURLcode cr = curl_easy_perform(c);
    long status = 0;
    if (cr == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    free(url);
    if (!on_main)
        curl_easy_cleanup(c);

    reply->status = status;
    if (cr != CURLE_OK)
        snprintf(reply->error, sizeof(reply->error), "%s: %s", curl_easy_strerror(cr), errbuf);
    reply->body = body.p ? body.p : strdup("");
    reply->body_len = body.len;
    if (cr != CURLE_OK)
        return -1;
    json_error_t e;
    reply->json = body.len ? json_loadb(body.p, body.len, JSON_DECODE_ANY, &e) : NULL;
    return 0;
}

void http_reply_free(http_reply *reply)
{
    if (!reply)
        return;
    json_decref(reply->json);
    free(reply->body);
    memset(reply, 0, sizeof(*reply));
}

int http(const char *method, const char *path, const char *key, const char *content_type,
         const char *body, size_t body_len, long *status, json_t **json)
{
    http_request rq = {.method = method,
                       .path = path,
                       .key = key,
                       .content_type = content_type,
                       .body = body,
                       .body_len = body_len};
    http_reply r;
    int ret = http_send(&rq, &r);
    if (status)
        *status = r.status;
    if (json) {
        *json = r.json;
        r.json = NULL;
    }
    http_reply_free(&r);
    return ret;
}

const char *key_of(key_kind k)
{
    switch (k) {
    case KEY_CRM:
        return api.crm_key;
    case KEY_DASHBOARD:
        return api.dash_key;
    case KEY_ADMIN:
        return api.admin_key;
    case KEY_MANAGER:
        return api.manager_key;
    case KEY_NONE:
        break;
    }
    return NULL;
}

json_t *get_json(const char *path, const char *key, long *status)
{
    json_t *j = NULL;
    http("GET", path, key, NULL, NULL, 0, status, &j);
    return j;
}

json_t *send_json(const char *method, const char *path, const char *key, json_t *body,
                  const char *accept_language, long *status)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    http_request rq = {.method = method,
                       .path = path,
                       .key = key,
                       .content_type = "application/json",
                       .body = text,
                       .body_len = text ? strlen(text) : 0,
                       .accept_language = accept_language};
    http_reply r;
    http_send(&rq, &r);
    free(text);
    if (status)
        *status = r.status;
    json_t *j = r.json;
    r.json = NULL;
    http_reply_free(&r);
    return j;
}

json_t *post_json(const char *path, const char *key, json_t *body, long *status)
{
    return send_json("POST", path, key, body, NULL, status);
}

/* ---- the database ---- */

static void create_database(void)
{
    char err[1024];
    snprintf(api.db_name, sizeof(api.db_name), "api_%s_%ld", api.name, (long)getpid());
    if (rd_test_create_database(api.admin_url, api.db_name, api.db_url, sizeof(api.db_url), err,
                                sizeof(err)) < 0)
        harness_bail("%s", err);
    db_created = true;
}

static void drop_database(void)
{
    char err[1024];
    if (!db_created)
        return;
    if (rd_test_drop_database(api.admin_url, api.db_name, err, sizeof(err)) < 0)
        fprintf(stderr, "api harness: %s\n", err);
    db_created = false;
}

/* ---- ports ---- */

static bool port_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

static int ephemeral_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t n = sizeof(a);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &n) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* Each program owns 8 ports of the block that REPEATD_TEST_PORT_BASE starts, so that
 * programs running in parallel never share one. */
static int pick_port(void)
{
    static const char *const programs[] = {
        "decisions",     "lifecycle",  "input",  "admin",  "concurrency", "restart", "kpi_params",
        "kpi_scenarios", "kpi_oracle", "import", "export", "hardening",   NULL};
    const char *base_env = getenv("REPEATD_TEST_PORT_BASE");
    long base = base_env ? strtol(base_env, NULL, 10) : 0;
    if (base > 1024 && base < 65000) {
        int slot = -1;
        for (int i = 0; programs[i]; i++)
            if (!strcmp(programs[i], api.name))
                slot = i;
        for (int k = 0; slot >= 0 && k < 8; k++)
            if ((int)base + slot * 8 + k != api.port && port_free((int)base + slot * 8 + k))
                return (int)base + slot * 8 + k;
    }
    int port = ephemeral_port();
    return port == api.port ? ephemeral_port() : port;
}

/* ---- processes ---- */

/* The server's environment: ours without the variables it reads, plus the fixture's. */
static char **server_env_for(const char *db_url)
{
    static const char *const drop[] = {"REPEATD_DATABASE_URL=",   "REPEATD_LISTEN=",
                                       "REPEATD_SECRET=",         "REPEATD_BOOTSTRAP_ADMIN_KEY=",
                                       "REPEATD_THREADS=",        "REPEATD_MAX_BODY_BYTES=",
                                       "REPEATD_METRICS_LISTEN=", NULL};
    static char db[1300], listen_on[64], secret[64], admin[128], threads[32], metrics_on[64];
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 8, sizeof(char *));
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool skip = false;
        for (int d = 0; drop[d]; d++)
            if (!strncmp(environ[i], drop[d], strlen(drop[d])))
                skip = true;
        if (!skip)
            env[k++] = environ[i];
    }
    snprintf(db, sizeof(db), "REPEATD_DATABASE_URL=%s", db_url);
    snprintf(listen_on, sizeof(listen_on), "REPEATD_LISTEN=127.0.0.1:%d", api.port);
    snprintf(secret, sizeof(secret), "REPEATD_SECRET=%s", SECRET);
    snprintf(admin, sizeof(admin), "REPEATD_BOOTSTRAP_ADMIN_KEY=%s", api.admin_key);
    snprintf(threads, sizeof(threads), "REPEATD_THREADS=4");
    env[k++] = db;
    env[k++] = listen_on;
    env[k++] = secret;
    env[k++] = admin;
    env[k++] = threads;
    if (api.metrics_port) {
        snprintf(metrics_on, sizeof(metrics_on), "REPEATD_METRICS_LISTEN=127.0.0.1:%d",
                 api.metrics_port);
        env[k++] = metrics_on;
    }
    env[k] = NULL;
    return env;
}

/* fork + exec with stdout to `out_fd` (or the log) and stderr to the log. */
static char **server_env(void)
{
    return server_env_for(api.db_url);
}

static pid_t spawn(char *const argv[], char **env, int out_fd)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a crashed test program */
    int log = open(api.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0)
        dup2(null, STDIN_FILENO);
    if (log >= 0) {
        dup2(out_fd >= 0 ? out_fd : log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
    }
    execvpe(argv[0], argv, env);
    dprintf(STDERR_FILENO, "api harness: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static int exit_status_of(int ws)
{
    if (WIFEXITED(ws))
        return WEXITSTATUS(ws);
    if (WIFSIGNALED(ws))
        return 128 + WTERMSIG(ws);
    return -1;
}

pid_t harness_spawn_repeatd_on(const char *db_url, const char *const *args)
{
    char *argv[16];
    int n = 0;
    argv[n++] = api.bin;
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    char **env = server_env_for(db_url);
    pid_t pid = spawn(argv, env, -1);
    free(env);
    return pid;
}

int harness_wait(pid_t pid)
{
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    return exit_status_of(ws);
}

int harness_run_repeatd(char *out, size_t out_size, const char *const *args)
{
    return harness_run_repeatd_on(api.db_url, out, out_size, args);
}

int harness_run_repeatd_on(const char *db_url, char *out, size_t out_size, const char *const *args)
{
    return harness_run_program_on(api.bin, db_url, out, out_size, args);
}

int harness_run_program_on(const char *bin, const char *db_url, char *out, size_t out_size,
                           const char *const *args)
{
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)bin;
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    char **env = server_env_for(db_url);
    pid_t pid = spawn(argv, env, fds[1]);
    free(env);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    buf b = {0};
    char chunk[512];
    ssize_t k;
    while ((k = read(fds[0], chunk, sizeof(chunk))) > 0 || (k < 0 && errno == EINTR))
        if (k > 0)
            on_body(chunk, 1, (size_t)k, &b);
    close(fds[0]);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    if (out && out_size) {
        const char *text = b.p ? b.p : "";
        snprintf(out, out_size, "%.*s", (int)strcspn(text, "\r\n"), text);
    }
    free(b.p);
    return exit_status_of(ws);
}

static void start_server(void)
{
    char *argv[64];
    int n = 0;
    char *wrapper = NULL;
    const char *w = getenv("REPEATD_TEST_SERVER_WRAPPER");
    if (w && *w) {
        wrapper = strdup(w);
        for (char *save = NULL, *t = strtok_r(wrapper, " \t", &save); t && n < 60;
             t = strtok_r(NULL, " \t", &save))
            argv[n++] = t;
    }
    argv[n++] = api.bin;
    argv[n++] = "serve";
    argv[n] = NULL;
    char **env = server_env();
    api.pid = spawn(argv, env, -1);
    free(env);
    free(wrapper);
    if (api.pid < 0) {
        api.pid = 0;
        harness_bail("fork failed: %s", strerror(errno));
    }
}

bool harness_server_alive(void)
{
    if (api.pid <= 0)
        return false;
    int ws;
    pid_t r = waitpid(api.pid, &ws, WNOHANG);
    if (r == api.pid) {
        api.exit_status = exit_status_of(ws);
        api.pid = 0;
        return false;
    }
    return true;
}

static void wait_ready(void)
{
    double until = now_s() + READY_WAIT_S;
    while (now_s() < until) {
        if (!harness_server_alive())
            harness_bail("the server exited with status %d before it was ready", api.exit_status);
        long status = 0;
        http("GET", "/readyz", NULL, NULL, NULL, 0, &status, NULL);
        if (status == 200)
            return;
        msleep(100);
    }
    harness_bail("the server was not ready within %d s", READY_WAIT_S);
}

static void create_key(const char *role, const char *name, char *out, size_t size)
{
    const char *args[] = {"key", "create", "--role", role, "--name", name, NULL};
    int st = harness_run_repeatd(out, size, args);
    if (st != 0 || strncmp(out, "rk_", 3) != 0)
        harness_bail("repeatd key create --role %s failed (exit %d)", role, st);
}

static void load_categories(void)
{
    const char *root = getenv("REPEATD_TEST_SOURCE_ROOT");
    char path[1024];
    snprintf(path, sizeof(path), "%s/deploy/sample-categories.json", root ? root : ".");
    json_error_t e;
    json_t *tree = json_load_file(path, 0, &e);
    if (!tree)
        harness_bail("cannot read %s: %s", path, e.text);
    long status = 0;
    json_t *r = send_json("PUT", "/v1/admin/categories", api.admin_key, tree, NULL, &status);
    json_decref(tree);
    json_decref(r);
    if (status != 200)
        harness_bail("PUT /v1/admin/categories answered %ld", status);
}

int harness_stop_server(void)
{
    if (api.pid <= 0)
        return api.exit_status;
    kill(api.pid, SIGTERM);
    double until = now_s() + STOP_WAIT_S;
    while (now_s() < until) {
        if (!harness_server_alive())
            return api.exit_status;
        msleep(50);
    }
    fprintf(stderr, "api harness: the server did not stop within %d s; killing it\n", STOP_WAIT_S);
    kill(api.pid, SIGKILL);
    int ws;
    waitpid(api.pid, &ws, 0);
    api.pid = 0;
    api.exit_status = -1;
    return -1;
}

void harness_print_log_tail(int lines)
{
    FILE *f = api.log_path[0] ? fopen(api.log_path, "r") : NULL;
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    long from = size > 16384 ? size - 16384 : 0;
    fseek(f, from, SEEK_SET);
    char *text = calloc(1, (size_t)(size - from) + 1);
    size_t n = text ? fread(text, 1, (size_t)(size - from), f) : 0;
    fclose(f);
    if (!text)
        return;
    int seen = 0;
    size_t start = n;
    while (start > 0 && seen <= lines)
        if (text[--start] == '\n')
            seen++;
    fprintf(stderr, "---- last lines of %s ----\n%s\n---- end of server log ----\n", api.log_path,
            text + start);
    free(text);
}

static void finish(void)
{
    if (api.pid > 0) {
        kill(api.pid, SIGKILL);
        int ws;
        waitpid(api.pid, &ws, 0);
        api.pid = 0;
    }
    drop_database();
    if (main_curl) {
        curl_easy_cleanup(main_curl);
        main_curl = NULL;
    }
    if (curl_ready) {
        curl_global_cleanup();
        curl_ready = false;
    }
}

static void at_exit(void)
{
    if (api.pid > 0) { /* a crash of the test program: do not leave the server behind */
        kill(api.pid, SIGKILL);
        waitpid(api.pid, NULL, 0);
        api.pid = 0;
    }
}

void harness_start_on(const char *name, const char *admin_url)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(api.name, sizeof(api.name), "%s", name);
    snprintf(api.admin_url, sizeof(api.admin_url), "%s", admin_url);
    snprintf(api.admin_key, sizeof(api.admin_key), "%s", ADMIN_KEY);
    api.exit_status = -1;
    main_thread = pthread_self();
    atexit(at_exit);
    signal(SIGPIPE, SIG_IGN);

    const char *bin = getenv("REPEATD_BIN");
    if (!bin || !*bin)
        harness_bail("REPEATD_BIN is not set (run through meson test)");
    snprintf(api.bin, sizeof(api.bin), "%s", bin);
    const char *dir = getenv("REPEATD_TEST_LOG_DIR");
    snprintf(api.log_path, sizeof(api.log_path), "%s/api-%s-server.log", dir ? dir : ".", name);
    unlink(api.log_path);

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        harness_bail("curl_global_init failed");
    curl_ready = true;
    main_curl = curl_easy_init();
    if (!main_curl)
        harness_bail("curl_easy_init failed");

    create_database();
    api.port = pick_port();
    if (api.port <= 0)
        harness_bail("no free TCP port");
    snprintf(base_url_text, sizeof(base_url_text), "http://127.0.0.1:%d", api.port);
    if (api.metrics_listener && (api.metrics_port = pick_port()) <= 0)
        harness_bail("no free TCP port for the metrics address");
    start_server();
    wait_ready();
    create_key("crm", "t-crm", api.crm_key, sizeof(api.crm_key));
    create_key("dashboard", "t-dashboard", api.dash_key, sizeof(api.dash_key));
    create_key("manager", "t-manager", api.manager_key, sizeof(api.manager_key));
    load_categories();
}

void harness_start(const char *name)
{
    const char *url = rd_test_cluster_url();
    if (!url)
        rd_test_skip("no database (REPEATD_TEST_DATABASE_URL is not set)");
    harness_start_on(name, url);
}

START_TEST(server_stops_cleanly)
{
    ck_assert_msg(harness_server_alive(), "the server died during the tests (status %d)",
                  api.exit_status);
    int st = harness_stop_server();
    ck_assert_msg(st == 0,
                  "the server exited with status %d on SIGTERM (99: valgrind found errors or "
                  "leaks; see %s)",
                  st, api.log_path);
}
END_TEST

int harness_run(Suite *s, TCase *last)
{
    tcase_add_test(last, server_stops_cleanly);
    int rc = rd_test_run(s, false);
    if (rc)
        harness_print_log_tail(60);
    finish();
    return rc;
}
