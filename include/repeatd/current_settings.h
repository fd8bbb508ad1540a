/* The settings in force, read in the caller's transaction. */
#pragma once

#include "repeatd/pool.h"
#include "repeatd/settings.h"

/* Load and validate the stored settings and the current definition version. */
int rd_current_settings(rd_db *db, rd_settings *ret);
