/* Without libFuzzer (any compiler): runs fuzz_request.c over every file of the folders given,
 * once each, so that the seed corpus and every input once found are kept as a regression test.
 * Prints TAP, one line per file. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    char *names[4096];
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            printf("Bail out! cannot open %s\n", argv[i]);
            return 1;
        }
        struct dirent *e;
        while ((e = readdir(d)) && n < sizeof(names) / sizeof(names[0])) {
            if (e->d_name[0] == '.')
                continue;
            size_t len = strlen(argv[i]) + strlen(e->d_name) + 2;
            names[n] = malloc(len);
            if (names[n])
                snprintf(names[n++], len, "%s/%s", argv[i], e->d_name);
        }
        closedir(d);
    }
    qsort(names, n, sizeof(names[0]), cmp);
    printf("1..%zu\n", n);
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(names[i], "rb");
        uint8_t buf[1 << 16];
        size_t got = f ? fread(buf, 1, sizeof(buf), f) : 0;
        if (f)
            fclose(f);
        LLVMFuzzerTestOneInput(buf, got); /* a broken property aborts */
        printf("ok %zu - %s\n", i + 1, names[i]);
        free(names[i]);
    }
    return 0;
}
