/* SPDX-License-Identifier: MIT */
/*
 * A main() for fuzz targets built without libFuzzer: runs LLVMFuzzerTestOneInput once per
 * file named on the command line; a directory argument is walked one level deep. This lets
 * `make check` compile every target and replay its seed corpus under the sanitizers.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs beyond this are not corpus files; refuse rather than eat memory. */
#define REPLAY_MAX_INPUT (64u << 20)

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rbe");
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;

    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        size_t n;

        if (len == cap) {
            uint8_t *p;

            cap = cap ? cap * 2 : 4096;
            if (cap > REPLAY_MAX_INPUT) {
                fprintf(stderr, "%s: larger than %u bytes\n", path, REPLAY_MAX_INPUT);
                goto fail;
            }
            p = realloc(data, cap);
            if (!p) {
                fprintf(stderr, "%s: out of memory\n", path);
                goto fail;
            }
            data = p;
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "%s: read error\n", path);
        goto fail;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    return 0;

fail:
    fclose(f);
    free(data);
    return -1;
}

static int run_path(const char *path, int depth)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if (stat(path, &st) < 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    if (depth > 0)
        return 0;
    d = opendir(path);
    if (!d) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((e = readdir(d))) {
        char sub[4096];

        if (e->d_name[0] == '.')
            continue;
        if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= sizeof(sub))
            continue;
        if (run_path(sub, depth + 1) < 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0, n = 0;

    for (int i = 1; i < argc; i++) {
        if (run_path(argv[i], 0) < 0)
            rc = 1;
        n++;
    }
    if (n == 0) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    return rc;
}
