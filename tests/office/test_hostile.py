"""Hostile files: each refused clearly, within bounded time and memory
(conftest.run limits every run to 2 GiB of address space and 60 s of CPU)."""
import io
import json
import time
import zipfile

import pytest

from conftest import run

CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
      'package/2006/content-types"></Types>')
WB = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>%s'
      '</sheets></workbook>')
RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships">%s</Relationships>')


def xlsx(path, sheets):
    """sheets: [(name, xml text or a writer fn(f))]"""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("xl/workbook.xml", WB % "".join(
            '<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (n, i + 1, i + 1)
            for i, (n, _) in enumerate(sheets)))
        z.writestr("xl/_rels/workbook.xml.rels", RELS % "".join(
            '<Relationship Id="rId%d" Target="worksheets/sheet%d.xml"/>' % (i + 1, i + 1)
            for i in range(len(sheets))))
        for i, (_, body) in enumerate(sheets):
            if callable(body):
                with z.open("xl/worksheets/sheet%d.xml" % (i + 1), "w", force_zip64=True) as f:
                    body(f)
            else:
                z.writestr("xl/worksheets/sheet%d.xml" % (i + 1), body)


def refused(path, code):
    t = time.monotonic()
    rc, out, err = run(path)
    assert rc == 1, (out, err)
    assert code in err, err
    assert time.monotonic() - t < 60
    return err


SHEET_HEAD = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_TAIL = '</sheetData></worksheet>'


def test_zip_bomb_ratio(tmp_path):
    """One entry inflating far past 200 × its size."""
    def body(f):
        f.write(SHEET_HEAD.encode())
        chunk = b" " * (1 << 20)
        for _ in range(400):  # 400 MiB of spaces, a few hundred KiB compressed
            f.write(chunk)
        f.write(SHEET_TAIL.encode())
    p = tmp_path / "bomb.xlsx"
    xlsx(p, [("Sheet1", body)])
    assert p.stat().st_size < 2 << 20
    err = refused(p, "ZIP_BOMB")
    assert "解压" in err


def test_zip_bomb_total(tmp_path):
    """Many entries, each within the ratio floor, together past the total."""
    body = SHEET_HEAD + " " * ((1 << 20) - 200) + SHEET_TAIL
    p = tmp_path / "total.xlsx"
    xlsx(p, [("S%d" % i, body) for i in range(300)])
    refused(p, "ZIP_BOMB")


def test_billion_laughs(tmp_path):
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join('<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i else "&lol;") * 10)
                     for i in range(10))
           + ']>' + SHEET_HEAD + '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
           + SHEET_TAIL)
    p = tmp_path / "lol.xlsx"
    xlsx(p, [("Sheet1", lol)])
    refused(p, "XML_DOCTYPE")


def test_external_entity_docx(tmp_path):
    doc = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
           '</w:body></w:document>')
    p = tmp_path / "xxe.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("word/document.xml", doc)
    err = refused(p, "XML_DOCTYPE")
    assert "root:" not in err


def test_million_rows(tmp_path):
    """A sheet of a million rows: refused at the cell bound, memory bounded."""
    def body(f):
        f.write(SHEET_HEAD.encode())
        buf = io.StringIO()
        for r in range(1, 1_000_002):
            buf.write('<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (r, r))
            if r % 50000 == 0:
                f.write(buf.getvalue().encode())
                buf = io.StringIO()
        f.write(buf.getvalue().encode())
        f.write(SHEET_TAIL.encode())
    p = tmp_path / "rows.xlsx"
    xlsx(p, [("Sheet1", body)])
    err = refused(p, "TOO_MANY_CELLS")
    assert "1000000" in err


def test_far_cell(tmp_path):
    """One cell at XFD1048576 does not make a grid of 17 billion cells."""
    body = SHEET_HEAD + ('<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
                         '</row>') + SHEET_TAIL
    p = tmp_path / "far.xlsx"
    xlsx(p, [("Sheet1", body)])
    refused(p, "TOO_MANY_CELLS")


@pytest.mark.parametrize("name,data,code", [
    ("empty.xlsx", b"", "NOT_OFFICE"),
    ("text.docx", "项目名称,一级指标\n".encode(), "NOT_OFFICE"),
    ("magic.xlsx", b"PK\x03\x04" + b"\0" * 200, "NOT_OFFICE"),
])
def test_not_office(tmp_path, name, data, code):
    p = tmp_path / name
    p.write_bytes(data)
    rc, out, err = run(p)
    assert rc != 0


def test_truncated_and_corrupt(tmp_path):
    from test_files import make
    import gen
    fx = json.loads(open(__import__("conftest").SHARED / "fixtures" /
                         "000-suzhou-fund-supervision.json").read())
    good = make(tmp_path, "xlsx", fx["document"])
    data = good.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    refused(cut, "NOT_OFFICE")
    # flip bytes inside the compressed data: a CRC or inflate error, not a crash
    bad = bytearray(data)
    for i in range(200, min(len(bad) - 200, 4000), 97):
        bad[i] ^= 0x5A
    p = tmp_path / "flipped.xlsx"
    p.write_bytes(bytes(bad))
    rc, out, err = run(p)
    assert rc in (0, 1) and ("Traceback" not in err)


def test_no_parts(tmp_path):
    p = tmp_path / "zip.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    err = refused(p, "NOT_OFFICE")
    assert "[Content_Types].xml" in err


def test_deep_nesting(tmp_path):
    """A part of nothing but open tags: refused at a depth bound."""
    body = SHEET_HEAD + "<a>" * 3_000_000
    p = tmp_path / "deep.xlsx"
    xlsx(p, [("Sheet1", body)])
    refused(p, "XML_TOO_DEEP")
