"""api/openapi.yaml and the server agree: same routes, document served."""
import re

import requests

from conftest import REPO, run_server_cmd, url

METHODS = {"get", "put", "post", "delete", "patch", "options", "head"}


def document_routes(text):
    """(METHOD, path) pairs under `paths:`, read by indentation (paths at two
    spaces, methods at four), so the test needs no YAML library."""
    routes, path, in_paths = set(), None, False
    for line in text.splitlines():
        if re.match(r"^\S", line):
            in_paths = line.startswith("paths:")
            continue
        if not in_paths:
            continue
        m = re.match(r"^  (/\S*):\s*$", line)
        if m:
            path = m.group(1)
            continue
        m = re.match(r"^    (\w+):", line)
        if m and path and m.group(1) in METHODS:
            routes.add((m.group(1).upper(), path))
    return routes


def server_routes():
    r = run_server_cmd("routes")
    assert r.returncode == 0
    return {tuple(line.split(" ", 1)) for line in r.stdout.splitlines() if line}


def test_routes_equal_document_paths():
    doc = (REPO / "api" / "openapi.yaml").read_text(encoding="utf-8")
    assert server_routes() == document_routes(doc)


def test_document_parses_when_yaml_is_available():
    try:
        import yaml
    except ImportError:
        return
    doc = yaml.safe_load((REPO / "api" / "openapi.yaml").read_text(encoding="utf-8"))
    assert doc["openapi"].startswith("3.1")
    assert {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops} == server_routes()


def test_openapi_is_served_verbatim():
    r = requests.get(url("/openapi.yaml"), timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/yaml")
    assert r.content == (REPO / "api" / "openapi.yaml").read_bytes()
