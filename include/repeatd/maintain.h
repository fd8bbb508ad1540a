/* Storage maintenance (repeatd maintain, and repeatd serve once a day): the monthly partitions
 * made ahead, then retention by the stored settings (retain_months). */
#pragma once

#include "repeatd/service.h"
#include "repeatd/store.h"

#include <stddef.h>
#include <stdint.h>

/* Months made ahead of the current one, as the server does at start. */
#define RD_MAINTAIN_AHEAD_MONTHS 3

typedef struct rd_maintain_summary {
    int partitions_made; /* months whose partitions were missing and were made */
    int retain_months;   /* the setting: 0 keeps everything */
    int keep_months;     /* months kept before the current one (rd_settings_retention_months) */
    int months_dropped;
    int months_kept_open; /* old enough to go, kept for their open tickets */
    int64_t tickets_removed;
    store_month_drop *months; /* every month retention looked at, oldest first (owned) */
    size_t n_months;
} rd_maintain_summary;

/* Make the partitions ahead, then, in one transaction, drop the months retention lets go.
 * `db` is a connection of the caller's own, without a statement deadline (the command's, or
 * the server's maintenance thread's): dropping a month may take longer than a request may.
 * 0 and *ret (free it with rd_maintain_summary_free), or a negative errno. */
int rd_maintain(rd_service *svc, rd_db *db, rd_maintain_summary *ret);

void rd_maintain_summary_free(rd_maintain_summary *s);

/* The summary as one line of JSON (no newline), malloc'd; NULL when out of memory. */
char *rd_maintain_summary_json(const rd_maintain_summary *s);
