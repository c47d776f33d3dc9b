/* SPDX-License-Identifier: MIT */
/*
 * The typed evaluator of a parsed expression, in SQL three-valued logic (see
 * expr_internal.h): each leaf casts the stored value to its key's type class and compares
 * it with the pre-cast literal.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scope/expr_internal.h"

struct ev {
    const struct g2d_expr *e;
    const struct g2d_expr_key *keys;
    size_t nkeys;
    const char *const *values; /* NULL: static check only */
    struct g2d_error *err;
    int code;
};

static void ev_fail(struct ev *ev, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the leftmost error of the most severe class (-EINVAL before -ERANGE). */
static void ev_fail(struct ev *ev, int code, const char *fmt, ...)
{
    char msg[G2D_ERRMSG_MAX];
    va_list ap;

    if (ev->code == -EINVAL || ev->code == code)
        return;
    ev->code = code;
    if (!ev->err)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    g2d_error_set(ev->err, code, "expression: %s", msg);
    g2d__expr_msg_sanitize(ev->err);
}

static bool lit_ok(const struct lit *l, int tc)
{
    switch (tc) {
    case TC_STRING:
        return true;
    case TC_INT:
        return l->int_ok;
    case TC_DEC:
        return l->dec_ok;
    case TC_DATE:
        return l->date_ok;
    case TC_TS:
        return l->ts_ok;
    default:
        return false;
    }
}

static bool cast_value(const char *s, int tc, struct val *v)
{
    v->s = s;
    switch (tc) {
    case TC_STRING:
        return true;
    case TC_INT:
        return g2d__expr_parse_int(s, &v->i);
    case TC_DEC:
        return g2d__expr_parse_dec(s, &v->d);
    case TC_DATE:
        return g2d__expr_parse_date(s, &v->days);
    case TC_TS:
        return g2d__expr_parse_ts(s, &v->ts);
    default:
        return false;
    }
}

/*
 * Compares a value with a literal already known castable to tc. Glue casts the literal to
 * the key's type: on string-like keys a numeric literal compares as the text it was
 * written with (the config loader admits numbers only in their plain form, so that text
 * is the number's one spelling): the legacy filter `dt>=20220101` against a string key
 * `dt` is a comparison of strings with "20220101", in Java's order (Glue is a Java
 * service), see g2d__expr_str_cmp().
 */
static int cmp_typed(int tc, const struct val *v, const struct lit *l)
{
    int r;

    switch (tc) {
    case TC_INT:
        return (v->i > l->i) - (v->i < l->i);
    case TC_DEC:
        return g2d__expr_dec_cmp(&v->d, &l->d);
    case TC_DATE:
        return (v->days > l->days) - (v->days < l->days);
    case TC_TS:
        if (v->ts.sec != l->ts.sec)
            return v->ts.sec < l->ts.sec ? -1 : 1;
        return (v->ts.ns > l->ts.ns) - (v->ts.ns < l->ts.ns);
    default:
        r = g2d__expr_str_cmp(v->s, l->text);
        return (r > 0) - (r < 0);
    }
}

static bool op_holds(int op, int r)
{
    switch (op) {
    case OP_EQ:
        return r == 0;
    case OP_NE:
        return r != 0;
    case OP_LT:
        return r < 0;
    case OP_LE:
        return r <= 0;
    case OP_GT:
        return r > 0;
    default:
        return r >= 0;
    }
}

static const char *utf8_next(const char *s)
{
    s++;
    while (((unsigned char)*s & 0xc0) == 0x80)
        s++;
    return s;
}

/*
 * SQL LIKE over the whole string: % any run, _ one character (a UTF-8 sequence), and a
 * backslash before %, _ or \ makes that character literal; any other byte matches itself.
 * Greedy with one backtrack point, so O(len(s) * len(pat)) without recursion.
 */
static bool like_match(const char *s, const char *pat)
{
    const char *p = pat, *star_p = NULL, *star_s = NULL;

    while (*s) {
        if (*p == '%') {
            while (*p == '%')
                p++;
            star_p = p;
            star_s = s;
            continue;
        }
        if (*p == '_') {
            s = utf8_next(s);
            p++;
            continue;
        }
        if (*p) {
            char c = *p;
            int plen = 1;

            if (c == '\\' && (p[1] == '%' || p[1] == '_' || p[1] == '\\')) {
                c = p[1];
                plen = 2;
            }
            if (*s == c) {
                s++;
                p += plen;
                continue;
            }
        }
        if (!star_p)
            return false;
        star_s = utf8_next(star_s);
        s = star_s;
        p = star_p;
    }
    while (*p == '%')
        p++;
    return *p == '\0';
}

static int find_key(const struct ev *ev, const char *name)
{
    size_t i;

    for (i = 0; i < ev->nkeys; i++)
        if (ev->keys[i].name && strcasecmp(ev->keys[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int eval_leaf(struct ev *ev, const struct node *n)
{
    const struct lit *lits = ev->e->lits + n->lit;
    const char *type, *s;
    struct val v;
    uint32_t i;
    bool hit = false;
    int ki, tc;

    ki = find_key(ev, n->key);
    if (ki < 0) {
        ev_fail(ev, -EINVAL, "unknown partition key '%.64s' at offset %u", n->key, n->off);
        return TV_UNKNOWN;
    }
    type = ev->keys[ki].type ? ev->keys[ki].type : "(none)";
    tc = g2d__expr_classify(type);
    if (tc == TC_BAD) {
        ev_fail(ev, -EINVAL, "unsupported partition key type '%.64s' (key '%.64s') at offset %u",
                type, n->key, n->off);
        return TV_UNKNOWN;
    }
    if (n->kind == ND_LIKE && tc != TC_STRING) {
        ev_fail(ev, -EINVAL,
                "%s data type doesn't support operation 'LIKE' (key '%.64s' is %.64s) at offset %u",
                g2d__expr_class_family(tc), n->key, type, n->off);
        return TV_UNKNOWN;
    }
    for (i = 0; i < n->nlit; i++) {
        if (!lit_ok(&lits[i], tc)) {
            ev_fail(ev, -EINVAL,
                    "literal '%.64s' cannot be cast to %.64s (key '%.64s') at offset %u",
                    lits[i].text, type, n->key, lits[i].off);
            return TV_UNKNOWN;
        }
    }
    if (!ev->values)
        return TV_UNKNOWN;
    s = ev->values[ki];
    if (!s) {
        if (n->kind == ND_ISNULL)
            return n->neg ? TV_FALSE : TV_TRUE;
        return TV_UNKNOWN;
    }
    if (n->kind == ND_ISNULL)
        return n->neg ? TV_TRUE : TV_FALSE;
    if (!cast_value(s, tc, &v)) {
        ev_fail(ev, -ERANGE, "partition value '%.64s' of key '%.64s' cannot be cast to %.64s", s,
                n->key, type);
        return TV_UNKNOWN;
    }
    switch (n->kind) {
    case ND_CMP:
        return op_holds(n->op, cmp_typed(tc, &v, &lits[0]));
    case ND_IN:
        for (i = 0; i < n->nlit && !hit; i++)
            hit = cmp_typed(tc, &v, &lits[i]) == 0;
        break;
    case ND_BETWEEN:
        hit = cmp_typed(tc, &v, &lits[0]) >= 0 && cmp_typed(tc, &v, &lits[1]) <= 0;
        break;
    default: /* ND_LIKE */
        hit = like_match(s, lits[0].text);
        break;
    }
    return hit != n->neg;
}

static int eval_node(struct ev *ev, int32_t idx)
{
    const struct node *n = &ev->e->nodes[idx];
    int32_t c;
    int r, v;

    switch (n->kind) {
    case ND_AND:
        r = TV_TRUE;
        for (c = n->child; c >= 0; c = ev->e->nodes[c].next) {
            v = eval_node(ev, c);
            if (v == TV_FALSE)
                r = TV_FALSE;
            else if (v == TV_UNKNOWN && r == TV_TRUE)
                r = TV_UNKNOWN;
        }
        return r;
    case ND_OR:
        r = TV_FALSE;
        for (c = n->child; c >= 0; c = ev->e->nodes[c].next) {
            v = eval_node(ev, c);
            if (v == TV_TRUE)
                r = TV_TRUE;
            else if (v == TV_UNKNOWN && r == TV_FALSE)
                r = TV_UNKNOWN;
        }
        return r;
    case ND_NOT:
        v = eval_node(ev, n->child);
        return v == TV_UNKNOWN ? TV_UNKNOWN : !v;
    default:
        return eval_leaf(ev, n);
    }
}

int g2d_expr_check(const struct g2d_expr *e, const struct g2d_expr_key *keys, size_t nkeys,
                   struct g2d_error *err)
{
    struct ev ev = {e, keys, nkeys, NULL, err, 0};

    if (!e || (nkeys && !keys))
        return g2d_error_set(err, -EINVAL, "expression: no expression or keys");
    eval_node(&ev, e->root);
    return ev.code;
}

int g2d_expr_eval(const struct g2d_expr *e, const struct g2d_expr_key *keys, size_t nkeys,
                  const char *const *values, struct g2d_error *err)
{
    struct ev ev = {e, keys, nkeys, values, err, 0};
    int r;

    if (!e || (nkeys && (!keys || !values)))
        return g2d_error_set(err, -EINVAL, "expression: no expression, keys or values");
    r = eval_node(&ev, e->root);
    if (ev.code)
        return ev.code;
    return r == TV_TRUE;
}
