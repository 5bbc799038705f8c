"""A finance bureau: the year's dashboard (figures, two charts, groups),
drill-down from region to department to unit to a project, exports."""
import re
from collections import Counter

import requests

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import BASE, api


def chart_drawn(b, canvas_id):
    return b.d.execute_script(
        "const c = document.getElementById(arguments[0]);"
        "return !!(c && window.Chart && Chart.getChart(c) && c.width > 0);", canvas_id)


def test_dashboard_figures_charts_and_groups(b, data):
    tok = data["tokens"]["sz-fin"]
    b.login(tok)
    b.text_in("#view h1", "2022 年度绩效自评总览")
    b.el("#groups")
    b.idle()
    totals = api("GET", "/v1/totals?year=2022&group_by=region", tok).json()
    cards = b.el(".cards").text
    assert "项目数" in cards and str(totals["total"]["count"]) in cards
    assert "执行率" in cards and "平均得分" in cards
    b.wait(lambda d: chart_drawn(b, "chart-grades"))
    b.wait(lambda d: chart_drawn(b, "chart-codes"))
    grades = "Chart.getChart(document.getElementById('chart-grades')).data"
    labels = b.d.execute_script(f"return {grades}.labels")
    assert labels[:4] == ["优", "良", "中", "差"]
    counts = b.d.execute_script(f"return {grades}.datasets[0].data")
    assert counts == [g["count"] for g in totals["total"]["grades"]]
    # findings by code: the chart's figures (also a table for screen readers) are the API's
    findings = api("GET", "/v1/findings?year=2022&limit=1000", tok).json()["items"]
    want = Counter(f["code"] for f in findings)
    rows = b.d.execute_script("return [...document.querySelectorAll('#codes-table tr')]"
                              ".map(r => [r.cells[0].textContent, Number(r.cells[1].textContent)])")
    assert rows and all(want[c] == n for c, n in rows), (rows, want)
    # the monitoring panel: shown when the server has GET /v1/monitoring
    # (its contract lists it), hidden otherwise
    contract = requests.get(BASE + "/openapi.yaml", timeout=30).text
    if re.search(r"^  /v1/monitoring:", contract, re.M):
        b.text_in("#monitoring", "执行监控")
        b.text_in("#monitoring", "红灯：1")
        assert "绿灯：1" in b.el("#monitoring").text
        red = data["monitored"]["red"]
        assert b.els(f"#monitoring .red-list a[href='#/projects/{red}']")
    else:
        assert b.d.find_element(By.ID, "monitoring").get_attribute("hidden") is not None
    b.shot("dashboard", readme_height=1400)
    # export what is on screen
    b.click_text("导出 CSV")
    b.click_text("导出 XLSX")
    b.wait(lambda d: {p.suffix for p in b.downloads.iterdir()} >= {".csv", ".xlsx"})
    csv_file = next(p for p in b.downloads.iterdir() if p.suffix == ".csv")
    csv = csv_file.read_text(encoding="utf-8-sig")
    assert "341300" in csv or "宿州" in csv


def test_drill_down_region_department_unit_project(b, data):
    tok = data["tokens"]["sz-fin"]
    b.login(tok)
    b.el("#groups")
    b.idle()
    b.d.find_element(By.CSS_SELECTOR, "#groups tbody tr td a").click()        # a region
    b.wait(lambda d: "group_by=department" in d.current_url)
    b.el("#groups")
    b.idle()
    b.d.find_element(By.XPATH, "//table[@id='groups']//a[normalize-space(.)='宿州市医疗保障局']").click()
    b.wait(lambda d: "group_by=unit" in d.current_url)
    b.el("#groups")
    b.idle()
    b.shot("dashboard-units")
    b.d.find_element(By.XPATH, "//table[@id='groups']//a[normalize-space(.)='宿州市医疗保障局']").click()
    b.wait(lambda d: "#/projects?org=" in d.current_url)
    b.el("table.list")
    b.idle()
    b.d.find_element(By.CSS_SELECTOR, "table.list td a").click()
    b.el("#score-table")
    b.idle()
    assert not b.els("#results-form")           # a bureau reviews, it does not file
    b.shot("finance-project")


def test_status_all_and_grouping_by_department(b, data):
    b.login(data["tokens"]["sz-fin"])
    b.el("#groups")
    b.idle()
    Select(b.el("#d-status")).select_by_value("all")
    Select(b.el("#d-group")).select_by_value("department")
    b.click("form.filters button[type=submit]")
    b.wait(lambda d: "status=all" in d.current_url and "group_by=department" in d.current_url)
    b.el("#groups")
    b.idle()
    assert "统计全部状态" in b.el("#view").text
    b.go("#/queue")
    b.el(".paged")
    b.idle()
    b.shot("finance-queue")
