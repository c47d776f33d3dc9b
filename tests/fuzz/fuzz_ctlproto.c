/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the control protocol: the input is a byte stream as a client would
 * send it. It is fed through the bounded line splitter in chunks whose sizes come from the
 * data itself, every complete line goes through the request parser, and a reply is built
 * for it the way the server does (and parsed back, as glue2dlfctl would).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/ctlproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small maximum so that over-long lines are reached by short inputs too. */
#define FUZZ_LINE_MAX 256

static void handle_line(const char *line, size_t len)
{
    struct g2d_ctl_request req;
    struct g2d_ctl_reply rep;
    struct g2d_error err = {0};
    char *out;

    if (g2d_ctl_parse_request(line, len, &req, &err) == 0) {
        if (req.cmd >= G2D_CTL_NCMDS || !json_is_object(req.args))
            abort();
        out = g2d_ctl_reply_ok(req.id, json_copy(req.args));
    } else {
        if (!req.error_code || req.args)
            abort();
        out = g2d_ctl_reply_error(req.id, req.error_code, err.msg);
    }
    if (out) {
        size_t n = strlen(out);

        /* One line exactly, and it must parse back with the same id. */
        if (n == 0 || out[n - 1] != '\n' || memchr(out, '\n', n - 1))
            abort();
        if (g2d_ctl_parse_reply(out, n - 1, &rep, NULL) != 0 || rep.id != req.id)
            abort();
        g2d_ctl_reply_done(&rep);
        free(out);
    }
    g2d_ctl_request_done(&req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct g2d_linebuf lb;
    size_t off = 0;
    int r = 0;

    g2d_linebuf_init(&lb, FUZZ_LINE_MAX);
    while (off < size && r == 0) {
        /* Chunk size: one byte of the input, 1..FUZZ_LINE_MAX. */
        size_t chunk = (size_t)data[off] % FUZZ_LINE_MAX + 1;
        const char *line;
        size_t len;

        if (chunk > size - off)
            chunk = size - off;
        r = g2d_linebuf_feed(&lb, data + off, chunk);
        off += chunk;
        while (r == 0 && (r = g2d_linebuf_pop(&lb, &line, &len)) == 1) {
            if (len > FUZZ_LINE_MAX || strlen(line) > len)
                abort();
            handle_line(line, len);
            r = 0;
        }
        if (g2d_linebuf_pending(&lb) > 2 * FUZZ_LINE_MAX + 2)
            abort();
    }
    g2d_linebuf_done(&lb);
    /* Also the whole input as one line, the way the client parses replies. */
    {
        struct g2d_ctl_reply rep;

        if (g2d_ctl_parse_reply((const char *)data, size, &rep, NULL) == 0)
            g2d_ctl_reply_done(&rep);
    }
    return 0;
}
