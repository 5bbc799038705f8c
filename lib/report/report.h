/*
 * report.h -- the evaluation report renderers (评分情况表, 绩效目标完成清单,
 * 问题清单, findings) for GET /v1/evaluations/{id}/report?format=...
 *
 * Design.  Rendering is a pure function: the route assembles a *report
 * model* (a JSON object, docs/reports.md) from the stored evaluation, its
 * project and the library's result JSON (scoring.md §7), and calls
 * jx_report_render(), which answers the bytes of one format.  No database,
 * no globals, no locks: any number of threads may render at once.
 *
 * Two stages:
 *   1. model.c reads and checks the model once into a jr_model: every
 *      score as int64 hundredths (printed with two decimals, summed
 *      exactly), every money figure as int64 fen, every text cleaned of
 *      control characters, and the score table laid out as rows (one per
 *      indicator, the 预算执行率 row, the 合计 row) with the spans of the
 *      merged level-1 / level-2 cells already computed.
 *   2. one renderer per format (report_json.c, report_html.c, report_md.c,
 *      report_csv.c, report_xlsx.c, pdf.c) walks the jr_model and writes its bytes.
 *      Each format escapes text by its own rules; none sees raw JSON.
 *
 * The public interface is jx_report_render() and jx_report_formats; the
 * rest of this header (JX_REPORT_INTERNAL) is shared by the renderers only.
 */
#ifndef JX_REPORT_H
#define JX_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The formats understood, NULL-terminated: "json", "html", "md", "csv", "xlsx", "pdf". */
extern const char *const jx_report_formats[];

/*
 * Renders the report model `model` (docs/reports.md) in `format`.
 * On success answers 0 and sets *out (malloc'd, NUL-terminated for the text
 * formats; free() it), *len (bytes, without that NUL) and *content_type (a
 * static string such as "text/html; charset=utf-8").  On failure answers -1,
 * leaves *out NULL and writes a message, Chinese first with English after,
 * into err (errlen bytes, always NUL-terminated when errlen > 0).
 * An unknown format and a malformed model are failures; so is running out
 * of memory or of temporary-file space (xlsx), and for pdf a report of more
 * than 500 pages or no Noto Sans CJK font installed (pdf.c).
 */
int jx_report_render(const json_t *model, const char *format, char **out, size_t *len,
                     const char **content_type, char *err, size_t errlen);

/* jx_report_render's answer when the report is beyond what the format
 * holds (a pdf of more than 500 pages): the caller's to mend by asking for
 * another format, so not a failure of the renderer (the route: 422). */
#define JX_REPORT_TOO_LARGE (-2)

/* The file name extension and a suggested Content-Disposition file name
 * ("评分报告-<id>.<ext>" is up to the route); NULL for an unknown format. */
const char *jx_report_extension(const char *format);

#ifdef JX_REPORT_INTERNAL
/* ======================= shared by the renderers only ======================= */

#include <stdbool.h>

/* a growable byte buffer; `failed` is sticky after an allocation failure */
typedef struct {
    char *p;
    size_t len, cap;
    bool failed;
} jr_buf;

void jr_put(jr_buf *b, const char *s, size_t n);
void jr_puts(jr_buf *b, const char *s);
void jr_printf(jr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* hundredths as "98.50" / "-1.25" */
void jr_cents(jr_buf *b, int64_t c);
/* hundredths with trailing zeros dropped: 50.00 -> "50", 2.50 -> "2.5" */
void jr_cents_short(jr_buf *b, int64_t c);
/* fen as "866,600.00" */
void jr_money(jr_buf *b, int64_t fen);
/* a rate in ten-thousandths as a percentage "84.95%" */
void jr_rate_pct(jr_buf *b, int64_t rate4);
/* display columns of UTF-8 text (CJK two, others one) */
size_t jr_display_width(const char *s);

enum { JR_ROW_INDICATOR = 0, JR_ROW_EXECUTION, JR_ROW_TOTAL };

/* one row of the 评分情况表 */
typedef struct {
    int kind;                 /* JR_ROW_* */
    int seq;                  /* 序号 (indicator and execution rows), 0 for the total */
    const char *level1;       /* "" for the execution and total rows */
    const char *level1_label; /* "产出指标（50分）" */
    const char *level2;
    const char *name;         /* 三级指标; "预算执行率" / "合计" on those rows */
    const char *explain;      /* 评分情况 */
    int64_t weight, score, deduction; /* hundredths; score is 核定得分 (computed) */
    int64_t reported;         /* 报告得分: the unit's own score, hundredths */
    bool has_reported;        /* the document gave one (the total row: reported total) */
    int l1_span;              /* rows the level-1 cell spans from here; 0 = covered */
    int l2_span;              /* the same for level-2 */
    int index;                /* the document's indicator index, -1 if none */
    int met;                  /* 1 met, 0 missed, -1 undetermined */
    bool not_applicable;      /* 不适用 (scoring.md §8): no score, no deduction, outside max */
    bool own;                 /* a wide document's own indicator, outside total and max */
} jr_row;

/* met of a 不适用 indicator (jr_met_label: "不适用"). */
#define JR_MET_NA 2

/* What the score and deduction cells of a 不适用 row say (labels.c). */
extern const char *const jr_na_score;
extern const char *const jr_na_deduction;

/* one row of the 绩效目标完成清单 */
typedef struct {
    int seq;
    const char *level1, *level2, *name;
    const char *target, *actual, *deviation_reason; /* "" when absent */
    int64_t weight;
    bool has_weight;
    int64_t reported_score;
    bool has_reported_score;
    int met;                  /* from the result: 1, 0, -1 undetermined */
} jr_goal;

typedef struct {
    int seq;
    const char *category, *responsible_office, *description, *advice, *note;
} jr_problem;

typedef struct {
    int seq;
    const char *code, *severity, *severity_label; /* label: 错误 / 警告 / 提示 */
    const char *pointer, *message;
    const char *subject; /* the indicator named by the pointer, or "" */
} jr_finding;

typedef struct {
    const char *label; /* 年初预算数 ... */
    const char *key;   /* initial ... */
    const char *text;  /* as written */
    int64_t fen;
    bool parsed;       /* text understood as money: fen holds it */
} jr_money_item;

/* results application (issue 20, application.c): the project's monitoring
 * colours, its 整改 items and its budget advice, as of the request */
typedef struct {
    const char *period, *time_progress, *execution_rate, *ratio, *color;
    const char *color_label;  /* 绿 / 黄 / 红 / 无 */
    long lagging;             /* indicators lagging */
} jr_mon;

typedef struct {
    int seq;
    const char *description, *status, *status_label, *deadline;
    bool overdue;
} jr_rect;

typedef struct {
    bool present;             /* the model had an "application" object */
    jr_mon *mon;
    size_t nmon;
    jr_rect *rects;
    size_t nrects, nopen;     /* nopen: not yet verified */
    const char *grade, *advice, *decision; /* "" when absent */
    char **owned;
    size_t nowned;
} jr_application;

typedef struct {
    /* evaluation */
    const char *eval_id, *created_at, *created_by, *framework, *framework_version;
    const char *created_at_cst; /* "2026年12月7日 14:40" (China Standard Time), or created_at */
    /* project */
    const char *name, *code, *org, *scope, *supervising_office, *fund_nature;
    int year;                 /* 0 when absent */
    const char *goal_overall, *goal_annual;
    const char *title;        /* 医疗保障基金安全监管项目支出绩效评价报告 */
    const char *score_title;  /* ...评分情况表 / 指标计分表 */
    bool wide;                /* a department-wide or unit-wide assessment */
    const char *kind_label;   /* 项目支出 / 部门整体支出 / 单位整体支出 */
    bool has_reported_total;  /* the document's reported total (on 100) */
    int64_t reported_total;
    const char *reported_grade; /* "" when not reported */
    jr_money_item money[8];
    size_t nmoney;
    /* result */
    int64_t total, max, normalised; /* hundredths */
    const char *grade;
    bool complete;
    const char *grade_text;   /* "等级：优" (+ 百分制 / 下限 notes) */
    bool has_exec_row;        /* execution weight > 0 */
    bool has_rate;
    int64_t rate4;
    bool has_exec_budget, has_exec_executed;
    int64_t exec_budget_fen, exec_executed_fen;
    jr_row *rows;             /* indicators, then execution (if any), then total */
    size_t nrows;
    jr_goal *goals;
    size_t ngoals;
    jr_problem *problems;
    size_t nproblems;
    jr_finding *findings;
    size_t nfindings;
    size_t nerrors, nwarnings, ninfos;
    /* strings made while reading, freed with the model */
    char **owned;
    size_t nowned, capowned;
    jr_application app;       /* application.c */
} jr_model;

/* model.c: reads `model` into *m (answers 0, or -1 with a message in err);
 * jr_model_free() frees what it made, after success and failure alike. */
int jr_model_read(jr_model *m, const json_t *model, char *err, size_t errlen);
void jr_model_free(jr_model *m);
/* application.c: reads model's optional "application" into m->app (0, or
 * -1 with err filled: out of memory); frees it. */
int jr_read_application(jr_model *m, const json_t *model, char *err, size_t errlen);
void jr_free_application(jr_model *m);

/* Each renderer appends its bytes to `out` (or fills it, for xlsx) and
 * answers 0, or -1 with a message in err. */
int jr_render_json(const jr_model *m, jr_buf *out, char *err, size_t errlen);
int jr_render_html(const jr_model *m, jr_buf *out, char *err, size_t errlen);
int jr_render_md(const jr_model *m, jr_buf *out, char *err, size_t errlen);
int jr_render_csv(const jr_model *m, jr_buf *out, char *err, size_t errlen);
int jr_render_xlsx(const jr_model *m, jr_buf *out, char *err, size_t errlen);
int jr_render_pdf(const jr_model *m, jr_buf *out, char *err, size_t errlen);

/* the column headings of the score table, shared so every format agrees */
#define JR_SCORE_COLUMNS 9
extern const char *const jr_score_columns[JR_SCORE_COLUMNS];
/* the goal (completion) list and the findings list headings */
#define JR_GOAL_COLUMNS 8
extern const char *const jr_goal_columns[JR_GOAL_COLUMNS];
#define JR_PROBLEM_COLUMNS 6
extern const char *const jr_problem_columns[JR_PROBLEM_COLUMNS];
#define JR_FINDING_COLUMNS 6
extern const char *const jr_finding_columns[JR_FINDING_COLUMNS];

/* "达成" / "未达成" / "待判断" */
const char *jr_met_label(int met);
void jr_set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* JX_REPORT_INTERNAL */

#ifdef __cplusplus
}
#endif
#endif /* JX_REPORT_H */
