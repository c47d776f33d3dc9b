/* SPDX-License-Identifier: MIT */
/* The settings glue2dlfd fixes at start-up. See fixed_settings.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "glue2dlf/config_defaults.h"

#include "fixed_settings.h"

int fixed_settings_capture(struct fixed_settings *out, const struct g2d_config *cfg,
                           const char *socket_override)
{
    memset(out, 0, sizeof(*out));
    out->socket_path = strdup(socket_override       ? socket_override
                              : cfg->control_socket ? cfg->control_socket
                                                    : G2D_DEFAULT_CONTROL_SOCKET);
    if (!out->socket_path || g2d_config_copy_keys(&out->keys, cfg, G2D_KEY_RESTART) < 0) {
        fixed_settings_done(out);
        return -ENOMEM;
    }
    out->socket_override = socket_override != NULL;
    out->socket_mode = cfg->control_mode ? cfg->control_mode : G2D_DEFAULT_CONTROL_MODE;
    return 0;
}

/*
 * The restart decision of a reload: the keys flagged G2D_KEY_RESTART in the config key
 * table whose value differs from the start-up config's. Everything else is simply taken on
 * by the next cycle; among that, whether the DLF snapshot must be rebuilt (the keys flagged
 * G2D_KEY_REBUILD) is decided by the sync engine in g2d_sync_set_config().
 */
int fixed_settings_changes(const struct fixed_settings *in_effect, const struct g2d_config *next,
                           json_t *keys)
{
    struct g2d_config_change ch[G2D_CONFIG_MAX_KEYS];
    size_t n = g2d_config_changes(in_effect->keys, next, G2D_KEY_RESTART, ch, G2D_CONFIG_MAX_KEYS);

    for (size_t i = 0; i < n && i < G2D_CONFIG_MAX_KEYS; i++) {
        /* Under --socket the configured socket does not apply, so its change needs nothing. */
        if (in_effect->socket_override && !strcmp(ch[i].key, "control.socket"))
            continue;
        if (json_array_append_new(keys, json_string(ch[i].key)) < 0)
            return -ENOMEM;
    }
    return 0;
}

void fixed_settings_done(struct fixed_settings *fs)
{
    free(fs->socket_path);
    g2d_config_free(fs->keys);
    memset(fs, 0, sizeof(*fs));
}
