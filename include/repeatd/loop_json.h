/* The improvement loop's answers as JSON (codec/loop_json.c): programmes, the green-channel
 * worklist and a chain's record, the periodic report. Each returns a new value (NULL when out
 * of memory). */
#pragma once

#include "repeatd/loop_types.h"

#include <jansson.h>

json_t *rd_programme_detail_json(const rd_programme_detail *d);
json_t *rd_programme_list_json(const rd_programme_list *l);
json_t *rd_green_worklist_json(const rd_green_worklist *w);
json_t *rd_green_chain_detail_json(const rd_green_chain_detail *d);
json_t *rd_report_json(const rd_report *r);
