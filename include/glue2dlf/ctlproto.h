/* SPDX-License-Identifier: MIT */
/**
 * @file ctlproto.h
 * The control protocol spoken on glue2dlfd's UNIX socket (shared/reference/c-style.md
 * §16): one compact JSON object per line in each direction.
 *
 *   request  {"v":1,"id":N,"cmd":"status","args":{...}}
 *   reply    {"v":1,"id":N,"ok":true,"result":{...}}
 *            {"v":1,"id":N,"ok":false,"error":{"code":"...","message":"..."}}
 *
 * This module is pure (no I/O): a bounded line splitter, the request parser, and the reply
 * builders, plus the client-side counterparts (request builder, reply parser) used by
 * glue2dlfctl. Everything here parses outside input and is fuzzed (tests/fuzz).
 */
#ifndef GLUE2DLF_CTLPROTO_H
#define GLUE2DLF_CTLPROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/error.h"

/** Protocol version spoken by this build. */
#define G2D_CTL_VERSION 1
/** Longest request line the server accepts (without the newline). */
#define G2D_CTL_LINE_MAX (64u * 1024u)
/** "No id": used in replies to lines whose id could not be read; rendered as null. */
#define G2D_CTL_ID_NONE INT64_MIN

/* Error codes carried in error replies. */
#define G2D_CTL_E_BAD_REQUEST "bad_request"
#define G2D_CTL_E_VERSION "version"
#define G2D_CTL_E_UNKNOWN_COMMAND "unknown_command"
#define G2D_CTL_E_BUSY "busy"
#define G2D_CTL_E_CONFIG_INVALID "config_invalid"
#define G2D_CTL_E_FORBIDDEN "forbidden"
#define G2D_CTL_E_STOPPING "stopping"
#define G2D_CTL_E_INTERNAL "internal"

/* ---- Bounded line splitter ------------------------------------------------------------ */

/**
 * Accumulates bytes from a stream and hands out complete lines. A line ends at '\n'; one
 * '\r' before it is dropped (CRLF tolerated); empty lines are skipped. A line longer than
 * max_line bytes is an error (sticky: the connection should be answered and closed). The
 * buffer never holds more than 2 * max_line + 2 bytes: feed in chunks of at most
 * max_line bytes and pop every available line in between.
 */
struct g2d_linebuf {
    struct g2d_buf buf;
    size_t max_line;
    size_t consumed; /**< bytes of the last popped line, dropped at the next call */
    size_t scanned;  /**< bytes already searched for '\n' (after consumed) */
    int error;       /**< sticky: -E2BIG after an over-long line */
};

/** Initialise; @p max_line 0 means G2D_CTL_LINE_MAX. Cannot fail. */
void g2d_linebuf_init(struct g2d_linebuf *lb, size_t max_line);

/**
 * Append received bytes.
 * @return 0; -E2BIG if the buffer would exceed its ceiling or an over-long line was
 *         already seen; -ENOMEM
 */
int g2d_linebuf_feed(struct g2d_linebuf *lb, const void *data, size_t len);

/**
 * Take the next complete line.
 * @param[out] line  NUL-terminated, without the line end; borrowed until the next
 *                   feed/pop/done call
 * @param[out] len   its length
 * @return 1 when a line was returned, 0 when more input is needed, -E2BIG when the line
 *         being assembled is longer than max_line (sticky)
 */
int g2d_linebuf_pop(struct g2d_linebuf *lb, const char **line, size_t *len);

/** Bytes held (complete and incomplete lines), for tests and limits. */
size_t g2d_linebuf_pending(const struct g2d_linebuf *lb);

/** Free the buffer. Accepts NULL. */
void g2d_linebuf_done(struct g2d_linebuf *lb);

/* ---- Requests ------------------------------------------------------------------------- */

enum g2d_ctl_cmd {
    G2D_CTL_STATUS = 0,
    G2D_CTL_SYNC,
    G2D_CTL_PLAN,
    G2D_CTL_PAUSE,
    G2D_CTL_RESUME,
    G2D_CTL_RELOAD,
    G2D_CTL_RESULTS,
    G2D_CTL_METRICS,
    G2D_CTL_HEALTH,
    G2D_CTL_LOG_LEVEL,
    G2D_CTL_HELD,
    G2D_CTL_APPROVE,
    G2D_CTL_REJECT,
    G2D_CTL_RESTORE,
    G2D_CTL_REPORT,
    G2D_CTL_NCMDS,
};

/** "status", "sync", ... or NULL for an out-of-range value. */
const char *g2d_ctl_cmd_name(enum g2d_ctl_cmd cmd);
/** Look a command up by name. @return 0 or -ENOENT. */
int g2d_ctl_cmd_lookup(const char *name, enum g2d_ctl_cmd *out);
/**
 * True for commands that change state or write (sync, pause, resume, reload, approve,
 * reject, restore); these need root or the daemon's own uid. status, results, metrics,
 * health, held and plan (a dry run that writes nothing) are read-only, open to every peer
 * the socket's mode lets in.
 */
bool g2d_ctl_cmd_mutating(enum g2d_ctl_cmd cmd);

/** Default and maximum for the "limit" argument of "results". */
#define G2D_CTL_RESULTS_DEFAULT 100
#define G2D_CTL_RESULTS_MAX 10000
/** IDs one approve/reject may name, and the longest scope or restore name. */
#define G2D_CTL_IDS_MAX 10000
#define G2D_CTL_NAME_MAX 4096
/** Largest threshold (seconds) the "health" arguments max_age / max_running accept. */
#define G2D_CTL_HEALTH_MAX_S (100LL * 365 * 86400)

struct g2d_ctl_request {
    int64_t id; /**< echoed in the reply; G2D_CTL_ID_NONE when absent/unread */
    enum g2d_ctl_cmd cmd;
    json_t *args; /**< owned (always an object after success); free with done() */
    /* Validated arguments. */
    bool wait;     /**< sync */
    bool full;     /**< sync */
    int64_t limit; /**< results: 1..G2D_CTL_RESULTS_MAX, default 100 */
    bool failed;   /**< results: only the items that did not succeed (failed or held) */
    int64_t cycle; /**< results: only this cycle's items (>= 1); 0 = every cycle */
    /** health: thresholds in seconds (1..G2D_CTL_HEALTH_MAX_S), -1 = the daemon's default */
    int64_t max_age_s, max_running_s;
    /** held, approve, reject: bits 1u << enum g2d_item_type ("type"), 0 = every type */
    unsigned types;
    const char *scope; /**< held, approve, reject: "db" or "db.table"; borrowed from args */
    json_t *ids;       /**< approve, reject: array of ID strings; borrowed from args */
    bool all;          /**< approve, reject: every held delete (with no other selector) */
    const char *name;  /**< restore: the object's name; borrowed from args */
    /** log-level: "trace", "debug", "info", "notice", "warning" or "err"; NULL = only tell.
     * Borrowed from args (lives as long as the request). */
    const char *level;
    /** On failure: the protocol error code for the reply (a G2D_CTL_E_* string). */
    const char *error_code;
};

/**
 * Parse one request line (without its line end). Validates: a JSON object; "v" an integer
 * equal to 1 (else code "version"); "id" an integer if present; "cmd" a known command
 * (else "unknown_command"); "args" an object if present whose keys are those of the
 * command with the right types (sync: wait, full booleans; results: limit integer 1..10000,
 * failed boolean, cycle integer >= 1; health: max_age, max_running integers
 * 1..G2D_CTL_HEALTH_MAX_S; log-level: level, one of trace, debug, info, notice, warning,
 * err; held: type, scope; approve and reject: type (database, table, partition,
 * function), scope (1..G2D_CTL_NAME_MAX bytes), ids (an array of at most
 * G2D_CTL_IDS_MAX strings of 1..16 hex digits), all (boolean), at least one of them, and
 * all with none of the others; restore: name (1..G2D_CTL_NAME_MAX bytes), type);
 * anything else is "bad_request". Duplicate keys are rejected.
 *
 * On failure @p out->id holds the id if it could be read (so the error reply can echo
 * it) and @p out->error_code says what to answer; @p out->args is NULL.
 * @return 0 or -EINVAL/-EPROTO/-ENOENT/-ENOMEM with @p err holding a one-line message
 */
int g2d_ctl_parse_request(const char *line, size_t len, struct g2d_ctl_request *out,
                          struct g2d_error *err);

/** Release what parse_request() allocated. Accepts NULL and a failed request. */
void g2d_ctl_request_done(struct g2d_ctl_request *req);

/* ---- Replies -------------------------------------------------------------------------- */

/**
 * Build a success reply line `{"v":1,"id":N,"ok":true,"result":...}\n`.
 * @param result stolen on every path (like jansson's *_new functions); NULL means {}
 * @return malloc'd NUL-terminated line ending in '\n' (free()), NULL on allocation failure
 */
char *g2d_ctl_reply_ok(int64_t id, json_t *result);

/**
 * Build an error reply line `{"v":1,"id":N,"ok":false,"error":{"code":..,"message":..}}\n`.
 * @return malloc'd line (free()), NULL on allocation failure
 */
char *g2d_ctl_reply_error(int64_t id, const char *code, const char *message);

/**
 * A JSON string from a C string that may not be valid UTF-8 (service messages, paths):
 * invalid bytes become '?'. @return new reference, NULL on allocation failure
 */
json_t *g2d_ctl_json_string(const char *s);

/* ---- Client side ---------------------------------------------------------------------- */

/**
 * Build a request line `{"v":1,"id":N,"cmd":..,"args":{..}}\n`.
 * @param args stolen on every path; NULL means {}
 * @return malloc'd line (free()), NULL on allocation failure
 */
char *g2d_ctl_request_format(int64_t id, const char *cmd, json_t *args);

struct g2d_ctl_reply {
    int64_t id; /**< G2D_CTL_ID_NONE when null */
    bool ok;
    json_t *root;        /**< the whole reply object, owned */
    json_t *result;      /**< borrowed from root when ok */
    const char *code;    /**< borrowed from root when !ok */
    const char *message; /**< borrowed from root when !ok */
};

/**
 * Parse one reply line. Checks v == 1, ok boolean, and result object or error object
 * with string code and message.
 * @return 0 or -EPROTO/-ENOMEM with @p err set
 */
int g2d_ctl_parse_reply(const char *line, size_t len, struct g2d_ctl_reply *out,
                        struct g2d_error *err);

/** Release a parsed reply. Accepts NULL. */
void g2d_ctl_reply_done(struct g2d_ctl_reply *rep);

#endif
