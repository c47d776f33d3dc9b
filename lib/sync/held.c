/* SPDX-License-Identifier: MIT */
/*
 * The engine's side of the registry of deletes a person decides on (state/held.h).
 *
 * Every delete candidate (an object of the snapshot that Glue did not list, below a
 * listing that completed) is looked up before the guards count it:
 *   - rejected: left alone, not counted, not reported;
 *   - approved: deleted, whatever the guards say (a person decided);
 *   - within deletes.grace_cycles: left alone and not counted, until it has been found
 *     missing in more than grace_cycles cycles in a row;
 *   - else the guards decide; what they hold is recorded (type, name, reason, first and
 *     last cycle that held it).
 * A record whose object is deleted from DLF is dropped (load.c calls held_forget), and so
 * is one of a database, table or function that Glue lists again (held_seen). After a
 * cycle that completed without a failure, the records no cycle step visited are dropped
 * too: the object is back in Glue, or gone from DLF, or out of scope — so a rejection
 * lasts while the object stays missing from Glue, and a grace count while it stays
 * missing in a row. A dry run reads the registry and changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/checkpoint.h"
#include "sync/engine.h"

bool held_active(const struct g2d_sync *s)
{
    return s->held.used > 0 || s->cycle_cfg->grace_cycles > 0;
}

/* Mark @p e as still a candidate; counts a missing cycle once per cycle. */
static void visit(struct g2d_sync *s, struct g2d_held *e)
{
    if (s->cur.dry_run || e->visited)
        return;
    e->visited = 1;
    e->missing++;
    e->last_cycle = s->cur.cycle_id;
    e->last_ms = s->cur.started_ms;
}

enum held_verdict held_check(struct g2d_sync *s, unsigned type, const char *name)
{
    unsigned grace = s->cycle_cfg->grace_cycles;
    struct g2d_held *e;
    uint32_t missing;

    if (!held_active(s))
        return HV_GUARD;
    e = g2d_held_get(&s->held, type, name);
    if (!e && grace && !s->cur.dry_run && (e = g2d_held_put(&s->held, type, name))) {
        e->first_cycle = s->cur.cycle_id;
        e->first_ms = s->cur.started_ms;
    }
    if (!e)
        return grace ? HV_SKIP : HV_GUARD;       /* a dry run: as if just found missing */
    missing = e->missing + (e->visited ? 0 : 1); /* this cycle included */
    visit(s, e);
    switch (e->state) {
    case G2D_HELD_REJECTED:
        return HV_SKIP;
    case G2D_HELD_APPROVED:
        return HV_APPROVED;
    case G2D_HELD_GRACE:
        return missing <= grace ? HV_SKIP : HV_GUARD;
    default:
        return HV_GUARD;
    }
}

enum held_verdict held_decided(struct g2d_sync *s, unsigned type, const char *name)
{
    struct g2d_held *e = s->held.used ? g2d_held_get(&s->held, type, name) : NULL;

    if (!e || (e->state != G2D_HELD_APPROVED && e->state != G2D_HELD_REJECTED))
        return HV_GUARD;
    visit(s, e);
    return e->state == G2D_HELD_APPROVED ? HV_APPROVED : HV_SKIP;
}

void held_register(struct g2d_sync *s, unsigned type, const char *name, unsigned reason,
                   char *idbuf)
{
    struct g2d_held *e;

    idbuf[0] = '\0';
    if (s->cur.dry_run) {
        g2d_held_id_format(g2d_held_id(type, name), idbuf);
        return;
    }
    if (!(e = g2d_held_put(&s->held, type, name))) {
        if (!s->held_full_noted++)
            sync_note(s, "the registry of held deletes is full (or out of memory): some "
                         "held deletes are not listed by `glue2dlfctl held`");
        return;
    }
    if (e->state == G2D_HELD_GRACE) {
        e->state = G2D_HELD_HELD;
        e->first_cycle = s->cur.cycle_id;
        e->first_ms = s->cur.started_ms;
    }
    e->reason = (uint8_t)reason;
    visit(s, e);
    g2d_held_id_format(e->id, idbuf);
}

void held_seen(struct g2d_sync *s, unsigned type, const char *name)
{
    struct g2d_held *e;

    if (!s->held.used || s->cur.dry_run || !(e = g2d_held_get(&s->held, type, name)))
        return;
    if (e->reason != G2D_HELD_R_KEY_CHANGE) /* a key change is about a table Glue has */
        g2d_held_del_entry(&s->held, e);
}

void held_forget(struct g2d_sync *s, unsigned type, const char *name)
{
    if (s->held.used)
        g2d_held_del(&s->held, type, name);
}

void held_cycle_start(struct g2d_sync *s)
{
    g2d_heldset_unvisit(&s->held);
}

void held_cycle_end(struct g2d_sync *s)
{
    if (s->cur.dry_run || s->cancelling || s->cur.status != 0 || s->cur.failed != 0 ||
        s->phase != G2D_PHASE_LOAD || s->del_stage != 3)
        return;
    (void)g2d_heldset_prune(&s->held);
}

/* ---- the public API ------------------------------------------------------------------ */

static bool matches(const struct g2d_held *e, const struct g2d_held_filter *f)
{
    size_t i;

    if (e->state == G2D_HELD_GRACE)
        return false;
    if (f->types && !(f->types & (1u << e->type)))
        return false;
    if (!g2d_held_in_scope(e->name, f->scope))
        return false;
    if (!f->nids)
        return true;
    for (i = 0; i < f->nids; i++)
        if (f->ids[i] == e->id)
            return true;
    return false;
}

static void view_of(const struct g2d_held *e, struct g2d_held_view *v)
{
    v->id = e->id;
    v->type = (enum g2d_item_type)e->type;
    v->name = e->name;
    v->state = g2d_held_state_name(e->state);
    v->reason = g2d_held_reason_name(e->reason);
    v->first_cycle = e->first_cycle;
    v->last_cycle = e->last_cycle;
    v->first_ms = e->first_ms;
    v->last_ms = e->last_ms;
}

size_t g2d_sync_held_list(struct g2d_sync *s, const struct g2d_held_filter *f, g2d_held_cb cb,
                          void *arg)
{
    struct g2d_held_view v;
    struct g2d_held *e;
    size_t pos = 0, n = 0;

    while ((e = g2d_held_next(&s->held, &pos))) {
        if (!matches(e, f))
            continue;
        n++;
        if (cb) {
            view_of(e, &v);
            cb(&v, arg);
        }
    }
    return n;
}

int g2d_sync_held_decide(struct g2d_sync *s, const struct g2d_held_filter *f, bool approve,
                         g2d_held_cb cb, void *arg, uint64_t *unknown)
{
    struct g2d_held_view v;
    struct g2d_held *e;
    size_t pos = 0, i;

    for (i = 0; i < f->nids; i++) {
        e = g2d_held_find_id(&s->held, f->ids[i]);
        if (!e || !matches(e, f)) {
            *unknown = f->ids[i];
            return -ENOENT; /* nothing changed */
        }
    }
    while ((e = g2d_held_next(&s->held, &pos))) {
        if (!matches(e, f))
            continue;
        e->state = approve ? G2D_HELD_APPROVED : G2D_HELD_REJECTED;
        if (cb) {
            view_of(e, &v);
            cb(&v, arg);
        }
    }
    if (!s->running)
        sync_checkpoint_now(s); /* a decision survives a restart from now on */
    return 0;
}
