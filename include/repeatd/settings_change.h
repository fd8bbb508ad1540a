/* One change of a setting, as the audit trail keeps it: read by the store, written by the
 * codec. */
#pragma once

#include "repeatd/domain.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rd_settings_change {
    char key[64];
    json_t *old_value, *new_value; /* old_value NULL for the first value */
    char changed_by[RD_ID_MAX];
    rd_instant changed_at; /* at the configured time_zone's offset */
    int definition_version;
} rd_settings_change;

/* Frees the values and the list (store/settings_store.c); NULL is fine. */
void rd_settings_changes_free(rd_settings_change *list, size_t n);
