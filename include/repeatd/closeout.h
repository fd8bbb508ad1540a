/* Close-out inspection (工单回单要素巡检): required elements and quality checks, pure. */
#pragma once

#include "repeatd/settings.h"
#include <stdbool.h>
#include <stdint.h>

typedef enum rd_defect_code {
    RD_DEFECT_MISSING_ELEMENT = 0, /* absent or empty */
    RD_DEFECT_TOO_SHORT,           /* fewer than closeout_min_chars characters */
    RD_DEFECT_BOILERPLATE_ONLY,    /* only a boilerplate phrase such as 已处理 */
    RD_DEFECT_CONTACT_TIME_BEFORE_RECEIVED,
    RD_DEFECT_CONTACT_TIME_IN_FUTURE,
    RD_DEFECT_REPLY_METHOD_NOT_ALLOWED,  /* not phone, sms, visit, letter, app */
    RD_DEFECT_SATISFIED_WITHOUT_CONTACT, /* satisfied, yet no successful contact on record */
    RD_DEFECT_COUNT_
} rd_defect_code;

/* Three-valued answers: the element may be missing. */
typedef enum rd_tristate { RD_UNSET = -1, RD_FALSE = 0, RD_TRUE = 1 } rd_tristate;

typedef struct rd_closeout {
    const char *cause;            /* 投诉产生原因; NULL when missing */
    const char *verification;     /* 查证情况 */
    const char *handling_opinion; /* 处理意见 */
    const char *reply_method;     /* 回复方式 */
    bool has_contact_time;        /* 联系时间 */
    int64_t contact_time;
    const char *reply_to_citizen; /* 回复市民情况 */
    rd_tristate resolved;         /* 问题是否解决 */
    rd_tristate satisfied;        /* 市民是否满意 */
} rd_closeout;

typedef struct rd_closeout_context {
    int64_t ticket_received_at;
    int64_t now;          /* a contact time after this is in the future */
    bool contact_reached; /* a successful contact (attempt or follow-up) is on record */
} rd_closeout_context;

typedef struct rd_defect {
    rd_defect_code code;
    const char *field; /* the element's wire name, static */
} rd_defect;

#define RD_DEFECTS_MAX 16

/* Inspect; writes up to RD_DEFECTS_MAX defects in a stable order (elements in the order of
 * the struct, then cross checks) and returns how many (0 = accepted). */
size_t rd_closeout_inspect(const rd_closeout *c, const rd_closeout_context *ctx,
                           const rd_settings *s, rd_defect ret[RD_DEFECTS_MAX]);

/* Stable code ("missing_element", ...) and an English message for a defect code. */
const char *rd_defect_name(rd_defect_code c);
const char *rd_defect_message(rd_defect_code c);

/* A defect back from its code and element names (a stored rejection); -EINVAL when either is
 * not one the inspection writes. */
int rd_defect_parse(const char *code, const char *field, rd_defect *ret);

/* Characters (UTF-8 code points) of a valid UTF-8 string. */
size_t rd_utf8_chars(const char *s);

/* Whether s is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF) of `len` bytes. */
bool rd_utf8_valid(const char *s, size_t len);
