/* SPDX-License-Identifier: MIT */
/*
 * The control protocol: line splitter, request parser, reply builders (see ctlproto.h).
 * Pure code: no I/O, no logging.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/ctlproto.h"
#include "glue2dlf/utf8.h"

/* ---- Line splitter -------------------------------------------------------------------- */

void g2d_linebuf_init(struct g2d_linebuf *lb, size_t max_line)
{
    if (!max_line)
        max_line = G2D_CTL_LINE_MAX;
    g2d_buf_init(&lb->buf, 2 * max_line + 2);
    lb->max_line = max_line;
    lb->consumed = 0;
    lb->scanned = 0;
    lb->error = 0;
}

/* Drop the line handed out by the previous pop. */
static void linebuf_compact(struct g2d_linebuf *lb)
{
    if (!lb->consumed)
        return;
    g2d_buf_consume(&lb->buf, lb->consumed);
    lb->consumed = 0;
    lb->scanned = 0;
}

int g2d_linebuf_feed(struct g2d_linebuf *lb, const void *data, size_t len)
{
    if (lb->error)
        return lb->error;
    linebuf_compact(lb);
    if (!len)
        return 0;
    return g2d_buf_append(&lb->buf, data, len);
}

int g2d_linebuf_pop(struct g2d_linebuf *lb, const char **line, size_t *len)
{
    for (;;) {
        char *start, *nl;
        size_t raw, n;

        if (lb->error)
            return lb->error;
        linebuf_compact(lb);
        start = lb->buf.data;
        if (!start || lb->scanned >= lb->buf.len) {
            nl = NULL;
        } else {
            nl = memchr(start + lb->scanned, '\n', lb->buf.len - lb->scanned);
        }
        if (!nl) {
            lb->scanned = lb->buf.len;
            /* An incomplete line may still lose one '\r' before its '\n'. */
            if (lb->buf.len > lb->max_line + 1) {
                lb->error = -E2BIG;
                return lb->error;
            }
            return 0;
        }
        raw = (size_t)(nl - start);
        n = raw;
        if (n > 0 && start[n - 1] == '\r')
            n--;
        if (n > lb->max_line) {
            lb->error = -E2BIG;
            return lb->error;
        }
        start[n] = '\0';
        lb->consumed = raw + 1;
        if (n == 0)
            continue;
        *line = start;
        *len = n;
        return 1;
    }
}

size_t g2d_linebuf_pending(const struct g2d_linebuf *lb)
{
    return lb->buf.len - (lb->consumed < lb->buf.len ? lb->consumed : lb->buf.len);
}

void g2d_linebuf_done(struct g2d_linebuf *lb)
{
    if (!lb)
        return;
    g2d_buf_done(&lb->buf);
    lb->consumed = 0;
    lb->scanned = 0;
}

/* ---- Commands ------------------------------------------------------------------------- */

static const char *const cmd_names[G2D_CTL_NCMDS] = {
    [G2D_CTL_STATUS] = "status",       [G2D_CTL_SYNC] = "sync",       [G2D_CTL_PLAN] = "plan",
    [G2D_CTL_PAUSE] = "pause",         [G2D_CTL_RESUME] = "resume",   [G2D_CTL_RELOAD] = "reload",
    [G2D_CTL_RESULTS] = "results",     [G2D_CTL_METRICS] = "metrics", [G2D_CTL_HEALTH] = "health",
    [G2D_CTL_LOG_LEVEL] = "log-level", [G2D_CTL_HELD] = "held",       [G2D_CTL_APPROVE] = "approve",
    [G2D_CTL_REJECT] = "reject",       [G2D_CTL_RESTORE] = "restore", [G2D_CTL_REPORT] = "report",
};

const char *g2d_ctl_cmd_name(enum g2d_ctl_cmd cmd)
{
    if ((unsigned)cmd >= G2D_CTL_NCMDS)
        return NULL;
    return cmd_names[cmd];
}

int g2d_ctl_cmd_lookup(const char *name, enum g2d_ctl_cmd *out)
{
    for (unsigned i = 0; i < G2D_CTL_NCMDS; i++) {
        if (strcmp(name, cmd_names[i]) == 0) {
            *out = (enum g2d_ctl_cmd)i;
            return 0;
        }
    }
    return -ENOENT;
}

bool g2d_ctl_cmd_mutating(enum g2d_ctl_cmd cmd)
{
    switch (cmd) {
    case G2D_CTL_STATUS:
    case G2D_CTL_RESULTS:
    case G2D_CTL_METRICS:
    case G2D_CTL_HEALTH:
    case G2D_CTL_HELD:
    case G2D_CTL_REPORT:
    case G2D_CTL_PLAN: /* a dry run: reads both catalogs, writes nothing */
        return false;
    default:
        return true;
    }
}

/* ---- Request parsing ------------------------------------------------------------------ */

static int req_fail(struct g2d_ctl_request *out, const char *code, int rc, struct g2d_error *err,
                    const char *msg)
{
    out->error_code = code;
    return g2d_error_set(err, rc, "%s", msg);
}

static int bad_arg(struct g2d_ctl_request *out, struct g2d_error *err, const char *key,
                   const char *what)
{
    out->error_code = G2D_CTL_E_BAD_REQUEST;
    return g2d_error_set(err, -EINVAL, "argument '%s' must be %s", key, what);
}

/* An integer argument in [lo, hi]. @return 0 or -EINVAL (reported). */
static int int_arg(struct g2d_ctl_request *out, struct g2d_error *err, const char *key,
                   const json_t *val, json_int_t lo, json_int_t hi, int64_t *dst)
{
    json_int_t n;

    if (!json_is_integer(val))
        return bad_arg(out, err, key, "an integer");
    n = json_integer_value(val);
    if (n < lo || n > hi) {
        out->error_code = G2D_CTL_E_BAD_REQUEST;
        return g2d_error_set(err, -EINVAL, "argument '%s' must be between %lld and %lld", key,
                             (long long)lo, (long long)hi);
    }
    *dst = n;
    return 0;
}

/* A boolean argument. @return 0 or -EINVAL (reported). */
static int bool_arg(struct g2d_ctl_request *out, struct g2d_error *err, const char *key,
                    const json_t *val, bool *dst)
{
    if (!json_is_boolean(val))
        return bad_arg(out, err, key, "a boolean");
    *dst = json_is_true(val);
    return 0;
}

/* log-level's level: one of the names log.level accepts. */
static int level_arg(struct g2d_ctl_request *out, struct g2d_error *err, const char *key,
                     const json_t *val)
{
    static const char *const names[] = {"trace", "debug", "info", "notice", "warning", "err"};
    const char *s = json_string_value(val);

    for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i]) == 0) {
            out->level = names[i];
            return 0;
        }
    }
    return bad_arg(out, err, key, "one of trace, debug, info, notice, warning, err");
}

/* A non-empty string argument of at most G2D_CTL_NAME_MAX bytes, valid UTF-8 (jansson). */
static int str_arg(struct g2d_ctl_request *out, struct g2d_error *err, const char *key,
                   const json_t *val, const char **dst)
{
    size_t n = json_string_length(val);

    if (!json_is_string(val) || n == 0 || n > G2D_CTL_NAME_MAX ||
        strlen(json_string_value(val)) != n)
        return bad_arg(out, err, key, "a name of 1 to 4096 bytes");
    *dst = json_string_value(val);
    return 0;
}

/* "type": database, table, partition or function. */
static int type_arg(struct g2d_ctl_request *out, struct g2d_error *err, const json_t *val)
{
    static const char *const types[] = {"database", "table", "partition", "function"};
    const char *t = json_string_value(val);

    for (unsigned i = 0; t && i < 4; i++)
        if (strcmp(t, types[i]) == 0) {
            out->types = 1u << i;
            return 0;
        }
    return bad_arg(out, err, "type", "one of database, table, partition, function");
}

/* "ids": an array of 1..16 hex digit strings. */
static int ids_arg(struct g2d_ctl_request *out, struct g2d_error *err, json_t *val)
{
    size_t i, n = json_array_size(val);
    json_t *v;

    if (!json_is_array(val) || n == 0 || n > G2D_CTL_IDS_MAX)
        return bad_arg(out, err, "ids", "an array of 1 to 10000 IDs");
    json_array_foreach(val, i, v)
    {
        const char *s = json_string_value(v);
        size_t l = s ? strlen(s) : 0;

        if (!s || l == 0 || l > 16 || strspn(s, "0123456789abcdefABCDEF") != l)
            return bad_arg(out, err, "ids", "an array of IDs (1 to 16 hex digits)");
    }
    out->ids = val;
    return 0;
}

/* Arguments of held, approve, reject and restore. */
static int parse_held_arg(struct g2d_ctl_request *out, const char *key, json_t *val,
                          struct g2d_error *err)
{
    bool decide = out->cmd == G2D_CTL_APPROVE || out->cmd == G2D_CTL_REJECT;

    if (strcmp(key, "type") == 0)
        return type_arg(out, err, val);
    if (strcmp(key, "scope") == 0 && out->cmd != G2D_CTL_RESTORE)
        return str_arg(out, err, key, val, &out->scope);
    if (strcmp(key, "ids") == 0 && decide)
        return ids_arg(out, err, val);
    if (strcmp(key, "all") == 0 && decide)
        return bool_arg(out, err, key, val, &out->all);
    if (strcmp(key, "name") == 0 && out->cmd == G2D_CTL_RESTORE)
        return str_arg(out, err, key, val, &out->name);
    return 1;
}

/* One argument of @p out->cmd. @return 0, -EINVAL (reported) or 1 for an unknown key. */
static int parse_arg(struct g2d_ctl_request *out, const char *key, json_t *val,
                     struct g2d_error *err)
{
    switch (out->cmd) {
    case G2D_CTL_HELD:
    case G2D_CTL_APPROVE:
    case G2D_CTL_REJECT:
    case G2D_CTL_RESTORE:
        return parse_held_arg(out, key, val, err);
    case G2D_CTL_SYNC:
        if (strcmp(key, "wait") == 0)
            return bool_arg(out, err, key, val, &out->wait);
        if (strcmp(key, "full") == 0)
            return bool_arg(out, err, key, val, &out->full);
        break;
    case G2D_CTL_RESULTS:
        if (strcmp(key, "limit") == 0)
            return int_arg(out, err, key, val, 1, G2D_CTL_RESULTS_MAX, &out->limit);
        if (strcmp(key, "failed") == 0)
            return bool_arg(out, err, key, val, &out->failed);
        if (strcmp(key, "cycle") == 0)
            return int_arg(out, err, key, val, 1, INT64_MAX, &out->cycle);
        break;
    case G2D_CTL_LOG_LEVEL:
        if (strcmp(key, "level") == 0)
            return level_arg(out, err, key, val);
        break;
    case G2D_CTL_HEALTH:
        if (strcmp(key, "max_age") == 0)
            return int_arg(out, err, key, val, 1, G2D_CTL_HEALTH_MAX_S, &out->max_age_s);
        if (strcmp(key, "max_running") == 0)
            return int_arg(out, err, key, val, 1, G2D_CTL_HEALTH_MAX_S, &out->max_running_s);
        break;
    default:
        break;
    }
    return 1;
}

/* approve and reject say what (all, or type / scope / ids); restore names its object. */
static int check_selectors(struct g2d_ctl_request *out, struct g2d_error *err)
{
    bool some = out->types || out->scope || out->ids;

    out->error_code = G2D_CTL_E_BAD_REQUEST;
    if (out->cmd == G2D_CTL_RESTORE && !out->name)
        return g2d_error_set(err, -EINVAL, "restore needs the argument 'name'");
    if ((out->cmd == G2D_CTL_APPROVE || out->cmd == G2D_CTL_REJECT) && some == out->all)
        return g2d_error_set(err, -EINVAL,
                             "%s needs 'all', or some of 'type', 'scope' and 'ids' (not both)",
                             g2d_ctl_cmd_name(out->cmd));
    out->error_code = NULL;
    return 0;
}

/* Check the arguments of @p cmd; unknown keys and wrong types are bad requests. */
static int parse_args(struct g2d_ctl_request *out, json_t *args, struct g2d_error *err)
{
    const char *key;
    json_t *val;

    json_object_foreach(args, key, val)
    {
        int r = parse_arg(out, key, val, err);

        if (r < 0)
            return r;
        if (r > 0) {
            out->error_code = G2D_CTL_E_BAD_REQUEST;
            /* The key is the client's own input; cap it so the message stays short. */
            return g2d_error_set(err, -EINVAL, "unknown argument '%.64s' for command '%s'", key,
                                 g2d_ctl_cmd_name(out->cmd));
        }
    }
    return check_selectors(out, err);
}

int g2d_ctl_parse_request(const char *line, size_t len, struct g2d_ctl_request *out,
                          struct g2d_error *err)
{
    json_error_t jerr;
    json_t *root, *v, *id, *cmd, *args;
    int r;

    memset(out, 0, sizeof(*out));
    out->id = G2D_CTL_ID_NONE;
    out->limit = G2D_CTL_RESULTS_DEFAULT;
    out->max_age_s = -1;
    out->max_running_s = -1;

    root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        out->error_code = G2D_CTL_E_BAD_REQUEST;
        return g2d_error_set(err, -EPROTO, "invalid JSON at column %d: %s", jerr.column, jerr.text);
    }
    if (!json_is_object(root)) {
        r = req_fail(out, G2D_CTL_E_BAD_REQUEST, -EPROTO, err, "request must be a JSON object");
        goto fail;
    }
    id = json_object_get(root, "id");
    if (id && !json_is_null(id)) {
        if (!json_is_integer(id)) {
            r = req_fail(out, G2D_CTL_E_BAD_REQUEST, -EPROTO, err, "\"id\" must be an integer");
            goto fail;
        }
        out->id = json_integer_value(id);
        if (out->id == G2D_CTL_ID_NONE) {
            r = req_fail(out, G2D_CTL_E_BAD_REQUEST, -EPROTO, err, "\"id\" out of range");
            goto fail;
        }
    }
    v = json_object_get(root, "v");
    if (!json_is_integer(v) || json_integer_value(v) != G2D_CTL_VERSION) {
        out->error_code = G2D_CTL_E_VERSION;
        r = g2d_error_set(err, -EPROTO, "unsupported protocol version (this daemon speaks %d)",
                          G2D_CTL_VERSION);
        goto fail;
    }
    cmd = json_object_get(root, "cmd");
    if (!json_is_string(cmd)) {
        r = req_fail(out, G2D_CTL_E_BAD_REQUEST, -EPROTO, err, "\"cmd\" must be a string");
        goto fail;
    }
    if (g2d_ctl_cmd_lookup(json_string_value(cmd), &out->cmd) < 0) {
        out->error_code = G2D_CTL_E_UNKNOWN_COMMAND;
        r = g2d_error_set(err, -ENOENT, "unknown command '%.64s'", json_string_value(cmd));
        goto fail;
    }
    args = json_object_get(root, "args");
    if (args && !json_is_null(args) && !json_is_object(args)) {
        r = req_fail(out, G2D_CTL_E_BAD_REQUEST, -EPROTO, err, "\"args\" must be an object");
        goto fail;
    }
    args = args && !json_is_null(args) ? json_incref(args) : json_object();
    if (!args) {
        r = req_fail(out, G2D_CTL_E_INTERNAL, -ENOMEM, err, "out of memory");
        goto fail;
    }
    if ((r = parse_args(out, args, err)) < 0) {
        json_decref(args);
        goto fail;
    }
    out->args = args;
    out->error_code = NULL;
    json_decref(root);
    return 0;

fail:
    out->scope = out->name = NULL; /* they pointed into what is freed */
    out->ids = NULL;
    json_decref(root);
    return r;
}

void g2d_ctl_request_done(struct g2d_ctl_request *req)
{
    if (!req)
        return;
    json_decref(req->args);
    req->args = NULL;
}

/* ---- Reply building ------------------------------------------------------------------- */

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return g2d_buf_append(data, buffer, size) < 0 ? -1 : 0;
}

/* Serialise @p root compactly plus '\n'; consumes the reference. */
static char *dump_line(json_t *root)
{
    struct g2d_buf b;
    char *line;

    if (!root)
        return NULL;
    g2d_buf_init(&b, 0);
    if (json_dump_callback(root, dump_cb, &b, JSON_COMPACT) < 0 || g2d_buf_putc(&b, '\n') < 0) {
        json_decref(root);
        g2d_buf_done(&b);
        return NULL;
    }
    json_decref(root);
    line = g2d_buf_steal(&b);
    return line;
}

static json_t *id_json(int64_t id)
{
    return id == G2D_CTL_ID_NONE ? json_null() : json_integer(id);
}

json_t *g2d_ctl_json_string(const char *s)
{
    const unsigned char *p, *end;
    json_t *j;
    char *copy;
    size_t n, i = 0;

    if (!s)
        s = "";
    n = strlen(s);
    if (g2d_utf8_valid(s, n))
        return json_string(s);
    /* Not valid UTF-8 (by the one validator): every byte outside a valid sequence is '?'. */
    copy = malloc(n + 1);
    if (!copy)
        return NULL;
    p = (const unsigned char *)s;
    end = p + n;
    while (p < end) {
        size_t k = *p < 0x80 ? 1 : g2d_utf8_seq(p, end);

        if (k) {
            memcpy(copy + i, p, k);
        } else {
            copy[i] = '?';
            k = 1;
        }
        i += k;
        p += k;
    }
    copy[n] = '\0';
    j = json_string(copy);
    free(copy);
    return j;
}

char *g2d_ctl_reply_ok(int64_t id, json_t *result)
{
    json_t *root = json_object();

    if (!result)
        result = json_object();
    if (!root || !result) {
        json_decref(root);
        json_decref(result);
        return NULL;
    }
    if (json_object_set_new(root, "v", json_integer(G2D_CTL_VERSION)) < 0 ||
        json_object_set_new(root, "id", id_json(id)) < 0 ||
        json_object_set_new(root, "ok", json_true()) < 0) {
        json_decref(root);
        json_decref(result);
        return NULL;
    }
    /* set_new steals @result even when it fails. */
    if (json_object_set_new(root, "result", result) < 0) {
        json_decref(root);
        return NULL;
    }
    return dump_line(root);
}

char *g2d_ctl_reply_error(int64_t id, const char *code, const char *message)
{
    json_t *root = json_object(), *e = json_object();

    if (!root || !e)
        goto fail;
    if (json_object_set_new(e, "code", g2d_ctl_json_string(code)) < 0 ||
        json_object_set_new(e, "message", g2d_ctl_json_string(message)) < 0)
        goto fail;
    if (json_object_set_new(root, "v", json_integer(G2D_CTL_VERSION)) < 0 ||
        json_object_set_new(root, "id", id_json(id)) < 0 ||
        json_object_set_new(root, "ok", json_false()) < 0) {
        goto fail;
    }
    if (json_object_set_new(root, "error", e) < 0) {
        e = NULL;
        goto fail;
    }
    return dump_line(root);

fail:
    json_decref(e);
    json_decref(root);
    return NULL;
}

/* ---- Client side ---------------------------------------------------------------------- */

char *g2d_ctl_request_format(int64_t id, const char *cmd, json_t *args)
{
    json_t *root = json_object();

    if (!args)
        args = json_object();
    if (!root || !args) {
        json_decref(root);
        json_decref(args);
        return NULL;
    }
    if (json_object_set_new(root, "v", json_integer(G2D_CTL_VERSION)) < 0 ||
        json_object_set_new(root, "id", id_json(id)) < 0 ||
        json_object_set_new(root, "cmd", g2d_ctl_json_string(cmd)) < 0) {
        json_decref(root);
        json_decref(args);
        return NULL;
    }
    if (json_object_set_new(root, "args", args) < 0) {
        json_decref(root);
        return NULL;
    }
    return dump_line(root);
}

int g2d_ctl_parse_reply(const char *line, size_t len, struct g2d_ctl_reply *out,
                        struct g2d_error *err)
{
    json_error_t jerr;
    json_t *root, *v, *id, *ok;

    memset(out, 0, sizeof(*out));
    out->id = G2D_CTL_ID_NONE;
    root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return g2d_error_set(err, -EPROTO, "invalid JSON in reply at column %d: %s", jerr.column,
                             jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return g2d_error_set(err, -EPROTO, "reply is not a JSON object");
    }
    v = json_object_get(root, "v");
    if (!json_is_integer(v) || json_integer_value(v) != G2D_CTL_VERSION) {
        json_decref(root);
        return g2d_error_set(err, -EPROTO, "reply has an unsupported protocol version");
    }
    id = json_object_get(root, "id");
    if (json_is_integer(id))
        out->id = json_integer_value(id);
    else if (id && !json_is_null(id))
        goto bad;
    ok = json_object_get(root, "ok");
    if (!json_is_boolean(ok))
        goto bad;
    out->ok = json_is_true(ok);
    if (out->ok) {
        out->result = json_object_get(root, "result");
        if (!json_is_object(out->result))
            goto bad;
    } else {
        json_t *e = json_object_get(root, "error");
        json_t *code = json_object_get(e, "code"), *msg = json_object_get(e, "message");

        if (!json_is_object(e) || !json_is_string(code) || !json_is_string(msg))
            goto bad;
        out->code = json_string_value(code);
        out->message = json_string_value(msg);
    }
    out->root = root;
    return 0;

bad:
    json_decref(root);
    memset(out, 0, sizeof(*out));
    out->id = G2D_CTL_ID_NONE;
    return g2d_error_set(err, -EPROTO, "malformed reply");
}

void g2d_ctl_reply_done(struct g2d_ctl_reply *rep)
{
    if (!rep)
        return;
    json_decref(rep->root);
    memset(rep, 0, sizeof(*rep));
    rep->id = G2D_CTL_ID_NONE;
}
