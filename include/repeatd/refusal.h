/* A refusal of the service layer: why a use case said no, in one shape for all of them. The
 * caller (http/, the tools) decides how to present it; nothing here knows HTTP. */
#pragma once

#include "repeatd/closeout.h"
#include "repeatd/domain.h"
#include "repeatd/errors.h"

#include <stddef.h>

typedef struct rd_refusal {
    rd_err code;
    char field[128];   /* the offending field or parameter, "" when none */
    char message[512]; /* for a person: what is wrong and, where it helps, how to fix it */
    /* Details, by code. */
    unsigned missing;                  /* RD_ERR_WORKFLOW_INCOMPLETE: rd_step bits */
    rd_defect defects[RD_DEFECTS_MAX]; /* RD_ERR_CLOSEOUT_REJECTED */
    size_t n_defects;
    char related_ticket[RD_ID_MAX]; /* RD_ERR_NO_WORK_ORDER: the ticket the call was about */
    /* RD_ERR_INVALID_TRANSITION (a problem, a programme): the state it is in and the changes it
     * allows (static names). */
    const char *from_status;
    const char *allowed[8];
    size_t n_allowed;
} rd_refusal;

/* Fill *ret (field may be NULL) and return -ECANCELED, the service layer's "refused". */
int rd_refuse(rd_refusal *ret, rd_err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
