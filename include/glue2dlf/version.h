/* SPDX-License-Identifier: MIT */
/**
 * @file version.h
 * The version of glue2dlf, printed by `glue2dlfd --version` and `glue2dlfctl --version` and
 * reported by the daemon's status.
 */
#ifndef GLUE2DLF_VERSION_H
#define GLUE2DLF_VERSION_H

#define G2D_VERSION "0.1.0"

#endif
