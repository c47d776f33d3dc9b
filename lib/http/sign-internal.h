/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/ (and to tests/unit/test_sign.c): pieces shared by the signers and the
 * intermediate values the published test vectors check.
 */
#ifndef GLUE2DLF_SIGN_INTERNAL_H
#define GLUE2DLF_SIGN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/sign.h"

/* Ceiling for every intermediate string (canonical request, string to sign, header). */
#define SIGN__MAX (1024 * 1024)

/* One header to sign: the lower-cased name (owned) and the caller's value (borrowed). */
struct sign__hdr {
    char *name;
    const char *value;
    size_t idx;
};

/* One query parameter; name and value are either borrowed or owned (see the callers). */
struct sign__param {
    const char *name;
    const char *value;
    size_t idx;
};

/* 1 if @p s is a non-empty RFC 9110 token (header names, methods). */
int sign__is_token(const char *s);

/*
 * Validate and copy @p n headers with lower-cased names, sorted by name (byte order) and,
 * for equal names, by their position in @p h. *@p out is NULL when n == 0.
 * @return 0, -EINVAL (bad name, NULL value) or -ENOMEM. Free with sign__hdrs_free().
 */
int sign__hdrs_collect(const struct g2d_kv *h, size_t n, struct sign__hdr **out);
void sign__hdrs_free(struct sign__hdr *h, size_t n);

/* Sort @p n parameters by name, then value, then position (all byte order). */
void sign__params_sort(struct sign__param *p, size_t n);

/* HMAC-SHA256 / HMAC-SHA1 of @p msg. @return 0, -EINVAL (key too long) or -EIO. */
int sign__hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen, uint8_t out[32]);
int sign__hmac_sha1(const void *key, size_t klen, const void *msg, size_t mlen, uint8_t out[20]);

/* Copy the intermediate values into @p dbg (if not NULL); canonical may be NULL. */
int sign__debug_fill(struct g2d_sign_debug *dbg, const struct g2d_buf *canonical,
                     const struct g2d_buf *sts);

/* Replace @p out's contents with @p s (the only write to a caller's output buffer). */
int sign__buf_set(struct g2d_buf *out, const struct g2d_buf *s);

/*
 * SigV4 signing key for (@p date8 `YYYYMMDD`, @p region, @p service), 32 bytes.
 * @return 0 or -errno.
 */
int sign__sigv4_key(const char *secret, const char *date8, const char *region, const char *service,
                    uint8_t out[32]);

/*
 * g2d_acs3_sign() with the hashed payload given as 64 lower-case hex characters instead of
 * being computed from the body (vectors V1/V2 publish only the hash).
 */
int sign__acs3_sign_hashed(const struct g2d_sign_req *req, const char *access_key_id,
                           const char *access_key_secret, const char *payload_hash,
                           struct g2d_buf *auth_out, char *sig_out, struct g2d_sign_debug *dbg);

#endif
