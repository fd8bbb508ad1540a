/* The dashboard's static files over HTTP: GET / (the page) and /ui/{file}, no key needed. */
#pragma once

#include "repeatd/http.h"

/* The Content-Security-Policy of every dashboard file: scripts, styles and data from this
 * server only, no inline script or style, no framing. */
#define RD_WEB_CSP                                                                                 \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "                    \
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "                   \
    "frame-ancestors 'none'"

/* Queue the reply of a request whose handler chose a file (req->asset): the file with its
 * type, ETag and security headers, or 304 when the client's If-None-Match holds the ETag. */
enum MHD_Result rd_web_queue(rd_request *req);
