/* What a streaming replica can tell about itself: how far behind the primary it is. */
#include "repeatd/store.h"

#include "repeatd/result.h"

/* Seconds behind: 0 on a primary, and 0 on a standby that streams from its primary and has
 * replayed all it received (an idle primary sends nothing, and the last replayed commit may
 * then be old without any lag); otherwise the age of the last commit replayed. A standby whose
 * WAL receiver is not streaming (cut off from its primary) cannot know what it misses: the age
 * of its last commit is all it can say, so it falls behind as time passes. */
static const rd_stmt q_lag = {
    "replica_lag",
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
    "            WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()"
    "                 AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')"
    "                 THEN 0"
    "            ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)"
    "       END::float8 AS lag_s",
    0};

typedef struct lag_row {
    double lag_s;
} lag_row;

static const rd_col lag_cols[] = {RD_COL("lag_s", RD_COL_DOUBLE, lag_row, lag_s), {0}};

int store_replica_lag(rd_db *db, double *ret_lag_s)
{
    lag_row row;
    int r = store_read_row(db, &q_lag, NULL, lag_cols, &row);
    if (r < 0)
        return r;
    *ret_lag_s = r == 1 ? row.lag_s : 0;
    return 0;
}
