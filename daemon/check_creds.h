/* SPDX-License-Identifier: MIT */
/*
 * --check-credentials: fetch each side's credentials once, on a loop of its own, through
 * the HTTP engine, and say what came back (the source, the access key id, the expiry;
 * never a secret).
 */
#ifndef G2D_DAEMON_CHECK_CREDS_H
#define G2D_DAEMON_CHECK_CREDS_H

#include <stdio.h>

#include "glue2dlf/config.h"

/* @return 0 when both sides have credentials, else 2 (the reasons on @p err). */
int check_creds_online(const struct g2d_config *cfg, FILE *out, FILE *err);

#endif
