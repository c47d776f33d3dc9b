/* SPDX-License-Identifier: MIT */
/*
 * Internal: "a bad answer is never believed" (issue 17). Every answer of Glue and DLF is
 * checked against its operation's response shape before the daemon acts on it: a list
 * member missing, null, of the wrong type or given twice, an element of the wrong type,
 * an error document sent with HTTP 200, a DLF answer without Success. One table of shapes
 * (check.c) serves two checkers that run the very same judging code: one over a jansson
 * DOM, one straight over the bytes with the structural scanner (glue2dlf/jscan.h), for
 * pages too large to parse (GetPartitions).
 */
#ifndef G2D_LIB_CLOUD_CHECK_H
#define G2D_LIB_CLOUD_CHECK_H

#include <jansson.h>
#include <stddef.h>

#include "glue2dlf/error.h"

#include "cloud/cloud.h"

/** The response shape of one operation (opaque; static, never freed). */
struct g2d_check_shape;

/**
 * What a service said in an error document: its error code (Glue's sanitised __type, DLF's
 * Code) and message. Filled only when a checker returns -EIO; both "" otherwise.
 */
struct g2d_check_fault {
    char code[128];
    char message[512];
};

/**
 * The shape of @p op (Glue operation name, e.g. "GetTables", or DLF action, e.g.
 * "ListTables") on @p side. @return a static shape, or NULL for an operation not in the
 * table (the caller decides; the daemon uses none).
 */
const struct g2d_check_shape *g2d_check_shape(enum g2d_side side, const char *op);

/** The number of shapes in the table, and the @p i th of them (NULL past the end). */
size_t g2d_check_nshapes(void);
const struct g2d_check_shape *g2d_check_shape_at(size_t i);

/** The operation name of @p shape (static). */
const char *g2d_check_shape_name(const struct g2d_check_shape *shape);

/**
 * Check the parsed answer @p body (borrowed; parse it with JSON_REJECT_DUPLICATES so that
 * a member given twice never reaches here) against @p shape.
 * @return 0 when it may be believed; -EIO when it is an error document sent as a success
 *   (Glue __type, DLF Success:false, a DLF gateway body with Code and no Success): @p fault
 *   (may be NULL) gets the service's code and message, @p err "<op>: service error <code>:
 *   <message>"; -EPROTO when it does not fit the shape (a malformed answer, worth a retry):
 *   @p err names the operation, the member and what was wrong, e.g. "GetTables: member
 *   'TableList' missing".
 */
int g2d_check_json(const struct g2d_check_shape *shape, const json_t *body,
                   struct g2d_check_fault *fault, struct g2d_error *err);

/** One element of the list member of a raw answer, handed to a g2d_check_elem_cb. */
struct g2d_check_elem {
    size_t index;    /* its position in the list */
    const char *p;   /* its bytes (an object), inside the body */
    size_t n;        /* their length */
    const char *key; /* the bytes of its identity member's value (GetPartitions: Values, an
                        array of strings), inside the body */
    size_t keyn;
};

/**
 * Called for each element of the list member, in order, once the top-level members have
 * been found good. A non-zero return stops the check and is returned.
 */
typedef int (*g2d_check_elem_cb)(const struct g2d_check_elem *e, void *arg);

/** What a raw check hands back besides the elements. */
struct g2d_check_page {
    const char *token; /* the raw JSON value of NextToken / NextPageToken (a string or null),
                          inside the body; NULL when absent */
    size_t token_len;
    size_t nelems; /* elements in the list member */
};

/**
 * Check the raw answer @p body of @p len bytes (borrowed; every pointer handed back points
 * into it) against @p shape, the same judgement as g2d_check_json() with the same
 * messages, without building a DOM: one pass over the top level (members, duplicates at
 * the top level, error documents), one over the list member calling @p cb (may be NULL)
 * for each element. Duplicate keys below the top level are not looked for here (they are
 * for the members the shape names inside elements: a repeated one is not seen, the first
 * counts). Scalars are checked for their kind by their first byte, not validated.
 * On failure, elements already handed to @p cb belong to an answer that is not believed:
 * the caller drops them. @p page (may be NULL) is filled on success.
 * @return 0, -EIO (error document), -EPROTO (malformed), or what @p cb returned.
 */
int g2d_check_raw(const struct g2d_check_shape *shape, const char *body, size_t len,
                  g2d_check_elem_cb cb, void *arg, struct g2d_check_page *page,
                  struct g2d_check_fault *fault, struct g2d_error *err);

/** Glue's __type may carry a namespace and a URL: "ns#Code:http://..." -> "Code" (into
 * @p out, always NUL-terminated). */
void g2d_glue_error_type(const char *t, char *out, size_t outsz);

#endif
