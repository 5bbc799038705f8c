"""A unit filing: its projects, a project's page, the XSS name, import."""
import json

import pytest
import requests
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from conftest import BASE, XSS, api


def test_projects_list_with_scores_and_the_xss_name_as_text(b, data):
    b.login(data["tokens"]["sz-zx"])
    b.el("table.list")
    b.idle()
    heads = [th.text for th in b.els("table.list th")]
    for h in ("项目名称", "状态", "最新得分", "等级", "完整", "发现的问题"):
        assert h in heads
    names = [a.text for a in b.els("table.list td a")]
    assert XSS in names, names                      # shown as text ...
    assert not b.els("table.list img")              # ... never as markup
    row = b.d.find_element(By.XPATH, "//tr[td/a[normalize-space(.)='城镇职工的各项保险和大学生保险']]")
    assert "已提交" in row.text and "否（下限）" in row.text and "警告 7" in row.text
    b.shot("unit-projects")
    b.click(f"a[href='#/projects/{data['xss']}']")
    b.text_in("#view h1", XSS)
    b.el("#score-table")
    assert not b.els("main img")
    try:
        b.d.switch_to.alert
        raise AssertionError("an alert ran: the name was rendered as markup")
    except NoAlertPresentException:
        pass
    b.shot("project-xss-name")


def test_paging_with_cursors(b, data):
    b.login(data["tokens"]["sz-fin"])
    b.go("#/projects?year=2022")
    b.el("table.list")
    b.idle()
    # page size 20: the demo has fewer, so the next page button is disabled
    nxt = b.d.find_element(By.XPATH, "//button[normalize-space(.)='下一页']")
    assert nxt.get_attribute("disabled") is not None
    b.go("#/projects?status=accepted&year=2001")
    b.text_in(".paged", "没有符合条件的项目")


def test_import_dry_run_then_file(b, data, tmp_path):
    tok = data["tokens"]["sz-zx"]
    record = {"year": 2023, "name": "导入测试项目", "fund_nature": "本级项目",
              "budget": {"adjusted": "5万元", "executed": "4.5万元"},
              "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "服务人次",
                              "weight": 50, "target": "≥10人次", "actual": "12人次"}]}
    f = tmp_path / "projects.json"
    f.write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("year,name,level1,level2,indicator,weight,target\n"
                   "2023,坏记录,产出指标,数量指标,次数,20,大于三十\n", encoding="utf-8")
    b.expect_http_error("/v1/import")   # an all-or-nothing refusal may answer 422
    b.login(tok)
    b.click("a[href='#/import']")
    b.el("#import-file").send_keys(str(bad))
    b.click("#btn-dry-run")
    b.text_in("#import-result", "试导入结果（未保存）")
    assert "被拒绝的记录" in b.el("#import-result").text
    assert not b.els("#btn-import")
    b.el("#import-file").send_keys(str(f))
    b.click("#btn-dry-run")
    b.text_in("#import-result", "试导入结果（未保存）")
    b.shot("unit-import-dry-run")
    names = [p["name"] for p in api("GET", "/v1/projects?limit=1000", tok).json()["items"]]
    assert "导入测试项目" not in names                 # a dry run stores nothing
    b.click("#btn-import")
    b.text_in("#import-result", "已导入")
    names = [p["name"] for p in api("GET", "/v1/projects?limit=1000", tok).json()["items"]]
    assert "导入测试项目" in names


def test_wide_assessment_page(b, data):
    b.login(data["tokens"]["hs-zx"])
    b.click("a[href='#/assessments']")
    b.el("table.list")
    b.idle()
    b.click("table.list td a")
    b.el("#score-table")
    b.idle()
    assert "部门整体" in b.el(".subtitle").text
    assert "合计" in b.el("#row-total").text
    assert "发现的问题（4 项）" in b.el("#findings-title").text
    b.shot("unit-assessment")


def test_import_xlsx_dry_run_shows_what_was_read(b, data, tmp_path):
    """An .xlsx 自评表 (the framework's blank template, when the server has
    file import) is sent as it is with its media type; the dry run's
    summary lists the tables read."""
    tok = data["tokens"]["sz-zx"]
    if "template.xlsx" not in requests.get(BASE + "/openapi.yaml", timeout=30).text:
        pytest.skip("this server has no .xlsx import")
    r = api("GET", "/v1/frameworks/project-2020/template.xlsx", tok)
    assert r.status_code == 200, r.text
    f = tmp_path / "自评表.xlsx"
    f.write_bytes(r.content)
    b.expect_http_error("/v1/import")
    b.login(tok)
    b.click("a[href='#/import']")
    b.el("#import-file").send_keys(str(f))
    year = b.el("#import-year")
    year.clear()
    year.send_keys("2024")
    b.click("#btn-dry-run")
    b.text_in("#import-result", "试导入结果（未保存）")
    b.text_in("#import-result", "读取到的自评表")
    assert "2024 年度" in b.el("#import-documents").text
    b.el("#btn-import")
    b.shot("unit-import-xlsx")
