/* Reading JSON that PostgreSQL built (jsonb_build_object and friends) into jansson values. */
#include "repeatd/store.h"

#include <errno.h>

int store_json_column(PGresult *res, int row, int col, json_t **ret)
{
    json_error_t e;
    json_t *v = json_loads(PQgetvalue(res, row, col), JSON_DECODE_ANY, &e);
    if (!v)
        return -EIO;
    *ret = v;
    return 0;
}
