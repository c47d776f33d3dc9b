/* SPDX-License-Identifier: MIT */
/*
 * Listen addresses of the daemon's own servers (`metrics.listen`): "127.0.0.1:9464",
 * "[::1]:9464", "localhost:9464", ":9464" (every IPv4 interface) or an absolute UNIX socket
 * path. Port 0 asks the kernel for a free port (tests). Parsed once here, for the config
 * check and for the server that binds it.
 */
#ifndef GLUE2DLF_LISTEN_H
#define GLUE2DLF_LISTEN_H

#include <sys/socket.h>
#include <sys/un.h>

struct g2d_listen {
    int family; /**< AF_INET, AF_INET6 or AF_UNIX */
    struct sockaddr_storage addr;
    socklen_t addrlen;
};

/**
 * Parse @p s into @p out (caller storage). No name lookup happens: only IP literals and
 * "localhost" are accepted as hosts.
 * @return NULL, or a static sentence saying what is wrong
 */
const char *g2d_listen_parse(const char *s, struct g2d_listen *out);

/**
 * Format the bound address @p sa (as getsockname() gives it) as "127.0.0.1:9464",
 * "[::1]:9464" or the socket path, into @p buf of @p n bytes (always terminated).
 */
void g2d_listen_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t n);

#endif
