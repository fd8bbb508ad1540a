/* The problem list's answers as JSON (codec/problem_json.c); each returns a new value (the
 * caller decrefs) or NULL when out of memory. */
#pragma once

#include "repeatd/problems.h"

#include <jansson.h>

/* One problem without its history (the list's items). */
json_t *rd_problem_json(const rd_problem *p);

/* One problem with its measures, updates, allowed transitions and effect. */
json_t *rd_problem_view_json(const rd_problem_view *v);

/* {problems: [...], total, limit, offset} */
json_t *rd_problem_page_json(const rd_problem_page *page);

/* {period, hotspot: {...settings}, definition_versions, suggestions: [...]} */
json_t *rd_problem_suggestions_json(const rd_problem_suggestions *s);
