/* repeatd: repeat-complaint control for government service hotlines. main() picks a command. */
#include "repeatd/cli.h"

#include <stdio.h>
#include <string.h>

static int usage(FILE *f)
{
    fputs("usage: repeatd serve                 apply pending migrations, then serve HTTP\n"
          "       repeatd migrate               apply pending migrations and exit\n"
          "       repeatd maintain              make the monthly partitions ahead, drop the\n"
          "                                     months past retain_months; print a JSON line\n"
          "       repeatd key create --role crm|dashboard|manager|admin --name NAME\n"
          "                                     print a new API key (only its hash is kept)\n"
          "       repeatd import [--rejects FILE] [--dry-run] [--workers N] FILE...\n"
          "                                     load a CRM's history (JSON Lines; - = stdin)\n"
          "Configuration comes from the environment: REPEATD_DATABASE_URL, REPEATD_LISTEN,\n"
          "REPEATD_SECRET, REPEATD_BOOTSTRAP_ADMIN_KEY, REPEATD_THREADS, "
          "REPEATD_MAX_BODY_BYTES, REPEATD_METRICS_LISTEN.\n",
          f);
    return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "serve") && argc == 2)
        return rd_cmd_serve();
    if (argc >= 2 && !strcmp(argv[1], "migrate") && argc == 2)
        return rd_cmd_migrate();
    if (argc == 2 && !strcmp(argv[1], "maintain"))
        return rd_cmd_maintain();
    if (argc >= 3 && !strcmp(argv[1], "key") && !strcmp(argv[2], "create"))
        return rd_cmd_key_create(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "import"))
        return rd_cmd_import(argc - 1, argv + 1);
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")))
        return usage(stdout);
    return usage(stderr);
}
