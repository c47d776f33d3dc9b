/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the filter grammar (lib/scope): the tokens, the flat AST, the
 * pre-cast literals and what the tokenizer (expr_lex.c), the casts (expr_cast.c), the
 * parser (expr_parse.c) and the evaluator (expr_eval.c) share. Not installed.
 *
 * The Glue GetPartitions `Expression` language (shared/reference/glue-api.md §1.4):
 * a tokenizer, a recursive-descent parser into a flat AST, and a typed evaluator.
 *
 * Everything is allocated once by g2d_expr_parse(): the AST lives in arrays sized from the
 * token count, and every literal is pre-cast at parse time to each type it can take (int,
 * decimal, date, timestamp), so that evaluation only picks the form its key's type needs
 * and never allocates. Keys arrive only at check/eval time; a leaf finds its key by a
 * linear case-insensitive search (tables have a handful of partition keys).
 *
 * Evaluation uses SQL three-valued logic: a NULL value pointer is NULL; a comparison with
 * NULL is UNKNOWN; only IS [NOT] NULL gives a definite answer; only TRUE matches. Glue
 * stores every partition value as a string, Hive's null as `__HIVE_DEFAULT_PARTITION__`,
 * so that value is the plain string it is on a string key, and a value that cannot be
 * cast on any other key (InvalidStateException in Glue). AND and OR do not
 * short-circuit, so that the error an expression reports (an unknown key, an uncastable
 * stored value) does not depend on the order of its operands or on other values: a static
 * error (-EINVAL) outranks a value error (-ERANGE), and within a class the leftmost wins.
 */
#ifndef GLUE2DLF_EXPR_INTERNAL_H
#define GLUE2DLF_EXPR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glue2dlf/error.h"
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
    uint32_t nnodes;
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

static inline bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool is_ident_start(int c)
{
    return is_alpha(c) || c == '_';
}

static inline bool is_ident_char(int c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '.';
}

static inline bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* ---- expr_cast.c: Glue's casts and type classes ---- */

/* Casts of a string to an integer, a decimal, a date (days since 1970-01-01), a timestamp;
 * true if it is castable. They borrow @p s (a decimal keeps pointing into it). */
bool g2d__expr_parse_int(const char *s, int64_t *out);
bool g2d__expr_parse_dec(const char *s, struct dec *out);
bool g2d__expr_parse_date(const char *s, int64_t *days);
bool g2d__expr_parse_ts(const char *s, struct ts *out);
/* Strings in Java's String.compareTo order (UTF-16 code units: a character above U+FFFF
 * sorts below U+E000..U+FFFF), which is byte order except there; invalid UTF-8 compares
 * by bytes. <0, 0, >0. */
int g2d__expr_str_cmp(const char *a, const char *b);
/* <0, 0, >0 as a is less than, equal to, greater than b. */
int g2d__expr_dec_cmp(const struct dec *a, const struct dec *b);
/* Whether the @p n bytes at @p s are the word @p w, ignoring ASCII case. */
bool g2d__expr_word_is(const char *s, size_t n, const char *w);
/* The enum tclass of a Glue column type name. */
int g2d__expr_classify(const char *t);
/* The family name of a type class for messages ("string", "integer"...; static). */
const char *g2d__expr_class_family(int tc);

/* ---- expr_lex.c ---- */

/* Split @p s (@p n bytes) into @p toks (capacity n + 1), ended by a TK_EOF token; *ntok
 * is the count without it. 0 or -EINVAL with @p err (may be NULL). */
int g2d__expr_lex(const char *s, size_t n, struct tok *toks, size_t *ntok, struct g2d_error *err);

/* ---- expr_parse.c ---- */

/* Keep an error message one line of valid UTF-8 (control bytes and broken sequences
 * become '?'). Accepts NULL. */
void g2d__expr_msg_sanitize(struct g2d_error *err);

#endif
