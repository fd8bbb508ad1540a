/* The commands: serve, migrate, key create. Each returns the process exit status. */
#pragma once

#include "repeatd/pool.h"

int rd_cmd_serve(void);
int rd_cmd_migrate(void);
int rd_cmd_key_create(int argc, char **argv);

/* Apply pending migrations, then store the default of every setting not stored yet: what
 * every command does before it touches the data (serve, migrate, key create, demo). */
int rd_prepare_database(rd_db *db);
