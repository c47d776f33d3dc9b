/* SPDX-License-Identifier: MIT */
/*
 * Internal to lib/creds: the plan of a provider (a source, possibly with a base source for
 * AssumeRole), the parsers of outside input (ini profiles, credential JSON, STS XML,
 * ISO 8601 times) and the fetchers. Every parser borrows its input and returns owned
 * strings; secrets in them are wiped by g2d__cval_clear().
 */
#ifndef G2D_LIB_CREDS_INTERNAL_H
#define G2D_LIB_CREDS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/creds.h"

/* ---- values ------------------------------------------------------------------------ */

struct g2d__cval {
    char *id, *secret, *token; /* token may be NULL */
    int64_t expiry;            /* Unix seconds, 0 = never */
};

void g2d__cval_clear(struct g2d__cval *v);
/* snprintf into a description (truncation is fine: it is for people). */
void g2d__whatf(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Wipe and free a secret string; accepts NULL. */
void g2d__wipe_free(char *s);

/* ---- ini files (AWS shared credentials/config, ~/.alibabacloud/credentials) ---------- */

struct g2d__ini_kv {
    char *key; /* lower-cased */
    char *value;
};

struct g2d__ini_sect {
    char *name; /* as written between the brackets, trimmed */
    struct g2d__ini_kv *kv;
    size_t n;
};

struct g2d__ini {
    struct g2d__ini_sect *s;
    size_t n;
};

/*
 * Parse ini text: `[section]`, `key = value` (or ':'), `#` and `;` comment lines, blank
 * lines; indented lines under a key (AWS nested settings) are skipped. A later duplicate
 * key wins. @return 0, -ENOMEM, or -EINVAL with the 1-based line in *@p bad_line.
 */
int g2d__ini_parse(const char *text, size_t len, struct g2d__ini *out, unsigned *bad_line);
void g2d__ini_free(struct g2d__ini *ini);
/* Read @p path (0600-ish, at most 1 MiB): 0, -ENOENT, or another -errno. */
int g2d__ini_load(const char *path, struct g2d__ini *out, char *why, size_t whysz);
const struct g2d__ini_sect *g2d__ini_section(const struct g2d__ini *ini, const char *name);
const char *g2d__ini_get(const struct g2d__ini_sect *s, const char *key);

/* ---- answers ----------------------------------------------------------------------- */

/* "2026-12-08T01:02:03Z", with optional fraction and +hh:mm offset. -1 if malformed. */
int64_t g2d__parse_iso8601(const char *s);

enum g2d__json_kind {
    G2D_JSON_PROCESS,     /* credential_process: Version 1, SessionToken */
    G2D_JSON_METADATA,    /* IMDS and the container endpoint: Token, optional Code */
    G2D_JSON_ALIBABA,     /* ECS RAM role / credentials URI: AccessKeyId, SecurityToken */
    G2D_JSON_ALIBABA_STS, /* Alibaba STS: the same inside "Credentials"; Code/Message errors */
};

/* Parse a credentials JSON document. @return 0, or -EINVAL with a reason in @p why. */
int g2d__parse_cred_json(const char *body, size_t len, enum g2d__json_kind kind,
                         struct g2d__cval *out, char *why, size_t whysz);

/*
 * Parse an STS answer (AssumeRole, AssumeRoleWithWebIdentity: XML). An error document
 * gives -EACCES with "Code: Message" in @p why; a malformed one -EINVAL.
 */
int g2d__parse_sts_xml(const char *body, size_t len, struct g2d__cval *out, char *why,
                       size_t whysz);

/* ---- the plan ---------------------------------------------------------------------- */

enum g2d__src_kind {
    G2D_SRC_STATIC = 1,
    G2D_SRC_PROCESS,
    G2D_SRC_ASSUME_ROLE,
    G2D_SRC_WEB_IDENTITY,
    G2D_SRC_CONTAINER,
    G2D_SRC_IMDS,
    G2D_SRC_ALI_ASSUME_ROLE, /* Alibaba STS AssumeRole, ACS3-signed with the base's keys */
    G2D_SRC_ALI_OIDC,        /* Alibaba STS AssumeRoleWithOIDC (RRSA), unsigned */
};

struct g2d__src {
    enum g2d__src_kind kind;
    char what[384];     /* one line for --check-config and status, never a secret */
    struct g2d__cval v; /* STATIC */
    char *command;      /* PROCESS */
    /* ASSUME_ROLE, WEB_IDENTITY */
    char *role_arn, *session_name, *external_id, *token_file, *sts_url, *region;
    unsigned duration_s;
    struct g2d__src *base; /* ASSUME_ROLE: the credentials that sign the call */
    /* CONTAINER */
    char *url, *auth, *auth_file;
    /* IMDS */
    char *imds_url;
    bool v1_ok;
    bool ali;        /* IMDS, CONTAINER: Alibaba's ECS metadata and credentials URI */
    char *role_name; /* IMDS: the role, NULL = ask the metadata service */
    char *oidc_provider_arn;
};

void g2d__src_free(struct g2d__src *s);
bool g2d__src_fetched(const struct g2d__src *s);

/*
 * The AWS chain: @return 0 with *@p out, -ENOKEY (nothing found; @p why lists what was
 * looked at), or another error with the reason in @p why.
 */
int g2d__plan_aws(const struct g2d_config *cfg, struct g2d__src **out, char *why, size_t whysz);
/*
 * The Alibaba Cloud chain (lib/creds/aliyun_plan.c), as its credentials libraries define
 * it: 0, -ENOKEY (nothing found), or another error, with the reason in @p why.
 */
int g2d__plan_alibaba(const struct g2d_config *cfg, struct g2d__src **out, char *why, size_t whysz);
/*
 * One profile of the Alibaba CLI's config.json (@p name, NULL = its "current"), as a
 * source: 1, 0 (no such profile), or <0 with @p why. Outside input: fuzzed.
 */
int g2d__aliyun_cli_profile(const char *text, size_t len, const char *name, struct g2d__src **out,
                            char *why, size_t whysz);

/* The container endpoint and instance metadata links: 1 (planned), 0 (not set), <0. */
int g2d__aws_container(struct g2d__src **out);
int g2d__aws_imds(const struct g2d_config *cfg, struct g2d__src **out);
/* The chain asks instance metadata only on a host that looks like EC2 (or with
 * AWS_EC2_METADATA_SERVICE_ENDPOINT set): elsewhere it would only time out. */
bool g2d__looks_like_ec2(void);
/* Read a small file (a token) into a new string, trailing newline stripped. */
int g2d__read_small(const char *path, char **out, char *why, size_t whysz);

/** An environment variable (secure_getenv), NULL when unset or empty; "true" (any case). */
const char *g2d__env(const char *name);
bool g2d__env_true(const char *name);

/* ---- fetching ---------------------------------------------------------------------- */

/* The HTTP endpoints a provider's fetches use, one per base URL (they live as long as the
 * engine; cur is the fetch whose request is on it, for prepare()). */
struct g2d__fetch;
struct g2d__ep {
    char *url;
    struct g2d_http_endpoint *ep;
    struct g2d__fetch *cur;
};
#define G2D__MAX_EPS 4
struct g2d__eps {
    struct g2d_http *http;
    struct g2d__ep e[G2D__MAX_EPS];
    size_t n;
};
void g2d__eps_done(struct g2d__eps *eps);

/* err 0: *v is stolen by the callee. Otherwise @p why says what failed. */
typedef void (*g2d__fetch_cb)(void *arg, int err, struct g2d__cval *v, const char *why);

/*
 * Fetch @p s (borrowed until done) on @p http. @p cb runs once, later (never from inside
 * the call). @return the fetch (cancel with g2d__fetch_cancel(): cb is then never called),
 * or NULL with -errno in *@p rc.
 */
struct g2d__fetch *g2d__fetch_start(struct g2d__eps *eps, const struct g2d__src *s,
                                    g2d__fetch_cb cb, void *arg, int *rc);
void g2d__fetch_cancel(struct g2d__fetch *f);

/* Alibaba STS (fetch_ali.c): the form body of the call, and the ACS3 headers of AssumeRole. */
struct g2d_buf;
struct g2d_http_attempt;
int g2d__ali_sts_body(const struct g2d__src *s, int64_t now, struct g2d_buf *b, char *why,
                      size_t whysz);
int g2d__ali_sts_sign(struct g2d_http_attempt *a, const struct g2d__cval *base);

/* Run @p command with /bin/sh -c, collect at most 64 KiB of stdout; blocking (thread pool). */
int g2d__run_process(const char *command, char **out, size_t *len, char *why, size_t whysz);

#endif
