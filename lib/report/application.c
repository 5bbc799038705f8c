/*
 * application.c -- the results-application part of a report (issue 20):
 * the project's mid-year monitoring colours, its 整改 items and its budget
 * advice, read from the model's optional "application" object
 * (docs/reports.md).  A model without it renders as before.
 *
 * Lenient by design: the object is built by the server from live state, so
 * an item of the wrong shape is skipped rather than failing the whole
 * report; text is copied with control characters replaced, as report.c
 * does for the rest of the model.
 */
#define JX_REPORT_INTERNAL
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 1000

/* A cleaned copy of v's string (or ""), owned by app; NULL when out of memory. */
static const char *own(jr_application *a, const json_t *v)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    size_t n = strlen(s), i;
    char *c, **grown;

    grown = realloc(a->owned, (a->nowned + 1) * sizeof *a->owned);
    if (!grown)
        return NULL;
    a->owned = grown;
    c = malloc(n + 1);
    if (!c)
        return NULL;
    for (i = 0; i < n; i++)
        c[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
    c[n] = '\0';
    a->owned[a->nowned++] = c;
    return c;
}

static const char *color_label(const char *c)
{
    return !strcmp(c, "green") ? "绿" : !strcmp(c, "yellow") ? "黄" : !strcmp(c, "red") ? "红"
                                                                                   : "无";
}

static const char *status_label(const char *s)
{
    return !strcmp(s, "open")          ? "待整改"
           : !strcmp(s, "in_progress") ? "整改中"
           : !strcmp(s, "done")        ? "已完成待验收"
           : !strcmp(s, "verified")    ? "已验收"
           : !strcmp(s, "reopened")    ? "退回重改"
                                       : s;
}

static int read_mon(jr_application *a, const json_t *arr)
{
    size_t i, n = json_array_size(arr);
    const json_t *o;

    if (n > MAX_ITEMS)
        n = MAX_ITEMS;
    a->mon = calloc(n ? n : 1, sizeof *a->mon);
    if (!a->mon)
        return -1;
    for (i = 0; i < n; i++) {
        jr_mon *m = &a->mon[a->nmon];

        o = json_array_get(arr, i);
        if (!json_is_object(o))
            continue;
        if (!(m->period = own(a, json_object_get(o, "period"))) ||
            !(m->time_progress = own(a, json_object_get(o, "time_progress"))) ||
            !(m->execution_rate = own(a, json_object_get(o, "execution_rate"))) ||
            !(m->ratio = own(a, json_object_get(o, "ratio"))) ||
            !(m->color = own(a, json_object_get(o, "color"))))
            return -1;
        m->color_label = color_label(m->color);
        m->lagging = (long)json_integer_value(json_object_get(o, "lagging"));
        a->nmon++;
    }
    return 0;
}

static int read_rects(jr_application *a, const json_t *arr)
{
    size_t i, n = json_array_size(arr);
    const json_t *o;

    if (n > MAX_ITEMS)
        n = MAX_ITEMS;
    a->rects = calloc(n ? n : 1, sizeof *a->rects);
    if (!a->rects)
        return -1;
    for (i = 0; i < n; i++) {
        jr_rect *r = &a->rects[a->nrects];

        o = json_array_get(arr, i);
        if (!json_is_object(o))
            continue;
        if (!(r->description = own(a, json_object_get(o, "description"))) ||
            !(r->status = own(a, json_object_get(o, "status"))) ||
            !(r->deadline = own(a, json_object_get(o, "deadline"))))
            return -1;
        r->status_label = status_label(r->status);
        r->overdue = json_is_true(json_object_get(o, "overdue"));
        r->seq = (int)++a->nrects;
        a->nopen += strcmp(r->status, "verified") != 0;
    }
    return 0;
}

int jr_read_application(jr_model *m, const json_t *model, char *err, size_t errlen)
{
    jr_application *a = &m->app;
    const json_t *app = json_object_get(model, "application"), *adv;

    memset(a, 0, sizeof *a);
    if (!json_is_object(app))
        return 0;
    a->present = true;
    adv = json_object_get(app, "advice");
    if (read_mon(a, json_object_get(app, "monitoring")) < 0 ||
        read_rects(a, json_object_get(app, "rectifications")) < 0 ||
        !(a->grade = own(a, json_object_get(adv, "grade"))) ||
        !(a->advice = own(a, json_object_get(adv, "advice"))) ||
        !(a->decision = own(a, json_object_get(adv, "decision")))) {
        jr_set_err(err, errlen, "内存不足 (out of memory)");
        return -1;
    }
    return 0;
}

void jr_free_application(jr_model *m)
{
    jr_application *a = &m->app;
    size_t i;

    for (i = 0; i < a->nowned; i++)
        free(a->owned[i]);
    free(a->owned);
    free(a->mon);
    free(a->rects);
    memset(a, 0, sizeof *a);
}
