/* The demo city's improvement loop (tools/demo/loop.c): programmes for the units at the bottom
 * of the ranking, with check-ins, and green-channel chains assigned to specialists who verify
 * them, all through the service's use cases (app/programmes.c, app/green_worklist.c). */
#pragma once

#include "demo.h"

#include "repeatd/service.h"

/* After the city's tickets: open, check in on and close programmes, assign and verify chains,
 * as of the history's months before end_month (the month of `end`, unix seconds). */
int demo_loop(rd_service *svc, rd_db **db, int end_month, int64_t end, uint64_t seed,
              rd_demo_summary *s);
