/* SPDX-License-Identifier: MIT */
/*
 * One paged-listing helper for every listing of both sides: the next page's token, the
 * page count, the end of a listing, and the reads in flight (so that cancel stops them).
 * A listing whose service repeats its token, or never stops, ends as failed: it never
 * counts as complete, so nothing is deleted below it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sync/engine.h"

static void rd_unlink(struct g2d_sync *s, struct rd *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        s->reads = r->next;
    if (r->next)
        r->next->prev = r->prev;
    s->nreads--;
}

static void rd_done(const struct g2d_api_result *res, void *arg)
{
    struct rd *r = arg;
    struct g2d_sync *s = r->s;

    rd_unlink(s, r);
    if (!s->cancelling)
        r->cb(s, res, r->arg);
    free(r);
    /* Always: the last read to land may belong to a unit that has already finished (a
     * segment of a table whose other segment failed), and then nothing else would notice
     * that the cycle can move on. */
    sync_poke(s);
}

static struct rd *rd_link(struct g2d_sync *s, listing_cb cb, void *arg)
{
    struct rd *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->s = s;
    r->cb = cb;
    r->arg = arg;
    r->next = s->reads;
    if (s->reads)
        s->reads->prev = r;
    s->reads = r;
    s->nreads++;
    return r;
}

int listing_read(struct g2d_sync *s, struct listing *l, struct g2d_list_req *req, listing_cb cb,
                 void *arg)
{
    struct rd *r = rd_link(s, cb, arg);
    int rc;

    if (!r)
        return -ENOMEM;
    req->what = l->what;
    req->token = l->token;
    rc = s->client.ops->list(s->client.ctx, req, rd_done, r, &r->req);
    if (rc < 0) {
        rd_unlink(s, r);
        free(r);
    }
    return rc;
}

int catalog_read(struct g2d_sync *s, listing_cb cb, void *arg)
{
    struct rd *r = rd_link(s, cb, arg);
    int rc;

    if (!r)
        return -ENOMEM;
    rc = s->client.ops->get_catalog(s->client.ctx, rd_done, r, &r->req);
    if (rc < 0) {
        rd_unlink(s, r);
        free(r);
    }
    return rc;
}

enum listing_next listing_advance(struct listing *l, const char *next_token)
{
    char *copy;

    if (!next_token || !*next_token) {
        l->listed = true;
        return LISTING_DONE;
    }
    if ((l->token && strcmp(l->token, next_token) == 0) || ++l->pages >= MAX_PAGES) {
        l->failed = true; /* a service repeating its token would loop forever */
        return LISTING_ENDLESS;
    }
    copy = strdup(next_token);
    if (!copy) {
        l->failed = true;
        return LISTING_NOMEM;
    }
    free(l->token);
    l->token = copy;
    return LISTING_MORE;
}

void listing_done(struct listing *l)
{
    free(l->token);
    l->token = NULL;
}

void listing_cancel_all(struct g2d_sync *s)
{
    while (s->reads) {
        struct g2d_http_req *req = s->reads->req;

        s->client.ops->cancel(s->client.ctx, req); /* rd_done unlinks it */
    }
}
