/* SPDX-License-Identifier: MIT */
/*
 * The simulator's OSS: path-style requests (`/bucket/key`) on the DLF port, recognised by
 * their Authorization header ("OSS4-HMAC-SHA256 ..." or "OSS ak:sig"), every signature
 * checked against the DLF keys (--dlf-access-key-id/-secret: OSS credentials default to
 * DLF's). Operations: PutObject (Content-MD5 checked when sent; ETag = upper-case hex
 * MD5, quoted), GetObject, DeleteObject, AppendObject (`POST ?append&position=N`),
 * ListObjectsV2 / ListObjects (`GET /bucket/?list-type=2&prefix=P`, no paging: up to 1000
 * keys) and errors as OSS writes them (XML <Error>).
 *
 * Admin API (any port):
 *   POST /_sim/oss/outage {"down":true|false, "mode":"503"|"reset", "seconds":S,
 *                          "after_puts":K}
 *        down now (or after K more successful writes), for S seconds (0 = until cleared);
 *        "503" answers ServiceUnavailable, "reset" drops the connection;
 *   GET  /_sim/oss/objects  {"Objects":[{"Key":"bucket/key","Size":n,"ETag":"..."}...],
 *                            "Stats":{"puts":n,"appends":n,"rejected":n,"outage":n}}
 *   GET  /_sim/oss/object?key=bucket/key  the object's bytes (text), 404 if none.
 * State is this file's own, under its own mutex (requests run one thread each).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glue2dlf/oss.h"
#include "glue2dlf/sign.h"
#include "sim.h"

struct oss_obj {
    char *key; /* "bucket/key" */
    char *data;
    size_t len;
    char etag[40];
};

static struct {
    pthread_mutex_t mu;
    struct oss_obj *v;
    size_t n, cap;
    int down, reset;
    double down_until; /* monotonic; 0 = until cleared */
    double seconds;
    long arm_after; /* -1 = not armed */
    unsigned long puts, appends, rejected, outage;
} st = {.mu = PTHREAD_MUTEX_INITIALIZER, .arm_after = -1};

static void xml_error(struct sim_req *rq, struct sim_resp *rs, unsigned status, const char *code,
                      const char *msg)
{
    char *b = NULL;

    if (asprintf(&b,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>%s</Code>\n"
                 "  <Message>%s</Message>\n  <RequestId>%s</RequestId>\n"
                 "  <HostId>sim.oss</HostId>\n</Error>\n",
                 code, msg, rq->request_id) < 0)
        b = NULL;
    free(rs->body);
    rs->status = status;
    rs->content_type = "application/xml";
    rs->body = b;
}

static void reply_text(struct sim_resp *rs, unsigned status, const char *ctype, char *body)
{
    free(rs->body);
    rs->status = status;
    rs->content_type = ctype;
    rs->body = body ? body : strdup("");
}

int sim_oss_wants(const struct sim_req *rq)
{
    const char *a = sim_header(rq, "Authorization");

    return a && (strncmp(a, "OSS4-HMAC-SHA256 ", 17) == 0 || strncmp(a, "OSS ", 4) == 0);
}

/* Split "k=v" items of the V4 Authorization header into the three we need. */
static int parse_v4_auth(const char *a, char *cred, size_t cn, char *addl, size_t an, char *sig,
                         size_t sn)
{
    const char *p = a + 17;

    cred[0] = addl[0] = sig[0] = '\0';
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);

        while (*p == ' ')
            p++, n--;
        if (eq) {
            size_t kn = (size_t)(eq - p), vn = n - kn - 1;
            char *dst = kn == 10 && !strncmp(p, "Credential", 10)          ? cred
                        : kn == 17 && !strncmp(p, "AdditionalHeaders", 17) ? addl
                        : kn == 9 && !strncmp(p, "Signature", 9)           ? sig
                                                                           : NULL;
            size_t cap = dst == cred ? cn : dst == addl ? an : sn;

            if (dst && vn < cap) {
                memcpy(dst, eq + 1, vn);
                dst[vn] = '\0';
            }
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return cred[0] && sig[0] ? 0 : -1;
}

static int auth_v4(struct sim_req *rq, const char *a, struct g2d_sign_req *sr, struct g2d_buf *out,
                   struct g2d_sign_debug *dbg)
{
    const struct sim_config *cfg = &rq->sim->cfg;
    char cred[512], addl[512], sig[128], mine[65], *part[5], *save = NULL, *t;
    const char *add[16], *odate = sim_header(rq, "x-oss-date");
    size_t nadd = 0, np = 0;

    if (parse_v4_auth(a, cred, sizeof(cred), addl, sizeof(addl), sig, sizeof(sig)) < 0)
        return -1;
    for (t = strtok_r(cred, "/", &save); t && np < 5; t = strtok_r(NULL, "/", &save))
        part[np++] = t;
    if (np != 5 || strcmp(part[0], cfg->dlf_akid) != 0 || strcmp(part[3], "oss") != 0 ||
        strcmp(part[4], "aliyun_v4_request") != 0 || !odate || strncmp(odate, part[1], 8) != 0)
        return -1;
    for (t = strtok_r(addl, ";", &save); t && nadd < 16; t = strtok_r(NULL, ";", &save))
        add[nadd++] = t;
    if (g2d_oss4_sign(sr, add, nadd, part[0], cfg->dlf_secret, part[2], odate, out, mine, dbg) < 0)
        return -1;
    return g2d_consttime_streq(mine, sig) ? 0 : -1;
}

/* 0 if the request is signed with the DLF keys (V4 or V1); else the 403 is written. */
static int check_auth(struct sim_req *rq, struct sim_resp *rs)
{
    const struct sim_config *cfg = &rq->sim->cfg;
    const char *a = sim_header(rq, "Authorization");
    struct g2d_sign_req sr = {.method = rq->method,
                              .path = rq->path,
                              .query = rq->query,
                              .nquery = rq->nquery,
                              .headers = rq->headers,
                              .nheaders = rq->nheaders};
    struct g2d_buf out;
    struct g2d_sign_debug dbg;
    char sig[32];
    size_t akn = strlen(cfg->dlf_akid);
    int ok = 0;

    g2d_buf_init(&out, 0);
    g2d_sign_debug_init(&dbg);
    if (strncmp(a, "OSS4-", 5) == 0)
        ok = auth_v4(rq, a, &sr, &out, &dbg) == 0;
    else if (strncmp(a + 4, cfg->dlf_akid, akn) == 0 && a[4 + akn] == ':' &&
             g2d_oss1_sign(&sr, cfg->dlf_akid, cfg->dlf_secret, &out, sig, &dbg) == 0)
        ok = g2d_consttime_streq(sig, a + 5 + akn);
    if (!ok) {
        char *msg = NULL;

        sim_log(rq->sim, "oss: signature mismatch; string to sign was '%s'",
                g2d_buf_cstr(&dbg.string_to_sign));
        if (asprintf(&msg, "The request signature we calculated does not match the signature "
                           "you provided.") < 0)
            msg = NULL;
        xml_error(rq, rs, 403, "SignatureDoesNotMatch", msg ? msg : "mismatch");
        free(msg);
        st.rejected++;
    }
    g2d_sign_debug_done(&dbg);
    g2d_buf_done(&out);
    return ok ? 0 : -1;
}

static struct oss_obj *find(const char *key)
{
    for (size_t i = 0; i < st.n; i++)
        if (strcmp(st.v[i].key, key) == 0)
            return &st.v[i];
    return NULL;
}

static struct oss_obj *find_or_add(const char *key)
{
    struct oss_obj *o = find(key);

    if (o)
        return o;
    if (st.n == st.cap) {
        size_t cap = st.cap ? 2 * st.cap : 64;
        struct oss_obj *v = realloc(st.v, cap * sizeof(*v));

        if (!v)
            return NULL;
        st.v = v;
        st.cap = cap;
    }
    o = &st.v[st.n];
    memset(o, 0, sizeof(*o));
    o->key = strdup(key);
    if (!o->key)
        return NULL;
    st.n++;
    return o;
}

static void set_etag(struct oss_obj *o)
{
    char b64[25], hex[33];

    if (g2d_oss_md5(o->data ? o->data : "", o->len, b64, hex) == 0)
        snprintf(o->etag, sizeof(o->etag), "\"%s\"", hex);
}

static void written(void)
{
    if (st.arm_after > 0)
        st.arm_after--;
}

static void put_object(struct sim_req *rq, struct sim_resp *rs, const char *key)
{
    const char *md5 = sim_header(rq, "Content-MD5");
    char b64[25];
    struct oss_obj *o;
    char *data;

    if (md5 && (g2d_oss_md5(rq->body ? rq->body : "", rq->body_len, b64, NULL) < 0 ||
                strcmp(b64, md5) != 0)) {
        xml_error(rq, rs, 400, "InvalidDigest", "The Content-MD5 you specified is not valid.");
        return;
    }
    data = malloc(rq->body_len + 1);
    o = data ? find_or_add(key) : NULL;
    if (!o) {
        free(data);
        xml_error(rq, rs, 500, "InternalError", "simulator out of memory");
        return;
    }
    memcpy(data, rq->body ? rq->body : "", rq->body_len);
    data[rq->body_len] = '\0';
    free(o->data);
    o->data = data;
    o->len = rq->body_len;
    set_etag(o);
    st.puts++;
    written();
    sim_resp_header(rs, "ETag", o->etag);
    reply_text(rs, 200, "application/xml", NULL);
}

static void append_object(struct sim_req *rq, struct sim_resp *rs, const char *key)
{
    const char *pos = sim_query(rq, "position");
    struct oss_obj *o = find(key);
    size_t cur = o ? o->len : 0;
    char next[32], *data;

    if (!pos || strtoull(pos, NULL, 10) != cur) {
        xml_error(rq, rs, 409, "PositionNotEqualToLength", "Position is not equal to file length");
        return;
    }
    o = find_or_add(key);
    data = o ? realloc(o->data, cur + rq->body_len + 1) : NULL;
    if (!data) {
        xml_error(rq, rs, 500, "InternalError", "simulator out of memory");
        return;
    }
    memcpy(data + cur, rq->body ? rq->body : "", rq->body_len);
    data[cur + rq->body_len] = '\0';
    o->data = data;
    o->len = cur + rq->body_len;
    set_etag(o);
    st.appends++;
    written();
    snprintf(next, sizeof(next), "%zu", o->len);
    sim_resp_header(rs, "x-oss-next-append-position", next);
    sim_resp_header(rs, "ETag", o->etag);
    reply_text(rs, 200, "application/xml", NULL);
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp((*(const struct oss_obj *const *)a)->key,
                  (*(const struct oss_obj *const *)b)->key);
}

/* The objects of @p bucket whose key starts with @p prefix, sorted by key (caller frees). */
static size_t select_objects(const char *bucket, const char *prefix, struct oss_obj ***out)
{
    size_t bl = strlen(bucket), pl = strlen(prefix), n = 0;
    struct oss_obj **v = calloc(st.n + 1, sizeof(*v));

    *out = v;
    if (!v)
        return 0;
    for (size_t i = 0; i < st.n; i++) {
        const char *k = st.v[i].key;

        if (strncmp(k, bucket, bl) == 0 && k[bl] == '/' && strncmp(k + bl + 1, prefix, pl) == 0)
            v[n++] = &st.v[i];
    }
    qsort(v, n, sizeof(*v), key_cmp);
    return n > 1000 ? 1000 : n;
}

static void list_objects(struct sim_req *rq, struct sim_resp *rs, const char *bucket)
{
    const char *prefix = sim_query(rq, "prefix");
    struct oss_obj **v;
    struct g2d_buf b;
    size_t n, bl = strlen(bucket);
    int r;

    prefix = prefix ? prefix : "";
    n = select_objects(bucket, prefix, &v);
    g2d_buf_init(&b, SIM_MAX_BODY);
    r = g2d_buf_printf(&b,
                       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>\n"
                       "  <Name>%s</Name>\n  <Prefix>%s</Prefix>\n  <MaxKeys>1000</MaxKeys>\n"
                       "  <KeyCount>%zu</KeyCount>\n  <IsTruncated>false</IsTruncated>\n",
                       bucket, prefix, n);
    for (size_t i = 0; i < n && r == 0; i++)
        r = g2d_buf_printf(&b,
                           "  <Contents>\n    <Key>%s</Key>\n    <ETag>%s</ETag>\n"
                           "    <Size>%zu</Size>\n    <StorageClass>Standard</StorageClass>\n"
                           "  </Contents>\n",
                           v[i]->key + bl + 1, v[i]->etag, v[i]->len);
    if (r == 0)
        r = g2d_buf_puts(&b, "</ListBucketResult>\n");
    free(v);
    if (r == 0)
        reply_text(rs, 200, "application/xml", g2d_buf_steal(&b));
    else
        xml_error(rq, rs, 500, "InternalError", "listing too large");
    g2d_buf_done(&b);
}

/* 1 if OSS is "down" for this request (the answer is then written). */
static int outage(struct sim_resp *rs, struct sim_req *rq)
{
    double now = sim_now_mono();

    if (st.arm_after == 0) {
        st.arm_after = -1;
        st.down = 1;
        st.down_until = st.seconds > 0 ? now + st.seconds : 0;
    }
    if (st.down && st.down_until > 0 && now >= st.down_until)
        st.down = 0;
    if (!st.down)
        return 0;
    st.outage++;
    if (st.reset) {
        rs->how = SIM_RESET;
        reply_text(rs, 503, "application/xml", NULL);
    } else {
        xml_error(rq, rs, 503, "ServiceUnavailable", "Please reduce your request rate.");
    }
    return 1;
}

static void serve_locked(struct sim_req *rq, struct sim_resp *rs, const char *bucket,
                         const char *key)
{
    char full[2048];
    const char *m = rq->method;
    struct oss_obj *o;

    if (outage(rs, rq) || check_auth(rq, rs) < 0)
        return;
    snprintf(full, sizeof(full), "%s/%s", bucket, key);
    if (!*key && strcmp(m, "GET") == 0) {
        list_objects(rq, rs, bucket);
    } else if (!*key) {
        xml_error(rq, rs, 405, "MethodNotAllowed", "The specified method is not allowed.");
    } else if (strcmp(m, "PUT") == 0) {
        put_object(rq, rs, full);
    } else if (strcmp(m, "POST") == 0 && sim_query(rq, "append")) {
        append_object(rq, rs, full);
    } else if (strcmp(m, "GET") == 0 || strcmp(m, "DELETE") == 0) {
        o = find(full);
        if (!o) {
            xml_error(rq, rs, 404, "NoSuchKey", "The specified key does not exist.");
        } else if (*m == 'G') {
            sim_resp_header(rs, "ETag", o->etag);
            reply_text(rs, 200, "application/octet-stream", strdup(o->data ? o->data : ""));
        } else {
            free(o->key);
            free(o->data);
            *o = st.v[--st.n];
            reply_text(rs, 204, "application/xml", NULL);
        }
    } else {
        xml_error(rq, rs, 405, "MethodNotAllowed", "The specified method is not allowed.");
    }
}

void sim_oss_serve(struct sim_req *rq, struct sim_resp *rs)
{
    const char *p = rq->path + (rq->path[0] == '/');
    size_t bn = strcspn(p, "/");
    char bucket[64];

    if (bn < 3 || bn >= sizeof(bucket)) {
        xml_error(rq, rs, 400, "InvalidBucketName", "The specified bucket is not valid.");
        return;
    }
    memcpy(bucket, p, bn);
    bucket[bn] = '\0';
    pthread_mutex_lock(&st.mu);
    serve_locked(rq, rs, bucket, p[bn] ? p + bn + 1 : "");
    pthread_mutex_unlock(&st.mu);
}

static void admin_outage(struct sim_req *rq, struct sim_resp *rs)
{
    json_error_t je;
    json_t *in = json_loadb(rq->body ? rq->body : "", rq->body_len, 0, &je);
    const char *mode = json_string_value(json_object_get(in, "mode"));
    json_t *after = json_object_get(in, "after_puts");

    if (!json_is_object(in) || !json_is_boolean(json_object_get(in, "down"))) {
        json_decref(in);
        sim_resp_json(rs, 400, json_pack("{s:b,s:s}", "ok", 0, "error", "want {\"down\":bool}"), 0,
                      "application/json");
        return;
    }
    pthread_mutex_lock(&st.mu);
    st.reset = mode && strcmp(mode, "reset") == 0;
    st.seconds = json_number_value(json_object_get(in, "seconds"));
    st.arm_after = -1;
    st.down = 0;
    st.down_until = 0;
    if (json_is_true(json_object_get(in, "down"))) {
        if (json_is_integer(after) && json_integer_value(after) > 0) {
            st.arm_after = (long)json_integer_value(after);
        } else {
            st.down = 1;
            st.down_until = st.seconds > 0 ? sim_now_mono() + st.seconds : 0;
        }
    }
    pthread_mutex_unlock(&st.mu);
    json_decref(in);
    sim_resp_json(rs, 200, json_pack("{s:b}", "ok", 1), 0, "application/json");
}

static json_t *objects_json(void)
{
    json_t *a = json_array();
    struct oss_obj **v = calloc(st.n + 1, sizeof(*v));

    for (size_t i = 0; v && i < st.n; i++)
        v[i] = &st.v[i];
    if (v)
        qsort(v, st.n, sizeof(*v), key_cmp);
    for (size_t i = 0; v && i < st.n; i++)
        json_array_append_new(a, json_pack("{s:s,s:I,s:s}", "Key", v[i]->key, "Size",
                                           (json_int_t)v[i]->len, "ETag", v[i]->etag));
    free(v);
    return json_pack("{s:o,s:{s:I,s:I,s:I,s:I}}", "Objects", a, "Stats", "puts",
                     (json_int_t)st.puts, "appends", (json_int_t)st.appends, "rejected",
                     (json_int_t)st.rejected, "outage", (json_int_t)st.outage);
}

void sim_oss_admin(struct sim_req *rq, struct sim_resp *rs)
{
    const char *p = rq->path + strlen("/_sim/oss/");
    const char *key = sim_query(rq, "key");
    struct oss_obj *o;

    if (strcmp(p, "outage") == 0 && strcmp(rq->method, "POST") == 0) {
        admin_outage(rq, rs);
        return;
    }
    pthread_mutex_lock(&st.mu);
    if (strcmp(p, "objects") == 0) {
        sim_resp_json(rs, 200, objects_json(), 0, "application/json");
    } else if (strcmp(p, "object") == 0 && key && (o = find(key)) != NULL) {
        reply_text(rs, 200, "application/octet-stream", strdup(o->data ? o->data : ""));
    } else {
        sim_resp_json(rs, 404, json_pack("{s:b,s:s}", "ok", 0, "error", "no such object or call"),
                      0, "application/json");
    }
    pthread_mutex_unlock(&st.mu);
}
