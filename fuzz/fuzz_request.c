/* libFuzzer target for the request parsers: the first byte picks the parser, the rest is its
 * input. Besides "no crash, no sanitizer report" it checks the properties the rest of the
 * service relies on:
 *  - 0: rd_time_parse_text: an accepted time's text (what the database is given) parses again
 *    to the same instant and the same text, has at most 6 fraction digits and no second 60;
 *  - 1: a POST /v1/tickets body (JSON, then the ticket spec): an accepted ticket has a valid
 *    id and times that re-parse;
 *  - 2: a POST /v1/tickets/{id}/events body;
 *  - 3: the route table: "METHOD PATH"; a path with a NUL-free match has parameters without
 *    '/' in them;
 *  - 4: a line of an import file: the tree import builds from its scan (imp_tree) is
 *    json_loads's, values and key order, and never of a line json_loads refuses; the canonical
 *    writer (rd_json_dumps) writes json_dumps's bytes, sorted and not.
 * Built with clang only (-Dfuzz=true): see README, "Fuzzing". */
#include "../src/app/import_records.h"
#include "repeatd/codec.h"
#include "repeatd/json_canon.h"
#include "repeatd/json_spec.h"
#include "repeatd/routes.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_time_text(const char *text, int64_t unix)
{
    int64_t again;
    char canon[RD_TIME_TEXT_MAX];
    if (rd_time_parse_text(text, &again, canon, NULL) != 0 || again != unix ||
        strcmp(canon, text) != 0)
        abort(); /* the database would be given a time the codec reads otherwise */
    const char *dot = strchr(text, '.');
    if (dot && strspn(dot + 1, "0123456789") > 6)
        abort();
    if (!strncmp(text + 17, "60", 2))
        abort();
}

static void fuzz_time(const char *s)
{
    int64_t t;
    char canon[RD_TIME_TEXT_MAX];
    const char *why = NULL;
    if (rd_time_parse_text(s, &t, canon, &why) == 0) {
        check_time_text(canon, t);
        int64_t plain;
        if (rd_time_parse(s, &plain) != 0 || plain != t)
            abort();
    } else if (!why) {
        abort(); /* every refusal says why */
    }
}

static void fuzz_ticket(const char *s, size_t n)
{
    json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
    if (!j)
        return;
    rd_ticket_req req;
    rd_field_error err;
    if (rd_ticket_req_parse(j, &req, &err) == 0) {
        if (!rd_ticket_id_valid(req.ticket_id))
            abort();
        check_time_text(req.received_at.text, req.received_at.unix);
    } else if (!err.code || !err.message[0]) {
        abort();
    }
    json_decref(j);
}

static void fuzz_event(const char *s, size_t n)
{
    json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
    if (!j)
        return;
    rd_event_req req;
    rd_field_error err;
    if (rd_event_req_parse(j, &req, &err) == 0) {
        check_time_text(req.at.text, req.at.unix);
        if (req.deadline.set)
            check_time_text(req.deadline.text, req.deadline.unix);
        if (req.contact_time.set)
            check_time_text(req.contact_time.text, req.contact_time.unix);
    } else if (!err.code || !err.message[0]) {
        abort();
    }
    json_decref(j);
}

static void fuzz_route(const char *s)
{
    const char *sp = strchr(s, ' ');
    if (!sp || sp - s >= 16)
        return;
    char method[16];
    memcpy(method, s, (size_t)(sp - s));
    method[sp - s] = '\0';
    const rd_route *route;
    char *params[RD_PATH_PARAMS] = {NULL, NULL};
    char allow[RD_ALLOW_MAX];
    if (rd_route_find(method, sp + 1, &route, params, allow) == RD_MATCH_OK) {
        for (int i = 0; i < RD_PATH_PARAMS; i++)
            if (params[i] && (strchr(params[i], '/') || !params[i][0]))
                abort();
    }
    for (int i = 0; i < RD_PATH_PARAMS; i++)
        free(params[i]);
}

static void same_text(const json_t *v, bool sorted)
{
    char *want = json_dumps(v, JSON_COMPACT | (sorted ? JSON_SORT_KEYS : 0));
    char *got = rd_json_dumps(v, sorted);
    if ((want == NULL) != (got == NULL) || (want && strcmp(want, got)))
        abort(); /* a request hash would differ from the one json_dumps gave */
    free(want);
    free(got);
}

static void fuzz_import_line(const char *s)
{
    json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, NULL), *t = imp_tree(s);
    if (t) {
        if (!j || !json_equal(t, j))
            abort();
        char *a = json_dumps(t, JSON_COMPACT), *b = json_dumps(j, JSON_COMPACT);
        if (!a || !b || strcmp(a, b))
            abort();
        free(a);
        free(b);
    }
    if (j) {
        same_text(j, true);
        same_text(j, false);
    }
    json_decref(t);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 16)
        return 0;
    char *s = malloc(size);
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0'; /* the parsers take C strings: the rest up to the first NUL */
    switch (data[0] % 5) {
    case 0:
        fuzz_time(s);
        break;
    case 1:
        fuzz_ticket(s, size - 1);
        break;
    case 2:
        fuzz_event(s, size - 1);
        break;
    case 3:
        fuzz_route(s);
        break;
    default:
        fuzz_import_line(s);
        break;
    }
    free(s);
    return 0;
}
