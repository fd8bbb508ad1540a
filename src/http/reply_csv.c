/* CSV downloads: which representation a client asked for (?format=, Accept), and the reply. */
#include "repeatd/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How well an Accept header takes one media type: the q of the most specific range that
 * matches it (RFC 9110 12.5.1), and how specific that range was: 3 for the type itself, 2 for
 * its top-level type with any subtype, 1 for any type, 0 for none. A range with a q that is not
 * a number from 0 to 1 is ignored. */
typedef struct accept_fit {
    double q;
    int specificity;
} accept_fit;

static accept_fit fit(const char *accept, const char *type, const char *subtype)
{
    accept_fit best = {0, 0};
    size_t type_len = strlen(type);
    for (const char *p = accept; *p;) {
        size_t n = strcspn(p, ",");
        char range[128];
        snprintf(range, sizeof(range), "%.*s", (int)(n < sizeof(range) ? n : sizeof(range) - 1), p);
        p += n + (p[n] == ',');

        double q = 1.0;
        char *params = strchr(range, ';');
        if (params) {
            *params++ = '\0';
            char *save = NULL;
            for (char *tok = strtok_r(params, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
                tok += strspn(tok, " \t");
                if ((tok[0] == 'q' || tok[0] == 'Q') && tok[1] == '=') {
                    char *end;
                    q = strtod(tok + 2, &end);
                    end += strspn(end, " \t");
                    if (end == tok + 2 || *end || q < 0 || q > 1)
                        q = -1;
                }
            }
        }
        if (q < 0)
            continue;
        char *m = range + strspn(range, " \t");
        size_t m_len = strcspn(m, " \t");
        m[m_len] = '\0';
        int specificity = 0;
        if (!strcmp(m, "*/*"))
            specificity = 1;
        else if (!strncasecmp(m, type, type_len) && m[type_len] == '/' &&
                 !strcmp(m + type_len + 1, "*"))
            specificity = 2;
        else if (!strncasecmp(m, type, type_len) && m[type_len] == '/' &&
                 !strcasecmp(m + type_len + 1, subtype))
            specificity = 3;
        if (specificity > best.specificity)
            best = (accept_fit){q, specificity};
    }
    return best;
}

bool rd_reply_format(rd_request *req, rd_format *ret)
{
    const char *format = rd_request_arg(req, "format");
    if (format) {
        if (!strcmp(format, "json") || !strcmp(format, "csv")) {
            *ret = !strcmp(format, "csv") ? RD_FORMAT_CSV : RD_FORMAT_JSON;
            return true;
        }
        rd_reply_error(req, RD_ERR_INVALID_PARAMETER, "format", "format must be json or csv");
        return false;
    }
    const char *accept = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Accept");
    if (!accept || !accept[strspn(accept, " \t")]) {
        *ret = RD_FORMAT_JSON;
        return true;
    }
    accept_fit json = fit(accept, "application", "json");
    accept_fit csv = fit(accept, "text", "csv");
    if (json.q <= 0 && csv.q <= 0) {
        rd_reply_error(req, RD_ERR_NOT_ACCEPTABLE, NULL,
                       "this answer is application/json or text/csv (or ask with ?format=csv); "
                       "the Accept header takes neither");
        return false;
    }
    /* The higher q wins; at equal q the type named outright ("text/csv, * / *" asks for CSV). */
    bool want_csv = csv.q > json.q || (csv.q == json.q && csv.specificity > json.specificity);
    *ret = want_csv ? RD_FORMAT_CSV : RD_FORMAT_JSON;
    return true;
}

void rd_reply_csv(rd_request *req, rd_csv *c, const char *filename)
{
    char *text;
    size_t len;
    if (rd_csv_finish(c, &text, &len) < 0) {
        rd_reply_store_error(req, -ENOMEM);
        return;
    }
    json_decref(req->reply);
    req->reply = NULL;
    free(req->reply_text);
    req->reply_text = text;
    req->reply_type = "text/csv; charset=utf-8";
    snprintf(req->reply_disposition, sizeof(req->reply_disposition), "attachment; filename=\"%s\"",
             filename);
    req->status = 200;
}
