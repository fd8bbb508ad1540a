/* Database tests: a fresh database per test program on the throwaway cluster. */
#pragma once

#include "repeatd/pool.h"

/* Create a fresh database and return its libpq URI (static storage), or NULL when
 * REPEATD_TEST_DATABASE_URL is not set (the caller then skips). Exits on failure. */
const char *dbt_create_database(const char *prefix);

/* Drop the database made by dbt_create_database (connections to it must be closed). */
void dbt_drop_database(void);

/* A connection to the test database with migrations applied and settings seeded. */
rd_db *dbt_connect_prepared(void);

/* Run SQL (no parameters) and return the first column of its rows joined by newlines,
 * malloc'd, or NULL when there is no row. */
char *dbt_value(rd_db *db, const char *sql);
