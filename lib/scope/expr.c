/* SPDX-License-Identifier: MIT */
/*
 * The Glue GetPartitions `Expression` language (shared/reference/glue-api.md §1.4):
 * a tokenizer, a recursive-descent parser into a flat AST, and a typed evaluator.
 *
 * Everything is allocated once by g2d_expr_parse(): the AST lives in arrays sized from the
 * token count, and every literal is pre-cast at parse time to each type it can take (int,
 * decimal, date, timestamp), so that evaluation only picks the form its key's type needs
 * and never allocates. Keys arrive only at check/eval time; a leaf finds its key by a
 * linear case-insensitive search (tables have a handful of partition keys).
 *
 * Evaluation uses SQL three-valued logic: the Hive default partition name
 * `__HIVE_DEFAULT_PARTITION__` (and a NULL value pointer) is NULL; a comparison with NULL is
 * UNKNOWN; only IS [NOT] NULL gives a definite answer; only TRUE matches. AND and OR do not
 * short-circuit, so that the error an expression reports (an unknown key, an uncastable
 * stored value) does not depend on the order of its operands or on other values: a static
 * error (-EINVAL) outranks a value error (-ERANGE), and within a class the leftmost wins.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glue2dlf/expr.h"

/* Nesting bound for parentheses and NOT; deeper input is refused, never recursed into. */
#define EXPR_MAX_DEPTH 64
/* Hive's name for the partition of NULL values. */
#define HIVE_NULL "__HIVE_DEFAULT_PARTITION__"
/* Decimal exponents beyond this are not castable (keeps exponent arithmetic exact). */
#define DEC_MAX_EXP 100000000

enum tok_type { TK_EOF, TK_IDENT, TK_KW, TK_STR, TK_NUM, TK_LP, TK_RP, TK_COMMA, TK_OP };
enum kw { KW_AND, KW_OR, KW_NOT, KW_IN, KW_BETWEEN, KW_LIKE, KW_IS, KW_NULL };
enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum node_kind { ND_AND, ND_OR, ND_NOT, ND_CMP, ND_IN, ND_BETWEEN, ND_LIKE, ND_ISNULL };
enum tclass { TC_STRING, TC_INT, TC_DEC, TC_DATE, TC_TS, TC_BAD };
enum tv { TV_FALSE = 0, TV_TRUE = 1, TV_UNKNOWN = 2 };

static const char *const kw_names[] = {"AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "IS", "NULL"};

struct tok {
    uint8_t type;
    uint8_t sub;    /* keyword or comparison operator */
    uint8_t quoted; /* backquoted identifier */
    uint32_t off;   /* byte offset in the text */
    uint32_t len;   /* source length, quotes included */
};

/* A decimal number as value = sign * 0.d1d2d3... * 10^exp, digits without leading or
 * trailing zeros; `dig` points into the source text and may cross one '.'. */
struct dec {
    const char *dig;
    uint32_t ndig;
    int64_t exp;
    int sign;
};

struct ts {
    int64_t sec;
    int32_t ns;
};

struct lit {
    const char *text; /* unescaped, NUL-terminated, in the arena */
    uint32_t off;
    bool is_num;
    bool int_ok, dec_ok, date_ok, ts_ok;
    int64_t i;
    struct dec d;
    int64_t days;
    struct ts ts;
};

struct node {
    uint8_t kind;
    uint8_t op; /* ND_CMP */
    bool neg;   /* NOT IN, NOT BETWEEN, NOT LIKE, IS NOT NULL */
    uint32_t off;
    const char *key; /* leaves: the identifier, in the arena */
    uint32_t lit, nlit;
    int32_t child, next; /* AND/OR/NOT children as a list; -1 ends */
};

struct g2d_expr {
    struct node *nodes;
    struct lit *lits;
    char *arena;
    int32_t root;
};

/* A stored value cast to its key's type class. */
struct val {
    const char *s;
    int64_t i;
    struct dec d;
    int64_t days;
    struct ts ts;
};

/* ---- Character classes (ASCII only, locale-independent) ---- */

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ident_start(int c)
{
    return is_alpha(c) || c == '_';
}

static bool is_ident_char(int c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '.';
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* ---- Casts shared by literals and stored values ---- */

/* Strict integer: [+-]?[0-9]+, the whole string, within int64. */
static bool parse_int(const char *s, int64_t *out)
{
    bool neg = false;
    uint64_t v = 0, lim;

    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    if (!is_digit((unsigned char)*s))
        return false;
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; is_digit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');

        if (v > (lim - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (*s)
        return false;
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return true;
}

/*
 * Strict decimal: [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?, the whole
 * string. No infinities, NaN, hex or spaces. Kept exact: compared digit by digit.
 */
static bool parse_dec(const char *s, struct dec *out)
{
    const char *p = s, *first = NULL, *last = NULL;
    int64_t intdig = 0, lead = 0, e = 0, ndig = 0;
    bool seen_dot = false, any = false, eneg = false;

    out->sign = 1;
    if (*p == '-' || *p == '+')
        out->sign = *p++ == '-' ? -1 : 1;
    for (;; p++) {
        if (*p == '.' && !seen_dot) {
            seen_dot = true;
            continue;
        }
        if (!is_digit((unsigned char)*p))
            break;
        any = true;
        if (!seen_dot)
            intdig++;
        if (*p != '0') {
            if (!first)
                first = p;
            last = p;
        }
        if (!first)
            lead++;
        else
            ndig++;
        if (intdig > DEC_MAX_EXP || ndig > DEC_MAX_EXP || lead > DEC_MAX_EXP)
            return false;
    }
    if (!any)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            eneg = *p++ == '-';
        if (!is_digit((unsigned char)*p))
            return false;
        for (; is_digit((unsigned char)*p); p++) {
            e = e * 10 + (*p - '0');
            if (e > DEC_MAX_EXP)
                return false;
        }
    }
    if (*p)
        return false;
    if (!first) {
        out->sign = 0;
        out->dig = NULL;
        out->ndig = 0;
        out->exp = 0;
        return true;
    }
    /* Count significant digits between first and last, skipping a '.' in between. */
    out->dig = first;
    out->ndig = 0;
    for (p = first; p <= last; p++)
        if (*p != '.')
            out->ndig++;
    out->exp = intdig - lead + (eneg ? -e : e);
    return true;
}

static int dec_cmp(const struct dec *a, const struct dec *b)
{
    const char *p, *q;
    uint32_t i;
    int r = 0;

    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    if (a->exp != b->exp) {
        r = a->exp < b->exp ? -1 : 1;
    } else {
        p = a->dig;
        q = b->dig;
        for (i = 0; i < a->ndig && i < b->ndig && r == 0; i++, p++, q++) {
            if (*p == '.')
                p++;
            if (*q == '.')
                q++;
            r = (*p > *q) - (*p < *q);
        }
        if (r == 0)
            r = (a->ndig > b->ndig) - (a->ndig < b->ndig);
    }
    return a->sign > 0 ? r : -r;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, int n, unsigned *out)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < n; i++) {
        if (!is_digit((unsigned char)s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* 'yyyy-MM-dd' at the start of s (exactly 10 characters, validated). */
static bool parse_date_prefix(const char *s, int64_t *days)
{
    static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, m, d, dim;

    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    if (m < 1 || m > 12)
        return false;
    dim = mdays[m - 1] + (m == 2 && is_leap(y));
    if (d < 1 || d > dim)
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

static bool parse_date(const char *s, int64_t *days)
{
    return strlen(s) == 10 && parse_date_prefix(s, days);
}

/* 'yyyy-MM-dd HH:mm:ss[.f{1,9}]'; a bare date is midnight. */
static bool parse_ts(const char *s, struct ts *out)
{
    unsigned hh, mi, ss;
    int64_t days;
    int32_t ns = 0;
    int n = 0;

    if (strnlen(s, 11) < 10 || !parse_date_prefix(s, &days))
        return false;
    s += 10;
    if (*s == '\0') {
        out->sec = days * 86400;
        out->ns = 0;
        return true;
    }
    if (*s != ' ' || !digits(s + 1, 2, &hh) || s[3] != ':' || !digits(s + 4, 2, &mi) ||
        s[6] != ':' || !digits(s + 7, 2, &ss))
        return false;
    if (hh > 23 || mi > 59 || ss > 59)
        return false;
    s += 9;
    if (*s == '.') {
        for (s++; is_digit((unsigned char)*s); s++) {
            if (++n > 9)
                return false;
            ns = ns * 10 + (*s - '0');
        }
        if (n == 0)
            return false;
        for (; n < 9; n++)
            ns *= 10;
    }
    if (*s)
        return false;
    out->sec = days * 86400 + hh * 3600 + mi * 60 + ss;
    out->ns = ns;
    return true;
}

/* ---- Key types ---- */

static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* Hive type string -> class. Parameterised forms: char(n), varchar(n), decimal(p[,s]). */
static int classify(const char *t)
{
    static const char *const ints[] = {"int", "integer", "bigint", "long", "tinyint", "smallint"};
    const char *w, *end;
    size_t n, i;

    if (!t)
        return TC_BAD;
    while (is_space((unsigned char)*t))
        t++;
    end = t + strlen(t);
    while (end > t && is_space((unsigned char)end[-1]))
        end--;
    for (w = t; w < end && is_alpha((unsigned char)*w); w++)
        ;
    n = (size_t)(w - t);
    if (w < end) {
        const char *q;

        /* Only "(digits[, digits])" may follow, and only after these three. */
        while (w < end && is_space((unsigned char)*w))
            w++;
        if (*w != '(' || end[-1] != ')')
            return TC_BAD;
        for (q = w + 1; q < end - 1; q++)
            if (!is_digit((unsigned char)*q) && *q != ',' && !is_space((unsigned char)*q))
                return TC_BAD;
        if (word_is(t, n, "char") || word_is(t, n, "varchar"))
            return TC_STRING;
        if (word_is(t, n, "decimal"))
            return TC_DEC;
        return TC_BAD;
    }
    if (word_is(t, n, "string") || word_is(t, n, "char") || word_is(t, n, "varchar"))
        return TC_STRING;
    for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        if (word_is(t, n, ints[i]))
            return TC_INT;
    if (word_is(t, n, "decimal") || word_is(t, n, "double") || word_is(t, n, "float"))
        return TC_DEC;
    if (word_is(t, n, "date"))
        return TC_DATE;
    if (word_is(t, n, "timestamp"))
        return TC_TS;
    return TC_BAD;
}

static const char *class_family(int tc)
{
    switch (tc) {
    case TC_INT:
        return "Integral";
    case TC_DEC:
        return "Decimal";
    case TC_DATE:
        return "Date";
    case TC_TS:
        return "Timestamp";
    default:
        return "String";
    }
}

/* ---- Tokenizer ---- */

static int kw_lookup(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(kw_names) / sizeof(kw_names[0]); i++)
        if (word_is(s, n, kw_names[i]))
            return (int)i;
    return -1;
}

static int lex_error(struct g2d_error *err, size_t off, const char *what)
{
    return g2d_error_set(err, -EINVAL, "expression: %s at offset %zu", what, off);
}

static int lex_number(const char *s, size_t n, size_t i, size_t *end, struct g2d_error *err)
{
    static const char *const suffixes[] = {"L", "S", "Y", "D", "BD"};
    size_t j = i, k, m;

    if (s[j] == '-')
        j++;
    while (j < n && is_digit((unsigned char)s[j]))
        j++;
    if (j < n && s[j] == '.') {
        j++;
        if (j >= n || !is_digit((unsigned char)s[j]))
            return g2d_error_set(err, -EINVAL, "expression: bad number '%.*s' at offset %zu",
                                 (int)(j - i), s + i, i);
        while (j < n && is_digit((unsigned char)s[j]))
            j++;
    }
    if (j < n && is_ident_char((unsigned char)s[j])) {
        for (m = j; m < n && (is_alpha((unsigned char)s[m]) || is_digit((unsigned char)s[m]));)
            m++;
        if (m == n || !is_ident_char((unsigned char)s[m]))
            for (k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++)
                if (word_is(s + j, m - j, suffixes[k]))
                    return g2d_error_set(err, -EINVAL,
                                         "expression: Hive type suffix '%.*s' is not supported "
                                         "(write the plain number %.*s) at offset %zu",
                                         (int)(m - j), s + j, (int)(j - i), s + i, j);
        while (m < n && is_ident_char((unsigned char)s[m]))
            m++;
        return g2d_error_set(err, -EINVAL, "expression: bad number '%.*s' at offset %zu",
                             (int)(m - i > 40 ? 40 : m - i), s + i, i);
    }
    *end = j;
    return 0;
}

/* Fills toks (capacity n + 1) and ends them with TK_EOF; returns the count without it. */
static int lex(const char *s, size_t n, struct tok *toks, size_t *ntok, struct g2d_error *err)
{
    size_t i = 0, k = 0, j = 0;
    int r;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        struct tok *t = &toks[k];

        if (is_space(c)) {
            i++;
            continue;
        }
        memset(t, 0, sizeof(*t));
        t->off = (uint32_t)i;
        if (is_ident_start(c)) {
            for (j = i + 1; j < n && is_ident_char((unsigned char)s[j]); j++)
                ;
            r = kw_lookup(s + i, j - i);
            t->type = r >= 0 ? TK_KW : TK_IDENT;
            t->sub = r >= 0 ? (uint8_t)r : 0;
        } else if (c == '`') {
            for (j = i + 1; j < n && s[j] != '`'; j++)
                ;
            if (j >= n)
                return lex_error(err, i, "unterminated quoted identifier");
            if (j == i + 1)
                return lex_error(err, i, "empty quoted identifier");
            t->type = TK_IDENT;
            t->quoted = 1;
            j++;
        } else if (c == '\'') {
            for (j = i + 1;; j++) {
                if (j >= n)
                    return lex_error(err, i, "unterminated string literal");
                if (s[j] == '\'') {
                    if (j + 1 < n && s[j + 1] == '\'') {
                        j++;
                        continue;
                    }
                    break;
                }
            }
            t->type = TK_STR;
            j++;
        } else if (is_digit(c) || (c == '-' && i + 1 < n && is_digit((unsigned char)s[i + 1]))) {
            r = lex_number(s, n, i, &j, err);
            if (r < 0)
                return r;
            t->type = TK_NUM;
        } else if (c == '(' || c == ')' || c == ',') {
            t->type = c == '(' ? TK_LP : c == ')' ? TK_RP : TK_COMMA;
            j = i + 1;
        } else if (c == '=') {
            t->type = TK_OP;
            t->sub = OP_EQ;
            j = i + 1;
        } else if (c == '<' || c == '>') {
            bool eq = i + 1 < n && s[i + 1] == '=';

            t->type = TK_OP;
            j = i + 1 + eq;
            if (c == '<' && !eq && i + 1 < n && s[i + 1] == '>') {
                t->sub = OP_NE;
                j = i + 2;
            } else if (c == '<') {
                t->sub = eq ? OP_LE : OP_LT;
            } else {
                t->sub = eq ? OP_GE : OP_GT;
            }
        } else if (c == '!' && i + 1 < n && s[i + 1] == '=') {
            t->type = TK_OP;
            t->sub = OP_NE;
            j = i + 2;
        } else if (c == '"') {
            return lex_error(err, i,
                             "unexpected '\"' (string literals take single quotes, "
                             "identifiers backquotes)");
        } else if (c >= 0x21 && c < 0x7f) {
            return g2d_error_set(err, -EINVAL,
                                 "expression: unexpected character '%c' at offset %zu", c, i);
        } else {
            return g2d_error_set(err, -EINVAL, "expression: unexpected byte 0x%02x at offset %zu",
                                 c, i);
        }
        t->len = (uint32_t)(j - i);
        i = j;
        k++;
    }
    memset(&toks[k], 0, sizeof(toks[k]));
    toks[k].type = TK_EOF;
    toks[k].off = (uint32_t)n;
    *ntok = k;
    return 0;
}

/* ---- Parser ---- */

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

/* Length of the valid UTF-8 sequence at s (strict, as jansson checks), or 0. */
static int utf8_len(const unsigned char *s)
{
    unsigned char lo = 0x80, hi = 0xbf;
    int n, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    if (s[0] == 0xe0)
        lo = 0xa0;
    else if (s[0] == 0xed)
        hi = 0x9f;
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f;
    for (i = 1; i < n; i++) {
        if (s[i] < lo || s[i] > hi)
            return 0;
        lo = 0x80;
        hi = 0xbf;
    }
    return n;
}

/*
 * Messages quote outside text (literals, keys, types, stored values) and may cut it short;
 * keep them one line of valid UTF-8 by turning control bytes and broken sequences into '?'.
 */
static void msg_sanitize(struct g2d_error *err)
{
    unsigned char *m;
    int n;

    if (!err)
        return;
    for (m = (unsigned char *)err->msg; *m; m += n) {
        n = utf8_len(m);
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
    msg_sanitize(p->err);
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
    l->int_ok = parse_int(l->text, &l->i);
    l->dec_ok = parse_dec(l->text, &l->d);
    l->date_ok = parse_date(l->text, &l->days);
    l->ts_ok = parse_ts(l->text, &l->ts);
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
static int parse_predicate(struct parser *p, const struct tok *id, int32_t *out)
{
    const char *key = ident_text(p, id);
    const struct tok *t = cur(p);
    struct node *nd;
    int32_t n;
    bool neg = false;
    int r;

    if (t->type == TK_OP) {
        n = new_node(p, ND_CMP, id->off);
        nd = &p->e->nodes[n];
        nd->op = t->sub;
        nd->key = key;
        nd->lit = p->nlits;
        nd->nlit = 1;
        p->pos++;
        if (cur(p)->type == TK_IDENT)
            return perr(p, cur(p)->off, "comparison of two partition keys is not supported");
        r = parse_lit(p, false);
        *out = n;
        return r;
    }
    if (is_kw(t, KW_IS)) {
        p->pos++;
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
    if (is_kw(t, KW_NOT)) {
        neg = true;
        p->pos++;
        t = cur(p);
        if (!is_kw(t, KW_IN) && !is_kw(t, KW_BETWEEN) && !is_kw(t, KW_LIKE))
            return unexpected(p, "IN, BETWEEN or LIKE after NOT");
    }
    p->pos++;
    if (is_kw(t, KW_IN)) {
        n = new_node(p, ND_IN, id->off);
        nd = &p->e->nodes[n];
        nd->lit = p->nlits;
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
    } else if (is_kw(t, KW_BETWEEN)) {
        n = new_node(p, ND_BETWEEN, id->off);
        nd = &p->e->nodes[n];
        nd->lit = p->nlits;
        r = parse_lit(p, false);
        if (r < 0)
            return r;
        if (!is_kw(cur(p), KW_AND))
            return unexpected(p, "AND in BETWEEN");
        p->pos++;
        r = parse_lit(p, false);
        if (r < 0)
            return r;
    } else if (is_kw(t, KW_LIKE)) {
        n = new_node(p, ND_LIKE, id->off);
        nd = &p->e->nodes[n];
        nd->lit = p->nlits;
        r = parse_lit(p, true);
        if (r < 0)
            return r;
    } else {
        char d[64];

        tok_desc(p, t, d, sizeof(d));
        return perr(p, t->off, "expected an operator after '%s', found %s", key, d);
    }
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
    r = lex(text, n, toks, &ntok, err);
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
    *out = e;
    e = NULL;
out:
    free(toks);
    g2d_expr_free(e);
    return r;
}

/* ---- Evaluation ---- */

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
    msg_sanitize(ev->err);
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
        return parse_int(s, &v->i);
    case TC_DEC:
        return parse_dec(s, &v->d);
    case TC_DATE:
        return parse_date(s, &v->days);
    case TC_TS:
        return parse_ts(s, &v->ts);
    default:
        return false;
    }
}

/*
 * Compares a value with a literal already known castable to tc. On string-like keys a
 * numeric literal compares as the text it was written with: the legacy filter
 * `dt>=20220101` against a string key `dt` is a lexicographic comparison with "20220101",
 * which is what Hive-era configurations of this filter mean (and what Glue's JSQLParser
 * front end does with a number against a string column).
 */
static int cmp_typed(int tc, const struct val *v, const struct lit *l)
{
    int r;

    switch (tc) {
    case TC_INT:
        return (v->i > l->i) - (v->i < l->i);
    case TC_DEC:
        return dec_cmp(&v->d, &l->d);
    case TC_DATE:
        return (v->days > l->days) - (v->days < l->days);
    case TC_TS:
        if (v->ts.sec != l->ts.sec)
            return v->ts.sec < l->ts.sec ? -1 : 1;
        return (v->ts.ns > l->ts.ns) - (v->ts.ns < l->ts.ns);
    default:
        r = strcmp(v->s, l->text);
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
    tc = classify(type);
    if (tc == TC_BAD) {
        ev_fail(ev, -EINVAL, "unsupported partition key type '%.64s' (key '%.64s') at offset %u",
                type, n->key, n->off);
        return TV_UNKNOWN;
    }
    if (n->kind == ND_LIKE && tc != TC_STRING) {
        ev_fail(ev, -EINVAL,
                "%s data type doesn't support operation 'LIKE' (key '%.64s' is %.64s) at offset %u",
                class_family(tc), n->key, type, n->off);
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
    if (!s || strcmp(s, HIVE_NULL) == 0) {
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
