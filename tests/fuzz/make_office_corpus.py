#!/usr/bin/python3
"""make_office_corpus.py [SHARED_DIR]: regenerates the seed corpora of
fuzz_xlsx and fuzz_docx under corpus/: the sheet XML and document.xml of
自评表 files made from the fixtures (tests/office/gen.py), a few whole small
containers, and hostile parts (a DOCTYPE, merges out of range, a far cell).
The result is committed; run.sh fuzzes a copy of it."""
import io
import json
import pathlib
import sys
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "office"))
import gen  # noqa: E402

SHARED = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parent.parent.parent / "shared")
X = HERE / "corpus" / "fuzz_xlsx"
D = HERE / "corpus" / "fuzz_docx"
X.mkdir(parents=True, exist_ok=True)
D.mkdir(parents=True, exist_ok=True)

docs = [json.loads(f.read_text())["document"] for f in sorted((SHARED / "fixtures").glob("0*.json"))]
tmp = pathlib.Path("/tmp/jx-office-corpus")
tmp.mkdir(exist_ok=True)
for i, doc in enumerate(docs[:4]):
    doc = dict(doc, indicators=doc["indicators"][:4])
    for style in ("plain", "synonyms"):
        rows, merges = gen.rows_of(doc, style=style, fullwidth=(style == "synonyms"))
        gen.write_xlsx(tmp / "a.xlsx", [("Sheet1", rows, merges)])
        with zipfile.ZipFile(tmp / "a.xlsx") as z:
            sheet = z.read("xl/worksheets/sheet1.xml")
            sst = z.namelist()
        (X / ("sheet-%d-%s.xml" % (i, style))).write_bytes(sheet)
        gen.write_docx(tmp / "a.docx", [("项目绩效自评表", rows, merges)])
        with zipfile.ZipFile(tmp / "a.docx") as z:
            body = z.read("word/document.xml")
        (D / ("document-%d-%s.xml" % (i, style))).write_bytes(body)

# whole containers: a workbook with shared strings, a minimal document
rows, merges = gen.rows_of(dict(docs[1], indicators=docs[1]["indicators"][:2]))
gen.write_xlsx(tmp / "w.xlsx", [("Sheet1", rows, merges)])
buf = io.BytesIO()
with zipfile.ZipFile(tmp / "w.xlsx") as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
    for n in src.namelist():
        if n.startswith("xl/") or n == "[Content_Types].xml":
            if "theme" not in n:
                dst.writestr(n, src.read(n))
(X / "whole.xlsx").write_bytes(buf.getvalue())
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    z.writestr("word/document.xml", (D / "document-1-plain.xml").read_bytes())
(D / "whole.docx").write_bytes(buf.getvalue())

# hostile parts
(X / "doctype.xml").write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><worksheet/>')
(X / "merges.xml").write_text(
    '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>三级指标</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>年度指标值</t></is></c></row><row r="2"><c r="A2"><v>1</v></c>'
    '</row></sheetData><mergeCells><mergeCell ref="A1:XFD1048576"/><mergeCell ref="B2:A1"/>'
    '</mergeCells></worksheet>')
(X / "far.xml").write_text('<worksheet><sheetData><row r="1048576"><c r="XFD1048576" t="s">'
                           '<v>7</v></c></row></sheetData></worksheet>')
(D / "nested.xml").write_text(
    '<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>表</w:t></w:r></w:p><w:tbl><w:tr><w:tc>'
    '<w:tcPr><w:gridSpan w:val="99999"/><w:vMerge/></w:tcPr><w:tbl><w:tr><w:tc><w:p><w:r><w:t>'
    '三级指标</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl></w:body></w:document>')
(D / "doctype.xml").write_text('<!DOCTYPE d SYSTEM "file:///etc/passwd"><w:document/>')
print("corpus: %d xlsx seeds, %d docx seeds" % (len(list(X.iterdir())), len(list(D.iterdir()))))
