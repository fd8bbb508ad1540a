/* Test programs' main: a Check suite run with its result as the exit status, and skipping. */
#include "rd_test.h"

#include <stdio.h>
#include <stdlib.h>

int rd_test_run(Suite *s, bool fork)
{
    SRunner *sr = srunner_create(s);
    if (!fork)
        srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

void rd_test_skip(const char *why)
{
    printf("1..0 # SKIP %s\n", why);
    exit(0);
}
