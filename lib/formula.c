/*
 * formula.c -- arithmetic over named figures (scoring.md §4).
 *
 *   expr   := term (('+' | '-') term)*
 *   term   := factor (('*' | '/' | '×' | '÷') factor)*
 *   factor := number | name | ('min' | 'max') '(' expr (',' expr)* ')'
 *           | '(' expr ')' | '-' factor
 *
 * Parsed once, when a framework is loaded, into a small tree in the
 * framework's arena; evaluated per document over exact rationals, so a
 * ratio like 30/32 stays exact until the score is rounded.  Division by
 * zero and a missing figure are reported, not guessed.
 */
#include "jsonin.h"
#include <string.h>

typedef enum { F_NUM, F_VAR, F_ADD, F_SUB, F_MUL, F_DIV, F_NEG, F_MIN, F_MAX } f_op;

typedef struct f_node f_node;
struct f_node {
    f_op op;
    jx_q num;
    const char *name;
    f_node *a, *b;       /* operands; min/max chain through b */
};

struct jx_formula {
    f_node *root;
};

typedef struct {
    jx_arena *arena;
    const char *s, *p;
    const char *ptr;
    jx_errors *errs;
    bool failed;
    int depth;
} f_parser;

static void skip_ws(f_parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
}

static bool accept(f_parser *ps, const char *tok)
{
    skip_ws(ps);
    size_t n = strlen(tok);
    if (strncmp(ps->p, tok, n) == 0) {
        ps->p += n;
        return true;
    }
    return false;
}

static void fail(f_parser *ps, const char *why)
{
    if (!ps->failed)
        jx_err_add(ps->errs, JX_EINVALID, ps->ptr, "FORMULA_INVALID",
                   "公式 '%s' 在第 %d 个字符处有误: %s (formula not understood)", ps->s,
                   (int)(ps->p - ps->s) + 1, why);
    ps->failed = true;
}

static f_node *node(f_parser *ps, f_op op, f_node *a, f_node *b)
{
    f_node *n = jx_alloc(ps->arena, sizeof *n);
    if (!n) {
        ps->failed = true;
        return NULL;
    }
    n->op = op;
    n->a = a;
    n->b = b;
    return n;
}

static f_node *expr(f_parser *ps);

static f_node *factor(f_parser *ps)
{
    if (ps->failed)
        return NULL;
    if (++ps->depth > 64) {
        fail(ps, "嵌套过深 (nested too deeply)");
        return NULL;
    }
    skip_ws(ps);
    f_node *n = NULL;
    const char *p = ps->p;
    if (accept(ps, "(")) {
        n = expr(ps);
        if (!accept(ps, ")"))
            fail(ps, "缺少右括号 (missing ')')");
    } else if (accept(ps, "-")) {
        n = node(ps, F_NEG, factor(ps), NULL);
    } else if ((*p >= '0' && *p <= '9') || *p == '.') {
        int64_t m = 0;
        int dec = 0;
        bool dot = false;
        for (; (*p >= '0' && *p <= '9') || (*p == '.' && !dot); p++) {
            if (*p == '.') {
                dot = true;
                continue;
            }
            if (m > 100000000000000LL || dec >= 8) {
                fail(ps, "数字过大 (number too large)");
                return NULL;
            }
            m = m * 10 + (*p - '0');
            if (dot)
                dec++;
        }
        ps->p = p;
        n = node(ps, F_NUM, NULL, NULL);
        if (n)
            n->num = jx_q_make(m, jx_pow10(dec));
    } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_') {
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
               (*p >= '0' && *p <= '9'))
            p++;
        size_t len = (size_t)(p - ps->p);
        const char *name = ps->p;
        ps->p = p;
        bool is_min = len == 3 && strncmp(name, "min", 3) == 0;
        bool is_max = len == 3 && strncmp(name, "max", 3) == 0;
        if ((is_min || is_max) && accept(ps, "(")) {
            n = expr(ps);
            while (!ps->failed && accept(ps, ","))
                n = node(ps, is_min ? F_MIN : F_MAX, n, expr(ps));
            if (!accept(ps, ")"))
                fail(ps, "缺少右括号 (missing ')')");
        } else {
            n = node(ps, F_VAR, NULL, NULL);
            if (n)
                n->name = jx_strndup(ps->arena, name, len);
        }
    } else {
        fail(ps, "应为数字、指标数据名或括号 (expected a number, a figure name or '(')");
    }
    ps->depth--;
    return n;
}

static f_node *term(f_parser *ps)
{
    f_node *n = factor(ps);
    for (;;) {
        if (ps->failed)
            return n;
        if (accept(ps, "*") || accept(ps, "×"))
            n = node(ps, F_MUL, n, factor(ps));
        else if (accept(ps, "/") || accept(ps, "÷"))
            n = node(ps, F_DIV, n, factor(ps));
        else
            return n;
    }
}

static f_node *expr(f_parser *ps)
{
    f_node *n = term(ps);
    for (;;) {
        if (ps->failed)
            return n;
        if (accept(ps, "+"))
            n = node(ps, F_ADD, n, term(ps));
        else if (accept(ps, "-"))
            n = node(ps, F_SUB, n, term(ps));
        else
            return n;
    }
}

jx_formula *jx_formula_parse(jx_arena *a, const char *text, const char *ptr, jx_errors *errs)
{
    f_parser ps = {a, text, text, ptr, errs, false, 0};
    f_node *root = expr(&ps);
    skip_ws(&ps);
    if (!ps.failed && *ps.p)
        fail(&ps, "多余的字符 (unexpected characters)");
    if (ps.failed || !root)
        return NULL;
    jx_formula *f = jx_alloc(a, sizeof *f);
    if (f)
        f->root = root;
    return f;
}

static jx_formula_status eval(const f_node *n, jx_figure_fn fn, void *ctx, jx_q *out,
                              const char **missing)
{
    jx_q x, y;
    jx_formula_status st;
    switch (n->op) {
    case F_NUM:
        *out = n->num;
        return JX_FORMULA_OK;
    case F_VAR:
        if (!fn(ctx, n->name, out)) {
            *missing = n->name;
            return JX_FORMULA_MISSING;
        }
        return JX_FORMULA_OK;
    case F_NEG:
        if ((st = eval(n->a, fn, ctx, &x, missing)))
            return st;
        *out = jx_q_make(-x.n, x.d);
        return JX_FORMULA_OK;
    default:
        break;
    }
    if ((st = eval(n->a, fn, ctx, &x, missing)) || (st = eval(n->b, fn, ctx, &y, missing)))
        return st;
    bool ok = true;
    switch (n->op) {
    case F_ADD: ok = jx_q_add(x, y, out); break;
    case F_SUB: ok = jx_q_sub(x, y, out); break;
    case F_MUL: ok = jx_q_mul(x, y, out); break;
    case F_DIV:
        if (y.n == 0)
            return JX_FORMULA_DIV0;
        ok = jx_q_div(x, y, out);
        break;
    case F_MIN: *out = jx_q_cmp(x, y) <= 0 ? x : y; break;
    case F_MAX: *out = jx_q_cmp(x, y) >= 0 ? x : y; break;
    default: break;
    }
    return ok ? JX_FORMULA_OK : JX_FORMULA_OVERFLOW;
}

jx_formula_status jx_formula_eval(const jx_formula *f, jx_figure_fn fn, void *ctx, jx_q *out,
                                  const char **missing)
{
    *missing = NULL;
    return eval(f->root, fn, ctx, out, missing);
}
