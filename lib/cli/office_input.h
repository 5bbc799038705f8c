/*
 * lib/cli/office_input.h -- jixiao-score's reading of .xlsx/.docx files and
 * of --framework (kept apart from jixiao-score.c, whose JSON path stays as it
 * was).
 */
#ifndef JX_CLI_OFFICE_INPUT_H
#define JX_CLI_OFFICE_INPUT_H

#include <stddef.h>

/* True when the bytes are a zip: an .xlsx or .docx, or a refusal saying why not. */
int jx_cli_is_office(const char *buf, size_t len);

/* Scores every 自评表 of the file and prints a JSON array of results (each
 * with the "name" and "place" it read) or, for format "table", one score
 * table per 自评表.  framework: NULL, a built-in id or a JSON file.
 * Returns the exit status (0 every table scored, 1 otherwise, 2 bad usage). */
int jx_cli_score_office(const char *file, const char *buf, size_t len, const char *framework,
                        const char *format);

/* A JSON document with its "framework" replaced by the --framework argument
 * (an id, or the object in a JSON file).  malloc'd text, or NULL with the
 * reason printed. */
char *jx_cli_with_framework(const char *text, size_t len, const char *framework, size_t *outlen);

/* Writes the blank 自评表 .xlsx of a framework (id or JSON file; NULL:
 * project-2020) to standard output.  Returns the exit status. */
int jx_cli_template(const char *framework);

#endif
