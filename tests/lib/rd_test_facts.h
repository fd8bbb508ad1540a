/* Two databases that must hold the same history: the same decisions, events and KPI
 * aggregates, compared row by row (the live path against the import of the same history). */
#pragma once

#include <stddef.h>

/* Copy the category tree of the database at from_url into the one at to_url (its schema
 * migrated, its tree empty). 0, or -1 with the reason in err. */
int rd_test_copy_categories(const char *from_url, const char *to_url, char *err, size_t err_size);

/* Compare every ticket's decision and state, every event, and every KPI aggregate of the two
 * databases. 0 when equal; -1 with the first difference (or a failed query) in err. */
int rd_test_same_facts(const char *url_a, const char *url_b, char *err, size_t err_size);

/* Compare every stored column of every ticket and event (but when it was written and the
 * event's serial id) and every aggregate: two imports of one history, whichever way each
 * record went (the fast path or the live transactions). 0 when equal; -1 with err. */
int rd_test_same_stored(const char *url_a, const char *url_b, char *err, size_t err_size);
