/* SPDX-License-Identifier: MIT */
/*
 * The settings glue2dlfd fixes at start-up: the control socket, the log target and the
 * HTTP engine's options. A reload cannot change them; it can only tell which changed, so
 * that the reply and the journal say a restart is needed.
 */
#ifndef GLUE2DLFD_FIXED_SETTINGS_H
#define GLUE2DLFD_FIXED_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "glue2dlf/config.h"

/** Settings as in effect since start-up. Strings are owned copies. */
struct fixed_settings {
    char *socket_path;    /**< the socket in use (--socket, config, or the default) */
    bool socket_override; /**< --socket was given: the config's value does not apply */
    mode_t socket_mode;
    enum g2d_log_target log_target;
    char *ca_file; /**< NULL = the system store */
    uint64_t connect_timeout_ms, request_timeout_ms;
    size_t max_response_bytes;
    unsigned max_attempts;
};

/** Where the control socket goes when neither --socket nor the config names one. */
#define FIXED_SETTINGS_DEFAULT_SOCKET "/run/glue2dlf/control.sock"

/**
 * Record what @p cfg (and @p socket_override, NULL when --socket was not given) put in
 * effect. Both are only read during the call. @p out is owned by the caller; free it with
 * fixed_settings_done(). @return 0 or -ENOMEM (@p out then holds nothing to free).
 */
int fixed_settings_capture(struct fixed_settings *out, const struct g2d_config *cfg,
                           const char *socket_override);

/**
 * Which of the fixed settings @p next (a reloaded config, read during the call only)
 * would change: appends their configuration key names ("control_socket", "http.timeout"...)
 * to the JSON array @p keys, which the caller owns. @return 0 or -ENOMEM.
 */
int fixed_settings_changes(const struct fixed_settings *in_effect, const struct g2d_config *next,
                           json_t *keys);

/** Free the owned strings; @p fs is zeroed. Accepts a zeroed struct. */
void fixed_settings_done(struct fixed_settings *fs);

#endif
