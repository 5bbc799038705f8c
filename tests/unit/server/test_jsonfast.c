/*
 * test_jsonfast.c -- server/jsonfast.c against Jansson: on every input it
 * accepts, the tree is the one json_loadb(..., JSON_REJECT_DUPLICATES)
 * builds (values, integer or real, key order); every input Jansson
 * refuses, it refuses too (so the caller asks Jansson for the error); and
 * the valid oddities it leaves to Jansson are listed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfast.h"
#include "jxtest.h"

/* expect: 1 accepted with Jansson's tree, 0 left to Jansson (valid or not). */
static void check(const char *text, size_t len, int expect)
{
    json_t *fast = jsonfast_load(text, len);
    json_t *slow = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);

    jt_case("%.*s", (int)(len > 60 ? 60 : len), text);
    if (fast) {
        CHECK(slow != NULL);
        if (slow)
            CHECK(jsonfast_identical(fast, slow));
    }
    CHECK_INT(fast != NULL, expect);
    json_decref(fast);
    json_decref(slow);
}

#define OK(s) check(s, sizeof s - 1, 1)
#define NO(s) check(s, sizeof s - 1, 0)

/* Every fixture document of ../shared/fixtures, whole: what users bring. */
static void fixtures(int argc, char **argv)
{
    char dir[4096], path[4200];
    char **names;
    size_t n, i, len;

    snprintf(dir, sizeof dir, "%s/fixtures", jt_shared_dir(argc, argv));
    n = jt_list_fixtures(dir, &names);
    jt_case("fixtures in %s", dir);
    CHECK(n > 0);
    for (i = 0; i < n; i++) {
        char *text;

        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        text = jt_read_file(path, &len);
        if (!CHECK(text != NULL))
            continue;
        check(text, len, 1);
        free(text);
    }
    jt_free_list(names, n);
}

int main(int argc, char **argv)
{
    /* accepted, and Jansson's tree */
    OK("{}");
    OK("[]");
    OK(" \t\r\n{ \"a\" : 1 , \"b\":[true,false,null] } \n");
    OK("{\"z\":1,\"a\":2,\"m\":3}");                       /* key order kept */
    OK("[0,-0,1,-1,9223372036854775807,-9223372036854775808]");
    OK("[0.0,-0.0,1.5,-2.25e3,1E2,1e+2,1e-2,97.2,0.1,1e-400,123456789012345678901234567890.5]");
    OK("[\"\",\"plain\",\"宿州市医疗保障局\",\"≥5次\",\"𝄞\"]");
    OK("[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"]");
    OK("[\"\\u00e9\\u4e2d\\uD834\\uDD1E\\u0001\",\"a\\u0041b\"]");
    OK("{\"\\u4e2d\":\"key escaped\",\"中\\n\":\"mixed\"}");
    OK("{\"a\":{\"b\":{\"c\":[[[{}]]]}}}");
    OK("{\"name\":\"'; DROP TABLE projects;--\"}");

    /* refused by Jansson, so refused here */
    NO("");
    NO("   ");
    NO("{");
    NO("{\"a\":1,}");
    NO("[1,]");
    NO("{\"a\" 1}");
    NO("{a:1}");
    NO("[01]");
    NO("[1.]");
    NO("[.5]");
    NO("[-]");
    NO("[1e]");
    NO("[+1]");
    NO("[1x]");
    NO("[truex]");
    NO("[nul]");
    NO("{\"a\":1}x");
    NO("{\"a\":1}{}");
    NO("[\"\\x\"]");
    NO("[\"\\u12\"]");
    NO("[\"\\u0000\"]");
    NO("[\"\\uDD1E\"]");
    NO("[\"\\uD834\"]");
    NO("[\"\\uD834\\u0041\"]");
    NO("[\"tab\there\"]");
    NO("[\"\xC0\xAF\"]");              /* overlong */
    NO("[\"\xED\xA0\x80\"]");          /* a surrogate in UTF-8 */
    NO("[\"\xF4\x90\x80\x80\"]");      /* above U+10FFFF */
    NO("[\"\xE4\xB8\"]");              /* cut short */
    NO("[\"\xFF\"]");
    NO("[\"unterminated]");
    NO("{\"a\":1,\"a\":2}");           /* duplicate key */
    NO("[9223372036854775808]");       /* too big an integer */
    NO("[-9223372036854775809]");
    NO("[1e400]");                     /* real overflow */
    NO("\"top\"");                     /* neither object nor array */
    NO("1");
    NO("\xEF\xBB\xBF{}");              /* a byte-order mark */
    check("[1]\0", 4, 0);              /* a NUL after the value */
    check("[\"a\0b\"]", 7, 0);         /* a NUL in a string */

    /* valid, but left to Jansson */
    NO("[1234567890123456789012345678901234567890123456789012345678901234.5]");
    {
        static char deep[2 * 600 + 1];

        memset(deep, '[', 600);
        memset(deep + 600, ']', 600);
        check(deep, 1200, 0);
    }
    fixtures(argc, argv);
    return jt_finish("jsonfast");
}
