/* PostgreSQL clusters of a test program's own (tests/pg.sh with PG_FAST), in one fresh folder
 * under /tmp, for tests that stop, pause or clone a database while the shared cluster serves
 * the other programs in parallel. Every cluster started is stopped and the folder removed at
 * exit, also after a bail-out. */
#pragma once

#include <stddef.h>

/* Names the socket in the cluster's own folder: no TCP port, no clash between programs. */
#define PRIVATE_PG_PORT 5432

/* Skip the program (TAP) unless the test command's cluster is there (REPEATD_TEST_DATABASE_URL,
 * REPEATD_TEST_PG_SCRIPT); make the folder /tmp/repeatd-api-NAME.XXXXXX. Bails out when it
 * cannot. */
void private_pg_init(const char *name);

/* The folder of cluster `sub` ("" is the folder itself). Static storage, one per sub. */
const char *private_pg_dir(const char *sub);

/* tests/pg.sh CMD (start, stop, restart) on cluster `sub`: its exit status. */
int private_pg(const char *cmd, const char *sub);

/* Make and start `sub` as a streaming standby of the running cluster `primary` (pg_basebackup
 * -R, tests/pg.sh replica): its exit status. */
int private_pg_replica(const char *sub, const char *primary);

/* The superuser URI of database `db` on cluster `sub`, into out. */
void private_pg_url(const char *sub, const char *db, char *out, size_t size);

/* Run fn at exit before the clusters are stopped (a test that paused one resumes it there). */
void private_pg_before_cleanup(void (*fn)(void));
