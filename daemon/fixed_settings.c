/* SPDX-License-Identifier: MIT */
/* The settings glue2dlfd fixes at start-up. See fixed_settings.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fixed_settings.h"

int fixed_settings_capture(struct fixed_settings *out, const struct g2d_config *cfg,
                           const char *socket_override)
{
    memset(out, 0, sizeof(*out));
    out->socket_path = strdup(socket_override       ? socket_override
                              : cfg->control_socket ? cfg->control_socket
                                                    : FIXED_SETTINGS_DEFAULT_SOCKET);
    out->ca_file = cfg->ca_file ? strdup(cfg->ca_file) : NULL;
    if (!out->socket_path || (cfg->ca_file && !out->ca_file)) {
        fixed_settings_done(out);
        return -ENOMEM;
    }
    out->socket_override = socket_override != NULL;
    out->socket_mode = cfg->control_mode ? cfg->control_mode : 0660;
    out->log_target = cfg->log_target;
    out->connect_timeout_ms = cfg->connect_timeout_ms;
    out->request_timeout_ms = cfg->request_timeout_ms;
    out->max_response_bytes = cfg->max_response_bytes;
    out->max_attempts = cfg->max_attempts;
    return 0;
}

static bool str_differs(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") != 0;
}

/*
 * THE restart decision of a reload, hand-listed: each setting the daemon fixed at start-up
 * (socket, log target, HTTP engine options) whose new value differs needs a restart to take
 * effect. Everything else in the configuration is simply taken on by the next cycle; among
 * that, whether the DLF snapshot must be rebuilt (scope, endpoint or catalog changed) is
 * decided by the sync engine in g2d_sync_set_config() (lib/sync/sync.c, same_scope()).
 * This list is meant to be replaced by the configuration's key table once it says, per
 * key, "needs a restart"; keep the key names as the configuration spells them.
 */
int fixed_settings_changes(const struct fixed_settings *in_effect, const struct g2d_config *next,
                           json_t *keys)
{
    const struct fixed_settings *e = in_effect;
    const char *changed[8];
    size_t n = 0;

    if (!e->socket_override && str_differs(next->control_socket, e->socket_path))
        changed[n++] = "control_socket";
    if ((next->control_mode & 0777) != (e->socket_mode & 0777))
        changed[n++] = "control_mode";
    if (next->log_target != e->log_target)
        changed[n++] = "log_target";
    if (str_differs(next->ca_file, e->ca_file))
        changed[n++] = "http.ca_file";
    if (next->connect_timeout_ms != e->connect_timeout_ms)
        changed[n++] = "http.connect_timeout";
    if (next->request_timeout_ms != e->request_timeout_ms)
        changed[n++] = "http.timeout";
    if (next->max_response_bytes != e->max_response_bytes)
        changed[n++] = "http.max_response_size";
    if (next->max_attempts != e->max_attempts)
        changed[n++] = "http.max_attempts";
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(keys, json_string(changed[i])) < 0)
            return -ENOMEM;
    return 0;
}

void fixed_settings_done(struct fixed_settings *fs)
{
    free(fs->socket_path);
    free(fs->ca_file);
    memset(fs, 0, sizeof(*fs));
}
