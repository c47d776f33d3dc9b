/* SPDX-License-Identifier: MIT */
/* The OSS uploader of the result log. See result_oss.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "log.h"
#include "result_oss.h"

#define BACKOFF_MIN_MS 1000u
#define BACKOFF_MAX_MS 60000u
#define FILE_MAX ((size_t)1 << 30)

struct result_oss {
    struct g2d_http_endpoint *ep;
    struct g2d_oss_ctx ctx;
    char *bucket, *prefix, *region, *base, *spool, *location;
    struct g2d_result_oss_config conf; /* the numbers and flags; its strings are NULL */
    char *endpoint_conf;
    size_t spool_bytes;
    char **queue; /* names, in upload order; queue[0] may be in flight */
    size_t nq, capq;
    struct g2d_http_req *inflight;
    size_t inflight_size;
    char inflight_md5[33];
    uv_timer_t retry;
    unsigned backoff_ms;
    bool timer_armed, full;
    uint64_t uploaded, upload_failures, dropped_lines, dropped_bytes;
    char last_error[320];
};

static void kick(struct result_oss *o);

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int queue_add(struct result_oss *o, const char *name)
{
    char *s;

    if (o->nq == o->capq) {
        size_t cap = o->capq ? 2 * o->capq : 16;
        char **q = realloc(o->queue, cap * sizeof(*q));

        if (!q)
            return -ENOMEM;
        o->queue = q;
        o->capq = cap;
    }
    s = strdup(name);
    if (!s)
        return -ENOMEM;
    o->queue[o->nq++] = s;
    return 0;
}

static void queue_pop(struct result_oss *o)
{
    free(o->queue[0]);
    memmove(o->queue, o->queue + 1, (o->nq - 1) * sizeof(*o->queue));
    o->nq--;
}

/* Queue the part files an earlier run left (and count every file in the spool). */
static int scan_spool(struct result_oss *o, struct g2d_error *err)
{
    DIR *dir = opendir(o->spool);
    struct dirent *e;
    int r = 0;

    if (!dir)
        return g2d_error_set(err, -errno, "result spool '%s': %s", o->spool, strerror(errno));
    while (r == 0 && (e = readdir(dir)) != NULL) {
        int64_t t;
        uint64_t c;
        unsigned p;
        struct stat sb;

        if (g2d_oss_object_name_parse(e->d_name, &t, &c, &p) < 0 ||
            fstatat(dirfd(dir), e->d_name, &sb, 0) < 0 || !S_ISREG(sb.st_mode))
            continue;
        o->spool_bytes += (size_t)sb.st_size;
        r = queue_add(o, e->d_name);
    }
    closedir(dir);
    if (r < 0)
        return g2d_error_set(err, r, "out of memory");
    if (o->nq > 1)
        qsort(o->queue, o->nq, sizeof(*o->queue), name_cmp);
    if (o->nq)
        log_info("result log: %zu part file(s) (%zu bytes) left in '%s' by an earlier run; "
                 "uploading them to %s",
                 o->nq, o->spool_bytes, o->spool, o->location);
    return 0;
}

static int make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof(buf))
        return -ENAMETOOLONG;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0750) < 0 && errno != EEXIST)
            return -errno;
        buf[i] = path[i];
    }
    return 0;
}

static int setup_endpoint(struct result_oss *o, const struct g2d_config *cfg, struct g2d_http *http,
                          struct g2d_error *err)
{
    struct g2d_http_endpoint_opts eo = {0};
    bool path_style;
    int r;

    r = g2d_oss_base_url(o->bucket, cfg->dlf.region, cfg->result_oss.internal,
                         cfg->result_oss.endpoint, &o->base, &path_style);
    if (r < 0)
        return g2d_error_set(err, r, "result log: cannot form the OSS endpoint (dlf.region '%s')",
                             cfg->dlf.region ? cfg->dlf.region : "");
    o->ctx.bucket = o->bucket;
    o->ctx.region = o->region;
    o->ctx.path_style = path_style;
    o->ctx.signature = cfg->result_oss.signature;
    eo.name = "oss";
    eo.base_url = o->base;
    eo.max_concurrency = 1;
    eo.max_attempts = cfg->max_attempts;
    eo.prepare = g2d_oss_prepare;
    eo.classify = g2d_oss_classify;
    eo.ctx = &o->ctx;
    return g2d_http_endpoint_new(http, &o->ep, &eo, err);
}

static void free_fields(struct result_oss *o)
{
    for (size_t i = 0; i < o->nq; i++)
        free(o->queue[i]);
    free(o->queue);
    free(o->bucket);
    free(o->prefix);
    free(o->region);
    free(o->base);
    free(o->spool);
    free(o->location);
    free(o->endpoint_conf);
    free(o);
}

int result_oss_new(struct result_oss **out, const struct g2d_config *cfg, struct g2d_http *http,
                   const char *spool_dir, g2d_oss_creds_fn creds, void *creds_arg,
                   struct g2d_error *err)
{
    struct result_oss *o = calloc(1, sizeof(*o));
    const char *why = NULL, *region = cfg->dlf.region ? cfg->dlf.region : "";
    int r;

    *out = NULL;
    if (!o)
        return g2d_error_set(err, -ENOMEM, "out of memory");
    o->ctx.creds = creds;
    o->ctx.creds_arg = creds_arg;
    o->conf = cfg->result_oss;
    o->conf.endpoint = o->conf.spool_dir = NULL;
    o->spool = strdup(spool_dir);
    o->location = strdup(cfg->result_path);
    o->region = strdup(strncmp(region, "oss-", 4) == 0 ? region + 4 : region);
    o->endpoint_conf = cfg->result_oss.endpoint ? strdup(cfg->result_oss.endpoint) : NULL;
    if (!o->spool || !o->location || !o->region ||
        (cfg->result_oss.endpoint && !o->endpoint_conf)) {
        free_fields(o);
        return g2d_error_set(err, -ENOMEM, "out of memory");
    }
    r = g2d_oss_parse_location(cfg->result_path, &o->bucket, &o->prefix, &why);
    if (r < 0)
        r = g2d_error_set(err, r, "result log '%s': %s", cfg->result_path, why ? why : "no memory");
    if (r == 0) {
        r = make_dirs(o->spool);
        if (r < 0)
            g2d_error_set(err, r, "result spool '%s': %s", o->spool, strerror(-r));
    }
    if (r == 0)
        r = scan_spool(o, err);
    if (r == 0)
        r = setup_endpoint(o, cfg, http, err);
    if (r == 0)
        r = uv_timer_init(g2d_http_loop(http), &o->retry);
    if (r < 0) {
        free_fields(o);
        return r;
    }
    o->retry.data = o;
    o->backoff_ms = BACKOFF_MIN_MS;
    log_info("result log: %s through %s (%s), spooled in '%s'", o->location, o->base,
             o->ctx.signature == G2D_OSS_SIG_V1 ? "signature V1" : "signature V4", o->spool);
    *out = o;
    kick(o);
    return 0;
}

const char *result_oss_spool(const struct result_oss *o)
{
    return o->spool;
}

size_t result_oss_part_bytes(const struct result_oss *o)
{
    return o->conf.part_bytes;
}

bool result_oss_reserve(struct result_oss *o, size_t n)
{
    if (o->spool_bytes + n <= o->conf.spool_max_bytes) {
        o->spool_bytes += n;
        return true;
    }
    o->dropped_lines++;
    o->dropped_bytes += n;
    if (!o->full) {
        o->full = true;
        log_error("result spool '%s' is FULL (%zu bytes, bound result.spool_max_size %zu): "
                  "OSS has not taken the spooled results (%s); new result lines are DROPPED "
                  "until it does (the journal still has every failure; the count is in status)",
                  o->spool, o->spool_bytes, o->conf.spool_max_bytes,
                  o->last_error[0] ? o->last_error : "uploads pending");
    }
    return false;
}

void result_oss_enqueue(struct result_oss *o, const char *name)
{
    if (queue_add(o, name) < 0) {
        log_warning("result log: out of memory queueing '%s'; it stays in the spool for the "
                    "next start",
                    name);
        return;
    }
    kick(o);
}

/* Read one spool file into memory (bounded). */
static int read_file(const char *dir, const char *name, char **data, size_t *len)
{
    char path[4096];
    struct stat sb;
    ssize_t got;
    size_t off = 0;
    int fd;

    *data = NULL;
    *len = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &sb) < 0 || (size_t)sb.st_size > FILE_MAX) {
        close(fd);
        return -EFBIG;
    }
    *data = malloc((size_t)sb.st_size + 1);
    if (!*data) {
        close(fd);
        return -ENOMEM;
    }
    while (off < (size_t)sb.st_size && (got = read(fd, *data + off, (size_t)sb.st_size - off)) > 0)
        off += (size_t)got;
    close(fd);
    *len = off;
    return 0;
}

static void on_retry(uv_timer_t *t)
{
    struct result_oss *o = t->data;

    o->timer_armed = false;
    kick(o);
}

static void arm_retry(struct result_oss *o)
{
    unsigned ms = o->backoff_ms;

    o->backoff_ms = o->backoff_ms >= BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS : 2 * o->backoff_ms;
    o->timer_armed = uv_timer_start(&o->retry, on_retry, ms, 0) == 0;
}

/* The ETag of a simple PutObject is the quoted hex MD5 of the body. */
static bool etag_matches(const char *etag, const char *md5hex)
{
    size_t n = etag ? strlen(etag) : 0;

    if (n == 34 && etag[0] == '"' && etag[33] == '"')
        return strncasecmp(etag + 1, md5hex, 32) == 0;
    return n == 32 && strncasecmp(etag, md5hex, 32) == 0;
}

static void upload_failed(struct result_oss *o, const char *what)
{
    bool first = o->last_error[0] == '\0';

    o->upload_failures++;
    snprintf(o->last_error, sizeof(o->last_error), "%s", what);
    if (first || o->backoff_ms >= BACKOFF_MAX_MS)
        log_warning("result log: upload of '%s' to %s failed: %s; kept in the spool, "
                    "retrying in %u ms",
                    o->queue[0], o->location, what, o->backoff_ms);
    arm_retry(o);
}

static void upload_ok(struct result_oss *o)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", o->spool, o->queue[0]);
    if (unlink(path) < 0 && errno != ENOENT)
        log_warning("result log: uploaded '%s' but cannot delete it: %s", path, strerror(errno));
    o->spool_bytes -= o->inflight_size < o->spool_bytes ? o->inflight_size : o->spool_bytes;
    o->uploaded++;
    if (o->last_error[0])
        log_info("result log: OSS takes uploads again (%s uploaded)", o->queue[0]);
    o->last_error[0] = '\0';
    o->backoff_ms = BACKOFF_MIN_MS;
    queue_pop(o);
    if (o->full && o->spool_bytes < o->conf.spool_max_bytes / 2) {
        o->full = false;
        log_warning("result spool '%s' has room again; %llu result line(s) were dropped while "
                    "it was full",
                    o->spool, (unsigned long long)o->dropped_lines);
    }
}

static void on_done(const struct g2d_http_response *resp, void *arg)
{
    struct result_oss *o = arg;
    char why[600];

    o->inflight = NULL;
    if (resp->err == -ECANCELED)
        return; /* closing: the file stays in the spool */
    if (resp->ok && etag_matches(resp->etag, o->inflight_md5)) {
        upload_ok(o);
        kick(o);
        return;
    }
    if (resp->ok)
        snprintf(why, sizeof(why), "ETag '%s' does not match the MD5 of the part", resp->etag);
    else if (resp->err)
        snprintf(why, sizeof(why), "%s",
                 resp->error_message[0] ? resp->error_message : strerror(-resp->err));
    else
        snprintf(why, sizeof(why), "HTTP %ld %s: %s", resp->status, resp->error_code,
                 resp->error_message);
    upload_failed(o, why);
}

static void start_upload(struct result_oss *o)
{
    struct g2d_http_request_opts ro = {0};
    char *data = NULL, path[2048], b64[25];
    size_t len = 0;
    int r;

    r = read_file(o->spool, o->queue[0], &data, &len);
    if (r == -ENOENT) {
        log_warning("result log: spool file '%s' vanished; skipped", o->queue[0]);
        queue_pop(o);
        return;
    }
    if (r == 0)
        r = g2d_oss_md5(data, len, b64, o->inflight_md5);
    snprintf(path, sizeof(path), "%s%s%s%s", o->ctx.path_style ? "/" : "",
             o->ctx.path_style ? o->bucket : "", "/", o->prefix);
    if (strlen(path) + strlen(o->queue[0]) >= sizeof(path))
        r = -ENAMETOOLONG;
    else
        strcat(path, o->queue[0]);
    ro.method = "PUT";
    ro.path = path;
    ro.body = data ? data : "";
    ro.body_len = len;
    ro.action = "PutObject";
    o->inflight_size = len;
    if (r == 0)
        r = g2d_http_submit(o->ep, &ro, on_done, o, &o->inflight);
    free(data);
    if (r < 0) {
        o->inflight = NULL;
        upload_failed(o, strerror(-r));
    }
}

static void kick(struct result_oss *o)
{
    while (o->nq && !o->inflight && !o->timer_armed) {
        size_t before = o->nq;

        start_upload(o);
        if (o->nq == before)
            break; /* submitted, or failed and a retry is armed */
    }
}

json_t *result_oss_status(const struct result_oss *o)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:s?}", "location",
                     o->location, "endpoint", o->base, "spool", o->spool, "spool_bytes",
                     (json_int_t)o->spool_bytes, "spool_max_bytes",
                     (json_int_t)o->conf.spool_max_bytes, "pending_parts", (json_int_t)o->nq,
                     "uploaded_parts", (json_int_t)o->uploaded, "upload_failures",
                     (json_int_t)o->upload_failures, "dropped_lines", (json_int_t)o->dropped_lines,
                     "spool_full", o->full, "last_error", o->last_error[0] ? o->last_error : NULL);
}

void result_oss_counters(const struct result_oss *o, struct metrics_result_oss *out)
{
    out->spool_bytes = o->spool_bytes;
    out->pending_parts = o->nq;
    out->uploaded_parts = o->uploaded;
    out->upload_failures = o->upload_failures;
    out->dropped_lines = o->dropped_lines;
    out->spool_full = o->full;
}

size_t result_oss_pending(const struct result_oss *o)
{
    return o->nq;
}

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

bool result_oss_same(const struct result_oss *o, const struct g2d_config *cfg)
{
    const struct g2d_result_oss_config *n = &cfg->result_oss;
    const char *region = cfg->dlf.region ? cfg->dlf.region : "";

    if (strncmp(region, "oss-", 4) == 0)
        region += 4;
    return str_eq(o->location, cfg->result_path) && str_eq(o->endpoint_conf, n->endpoint) &&
           o->conf.internal == n->internal && o->conf.signature == n->signature &&
           o->conf.spool_max_bytes == n->spool_max_bytes && o->conf.part_bytes == n->part_bytes &&
           str_eq(o->region, region);
}

static void on_timer_closed(uv_handle_t *h)
{
    free_fields(h->data);
}

void result_oss_close(struct result_oss *o)
{
    if (!o)
        return;
    if (o->inflight)
        g2d_http_cancel(o->inflight);
    o->inflight = NULL;
    (void)uv_timer_stop(&o->retry);
    uv_close((uv_handle_t *)&o->retry, on_timer_closed);
}
