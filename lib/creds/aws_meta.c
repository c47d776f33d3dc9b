/* SPDX-License-Identifier: MIT */
/*
 * The two metadata links of the AWS chain, planned from the environment: the ECS/EKS
 * container endpoint and EC2 instance metadata (IMDS).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glue2dlf/config.h"
#include "creds/creds-internal.h"

#define SMALL_MAX (64u << 10)

const char *g2d__env(const char *name)
{
    const char *e = secure_getenv(name);

    return e && *e ? e : NULL;
}

bool g2d__env_true(const char *name)
{
    const char *e = g2d__env(name);

    return e && strcasecmp(e, "true") == 0;
}

int g2d__read_small(const char *path, char **out, char *why, size_t whysz)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    char *buf;
    size_t len = 0;
    struct stat st;

    *out = NULL;
    if (fd < 0) {
        int e = errno;

        snprintf(why, whysz, "%s: %s", path, strerror(e));
        return -e;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SMALL_MAX) {
        close(fd);
        snprintf(why, whysz, "%s: not a regular file of at most 64 KiB", path);
        return -EINVAL;
    }
    buf = calloc(1, (size_t)st.st_size + 1);
    while (buf && len < (size_t)st.st_size) {
        ssize_t k = read(fd, buf + len, (size_t)st.st_size - len);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        len += (size_t)k;
    }
    close(fd);
    if (!buf)
        return -ENOMEM;
    buf[len] = '\0';
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    if (!len || strlen(buf) != len) {
        snprintf(why, whysz, "%s: empty or holds a NUL byte", path);
        g2d__wipe_free(buf);
        return -EINVAL;
    }
    *out = buf;
    return 0;
}

/* A full URI must be https, or plain http to loopback or the ECS/EKS agent addresses. */
static bool full_uri_allowed(const char *u)
{
    static const char *const hosts[] = {"127.",          "localhost",      "[::1]",
                                        "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"};

    if (strncmp(u, "https://", 8) == 0)
        return true;
    if (strncmp(u, "http://", 7) != 0)
        return false;
    u += 7;
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        size_t n = strlen(hosts[i]);

        if (strncmp(u, hosts[i], n) == 0 &&
            (hosts[i][n - 1] == '.' || u[n] == ':' || u[n] == '/' || u[n] == '\0'))
            return true;
    }
    return false;
}

int g2d__aws_container(struct g2d__src **out)
{
    const char *rel = g2d__env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = g2d__env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *tok = g2d__env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    const char *tokf = g2d__env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    struct g2d__src *s;
    int r;

    if (!rel && !full)
        return 0;
    s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->kind = G2D_SRC_CONTAINER;
    if (rel)
        r = asprintf(&s->url, "http://169.254.170.2%s%s", rel[0] == '/' ? "" : "/", rel);
    else
        r = (s->url = strdup(full)) ? 0 : -1;
    if (r < 0 || (tokf && !(s->auth_file = strdup(tokf))) ||
        (!tokf && tok && !(s->auth = strdup(tok)))) {
        g2d__src_free(s);
        return -ENOMEM;
    }
    if (!rel && !full_uri_allowed(full)) {
        g2d__src_free(s);
        return -EPERM;
    }
    g2d__whatf(s->what, sizeof(s->what), "container endpoint %.200s%s%.120s", s->url,
               tokf  ? ", token from "
               : tok ? ", with AWS_CONTAINER_AUTHORIZATION_TOKEN"
                     : "",
               tokf ? tokf : "");
    *out = s;
    return 1;
}

/* Does this host look like an EC2 instance (DMI vendor, or a Xen UUID starting "ec2")? */
bool g2d__looks_like_ec2(void)
{
    static const char *const files[] = {"/sys/class/dmi/id/sys_vendor",
                                        "/sys/class/dmi/id/board_vendor",
                                        "/sys/class/dmi/id/bios_vendor", "/sys/hypervisor/uuid"};
    char buf[64];

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        FILE *f = fopen(files[i], "re");
        size_t n;

        if (!f)
            continue;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        if (strstr(buf, "Amazon") || strncasecmp(buf, "ec2", 3) == 0)
            return true;
    }
    return false;
}

int g2d__aws_imds(const struct g2d_config *cfg, struct g2d__src **out)
{
    const char *ep = g2d__env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *mode = g2d__env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    struct g2d__src *s;
    size_t n;

    if (g2d__env_true("AWS_EC2_METADATA_DISABLED"))
        return 0;
    if (!ep)
        ep = mode && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                   : "http://169.254.169.254";
    s = calloc(1, sizeof(*s));
    if (!s || !(s->imds_url = strdup(ep))) {
        free(s);
        return -ENOMEM;
    }
    s->kind = G2D_SRC_IMDS;
    n = strlen(s->imds_url);
    while (n > 8 && s->imds_url[n - 1] == '/')
        s->imds_url[--n] = '\0';
    s->v1_ok = cfg->glue.imds_v1_fallback && !g2d__env_true("AWS_EC2_METADATA_V1_DISABLED");
    g2d__whatf(s->what, sizeof(s->what), "EC2 instance metadata (IMDSv2%s) at %.200s",
               s->v1_ok ? ", IMDSv1 fallback" : "", s->imds_url);
    *out = s;
    return 1;
}
