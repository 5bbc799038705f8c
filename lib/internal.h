/*
 * internal.h -- types shared by the library's own files, not by its users.
 *
 * Memory: every object (framework, document, result) owns one arena; all of
 * its parts come from it and one free call releases them.  Arenas only grow,
 * which suits objects that are built once and then read.
 *
 * Numbers: exact rationals over 128-bit integers (jx_q).  Parsed values are
 * bounded (mantissa < 10^18, at most 8 decimals) so the products that scoring
 * needs (weight × actual × 10^scale) fit without reduction; formulas reduce
 * by gcd and report overflow instead of wrapping.
 */
#ifndef JX_INTERNAL_H
#define JX_INTERNAL_H

#include "jixiao.h"
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <jansson.h>

__extension__ typedef __int128 jx_i128;

/* ---- arena ---------------------------------------------------------------- */

typedef struct jx_arena_block jx_arena_block;
struct jx_arena_block {
    jx_arena_block *next;
    size_t used, size;
    int owned;               /* 0: memory the caller provided (jx_arena_init_inline) */
    _Alignas(16) unsigned char data[];
};
typedef struct {
    jx_arena_block *head;
    int failed;                  /* an allocation failed: the object is unusable */
} jx_arena;

/* A new block, then the allocation from it (util.c). */
void *jx_alloc_slow(jx_arena *a, size_t n);
/* Not zeroed.  Inline: the JSON reader allocates a few hundred small
 * pieces a document, and the call was most of their cost. */
static inline void *jx_alloc_raw(jx_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    jx_arena_block *b = a->head;
    if (b && b->size - b->used >= n) {
        void *p = b->data + b->used;
        b->used += n;
        return p;
    }
    return jx_alloc_slow(a, n);
}
/* Zeroed. */
static inline void *jx_alloc(jx_arena *a, size_t n)
{
    void *p = jx_alloc_raw(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}
char *jx_strdup(jx_arena *a, const char *s);
char *jx_strndup(jx_arena *a, const char *s, size_t n);
char *jx_sprintf(jx_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jx_arena_free(jx_arena *a);
/* Starts an arena on memory the caller owns (size bytes, 16-aligned);
 * further blocks are malloc'd and freed by jx_arena_free as usual. */
void jx_arena_init_inline(jx_arena *a, void *mem, size_t size);

/* ---- growable byte buffer (output) ---------------------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
    int failed;
} jx_buf;

/* Appending is inline when the bytes fit (the writers append a few bytes
 * at a time, most of them literals whose length the compiler knows). */
void jx_buf_put_slow(jx_buf *b, const char *s, size_t n);
static inline void jx_buf_put(jx_buf *b, const char *s, size_t n)
{
    if (b->len + n < b->cap) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = 0;
    } else
        jx_buf_put_slow(b, s, n);
}
static inline void jx_buf_puts(jx_buf *b, const char *s)
{
    jx_buf_put(b, s, strlen(s));
}
/* Room for n more bytes up front (a writer that knows roughly how much it
 * will write saves the doublings); false once an allocation failed. */
bool jx_buf_reserve(jx_buf *b, size_t n);
/* Do the eight bytes of x (any order) include none that a JSON string must
 * escape (controls, '"', '\\')?  Exact: a borrow only ever starts at a byte
 * that matches, so there are no false alarms when none does. */
static inline bool jx_swar_plain(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t q = x ^ (ones * '"'), s = x ^ (ones * '\\');
    uint64_t m = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((s - ones) & ~s);
    return (m & high) == 0;
}
/* A JSON string written in parts straight into the buffer: open puts the
 * opening quote and returns where the text starts; close adds the closing
 * quote, or escapes the text when it needs it. */
size_t jx_buf_json_open(jx_buf *b);
void jx_buf_json_close(jx_buf *b, size_t start);
void jx_buf_printf(jx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jx_buf_json_str(jx_buf *b, const char *s);   /* quoted, escaped */
void jx_buf_cents(jx_buf *b, int64_t cents);       /* 98.50 */
void jx_buf_int(jx_buf *b, int64_t v);
void jx_buf_fixed(jx_buf *b, int64_t v, int dec);  /* v / 10^dec, exactly dec decimals */
void jx_buf_cents_short(jx_buf *b, int64_t cents); /* 98.5, 10 */
void jx_buf_fen(jx_buf *b, int64_t fen);           /* 736200.00 */
void jx_buf_rate(jx_buf *b, int64_t r4);           /* 0.8495 */

/* ---- rationals -------------------------------------------------------------- */

typedef struct { jx_i128 n, d; } jx_q;   /* d > 0 */

/* The small operations are inline: a jx_q is 32 bytes, passed in memory
 * to a function, and comparisons sit on the scoring hot path. */
static inline jx_q jx_q_int(int64_t v)
{
    jx_q q = {v, 1};
    return q;
}

static inline jx_q jx_q_make(jx_i128 n, jx_i128 d)
{
    if (d < 0) {
        n = -n;
        d = -d;
    }
    jx_q q = {n, d ? d : 1};
    return q;
}

static inline bool jx_fits64(jx_i128 v)
{
    return (jx_i128)(int64_t)v == v;
}

static inline int jx_q_sign(jx_q a)
{
    return (a.n > 0) - (a.n < 0);
}

int jx_q_cmp_wide(jx_q a, jx_q b);
/* Exact comparison: -1, 0, 1.  Values whose parts fit 64 bits (every
 * parsed value) compare with two 64×64→128 products. */
static inline int jx_q_cmp(jx_q a, jx_q b)
{
    if (a.d == b.d)
        return (a.n > b.n) - (a.n < b.n);
    if (jx_fits64(a.n) && jx_fits64(a.d) && jx_fits64(b.n) && jx_fits64(b.d)) {
        jx_i128 x = (jx_i128)(int64_t)a.n * (int64_t)b.d;
        jx_i128 y = (jx_i128)(int64_t)b.n * (int64_t)a.d;
        return (x > y) - (x < y);
    }
    return jx_q_cmp_wide(a, b);
}

jx_q jx_q_of_value(const jx_value *v);           /* mant / 10^scale */
bool jx_q_add_wide(jx_q a, jx_q b, jx_q *r);
bool jx_q_sub(jx_q a, jx_q b, jx_q *r);
/* Sums of 64-bit parts (the same representation as jx_q_add_wide gives:
 * equal denominators add numerators, others cross-multiply). */
static inline bool jx_q_add(jx_q a, jx_q b, jx_q *r)
{
    if (jx_fits64(a.n) && jx_fits64(a.d) && jx_fits64(b.n) && jx_fits64(b.d)) {
        if (a.d == b.d) {
            r->n = a.n + b.n;
            r->d = a.d;
        } else {
            r->n = (jx_i128)(int64_t)a.n * (int64_t)b.d + (jx_i128)(int64_t)b.n * (int64_t)a.d;
            r->d = (jx_i128)(int64_t)a.d * (int64_t)b.d;
        }
        return true;
    }
    return jx_q_add_wide(a, b, r);
}
bool jx_q_mul_wide(jx_q a, jx_q b, jx_q *r);
/* Products of parts that fit 64 bits (every parsed value, and most of
 * what scoring derives from them) never overflow 128 bits: that case is
 * inline, the rest (with reduction by gcd) in decimal.c. */
static inline bool jx_q_mul(jx_q a, jx_q b, jx_q *r)
{
    if (jx_fits64(a.n) && jx_fits64(a.d) && jx_fits64(b.n) && jx_fits64(b.d)) {
        r->n = (jx_i128)(int64_t)a.n * (int64_t)b.n;
        r->d = (jx_i128)(int64_t)a.d * (int64_t)b.d;   /* both positive */
        return true;
    }
    return jx_q_mul_wide(a, b, r);
}
static inline bool jx_q_div(jx_q a, jx_q b, jx_q *r)  /* false on b == 0 or overflow */
{
    if (b.n == 0)
        return false;
    jx_q inv = b.n < 0 ? (jx_q){-b.d, -b.n} : (jx_q){b.d, b.n};
    return jx_q_mul(a, inv, r);
}
/* a × 10^e as an integer, rounded half away from zero. */
bool jx_q_round(jx_q a, int e, int64_t *out);
bool jx_q_trunc(jx_q a, int e, int64_t *out);
/* Is `written` (an integer count of 10^-e steps... see decimal.c) consistent
 * with the exact value x at precision 10^prec: equal to x rounded half-up or
 * truncated at that precision (scoring.md §6). */
bool jx_consistent(jx_q written, int prec, jx_q x);
/* Integer half-up division n/d for any signs (half away from zero). */
int64_t jx_div_round_wide(jx_i128 n, jx_i128 d);
static inline int64_t jx_div_round(jx_i128 n, jx_i128 d)
{
    if (d > 0 && jx_fits64(n) && jx_fits64(d)) {
        /* hardware division: the common case */
        int64_t n64 = (int64_t)n, d64 = (int64_t)d, q64 = n64 / d64, r64 = n64 % d64;
        if (r64 < 0)
            r64 = -r64;
        if (r64 >= d64 - r64)
            q64 += n64 < 0 ? -1 : 1;
        return q64;
    }
    return jx_div_round_wide(n, d);
}
int64_t jx_pow10(int e);   /* 0 <= e <= 18 */

/* Decimal text of a rational with at most `maxdec` decimals, trailing zeros
 * trimmed (for messages). */
void jx_buf_q(jx_buf *b, jx_q q, int maxdec);

/* ---- errors ----------------------------------------------------------------- */

void jx_err_add(jx_errors *e, jx_status st, const char *pointer, const char *code,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void jx_err_set(jx_error *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- rules ------------------------------------------------------------------ */

typedef enum {
    JX_RULE_RATIO = 0, JX_RULE_THRESHOLD, JX_RULE_STEP, JX_RULE_SCALED, JX_RULE_LEVELS,
    JX_RULE_BANDS, JX_RULE_CHECKLIST, JX_RULE_QUARTERS, JX_RULE_MANUAL
} jx_rule_kind;

typedef enum { JX_BASIS_DEFAULT = 0, JX_BASIS_POINTS, JX_BASIS_RELATIVE } jx_basis;
typedef enum { JX_ROUND_FLOOR = 0, JX_ROUND_CEIL, JX_ROUND_EXACT } jx_rounding;
/* step: which way the distance from the target counts (auto: by the
 * target's operator, §3; a rule text says it: 少 below, 多 above) */
enum { JX_DIR_AUTO = 0, JX_DIR_BELOW, JX_DIR_ABOVE };

typedef struct { const char *name; int64_t points; } jx_check_item;   /* points in cents */
typedef struct { jx_word word; int64_t frac; } jx_level;               /* frac in 1/10000 */

typedef struct {
    jx_rule_kind kind;
    bool reverse_linear;     /* ratio, <= targets: linear instead of inverse */
    bool equal_at_least;     /* ratio, = targets: like >= */
    /* step */
    jx_q per;
    int64_t deduct;          /* cents */
    jx_basis basis;
    jx_rounding rounding;
    bool has_reference;
    jx_q reference;
    /* levels */
    int nlevels;
    jx_level levels[4];
    /* checklist */
    int nitems;
    jx_check_item *items;
    /* quarters */
    int64_t each;            /* cents */
    int dir;                 /* JX_DIR_* */
    /* any */
    bool has_cap;
    int64_t cap;             /* cents */
    const char *text;        /* the rule as the report wrote it (评分标准), or NULL */
} jx_rule;

/* The largest per, reference, deduction or cap a rule may state (a
 * million: far beyond any real rule, and every product of them with a
 * parsed value stays exact and printable). */
#define JX_RULE_NUM_MAX 1000000

/* Reads a rule text (评分标准, scoring.md §8) into *r (r->text not set);
 * false with err filled (RULE_UNREADABLE, quoting it). ruletext.c */
bool jx_rule_from_text(const char *text, jx_rule *r, jx_error *err);

const char *jx_rule_kind_name(jx_rule_kind k);
/* Parses a rule object; errors go to errs under `ptr`. */
bool jx_rule_load(jx_arena *a, json_t *j, const char *ptr, jx_rule *out, jx_errors *errs);
void jx_rule_json(jx_buf *b, const jx_rule *r);
/* The most a rule can give under weight w (cents). */
int64_t jx_rule_max(const jx_rule *r, int64_t w);

/* ---- formulas -------------------------------------------------------------- */

typedef struct jx_formula jx_formula;
typedef bool (*jx_figure_fn)(void *ctx, const char *name, jx_q *out);
/* Parses "staff_in_post / authorised_posts"; NULL with errs filled. */
jx_formula *jx_formula_parse(jx_arena *a, const char *text, const char *ptr, jx_errors *errs);
typedef enum { JX_FORMULA_OK = 0, JX_FORMULA_MISSING, JX_FORMULA_DIV0, JX_FORMULA_OVERFLOW } jx_formula_status;
/* Evaluates; on JX_FORMULA_MISSING *missing names the first absent figure. */
jx_formula_status jx_formula_eval(const jx_formula *f, jx_figure_fn fn, void *ctx,
                                  jx_q *out, const char **missing);

/* ---- frameworks ------------------------------------------------------------- */

typedef struct {
    const char *level1;
    const char **aliases; int naliases;
    int64_t weight;                  /* cents */
    const char **level2; int nlevel2;
    const char **required; int nrequired;
    int *required_idx;               /* index of each required level-2 in level2, -1 */
} jx_category;

typedef struct {
    const char *level1, *level2, *name;
    int64_t weight;                  /* cents */
    const char *formula_text;
    jx_formula *formula;
    const char *target_text;
    jx_value target;
    bool has_target;
    jx_rule rule;
} jx_fw_indicator;

typedef struct { const char *grade; int64_t min; } jx_grade;   /* min in cents */

typedef struct {
    const char *code, *pointer, *message;
} jx_note;

/* One row of a result's category table. */
typedef struct { const char *level1; int64_t weight, score; } jx_cat_result;

struct jx_framework {
    jx_arena arena;
    const char *id, *name, *scope;
    int64_t execution_weight;        /* cents */
    bool has_execution_rule;
    jx_rule execution_rule;
    int ngrades;
    jx_grade grades[8];
    int ncats;
    jx_category *cats;
    jx_rule default_rule;
    int64_t band_hi, band_lo;        /* 1/10000: 8000, 6000 */
    int64_t too_low;                 /* 1/10000: 13000 */
    int ninds;
    jx_fw_indicator *inds;
    int nnotes;
    jx_note *notes;                  /* FRAMEWORK_RULE_MAX and friends */
    /* the category rows every result starts from (level-1 names that
     * jx_level_eq equates listed once), built at load so that scoring
     * copies them instead of comparing names */
    int nrcats;
    jx_cat_result *rcats;
    /* "own_indicators": {"level1", "weight"}: a wide document's own
     * indicators count under this category (§8); without it they stay
     * outside total and max */
    bool has_own;
    const char *own_level1;
    int64_t own_weight;              /* cents */
    json_t *source;                  /* canonical JSON, for jx_framework_json */
};

/* Loads a framework from parsed JSON (used for inline frameworks too).
 * ptr prefixes error pointers ("/framework" inside a document). */
jx_framework *jx_framework_from_json(json_t *j, const char *ptr, jx_errors *errs);
/* Index of the category a level-1 (or level-2 used as a level-1) belongs to,
 * or -1; *l2 gets the level-2 implied when the level-1 was a level-2 name. */
int jx_framework_category(const jx_framework *fw, const char *level1, const char **l2);
bool jx_framework_has_level2(const jx_framework *fw, int cat, const char *level2);
bool jx_level_eq(const char *a, const char *b);   /* with or without 指标 */

/* ---- findings (values: a result owns copies of them) ----------------------- */

/* Where a finding points, rendered only when the result is written out. */
typedef struct { const char *base; int idx; const char *leaf; } jx_fptr;

static inline jx_fptr jx_at(const char *pointer)
{
    jx_fptr p = {pointer, -1, NULL};
    return p;
}
/* /indicators/i/leaf; an indicator the document does not list (i < 0) has
 * no element of its own and points at /indicators. */
static inline jx_fptr jx_at_ind(int i, const char *leaf)
{
    jx_fptr p = {"/indicators", i, i < 0 ? NULL : leaf};
    return p;
}
/* base/key with the key escaped (RFC 6901): /figures/name */
static inline jx_fptr jx_at_key(const char *base, const char *key)
{
    jx_fptr p = {base, -1, key};
    return p;
}

/* A finding's argument, kept by its C type: 's' a string, 'i' an
 * integer, 'q' a rational; the format's letter says how it is written. */
typedef struct { char k; int64_t i; const char *s; jx_q q; } jx_farg;
#define JX_FARGS 6

static inline jx_farg jx_farg_s(const char *s)
{
    jx_farg a = {'s', 0, s, {0, 1}};
    return a;
}
static inline jx_farg jx_farg_i(int64_t i)
{
    jx_farg a = {'i', i, NULL, {0, 1}};
    return a;
}
static inline jx_farg jx_farg_q(jx_q q)
{
    jx_farg a = {'q', 0, NULL, q};
    return a;
}
/* The type of each argument is known where the finding is raised: no
 * scan of the format for its conversions (that was most of the cost of a
 * finding on the scoring path). */
#define JX_FARG(x) _Generic((x), char *: jx_farg_s, const char *: jx_farg_s, jx_q: jx_farg_q, \
                            default: jx_farg_i)(x)
#define JX_FA_0(...)
#define JX_FA_1(a) JX_FARG(a)
#define JX_FA_2(a, b) JX_FARG(a), JX_FARG(b)
#define JX_FA_3(a, b, c) JX_FARG(a), JX_FARG(b), JX_FARG(c)
#define JX_FA_4(a, b, c, d) JX_FA_3(a, b, c), JX_FARG(d)
#define JX_FA_5(a, b, c, d, e) JX_FA_4(a, b, c, d), JX_FARG(e)
#define JX_FA_6(a, b, c, d, e, f) JX_FA_5(a, b, c, d, e), JX_FARG(f)
#define JX_FA_PICK(_1, _2, _3, _4, _5, _6, _7, name, ...) name
/* the format, the first of fmt and its arguments */
#define JX_FA_FMT(...) JX_FA_FMT_(__VA_ARGS__, ~)
#define JX_FA_FMT_(fmt, ...) fmt

/* A finding keeps its message's format and arguments and is rendered when
 * the result is written: scoring stays free of printf (findings are common
 * in real reports, and the scoring loop is the hot path). */
typedef struct {
    const char *code;            /* its severity follows from it: jx_finding_severity */
    jx_fptr at;
    const char *fmt;
    int nargs;
    jx_farg args[JX_FARGS];
} jx_finding;

/* ---- documents ------------------------------------------------------------- */

typedef struct {
    bool present;        /* given and not null */
    int64_t fen;
    int prec;            /* 10^prec fen is one written step */
} jx_money;

typedef struct {
    const char *text;    /* as written (NULL for structured / numbers) */
    const char *norm;    /* words and texts: normalised for comparison */
    jx_value v;
    bool present;
} jx_textval;

typedef struct {
    const char *level1, *level2, *name;
    bool has_weight;
    bool weight_assumed;         /* no weight in the document: split from the category's (§8) */
    bool na;                     /* not_applicable (不适用, §8) */
    int64_t weight;              /* cents */
    jx_textval target, actual;
    /* checklist actuals: item indexes (resolved at load for framework rules) */
    int nlist;
    int *list;
    bool actual_is_list;
    bool has_quarters;
    int quarters;
    bool has_rule;
    jx_rule *rule;               /* its own rule (has_rule), in the document's arena */
    const char *reason;          /* deviation_reason */
    bool has_reported;
    jx_q reported;
    int64_t reported_c;          /* reported score in hundredths, half-up */
    bool num_ready;              /* numeric target and actual in one unit: */
    jx_q A, T;                   /* ... their values, reconciled at load */
    const jx_rule *prule;        /* the rule a project scores it by (jx_project_rule), at load */
    bool num64;                  /* ... and every part of them fits 64 bits: */
    int64_t an, ad, tn, td;      /* ... A = an/ad, T = tn/td (ad, td > 0) */
    int fw_index;                /* wide: the framework indicator, -1 own */
    int cat;                     /* project: the framework category, -1 unknown */
    const char *l2;              /* level-2 as the framework names it (implied or written) */
    bool l2_unknown;             /* level-2 not in its category */
    int l2_index;                /* index into the category's level2, -1 */
} jx_indicator;

typedef struct { const char *name; jx_money amount; } jx_item;
typedef struct { const char *source; jx_money initial, adjusted, executed; } jx_source;

typedef struct {
    jx_money initial, cuts, additions, adjusted, executed, balance;
    bool has_rate;
    jx_q rate;                   /* reported execution rate, fraction */
    int rate_prec;
    const char *rate_text;
    int nbreakdown;
    jx_item *breakdown;
    int nsources;
    jx_source *sources;
} jx_budget;

typedef struct { const char *name; const char *text; jx_q value; } jx_figure;

struct jx_document {
    jx_arena arena;
    const jx_framework *fw;
    jx_framework *own_fw;        /* inline framework, freed with the document */
    const char *scope, *name, *org;
    int year;
    bool has_budget;
    jx_budget budget;
    int ninds;
    jx_indicator *inds;
    int nfigures;
    jx_figure *figures;
    bool has_total, has_grade, has_exec_score;
    jx_q rep_total;
    int rep_total_prec;
    const char *rep_grade;
    jx_q rep_exec_score;
    /* Worked out at load, because they depend on the document alone
     * (scoring.md §6); jx_score still gives every result its own copies. */
    int npre;
    jx_finding *pre;             /* structure (project) and budget findings, in order */
    bool rep_all;                /* every indicator carries a reported score */
    jx_q rep_sum;                /* ... and their sum */
};

/* Fills doc->pre, rep_all and rep_sum (findings.c); false
 * when out of memory. */
bool jx_document_prepare(jx_document *doc);
/* Copies them into a result (where the structure check used to run). */
void jx_add_prepared(jx_result *r, const jx_document *doc);

/* Parses the JSON text of a number as written ("97.2" -> 972/10, prec -1). */
bool jx_json_number(json_t *j, jx_q *q, int *prec);

/* ---- results ---------------------------------------------------------------- */

typedef enum { JX_SEV_ERROR = 0, JX_SEV_WARNING, JX_SEV_INFO } jx_severity;

typedef enum {
    JX_EX_NONE = 0, JX_EX_MET, JX_EX_RATIO, JX_EX_LINEAR, JX_EX_SYMMETRIC, JX_EX_MISSED_ZERO,
    JX_EX_STEP, JX_EX_SCALED, JX_EX_LEVELS, JX_EX_BAND_REPORTED, JX_EX_BAND_DEFAULT,
    JX_EX_JUDGEMENT, JX_EX_UNDETERMINED, JX_EX_CHECKLIST, JX_EX_QUARTERS, JX_EX_MANUAL,
    JX_EX_MISSING, JX_EX_UNIT, JX_EX_FIGURE, JX_EX_THRESHOLD_MISSED, JX_EX_NOT_APPLICABLE
} jx_explain_kind;

typedef struct {
    int index;                   /* into doc->inds, or -1 for a framework-only indicator */
    const char *level1, *level2, *name;
    const jx_textval *target, *actual;
    int64_t weight, score, full; /* cents; full = cap or weight */
    int met;                     /* -1 null, 0, 1 */
    jx_rule_kind rule;
    const jx_rule *rulep;
    const char *rule_text;       /* the rule as the report wrote it (评分标准), or NULL */
    jx_explain_kind ex;
    jx_op op;
    jx_word band;                /* bands: the actual's band */
    jx_q value;                  /* the judged value: a formula's, or the scaled fraction */
    jx_q steps;                  /* step rules: the number of steps deducted */
    int64_t n;                   /* step count / quarters / checklist items met */
    bool has_value;
    bool na;                     /* not applicable: no score, out of max (§8) */
    bool own;                    /* a wide document's own indicator outside total and max */
} jx_ind_result;

struct jx_result {
    jx_arena arena;
    const jx_document *doc;
    const jx_framework *fw;
    int64_t total, max, normalised;
    const char *grade;
    bool complete;
    bool has_budget, has_executed, has_rate;
    int64_t budget_fen, executed_fen, rate4, exec_weight, exec_score;
    int ncats;
    jx_cat_result *cats;
    bool has_own;                /* a wide document's own indicators outside the total: */
    const char *own_level1;
    int64_t own_score, own_max;  /* ... their subtotal (§8) */
    int ninds;
    jx_ind_result *inds;
    int nfind, capfind;
    jx_finding *finds;
};

/* Adds a finding.  fmt takes %s (a string that outlives the result: from
 * the document, the framework or a literal), %d (int), %C (int64
 * hundredths, two decimals), %K (int64 hundredths, shortest), %F (int64
 * fen as yuan), %Q (jx_q), %P (jx_q as a percent) and %%; at most
 * JX_FARGS arguments.  A macro: each argument is kept by its type. */
void jx_finding_put(jx_result *r, const char *code, jx_fptr at, const char *fmt,
                    const jx_farg *args, int nargs);
#define jx_finding_add(r, code, at, ...)                                                   \
    jx_finding_put(r, code, at, JX_FA_FMT(__VA_ARGS__) JX_FA_LIST(__VA_ARGS__))
#define JX_FA_LIST(...)                                                                     \
    JX_FA_PICK(__VA_ARGS__, JX_FA_L6, JX_FA_L5, JX_FA_L4, JX_FA_L3, JX_FA_L2, JX_FA_L1,     \
               JX_FA_L0, ~)(__VA_ARGS__)
#define JX_FA_L0(fmt) , NULL, 0
#define JX_FA_L1(fmt, a) , (const jx_farg[]){JX_FA_1(a)}, 1
#define JX_FA_L2(fmt, a, b) , (const jx_farg[]){JX_FA_2(a, b)}, 2
#define JX_FA_L3(fmt, a, b, c) , (const jx_farg[]){JX_FA_3(a, b, c)}, 3
#define JX_FA_L4(fmt, a, b, c, d) , (const jx_farg[]){JX_FA_4(a, b, c, d)}, 4
#define JX_FA_L5(fmt, a, b, c, d, e) , (const jx_farg[]){JX_FA_5(a, b, c, d, e)}, 5
#define JX_FA_L6(fmt, a, b, c, d, e, f) , (const jx_farg[]){JX_FA_6(a, b, c, d, e, f)}, 6
/* The finding's pointer and message as text. */
void jx_finding_pointer(jx_buf *b, const jx_finding *f);
void jx_finding_message(jx_buf *b, const jx_finding *f);
jx_severity jx_finding_severity(const char *code);

/* The rule of a project indicator: its own, or by the kind of its target
 * (score.c; chosen once when the document is loaded). */
const jx_rule *jx_project_rule(const jx_framework *fw, const jx_indicator *ind);

/* Scores one indicator (rules.c).  target may be NULL (scaled etc.). */
void jx_score_indicator(jx_result *r, const jx_framework *fw, const jx_rule *rule,
                        const jx_indicator *ind, const jx_value *target,
                        const jx_q *value, jx_ind_result *out, int idx);

/* SCORE_MISMATCH / SCORE_ABOVE_WEIGHT of an indicator scored 0 for want
 * of an actual or a figure (rules.c). */
void jx_reported_zero(jx_result *r, const jx_indicator *ind, int idx, int64_t w);

/* Brings a unit-less side to the other side's unit (scoring.md §1); false
 * when the units cannot be compared. */
bool jx_reconcile(const jx_value *t, const jx_value *a, jx_q *T, jx_q *A);

/* Execution score of a rate under a framework's execution_rule. */
int64_t jx_score_rate(const jx_rule *rule, int64_t full, jx_q rate);

/* Budget and document-level findings (findings.c). */
void jx_check_budget(jx_result *r, const jx_document *doc);
void jx_check_totals(jx_result *r, const jx_document *doc);
void jx_check_structure(jx_result *r, const jx_document *doc);

const char *jx_grade_of(const jx_framework *fw, int64_t cents);

/* jx_parse_money that may accept a negative amount (a balance, §8). */
int jx_parse_money_signed(const char *text, int64_t *fen, int *prec, bool negative_ok,
                          jx_error *err);

/* The text after a leading symbolic operator ("≥ 90%" -> "90%"). */
const char *jx_skip_op(const char *text);
/* The same for word operators too ("小于等于200万元" -> "200万元"). */
const char *jx_skip_op_any(const char *text);

/* UTF-8 helpers. */
size_t jx_utf8_len(const char *s, size_t n);  /* bytes of the code point at s */
/* Normalises text for comparison: full-width to ASCII, no spaces or punctuation. */
char *jx_norm_text(jx_arena *a, const char *s);
/* The same into a buffer of cap bytes (cut short when it does not fit). */
size_t jx_norm_into(const char *s, char *out, size_t cap);

#endif
