/* SPDX-License-Identifier: MIT */
/*
 * The tokenizer of the Glue Expression language: identifiers (plain and backquoted),
 * keywords, string and number literals, parentheses, commas and comparison operators.
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

static const char *const kw_names[] = {"AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "IS", "NULL"};

static int kw_lookup(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(kw_names) / sizeof(kw_names[0]); i++)
        if (g2d__expr_word_is(s, n, kw_names[i]))
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
                if (g2d__expr_word_is(s + j, m - j, suffixes[k]))
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

/* A string literal from the quote at @p i; *end past its closing quote. */
static int lex_string(const char *s, size_t n, size_t i, size_t *end, struct g2d_error *err)
{
    size_t j;

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
    *end = j + 1;
    return 0;
}

/* A comparison operator at @p i: true with t->sub and *end set, or false. */
static bool lex_op(const char *s, size_t n, size_t i, struct tok *t, size_t *end)
{
    char c = s[i];
    bool eq = i + 1 < n && s[i + 1] == '=';

    if (c == '=') {
        t->sub = OP_EQ;
        *end = i + 1;
    } else if (c == '<' && !eq && i + 1 < n && s[i + 1] == '>') {
        t->sub = OP_NE;
        *end = i + 2;
    } else if (c == '<' || c == '>') {
        t->sub = c == '<' ? (eq ? OP_LE : OP_LT) : (eq ? OP_GE : OP_GT);
        *end = i + 1 + eq;
    } else if (c == '!' && eq) {
        t->sub = OP_NE;
        *end = i + 2;
    } else {
        return false;
    }
    t->type = TK_OP;
    return true;
}

/* The token starting at @p i (not a space) into @p t; *end past it. */
static int lex_token(const char *s, size_t n, size_t i, struct tok *t, size_t *end,
                     struct g2d_error *err)
{
    unsigned char c = (unsigned char)s[i];
    size_t j;
    int r;

    if (is_ident_start(c)) {
        for (j = i + 1; j < n && is_ident_char((unsigned char)s[j]); j++)
            ;
        r = kw_lookup(s + i, j - i);
        t->type = r >= 0 ? TK_KW : TK_IDENT;
        t->sub = r >= 0 ? (uint8_t)r : 0;
        *end = j;
        return 0;
    }
    if (c == '`') {
        for (j = i + 1; j < n && s[j] != '`'; j++)
            ;
        if (j >= n)
            return lex_error(err, i, "unterminated quoted identifier");
        if (j == i + 1)
            return lex_error(err, i, "empty quoted identifier");
        t->type = TK_IDENT;
        t->quoted = 1;
        *end = j + 1;
        return 0;
    }
    if (c == '\'') {
        t->type = TK_STR;
        return lex_string(s, n, i, end, err);
    }
    if (is_digit(c) || (c == '-' && i + 1 < n && is_digit((unsigned char)s[i + 1]))) {
        t->type = TK_NUM;
        return lex_number(s, n, i, end, err);
    }
    if (c == '(' || c == ')' || c == ',') {
        t->type = c == '(' ? TK_LP : c == ')' ? TK_RP : TK_COMMA;
        *end = i + 1;
        return 0;
    }
    if (lex_op(s, n, i, t, end))
        return 0;
    if (c == '"')
        return lex_error(err, i,
                         "unexpected '\"' (string literals take single quotes, "
                         "identifiers backquotes)");
    if (c >= 0x21 && c < 0x7f)
        return g2d_error_set(err, -EINVAL, "expression: unexpected character '%c' at offset %zu", c,
                             i);
    return g2d_error_set(err, -EINVAL, "expression: unexpected byte 0x%02x at offset %zu", c, i);
}

/* Fills toks (capacity n + 1) and ends them with TK_EOF; *ntok is the count without it. */
int g2d__expr_lex(const char *s, size_t n, struct tok *toks, size_t *ntok, struct g2d_error *err)
{
    size_t i = 0, k = 0, j = 0;
    int r;

    while (i < n) {
        struct tok *t = &toks[k];

        if (is_space((unsigned char)s[i])) {
            i++;
            continue;
        }
        memset(t, 0, sizeof(*t));
        t->off = (uint32_t)i;
        r = lex_token(s, n, i, t, &j, err);
        if (r < 0)
            return r;
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
