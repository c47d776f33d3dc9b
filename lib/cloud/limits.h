/* SPDX-License-Identifier: MIT */
/* Internal: limits learned from the services' refusals. */
#ifndef G2D_LIB_CLOUD_LIMITS_H
#define G2D_LIB_CLOUD_LIMITS_H

#include <stdbool.h>

/*
 * Is this refusal (service @p code and @p message) of a request of @p current items, or of
 * page size @p current, a "too large"? @return the size to use instead (the limit the
 * message names when it names one below @p current, else half), or 0 when the refusal is
 * about something else.
 */
unsigned g2d_limit_from_error(const char *code, const char *message, unsigned current);

#endif
