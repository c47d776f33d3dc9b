/* SPDX-License-Identifier: MIT */
/*
 * The results ring of glue2dlfd: the last N item result lines (the JSON lines of the result
 * log), kept in memory for `glue2dlfctl results`. The oldest line is evicted when full.
 */
#ifndef GLUE2DLFD_RESULTS_RING_H
#define GLUE2DLFD_RESULTS_RING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct results_ring {
    char **items; /**< formatted result lines (no newline), owned by the ring */
    size_t cap, start, count;
    uint64_t total; /**< pushed since start-up */
};

/** Allocate room for @p cap lines (0 counts as 1). The caller owns @p rr; free it with
 * results_ring_done(). @return 0 or -ENOMEM. */
int results_ring_init(struct results_ring *rr, size_t cap);

/** Copy @p len bytes of @p line in (the ring owns the copy; @p line is only read during the
 * call), evicting the oldest when full. @return 0 or -ENOMEM (the ring is unchanged). */
int results_ring_push(struct results_ring *rr, const char *line, size_t len);

/** @p i-th entry counting from the oldest held, NULL if out of range. Borrowed: owned by the
 * ring, valid until the next results_ring_push() or results_ring_done(). */
const char *results_ring_get(const struct results_ring *rr, size_t i);

/** Free every line and the slots; @p rr is zeroed. Accepts NULL and a zeroed ring. */
void results_ring_done(struct results_ring *rr);

/** Which entries "results" returns. */
struct results_filter {
    size_t limit;   /**< at most this many, the newest (0 counts as 1) */
    bool failed;    /**< only entries with "isSuccess": false (failed or held items) */
    uint64_t cycle; /**< only entries with this "cycleId"; 0 = any */
};

/**
 * Reply object for "results": {"items":[the last @p f->limit entries that match @p f,
 * oldest first, each parsed back to an object], "total": pushed since start-up}; with a
 * filter also "scanned": entries held and looked at. @p f is read during the call.
 * @return a new reference the caller owns (shares nothing with the ring), NULL on
 * allocation failure.
 */
json_t *results_ring_json(const struct results_ring *rr, const struct results_filter *f);

#endif
