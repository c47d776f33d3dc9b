/* SPDX-License-Identifier: MIT */
/*
 * A main() for fuzz targets built without libFuzzer: it feeds every file named on the
 * command line (or every regular file of a directory argument) to LLVMFuzzerTestOneInput,
 * so that `make check` replays the seed corpora under the normal build and sanitizers.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_BYTES (64u << 20)

static int run_file(const char *path)
{
    size_t len = 0, cap = 4096;
    uint8_t *buf = malloc(cap);
    FILE *f;

    if (!buf)
        return -1;
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        free(buf);
        return -1;
    }
    for (;;) {
        size_t k;

        if (len == cap) {
            uint8_t *p;

            if (cap >= REPLAY_MAX_BYTES) {
                fprintf(stderr, "replay: %s: larger than %u bytes\n", path, REPLAY_MAX_BYTES);
                fclose(f);
                free(buf);
                return -1;
            }
            p = realloc(buf, cap * 2);
            if (!p) {
                fclose(f);
                free(buf);
                return -1;
            }
            buf = p;
            cap *= 2;
        }
        k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "replay: %s: read error\n", path);
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

static int run_path(const char *path, unsigned *count)
{
    struct dirent **ents = NULL;
    struct stat st;
    int n, i, rc = 0;

    if (stat(path, &st) < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (run_file(path) < 0)
            return -1;
        (*count)++;
        return 0;
    }
    n = scandir(path, &ents, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (i = 0; i < n; i++) {
        char *p = NULL;

        if (ents[i]->d_name[0] != '.' && asprintf(&p, "%s/%s", path, ents[i]->d_name) >= 0) {
            if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                if (run_file(p) < 0)
                    rc = -1;
                else
                    (*count)++;
            }
        }
        free(p);
        free(ents[i]);
    }
    free(ents);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int i, rc = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE-OR-DIR...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++)
        if (run_path(argv[i], &count) < 0)
            rc = 1;
    printf("replayed %u input%s\n", count, count == 1 ? "" : "s");
    return rc;
}
