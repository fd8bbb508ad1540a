/* Structured logs: one JSON object per line on stderr, written with a single write(2). */
#include "repeatd/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *level_names[] = {"info", "warn", "error"};

static void now_rfc3339(char buf[40])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 40 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* One write per line so that lines from worker threads never interleave. */
static void emit(json_t *obj)
{
    char *line = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (!line)
        return;
    size_t n = strlen(line);
    line[n] = '\n'; /* replaces the NUL; we write n+1 bytes and never use it as a string */
    ssize_t w = write(STDERR_FILENO, line, n + 1);
    (void)w;
    free(line);
}

void rd_log(rd_log_level level, const char *fmt, ...)
{
    char ts[40], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    now_rfc3339(ts);
    emit(json_pack("{s:s, s:s, s:s}", "time", ts, "level", level_names[level], "msg", msg));
}

void rd_log_request(const char *request_id, const char *method, const char *path, unsigned status,
                    double duration_ms, const char *error_code)
{
    char ts[40];
    now_rfc3339(ts);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:f}", "time", ts, "level", "info",
                          "request_id", request_id, "method", method, "path", path, "status",
                          (json_int_t)status, "duration_ms", duration_ms);
    if (!o) /* a percent-decoded path that is not UTF-8: log the request without it */
        o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:f}", "time", ts, "level", "info",
                      "request_id", request_id, "method", method, "path", "(not UTF-8)", "status",
                      (json_int_t)status, "duration_ms", duration_ms);
    if (o && error_code)
        json_object_set_new(o, "error", json_string(error_code));
    if (o)
        emit(o);
}
