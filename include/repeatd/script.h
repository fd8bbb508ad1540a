/* The agent script (话术): a short text for the agent on the line, in Chinese or English. */
#pragma once

#include "repeatd/decide.h"
#include <stddef.h>

/* Write the script for decision `d` into buf (always NUL-terminated, truncated to fit).
 * Returns the length written. */
size_t rd_script_render(const rd_decision *d, rd_lang lang, char *buf, size_t size);
