/* Structured logs: one JSON object per line on stderr. Never log a phone number. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

typedef enum rd_log_level { RD_LOG_INFO, RD_LOG_WARN, RD_LOG_ERROR } rd_log_level;

/* A free-form event: {"time":..., "level":..., "msg": <formatted>}. */
void rd_log(rd_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The access log line of one request. `path` is the route pattern, or for a path no route
 * matched the path with its digits masked (rd_log_mask_digits). status 0: no reply was sent
 * (then no "status"); `ended` says why a request ended without a complete exchange
 * ("client_closed", "timeout", "shutdown", "error"), NULL when it completed. */
void rd_log_request(const char *request_id, const char *method, const char *path, unsigned status,
                    double duration_ms, const char *error_code, const char *ended);

/* Copy `in` with the digits of every path segment that holds three or more replaced by '#'
 * (a path that may hold a phone number or a citizen id: /v1/callers/###########/x). */
void rd_log_mask_digits(const char *in, char *out, size_t size);

/* A message of a library (libmicrohttpd), formatted and logged at "warn" with "source", runs
 * of six digits or more masked, at most RD_LOG_LIBRARY_PER_S lines a second: what is over is
 * counted and the count logged with the next line let through. */
#define RD_LOG_LIBRARY_PER_S 20
void rd_log_library(const char *source, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
