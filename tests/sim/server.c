/* SPDX-License-Identifier: MIT */
/*
 * The HTTP side of the simulator: two libmicrohttpd daemons (Glue port and DLF port),
 * thread per connection, keep-alive. Each request body is collected with a 16 MiB
 * ceiling, then dispatched to the admin API (/_sim/...) or to the side's API.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "server.h"

struct conn {
    struct g2d_buf body;
    int too_big;
};

const char *sim_header(const struct sim_req *rq, const char *name)
{
    size_t i;

    for (i = 0; i < rq->nheaders; i++)
        if (strcasecmp(rq->headers[i].name, name) == 0)
            return rq->headers[i].value;
    return NULL;
}

const char *sim_query(const struct sim_req *rq, const char *name)
{
    size_t i;

    for (i = 0; i < rq->nquery; i++)
        if (strcmp(rq->query[i].name, name) == 0)
            return rq->query[i].value;
    return NULL;
}

void sim_resp_header(struct sim_resp *rs, const char *name, const char *value)
{
    if (rs->nhdr == SIM_MAX_EXTRA_HEADERS)
        return;
    rs->hdr_name[rs->nhdr] = name;
    snprintf(rs->hdr_value[rs->nhdr], sizeof(rs->hdr_value[0]), "%s", value);
    rs->nhdr++;
}

void sim_resp_json(struct sim_resp *rs, unsigned status, json_t *v, int java_reals,
                   const char *content_type)
{
    free(rs->body);
    rs->status = status;
    rs->content_type = content_type;
    rs->body = NULL;
    if (v)
        rs->body = java_reals ? sim_dump_java(v) : json_dumps(v, JSON_COMPACT);
    json_decref(v);
    if (!rs->body) {
        /* Allocation failure while building the answer: say so plainly. */
        rs->status = 500;
        rs->body = strdup("{\"message\":\"simulator out of memory\"}");
    }
}

void sim_log(const struct sim *sim, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (!sim->cfg.verbose)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "glue2dlf-sim: %s\n", line);
}

double sim_now_mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    struct sim_req *rq = cls;

    if (rq->nheaders == SIM_MAX_HEADERS)
        return MHD_NO;
    rq->headers[rq->nheaders].name = key;
    rq->headers[rq->nheaders].value = value ? value : "";
    rq->nheaders++;
    return MHD_YES;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct sim_req *rq = cls;

    if (rq->nquery == SIM_MAX_QUERY)
        return MHD_NO;
    rq->query[rq->nquery].name = key;
    rq->query[rq->nquery].value = value ? value : "";
    rq->nquery++;
    return MHD_YES;
}

/* A truncated response: Content-Length is the full body, only half of it is written. */
struct trunc {
    char *body;
    size_t limit;
};

static ssize_t trunc_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct trunc *t = cls;
    size_t n;

    if (pos >= t->limit)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    n = t->limit - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, t->body + pos, n);
    return (ssize_t)n;
}

static void trunc_free(void *cls)
{
    struct trunc *t = cls;

    free(t->body);
    free(t);
}

static void too_big(struct sim_req *rq, struct sim_resp *rs)
{
    if (strncmp(rq->path, "/_sim/", 6) == 0)
        sim_resp_json(rs, 413, json_pack("{s:b,s:s}", "ok", 0, "error", "body too large"), 0,
                      "application/json");
    else if (rq->side == SIM_GLUE)
        sim_glue_error(rs, rq, 413, "InvalidInputException",
                       "Request body exceeds the 16 MiB limit.");
    else
        sim_dlf_gw_error(rs, rq, 413, "RequestEntityTooLarge",
                         "Request body exceeds the 16 MiB limit.");
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct sim_req *rq, struct sim_resp *rs)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    size_t len, i;

    if (rs->how == SIM_RESET || !rs->body) {
        free(rs->body);
        return MHD_NO;
    }
    len = strlen(rs->body);
    if (rs->how == SIM_TRUNCATE) {
        struct trunc *t = malloc(sizeof(*t));

        if (!t) {
            free(rs->body);
            return MHD_NO;
        }
        t->body = rs->body;
        t->limit = len / 2;
        r = MHD_create_response_from_callback(len, 4096, trunc_read, t, trunc_free);
        if (!r)
            trunc_free(t);
    } else {
        r = MHD_create_response_from_buffer(len, rs->body, MHD_RESPMEM_MUST_FREE);
        if (!r)
            free(rs->body);
    }
    rs->body = NULL;
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
    if (rq->side == SIM_GLUE)
        MHD_add_response_header(r, "x-amzn-RequestId", rq->request_id);
    else
        MHD_add_response_header(r, "x-acs-request-id", rq->request_id);
    for (i = 0; i < rs->nhdr; i++)
        MHD_add_response_header(r, rs->hdr_name[i], rs->hdr_value[i]);
    ret = MHD_queue_response(c, rs->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    struct sim_listener *l = cls;
    struct conn *cn = *con_cls;
    struct sim_req *rq;
    struct sim_resp rs;
    enum MHD_Result ret;

    if (!cn) {
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

        cn = calloc(1, sizeof(*cn));
        if (!cn)
            return MHD_NO;
        g2d_buf_init(&cn->body, SIM_MAX_BODY);
        *con_cls = cn;
        if (cl && strtoull(cl, NULL, 10) > SIM_MAX_BODY)
            cn->too_big = 1; /* answer now; MHD closes the connection after */
        else
            return MHD_YES;
    } else if (*upload_data_size) {
        if (!cn->too_big && g2d_buf_append(&cn->body, upload_data, *upload_data_size) < 0) {
            cn->too_big = 1;
            g2d_buf_done(&cn->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }

    rq = calloc(1, sizeof(*rq));
    if (!rq)
        return MHD_NO;
    memset(&rs, 0, sizeof(rs));
    rq->sim = l->sim;
    rq->side = l->side;
    rq->method = method;
    rq->path = url;
    rq->body = cn->body.data;
    rq->body_len = cn->body.len;
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, rq);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, rq);
    sim_request_id(l->sim, rq->request_id);

    if (cn->too_big)
        too_big(rq, &rs);
    else if (sim_creds_wants(rq))
        sim_creds_serve(rq, &rs);
    else if (strncmp(url, "/_sim/oss/", 10) == 0)
        sim_oss_admin(rq, &rs);
    else if (strncmp(url, "/_sim/", 6) == 0)
        sim_admin_serve(rq, &rs);
    else if (sim_oss_wants(rq))
        sim_oss_serve(rq, &rs);
    else if (l->side == SIM_GLUE)
        sim_glue_serve(rq, &rs);
    else
        sim_dlf_serve(rq, &rs);

    sim_log(l->sim, "%s %s %s%s%s -> %u%s", l->side == SIM_GLUE ? "glue" : "dlf", method, url,
            rq->op ? " " : "", rq->op ? rq->op->name : "", rs.status,
            rs.how == SIM_RESET      ? " (reset)"
            : rs.how == SIM_TRUNCATE ? " (truncated)"
                                     : "");
    ret = send_resp(c, rq, &rs);
    free(rq);
    return ret;
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn *cn = *con_cls;

    if (!cn)
        return;
    g2d_buf_done(&cn->body);
    free(cn);
    *con_cls = NULL;
}

int sim_listener_start(struct sim_listener *l, const char *bind, unsigned port)
{
    struct sockaddr_in sa4;
    struct sockaddr_in6 sa6;
    const struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
    const union MHD_DaemonInfo *info;

    memset(&sa4, 0, sizeof(sa4));
    memset(&sa6, 0, sizeof(sa6));
    if (inet_pton(AF_INET, bind, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)port);
        sa = (const struct sockaddr *)&sa4;
    } else if (inet_pton(AF_INET6, bind, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)port);
        sa = (const struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
    } else {
        return -EINVAL;
    }
    if (l->sim->cfg.verbose)
        flags |= MHD_USE_ERROR_LOG;
    l->daemon =
        MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, access_cb, l, MHD_OPTION_SOCK_ADDR, sa,
                         MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024), MHD_OPTION_END);
    if (!l->daemon)
        return -EADDRNOTAVAIL;
    info = MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_BIND_PORT);
    l->port = info ? info->port : 0;
    return l->port ? 0 : -EIO;
}

void sim_listener_stop(struct sim_listener *l)
{
    if (l && l->daemon) {
        MHD_stop_daemon(l->daemon);
        l->daemon = NULL;
    }
}
