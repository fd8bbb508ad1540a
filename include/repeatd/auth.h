/* Bearer API key checks for the route table's roles. */
#pragma once

#include "repeatd/http.h"

/* Whether the request carries a live key of role `needed` (or admin). When not, the 401/403
 * (or 503) reply is already set. */
bool rd_auth_check(rd_request *req, int needed);
