/* SPDX-License-Identifier: MIT */
/**
 * @file sign.h
 * Request signers: AWS Signature Version 4 (Glue), Alibaba Cloud ACS3-HMAC-SHA256 (V3)
 * and ROA HMAC-SHA1 (V2) for DLF, OSS V4 (OSS4-HMAC-SHA256) and V1 for the result log.
 *
 * They are pure functions: every input, including the time and the nonce, is passed in,
 * so the published test vectors are unit tests, and the simulator verifies requests
 * with the very same canonicalisation code.
 *
 * Inputs are described once by struct g2d_sign_req. Header names may be in any case;
 * the signers lower-case, sort, trim and (for repeated names) join them as each scheme
 * requires. Query parameters are passed decoded; the signer encodes them.
 *
 * Ownership: the signers borrow every input (the request, keys, strings) for the call only
 * and keep nothing; outputs go into caller-owned storage (@p auth_out is replaced, sig_out
 * is a caller buffer, @p dbg's buffers belong to the caller, who frees them with
 * g2d_sign_debug_done()). Secrets are wiped from the signers' own temporaries.
 */
#ifndef GLUE2DLF_SIGN_H
#define GLUE2DLF_SIGN_H

#include <stddef.h>

#include "glue2dlf/buf.h"

struct g2d_kv {
    const char *name;
    const char *value;
};

struct g2d_sign_req {
    const char *method;         /**< "GET", "POST", ... (may be "" for vector V2) */
    const char *path;           /**< raw path, "" is treated as "/" */
    const struct g2d_kv *query; /**< decoded query parameters, any order */
    size_t nquery;
    const struct g2d_kv *headers; /**< the headers to sign (exactly these) */
    size_t nheaders;
    const void *body; /**< may be NULL when body_len == 0 */
    size_t body_len;
};

/** Optional intermediate values, for tests and for the simulator's error messages. */
struct g2d_sign_debug {
    struct g2d_buf canonical_request; /**< SigV4/ACS3 canonical request; ROA: unused */
    struct g2d_buf string_to_sign;
};
/** Initialise @p d (caller-owned) empty. Cannot fail. */
void g2d_sign_debug_init(struct g2d_sign_debug *d);
/** Free the buffers @p d owns; @p d itself stays the caller's. */
void g2d_sign_debug_done(struct g2d_sign_debug *d);

/**
 * AWS SigV4 header signing.
 * @param amz_date   `YYYYMMDDTHHMMSSZ`, must equal the x-amz-date header being signed
 * @param auth_out   receives the full `Authorization` header value
 *                   (`AWS4-HMAC-SHA256 Credential=.../aws4_request, SignedHeaders=..., Signature=...`)
 * @param sig_out    optional (may be NULL): 65-byte buffer for the hex signature
 * @param dbg        optional intermediate values
 * @return 0 or -errno (-EINVAL for malformed input, -ENOMEM)
 * The payload hash is SHA-256 of body; the canonical URI is the path with each segment
 * URI-encoded (AWS non-S3 rules; Glue always uses "/").
 */
int g2d_sigv4_sign(const struct g2d_sign_req *req, const char *access_key_id,
                   const char *secret_access_key, const char *region, const char *service,
                   const char *amz_date, struct g2d_buf *auth_out, char *sig_out,
                   struct g2d_sign_debug *dbg);

/**
 * Alibaba Cloud V3 (ACS3-HMAC-SHA256). The headers must already contain every header to
 * sign, including x-acs-content-sha256 (hex SHA-256 of the body), x-acs-date and
 * x-acs-signature-nonce; the signer does not add any.
 * @param auth_out receives `ACS3-HMAC-SHA256 Credential=<ak>,SignedHeaders=<...>,Signature=<hex>`
 */
int g2d_acs3_sign(const struct g2d_sign_req *req, const char *access_key_id,
                  const char *access_key_secret, struct g2d_buf *auth_out, char *sig_out,
                  struct g2d_sign_debug *dbg);

/**
 * Alibaba Cloud ROA V2 (HMAC-SHA1). Uses the Accept, Content-MD5, Content-Type, Date and
 * every x-acs-* header found in req->headers (others are ignored).
 * @param auth_out receives `acs <ak>:<base64 signature>`
 * @param sig_out  optional: buffer of at least 29 bytes for the base64 signature
 */
int g2d_roa_sign(const struct g2d_sign_req *req, const char *access_key_id,
                 const char *access_key_secret, struct g2d_buf *auth_out, char *sig_out,
                 struct g2d_sign_debug *dbg);

/**
 * ROA signature over a ready string-to-sign (vector R1). @p out: caller's buffer of
 * @p outsz >= 29 bytes; the inputs are borrowed.
 */
int g2d_roa_signature(const char *string_to_sign, const char *secret, char *out, size_t outsz);

/**
 * OSS Signature V4 (OSS4-HMAC-SHA256), header form. req->path is the raw resource
 * "/bucket/key" (or "/bucket/"); req->headers are all the request's headers: every x-oss-*,
 * Content-Type and Content-MD5 is signed, plus those named in @p additional (any case;
 * names not present are skipped). The payload hash is the x-oss-content-sha256 header
 * (normally UNSIGNED-PAYLOAD), which the caller must send.
 * @param region   the region id without "oss-" ("cn-hangzhou")
 * @param oss_date `YYYYMMDDTHHMMSSZ`, equal to the x-oss-date header being signed
 * @param auth_out receives `OSS4-HMAC-SHA256 Credential=<ak>/<date>/<region>/oss/
 *                 aliyun_v4_request[,AdditionalHeaders=a;b],Signature=<hex>`
 * @param sig_out  optional 65-byte buffer for the hex signature
 */
int g2d_oss4_sign(const struct g2d_sign_req *req, const char *const *additional, size_t nadditional,
                  const char *access_key_id, const char *secret, const char *region,
                  const char *oss_date, struct g2d_buf *auth_out, char *sig_out,
                  struct g2d_sign_debug *dbg);

/**
 * OSS Signature V1 (HMAC-SHA1), header form: signs the Content-MD5, Content-Type and Date
 * headers found in req->headers, every x-oss-* header, and req->path ("/bucket/key", raw)
 * with the query's OSS sub-resources (acl, uploads, uploadId, partNumber, ...; decoded).
 * @param auth_out receives `OSS <ak>:<base64 signature>`
 * @param sig_out  optional: buffer of at least 29 bytes for the base64 signature
 */
int g2d_oss1_sign(const struct g2d_sign_req *req, const char *access_key_id, const char *secret,
                  struct g2d_buf *auth_out, char *sig_out, struct g2d_sign_debug *dbg);

/** Compare two NUL-terminated strings (borrowed) in constant time (signature checks). 1 if equal. */
int g2d_consttime_streq(const char *a, const char *b);

#endif
