/*
 * lib/office/xml.c -- expat over one container entry, hardened.
 *
 * Office XML never needs a DTD, so any DOCTYPE is refused outright
 * (XML_DOCTYPE): that shuts out entity expansion ("billion laughs") and
 * external entities before expat would read a declaration.  Entity
 * declarations and external references are refused as well, should a
 * parser version report them another way.  Handlers see element and
 * attribute names without their namespace prefix ("w:tc" -> "tc"), which is
 * how the parts are written in practice.
 */
#include "internal.h"

#include <string.h>

#include <expat.h>

typedef struct {
    XML_Parser p;
    jx_xml_handlers *h;
    jx_office_error *err;
    const char *entry;
    bool refused;
    unsigned depth;
} xml_run;

/* Office parts nest a few dozen elements deep; expat keeps a record per open
 * element, so a part of nothing but open tags would cost memory in
 * proportion to its size: deeper than this is refused. */
#define MAX_DEPTH 512u

static const char *local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static void refuse(xml_run *x, const char *what)
{
    jx_office_fail(x->err, JX_OFFICE_EFORMAT, "XML_DOCTYPE",
                   "部件 '%s' 含有 %s，拒绝读取（办公文档不使用 DTD 或实体）"
                   " (DTDs and entities are refused)",
                   x->entry, what);
    x->refused = true;
    XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_doctype(void *u, const XML_Char *name, const XML_Char *sys,
                               const XML_Char *pub, int internal)
{
    (void)name, (void)sys, (void)pub, (void)internal;
    refuse(u, "DOCTYPE 声明");
}

static void XMLCALL on_entity(void *u, const XML_Char *name, int param, const XML_Char *value,
                              int vlen, const XML_Char *base, const XML_Char *sys,
                              const XML_Char *pub, const XML_Char *notation)
{
    (void)name, (void)param, (void)value, (void)vlen, (void)base, (void)sys, (void)pub,
        (void)notation;
    refuse(u, "实体声明");
}

static int XMLCALL on_external(XML_Parser p, const XML_Char *ctx, const XML_Char *base,
                               const XML_Char *sys, const XML_Char *pub)
{
    (void)p, (void)ctx, (void)base, (void)sys, (void)pub;
    return XML_STATUS_ERROR;
}

static void XMLCALL on_start(void *u, const XML_Char *name, const XML_Char **attrs)
{
    xml_run *x = u;
    if (++x->depth > MAX_DEPTH) {
        if (!x->refused) {
            jx_office_fail(x->err, JX_OFFICE_ELIMIT, "XML_TOO_DEEP",
                           "部件 '%s' 的元素嵌套超过 %u 层，拒绝读取 (XML nested too deep)",
                           x->entry, MAX_DEPTH);
            x->refused = true;
            XML_StopParser(x->p, XML_FALSE);
        }
        return;
    }
    if (x->h->start)
        x->h->start(x->h->u, local(name), attrs);
}

static void XMLCALL on_end(void *u, const XML_Char *name)
{
    xml_run *x = u;
    if (x->depth-- > MAX_DEPTH)
        return;
    if (x->h->end)
        x->h->end(x->h->u, local(name));
}

static void XMLCALL on_text(void *u, const XML_Char *s, int len)
{
    xml_run *x = u;
    if (x->h->text)
        x->h->text(x->h->u, s, len);
}

const char *jx_xml_attr(const char **attrs, const char *name)
{
    for (size_t i = 0; attrs && attrs[i]; i += 2)
        if (strcmp(local(attrs[i]), name) == 0)
            return attrs[i + 1];
    return NULL;
}

void jx_xml_stop(jx_xml_handlers *h)
{
    XML_StopParser((XML_Parser)h->parser, XML_FALSE);
}

static bool sink(void *u, const char *buf, size_t len, bool last)
{
    xml_run *x = u;
    if (XML_Parse(x->p, buf, (int)len, last) != XML_STATUS_OK) {
        if (x->err->status == JX_OFFICE_OK)
            jx_office_fail(x->err, JX_OFFICE_EFORMAT, "XML_MALFORMED",
                           "部件 '%s' 的 XML 有误（第 %lu 行第 %lu 列：%s） (malformed XML)",
                           x->entry, (unsigned long)XML_GetCurrentLineNumber(x->p),
                           (unsigned long)XML_GetCurrentColumnNumber(x->p),
                           XML_ErrorString(XML_GetErrorCode(x->p)));
        return false;
    }
    return true;
}

bool jx_xml_parse(jx_zip *z, const char *entry, jx_xml_handlers *h, jx_office_error *err)
{
    xml_run x = {.h = h, .err = err, .entry = entry};
    x.p = XML_ParserCreate(NULL);
    if (!x.p) {
        jx_office_fail(err, JX_OFFICE_ENOMEM, "NO_MEMORY", "内存不足 (out of memory)");
        return false;
    }
    h->parser = x.p;
    h->err = err;
    XML_SetUserData(x.p, &x);
    XML_SetParamEntityParsing(x.p, XML_PARAM_ENTITY_PARSING_NEVER);
    XML_SetStartDoctypeDeclHandler(x.p, on_doctype);
    XML_SetEntityDeclHandler(x.p, on_entity);
    XML_SetExternalEntityRefHandler(x.p, on_external);
    XML_SetElementHandler(x.p, on_start, on_end);
    XML_SetCharacterDataHandler(x.p, on_text);
    bool ok = jx_zip_stream(z, entry, sink, &x, err) && err->status == JX_OFFICE_OK;
    XML_ParserFree(x.p);
    h->parser = NULL;
    return ok;
}
