/* Private PostgreSQL clusters of one test program (see private_pg.h). */
#include "private_pg.h"

#include "rd_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MAX_CLUSTERS 4

static char script[1024], root[256];
static char dirs[MAX_CLUSTERS][300];
static char subs[MAX_CLUSTERS][32];
static bool started[MAX_CLUSTERS];
static int n_clusters;
static bool made;
static void (*before_cleanup)(void);

static int slot_of(const char *sub)
{
    for (int i = 0; i < n_clusters; i++)
        if (!strcmp(subs[i], sub))
            return i;
    if (n_clusters == MAX_CLUSTERS) {
        printf("Bail out! more than %d private clusters\n", MAX_CLUSTERS);
        exit(1);
    }
    snprintf(subs[n_clusters], sizeof(subs[0]), "%s", sub);
    snprintf(dirs[n_clusters], sizeof(dirs[0]), "%s%s%s", root, *sub ? "/" : "", sub);
    return n_clusters++;
}

const char *private_pg_dir(const char *sub)
{
    return dirs[slot_of(sub)];
}

static int run(const char *line)
{
    int st = system(line);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int private_pg(const char *cmd, const char *sub)
{
    int i = slot_of(sub);
    char line[1600];
    snprintf(line, sizeof(line), "PG_FAST=1 '%s' %s '%s' %d >&2", script, cmd, dirs[i],
             PRIVATE_PG_PORT);
    started[i] |= !strcmp(cmd, "start") || !strcmp(cmd, "restart");
    return run(line);
}

int private_pg_replica(const char *sub, const char *primary)
{
    int i = slot_of(sub), p = slot_of(primary);
    char line[2000];
    snprintf(line, sizeof(line), "PG_FAST=1 '%s' replica '%s' %d '%s' %d >&2", script, dirs[i],
             PRIVATE_PG_PORT, dirs[p], PRIVATE_PG_PORT);
    started[i] = true;
    return run(line);
}

void private_pg_url(const char *sub, const char *db, char *out, size_t size)
{
    snprintf(out, size, "postgresql:///%s?host=%s&port=%d&user=postgres", db, private_pg_dir(sub),
             PRIVATE_PG_PORT);
}

void private_pg_before_cleanup(void (*fn)(void))
{
    before_cleanup = fn;
}

/* At exit, also after a bail-out: standbys first, then the rest, then the folder. */
static void cleanup(void)
{
    if (!made)
        return;
    made = false;
    if (before_cleanup)
        before_cleanup();
    for (int i = n_clusters - 1; i >= 0; i--)
        if (started[i])
            private_pg("stop", subs[i]);
    char rm[512];
    snprintf(rm, sizeof(rm), "rm -rf '%s'", root);
    if (run(rm) != 0)
        fprintf(stderr, "could not remove %s\n", root);
}

void private_pg_init(const char *name)
{
    const char *shared = getenv("REPEATD_TEST_DATABASE_URL");
    const char *s = getenv("REPEATD_TEST_PG_SCRIPT");
    if (!shared || !*shared || !s || !*s)
        rd_test_skip("no database (REPEATD_TEST_DATABASE_URL and REPEATD_TEST_PG_SCRIPT are "
                     "needed)");
    snprintf(script, sizeof(script), "%s", s);
    snprintf(root, sizeof(root), "/tmp/repeatd-api-%s.XXXXXX", name);
    if (!mkdtemp(root)) {
        printf("Bail out! mkdtemp failed\n");
        exit(1);
    }
    chmod(root, 0755); /* the clusters' owner (postgres, when run as root) must reach it */
    made = true;
    atexit(cleanup);
}
