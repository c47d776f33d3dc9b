/* SPDX-License-Identifier: MIT */
/**
 * @file creds.h
 * The credentials room: one provider per side (Glue: AWS, DLF: Alibaba Cloud) that holds
 * the credentials in force {access key id, secret, session token, expiry} and where they
 * came from, and keeps temporary ones fresh.
 *
 * A provider is made in two steps:
 *  - g2d_creds_new() plans, without network and without running anything: it walks the
 *    side's chain (config keys, environment, shared files and profiles, web identity,
 *    container endpoint, instance metadata) and picks the first source that applies. That
 *    is all --check-config needs (g2d_creds_describe()).
 *  - g2d_creds_start() fetches them on the loop, through the HTTP engine (metadata, STS,
 *    container endpoints) or the thread pool (credential_process), and refreshes them
 *    before they expire (five minutes early, or half their lifetime when that is shorter)
 *    and at once after the service said the token expired (g2d_creds_invalidate()). A
 *    failed fetch is retried with exponential backoff (1 s .. 60 s).
 *
 * g2d_creds_get() never blocks: it answers with valid credentials, or -EAGAIN while the
 * first fetch (or the refresh of expired ones) is under way, so that the caller waits
 * (the HTTP engine re-queues an attempt whose prepare() returns -EAGAIN), or -ENOKEY with
 * the reason in g2d_creds_error(). Credentials past their expiry are never handed out.
 *
 * Secrets are wiped (explicit_bzero) when replaced and on free; no message of this room
 * ever contains one.
 *
 * Everything runs on the loop thread.
 */
#ifndef GLUE2DLF_CREDS_H
#define GLUE2DLF_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/error.h"

struct g2d_config;
struct g2d_http;
struct g2d_creds;

enum g2d_creds_cloud {
    G2D_CREDS_AWS = 0,     /**< Glue */
    G2D_CREDS_ALIBABA = 1, /**< DLF and OSS */
};

/** Credentials in force, borrowed from the provider until the next loop iteration. */
struct g2d_creds_view {
    const char *id;
    const char *secret;
    const char *token; /**< NULL when none */
    int64_t expiry;    /**< Unix seconds, 0 = does not expire */
};

/**
 * Plan the side's credentials from @p cfg (read during the call only).
 * @return 0 (a source was found), -ENOKEY (none: *@p out is still made, and
 * g2d_creds_error() says what was looked at), or another error (a broken profile, a
 * missing named profile, a role without a source...) in @p err.
 * @param[out] out caller owns; release with g2d_creds_free()
 */
int g2d_creds_new(struct g2d_creds **out, enum g2d_creds_cloud cloud, const struct g2d_config *cfg,
                  struct g2d_error *err);

/** Where the credentials come from, one line without any secret ("environment
 * (AWS_ACCESS_KEY_ID, ...)", "EC2 instance metadata (IMDSv2) at http://..."). */
const char *g2d_creds_describe(const struct g2d_creds *p);

/** Whether the plan found a source at all. */
bool g2d_creds_found(const struct g2d_creds *p);

/** Whether the source yields temporary credentials that must be fetched. */
bool g2d_creds_fetched(const struct g2d_creds *p);

/**
 * Begin fetching on the loop of @p http (borrowed; must outlive the provider). Sources
 * that need no fetch are ready at once. Calling it twice is harmless.
 */
int g2d_creds_start(struct g2d_creds *p, struct g2d_http *http);

/** The credentials in force at @p now (Unix seconds): 0, -EAGAIN (wait) or -ENOKEY. */
int g2d_creds_get(struct g2d_creds *p, int64_t now, struct g2d_creds_view *out);

/** The service refused the token as expired or invalid: fetch new ones now. */
void g2d_creds_invalidate(struct g2d_creds *p);

/** Why there are no credentials (or the last refresh failure), "" if none. */
const char *g2d_creds_error(const struct g2d_creds *p);

/** Replace the secret and token in force, wherever they occur in @p msg, by "***". */
void g2d_creds_scrub(const struct g2d_creds *p, char *msg);

/** Counters for status and metrics. */
struct g2d_creds_stats {
    uint64_t fetches;  /**< fetches completed with credentials */
    uint64_t failures; /**< fetches that failed */
    int64_t expiry;    /**< of the credentials in force, 0 = none or never */
};
void g2d_creds_stats(const struct g2d_creds *p, struct g2d_creds_stats *out);

/**
 * Release; accepts NULL. Cancels a fetch in flight; a credential_process still running
 * and the refresh timer are let go on the loop (the loop must run until they close).
 */
void g2d_creds_free(struct g2d_creds *p);

/** Is @p s a valid `glue.credentials` / `dlf.credentials` value? @p why on failure. */
bool g2d_creds_spec_valid(enum g2d_creds_cloud cloud, const char *s, const char **why);

/**
 * The region of the AWS profile in force (@p spec "profile NAME", else AWS_PROFILE, else
 * "default") from the shared config file, into @p buf. @return 0, or -ENOENT.
 */
int g2d_creds_aws_region(const char *spec, char *buf, size_t sz);

/**
 * The region from EC2 instance metadata (IMDSv2; IMDSv1 too when @p v1_ok), blocking for
 * at most about 2 s; only on a host that looks like EC2 or when
 * AWS_EC2_METADATA_SERVICE_ENDPOINT is set. For start-up, before the loop runs.
 * @return 0 with the region in @p buf, or a negative errno with @p why saying why not
 */
int g2d_creds_imds_region(bool v1_ok, char *buf, size_t sz, char *why, size_t wsz);

#endif
