/* SPDX-License-Identifier: MIT */
/*
 * The settings glue2dlfd fixes at start-up: the keys the config key table flags
 * G2D_KEY_RESTART (the control socket and its mode, the log target, the HTTP engine's
 * options). A reload cannot change them; it can only tell which changed, so that the
 * reply and the journal say a restart is needed.
 */
#ifndef GLUE2DLFD_FIXED_SETTINGS_H
#define GLUE2DLFD_FIXED_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "glue2dlf/config.h"

/** Settings as in effect since start-up. */
struct fixed_settings {
    char *socket_path;    /**< the socket in use (--socket, config, or the default); owned */
    bool socket_override; /**< --socket was given: the config's value does not apply */
    mode_t socket_mode;
    struct g2d_config *keys; /**< the G2D_KEY_RESTART keys of the start-up config; owned */
};

/**
 * Record what @p cfg (and @p socket_override, NULL when --socket was not given) put in
 * effect. Both are only read during the call. @p out is owned by the caller; free it with
 * fixed_settings_done(). @return 0 or -ENOMEM (@p out then holds nothing to free).
 */
int fixed_settings_capture(struct fixed_settings *out, const struct g2d_config *cfg,
                           const char *socket_override);

/**
 * Which of the fixed settings @p next (a reloaded config, read during the call only)
 * would change: appends their configuration key names ("control.socket", "http.timeout"...,
 * in the order of glue2dlf.yaml) to the JSON array @p keys, which the caller owns.
 * @return 0 or -ENOMEM.
 */
int fixed_settings_changes(const struct fixed_settings *in_effect, const struct g2d_config *next,
                           json_t *keys);

/** Free the owned parts; @p fs is zeroed. Accepts a zeroed struct. */
void fixed_settings_done(struct fixed_settings *fs);

#endif
