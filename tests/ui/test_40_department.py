"""A department: its project's page (score table, findings, year-end
results with 422s beside the fields, evaluate, reports, submit), the review
queue (return with a reason, accept) and its evaluation plan."""
import requests
from selenium.webdriver.common.by import By

from conftest import BASE, api, submit


def test_project_page_table_findings_and_reports(b, data):
    pid = data["supervision"]
    b.login(data["tokens"]["sz-yb"])
    b.go(f"#/projects/{pid}")
    b.el("#score-table")
    b.idle()
    heads = [th.text for th in b.els("#score-table th")]
    assert heads == ["序号", "一级指标", "二级指标", "三级指标", "分值", "报告得分", "核定得分", "扣分", "评分情况"]
    row3 = b.el("#row-3")                           # SCORE_MISMATCH points at /indicators/3
    assert "flag-warning" in row3.get_attribute("class")
    cells = [td.text for td in row3.find_elements(By.TAG_NAME, "td")]
    assert cells[5] == "8.51" and cells[6] == "10.00"   # 报告得分 beside 核定得分
    assert "flag" in b.el("#row-total").get_attribute("class")   # TOTAL_MISMATCH
    assert "flag" not in (b.el("#row-0").get_attribute("class") or "")
    assert "发现的问题（5 项）" in b.el("#findings-title").text
    assert "SCORE_MISMATCH" in b.el(".finding-list").text
    budget = b.el("section[aria-labelledby=budget-title]").text
    assert "866,600.00 元" in budget and "84.95%" in budget
    b.shot("project", readme_height=1010)
    # 定位 moves focus to the row a finding points at
    b.d.find_element(By.XPATH, "//li[code='SCORE_MISMATCH']//button").click()
    b.wait(lambda d: d.switch_to.active_element.get_attribute("id") == "row-3")
    # report downloads: HTML and XLSX saved from the API with the token, and
    # PDF when the server's contract lists it (format=pdf of issue 18)
    b.click_text("HTML")
    b.click_text("XLSX")
    want = {".html", ".xlsx"}
    if "pdf" in requests.get(BASE + "/openapi.yaml", timeout=30).text:
        b.click_text("PDF")
        want.add(".pdf")
    b.wait(lambda d: {p.suffix for p in b.downloads.iterdir()} >= want)
    if ".pdf" in want:
        pdf = next(p for p in b.downloads.iterdir() if p.suffix == ".pdf")
        b.wait(lambda d: pdf.read_bytes().startswith(b"%PDF"))
    html = next(p for p in b.downloads.iterdir() if p.suffix == ".html").read_text(encoding="utf-8")
    assert "评分情况表" in html


def test_results_form_errors_beside_fields_then_save_evaluate_submit(b, data):
    pid = data["supervision"]
    tok = data["tokens"]["sz-yb"]
    b.expect_http_error(f"/v1/projects/{pid}/results")
    b.login(tok)
    b.go(f"#/projects/{pid}")
    b.el("#results-form")
    b.idle()
    score0 = b.el("#fld-indicators-0-reported-score")
    score0.clear()
    score0.send_keys("999")
    executed = b.el("#fld-budget-executed")
    executed.clear()
    executed.send_keys("abc")
    b.click("#btn-save-results")
    b.text_in("#fld-indicators-0-reported-score-err", "报告得分 999")
    b.text_in("#fld-budget-executed-err", "金额无法解析")
    assert b.el("#fld-indicators-0-reported-score").get_attribute("aria-invalid") == "true"
    assert "保存失败" in b.el("#results-errors").text
    b.shot("project-results-errors")
    # correct them: the score of indicator 3 made what the rule gives
    score0 = b.el("#fld-indicators-0-reported-score")
    score0.clear()
    score0.send_keys("12")
    executed = b.el("#fld-budget-executed")
    executed.clear()
    executed.send_keys("73.62万元")
    score3 = b.el("#fld-indicators-3-reported-score")
    score3.clear()
    score3.send_keys("10")
    b.click("#btn-save-results")
    b.text_in("#action-status", "年度结果已保存")
    p = api("GET", f"/v1/projects/{pid}", tok).json()
    assert p["indicators"][3]["reported_score"] == 10
    b.click("#btn-evaluate")
    b.text_in("#action-status", "已评估")
    b.el("#score-table")
    b.wait(lambda d: "flag" not in (d.find_element(By.ID, "row-3").get_attribute("class") or ""))
    b.click("#btn-submit")
    b.text_in("#action-status", "已提交")
    b.text_in(".subtitle", "已提交")
    assert not b.els("#results-form")               # only drafts are edited
    assert api("GET", f"/v1/projects/{pid}", tok).json()["status"] == "submitted"


def test_queue_return_with_reason_then_accept(b, data):
    dept, unit = data["tokens"]["sz-yb"], data["tokens"]["sz-zx"]
    pid = data["queued"]
    b.login(dept)
    b.click("a[href='#/queue']")
    b.el("table.list")
    b.idle()
    row_xp = f"//tr[td/a[@href='#/projects/{pid}']]"
    row = b.d.find_element(By.XPATH, row_xp)
    b.shot("department-queue")
    row.find_element(By.XPATH, ".//button[normalize-space(.)='退回…']").click()
    reason = b.el(f"#reason-projects-{pid}")
    b.d.find_element(By.XPATH, row_xp + "//button[normalize-space(.)='确认退回']").click()
    b.text_in(f"#reason-projects-{pid}-err", "请填写退回原因")      # a reason is required
    reason.send_keys("请补充成本指标的佐证材料")
    b.d.find_element(By.XPATH, row_xp + "//button[normalize-space(.)='确认退回']").click()
    b.wait(lambda d: api("GET", f"/v1/projects/{pid}", dept).json()["status"] == "draft")
    p = api("GET", f"/v1/projects/{pid}", dept).json()
    assert p["return_reason"] == "请补充成本指标的佐证材料"
    b.wait(lambda d: not d.find_elements(By.XPATH, row_xp))
    # the unit sees why, fixes nothing and submits again; the department accepts
    submit(unit, pid)
    b.go(f"#/projects/{pid}")
    b.el("#btn-evaluate")
    b.idle()
    b.d.find_element(By.XPATH, "//button[normalize-space(.)='通过']").click()
    b.wait(lambda d: api("GET", f"/v1/projects/{pid}", dept).json()["status"] == "accepted")
    b.text_in(".subtitle", "已通过")


def test_plan_with_rule_findings(b, data):
    b.login(data["tokens"]["sz-yb"])
    b.click("a[href='#/plans']")
    b.click_text("2023 年度部门评价计划", tag="a")
    b.text_in("#view h1", "2023 年度部门评价计划")
    b.idle()
    text = b.el("#view").text
    assert "计划规则检查" in text and "重点评价项目" in text
    assert "县域医共体医保支付方式改革工作经费" in text
    b.shot("department-plan")
    b.go(f"#/plans/{data['plan_with_finding']}")
    b.text_in("#view h1", "2024 年度部门评价计划")
    b.text_in("#plan-f", "计划规则检查（1 项）")
    assert "PLAN_AMOUNT_MISMATCH" in b.el(".finding-list").text
    row = b.d.find_element(By.XPATH, "//tr[td/a[normalize-space(.)='医疗保障基金安全监管']]")
    assert "flag-warning" in row.get_attribute("class")
    b.shot("department-plan-findings")
    b.go("#/assessments")
    b.el(".paged")
    b.idle()
    b.shot("department-assessments")
