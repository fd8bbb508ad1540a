/* What every test program shares: running a Check suite with TAP counting, skipping, and the
 * throwaway cluster's databases (a fresh one per program). */
#pragma once

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

/* Run every case of s (the runner takes ownership of s) and return the process exit status:
 * 0 when all passed, else 1. With fork false the cases run in this process (CK_NOFORK), for
 * programs whose fixtures (a connection, a server child) live in it; otherwise CK_FORK from
 * the environment decides, as Check does by default. */
int rd_test_run(Suite *s, bool fork);

/* Print the TAP plan of a program that runs nothing, "1..0 # SKIP why", and exit 0. */
void rd_test_skip(const char *why) __attribute__((noreturn));

/* The superuser URI of the throwaway cluster, REPEATD_TEST_DATABASE_URL; NULL when unset or
 * empty (the program then skips). */
const char *rd_test_cluster_url(void);

/* The URI of database `name` on the cluster of `url`, into out: the database is the path of a
 * URI (postgresql:///postgres?host=...), or one more "dbname=" of a key=value string. */
void rd_test_url_with_db(const char *url, const char *name, char *out, size_t size);

/* Run one SQL command without parameters (its rows, if any, are dropped) as the cluster's
 * superuser at admin_url; notices
 * ("does not exist, skipping") are dropped. 0, or -1 with the reason in err. */
int rd_test_admin_exec(const char *admin_url, const char *sql, char *err, size_t err_size);

/* Drop database `name` (forcing its connections closed) and create it afresh; its URI into
 * ret_url. 0, or -1 with the reason in err. */
int rd_test_create_database(const char *admin_url, const char *name, char *ret_url, size_t url_size,
                            char *err, size_t err_size);

/* Drop database `name`, forcing its connections closed. 0, or -1 with the reason in err. */
int rd_test_drop_database(const char *admin_url, const char *name, char *err, size_t err_size);
