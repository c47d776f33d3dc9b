/* SPDX-License-Identifier: MIT */
/*
 * The forms of a filter whose meaning in Glue is not known. glue2dlf evaluates a table's
 * partition filter on DLF's partitions itself, and a DLF partition its evaluator keeps out
 * while Glue selects it (or the reverse) is written or deleted wrongly; so a filter that
 * uses a form Glue does not document is refused when the config is loaded, with what to
 * write instead, rather than guessed at. They do not depend on the table, so they can be
 * refused before any key type is known:
 *
 *  - IS [NOT] NULL: Glue stores every partition value as a string (Hive's null is the
 *    string __HIVE_DEFAULT_PARTITION__) and does not say what IS NULL selects;
 *  - a backslash in a string literal: AWS's own Hive client escapes a quote as \' there,
 *    the documented escape is '', and Glue's LIKE has no documented escape character;
 *  - a number written with leading zeros, trailing fraction zeros or as -0: Glue casts a
 *    literal to the key's type, and what text such a number becomes on a string key
 *    (the legacy dt>=20220101 is one) is not documented;
 *  - a date or timestamp that is not zero-padded ('2024-1-5') or not a real date
 *    ('2024-02-30'): Java's lenient date parsers accept both, strict ones do not;
 *  - BETWEEN with its bounds reversed: standard SQL selects nothing, Glue does not say.
 *    Without the table (at config load) only bounds reversed in every type they can take
 *    are refused (5 and 12 are in order as integers, reversed as strings); with its keys
 *    (when the sync reads the table) the key's type decides, and the table is refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scope/expr_internal.h"

static int known_fail(struct g2d_error *err, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int known_fail(struct g2d_error *err, uint32_t off, const char *fmt, ...)
{
    char what[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    g2d_error_set(err, -EINVAL, "expression: %s at offset %u", what, off);
    g2d__expr_msg_sanitize(err);
    return -EINVAL;
}

/* A number literal as the lexer accepts it ([-]digits[.digits]) in its one plain form. */
static bool number_canonical(const char *s)
{
    bool neg = *s == '-';
    size_t n;

    s += neg;
    n = strlen(s);
    if (s[0] == '0' && n > 1 && s[1] != '.')
        return false; /* leading zero */
    if (neg && !strcmp(s, "0"))
        return false;
    return !strchr(s, '.') || s[n - 1] != '0'; /* no trailing fraction zero, "1.0" included */
}

static size_t run_of_digits(const char *s)
{
    size_t n = 0;

    while (is_digit((unsigned char)s[n]))
        n++;
    return n;
}

/*
 * Does @p s look like a date (digits '-' digits '-' digits, optionally followed by a
 * space and a time) but is not a padded, real one? Then *@p why says what is wrong.
 */
static bool date_doubtful(const char *s, const char **why)
{
    size_t y = run_of_digits(s), m, d;
    const char *rest;
    char date[11];
    struct ts ts;
    int64_t days;

    if (!y || s[y] != '-' || !(m = run_of_digits(s + y + 1)) || s[y + 1 + m] != '-' ||
        !(d = run_of_digits(s + y + 2 + m)))
        return false;
    rest = s + y + 2 + m + d;
    if (*rest && *rest != ' ' && *rest != 'T')
        return false; /* not a date: "2024-01-01x", "1-2-3-4" */
    if (y != 4 || m != 2 || d != 2) {
        *why = "is not a zero-padded yyyy-MM-dd date";
        return true;
    }
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!g2d__expr_parse_date(date, &days)) {
        *why = "is not a real date";
        return true;
    }
    if (*rest && !g2d__expr_parse_ts(s, &ts)) {
        *why = "is not a timestamp of the form 'yyyy-MM-dd HH:mm:ss[.fffffffff]'";
        return true;
    }
    return false;
}

static int check_lit(const struct lit *l, struct g2d_error *err)
{
    const char *why;

    if (l->is_num && !number_canonical(l->text))
        return known_fail(err, l->off,
                          "the number %.64s is not in its plain form (no leading zeros, no "
                          "trailing zeros after the point, no -0): what Glue casts it to on a "
                          "string key is not documented; write it plainly%s",
                          l->text, ", or quote it as a string");
    if (!l->is_num && strchr(l->text, '\\'))
        return known_fail(err, l->off,
                          "a backslash in the string literal '%.64s': Glue does not document "
                          "backslash escapes (nor a LIKE escape character)%s",
                          l->text, "; write '' for a quote, and match '%' or '_' with LIKE's own");
    if (!l->is_num && date_doubtful(l->text, &why))
        return known_fail(err, l->off,
                          "'%.64s' %s: how Glue casts it to a date or timestamp key is not "
                          "documented; write the padded form, e.g. '2024-01-05'",
                          l->text, why);
    return 0;
}

/* The order of two literals as type class @p tc: <0, 0, >0; 0 also when either cannot be
 * cast to it (g2d_expr_check reports that). */
static int lit_cmp(const struct lit *a, const struct lit *b, int tc)
{
    switch (tc) {
    case TC_STRING:
        return g2d__expr_str_cmp(a->text, b->text);
    case TC_INT:
        return a->int_ok && b->int_ok ? (a->i > b->i) - (a->i < b->i) : 0;
    case TC_DEC:
        return a->dec_ok && b->dec_ok ? g2d__expr_dec_cmp(&a->d, &b->d) : 0;
    case TC_DATE:
        return a->date_ok && b->date_ok ? (a->days > b->days) - (a->days < b->days) : 0;
    case TC_TS:
        if (!a->ts_ok || !b->ts_ok)
            return 0;
        if (a->ts.sec != b->ts.sec)
            return a->ts.sec < b->ts.sec ? -1 : 1;
        return (a->ts.ns > b->ts.ns) - (a->ts.ns < b->ts.ns);
    default:
        return 0;
    }
}

static bool castable(const struct lit *l, int tc)
{
    return tc == TC_STRING || (tc == TC_INT && l->int_ok) || (tc == TC_DEC && l->dec_ok) ||
           (tc == TC_DATE && l->date_ok) || (tc == TC_TS && l->ts_ok);
}

/*
 * BETWEEN's bounds reversed: for the key's type class @p tc when it is known, else (at
 * config load, -1) only when they are reversed in every class both can be cast to.
 */
static int check_between(const struct node *n, const struct lit *lo, int tc, struct g2d_error *err)
{
    static const char *const names[] = {"strings", "integers", "decimals", "dates", "timestamps"};
    const struct lit *hi = lo + 1;
    int c, as = -1, ok = 0, rev = 0;

    for (c = TC_STRING; c <= TC_TS; c++) {
        if ((tc >= 0 && c != tc) || !castable(lo, c) || !castable(hi, c))
            continue;
        ok++;
        if (lit_cmp(lo, hi, c) > 0) {
            rev++;
            as = as < 0 ? c : as;
        }
    }
    if (!rev || rev < ok)
        return 0;
    return known_fail(err, n->off,
                      "BETWEEN bounds reversed as %s ('%.64s' above '%.64s'): standard SQL "
                      "selects nothing and Glue does not document what it does; write the lower "
                      "bound first",
                      names[as], lo->text, hi->text);
}

/* The key class of leaf @p n, or -1 (no keys given, or an unknown key or type). */
static int leaf_class(const struct node *n, const struct g2d_expr_key *keys, size_t nkeys)
{
    for (size_t i = 0; keys && i < nkeys; i++)
        if (keys[i].name && !strcasecmp(keys[i].name, n->key)) {
            int tc = g2d__expr_classify(keys[i].type ? keys[i].type : "string");

            return tc == TC_BAD ? -1 : tc;
        }
    return -1;
}

int g2d_expr_check_known(const struct g2d_expr *e, const struct g2d_expr_key *keys, size_t nkeys,
                         struct g2d_error *err)
{
    if (!e)
        return g2d_error_set(err, -EINVAL, "expression: no expression");
    for (uint32_t i = 0; i < e->nnodes; i++) {
        const struct node *n = &e->nodes[i];
        int r = 0;

        if (n->kind == ND_ISNULL)
            return known_fail(err, n->off,
                              "IS %sNULL: Glue stores partition values as strings (Hive's null "
                              "as '__HIVE_DEFAULT_PARTITION__') and does not document what IS "
                              "NULL selects; compare with that string instead%s",
                              n->neg ? "NOT " : "", "");
        if (n->kind < ND_CMP)
            continue;
        for (uint32_t k = 0; k < n->nlit && !r; k++)
            r = check_lit(&e->lits[n->lit + k], err);
        if (!r && n->kind == ND_BETWEEN)
            r = check_between(n, &e->lits[n->lit], leaf_class(n, keys, nkeys), err);
        if (r)
            return r;
    }
    return 0;
}
