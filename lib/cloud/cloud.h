/* SPDX-License-Identifier: MIT */
/*
 * Internal: the Glue and DLF API clients on top of the HTTP engine. They sign every
 * attempt, classify responses (throttling, transient, permanent), and hand back the parsed
 * JSON body or a one-line error naming the service's error code.
 */
#ifndef G2D_LIB_CLOUD_H
#define G2D_LIB_CLOUD_H

#include <jansson.h>
#include <stdbool.h>

#include "glue2dlf/config.h"
#include "glue2dlf/http.h"

/** Largest JSON response body we parse (each page of a listing). */
#define G2D_MAX_JSON_BODY (64u << 20)

struct g2d_api_result {
    int err;          /* 0 ok; -EIO service error; other -errno transport error */
    long status;      /* HTTP status, 0 if none */
    json_t *json;     /* parsed body on success (borrowed); NULL for raw calls */
    const char *body; /* the body bytes on success of a raw call (borrowed) */
    size_t body_len;
    struct g2d_buf *body_buf; /* raw calls: the callback may take the body (g2d_buf_steal) */
    const char *code;         /* service error code ("" if none) */
    const char *message;      /* one-line description of the failure, "" on success */
    bool throttled;           /* the last attempt was throttled */
};

typedef void (*g2d_api_cb)(const struct g2d_api_result *res, void *arg);

enum g2d_side { G2D_SIDE_GLUE = 0, G2D_SIDE_DLF = 1 };

struct g2d_cloud;

/** Create both clients (endpoints on @p http) for @p cfg. */
int g2d_cloud_new(struct g2d_cloud **out, struct g2d_http *http, const struct g2d_config *cfg,
                  struct g2d_error *err);
/** Switch to a new config (new endpoints if URLs changed, new limits). */
int g2d_cloud_set_config(struct g2d_cloud *c, const struct g2d_config *cfg, struct g2d_error *err);
void g2d_cloud_free(struct g2d_cloud *c);

/** Check that credentials exist for both sides; a clear error otherwise. */
int g2d_cloud_check_credentials(const struct g2d_cloud *c, struct g2d_error *err);

/** Call a Glue operation; @p body is stolen (NULL = {}). */
int g2d_glue_call(struct g2d_cloud *c, const char *op, json_t *body, g2d_api_cb cb, void *arg,
                  struct g2d_http_req **out);

/**
 * Like g2d_glue_call(), but the callback gets the response body as bytes (res->body),
 * not parsed: for pages the caller scans itself.
 */
int g2d_glue_call_raw(struct g2d_cloud *c, const char *op, json_t *body, g2d_api_cb cb, void *arg,
                      struct g2d_http_req **out);

/**
 * Call a DLF action. @p query (decoded, may be NULL) and @p body (stolen, NULL = no body).
 */
int g2d_dlf_call(struct g2d_cloud *c, const char *method, const char *path, const char *action,
                 const struct g2d_kv *query, size_t nquery, json_t *body, g2d_api_cb cb, void *arg,
                 struct g2d_http_req **out);

/** Response classifiers of the two clouds (exposed for tests and fuzzing). */
enum g2d_http_verdict g2d_glue_classify(struct g2d_http_response *resp, void *ctx);
enum g2d_http_verdict g2d_dlf_classify(struct g2d_http_response *resp, void *ctx);

/** Like g2d_dlf_call() with a ready JSON text body (borrowed: copied before returning). */
int g2d_dlf_call_text(struct g2d_cloud *c, const char *method, const char *path, const char *action,
                      const struct g2d_kv *query, size_t nquery, const char *body, size_t body_len,
                      g2d_api_cb cb, void *arg, struct g2d_http_req **out);

/** Replace any configured secret appearing in @p msg by "***" (in place). */
void g2d_cloud_scrub(const struct g2d_cloud *c, char *msg);

void g2d_cloud_stats(const struct g2d_cloud *c, enum g2d_side side, struct g2d_http_stats *out);

/** Requests submitted so far on a side (monotonic). */
uint64_t g2d_cloud_requests(const struct g2d_cloud *c, enum g2d_side side);

#endif
