/* Preparing a database for use: migrations, then the defaults of every setting not stored yet. */
#include "repeatd/prepare.h"

#include "repeatd/codec.h"
#include "repeatd/store.h"

#include <errno.h>

int rd_prepare_schema(rd_db *db)
{
    int r = store_migrate(db);
    if (r < 0)
        return r;
    rd_settings defaults;
    rd_settings_defaults(&defaults);
    json_t *d = rd_settings_to_json(&defaults);
    if (!d)
        return -ENOMEM;
    r = store_settings_seed(db, d);
    json_decref(d);
    return r;
}

int rd_prepare_database(rd_db *db)
{
    int r = rd_prepare_schema(db);
    /* This month's partitions and the next three's: a live ticket never waits for one. */
    if (r >= 0)
        r = store_partitions_ahead(db, 3);
    return r < 0 ? r : 0;
}
