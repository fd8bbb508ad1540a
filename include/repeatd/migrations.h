/* The migrations compiled into the binary (generated from migrations/NNNN_name.sql). */
#pragma once

#include <stddef.h>

typedef struct rd_migration {
    int version;
    const char *name;
    const char *sql;
} rd_migration;

extern const rd_migration rd_migrations[];
extern const size_t rd_migration_count;
