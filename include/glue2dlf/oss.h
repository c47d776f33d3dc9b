/* SPDX-License-Identifier: MIT */
/**
 * @file oss.h
 * A small Alibaba Cloud OSS client for the result log: the oss://bucket/prefix location,
 * the endpoint (derived from the region, or overridden), object names that sort by time,
 * cycle and part, the request hooks that sign every attempt (OSS Signature V4 or V1) on
 * the shared HTTP engine, and the reading of OSS's XML error answers.
 *
 * Addressing: a derived endpoint and an overridden one with a DNS host name use
 * virtual-hosted style (`https://bucket.oss-<region>.aliyuncs.com/key`); an override whose
 * host is an IP literal or `localhost` (a simulator, a proxy) uses path style
 * (`http://127.0.0.1:8601/bucket/key`). Both sign the resource `/bucket/key`.
 */
#ifndef GLUE2DLF_OSS_H
#define GLUE2DLF_OSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/error.h"
#include "glue2dlf/http.h"

enum g2d_oss_signature {
    G2D_OSS_SIG_V4 = 0, /**< OSS4-HMAC-SHA256 (default) */
    G2D_OSS_SIG_V1,     /**< HMAC-SHA1 "OSS AK:signature" */
};

/** Credentials for one signature, all borrowed from the provider until the call returns. */
struct g2d_oss_creds {
    const char *access_key_id;
    const char *access_key_secret;
    const char *security_token; /**< NULL when none */
};

/** Called before every attempt for the credentials in force; 0, -EAGAIN (being fetched:
 * the attempt waits) or -ENOKEY (none). */
typedef int (*g2d_oss_creds_fn)(void *arg, struct g2d_oss_creds *out);

/**
 * Split `oss://bucket/prefix` into a bucket (3-63 of a-z, 0-9, '-') and a key prefix
 * (possibly empty; "/" appended when missing; only A-Z a-z 0-9 - _ . / ! ( ) * are
 * allowed, so that keys need no escaping). @return 0, or -EINVAL with @p why set to a
 * static explanation. *@p bucket and *@p prefix are malloc'd, owned by the caller.
 */
int g2d_oss_parse_location(const char *url, char **bucket, char **prefix, const char **why);

/**
 * The base URL for @p bucket: @p override (scheme://host[:port], borrowed) or
 * `https://<bucket>.oss-<region>[-internal].aliyuncs.com`. @p region is the DLF region
 * ("cn-hangzhou"; an "oss-" prefix is accepted and dropped). *@p base is malloc'd, owned
 * by the caller; *@p path_style tells the addressing style (see above). @return 0 or -errno.
 */
int g2d_oss_base_url(const char *bucket, const char *region, bool internal, const char *override,
                     char **base, bool *path_style);

/**
 * The object name of one part of a cycle's result lines, relative to the prefix:
 * `YYYYMMDDTHHMMSSZ-cycle-NNNNNN-part-NNNN.jsonl` (UTC start time of the cycle's log;
 * at least 6 and 4 digits), which sorts by time, then cycle, then part. @p out has
 * @p outsz >= 64 bytes. @return the length, or -ENOSPC.
 */
int g2d_oss_object_name(char *out, size_t outsz, int64_t start_unix, uint64_t cycle_id,
                        unsigned part);

/**
 * Read an object name made by g2d_oss_object_name() back (spool files after a restart).
 * @return 0, or -EINVAL when @p name is not one.
 */
int g2d_oss_object_name_parse(const char *name, int64_t *start_unix, uint64_t *cycle_id,
                              unsigned *part);

/**
 * The code and message of an OSS XML error body (`<Error><Code>..</Code><Message>..
 * </Message>...`), entities decoded, control characters replaced by blanks. Reads at most
 * @p len bytes of @p body (not NUL-terminated); writes NUL-terminated, truncated strings
 * into the caller's @p code / @p msg. @return 0, or -ENOENT when there is no Code.
 */
int g2d_oss_error_parse(const char *body, size_t len, char *code, size_t codesz, char *msg,
                        size_t msgsz);

/** The signing context of one OSS endpoint; callers fill it, the hooks borrow it. */
struct g2d_oss_ctx {
    const char *bucket;
    const char *region; /**< without "oss-" */
    bool path_style;
    enum g2d_oss_signature signature;
    g2d_oss_creds_fn creds;
    void *creds_arg;
};

/**
 * Endpoint hooks for g2d_http_endpoint_new(): prepare() adds Date, x-oss-date,
 * x-oss-content-sha256 (V4), Content-MD5 and Content-Type for bodies, the security token
 * and Authorization; classify() says 2xx = OK, 429 = throttled, 5xx/RequestTimeTooSkewed = retry,
 * else FAIL, and fills the error code and message from the XML body. ctx is a
 * struct g2d_oss_ctx (borrowed; it must outlive the endpoint).
 */
int g2d_oss_prepare(struct g2d_http_attempt *a, void *ctx);
enum g2d_http_verdict g2d_oss_classify(struct g2d_http_response *resp, void *ctx);

/** Base64 of the MD5 of @p n bytes into @p out (>= 25 bytes), as Content-MD5 wants it;
 * @p hex (>= 33 bytes, may be NULL) gets the upper-case hex OSS puts in a simple ETag. */
int g2d_oss_md5(const void *data, size_t n, char *out, char *hex);

#endif
