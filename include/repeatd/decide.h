/* The decision of DOMAIN.md (rules R1-R7, actions, root causes): a pure function. */
#pragma once

#include "repeatd/domain.h"
#include "repeatd/settings.h"

/* The incoming ticket, as far as the decision needs it. */
typedef struct rd_ticket_in {
    const char *ticket_id;
    int64_t received_at;     /* unix seconds */
    int32_t received_offset; /* UTC offset, seconds, of time_zone at received_at */
    bool has_location;
    double lat, lon;
    rd_claim claim;
    bool new_evidence;
    bool category_is_policy; /* the leaf category is marked `policy` */
} rd_ticket_in;

/* An earlier ticket of the same citizen in the same leaf category that created a work order
 * and is still open or was received within lookback_months (the store's query). */
typedef struct rd_prior {
    char ticket_id[RD_ID_MAX];
    int64_t received_at;
    int32_t received_offset; /* UTC offset of time_zone at its received_at */
    bool has_location;
    double lat, lon;
    bool open;
    rd_outcome outcome;                                        /* RD_OUTCOME_NONE while open */
    int64_t closed_at;                                         /* 0 while open */
    char unit[RD_ID_MAX], team[RD_ID_MAX], handler[RD_ID_MAX]; /* "" when not dispatched */
    bool has_deadline;
    int64_t deadline;
    int repeat_ordinal;
    char chain_id[RD_ID_MAX];
    int calls; /* calls about it decided excluded_* so far (its own first call not counted) */
    /* Read off its lifecycle events: */
    bool contact_reached;     /* a contact attempt reached the citizen */
    bool followup_reached;    /* a follow-up call reached the citizen */
    bool closeout_accepted;   /* a close-out passed inspection */
    int closeout_rejections;  /* close-outs rejected by inspection before that */
    bool closeout_unresolved; /* the accepted close-out, or the closing, says unresolved */
    bool false_closeout;      /* an audit found its close-out false */
} rd_prior;

#define RD_ACTIONS_MAX 12

typedef struct rd_action {
    rd_action_code code;
    bool mandatory; /* dispatch_to_original_handler only */
} rd_action;

typedef enum rd_assumption {
    RD_ASSUMED_CLAIM_UNRESOLVED = 1u << 0,
} rd_assumption;

typedef struct rd_decision {
    rd_decision_kind kind;
    rd_rule rule;
    bool counts_as_repeat;
    bool creates_work_order;
    int repeat_ordinal;
    /* The chain: the related ticket's chain for repeats and excluded calls, the new ticket's
     * own id otherwise. Points into the inputs; valid while they are. */
    const char *chain_id;
    const rd_prior *related; /* P, or NULL when there was no candidate */
    unsigned root_causes;    /* rd_root_cause bits */
    rd_action actions[RD_ACTIONS_MAX];
    size_t n_actions;
    unsigned assumptions; /* rd_assumption bits */
    bool in_window;       /* P was received within the repeat window */
    bool past_deadline;   /* P is open and past its deadline (R2) */
} rd_decision;

/* Decide on `t` given its candidates (any order). Never fails for valid inputs;
 * returns -EINVAL when an argument is NULL (with n > 0 for cands). */
int rd_decide(const rd_ticket_in *t, const rd_prior *cands, size_t n, const rd_settings *s,
              rd_decision *ret);

/* Whether the two places are far enough apart to be different problems. */
bool rd_different_place(double lat1, double lon1, double lat2, double lon2, int radius_m);

/* Great-circle distance in metres (haversine, mean Earth radius). */
double rd_distance_m(double lat1, double lon1, double lat2, double lon2);

/* A latitude/longitude box that holds every point within radius_m of (lat, lon): what the
 * store may narrow candidates to before core's exact test. */
typedef struct rd_box {
    double lat_min, lat_max, lon_min, lon_max;
} rd_box;
void rd_same_place_box(double lat, double lon, int radius_m, rd_box *ret);

/* P of DOMAIN.md: the newest candidate on the same problem (same place), or NULL. */
const rd_prior *rd_pick_prior(const rd_ticket_in *t, const rd_prior *cands, size_t n,
                              const rd_settings *s);

/* 绿色通道, the one definition: a repeat opens the green channel when it is the
 * green_channel_min_repeats-th (or later) repeat of its chain; a chain is in the green channel
 * while its newest repeat did so and is still open. */
bool rd_green_channel_reached(int repeat_ordinal, const rd_settings *s);
bool rd_chain_in_green_channel(int newest_repeat_ordinal, bool newest_repeat_open,
                               const rd_settings *s);
