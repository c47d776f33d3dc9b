/* SPDX-License-Identifier: MIT */
/*
 * The recursive-descent parser of the Glue Expression language into the flat AST of
 * expr_internal.h: every allocation made once, from the token count, and every literal
 * pre-cast to each type it can take.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glue2dlf/utf8.h"
#include "scope/expr_internal.h"

struct parser {
    const char *text;
    const struct tok *toks;
    size_t pos;
    struct g2d_expr *e;
    uint32_t nnodes, nlits;
    size_t arena_used;
    int depth;
    struct g2d_error *err;
};

static const struct tok *cur(const struct parser *p)
{
    return &p->toks[p->pos];
}

static const struct tok *peek(const struct parser *p, size_t k)
{
    size_t i;

    /* Never look past the EOF token. */
    for (i = 0; i < k; i++)
        if (p->toks[p->pos + i].type == TK_EOF)
            return &p->toks[p->pos + i];
    return &p->toks[p->pos + k];
}

static bool is_kw(const struct tok *t, int kw)
{
    return t->type == TK_KW && t->sub == kw;
}

/* Describes a token for an error message. */
static void tok_desc(const struct parser *p, const struct tok *t, char *buf, size_t cap)
{
    if (t->type == TK_EOF)
        snprintf(buf, cap, "end of expression");
    else
        snprintf(buf, cap, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), p->text + t->off);
}

/*
 * Messages quote outside text (literals, keys, types, stored values) and may cut it short;
 * keep them one line of valid UTF-8 by turning control bytes and broken sequences into '?'.
 */
void g2d__expr_msg_sanitize(struct g2d_error *err)
{
    unsigned char *m, *end;
    size_t n;

    if (!err)
        return;
    end = (unsigned char *)err->msg + strlen(err->msg);
    for (m = (unsigned char *)err->msg; m < end; m += n) {
        n = *m < 0x80 ? 1 : g2d_utf8_seq(m, end);
        if (n == 0 || *m < 0x20 || *m == 0x7f) {
            *m = '?';
            n = 1;
        }
    }
}

static int perr(struct parser *p, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, uint32_t off, const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    g2d_error_set(p->err, -EINVAL, "expression: %s at offset %u", what, off);
    g2d__expr_msg_sanitize(p->err);
    return -EINVAL;
}

static int unexpected(struct parser *p, const char *expected)
{
    char d[64];

    tok_desc(p, cur(p), d, sizeof(d));
    return perr(p, cur(p)->off, "expected %s, found %s", expected, d);
}

static char *arena_put(struct parser *p, const char *s, size_t n)
{
    char *dst = p->e->arena + p->arena_used;

    memcpy(dst, s, n);
    dst[n] = '\0';
    p->arena_used += n + 1;
    return dst;
}

static int32_t new_node(struct parser *p, int kind, uint32_t off)
{
    struct node *nd = &p->e->nodes[p->nnodes];

    memset(nd, 0, sizeof(*nd));
    nd->kind = (uint8_t)kind;
    nd->off = off;
    nd->child = -1;
    nd->next = -1;
    return (int32_t)p->nnodes++;
}

static void precast(struct lit *l)
{
    l->int_ok = g2d__expr_parse_int(l->text, &l->i);
    l->dec_ok = g2d__expr_parse_dec(l->text, &l->d);
    l->date_ok = g2d__expr_parse_date(l->text, &l->days);
    l->ts_ok = g2d__expr_parse_ts(l->text, &l->ts);
}

/* A string or number literal at the cursor into the next literal slot. */
static int parse_lit(struct parser *p, bool string_only)
{
    const struct tok *t = cur(p);
    struct lit *l;

    if (t->type != TK_STR && (string_only || t->type != TK_NUM))
        return unexpected(p, string_only ? "a string literal" : "a literal");
    l = &p->e->lits[p->nlits++];
    memset(l, 0, sizeof(*l));
    l->off = t->off;
    if (t->type == TK_NUM) {
        l->is_num = true;
        l->text = arena_put(p, p->text + t->off, t->len);
    } else {
        const char *s = p->text + t->off + 1, *end = p->text + t->off + t->len - 1;
        char *dst = p->e->arena + p->arena_used;

        l->text = dst;
        while (s < end) {
            *dst++ = *s;
            s += *s == '\'' ? 2 : 1; /* '' inside the quotes stands for one quote */
        }
        *dst++ = '\0';
        p->arena_used = (size_t)(dst - p->e->arena);
    }
    precast(l);
    p->pos++;
    return 0;
}

static const char *ident_text(struct parser *p, const struct tok *t)
{
    if (t->quoted)
        return arena_put(p, p->text + t->off + 1, t->len - 2);
    return arena_put(p, p->text + t->off, t->len);
}

static bool starts_predicate(const struct tok *t)
{
    return t->type == TK_OP || is_kw(t, KW_NOT) || is_kw(t, KW_IN) || is_kw(t, KW_BETWEEN) ||
           is_kw(t, KW_LIKE) || is_kw(t, KW_IS);
}

/* What follows an identifier: comparison, [NOT] IN/BETWEEN/LIKE, IS [NOT] NULL. */
/* key <op> literal */
static int parse_cmp(struct parser *p, const struct tok *id, const char *key, int32_t *out)
{
    int32_t n = new_node(p, ND_CMP, id->off);
    struct node *nd = &p->e->nodes[n];

    nd->op = cur(p)->sub;
    nd->key = key;
    nd->lit = p->nlits;
    nd->nlit = 1;
    p->pos++;
    if (cur(p)->type == TK_IDENT)
        return perr(p, cur(p)->off, "comparison of two partition keys is not supported");
    *out = n;
    return parse_lit(p, false);
}

/* key IS [NOT] NULL, after IS */
static int parse_isnull(struct parser *p, const struct tok *id, const char *key, int32_t *out)
{
    bool neg = false;
    int32_t n;

    if (is_kw(cur(p), KW_NOT)) {
        neg = true;
        p->pos++;
    }
    if (!is_kw(cur(p), KW_NULL))
        return unexpected(p, "NULL");
    p->pos++;
    n = new_node(p, ND_ISNULL, id->off);
    p->e->nodes[n].neg = neg;
    p->e->nodes[n].key = key;
    *out = n;
    return 0;
}

/* The literals of IN (...), after IN. */
static int parse_in_list(struct parser *p)
{
    int r;

    if (cur(p)->type != TK_LP)
        return unexpected(p, "'(' after IN");
    p->pos++;
    for (;;) {
        r = parse_lit(p, false);
        if (r < 0)
            return r;
        if (cur(p)->type == TK_RP)
            break;
        if (cur(p)->type != TK_COMMA)
            return unexpected(p, "',' or ')' in the IN list");
        p->pos++;
    }
    p->pos++;
    return 0;
}

/* The literals of BETWEEN x AND y, after BETWEEN. */
static int parse_between(struct parser *p)
{
    int r = parse_lit(p, false);

    if (r < 0)
        return r;
    if (!is_kw(cur(p), KW_AND))
        return unexpected(p, "AND in BETWEEN");
    p->pos++;
    return parse_lit(p, false);
}

static int parse_predicate(struct parser *p, const struct tok *id, int32_t *out)
{
    const char *key = ident_text(p, id);
    const struct tok *t = cur(p);
    struct node *nd;
    int32_t n;
    bool neg = false;
    int kind, r;

    if (t->type == TK_OP)
        return parse_cmp(p, id, key, out);
    if (is_kw(t, KW_IS)) {
        p->pos++;
        return parse_isnull(p, id, key, out);
    }
    if (is_kw(t, KW_NOT)) {
        neg = true;
        p->pos++;
        t = cur(p);
        if (!is_kw(t, KW_IN) && !is_kw(t, KW_BETWEEN) && !is_kw(t, KW_LIKE))
            return unexpected(p, "IN, BETWEEN or LIKE after NOT");
    }
    if (!is_kw(t, KW_IN) && !is_kw(t, KW_BETWEEN) && !is_kw(t, KW_LIKE)) {
        char d[64];

        p->pos++;
        tok_desc(p, t, d, sizeof(d));
        return perr(p, t->off, "expected an operator after '%s', found %s", key, d);
    }
    p->pos++;
    kind = is_kw(t, KW_IN) ? ND_IN : is_kw(t, KW_BETWEEN) ? ND_BETWEEN : ND_LIKE;
    n = new_node(p, kind, id->off);
    p->e->nodes[n].lit = p->nlits;
    r = kind == ND_IN        ? parse_in_list(p)
        : kind == ND_BETWEEN ? parse_between(p)
                             : parse_lit(p, true);
    if (r < 0)
        return r;
    nd = &p->e->nodes[n];
    nd->key = key;
    nd->neg = neg;
    nd->nlit = p->nlits - nd->lit;
    *out = n;
    return 0;
}

static int parse_or(struct parser *p, int32_t *out);

/* `literal op key` (and `literal op (key)`): stored as `key op' literal`. */
static int parse_flipped(struct parser *p, int32_t *out)
{
    static const uint8_t flip[] = {OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE};
    uint32_t lit = p->nlits;
    const struct tok *op, *id;
    int32_t n;
    int r;

    r = parse_lit(p, false);
    if (r < 0)
        return r;
    op = cur(p);
    if (op->type != TK_OP)
        return unexpected(p, "a comparison operator after the literal");
    p->pos++;
    if (cur(p)->type == TK_LP && peek(p, 1)->type == TK_IDENT && peek(p, 2)->type == TK_RP) {
        id = peek(p, 1);
        p->pos += 3;
    } else if (cur(p)->type == TK_IDENT) {
        id = cur(p);
        p->pos++;
    } else if (cur(p)->type == TK_STR || cur(p)->type == TK_NUM) {
        return perr(p, cur(p)->off, "comparison of two literals is not supported");
    } else {
        return unexpected(p, "a partition key");
    }
    n = new_node(p, ND_CMP, id->off);
    p->e->nodes[n].op = flip[op->sub];
    p->e->nodes[n].key = ident_text(p, id);
    p->e->nodes[n].lit = lit;
    p->e->nodes[n].nlit = 1;
    *out = n;
    return 0;
}

static int parse_primary(struct parser *p, int32_t *out)
{
    const struct tok *t = cur(p);
    int r;

    if (t->type == TK_LP) {
        /* `(key) op ...` is a parenthesised identifier, not a sub-expression. */
        if (peek(p, 1)->type == TK_IDENT && peek(p, 2)->type == TK_RP &&
            starts_predicate(peek(p, 3))) {
            const struct tok *id = peek(p, 1);

            p->pos += 3;
            return parse_predicate(p, id, out);
        }
        if (++p->depth > EXPR_MAX_DEPTH)
            return perr(p, t->off, "too deeply nested (more than %d levels)", EXPR_MAX_DEPTH);
        p->pos++;
        r = parse_or(p, out);
        if (r < 0)
            return r;
        if (cur(p)->type != TK_RP) {
            char d[64];

            tok_desc(p, cur(p), d, sizeof(d));
            return perr(p, cur(p)->off, "missing ')' for the '(' at offset %u, found %s", t->off,
                        d);
        }
        p->pos++;
        p->depth--;
        return 0;
    }
    if (t->type == TK_IDENT) {
        p->pos++;
        return parse_predicate(p, t, out);
    }
    if (t->type == TK_STR || t->type == TK_NUM)
        return parse_flipped(p, out);
    if (t->type == TK_KW) {
        char d[64];

        tok_desc(p, t, d, sizeof(d));
        return perr(p, t->off,
                    "expected a partition key, found keyword %s (backquote a key of that name)", d);
    }
    return unexpected(p, "a partition key, literal, NOT or '('");
}

static int parse_not(struct parser *p, int32_t *out)
{
    const struct tok *t = cur(p);
    int32_t n, child;
    int r;

    if (!is_kw(t, KW_NOT))
        return parse_primary(p, out);
    if (++p->depth > EXPR_MAX_DEPTH)
        return perr(p, t->off, "too deeply nested (more than %d levels)", EXPR_MAX_DEPTH);
    p->pos++;
    r = parse_not(p, &child);
    if (r < 0)
        return r;
    p->depth--;
    n = new_node(p, ND_NOT, t->off);
    p->e->nodes[n].child = child;
    *out = n;
    return 0;
}

/* One level of an n-ary AND/OR chain: sub-parsers joined by the keyword. */
static int parse_chain(struct parser *p, int kw, int kind, int (*sub)(struct parser *, int32_t *),
                       int32_t *out)
{
    int32_t first, last, n, next;
    uint32_t off = cur(p)->off;
    int r;

    r = sub(p, &first);
    if (r < 0)
        return r;
    if (!is_kw(cur(p), kw)) {
        *out = first;
        return 0;
    }
    last = first;
    while (is_kw(cur(p), kw)) {
        p->pos++;
        r = sub(p, &next);
        if (r < 0)
            return r;
        p->e->nodes[last].next = next;
        last = next;
    }
    n = new_node(p, kind, off);
    p->e->nodes[n].child = first;
    *out = n;
    return 0;
}

static int parse_and(struct parser *p, int32_t *out)
{
    return parse_chain(p, KW_AND, ND_AND, parse_not, out);
}

static int parse_or(struct parser *p, int32_t *out)
{
    return parse_chain(p, KW_OR, ND_OR, parse_and, out);
}

void g2d_expr_free(struct g2d_expr *e)
{
    if (!e)
        return;
    free(e->nodes);
    free(e->lits);
    free(e->arena);
    free(e);
}

int g2d_expr_parse(const char *text, struct g2d_expr **out, struct g2d_error *err)
{
    struct parser p;
    struct g2d_expr *e = NULL;
    struct tok *toks = NULL;
    size_t n, ntok = 0, i;
    int r;

    if (!out)
        return g2d_error_set(err, -EINVAL, "expression: no output pointer");
    *out = NULL;
    if (!text)
        return g2d_error_set(err, -EINVAL, "expression: empty expression at offset 0");
    n = strnlen(text, G2D_EXPR_MAX_LEN + 1);
    if (n > G2D_EXPR_MAX_LEN)
        return g2d_error_set(err, -EINVAL, "expression: longer than %d bytes at offset %d",
                             G2D_EXPR_MAX_LEN, G2D_EXPR_MAX_LEN);
    for (i = 0; i < n && is_space((unsigned char)text[i]); i++)
        ;
    if (i == n)
        return g2d_error_set(err, -EINVAL, "expression: empty expression at offset %zu", n);
    toks = malloc((n + 1) * sizeof(*toks));
    if (!toks)
        return g2d_error_set(err, -ENOMEM, "expression: out of memory");
    r = g2d__expr_lex(text, n, toks, &ntok, err);
    if (r < 0)
        goto out;
    /* Each node and each literal owns at least one token of its own; each arena string
     * is at most its token's length plus a NUL. */
    e = calloc(1, sizeof(*e));
    if (e) {
        e->nodes = malloc(ntok * sizeof(*e->nodes));
        e->lits = malloc(ntok * sizeof(*e->lits));
        e->arena = malloc(n + ntok + 1);
    }
    if (!e || !e->nodes || !e->lits || !e->arena) {
        r = g2d_error_set(err, -ENOMEM, "expression: out of memory");
        goto out;
    }
    memset(&p, 0, sizeof(p));
    p.text = text;
    p.toks = toks;
    p.e = e;
    p.err = err;
    r = parse_or(&p, &e->root);
    if (r < 0)
        goto out;
    if (cur(&p)->type != TK_EOF) {
        char d[64];

        tok_desc(&p, cur(&p), d, sizeof(d));
        r = perr(&p, cur(&p)->off, "unexpected %s after a complete expression", d);
        goto out;
    }
    e->nnodes = p.nnodes;
    *out = e;
    e = NULL;
out:
    free(toks);
    g2d_expr_free(e);
    return r;
}
