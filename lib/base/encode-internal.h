/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/: fallible variants of the encode.h helpers whose public form returns void.
 */
#ifndef GLUE2DLF_ENCODE_INTERNAL_H
#define GLUE2DLF_ENCODE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* SHA-256 of @p n bytes into @p out. @return 0, or -EIO if OpenSSL failed. */
int encode__sha256(const void *in, size_t n, uint8_t out[32]);

#endif
