/* Preparing a database for use: what every command does before it touches the data. */
#pragma once

#include "repeatd/pool.h"

/* Apply pending migrations, store the default of every setting not stored yet, and make the
 * monthly partitions of this month and the next three (serve, migrate, key create, and tools
 * such as the demo city). 0 or a negative errno. */
int rd_prepare_database(rd_db *db);

/* The same without making partitions ahead (repeatd maintain makes them and counts them). */
int rd_prepare_schema(rd_db *db);
