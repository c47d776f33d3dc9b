/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the checkpoint loader, the held-delete section included. Any bytes: it
 * either loads a snapshot and registry that write back as long as they came (a version 1
 * file: 4 bytes longer, the empty held section) and load again, or refuses with -EBADMSG /
 * -ENOMEM and leaves both empty. Never out of bounds, never a leak.
 */
#include <errno.h>
#include <stdbool.h>
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

/* The rewrite @p out loads again, with as many entries and records. */
static void reload(const char *out, const struct g2d_snapshot *snap, const struct g2d_heldset *held)
{
    struct g2d_snapshot s2;
    struct g2d_heldset h2;
    struct g2d_ckpt_meta m2;

    g2d_snapshot_init(&s2);
    g2d_heldset_init(&h2);
    if (g2d_checkpoint_load(&s2, &h2, &m2, out, NULL) != 0 || s2.used != snap->used ||
        h2.used != held->used)
        abort();
    g2d_snapshot_done(&s2);
    g2d_heldset_done(&h2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct g2d_snapshot snap;
    struct g2d_heldset held;
    struct g2d_ckpt_meta meta;
    char path[64];
    int fd = to_file(data, size, path, sizeof(path)), r;

    g2d_snapshot_init(&snap);
    g2d_heldset_init(&held);
    r = g2d_checkpoint_load(&snap, &held, &meta, path, NULL);
    if (r == 0) {
        char out[] = "/tmp/g2d-fuzz-ckpt-XXXXXX";
        int ofd = mkstemp(out);
        FILE *f;
        uint8_t *back;
        long n;
        bool v1;

        if (ofd < 0 || g2d_checkpoint_write(&snap, &held, &meta, out, NULL) < 0)
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
        reload(out, &snap, &held);
        unlink(out);
        /* entries are written in hash-table order: compare the size, the header (but the
         * version of a version 1 file) and that the rewrite loads again */
        v1 = data[8] == 1;
        if ((size_t)n != size + (v1 ? 4 : 0) || memcmp(back, data, 8) != 0 ||
            memcmp(back + 12, data + 12, 36) != 0 || back[8] != 2)
            abort();
        free(back);
    } else if (r != -EBADMSG && r != -ENOMEM) {
        abort();
    } else if (snap.used != 0 || held.used != 0) {
        abort();
    }
    g2d_snapshot_done(&snap);
    g2d_heldset_done(&held);
    close(fd);
    return 0;
}
