"""Shared helpers for the web page tests (run by tests/ui/run.sh).

run.sh starts a private PostgreSQL and the server, loads the demo data and
exports JX_BASE_URL, JX_BOOTSTRAP_TOKEN, JX_DEMO_TOKENS (the demo
organisations' tokens by key: sz-fin, sz-yb, sz-zx, ...) and JX_UI_SHOTS.

Each test gets a fresh headless Chromium (its own profile in a temporary
directory) through Debian's chromedriver.  Waits are explicit and generous
(the machine is shared); nothing sleeps to assert.  At the end of every
test the browser's console must hold no error: JavaScript exceptions and
console.error always fail, failed requests only when the test did not
announce them (b.expect_http_error("/results")).
"""
import base64
import json
import os
import pathlib
import shutil
import tempfile

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

HERE = pathlib.Path(__file__).resolve().parent
BASE = os.environ.get("JX_BASE_URL", "http://127.0.0.1:8080")
ADMIN = os.environ.get("JX_BOOTSTRAP_TOKEN", "")
SHOTS = pathlib.Path(os.environ.get("JX_UI_SHOTS", HERE / "shots"))
WAIT = float(os.environ.get("JX_UI_WAIT", "90"))
SIZES = {"1366": (1366, 768, False), "390": (390, 844, True)}

XSS = "<img src=x onerror=alert(1)>"


def tokens():
    return json.loads(pathlib.Path(os.environ["JX_DEMO_TOKENS"]).read_text())


def api(method, path, token, body=None, headers=None):
    h = {"Authorization": f"Bearer {token}"}
    h.update(headers or {})
    return requests.request(method, BASE + path, json=body, headers=h, timeout=60)


def project_id(token, name):
    items = api("GET", "/v1/projects?limit=1000", token).json()["items"]
    return next(p["id"] for p in items if p["name"] == name)


def submit(token, pid):
    p = api("GET", f"/v1/projects/{pid}", token)
    r = api("POST", f"/v1/projects/{pid}/submit", token, headers={"If-Match": p.headers["ETag"]})
    assert r.status_code == 200, r.text


@pytest.fixture(scope="session")
def data():
    """The demo data plus what the flows need: a project named like an XSS
    attack (filed and evaluated by the unit), the unit's project submitted
    (the department's queue), one of the department's own projects
    submitted (the bureau's totals count submitted work), a 2024 plan
    whose amount does not match its project (a plan rule's finding) and,
    when the server has 双监控, a red and a green mid-year report."""
    t = tokens()
    unit, dept = t["sz-zx"], t["sz-yb"]
    doc = {"year": 2022, "name": XSS, "fund_nature": "本级项目", "evaluation_method": "自行组织",
           "budget": {"initial": "10万元", "adjusted": "10万元", "executed": "9万元"},
           "indicators": [
               {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "weight": 50,
                "target": "≥100人次", "actual": "120人次", "reported_score": 50},
               {"level1": "效益指标", "level2": "社会效益指标", "name": "群众知晓率", "weight": 30,
                "target": "≥90%", "actual": "95%", "reported_score": 30},
               {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度",
                "weight": 10, "target": "≥90%", "actual": "92%", "reported_score": 10}],
           "reported": {"total": 100}}
    r = api("POST", "/v1/projects", unit, doc)
    assert r.status_code == 201, r.text
    xss_id = r.json()["id"]
    assert api("POST", f"/v1/projects/{xss_id}/evaluations", unit).status_code == 201
    monitored = {}
    if api("GET", "/v1/monitoring?year=2022", dept).status_code == 200:  # issue 20's 双监控
        for name, executed in (("医疗保障基金安全监管", "1万元"), ("县域医共体医保支付方式改革工作经费", "80万元")):
            pid = project_id(dept, name)
            r = api("PUT", f"/v1/projects/{pid}/monitoring/2022-06", dept, {"executed_to_date": executed})
            assert r.status_code == 201, r.text
            monitored[r.json()["color"]] = pid
    queued = project_id(unit, "城镇职工的各项保险和大学生保险")
    submit(unit, queued)
    own = project_id(dept, "县域医共体医保支付方式改革工作经费")
    submit(dept, own)
    supervision = project_id(dept, "医疗保障基金安全监管")
    r = api("POST", "/v1/plans", dept, {
        "year": 2024, "budget_year": 2022, "unit_wide": [],
        "projects": [{"project_id": supervision, "name": "医疗保障基金安全监管", "amount": "100.00",
                      "fund_nature": "本级项目", "method": "自行组织"}]})
    assert r.status_code == 201, r.text                 # PLAN_AMOUNT_MISMATCH
    return {"tokens": t, "xss": xss_id, "queued": queued, "dept_submitted": own,
            "supervision": supervision, "plan_with_finding": r.json()["id"], "monitored": monitored}


class Browser:
    """A WebDriver with the page's helpers."""

    def __init__(self, driver):
        self.d = driver
        self.expected = []

    # ---- waiting and finding ----
    def wait(self, cond, timeout=WAIT):
        return WebDriverWait(self.d, timeout).until(cond)

    def el(self, css, timeout=WAIT):
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout)

    def els(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def text_in(self, css, text, timeout=WAIT):
        return self.wait(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text), timeout)

    def click(self, css):
        el = self.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, css)))
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.click()
        return el

    def click_text(self, text, tag="button"):
        xp = f"//{tag}[normalize-space(.)='{text}']"
        el = self.wait(EC.element_to_be_clickable((By.XPATH, xp)))
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.click()
        return el

    def idle(self):
        """No '正在…' loading line left on the page."""
        self.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, ".loading"))

    def go(self, hash_):
        self.d.get(BASE + "/ui/" + hash_)

    def session_token(self):
        return self.d.execute_script("return sessionStorage.getItem('jx.token')")

    # ---- login ----
    def login(self, token):
        self.d.get(BASE + "/ui/")
        box = self.el("input[name=token]")
        assert box.get_attribute("type") == "password"
        box.send_keys(token + Keys.ENTER)
        self.el("#who-org")
        self.idle()

    # ---- console ----
    def expect_http_error(self, fragment):
        self.expected.append(fragment)

    def console_errors(self):
        bad = []
        for e in self.d.get_log("browser"):
            if e.get("level") != "SEVERE":
                continue
            msg = e.get("message", "")
            if "Failed to load resource" in msg and any(f in msg for f in self.expected):
                continue
            bad.append(msg)
        return bad

    # ---- screenshots ----
    def shot(self, name, readme_height=None):
        """The whole page at 1366x768 and at 390 px wide (a phone); with
        readme_height also readme-NAME.png, its top at 1366 wide (the
        README's pictures, copied to docs/img by hand)."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        for label, (w, hgt, mobile) in SIZES.items():
            self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": w, "height": hgt, "deviceScaleFactor": 1, "mobile": mobile})
            self.settle()
            height = min(int(self.d.execute_script(
                "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")), 8000)
            self.capture(SHOTS / f"{name}-{label}.png", w, max(height, hgt))
            if readme_height and label == "1366":
                self.capture(SHOTS / f"readme-{name}.png", w, min(readme_height, max(height, hgt)))
        self.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.settle()

    def capture(self, path, width, height):
        png = self.d.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        path.write_bytes(base64.b64decode(png["data"]))

    def settle(self):
        """Two animation frames: layout and charts have followed a resize."""
        self.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));")


@pytest.fixture
def b():
    profile = tempfile.mkdtemp(prefix="jixiao-ui-chrome.")
    downloads = pathlib.Path(profile) / "downloads"
    downloads.mkdir()
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--lang=zh-CN", "--window-size=1366,768",
                 f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=opts)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    br = Browser(driver)
    br.downloads = downloads
    try:
        yield br
        errors = br.console_errors()
        assert not errors, "console errors:\n" + "\n".join(errors)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
