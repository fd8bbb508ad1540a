/* The commands: serve, migrate, key create. Each returns the process exit status. */
#pragma once

int rd_cmd_serve(void);
int rd_cmd_migrate(void);
/* repeatd maintain: partitions ahead and retention; one JSON line; exit 0, 1 on failure. */
int rd_cmd_maintain(void);
int rd_cmd_key_create(int argc, char **argv);
/* repeatd import: exit 0, 3 when lines were rejected, 2 for bad usage, 1 on failure. */
int rd_cmd_import(int argc, char **argv);
