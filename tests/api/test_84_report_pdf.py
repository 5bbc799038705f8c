"""The evaluation report as an A4 PDF (issue 18): GET
/v1/evaluations/{id}/report?format=pdf answers application/pdf with a file
name, and poppler reads back the project name, the total and the grade."""
import re
import shutil
import subprocess

import pytest

from conftest import assert_problem, fixture_files, load_fixture
from evalkit import World, create_project, get, post

FILES = {p.stem: p for p in fixture_files()}


@pytest.fixture(scope="module")
def world(migrated):
    return World()


@pytest.fixture(scope="module")
def evaluation(world):
    doc = load_fixture(FILES["000-suzhou-fund-supervision"])["document"]
    doc["name"] += "（PDF）"
    doc["problems"] = [{"category": "项目管理", "responsible_office": "基金监管科",
                        "description": "业务知识有待提高", "rectification_advice": "加强学习"}]
    pid = create_project(world.t_dept, doc, world.dept).json()["id"]
    r = post(f"/v1/projects/{pid}/evaluations", world.t_dept)
    assert r.status_code == 201, r.text
    return r.json() | {"project_name": doc["name"]}


def pdf_of(world, ev):
    r = get(f"/v1/evaluations/{ev['id']}/report", world.t_dept, format="pdf")
    assert r.status_code == 200, r.text
    return r


def test_report_pdf_headers(world, evaluation):
    r = pdf_of(world, evaluation)
    assert r.headers["Content-Type"] == "application/pdf"
    disp = r.headers["Content-Disposition"]
    assert re.fullmatch(rf'inline; filename="evaluation-{evaluation["id"]}\.pdf"', disp), disp
    assert r.content.startswith(b"%PDF-") and r.content.rstrip().endswith(b"%%EOF")
    assert int(r.headers["Content-Length"]) == len(r.content)


def test_report_pdf_text(world, evaluation, tmp_path):
    """pdftotext finds the project name, the total with its grade and the
    score table; pdffonts shows the CJK font embedded."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_of(world, evaluation).content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, timeout=60).stdout.decode()
    flat = re.sub(r"\s+", "", text)
    assert evaluation["project_name"] in flat
    assert f"评价得分{float(evaluation['total']):.2f}等级{evaluation['grade']}" in flat
    assert "98.50" in text and "评分情况表" in flat and "加强学习" in flat
    assert re.search(r"合计.*98\.50\s+1\.50", text), text[-2000:]
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True, timeout=60).stdout
    assert "NotoSansCJKsc" in fonts and " yes yes " in fonts, fonts


def test_report_pdf_renders(world, evaluation, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_of(world, evaluation).content)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 4 and all(p.stat().st_size > 2000 for p in pages)


def test_report_pdf_tenancy(world, evaluation):
    assert_problem(get(f"/v1/evaluations/{evaluation['id']}/report", world.t_out,
                       format="pdf"), 404)
    r = get(f"/v1/evaluations/{evaluation['id']}/report", world.t_dept, format="PDF")
    assert_problem(r, 400)
    assert "pdf" in r.json()["detail"]


def test_report_pdf_concurrent(world, evaluation, tmp_path):
    """PDFs rendered at once on the server's threads read the same (each call
    has its own font map over the one font configuration)."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as pool:
        bodies = list(pool.map(lambda _: pdf_of(world, evaluation).content, range(8)))
    texts = set()
    for k, body in enumerate(bodies):
        path = tmp_path / f"r{k}.pdf"
        path.write_bytes(body)
        texts.add(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                                 check=True, timeout=60).stdout)
    assert len(texts) == 1


def test_report_pdf_too_large_is_422(world):
    """A PDF beyond 500 pages is the caller's to mend (another format): 422
    naming the limit, while the same report in html is served."""
    doc = load_fixture(FILES["000-suzhou-fund-supervision"])["document"]
    doc["name"] += "（超长）"
    base = doc["indicators"]
    doc["indicators"] = [dict(base[k % len(base)], name=f"{base[k % len(base)]['name']}{k}",
                              deviation_reason="未完成原因" * 300) for k in range(300)]
    for ind in doc["indicators"]:
        ind.pop("id", None)
    pid = create_project(world.t_dept, doc, world.dept).json()["id"]
    ev = post(f"/v1/projects/{pid}/evaluations", world.t_dept)
    assert ev.status_code == 201, ev.text
    r = get(f"/v1/evaluations/{ev.json()['id']}/report", world.t_dept, format="pdf")
    assert_problem(r, 422)
    assert r.json()["type"].endswith("report-too-large")
    assert "500 页" in r.json()["detail"] and "html" in r.json()["detail"]
    assert get(f"/v1/evaluations/{ev.json()['id']}/report", world.t_dept,
               format="html").status_code == 200
