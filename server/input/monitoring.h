/*
 * input/monitoring.h -- decoding the bodies and query strings of mid-year
 * monitoring (双监控), rectification (整改) and budget advice (结果应用):
 * periods, amounts and indicator progress parsed by the scoring library's
 * public parsers (jixiao.h), without HTTP or SQL.
 */
#ifndef JX_INPUT_MONITORING_H
#define JX_INPUT_MONITORING_H

#include <jansson.h>
#include <stdint.h>

#include "jixiao.h"

/* A reporting period: "2024-06" (a month's end) or "2024-Q2" (a quarter's). */
typedef struct {
    int year;
    int months;          /* months elapsed at the period's end: 1..12 */
    char text[12];       /* as written, canonical */
} mon_period;

/* 0, or -1 when s is not a period. */
int mon_period_parse(const char *s, mon_period *p);

/* PUT /v1/projects/{id}/monitoring/{period}. */
typedef struct {
    int64_t executed_fen;
    char executed[32];          /* yuan, two decimals */
    char executed_written[96];  /* as written when it differs, else "" */
    const char *notes, *reasons; /* NULL = none; point into the body */
    char *progress;             /* the stored progress (JSON array), malloc'd */
} mon_in;

/* Decodes body against the project's stored document `project` (its
 * indicators with ids and targets): every problem into errs (unknown
 * fields as JX_EFIELD).  0 when errs is empty (in filled; free with
 * mon_in_free). */
int mon_decode(json_t *body, json_t *project, mon_in *in, jx_errors *errs);
void mon_in_free(mon_in *in);

/* PUT /v1/monitoring/thresholds: {"green": 0.8, "yellow": 0.6}, as text of
 * four decimals at most ("0.8"), 0 < yellow < green <= 10. */
typedef struct {
    char green[16], yellow[16];
} mon_thresholds_in;
int mon_thresholds_decode(json_t *body, mon_thresholds_in *in, jx_errors *errs);

/* PATCH /v1/rectifications/{id}. */
typedef struct {
    const char *status;     /* NULL = unchanged */
    const char *note, *evidence; /* NULL = unchanged */
    char deadline[12];      /* "" = unchanged; YYYY-MM-DD */
} rect_patch_in;
int rect_patch_decode(json_t *body, rect_patch_in *in, jx_errors *errs);

/* The statuses an item may move to from `from`, as a NULL-terminated list
 * (empty for verified). */
const char *const *rect_next(const char *from);
/* 1 when `to` is among rect_next(from). */
int rect_allowed(const char *from, const char *to);
/* 1 when the move to `to` is the reviewer's (verified, reopened). */
int rect_is_review(const char *to);

/* PUT /v1/advice/rules: {"rules": {"优": "保持或优先保障", ...}} into a JSON
 * array text [[grade, advice], ...] (malloc'd, *out). */
int advice_rules_decode(json_t *body, char **out, jx_errors *errs);

/* PUT /v1/projects/{id}/advice: {"decision": "...", "amount": "12万元",
 * "note": "..."}; amount optional (yuan text, "" = none). */
typedef struct {
    const char *decision, *note;
    char amount[32];
} advice_decision_in;
int advice_decision_decode(json_t *body, advice_decision_in *in, jx_errors *errs);

#endif
