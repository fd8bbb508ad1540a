/* repeatd-demo: builds the demo city into the database of REPEATD_DATABASE_URL, citizens
 * hashed under REPEATD_SECRET as live intake hashes them, and prints what it built. */
#include "demo.h"

#include "repeatd/config.h"
#include "repeatd/json_spec.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_num(const char *s, long long min, long long max, long long *ret)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int demo_usage(void)
{
    fputs("usage: repeatd-demo [--tickets N] [--months M] [--seed S] [--threads T] [--reset]\n"
          "                    [--end TIME] [--jsonl FILE]\n"
          "  --tickets N   tickets to build, planted anomalies included (default 100000)\n"
          "  --months M    full months of history before the current one (default 24)\n"
          "  --seed S      the same seed builds the same city (default 1)\n"
          "  --threads T   worker connections (default: one per CPU)\n"
          "  --reset       also delete tickets that are not the demo's\n"
          "  --end TIME    RFC 3339 instant the history ends at (default now)\n"
          "  --jsonl FILE  also write every ticket and event as repeatd import's JSON Lines\n",
          stderr);
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tickets", required_argument, NULL, 'n'},
        {"months", required_argument, NULL, 'm'},
        {"seed", required_argument, NULL, 's'},
        {"threads", required_argument, NULL, 't'},
        {"reset", no_argument, NULL, 'r'},
        {"end", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {"jsonl", required_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    /* One worker per CPU: each waits on its backend half the time and its backend on it, so
     * more workers only add context switches (measured on 2 CPUs: 4 workers cost 25% more CPU
     * per ticket than 2). */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    rd_demo_opts o = {.tickets = 100000,
                      .months = 24,
                      .seed = 1,
                      .threads = cpus < 1    ? 1
                                 : cpus > 16 ? 16
                                             : (int)cpus,
                      .progress = true};
    long long v;
    int c;
    const char *jsonl_path = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'n':
            bad = parse_num(optarg, 100, 50000000, &v);
            o.tickets = (long)v;
            break;
        case 'm':
            bad = parse_num(optarg, 2, 60, &v);
            o.months = (int)v;
            break;
        case 's':
            bad = parse_num(optarg, 0, INT64_MAX, &v);
            o.seed = (uint64_t)v;
            break;
        case 't':
            bad = parse_num(optarg, 1, 64, &v);
            o.threads = (int)v;
            break;
        case 'r':
            o.reset = true;
            break;
        case 'j':
            jsonl_path = optarg;
            break;
        case 'e': {
            int64_t t;
            bad = rd_time_parse(optarg, &t);
            o.end = t;
            break;
        }
        default:
            return demo_usage();
        }
        if (bad < 0) {
            fprintf(stderr, "repeatd-demo: bad value: %s\n", optarg);
            return demo_usage();
        }
    }
    if (optind != argc)
        return demo_usage();

    rd_config cfg;
    char err[256];
    if (rd_config_load(&cfg, true, err, sizeof(err)) < 0) {
        fprintf(stderr, "repeatd-demo: configuration error: %s\n", err);
        return 2;
    }
    o.database_url = cfg.database_url;
    o.secret = cfg.secret;
    if (jsonl_path && !(o.jsonl = fopen(jsonl_path, "w"))) {
        fprintf(stderr, "repeatd-demo: cannot write %s: %s\n", jsonl_path, strerror(errno));
        rd_config_free(&cfg);
        return 2;
    }
    rd_demo_summary s;
    int r = rd_demo_run(&o, &s);
    if (o.jsonl && fclose(o.jsonl) != 0 && r == 0)
        r = -EIO;
    rd_config_free(&cfg);
    if (r < 0) {
        if (r != -EEXIST) /* a database with other tickets: the refusal said why already */
            fprintf(stderr, "repeatd-demo: failed: %s\n", strerror(-r));
        return 1;
    }
    rd_demo_summary_print(stdout, &s);
    return 0;
}
