/* The demo city's fixed parts: districts, the category tree, units, teams and handlers. */
#pragma once

#include "rng.h"

#include "repeatd/pool.h"

#include <stdbool.h>
#include <stddef.h>

#define DEMO_DISTRICTS 6
#define DEMO_ROADS     6

typedef struct demo_district {
    const char *name;   /* 天河区 */
    const char *street; /* the 街道 whose office stands for the district's streets */
    double lat, lon;    /* centre */
    const char *roads[DEMO_ROADS];
} demo_district;

extern const demo_district demo_districts[DEMO_DISTRICTS];

/* A node of the category tree; leaves carry who handles them and how often they are called
 * about. */
typedef struct demo_category {
    const char *code;
    const char *name;
    const char *parent;
    bool policy;
    int kind1, kind2; /* demo_kind of the responsible units; -1 none (inner nodes, kind2) */
    int weight;       /* relative call volume; 0 for inner nodes */
    int deadline_days;
} demo_category;

typedef struct demo_unit {
    char code[16];
    char name[64];
    int kind;
    int district; /* -1 for city-level units */
    int team0, n_teams;
    /* How well it handles tickets: drives contact failures, rejections and repeats. */
    double contact_fail;   /* first contact attempt fails */
    double reject;         /* a close-out is rejected by the inspection */
    double unresolved;     /* a ticket closes unresolved */
    double followup_reach; /* the follow-up call reaches the citizen */
    double late;           /* handling drags past the deadline */
    double audit;          /* a closed ticket is audited */
    double audit_false;    /* an audit finds the close-out false */
    double target;         /* standing target repeat rate */
    bool weak;             /* one of the units at the bottom of the ranking, by design */
} demo_unit;

typedef struct demo_team {
    char code[24];
    char name[64];
    int unit;
    int handler0, n_handlers;
} demo_team;

typedef struct demo_handler {
    char code[48];
    char name[16];
    int team;
} demo_handler;

#define DEMO_UNITS_MAX    48
#define DEMO_TEAMS_MAX    (DEMO_UNITS_MAX * 4)
#define DEMO_HANDLERS_MAX (DEMO_TEAMS_MAX * 8)
#define DEMO_LEAVES_MAX   160

typedef struct demo_city {
    const demo_category *cats; /* the static tree, parents first */
    size_t n_cats;
    int leaves[DEMO_LEAVES_MAX]; /* indices into cats */
    int n_leaves;
    double leaf_cdf[DEMO_LEAVES_MAX]; /* cumulative call weights */
    demo_unit units[DEMO_UNITS_MAX];
    int n_units;
    demo_team teams[DEMO_TEAMS_MAX];
    int n_teams;
    demo_handler handlers[DEMO_HANDLERS_MAX];
    int n_handlers;
} demo_city;

/* Build the city of a seed (names, sizes and qualities vary with it; the tree does not). */
void demo_city_build(demo_city *c, uint64_t seed);

/* Store the tree, the names of units, teams and handlers, and the units' standing targets,
 * each list in one transaction. */
int demo_city_store(rd_db *db, const demo_city *c);

/* A leaf (index into c->leaves) drawn by call volume. */
int demo_city_pick_leaf(const demo_city *c, demo_rng *r);

/* The unit responsible for a leaf in a district: the first kind mostly, the second sometimes. */
int demo_city_unit_for(const demo_city *c, int leaf, int district, demo_rng *r);

/* Whether unit u may handle leaf (one of the leaf's kinds, in its district for district
 * units). */
bool demo_city_unit_handles(const demo_city *c, int unit, int leaf);

/* Whether every unit that may handle the leaf is a district's: its repeats spread over six
 * units rather than piling up on one. */
bool demo_city_leaf_local(const demo_city *c, int leaf);

static inline const demo_category *demo_leaf(const demo_city *c, int leaf)
{
    return &c->cats[c->leaves[leaf]];
}
