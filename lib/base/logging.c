/* SPDX-License-Identifier: MIT */
/* The library's log hook (include/glue2dlf/logging.h). */
#include <stdarg.h>
#include <stdio.h>

#include "glue2dlf/logging.h"

_Atomic int g2d__log_level = -1; /* nothing until a program installs a hook */
static _Atomic(g2d_log_fn) hook;

void g2d_log_set(g2d_log_fn fn, int level)
{
    atomic_store(&hook, fn);
    atomic_store(&g2d__log_level, fn ? level : -1);
}

void g2d_log_set_level(int level)
{
    if (atomic_load(&hook))
        atomic_store(&g2d__log_level, level);
}

void g2d_logf(int prio, const char *message_id, const struct g2d_log_field *fields, size_t nfields,
              const char *fmt, ...)
{
    g2d_log_fn fn = atomic_load(&hook);
    char msg[1024];
    va_list ap;

    if (!fn || !g2d_log_on(prio))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fn(prio, message_id, fields, nfields, msg);
}
