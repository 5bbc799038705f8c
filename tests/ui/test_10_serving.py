"""The page's files as the server hands them out: media types, the
security headers, caching, the redirect -- without a browser."""
import re

import requests

from conftest import BASE

ASSETS = {"": "text/html", "app.js": "text/javascript", "app.css": "text/css",
          "chart.min.js": "text/javascript", "chart.js-copyright.txt": "text/plain"}
CSP_NEEDS = ["script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
             "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]


def get(path, **kw):
    return requests.get(BASE + path, timeout=30, allow_redirects=False, **kw)


def test_every_asset_has_its_type_and_the_security_headers():
    for name, ctype in ASSETS.items():
        r = get("/ui/" + name)
        assert r.status_code == 200, name
        assert r.headers["Content-Type"].startswith(ctype), name
        csp = r.headers["Content-Security-Policy"]
        for part in CSP_NEEDS:
            assert part in csp, (name, part)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert re.fullmatch(r'"[0-9a-f]{20}"', r.headers["ETag"])
        assert r.headers["Cache-Control"] == "no-cache"


def test_etag_revalidates_with_304():
    r = get("/ui/app.js")
    again = get("/ui/app.js", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == r.headers["ETag"]
    assert get("/ui/app.js", headers={"If-None-Match": '"0000"'}).status_code == 200


def test_head_and_the_redirect():
    r = requests.head(BASE + "/ui/", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    r = get("/ui")
    assert r.status_code == 301 and r.headers["Location"] == "/ui/"


def test_unknown_asset_is_a_problem_404():
    r = get("/ui/nothing.js")
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert "Content-Security-Policy" in r.headers
    assert get("/ui/..%2Fopenapi.yaml").status_code == 404


def test_page_has_no_inline_script_or_style():
    html = get("/ui/").text
    for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in m.group(1) and not m.group(2).strip(), m.group(0)
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"<[^>]*\son\w+=", html)       # no inline handlers
    js = get("/ui/app.js").text
    assert "innerHTML" not in js and "eval(" not in js and "new Function" not in js
    assert 'name="token" type="password"' in html


def test_chart_js_is_debians_with_its_licence():
    lic = get("/ui/chart.js-copyright.txt").text
    assert "MIT" in lic or "Expat" in lic
    assert get("/ui/chart.min.js").text.lstrip().startswith("/*!")
