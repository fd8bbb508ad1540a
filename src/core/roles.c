/* Which key role may call an operation that needs another: the one rule of the route table. */
#include "repeatd/domain.h"

bool rd_role_allows(rd_role have, rd_role needed)
{
    if (have == needed || have == RD_ROLE_ADMIN)
        return true;
    /* The quality staff read every dashboard answer beside their own writes. */
    return have == RD_ROLE_MANAGER && needed == RD_ROLE_DASHBOARD;
}
