/* API: bad input. One table of requests that must be refused with the right status, error code
 * and field, each leaving nothing behind; then limits at their edges, garbage URLs and bytes,
 * and a check that the server is still healthy afterwards. Never a crash, never a 500. */
#include "scenario.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define JSON "application/json"

/* Authorization variants beyond the three roles. */
typedef enum auth_kind {
    AUTH_KEY = 0, /* the key of row.key (KEY_NONE: no header) */
    AUTH_UNKNOWN, /* a well-formed key nobody issued */
    AUTH_BASIC,   /* another scheme */
    AUTH_EMPTY,   /* "Bearer " and nothing */
} auth_kind;

typedef struct row {
    const char *name;
    const char *method;
    const char *path;
    key_kind key;
    auth_kind auth;
    const char *content_type;
    const char *body;
    size_t body_len; /* 0: strlen(body) */
    long status;
    const char *error;
    const char *field;
    const char *allow;  /* the Allow header of a 405 */
    const char *absent; /* a ticket that must not exist afterwards */
} row;

/* A ticket body: `id` and the usual fields, with `rest` appended inside the object. */
#define AT_OK        "\"received_at\":\"2026-09-03T09:00:00+08:00\""
#define CIT_OK       "\"citizen\":{\"phone\":\"13900000301\"}"
#define CAT_OK       "\"category\":\"HB.ZS.JZ\""
#define TB(id, rest) "{\"ticket_id\":\"" id "\"," AT_OK "," CIT_OK "," CAT_OK rest "}"
/* A ticket body without the usual fields: `fields` is everything after the id. */
#define TBX(id, fields) "{\"ticket_id\":\"" id "\"" fields "}"

/* A POST /v1/tickets row with the crm key; the ticket must not exist afterwards. */
#define TICKET(nm, id, body_, st, err, fld)                                                        \
    {                                                                                              \
        .name = nm, .method = "POST", .path = "/v1/tickets", .key = KEY_CRM, .content_type = JSON, \
        .body = body_, .status = st, .error = err, .field = fld, .absent = id                      \
    }

#define BAD_FIELD(nm, id, body_, fld) TICKET(nm, id, body_, 400, "invalid_field", fld)

/* A POST of an event to IN-EV, an open ticket made before the table runs. */
#define EVENT_ROW(nm, body_, fld)                                                                  \
    {                                                                                              \
        .name = nm, .method = "POST", .path = "/v1/tickets/IN-EV/events", .key = KEY_CRM,          \
        .content_type = JSON, .body = body_, .status = 400, .error = "invalid_field", .field = fld \
    }

#define EV_AT "\"at\":\"2026-09-03T10:00:00+08:00\""

#define ID65 "A234567890123456789012345678901234567890123456789012345678901234X"
#define S129                                                                                       \
    "C2345678901234567890123456789012345678901234567890123456789012345678901234567890"             \
    "1234567890123456789012345678901234567890123456789"

/* clang-format off */
static const row table[] = {
    /* ---- authentication and roles ---- */
    {.name = "no key", .method = "POST", .path = "/v1/tickets", .content_type = JSON, .body = TB("IN-AUTH-1", ""), .status = 401, .error = "unauthorized", .absent = "IN-AUTH-1"},
    {.name = "unknown key", .method = "POST", .path = "/v1/tickets", .auth = AUTH_UNKNOWN, .content_type = JSON, .body = TB("IN-AUTH-2", ""), .status = 401, .error = "unauthorized", .absent = "IN-AUTH-2"},
    {.name = "basic auth", .method = "POST", .path = "/v1/tickets", .auth = AUTH_BASIC, .content_type = JSON, .body = TB("IN-AUTH-3", ""), .status = 401, .error = "unauthorized", .absent = "IN-AUTH-3"},
    {.name = "empty bearer", .method = "GET", .path = "/v1/tickets/IN-EV", .auth = AUTH_EMPTY, .status = 401, .error = "unauthorized"},
    {.name = "crm key on admin settings", .method = "GET", .path = "/v1/admin/settings", .key = KEY_CRM, .status = 403, .error = "forbidden"},
    {.name = "crm key on settings patch", .method = "PATCH", .path = "/v1/admin/settings", .key = KEY_CRM, .content_type = JSON, .body = "{\"repeat_window_months\":3}", .status = 403, .error = "forbidden"},
    {.name = "crm key on categories", .method = "PUT", .path = "/v1/admin/categories", .key = KEY_CRM, .content_type = JSON, .body = "{\"categories\":[{\"code\":\"X\",\"name\":\"x\"}]}", .status = 403, .error = "forbidden"},
    {.name = "dashboard key on tickets", .method = "POST", .path = "/v1/tickets", .key = KEY_DASHBOARD, .content_type = JSON, .body = TB("IN-AUTH-4", ""), .status = 403, .error = "forbidden", .absent = "IN-AUTH-4"},
    {.name = "dashboard key on a ticket", .method = "GET", .path = "/v1/tickets/IN-EV", .key = KEY_DASHBOARD, .status = 403, .error = "forbidden"},
    {.name = "dashboard key on caller history", .method = "GET", .path = "/v1/callers/13900000301/history", .key = KEY_DASHBOARD, .status = 403, .error = "forbidden"},
    {.name = "manager key on settings", .method = "GET", .path = "/v1/admin/settings", .key = KEY_MANAGER, .status = 403, .error = "forbidden"},
    {.name = "manager key on settings patch", .method = "PATCH", .path = "/v1/admin/settings", .key = KEY_MANAGER, .content_type = JSON, .body = "{\"repeat_window_months\":3}", .status = 403, .error = "forbidden"},
    {.name = "manager key on categories", .method = "PUT", .path = "/v1/admin/categories", .key = KEY_MANAGER, .content_type = JSON, .body = "{\"categories\":[{\"code\":\"X\",\"name\":\"x\"}]}", .status = 403, .error = "forbidden"},
    {.name = "manager key on units", .method = "PUT", .path = "/v1/admin/units", .key = KEY_MANAGER, .content_type = JSON, .body = "{\"units\":[]}", .status = 403, .error = "forbidden"},
    {.name = "manager key on tickets", .method = "POST", .path = "/v1/tickets", .key = KEY_MANAGER, .content_type = JSON, .body = TB("IN-AUTH-5", ""), .status = 403, .error = "forbidden", .absent = "IN-AUTH-5"},
    {.name = "manager key on caller history", .method = "GET", .path = "/v1/callers/13900000301/history", .key = KEY_MANAGER, .status = 403, .error = "forbidden"},

    /* ---- routing ---- */
    {.name = "unknown path", .method = "GET", .path = "/v1/nope", .key = KEY_CRM, .status = 404, .error = "not_found"},
    {.name = "unknown dashboard file", .method = "GET", .path = "/ui/nope.js", .status = 404, .error = "not_found"},
    {.name = "dashboard file in a folder", .method = "GET", .path = "/ui/a/app.js", .status = 404, .error = "not_found"},
    {.name = "dashboard path escaping", .method = "GET", .path = "/ui/..%2Fmeson.build", .status = 404, .error = "not_found"},
    {.name = "the dashboard's folder alone", .method = "GET", .path = "/ui/", .status = 404, .error = "not_found"},
    {.name = "PUT to the root", .method = "PUT", .path = "/", .content_type = JSON, .body = "{}", .status = 405, .error = "method_not_allowed", .allow = "GET"},
    {.name = "empty ticket id segment", .method = "GET", .path = "/v1/tickets/", .key = KEY_CRM, .status = 404, .error = "not_found"},
    {.name = "extra segment", .method = "GET", .path = "/v1/tickets/IN-EV/events/1", .key = KEY_CRM, .status = 404, .error = "not_found"},
    {.name = "unknown ticket", .method = "GET", .path = "/v1/tickets/IN-NOPE", .key = KEY_CRM, .status = 404, .error = "not_found"},
    {.name = "DELETE tickets", .method = "DELETE", .path = "/v1/tickets", .key = KEY_CRM, .status = 405, .error = "method_not_allowed", .allow = "POST"},
    {.name = "GET tickets", .method = "GET", .path = "/v1/tickets", .key = KEY_CRM, .status = 405, .error = "method_not_allowed", .allow = "POST"},
    {.name = "PUT settings", .method = "PUT", .path = "/v1/admin/settings", .key = KEY_ADMIN, .content_type = JSON, .body = "{}", .status = 405, .error = "method_not_allowed", .allow = "GET, PATCH"},
    {.name = "POST healthz", .method = "POST", .path = "/healthz", .status = 405, .error = "method_not_allowed", .allow = "GET"},
    {.name = "DELETE a ticket", .method = "DELETE", .path = "/v1/tickets/IN-EV", .key = KEY_CRM, .status = 405, .error = "method_not_allowed", .allow = "GET"},
    {.name = "unknown method", .method = "BREW", .path = "/v1/classify", .key = KEY_CRM, .status = 405, .error = "method_not_allowed", .allow = "POST"},

    /* ---- the body as a whole ---- */
    {.name = "text/plain", .method = "POST", .path = "/v1/tickets", .key = KEY_CRM, .content_type = "text/plain", .body = TB("IN-B-1", ""), .status = 415, .error = "unsupported_media_type", .absent = "IN-B-1"},
    {.name = "no content type", .method = "POST", .path = "/v1/tickets", .key = KEY_CRM, .body = TB("IN-B-2", ""), .status = 415, .error = "unsupported_media_type", .absent = "IN-B-2"},
    {.name = "form content type", .method = "POST", .path = "/v1/tickets", .key = KEY_CRM, .content_type = "application/x-www-form-urlencoded", .body = TB("IN-B-3", ""), .status = 415, .error = "unsupported_media_type", .absent = "IN-B-3"},
    {.name = "json-ish content type", .method = "POST", .path = "/v1/tickets", .key = KEY_CRM, .content_type = "application/jsonp", .body = TB("IN-B-4", ""), .status = 415, .error = "unsupported_media_type", .absent = "IN-B-4"},
    TICKET("invalid JSON", "IN-B-5", "{\"ticket_id\":\"IN-B-5\",", 400, "invalid_json", NULL),
    TICKET("empty body", NULL, "", 400, "invalid_json", NULL),
    TICKET("JSON array", "IN-B-6", "[" TB("IN-B-6", "") "]", 400, "invalid_json", NULL),
    TICKET("JSON string", NULL, "\"IN-B-7\"", 400, "invalid_json", NULL),
    TICKET("JSON null", NULL, "null", 400, "invalid_json", NULL),
    TICKET("JSON number", NULL, "42", 400, "invalid_json", NULL),
    TICKET("duplicate keys", "IN-B-8", TB("IN-B-8", ",\"ticket_id\":\"IN-B-8\""), 400, "invalid_json", NULL),
    TICKET("trailing garbage", "IN-B-9", TB("IN-B-9", "") "x", 400, "invalid_json", NULL),
    TICKET("invalid UTF-8 byte", "IN-U-1", TB("IN-U-1", ",\"description\":\"\xff\xfe 工地\""), 400, "invalid_json", NULL),
    TICKET("overlong UTF-8", "IN-U-2", TB("IN-U-2", ",\"description\":\"\xc0\xaf\""), 400, "invalid_json", NULL),
    TICKET("UTF-8 surrogate", "IN-U-3", TB("IN-U-3", ",\"description\":\"\xed\xa0\x80\""), 400, "invalid_json", NULL),
    TICKET("truncated UTF-8", "IN-U-4", TB("IN-U-4", ",\"description\":\"\xe5\xb7\""), 400, "invalid_json", NULL),
    TICKET("escaped lone surrogate", "IN-U-5", TB("IN-U-5", ",\"description\":\"\\ud800\""), 400, "invalid_json", NULL),
    TICKET("escaped NUL", "IN-U-6", TB("IN-U-6", ",\"description\":\"a\\u0000b\""), 400, "invalid_json", NULL),
    {.name = "raw NUL byte in a string", .method = "POST", .path = "/v1/tickets", .key = KEY_CRM, .content_type = JSON, .body = TB("IN-U-7", ",\"description\":\"a\0b\""), .body_len = sizeof(TB("IN-U-7", ",\"description\":\"a\0b\"")) - 1, .status = 400, .error = "invalid_json", .absent = "IN-U-7"},
    {.name = "raw NUL byte after the object", .method = "POST", .path = "/v1/tickets", .key = KEY_CRM, .content_type = JSON, .body = TB("IN-U-8", "") "\0", .body_len = sizeof(TB("IN-U-8", "") "\0") - 1, .status = 400, .error = "invalid_json", .absent = "IN-U-8"},
    TICKET("number overflow", "IN-B-10", TBX("IN-B-10", "," AT_OK "," CIT_OK "," CAT_OK ",\"location\":{\"lat\":1e400,\"lon\":113.2}"), 400, "invalid_json", NULL),

    /* ---- wrong types, one per field kind ---- */
    BAD_FIELD("ticket_id as number", NULL, "{\"ticket_id\":123," AT_OK "," CIT_OK "," CAT_OK "}", "ticket_id"),
    BAD_FIELD("received_at number", "IN-T-1", TBX("IN-T-1", ",\"received_at\":1764292500," CIT_OK "," CAT_OK), "received_at"),
    BAD_FIELD("received_at bool", "IN-T-2", TBX("IN-T-2", ",\"received_at\":true," CIT_OK "," CAT_OK), "received_at"),
    BAD_FIELD("channel number", "IN-T-3", TB("IN-T-3", ",\"channel\":5"), "channel"),
    BAD_FIELD("citizen string", "IN-T-4", TBX("IN-T-4", "," AT_OK ",\"citizen\":\"13900000301\"," CAT_OK), "citizen"),
    BAD_FIELD("citizen array", "IN-T-5", TBX("IN-T-5", "," AT_OK ",\"citizen\":[]," CAT_OK), "citizen"),
    BAD_FIELD("citizen.phone number", "IN-T-6", TBX("IN-T-6", "," AT_OK ",\"citizen\":{\"phone\":13900000301}," CAT_OK), "citizen.phone"),
    BAD_FIELD("citizen.id number", "IN-T-7", TBX("IN-T-7", "," AT_OK ",\"citizen\":{\"id\":7}," CAT_OK), "citizen.id"),
    BAD_FIELD("category number", "IN-T-8", TBX("IN-T-8", "," AT_OK "," CIT_OK ",\"category\":1"), "category"),
    BAD_FIELD("location string", "IN-T-9", TB("IN-T-9", ",\"location\":\"天河区\""), "location"),
    BAD_FIELD("lat string", "IN-T-10", TB("IN-T-10", ",\"location\":{\"lat\":\"23.1\",\"lon\":113.2}"), "location.lat"),
    BAD_FIELD("address number", "IN-T-11", TB("IN-T-11", ",\"location\":{\"address\":5}"), "location.address"),
    BAD_FIELD("description array", "IN-T-12", TB("IN-T-12", ",\"description\":[\"噪音\"]"), "description"),
    BAD_FIELD("claim number", "IN-T-13", TB("IN-T-13", ",\"claim\":1"), "claim"),
    BAD_FIELD("new_evidence string", "IN-T-14", TB("IN-T-14", ",\"new_evidence\":\"yes\""), "new_evidence"),
    BAD_FIELD("new_evidence number", "IN-T-15", TB("IN-T-15", ",\"new_evidence\":1"), "new_evidence"),

    /* ---- enums ---- */
    BAD_FIELD("unknown claim", "IN-E-1", TB("IN-E-1", ",\"claim\":\"angry\""), "claim"),
    BAD_FIELD("claim in capitals", "IN-E-2", TB("IN-E-2", ",\"claim\":\"UNRESOLVED\""), "claim"),
    BAD_FIELD("claim none", "IN-E-3", TB("IN-E-3", ",\"claim\":\"none\""), "claim"),
    EVENT_ROW("unknown event type", "{\"type\":\"escalated\"," EV_AT "}", "type"),
    EVENT_ROW("event type missing", "{" EV_AT "}", "type"),
    EVENT_ROW("event type number", "{\"type\":3," EV_AT "}", "type"),
    EVENT_ROW("unknown contact outcome", "{\"type\":\"contact_attempt\"," EV_AT ",\"outcome\":\"voicemail\"}", "outcome"),
    EVENT_ROW("contact outcome missing", "{\"type\":\"contact_attempt\"," EV_AT "}", "outcome"),
    EVENT_ROW("unknown closed outcome", "{\"type\":\"closed\"," EV_AT ",\"outcome\":\"fixed\"}", "outcome"),
    EVENT_ROW("dispatched without unit", "{\"type\":\"dispatched\"," EV_AT "}", "unit"),
    EVENT_ROW("dispatched unit number", "{\"type\":\"dispatched\"," EV_AT ",\"unit\":5}", "unit"),
    EVENT_ROW("dispatched bad deadline", "{\"type\":\"dispatched\"," EV_AT ",\"unit\":\"U1\",\"deadline\":\"soon\"}", "deadline"),
    EVENT_ROW("event without at", "{\"type\":\"reopened\"}", "at"),
    EVENT_ROW("event date only", "{\"type\":\"reopened\",\"at\":\"2026-09-03\"}", "at"),
    EVENT_ROW("followup without reached", "{\"type\":\"followup\"," EV_AT "}", "reached"),
    EVENT_ROW("followup reached string", "{\"type\":\"followup\"," EV_AT ",\"reached\":\"yes\"}", "reached"),
    EVENT_ROW("audit without false_closeout", "{\"type\":\"audit\"," EV_AT "}", "false_closeout"),
    EVENT_ROW("closeout resolved string", "{\"type\":\"closeout\"," EV_AT ",\"resolved\":\"是\"}", "resolved"),
    EVENT_ROW("closeout cause number", "{\"type\":\"closeout\"," EV_AT ",\"cause\":42}", "cause"),
    EVENT_ROW("closeout unknown element", "{\"type\":\"closeout\"," EV_AT ",\"comment\":\"好\"}", "comment"),
    EVENT_ROW("closed with a dispatch field", "{\"type\":\"closed\"," EV_AT ",\"outcome\":\"resolved\",\"unit\":\"U1\"}", "unit"),
    {.name = "event as array", .method = "POST", .path = "/v1/tickets/IN-EV/events", .key = KEY_CRM, .content_type = JSON, .body = "[{\"type\":\"reopened\"," EV_AT "}]", .status = 400, .error = "invalid_json"},

    /* ---- required fields ---- */
    BAD_FIELD("no ticket_id", NULL, "{" AT_OK "," CIT_OK "," CAT_OK "}", "ticket_id"),
    BAD_FIELD("null ticket_id", NULL, "{\"ticket_id\":null," AT_OK "," CIT_OK "," CAT_OK "}", "ticket_id"),
    BAD_FIELD("no received_at", "IN-R-1", TBX("IN-R-1", "," CIT_OK "," CAT_OK), "received_at"),
    BAD_FIELD("no citizen", "IN-R-2", TBX("IN-R-2", "," AT_OK "," CAT_OK), "citizen"),
    BAD_FIELD("empty citizen", "IN-R-3", TBX("IN-R-3", "," AT_OK ",\"citizen\":{}," CAT_OK), "citizen"),
    BAD_FIELD("no category", "IN-R-4", TBX("IN-R-4", "," AT_OK "," CIT_OK), "category"),
    BAD_FIELD("empty category", "IN-R-5", TBX("IN-R-5", "," AT_OK "," CIT_OK ",\"category\":\"\""), "category"),
    BAD_FIELD("empty citizen.id", "IN-R-6", TBX("IN-R-6", "," AT_OK ",\"citizen\":{\"id\":\"\"}," CAT_OK), "citizen.id"),

    /* ---- ids and lengths (in characters) ---- */
    BAD_FIELD("ticket_id of 65 characters", ID65, TB(ID65, ""), "ticket_id"),
    BAD_FIELD("empty ticket_id", NULL, TB("", ""), "ticket_id"),
    BAD_FIELD("ticket_id with a space", NULL, TB("GD 001", ""), "ticket_id"),
    BAD_FIELD("ticket_id with a slash", NULL, TB("GD/001", ""), "ticket_id"),
    BAD_FIELD("ticket_id in Chinese", NULL, TB("工单001", ""), "ticket_id"),
    BAD_FIELD("citizen.id of 129 characters", "IN-L-1", TBX("IN-L-1", "," AT_OK ",\"citizen\":{\"id\":\"" S129 "\"}," CAT_OK), "citizen.id"),
    BAD_FIELD("category of 65 characters", "IN-L-2", TBX("IN-L-2", "," AT_OK "," CIT_OK ",\"category\":\"" ID65 "\""), "category"),
    BAD_FIELD("channel over 32 characters", "IN-L-3", TB("IN-L-3", ",\"channel\":\"phone-phone-phone-phone-phone-phone\""), "channel"),

    /* ---- times ---- */
    BAD_FIELD("time with a space", "IN-D-1", TBX("IN-D-1", ",\"received_at\":\"2026-09-03 09:00:00+08:00\"," CIT_OK "," CAT_OK), "received_at"),
    BAD_FIELD("time without offset", "IN-D-2", TBX("IN-D-2", ",\"received_at\":\"2026-09-03T09:00:00\"," CIT_OK "," CAT_OK), "received_at"),
    BAD_FIELD("30 February", "IN-D-3", TBX("IN-D-3", ",\"received_at\":\"2026-02-30T09:00:00+08:00\"," CIT_OK "," CAT_OK), "received_at"),
    BAD_FIELD("hour 25", "IN-D-4", TBX("IN-D-4", ",\"received_at\":\"2026-09-03T25:00:00+08:00\"," CIT_OK "," CAT_OK), "received_at"),
    BAD_FIELD("offset without colon", "IN-D-5", TBX("IN-D-5", ",\"received_at\":\"2026-09-03T09:00:00+0800\"," CIT_OK "," CAT_OK), "received_at"),
    BAD_FIELD("words for a time", "IN-D-6", TBX("IN-D-6", ",\"received_at\":\"yesterday\"," CIT_OK "," CAT_OK), "received_at"),
    BAD_FIELD("empty time", "IN-D-7", TBX("IN-D-7", ",\"received_at\":\"\"," CIT_OK "," CAT_OK), "received_at"),
    BAD_FIELD("offset beyond 15:59", "IN-D-8", TBX("IN-D-8", ",\"received_at\":\"2026-09-03T09:00:00+18:00\"," CIT_OK "," CAT_OK), "received_at"),

    /* ---- coordinates ---- */
    BAD_FIELD("lat 91", "IN-G-1", TB("IN-G-1", ",\"location\":{\"lat\":91,\"lon\":113.2}"), "location.lat"),
    BAD_FIELD("lat -90.5", "IN-G-2", TB("IN-G-2", ",\"location\":{\"lat\":-90.5,\"lon\":113.2}"), "location.lat"),
    BAD_FIELD("lon 181", "IN-G-3", TB("IN-G-3", ",\"location\":{\"lat\":23.1,\"lon\":181}"), "location.lon"),
    BAD_FIELD("lat without lon", "IN-G-4", TB("IN-G-4", ",\"location\":{\"lat\":23.1}"), "location.lon"),
    BAD_FIELD("lon without lat", "IN-G-5", TB("IN-G-5", ",\"location\":{\"lon\":113.2}"), "location.lat"),

    /* ---- fields nobody asked for ---- */
    BAD_FIELD("unknown field", "IN-F-1", TB("IN-F-1", ",\"priority\":1"), "priority"),
    BAD_FIELD("unknown citizen field", "IN-F-2", TBX("IN-F-2", "," AT_OK ",\"citizen\":{\"phone\":\"13900000301\",\"name\":\"张三\"}," CAT_OK), "citizen.name"),
    BAD_FIELD("unknown location field", "IN-F-3", TB("IN-F-3", ",\"location\":{\"city\":\"广州\"}"), "location.city"),
    BAD_FIELD("misspelt field", "IN-F-4", TB("IN-F-4", ",\"new_evidance\":true"), "new_evidance"),

    /* ---- categories ---- */
    TICKET("unknown category", "IN-C-1", TBX("IN-C-1", "," AT_OK "," CIT_OK ",\"category\":\"HB.XX\""), 422, "unknown_category", "category"),
    TICKET("non-leaf category", "IN-C-2", TBX("IN-C-2", "," AT_OK "," CIT_OK ",\"category\":\"HB.ZS\""), 422, "unknown_category", "category"),
    TICKET("root category", "IN-C-3", TBX("IN-C-3", "," AT_OK "," CIT_OK ",\"category\":\"HB\""), 422, "unknown_category", "category"),
    /* 64 characters of 3 bytes each: the problem lock hashes it without reading past its
     * buffer (an ASan build fails here if it does). */
    TICKET("category of 64 Chinese characters", "IN-C-6", TBX("IN-C-6", "," AT_OK "," CIT_OK ",\"category\":\"噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪" "噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪噪\""), 422, "unknown_category", "category"),
    TICKET("category in lower case", "IN-C-4", TBX("IN-C-4", "," AT_OK "," CIT_OK ",\"category\":\"hb.zs.jz\""), 422, "unknown_category", "category"),
    {.name = "classify unknown category", .method = "POST", .path = "/v1/classify", .key = KEY_CRM, .content_type = JSON, .body = TBX("IN-C-5", "," AT_OK "," CIT_OK ",\"category\":\"HB.XX\""), .status = 422, .error = "unknown_category", .field = "category"},
    {.name = "classify bad claim", .method = "POST", .path = "/v1/classify", .key = KEY_CRM, .content_type = JSON, .body = TB("IN-C-6", ",\"claim\":\"angry\""), .status = 400, .error = "invalid_field", .field = "claim"},

    /* ---- phones ---- */
    BAD_FIELD("phone letters", "IN-P-1", TBX("IN-P-1", "," AT_OK ",\"citizen\":{\"phone\":\"abc\"}," CAT_OK), "citizen.phone"),
    BAD_FIELD("phone too short", "IN-P-2", TBX("IN-P-2", "," AT_OK ",\"citizen\":{\"phone\":\"123\"}," CAT_OK), "citizen.phone"),
    BAD_FIELD("phone with a letter", "IN-P-3", TBX("IN-P-3", "," AT_OK ",\"citizen\":{\"phone\":\"139-0000-0301x\"}," CAT_OK), "citizen.phone"),
    BAD_FIELD("phone of 21 digits", "IN-P-4", TBX("IN-P-4", "," AT_OK ",\"citizen\":{\"phone\":\"139000003011390000030\"}," CAT_OK), "citizen.phone"),
    BAD_FIELD("empty phone", "IN-P-5", TBX("IN-P-5", "," AT_OK ",\"citizen\":{\"phone\":\"\"}," CAT_OK), "citizen.phone"),
    BAD_FIELD("phone with two pluses", "IN-P-6", TBX("IN-P-6", "," AT_OK ",\"citizen\":{\"phone\":\"+86+13900000301\"}," CAT_OK), "citizen.phone"),

    /* ---- path parameters ---- */
    {.name = "ticket id with a space", .method = "GET", .path = "/v1/tickets/bad%20id", .key = KEY_CRM, .status = 400, .error = "invalid_parameter", .field = "ticket_id"},
    {.name = "ticket id of 65 characters", .method = "GET", .path = "/v1/tickets/" ID65, .key = KEY_CRM, .status = 400, .error = "invalid_parameter", .field = "ticket_id"},
    {.name = "ticket id of invalid UTF-8", .method = "GET", .path = "/v1/tickets/%FF%FE", .key = KEY_CRM, .status = 400, .error = "invalid_parameter", .field = "ticket_id"},
    {.name = "events of a bad ticket id", .method = "POST", .path = "/v1/tickets/bad%20id/events", .key = KEY_CRM, .content_type = JSON, .body = "{\"type\":\"reopened\"," EV_AT "}", .status = 400, .error = "invalid_parameter", .field = "ticket_id"},
    {.name = "events of an unknown ticket", .method = "POST", .path = "/v1/tickets/IN-NOPE/events", .key = KEY_CRM, .content_type = JSON, .body = "{\"type\":\"reopened\"," EV_AT "}", .status = 404, .error = "not_found"},
    {.name = "history of letters", .method = "GET", .path = "/v1/callers/abc/history", .key = KEY_CRM, .status = 400, .error = "invalid_parameter", .field = "phone"},
    {.name = "history of a short number", .method = "GET", .path = "/v1/callers/123/history", .key = KEY_CRM, .status = 400, .error = "invalid_parameter", .field = "phone"},
};
/* clang-format on */

static const char *auth_value(const row *r)
{
    switch (r->auth) {
    case AUTH_UNKNOWN:
        return "Bearer rk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    case AUTH_BASIC:
        return "Basic dDpjcm06cGFzc3dvcmQ="; /* never a bearer key */
    case AUTH_EMPTY:
        return "Bearer ";
    case AUTH_KEY:
        break;
    }
    return NULL;
}

START_TEST(bad_input_table)
{
    const row *r = &table[_i];
    http_request rq = {
        .method = r->method,
        .path = r->path,
        .key = key_of(r->key),
        .raw_authorization = auth_value(r),
        .content_type = r->content_type,
        .body = r->body,
        .body_len = r->body ? (r->body_len ? r->body_len : strlen(r->body)) : 0,
    };
    http_reply rep;
    ck_assert_msg(http_send(&rq, &rep) == 0, "%s: no reply", r->name);
    gc(rep.json);
    rep.json = NULL;
    json_t *body =
        rep.body_len ? gc(json_loadb(rep.body, rep.body_len, JSON_DECODE_ANY, NULL)) : NULL;
    char ct[128], allow[128], www[128], raw[256];
    snprintf(ct, sizeof(ct), "%s", rep.content_type);
    snprintf(allow, sizeof(allow), "%s", rep.allow);
    snprintf(www, sizeof(www), "%s", rep.www_authenticate);
    snprintf(raw, sizeof(raw), "%s", rep.body ? rep.body : "");
    long status = rep.status;
    http_reply_free(&rep);

    ck_assert_msg(status != 500, "%s: 500 %s", r->name, raw);
    const char *m = error_is(status, body, r->status, r->error, r->field);
    ck_assert_msg(m == NULL, "row \"%s\": %s", r->name, m);
    ck_assert_msg(!strncmp(ct, "application/json", 16), "%s: Content-Type %s", r->name, ct);
    if (r->allow)
        ck_assert_msg(!strcmp(allow, r->allow), "%s: Allow \"%s\", expected \"%s\"", r->name, allow,
                      r->allow);
    if (r->status == 401)
        ck_assert_msg(!strncmp(www, "Bearer", 6), "%s: WWW-Authenticate \"%s\"", r->name, www);
    if (r->absent) {
        char path[256];
        long st = 0;
        snprintf(path, sizeof(path), "/v1/tickets/%s", r->absent);
        gc(get_json(path, api.crm_key, &st));
        ck_assert_msg(st == 404 || (st == 400 && strlen(r->absent) > 64),
                      "%s: ticket %s exists after a refused request (GET %ld)", r->name, r->absent,
                      st);
    }
}
END_TEST

/* The refused events left no trace on the ticket they were sent to. */
START_TEST(refused_events_left_nothing)
{
    long st;
    json_t *t = gc(get_ticket("IN-EV", &st));
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(json_array_size(jget(t, "events")), 0);
    ck_assert_str_eq(jstr(t, "status"), "open");
}
END_TEST

/* A ticket body padded with spaces to exactly `size` bytes (caller frees). */
static char *padded_ticket(const char *id, size_t size)
{
    char head[512];
    int n = snprintf(head, sizeof(head),
                     "{\"ticket_id\":\"%s\"," AT_OK ",\"citizen\":{\"phone\":\"13900000302\"},"
                     "\"category\":\"CG.SZ.LD\"}",
                     id);
    char *b = malloc(size + 1);
    memset(b, ' ', size);
    memcpy(b, head, (size_t)n - 1);
    b[size - 1] = '}';
    b[size] = '\0';
    return b;
}

static long post_raw(const char *body, size_t len, const char *content_type, json_t **ret)
{
    long st = 0;
    json_t *j = NULL;
    http("POST", "/v1/tickets", api.crm_key, content_type, body, len, &st, &j);
    gc(j);
    if (ret)
        *ret = j;
    return st;
}

/* REPEATD_MAX_BODY_BYTES (65536 by default) is the largest body taken. */
START_TEST(body_limit_edges)
{
    char *b = padded_ticket("IN-SZ-1", 65536);
    ck_assert_int_eq(post_raw(b, 65536, JSON, NULL), 201);
    free(b);
    json_t *j;
    b = padded_ticket("IN-SZ-2", 65537);
    long st = post_raw(b, 65537, JSON, &j);
    free(b);
    CHECK(error_is(st, j, 413, "payload_too_large", NULL));
    b = padded_ticket("IN-SZ-3", 1 << 20);
    st = post_raw(b, 1 << 20, JSON, &j);
    free(b);
    CHECK(error_is(st, j, 413, "payload_too_large", NULL));
    ck_assert_ptr_null(gc(get_ticket("IN-SZ-2", &st)));
    ck_assert_int_eq(st, 404);
    ck_assert_ptr_null(gc(get_ticket("IN-SZ-3", &st)));
    /* A chunked upload is held to the same limit. */
    http_request rq = {.method = "POST",
                       .path = "/v1/tickets",
                       .key = api.crm_key,
                       .content_type = JSON,
                       .extra_header = "Transfer-Encoding: chunked"};
    http_reply rep;
    b = padded_ticket("IN-SZ-5", 70000);
    rq.body = b;
    rq.body_len = 70000;
    ck_assert_int_eq(http_send(&rq, &rep), 0);
    free(b);
    j = gc(rep.json);
    rep.json = NULL;
    st = rep.status;
    http_reply_free(&rep);
    CHECK(error_is(st, j, 413, "payload_too_large", NULL));
    b = padded_ticket("IN-SZ-6", 2000);
    rq.body = b;
    rq.body_len = 2000;
    ck_assert_int_eq(http_send(&rq, &rep), 0);
    free(b);
    ck_assert_int_eq(rep.status, 201);
    http_reply_free(&rep);
    ck_assert_ptr_null(gc(get_ticket("IN-SZ-5", &st)));
    /* The charset parameter is fine. */
    const char *ok = TB("IN-SZ-4", "");
    ck_assert_int_eq(post_raw(ok, strlen(ok), "application/json; charset=utf-8", NULL), 201);
}
END_TEST

/* Limits count characters: 64-character ids and 4000-character Chinese descriptions pass. */
START_TEST(length_limits_in_characters)
{
    static const char id64[] = "A234567890123456789012345678901234567890123456789012345678901234";
    long st;
    json_t *a = POST_TICKET(201, .id = id64, .at = at(2, 3, 9, 0), .phone = phone(303),
                            .category = "CG.SZ.LD");
    CHECK(decision_is(a, "new", "R1", 0));

    /* 4000 × 噪 = 12000 bytes; one more character is one too many. */
    char *text = malloc(4001 * 3 + 1);
    for (int i = 0; i < 4001; i++)
        memcpy(text + 3 * i, "噪", 3);
    text[4001 * 3] = '\0';
    tk t = {.id = "IN-LEN-1",
            .at = at(2, 3, 9, 0),
            .phone = phone(304),
            .category = "CG.SZ.PS",
            .description = text};
    json_t *r = gc(post_ticket(&t, &st));
    CHECK(error_is(st, r, 400, "invalid_field", "description"));
    ck_assert_ptr_null(gc(get_ticket("IN-LEN-1", &st)));
    text[4000 * 3] = '\0';
    r = gc(post_ticket(&t, &st));
    ck_assert_int_eq(st, 201);
    json_t *v = gc(get_ticket("IN-LEN-1", &st));
    ck_assert_int_eq(strlen(jstr(v, "description")), 12000);
    free(text);
}
END_TEST

/* Raw bytes on a fresh TCP connection; returns what came back (up to size - 1 bytes). With
 * `abandon` the connection is reset at once instead (a client that gives up mid-upload). */
static size_t raw_exchange(const char *data, size_t len, char *out, size_t size, bool abandon)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)api.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {2, 0}; /* a reply, if any, comes at once */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    size_t got = 0;
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        send(fd, data, len, MSG_NOSIGNAL) == (ssize_t)len) {
        if (abandon) {
            struct linger rst = {.l_onoff = 1, .l_linger = 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
        } else {
            shutdown(fd, SHUT_WR);
            ssize_t k;
            while (got + 1 < size && (k = recv(fd, out + got, size - 1 - got, 0)) > 0)
                got += (size_t)k;
        }
    }
    out[got] = '\0';
    close(fd);
    return got;
}

static void expect_healthy(void)
{
    long st = 0;
    json_t *h = gc(get_json("/healthz", NULL, &st));
    ck_assert_msg(st == 200, "/healthz answered %ld", st);
    ck_assert_str_eq(jstr(h, "status"), "ok");
    ck_assert_msg(harness_server_alive(), "the server is gone");
}

/* Garbage URLs and bytes: answered or dropped, never a crash. */
START_TEST(garbage_urls_and_bytes)
{
    long st;
    /* A long URL still fits libmicrohttpd's per-connection memory: a plain 404. */
    char *path = malloc(10001);
    memset(path, 'a', 10000);
    memcpy(path, "/v1/", 4);
    path[10000] = '\0';
    json_t *j = gc(get_json(path, api.crm_key, &st));
    CHECK(error_is(st, j, 404, "not_found", NULL));
    free(path);
    expect_healthy();

    /* A URL larger than the connection's memory: refused by the HTTP layer (414 or the
     * connection closed), and the server carries on. */
    path = malloc(200001);
    memset(path, 'b', 200000);
    path[0] = '/';
    path[200000] = '\0';
    http("GET", path, api.crm_key, NULL, NULL, 0, &st, &j);
    json_decref(j);
    free(path);
    ck_assert_msg(st == 0 || (st >= 400 && st < 500), "a 200 KB URL answered %ld", st);
    expect_healthy();

    /* Percent-escapes that decode to invalid UTF-8 or to a NUL byte. */
    j = gc(get_json("/%FF%FE%FD", api.crm_key, &st));
    CHECK(error_is(st, j, 404, "not_found", NULL));
    j = gc(get_json("/v1/%C0%AF/x", api.crm_key, &st));
    CHECK(error_is(st, j, 404, "not_found", NULL));
    /* Valid UTF-8 whose echo in the message is cut in the middle of a character. */
    path = malloc(6 + 200 * 9);
    strcpy(path, "/v1/x");
    for (int i = 0; i < 200; i++)
        strcat(path, "%E5%99%AA"); /* 噪 */
    j = gc(get_json(path, api.crm_key, &st));
    free(path);
    CHECK(error_is(st, j, 404, "not_found", NULL));
    j = gc(get_json("/v1/tickets/IN%00EV", api.crm_key, &st));
    ck_assert_msg(st != 500 && st != 0 && st != 200, "a NUL in the path answered %ld", st);
    expect_healthy();

    /* Not HTTP at all, a NUL byte in the request line, a header without a colon. */
    char out[4096];
    static const char garbage[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 hello\r\n\r\n";
    raw_exchange(garbage, sizeof(garbage) - 1, out, sizeof(out), false);
    ck_assert_ptr_null(strstr(out, " 500 "));
    static const char nul_line[] = "GET /healthz\0/x HTTP/1.1\r\nHost: a\r\n\r\n";
    raw_exchange(nul_line, sizeof(nul_line) - 1, out, sizeof(out), false);
    ck_assert_ptr_null(strstr(out, " 500 "));
    static const char bad_header[] = "GET /healthz HTTP/1.1\r\nHost a\r\nX\r\n\r\n";
    raw_exchange(bad_header, sizeof(bad_header) - 1, out, sizeof(out), false);
    ck_assert_ptr_null(strstr(out, " 500 "));
    static const char lying_length[] = "POST /v1/tickets HTTP/1.1\r\nHost: a\r\n"
                                       "Content-Type: application/json\r\n"
                                       "Content-Length: 100000\r\n\r\n{\"ticket_id\":";
    raw_exchange(lying_length, sizeof(lying_length) - 1, out, sizeof(out), true);
    ck_assert_ptr_null(strstr(out, " 500 "));
    expect_healthy();
}
END_TEST

/* Nesting deeper than the JSON parser's limit is refused, not recursed into. */
START_TEST(deep_nesting)
{
    size_t depth = 30000; /* 60000 bytes: under the body limit, far over jansson's depth */
    char *b = malloc(2 * depth + 1);
    memset(b, '[', depth);
    memset(b + depth, ']', depth);
    b[2 * depth] = '\0';
    json_t *j;
    long st = post_raw(b, 2 * depth, JSON, &j);
    CHECK(error_is(st, j, 400, "invalid_json", NULL));
    free(b);
    const char *head =
        "{\"ticket_id\":\"IN-DEEP-1\"," AT_OK "," CIT_OK "," CAT_OK ",\"description\":";
    size_t n = strlen(head);
    depth = 1000;
    b = malloc(n + 2 * depth + 2);
    memcpy(b, head, n);
    memset(b + n, '[', depth);
    memset(b + n + depth, ']', depth);
    b[n + 2 * depth] = '}';
    b[n + 2 * depth + 1] = '\0';
    st = post_raw(b, n + 2 * depth + 1, JSON, &j);
    free(b);
    CHECK(error_is(st, j, 400, "invalid_field", "description"));
    ck_assert_ptr_null(gc(get_ticket("IN-DEEP-1", &st)));
}
END_TEST

/* After all that: healthy, ready, and still taking tickets. */
/* The root is the dashboard's page, which needs no key (its data does); a build without the
 * dashboard (-Dui=false) says so in a 404. */
START_TEST(root_and_dashboard)
{
    const char *ui = getenv("REPEATD_TEST_UI");
    bool built = ui && !strcmp(ui, "1");
    http_request rq = {.method = "GET", .path = "/"};
    http_reply rep;
    ck_assert_int_eq(http_send(&rq, &rep), 0);
    ck_assert_int_eq(rep.status, built ? 200 : 404);
    if (built) {
        ck_assert_str_eq(rep.content_type, "text/html; charset=utf-8");
        ck_assert_ptr_nonnull(strstr(rep.body, "<script type=\"module\" src=\"/ui/app.js\">"));
    } else {
        ck_assert_ptr_nonnull(strstr(rep.body, "-Dui=false"));
    }
    http_reply_free(&rep);
}
END_TEST

START_TEST(healthy_after_the_table)
{
    expect_healthy();
    long st;
    json_t *r = gc(get_json("/readyz", NULL, &st));
    ck_assert_int_eq(st, 200);
    ck_assert_str_eq(jstr(r, "status"), "ready");
    json_t *a = POST_TICKET(201, .id = "IN-OK-1", .at = at(2, 3, 9, 0), .phone = phone(305),
                            .category = "HB.ZS.JZ");
    CHECK(decision_is(a, "new", "R1", 0));
}
END_TEST

int main(void)
{
    harness_start("input");
    /* The open ticket that event rows are sent to. */
    long st;
    json_t *a = post_ticket(
        &(tk){.id = "IN-EV", .at = at(2, 1, 9, 0), .phone = phone(399), .category = "CG.SZ.LD"},
        &st);
    json_decref(a);
    if (st != 201)
        harness_bail("could not create ticket IN-EV (status %ld)", st);
    TCase *tc;
    Suite *s = api_suite(&tc);
    tcase_add_loop_test(tc, bad_input_table, 0, (int)(sizeof(table) / sizeof(table[0])));
    tcase_add_test(tc, refused_events_left_nothing);
    tcase_add_test(tc, body_limit_edges);
    tcase_add_test(tc, length_limits_in_characters);
    tcase_add_test(tc, deep_nesting);
    tcase_add_test(tc, garbage_urls_and_bytes);
    tcase_add_test(tc, root_and_dashboard);
    tcase_add_test(tc, healthy_after_the_table);
    return harness_run(s, tc);
}
