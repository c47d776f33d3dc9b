/* SPDX-License-Identifier: MIT */
/*
 * glue2dlf-sim internals shared by the server (server.c), the API handlers (glue.c,
 * dlf.c), the admin API (admin.c), signature checks (auth.c) and fault injection
 * (faults.c).
 *
 * Threading: libmicrohttpd runs one thread per connection. All mutable state (both
 * catalogs, stats, fault rules, rate buckets, the nonce set) is guarded by sim->mu; the
 * configuration is read-only after start-up. Handlers run with sim->mu held; latency
 * injection sleeps without it. A handler may leave the rendering of a large answer to
 * sim_resp.finish, which runs after the lock is released on what the handler copied.
 */
#ifndef G2D_SIM_H
#define G2D_SIM_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "glue2dlf/buf.h"
#include "glue2dlf/sign.h"

#define SIM_MAX_BODY (16u * 1024 * 1024)
#define SIM_MAX_HEADERS 128
#define SIM_MAX_QUERY 128

struct sim_config {
    const char *bind;
    unsigned glue_port;
    unsigned dlf_port;
    const char *port_file;
    uint64_t seed;
    unsigned databases;
    unsigned tables_per_db;
    unsigned long partitions_per_table;
    unsigned functions_per_db;
    unsigned columns;
    unsigned partition_keys;
    int dlf_from_glue;
    int plain;              /* --plain: every table external Parquet, no own-schema partitions */
    unsigned dlf_batch_cap; /* most items in one DLF batch call */
    unsigned dlf_page_max;  /* largest PageSize of a DLF List* call (1..1000) */
    int dlf_errors_200;     /* DLF service errors go out with HTTP 200 (Success:false) */
    unsigned long glue_max_parts; /* Glue partitions per table (CreatePartition quota) */
    const char *glue_akid;
    const char *glue_secret;
    const char *glue_token;         /* NULL: requests must not carry one */
    unsigned cred_lifetime;         /* seconds, of the temporary credentials creds.c issues */
    int imds_v1;                    /* instance metadata answers without a token */
    const char *imds_region;        /* placement/region of the EC2 metadata (us-east-1) */
    const char *glue_region;        /* Glue refuses a SigV4 scope of another region; NULL = any */
    const char *container_token;    /* the container endpoint's Authorization, NULL = any */
    const char *web_identity_token; /* AssumeRoleWithWebIdentity accepts only this */
    const char *dlf_akid;
    const char *dlf_secret;
    const char *glue_catalog_id; /* NULL: accept any CatalogId */
    const char *dlf_catalog_id;
    const char *dlf_catalog_type; /* GetCatalog's Type member (none: a DLF-Legacy catalog) */
    unsigned latency_ms;
    double rps[SIM_NSIDES]; /* 0 = unlimited */
    int verbose;
};

enum sim_fault_kind {
    SIM_FAULT_THROTTLE,
    SIM_FAULT_ERROR500,
    SIM_FAULT_RESET,
    SIM_FAULT_TRUNCATE,
    SIM_FAULT_LATENCY,
    SIM_FAULT_DENY,
    SIM_FAULT_ITEM_ERROR,
    /* Damaged answers (damage.c); keep them last, sim_fault_is_damage() relies on it. */
    SIM_FAULT_DROP_MEMBER,
    SIM_FAULT_NULL_MEMBER,
    SIM_FAULT_WRONG_TYPE,
    SIM_FAULT_DUP_MEMBER,
    SIM_FAULT_ERROR200,
    SIM_FAULT_BAD_ITEM_ERRORS,
    SIM_FAULT_NO_SUCCESS,
    SIM_FAULT_NKINDS
};

struct sim_fault {
    enum sim_side side;
    char action[64]; /* "*" = any */
    enum sim_fault_kind kind;
    long count; /* remaining; -1 = forever */
    unsigned latency_ms;
    char match[256];    /* item_error: substring of the values joined with '/' */
    char code[64];      /* item_error: ErrorDetail.Code */
    char message[256];  /* item_error: ErrorDetail.Message */
    char db[256];       /* damage kinds: only requests naming this database ("" = any) */
    char table[256];    /* damage kinds: only requests naming this table ("" = any) */
    char as[8];         /* wrong_type: object, string, array or number */
    double probability; /* chance that a matching request (item_error: item) is hit */
};

/* One operation of an API, as listed in the handler tables of glue.c and dlf.c. */
struct sim_req;
struct sim_resp;
/* Glue's quota of partitions per table (Service Quotas: "Number of partitions per table"). */
#define SIM_GLUE_MAX_PARTS 10000000UL

typedef void (*sim_handler_fn)(struct sim_req *rq, json_t *in, struct sim_resp *rs);

struct sim_op {
    const char *name;   /* Glue operation or DLF action */
    const char *method; /* DLF only */
    const char *path;   /* DLF only */
    sim_handler_fn fn;
    int write; /* mutates the catalog */
    int body;  /* DLF: parameters come in a JSON body (else in the query) */
};

extern const struct sim_op sim_glue_ops[];
extern const size_t sim_glue_nops;
extern const struct sim_op sim_dlf_ops[];
extern const size_t sim_dlf_nops;

struct sim_side_stats {
    unsigned long *ops; /* indexed like the side's op table */
    unsigned long total;
    unsigned long writes;
    unsigned long rejected;
    unsigned long throttled;                  /* by the --*-rps quota */
    unsigned long partition_items;            /* DLF: partitions written by batch calls */
    unsigned long injected[SIM_FAULT_NKINDS]; /* faults injected, by kind */
};

struct sim_bucket {
    double tokens;
    double last; /* monotonic seconds */
};

struct sim_nonce {
    char *s;
    struct sim_nonce *next; /* hash chain */
};

#define SIM_NONCE_BUCKETS 4096
#define SIM_NONCE_MAX 65536

struct sim_nonces {
    struct sim_nonce *bucket[SIM_NONCE_BUCKETS];
    struct sim_nonce **ring; /* insertion order, for eviction */
    size_t head;             /* oldest */
    size_t n;
};

struct sim {
    struct sim_config cfg;
    const char *glue_catalog; /* CatalogId written into Glue objects */
    pthread_mutex_t mu;
    struct sim_catalog cat[SIM_NSIDES];
    struct sim_side_stats stats[SIM_NSIDES];
    struct sim_fault *faults;
    size_t nfaults;
    size_t cap_faults;
    struct sim_bucket bucket[SIM_NSIDES];
    struct sim_nonces nonces;
    uint64_t reqid_state;
    unsigned long table_ids; /* DLF TableId counter */
    unsigned long ndamage;   /* damage rules among faults; read without the lock (atomic) */
    uint64_t fault_rng;      /* draws for fault probabilities */
};

/* One HTTP request, borrowed from libmicrohttpd for the duration of the handler. */
struct sim_req {
    struct sim *sim;
    enum sim_side side;
    const char *method;
    const char *path;
    struct g2d_kv headers[SIM_MAX_HEADERS];
    size_t nheaders;
    struct g2d_kv query[SIM_MAX_QUERY];
    size_t nquery;
    const char *body;
    size_t body_len;
    char request_id[40];
    const struct sim_op *op; /* once routed */
    size_t op_index;
    struct sim_wbatch *wb; /* DLF batch partition calls: the body prepared (dlfw.c), or NULL */
};

enum sim_how { SIM_SEND, SIM_RESET, SIM_TRUNCATE };

#define SIM_MAX_EXTRA_HEADERS 4

struct sim_resp {
    unsigned status;
    char *body; /* malloc'd */
    const char *content_type;
    const char *hdr_name[SIM_MAX_EXTRA_HEADERS];
    char hdr_value[SIM_MAX_EXTRA_HEADERS][64];
    size_t nhdr;
    enum sim_how how;
    /*
     * Set by a handler that finishes its answer after sim->mu is released (large pages
     * rendered from a copy): called once, without the lock, then cleared.
     */
    void (*finish)(struct sim_resp *rs, void *arg);
    void *finish_arg;
};

/* ---- server.c helpers ---- */
const char *sim_header(const struct sim_req *rq, const char *name); /* first value or NULL */
const char *sim_query(const struct sim_req *rq, const char *name);
void sim_resp_header(struct sim_resp *rs, const char *name, const char *value);
/* Set the body to the compact dump of @p v (steals @p v). java_reals: Glue's number style. */
void sim_resp_json(struct sim_resp *rs, unsigned status, json_t *v, int java_reals,
                   const char *content_type);
void sim_log(const struct sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
double sim_now_mono(void);

/* ---- util.c ---- */
/* Dump @p v compactly, rewriting real numbers the way Java prints doubles (1.7E9). */
char *sim_dump_java(const json_t *v);
/* Append Java Double.toString() of @p d. */
int sim_java_double(double d, struct g2d_buf *out);
/* A request id in UUID form, unique within the process. */
void sim_request_id(struct sim *sim, char out[40]);
/* The message of a DLF PageSize above @p max (names the limit). */
void sim_dlf_page_msg(char *buf, size_t size, unsigned max);
/* Parse "YYYYMMDDTHHMMSSZ", "YYYY-MM-DDTHH:MM:SSZ" or RFC 1123; @return 0 or -EINVAL. */
int sim_parse_amz_date(const char *s, int64_t *t);
int sim_parse_iso8601(const char *s, int64_t *t);
int sim_parse_rfc1123(const char *s, int64_t *t);

/* ---- glue.c / dlf.c / admin.c ---- */
void sim_glue_serve(struct sim_req *rq, struct sim_resp *rs);
void sim_dlf_serve(struct sim_req *rq, struct sim_resp *rs);
void sim_admin_serve(struct sim_req *rq, struct sim_resp *rs);
/* OSS (oss.c): requests signed "OSS4-HMAC-SHA256 ..." or "OSS ak:sig", and /_sim/oss/. */
int sim_oss_wants(const struct sim_req *rq);
void sim_oss_serve(struct sim_req *rq, struct sim_resp *rs);
void sim_oss_admin(struct sim_req *rq, struct sim_resp *rs);
void sim_glue_error(struct sim_resp *rs, const struct sim_req *rq, unsigned status,
                    const char *type, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* DLF service error: the Success:false envelope. */
void sim_dlf_error(struct sim_resp *rs, const struct sim_req *rq, unsigned status, const char *code,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* DLF API-gateway error: RequestId/HostId/Code/Message/Recommend. */
void sim_dlf_gw_error(struct sim_resp *rs, const struct sim_req *rq, unsigned status,
                      const char *code, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- auth.c (the nonce set lives in util.c) ---- */
/* @return 0 if the request is properly signed, else -1 with the error response set. */
int sim_auth_glue(struct sim_req *rq, struct sim_resp *rs);
/* SigV4 for @p service ("glue", "sts"), by the static key or one creds.c issued. */
int sim_auth_sigv4(struct sim_req *rq, struct sim_resp *rs, const char *service);

/* ---- creds.c: instance metadata, container endpoint, STS (both clouds) ---- */
struct sim_key {
    char secret[128];
    char token[512];
    int has_token; /* requests must carry exactly this token */
    int expired;   /* an issued key past its lifetime */
};
/* The secret of @p akid (static or issued): 0, or -1 if unknown. */
int sim_creds_key(struct sim *sim, enum sim_side side, const char *akid, struct sim_key *k);
void sim_creds_count_expired(void);
int sim_creds_wants(const struct sim_req *rq);
void sim_creds_serve(struct sim_req *rq, struct sim_resp *rs);
int sim_auth_dlf(struct sim_req *rq, struct sim_resp *rs);
void sim_nonces_init(struct sim_nonces *ns);
void sim_nonces_done(struct sim_nonces *ns);
/* 1 if @p nonce was seen already, else remembers it and returns 0 (-ENOMEM on failure). */
int sim_nonce_seen(struct sim_nonces *ns, const char *nonce);

/* ---- faults.c ---- */
/*
 * Common pre-handler step for an API request that has been routed and authenticated:
 * count it, apply the rate quota, global latency and fault rules. @return 1 if the
 * request is answered already (rs filled), 0 to call the handler.
 * *truncate is set when the handler's response must be cut short.
 */
int sim_pre_handler(struct sim_req *rq, struct sim_resp *rs, int *truncate);
int sim_faults_add(struct sim *sim, const json_t *rule, char *err, size_t errlen);
void sim_faults_clear(struct sim *sim);
json_t *sim_faults_list(struct sim *sim);
json_t *sim_stats_json(struct sim *sim);
void sim_stats_reset(struct sim *sim);
void sim_count_rejected(struct sim_req *rq);
/*
 * Per-item error injection for DLF batch partition calls; called with sim->mu held. If an
 * item_error rule for @p action matches @p joined (the values joined with '/'), consume
 * one count, fill @p code and @p msg and return 1; else 0.
 */
int sim_fault_item(struct sim *sim, const char *action, const char *joined, char *code,
                   size_t codelen, char *msg, size_t msglen);
/* The rule name of @p k ("throttle", ..., static). */
const char *sim_fault_kind_name(enum sim_fault_kind k);

/* ---- damage.c ---- */
/* 1 if @p k damages a real answer (applied by sim_damage, not sim_pre_handler). */
int sim_fault_is_damage(enum sim_fault_kind k);
/* A draw in [0, 1) from the simulator's seeded fault generator; sim->mu held. */
double sim_fault_draw(struct sim *sim);
/*
 * Read the damage options of @p rule (database, table, probability, as) into @p f, whose
 * side, action and kind are set, and check that the kind applies to the action.
 * @return 0 or -EINVAL with @p err filled.
 */
int sim_damage_parse(const json_t *rule, struct sim_fault *f, char *err, size_t errlen);
/*
 * After the handler: if the answer is a 200 and a damage rule matches the request (@p in:
 * its parsed body or NULL), consume the rule and damage rs->body. Takes sim->mu itself
 * (call without it); does nothing, without locking, while no damage rule is installed.
 */
void sim_damage(struct sim_req *rq, const json_t *in, struct sim_resp *rs);
/* The damage options of @p f for GET /_sim/faults (new reference). */
json_t *sim_damage_json(const struct sim_fault *f);

#endif
