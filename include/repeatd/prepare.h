/* Preparing a database for use: what every command does before it touches the data. */
#pragma once

#include "repeatd/pool.h"

/* Apply pending migrations, then store the default of every setting not stored yet (serve,
 * migrate, key create, and tools such as the demo city). 0 or a negative errno. */
int rd_prepare_database(rd_db *db);
