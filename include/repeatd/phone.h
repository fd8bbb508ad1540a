/* Citizen phone numbers: normalisation (DOMAIN.md "Same citizen") and masking for display. */
#pragma once

#include <stddef.h>

#define RD_PHONE_MAX 24 /* normalised digits, with NUL */

/* Digits only; a leading +86 / 0086 / 86 dropped from a 13-digit mobile number (86 + 11
 * digits starting with 1); landlines keep their area code. Separators allowed in the input:
 * space, '-', '(', ')', '.', and one leading '+'. 0 on success; -EINVAL for anything else,
 * fewer than 5 or more than 20 digits. */
int rd_phone_normalise(const char *in, char ret[RD_PHONE_MAX]);

/* 138****8000 for 11 digits; in general the first 3 and last 4 digits kept with **** between
 * when there are at least 8 digits, else all but the last 2 replaced by '*'. */
void rd_phone_mask(const char *normalised, char ret[RD_PHONE_MAX]);
