/* What the improvement loop's use cases (problems, programmes, the green-channel worklist)
 * refuse alike: a body field the spec rejected, a text that must not be blank. */
#pragma once

#include "repeatd/json_spec.h"
#include "repeatd/refusal.h"

/* The refusal (invalid_field) of a body that rd_json_parse rejected, with its field and
 * message. */
int rd_loop_field_refusal(const rd_field_error *e, rd_refusal *ref);

/* 0 when v has something besides spaces, tabs and line breaks; else an invalid_field refusal
 * "<field> must not be empty" (also for v NULL). */
int rd_loop_nonempty(const char *v, const char *field, rd_refusal *ref);
