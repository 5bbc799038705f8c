/*
 * jixiao.h -- the public API of the jixiao scoring library.
 *
 * The library scores one budget-performance self-assessment (绩效自评)
 * against a framework (评价指标体系) and lists everything in it that does
 * not add up.  It is pure C11 plus Jansson: no I/O, no globals, no locks.
 *
 * Design, after jansson.h: a few opaque types, each freed by one call;
 * errors are values (jx_errors) carrying every problem found, each with a
 * JSON pointer, a code and a message (Chinese first, English after, quoting
 * the input).  A jx_ctx holds the parsed built-in frameworks; once created
 * it is read-only, so one context may serve any number of threads.
 *
 * Money is exact (int64 fen), scores are int64 hundredths (cents of a
 * point) and rates int64 ten-thousandths, all rounded half-up on exact
 * rational values (scoring.md §5).
 */
#ifndef JIXIAO_H
#define JIXIAO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JX_VERSION "0.1.0"

/* ---- errors ------------------------------------------------------------ */

typedef enum {
    JX_OK = 0,
    JX_ESYNTAX,   /* malformed JSON: line and column are set */
    JX_EFIELD,    /* an unknown field (typo): 400 in the API */
    JX_EINVALID,  /* well-formed but wrong: 422 in the API */
    JX_ENOMEM
} jx_status;

typedef struct {
    int line, column;   /* 1-based, for JX_ESYNTAX; 0 otherwise */
    char pointer[160];  /* JSON pointer into the input ("" = whole document) */
    char code[40];      /* e.g. "TARGET_UNPARSEABLE" */
    char message[480];  /* "年度指标值无法解析: '大于三十' (target not understood)" */
} jx_error;

#define JX_MAX_ERRORS 32

typedef struct {
    jx_status status;              /* the worst status met */
    size_t count;                  /* problems found, may exceed JX_MAX_ERRORS */
    jx_error items[JX_MAX_ERRORS]; /* the first JX_MAX_ERRORS of them */
} jx_errors;

/* Empties an error list (status JX_OK, count 0). */
void jx_errors_clear(jx_errors *errs);

/* ---- parsed values (scoring.md §1) --------------------------------------- */

typedef enum { JX_OP_EQ = 0, JX_OP_GE, JX_OP_GT, JX_OP_LE, JX_OP_LT } jx_op;

typedef enum {
    JX_VAL_NONE = 0,   /* empty / null */
    JX_VAL_NUMBER,     /* op + value + unit */
    JX_VAL_WORD,       /* a known qualitative word: grade or achievement band */
    JX_VAL_TEXT        /* any other text, kept verbatim */
} jx_value_kind;

typedef enum {
    JX_UNIT_NONE = 0,  /* nothing written: takes the other side's unit */
    JX_UNIT_PERCENT,   /* value is a fraction: 95% -> 0.95 */
    JX_UNIT_POINTS,    /* 百分点: value is a fraction too */
    JX_UNIT_MONEY,     /* value is in fen, scale 0 */
    JX_UNIT_TIME,      /* unit text names it: 天, 个工作日, ... */
    JX_UNIT_COUNT      /* unit text names it: 次, 人次, 户, ... */
} jx_unit_kind;

typedef enum {
    JX_WORD_NONE = 0,
    JX_WORD_GRADE_YOU, JX_WORD_GRADE_LIANG, JX_WORD_GRADE_ZHONG, JX_WORD_GRADE_CHA,
    JX_WORD_ACHIEVED, JX_WORD_PARTIAL, JX_WORD_NOT_ACHIEVED
} jx_word;

typedef struct {
    jx_value_kind kind;
    jx_op op;
    int has_op;          /* an operator was written (or implied by 以上/以下) */
    int64_t mant;        /* value = mant / 10^scale (fen for money) */
    int scale;           /* 0..18 */
    int prec;            /* written precision: one step = 10^prec in value units */
    jx_unit_kind unit_kind;
    char unit[24];       /* canonical unit text: "次", "元", "%", "" */
    int wan_bare;        /* 万/亿 written with no unit (takes the other side's) */
    jx_word word;        /* for JX_VAL_WORD */
} jx_value;

/* Parses a target, actual or amount as reports write it ("≥30次",
 * "1.5464万元", "优").  Returns 0, or -1 with *err filled (pointer left ""). */
int jx_parse_value(const char *text, jx_value *out, jx_error *err);

/* Parses an amount of money ("73.62万元", "782,957.64", "15000" = yuan)
 * into fen.  Returns 0, or -1 with *err filled. */
int jx_parse_money(const char *text, int64_t *fen, int *prec, jx_error *err);

/* Reads a rule as reports write it (评分标准, scoring.md §8: "少10%扣1分，
 * 扣完为止", "为100%的计2分，每低于1个百分点扣0.5分", "完成得满分，未完成不得分",
 * "按完成比例计分") into the canonical rule object of §3, as JSON text
 * with the text kept under "text" (malloc'd).  NULL with *err filled
 * (RULE_UNREADABLE, quoting the text) when it cannot be read.  A document
 * may give the text itself as an indicator's "rule" (a JSON string): the
 * loader calls the same reader, so this is for checking a text up front. */
char *jx_rule_text_json(const char *text, jx_error *err);

/* ---- contexts and frameworks (scoring.md §2) ------------------------------ */

typedef struct jx_ctx jx_ctx;
typedef struct jx_framework jx_framework;

/* Creates a context with the built-in frameworks (project-2020,
 * department-wide-2013, unit-wide-2013).  NULL only when out of memory. */
jx_ctx *jx_ctx_new(void);
void jx_ctx_free(jx_ctx *ctx);

/* A built-in framework by id, owned by the context; NULL when unknown. */
const jx_framework *jx_ctx_framework(const jx_ctx *ctx, const char *id);
/* Number of built-ins and the i-th (for listing them). */
size_t jx_ctx_framework_count(const jx_ctx *ctx);
const jx_framework *jx_ctx_framework_at(const jx_ctx *ctx, size_t i);

/* Loads and validates a framework from JSON text.  On failure returns NULL
 * and fills errs (every problem listed). */
jx_framework *jx_framework_load(const char *json, size_t len, jx_errors *errs);
void jx_framework_free(jx_framework *fw);

const char *jx_framework_id(const jx_framework *fw);
const char *jx_framework_name(const jx_framework *fw);
const char *jx_framework_scope(const jx_framework *fw); /* project, department_wide, unit_wide */
/* The framework's maximum score in hundredths (execution weight + categories). */
int64_t jx_framework_max(const jx_framework *fw);
/* The framework as canonical JSON (defaults filled in) plus, under
 * "findings", its validation notes (FRAMEWORK_RULE_MAX).  malloc'd. */
char *jx_framework_json(const jx_framework *fw);

/* ---- documents, scoring, results (scoring.md §3-§7) ----------------------- */

typedef struct jx_document jx_document;
typedef struct jx_result jx_result;

/* Loads a scoring document (scoring.md §7).  Syntax errors, unknown fields,
 * wrong types and unparseable targets or amounts fail the load with every
 * problem listed in errs.  `framework` may name a built-in of ctx or be a
 * whole framework object. */
jx_document *jx_document_load(const jx_ctx *ctx, const char *json, size_t len,
                              jx_errors *errs);
void jx_document_free(jx_document *doc);

/* Scores a loaded document.  NULL only when out of memory. */
jx_result *jx_score(const jx_document *doc);
void jx_result_free(jx_result *res);

/* The result as JSON (scoring.md §7), malloc'd, NUL-terminated; *len set
 * when len is not NULL.  NULL when out of memory. */
char *jx_result_json(const jx_result *res, size_t *len);

/* The score table (评分情况表 with 扣分, then the findings) as aligned text
 * for a terminal, malloc'd. */
char *jx_result_table(const jx_result *res);

/* Summary accessors (scores in hundredths). */
int64_t jx_result_total(const jx_result *res);
int64_t jx_result_max(const jx_result *res);
int64_t jx_result_normalised(const jx_result *res);
const char *jx_result_grade(const jx_result *res);
int jx_result_complete(const jx_result *res);
size_t jx_result_finding_count(const jx_result *res);

/* One call: JSON document in, result JSON out (malloc'd in *out).  Returns
 * JX_OK, or the status with errs filled. */
jx_status jx_score_json(const jx_ctx *ctx, const char *json, size_t len,
                        char **out, size_t *outlen, jx_errors *errs);

/* Document facts, for the server's bookkeeping (NULL / 0 when absent). */
const char *jx_document_name(const jx_document *doc);
const char *jx_document_org(const jx_document *doc);
int jx_document_year(const jx_document *doc);
const char *jx_document_scope(const jx_document *doc);
const char *jx_document_framework(const jx_document *doc);

/* ---- findings across documents (scoring.md §6) -------------------------- */

/* CROSS_TABLE_MISMATCH findings of `doc` against `other` (an organisation's
 * wide assessment and one of its projects of the same year, either way
 * round): a JSON array of findings with pointers into doc, malloc'd.
 * other_label names the other document in the messages. */
char *jx_cross_findings(const jx_document *doc, const jx_document *other,
                        const char *other_label);

/* Are two amounts as written ("782,957.64", "78.3万元") consistent at the
 * precision each was written with?  1 yes, 0 no, -1 one is not an amount.
 * (PLAN_AMOUNT_MISMATCH compares a plan's amount with the project's.) */
int jx_amounts_consistent(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif /* JIXIAO_H */
