/* The demo's random numbers: xorshift64* seeded by splitmix64, one stream per citizen, so that
 * a seed gives the same city whatever the number of threads. Never rand(). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct demo_rng {
    uint64_t s;
} demo_rng;

static inline uint64_t demo_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The stream `stream` of `seed`: independent enough for streams 0, 1, 2, ... */
static inline demo_rng demo_rng_make(uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    demo_rng r = {demo_splitmix(&x)};
    r.s = r.s ? r.s : 1; /* xorshift's one fixed point */
    return r;
}

static inline uint64_t demo_next(demo_rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, 1). */
static inline double demo_uniform(demo_rng *r)
{
    return (double)(demo_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n), n > 0. */
static inline int demo_below(demo_rng *r, int n)
{
    return (int)(((demo_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline bool demo_chance(demo_rng *r, double p)
{
    return demo_uniform(r) < p;
}

static inline double demo_between(demo_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * demo_uniform(r);
}
