/* SPDX-License-Identifier: MIT */
/*
 * Internal: the transport of the Glue and DLF API clients on top of the HTTP engine. It
 * signs every attempt, classifies responses (throttling, transient, permanent), parses the
 * JSON body and hands it to the operation's answer reader (lib/cloud/glue.c, dlf.c), which
 * checks its shape and picks out what the caller needs. The sync engine does not use this
 * header: it talks to the clouds through lib/cloud/client.h.
 */
#ifndef G2D_LIB_CLOUD_H
#define G2D_LIB_CLOUD_H

#include <jansson.h>
#include <stdbool.h>

#include "glue2dlf/config.h"
#include "glue2dlf/http.h"

#include "cloud/client.h"

/** Largest JSON response body we parse (each page of a listing). */
#define G2D_MAX_JSON_BODY (64u << 20)

struct g2d_cloud;

/** Create both clients (endpoints on @p http) for @p cfg (borrowed, see set_config). */
int g2d_cloud_new(struct g2d_cloud **out, struct g2d_http *http, const struct g2d_config *cfg,
                  struct g2d_error *err);
/** Switch to a new config (new endpoints if URLs changed, new limits). @p cfg is borrowed
 * until the next call or g2d_cloud_free(). */
int g2d_cloud_set_config(struct g2d_cloud *c, const struct g2d_config *cfg, struct g2d_error *err);
/** Accepts NULL. */
void g2d_cloud_free(struct g2d_cloud *c);

/** The config in use (borrowed). */
const struct g2d_config *g2d_cloud_config(const struct g2d_cloud *c);

/** The engine-facing client over this transport (its context is @p c, borrowed). */
struct g2d_cloud_client g2d_cloud_client(struct g2d_cloud *c);

/** Check that credentials exist for both sides; a clear error otherwise. */
int g2d_cloud_check_credentials(const struct g2d_cloud *c, struct g2d_error *err);

/*
 * Reads what the caller needs from a parsed answer of one operation. Sets res->list,
 * res->next_token, res->items as the operation has them (pointing into res->json or into
 * storage behind @p actx). @return 0, or <0 with a one-line message in @p msg when the
 * answer is not of the operation's shape (the request then fails with that error).
 */
typedef int (*g2d_answer_fn)(struct g2d_api_result *res, void *actx, char *msg, size_t msgsz);

/* One call, as the operation clients (glue.c, dlf.c) put it on the wire. */
struct g2d_cloud_call_opts {
    enum g2d_side side;
    bool raw; /* hand the body over as bytes, unparsed */
    const char *method, *path, *action;
    const struct g2d_kv *query; /* decoded; copied */
    size_t nquery;
    json_t *body;      /* stolen (serialised here), or NULL: */
    const char *btext; /* a ready text body (copied), or NULL for none */
    size_t blen;
    g2d_answer_fn answer; /* NULL: any JSON object is the answer */
    void *actx;           /* owned: freed with afree after the callback */
    void (*afree)(void *actx);
};

/** Queue one call; @p cb runs once, later, from the loop. actx is freed on every path. */
int g2d_cloud_submit(struct g2d_cloud *c, const struct g2d_cloud_call_opts *o, g2d_api_cb cb,
                     void *arg, struct g2d_http_req **out);

/** Response classifiers of the two clouds (exposed for tests and fuzzing). */
enum g2d_http_verdict g2d_glue_classify(struct g2d_http_response *resp, void *ctx);
enum g2d_http_verdict g2d_dlf_classify(struct g2d_http_response *resp, void *ctx);

/** Replace any configured secret appearing in @p msg by "***" (in place). */
void g2d_cloud_scrub(const struct g2d_cloud *c, char *msg);

void g2d_cloud_stats(const struct g2d_cloud *c, enum g2d_side side, struct g2d_http_stats *out);

/** Requests submitted so far on a side (monotonic). */
uint64_t g2d_cloud_requests(const struct g2d_cloud *c, enum g2d_side side);

/** The page size of a listing: @p dflt, or less when the service refused it as too large. */
unsigned g2d_cloud_page_size(const struct g2d_cloud *c, enum g2d_listing what, unsigned dflt);

/* The operation clients (glue.c, dlf.c), behind g2d_cloud_client(). */
int g2d_glue_list(struct g2d_cloud *c, const struct g2d_list_req *req, g2d_api_cb cb, void *arg,
                  struct g2d_http_req **out);
int g2d_dlf_list(struct g2d_cloud *c, const struct g2d_list_req *req, g2d_api_cb cb, void *arg,
                 struct g2d_http_req **out);
int g2d_dlf_write_object(struct g2d_cloud *c, const struct g2d_obj_write *w, g2d_api_cb cb,
                         void *arg);
int g2d_dlf_get_catalog(struct g2d_cloud *c, g2d_api_cb cb, void *arg, struct g2d_http_req **out);
int g2d_dlf_write_partitions(struct g2d_cloud *c, const struct g2d_part_write *w, g2d_api_cb cb,
                             void *arg);

/*
 * Read a partition batch answer (@p answer, borrowed) against the @p n items sent: one
 * outcome per item in @p out (pointers borrowed from @p answer). Success must be true;
 * PartitionErrors, when present, an array of {PartitionValues, ErrorDetail{Code,
 * Message}}; an entry that names no item sent makes every item without an error of its
 * own failed ("UnmatchedPartitionError"), never a success. @return 0, or -1 (reason in
 * @p msg) when the answer is not of that shape: the whole batch fails.
 */
int g2d_dlf_batch_outcomes(json_t *answer, const struct g2d_part_ref *items, size_t n,
                           struct g2d_item_outcome *out, char *msg, size_t msgsz);

#endif
