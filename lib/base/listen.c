/* SPDX-License-Identifier: MIT */
/* Listen addresses (include/glue2dlf/listen.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/listen.h"

static const char *parse_port(const char *p, unsigned *port)
{
    unsigned long v = 0;
    size_t i;

    if (!*p)
        return "the port is missing (HOST:PORT)";
    for (i = 0; p[i]; i++) {
        if (p[i] < '0' || p[i] > '9' || i >= 5)
            return "the port must be a number from 0 to 65535";
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    if (v > 65535)
        return "the port must be a number from 0 to 65535";
    *port = (unsigned)v;
    return NULL;
}

static const char *parse_unix(const char *s, struct g2d_listen *out)
{
    struct sockaddr_un *un = (struct sockaddr_un *)&out->addr;
    size_t n = strlen(s);

    if (n >= sizeof(un->sun_path))
        return "too long for a UNIX socket path (at most 107 bytes)";
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, s, n + 1);
    out->family = AF_UNIX;
    out->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    return NULL;
}

static const char *parse_v6(const char *s, struct g2d_listen *out)
{
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->addr;
    const char *end = strchr(s, ']'), *why;
    char host[INET6_ADDRSTRLEN];
    unsigned port;

    if (!end || (size_t)(end - s - 1) >= sizeof(host))
        return "an IPv6 address must be written [ADDRESS]:PORT";
    memcpy(host, s + 1, (size_t)(end - s - 1));
    host[end - s - 1] = '\0';
    if (end[1] != ':')
        return "an IPv6 address must be written [ADDRESS]:PORT";
    if ((why = parse_port(end + 2, &port)))
        return why;
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
        return "not an IPv6 address between the brackets";
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    out->family = AF_INET6;
    out->addrlen = sizeof(*in6);
    return NULL;
}

static const char *parse_v4(const char *s, struct g2d_listen *out)
{
    struct sockaddr_in *in = (struct sockaddr_in *)&out->addr;
    const char *colon = strrchr(s, ':'), *why;
    char host[INET_ADDRSTRLEN + 8];
    unsigned port;
    size_t hn;

    if (!colon)
        return "expected HOST:PORT, [IPV6]:PORT or an absolute UNIX socket path";
    hn = (size_t)(colon - s);
    if (hn >= sizeof(host))
        return "the host must be an IPv4 address, [IPv6 address] or localhost (no name lookup)";
    memcpy(host, s, hn);
    host[hn] = '\0';
    if ((why = parse_port(colon + 1, &port)))
        return why;
    if (hn == 0)
        in->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (strcmp(host, "localhost") == 0)
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
        return "the host must be an IPv4 address, [IPv6 address] or localhost (no name lookup)";
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    out->family = AF_INET;
    out->addrlen = sizeof(*in);
    return NULL;
}

const char *g2d_listen_parse(const char *s, struct g2d_listen *out)
{
    memset(out, 0, sizeof(*out));
    if (!s || !*s)
        return "empty listen address";
    if (s[0] == '/')
        return parse_unix(s, out);
    if (s[0] == '[')
        return parse_v6(s, out);
    return parse_v4(s, out);
}

void g2d_listen_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t n)
{
    char host[INET6_ADDRSTRLEN];

    if (!n)
        return;
    buf[0] = '\0';
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        snprintf(buf, n, "%s:%u", host, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        snprintf(buf, n, "[%s]:%u", host, ntohs(in6->sin6_port));
    } else if (sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
        size_t max = len > offsetof(struct sockaddr_un, sun_path)
                         ? len - offsetof(struct sockaddr_un, sun_path)
                         : 0;

        snprintf(buf, n, "%.*s", (int)strnlen(un->sun_path, max), un->sun_path);
    }
}
