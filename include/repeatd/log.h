/* Structured logs: one JSON object per line on stderr. Never log a phone number. */
#pragma once

typedef enum rd_log_level { RD_LOG_INFO, RD_LOG_WARN, RD_LOG_ERROR } rd_log_level;

/* A free-form event: {"time":..., "level":..., "msg": <formatted>}. */
void rd_log(rd_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The access log line of one request. */
void rd_log_request(const char *request_id, const char *method, const char *path, unsigned status,
                    double duration_ms, const char *error_code);
