/* SPDX-License-Identifier: MIT */
/* Log sink: journald (structured) or stderr (one line per message). See log.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "glue2dlf/logging.h"

#include "log.h"

#define LOG_MAX_FIELDS 24
#define LOG_MSG_MAX 4096

static bool use_journal;
static int threshold = LOG_INFO;

bool log_journal_stream_matches(const char *env, dev_t dev, ino_t ino)
{
    unsigned long long d, i;
    char *end;

    if (!env || !*env)
        return false;
    errno = 0;
    d = strtoull(env, &end, 10);
    if (errno || end == env || *end != ':')
        return false;
    env = end + 1;
    i = strtoull(env, &end, 10);
    if (errno || end == env || *end != '\0')
        return false;
    return (dev_t)d == dev && (ino_t)i == ino;
}

/* The library's messages (HTTP engine, cloud clients) come here. */
static void lib_hook(int prio, const char *mid, const struct g2d_log_field *fields, size_t n,
                     const char *msg)
{
    struct log_field f[LOG_MAX_FIELDS];

    if (n > LOG_MAX_FIELDS)
        n = LOG_MAX_FIELDS;
    for (size_t i = 0; i < n; i++) {
        f[i].name = fields[i].name;
        f[i].value = fields[i].value;
    }
    log_full(prio, "lib", 0, "", mid, f, n, "%s", msg);
}

void log_init(enum g2d_log_target target, int level)
{
    struct stat st;

    threshold = level;
    g2d_log_set(lib_hook, level);
    switch (target) {
    case G2D_LOG_JOURNAL:
        use_journal = true;
        break;
    case G2D_LOG_STDERR:
        use_journal = false;
        break;
    default:
        use_journal = fstat(STDERR_FILENO, &st) == 0 &&
                      log_journal_stream_matches(getenv("JOURNAL_STREAM"), st.st_dev, st.st_ino);
        break;
    }
}

void log_set_level(int level)
{
    threshold = level;
    g2d_log_set_level(level);
}

int log_get_level(void)
{
    return threshold;
}

int log_level_parse(const char *name)
{
    static const struct {
        const char *name;
        int prio;
    } v[] = {{"trace", G2D_LOG_TRACE}, {"debug", LOG_DEBUG},     {"info", LOG_INFO},
             {"notice", LOG_NOTICE},   {"warning", LOG_WARNING}, {"err", LOG_ERR}};

    for (size_t i = 0; name && i < sizeof(v) / sizeof(v[0]); i++)
        if (strcmp(name, v[i].name) == 0)
            return v[i].prio;
    return -1;
}

bool log_to_journal(void)
{
    return use_journal;
}

const char *log_prio_name(int prio)
{
    static const char *const names[] = {"emerg",   "alert",  "crit", "error",
                                        "warning", "notice", "info", "debug"};

    if (prio == G2D_LOG_TRACE)
        return "trace";
    if (prio < 0 || prio > LOG_DEBUG)
        return "debug";
    return names[prio];
}

static bool needs_quotes(const char *v)
{
    if (!*v)
        return true;
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;

        if (c <= ' ' || c == 0x7f || c == '\'' || c == '"' || c == '=' || c == '\\')
            return true;
    }
    return false;
}

/* Append @p s with control characters escaped; in @p quoted mode also ' and \. */
static int put_escaped(struct g2d_buf *out, const char *s, bool quoted)
{
    int r = 0;

    for (; *s && r == 0; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '\n')
            r = g2d_buf_puts(out, "\\n");
        else if (c == '\t')
            r = g2d_buf_puts(out, "\\t");
        else if (c == '\r')
            r = g2d_buf_puts(out, "\\r");
        else if (c < ' ' || c == 0x7f)
            r = g2d_buf_printf(out, "\\x%02x", c);
        else if (quoted && (c == '\'' || c == '\\'))
            r = g2d_buf_printf(out, "\\%c", c);
        else
            r = g2d_buf_putc(out, (char)c);
    }
    return r;
}

int log_format_line(struct g2d_buf *out, int prio, const char *msg, const struct log_field *fields,
                    size_t nfields)
{
    int r;

    r = g2d_buf_printf(out, "%s: ", log_prio_name(prio));
    if (r == 0)
        r = put_escaped(out, msg, false);
    for (size_t i = 0; i < nfields && r == 0; i++) {
        const char *name = fields[i].name, *v = fields[i].value;

        if (!name || !v)
            continue;
        if (strncmp(name, "GLUE2DLF_", 9) == 0)
            name += 9;
        r = g2d_buf_putc(out, ' ');
        for (; *name && r == 0; name++) {
            char c = *name;

            r = g2d_buf_putc(out, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
        }
        if (r == 0)
            r = g2d_buf_putc(out, '=');
        if (r == 0 && needs_quotes(v)) {
            r = g2d_buf_putc(out, '\'');
            if (r == 0)
                r = put_escaped(out, v, true);
            if (r == 0)
                r = g2d_buf_putc(out, '\'');
        } else if (r == 0) {
            r = g2d_buf_puts(out, v);
        }
    }
    if (r == 0)
        r = g2d_buf_putc(out, '\n');
    return r;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void send_journal(int prio, const char *file, int line, const char *func, const char *mid,
                         const struct log_field *fields, size_t nfields, const char *msg)
{
    struct iovec iov[LOG_MAX_FIELDS + 8];
    char *strs[LOG_MAX_FIELDS + 8];
    char code_file[512], code_line[32];
    int n = 0;

    if (nfields > LOG_MAX_FIELDS)
        nfields = LOG_MAX_FIELDS;
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (asprintf(&strs[n], __VA_ARGS__) >= 0) {                                                \
            iov[n].iov_base = strs[n];                                                             \
            iov[n].iov_len = strlen(strs[n]);                                                      \
            n++;                                                                                   \
        }                                                                                          \
    } while (0)
    ADD("MESSAGE=%s", msg);
    ADD("PRIORITY=%d", prio > LOG_DEBUG ? LOG_DEBUG : prio); /* trace is debug to journald */
    ADD("SYSLOG_IDENTIFIER=glue2dlfd");
    if (mid)
        ADD("MESSAGE_ID=%s", mid);
    for (size_t i = 0; i < nfields; i++) {
        if (fields[i].name && fields[i].value)
            ADD("%s=%s", fields[i].name, fields[i].value);
    }
#undef ADD
    snprintf(code_file, sizeof(code_file), "CODE_FILE=%s", file);
    snprintf(code_line, sizeof(code_line), "CODE_LINE=%d", line);
    (void)sd_journal_sendv_with_location(code_file, code_line, func, iov, n);
    for (int i = 0; i < n; i++)
        free(strs[i]);
}

void log_full(int prio, const char *file, int line, const char *func, const char *message_id,
              const struct log_field *fields, size_t nfields, const char *fmt, ...)
{
    char msg[LOG_MSG_MAX];
    va_list ap;
    int saved = errno;

    if (prio > threshold)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (use_journal) {
        send_journal(prio, file, line, func, message_id, fields, nfields, msg);
    } else {
        struct g2d_buf b;

        g2d_buf_init(&b, 64 * 1024);
        if (log_format_line(&b, prio, msg, fields, nfields) == 0)
            write_all(STDERR_FILENO, b.data, b.len);
        else
            write_all(STDERR_FILENO, "error: log message too long\n", 28);
        g2d_buf_done(&b);
    }
    errno = saved;
}
