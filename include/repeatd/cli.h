/* The commands: serve, migrate, key create. Each returns the process exit status. */
#pragma once

int rd_cmd_serve(void);
int rd_cmd_migrate(void);
int rd_cmd_key_create(int argc, char **argv);
