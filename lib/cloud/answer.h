/* SPDX-License-Identifier: MIT */
/* Internal: shape checks of answers shared by the Glue and DLF operation clients. */
#ifndef G2D_LIB_CLOUD_ANSWER_H
#define G2D_LIB_CLOUD_ANSWER_H

#include <stddef.h>

#include "cloud/client.h"

/*
 * A listing page: res->json must be an object whose @p member is an array of objects and
 * whose @p token_member, when present, is a string or null. Sets res->list and
 * res->next_token (borrowed from res->json; NULL when the token is absent, null or "").
 * @return 0, or -1 with the reason in @p msg.
 */
int g2d_answer_list(struct g2d_api_result *res, const char *member, const char *token_member,
                    char *msg, size_t msgsz);

/* DLF's envelope: an object with Success exactly true. @return 0, or -1 (reason in msg). */
int g2d_answer_dlf_envelope(struct g2d_api_result *res, char *msg, size_t msgsz);

#endif
