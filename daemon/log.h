/* SPDX-License-Identifier: MIT */
/*
 * The daemon's log sink: journald with structured fields when stderr is connected to the
 * journal (or when configured so), plain one-line stderr messages otherwise
 * (shared/reference/c-style.md §15).
 *
 * Rules for callers: quote user-controlled strings in messages with single quotes, never
 * pass a secret, put identifiers of the object concerned in GLUE2DLF_* fields.
 */
#ifndef GLUE2DLFD_LOG_H
#define GLUE2DLFD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <syslog.h>

#include "glue2dlf/buf.h"
#include "glue2dlf/config.h"

/* Stable MESSAGE_IDs (from `systemd-id128 new`) for events worth a journal query. */
#define LOG_MID_CYCLE_FINISHED "d2687f0b68154c1f9476b6eee23781f9"
#define LOG_MID_CYCLE_FAILED "ecb6e5ef27e64b85ac6499d7709028c9"
#define LOG_MID_RELOAD_OK "c65f97cbef7544d18c94a51356cdd149"
#define LOG_MID_RELOAD_FAILED "2e170e07c2e54e6ca6f24d76227df3b2"
#define LOG_MID_STARTED "9be17251eee04e0f8aace0eb61a079bf"
#define LOG_MID_STOPPED "97a1905c03de4c11829ff9ecb640ec58"
#define LOG_MID_ITEMS_FAILED "18d14b5360824032bbddca06d1fde708"
#define LOG_MID_DELETES_HELD "b296613d0349468998556dfa2df1c47e"
#define LOG_MID_SNAPSHOT_REBUILT "fbea25c1416f426a82e512f1acc2edd5"
#define LOG_MID_LOG_LEVEL "0e65678b81844907b8a801586921a5b0"
/* The library's own (throttling storms, failed requests) are in glue2dlf/logging.h. */

/** One structured field: journal name (e.g. "GLUE2DLF_ITEM_NAME") and value. */
struct log_field {
    const char *name;
    const char *value;
};

/**
 * Choose the sink and the threshold (a syslog priority; messages above it are dropped).
 * G2D_LOG_AUTO picks journald when $JOURNAL_STREAM matches stderr. May be called again.
 */
void log_init(enum g2d_log_target target, int level);
void log_set_level(int level);
/** The threshold in force. */
int log_get_level(void);
/** "trace", "debug", "info", "notice", "warning", "err" -> priority; -1 if unknown. */
int log_level_parse(const char *name);
/** True when messages go to journald. */
bool log_to_journal(void);

void log_full(int prio, const char *file, int line, const char *func, const char *message_id,
              const struct log_field *fields, size_t nfields, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

#define log_at(prio, ...) log_full(prio, __FILE__, __LINE__, __func__, NULL, NULL, 0, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_at(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_at(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_at(LOG_ERR, __VA_ARGS__)
/** With a MESSAGE_ID (may be NULL) and structured fields. */
#define log_fields(prio, mid, fields, n, ...)                                                      \
    log_full(prio, __FILE__, __LINE__, __func__, mid, fields, n, __VA_ARGS__)

/* ---- Pure helpers (unit-tested) ------------------------------------------------------- */

/** "error", "warning", "info", ... for a syslog priority. */
const char *log_prio_name(int prio);

/**
 * Render a stderr line: `<prio-name>: <message> key=value ...\n`. Keys are the field names
 * lower-cased without the "GLUE2DLF_" prefix; values that are empty or contain spaces,
 * quotes, '=', '\\' or control characters are single-quoted with escapes; control
 * characters in the message are escaped so that one message is always one line.
 */
int log_format_line(struct g2d_buf *out, int prio, const char *msg, const struct log_field *fields,
                    size_t nfields);

/** True if $JOURNAL_STREAM (@p env, "dev:ino") names the file @p dev / @p ino. */
bool log_journal_stream_matches(const char *env, dev_t dev, ino_t ino);

#endif
