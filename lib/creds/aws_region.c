/* SPDX-License-Identifier: MIT */
/*
 * The AWS region from EC2 instance metadata (the SDKs' last source of a region, after
 * AWS_REGION / AWS_DEFAULT_REGION and the profile): IMDSv2 token, then
 * /latest/meta-data/placement/region. One blocking exchange at start-up, before the loop
 * runs, with short time-outs, as the SDKs do it; only on a host that looks like EC2 or
 * when AWS_EC2_METADATA_SERVICE_ENDPOINT names the service.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "creds/creds-internal.h"
#include "glue2dlf/creds.h"

#define IMDS_TIMEOUT_MS 1000
#define IMDS_BODY_MAX 256

struct body {
    char b[IMDS_BODY_MAX + 1];
    size_t n;
    bool over;
};

static size_t on_data(char *p, size_t sz, size_t nm, void *arg)
{
    struct body *b = arg;
    size_t n = sz * nm;

    if (b->n + n > IMDS_BODY_MAX) {
        b->over = true;
        return 0; /* a region is a few bytes: anything long is not one */
    }
    memcpy(b->b + b->n, p, n);
    b->n += n;
    b->b[b->n] = '\0';
    return n;
}

/* One request; @return the HTTP status (0: no answer). */
static long imds_call(const char *url, const char *method, const char *header, struct body *b)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = header ? curl_slist_append(NULL, header) : NULL;
    long status = 0;

    if (!c) {
        curl_slist_free_all(h);
        return 0;
    }
    memset(b, 0, sizeof(*b));
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)IMDS_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)IMDS_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    return status;
}

static bool region_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 3 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

int g2d_creds_imds_region(bool v1_ok, char *buf, size_t sz, char *why, size_t wsz)
{
    const char *ep = secure_getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *off = secure_getenv("AWS_EC2_METADATA_DISABLED");
    char url[512], hdr[256];
    struct body b;
    long st;

    if (off && strcasecmp(off, "true") == 0)
        return snprintf(why, wsz, "AWS_EC2_METADATA_DISABLED is set"), -ENOENT;
    if ((!ep || !*ep) && !g2d__looks_like_ec2())
        return snprintf(why, wsz, "not an EC2 instance"), -ENOENT;
    if (!ep || !*ep)
        ep = "http://169.254.169.254";
    snprintf(url, sizeof(url), "%.*s/latest/api/token", (int)strcspn(ep, "\n"), ep);
    if (strstr(url, "//latest"))
        memmove(strstr(url, "//latest") + 1, strstr(url, "//latest") + 2,
                strlen(strstr(url, "//latest") + 2) + 1);
    st = imds_call(url, "PUT", "X-aws-ec2-metadata-token-ttl-seconds: 60", &b);
    hdr[0] = '\0';
    if (st == 200 && b.n > 0 && b.n < 200 && !strpbrk(b.b, "\r\n"))
        snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %.200s", b.b);
    else if (!v1_ok)
        return snprintf(why, wsz,
                        "no IMDSv2 token from %s (HTTP %ld; IMDSv1 only with "
                        "glue.imds_v1_fallback)",
                        ep, st),
               -EACCES;
    strcpy(strstr(url, "/latest/") + 8, "meta-data/placement/region");
    st = imds_call(url, "GET", hdr[0] ? hdr : NULL, &b);
    if (st != 200 || !region_ok(b.b))
        return snprintf(why, wsz, "instance metadata at %s gave no region (HTTP %ld)", ep, st),
               -EIO;
    if (strlen(b.b) >= sz)
        return snprintf(why, wsz, "region too long"), -ENAMETOOLONG;
    strcpy(buf, b.b);
    return 0;
}
