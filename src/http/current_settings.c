/* The settings in force: loaded from the store in the caller's transaction. */
#include "repeatd/current_settings.h"

#include "repeatd/codec.h"
#include "repeatd/log.h"
#include "repeatd/store.h"

#include <errno.h>

int rd_current_settings(rd_db *db, rd_settings *ret)
{
    json_t *stored;
    int version;
    int r = store_settings_load(db, &stored, &version);
    if (r < 0)
        return r;
    rd_settings s;
    rd_field_error err;
    rd_settings_defaults(&s);
    r = rd_settings_apply_json(&s, stored, true, &err);
    json_decref(stored);
    if (r < 0) {
        rd_log(RD_LOG_ERROR, "stored settings are invalid: %s", err.message);
        return -EIO;
    }
    s.definition_version = version;
    *ret = s;
    return 0;
}
