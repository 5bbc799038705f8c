/*
 * fuzz_ruletext: bytes as a rule text (评分标准, scoring.md §8) ->
 * jx_rule_text_json.  A text read must give a rule object of a kind §8
 * names, keeping the text, that the document loader accepts back and scores;
 * a text refused must say RULE_UNREADABLE with a message.  Crashes,
 * sanitizer reports and broken invariants (abort) are failures.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jixiao.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jx_ctx *ctx;

/* the rule object inside a minimal document: it must load and score */
static void round_trip(json_t *rule)
{
    json_t *doc = json_pack("{s:s,s:[{s:s,s:s,s:s,s:i,s:s,s:s,s:O}]}", "scope", "project",
                            "indicators", "level1", "产出指标", "level2", "质量指标", "name", "x",
                            "weight", 10, "target", "≥90%", "actual", "85%", "rule", rule);
    if (!doc)
        abort();
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text)
        abort();
    char *out = NULL;
    size_t len = 0;
    jx_errors errs;
    jx_status st = jx_score_json(ctx, text, strlen(text), &out, &len, &errs);
    if (st != JX_OK || !out) {
        fprintf(stderr, "rule read but refused by the loader: %s\n  %s\n", text,
                errs.count ? errs.items[0].message : "");
        abort();
    }
    json_t *res = json_loads(out, 0, NULL);
    if (!res)
        abort();
    json_t *ind = json_array_get(json_object_get(res, "indicators"), 0);
    double s = json_number_value(json_object_get(ind, "score"));
    if (s < 0 || s > 10 || !json_is_string(json_object_get(ind, "rule_text")))
        abort();
    json_decref(res);
    free(out);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx && !(ctx = jx_ctx_new()))
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    jx_error err;
    memset(&err, 0, sizeof err);
    char *j = jx_rule_text_json(text, &err);
    if (j) {
        json_t *r = json_loads(j, 0, NULL);
        if (!json_is_object(r))
            abort();
        const char *kind = json_string_value(json_object_get(r, "kind"));
        if (!kind || (strcmp(kind, "step") && strcmp(kind, "ratio") && strcmp(kind, "threshold")))
            abort();
        if (!json_is_string(json_object_get(r, "text")) ||
            strcmp(json_string_value(json_object_get(r, "text")), text) != 0)
            abort();   /* (a text Jansson could not hold, bad UTF-8, is never read) */
        if (!strcmp(kind, "step") && (json_number_value(json_object_get(r, "per")) <= 0 ||
                                      json_number_value(json_object_get(r, "deduct")) <= 0))
            abort();
        round_trip(r);
        json_decref(r);
        free(j);
    } else if (strcmp(err.code, "RULE_UNREADABLE") != 0 || !err.message[0] ||
               !memchr(err.message, 0, sizeof err.message)) {
        abort();
    }
    free(text);
    return 0;
}
