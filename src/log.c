/* Structured logs: one JSON object per line on stderr, written with a single write(2). */
#include "repeatd/log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
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
                    double duration_ms, const char *error_code, const char *ended)
{
    char ts[40];
    now_rfc3339(ts);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "time", ts, "level", "info", "request_id",
                          request_id, "method", method, "path", path);
    if (!o) /* a path that is not UTF-8: log the request without it */
        o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "time", ts, "level", "info", "request_id",
                      request_id, "method", method, "path", "(not UTF-8)");
    if (!o)
        return;
    if (status)
        json_object_set_new(o, "status", json_integer(status));
    json_object_set_new(o, "duration_ms", json_real(duration_ms));
    if (error_code)
        json_object_set_new(o, "error", json_string(error_code));
    if (ended)
        json_object_set_new(o, "ended", json_string(ended));
    emit(o);
}

void rd_log_mask_digits(const char *in, char *out, size_t size)
{
    size_t i = 0;
    for (; in[i] && i + 1 < size; i++)
        out[i] = in[i];
    out[i] = '\0';
    /* Segment by segment: one with three digits or more may be a phone or an id ("v1" stays). */
    for (char *seg = out; *seg;) {
        size_t len = strcspn(seg, "/?&=");
        size_t digits = 0;
        for (size_t k = 0; k < len; k++)
            digits += seg[k] >= '0' && seg[k] <= '9';
        for (size_t k = 0; digits >= 3 && k < len; k++)
            if (seg[k] >= '0' && seg[k] <= '9')
                seg[k] = '#';
        seg += len;
        if (*seg)
            seg++;
    }
}

static pthread_mutex_t library_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t library_second;
static int library_in_second;
static long library_dropped;

void rd_log_library(const char *source, const char *fmt, va_list ap)
{
    char raw[512], msg[512], ts[40];
    time_t now = time(NULL);
    long dropped = 0;
    pthread_mutex_lock(&library_lock);
    if (now != library_second) {
        library_second = now;
        library_in_second = 0;
    }
    bool pass = library_in_second < RD_LOG_LIBRARY_PER_S;
    if (pass) {
        library_in_second++;
        dropped = library_dropped;
        library_dropped = 0;
    } else {
        library_dropped++;
    }
    pthread_mutex_unlock(&library_lock);
    if (!pass)
        return;
    vsnprintf(raw, sizeof(raw), fmt, ap);
    raw[strcspn(raw, "\r\n")] = '\0';
    /* Runs of six digits or more (a phone, an id) masked; addresses and ports stay. */
    size_t o = 0;
    for (size_t i = 0; raw[i];) {
        size_t run = strspn(raw + i, "0123456789");
        if (run >= 6) {
            memset(msg + o, '#', run);
            o += run;
            i += run;
        } else if (run) {
            memcpy(msg + o, raw + i, run);
            o += run;
            i += run;
        } else {
            msg[o++] = raw[i++];
        }
    }
    msg[o] = '\0';
    now_rfc3339(ts);
    json_t *obj = json_pack("{s:s, s:s, s:s, s:s}", "time", ts, "level", "warn", "source", source,
                            "msg", msg);
    if (!obj)
        obj = json_pack("{s:s, s:s, s:s, s:s}", "time", ts, "level", "warn", "source", source,
                        "msg", "(a message that is not UTF-8)");
    if (obj && dropped)
        json_object_set_new(obj, "dropped_before", json_integer(dropped));
    if (obj)
        emit(obj);
}
