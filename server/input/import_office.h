/*
 * input/import_office.h -- POST /v1/import with an .xlsx or .docx body: each
 * 自评表 in it (read by lib/office) one record, a project body as the JSON
 * form of the import takes it; and the summary told in the file's places.
 */
#ifndef JX_INPUT_IMPORT_OFFICE_H
#define JX_INPUT_IMPORT_OFFICE_H

#include <jansson.h>

#include "server.h"

typedef struct {
    json_t *records; /* project bodies, one per 自评表, in the file's order */
    json_t *pre;     /* per record: [] or the reader's errors [{code, message, place}] */
    json_t *tables;  /* per record: {place, name, places} */
    json_t *skipped; /* tables that are not 自评表: [{place, name, skipped}] */
    json_t *read;    /* every table as read (the dry run's "documents") */
} office_import;

/* The body is an .xlsx/.docx: by its media type, or (any other type but
 * JSON and CSV) sniffed: a zip holding [Content_Types].xml and a workbook
 * or a document. */
int import_is_office(const jx_req *req);

/* Reads the body and ?org_id= ?year= ?framework= into o.  0, or -1 with
 * the problem in resp (422 a file that cannot be read, 400 a bad query). */
int import_office_records(const jx_req *req, jx_resp *resp, office_import *o);

void office_import_free(office_import *o);

/* Tells the summary in the file's places: "place" and "name" on each
 * project and rejection, "skipped" tables, and on a dry run the
 * "documents" as read.  0, or -1 when memory ran out. */
int import_office_decorate(json_t *summary, const office_import *o, int dry_run);

#endif
