"""Hostile bodies on POST /v1/score.

run.sh raises JIXIAO_MAX_BODY to 16 MiB so that the large cases (a 10 MB
string, 100,000 indicators) reach the parser instead of being refused by
size.  Every answer must be a 4xx with an application/problem+json body
naming the problem, or a 200 with a result when the value is legitimately
acceptable; never a 5xx, never a dropped connection, and the server stays
healthy after each batch.

The generated batch takes the document of
000-suzhou-fund-supervision.json and, for every node of it (each leaf and
each object or array), replaces it in turn by null, true, 1e308, "", [],
{} and a 1,000-deep array.
"""
import json

import pytest
import requests

from conftest import (AUTH, assert_healthy, assert_problem, fixture_document, fixture_files,
                      start_server, url)

JSON = {"Content-Type": "application/json"}
OK_4XX = (400, 413, 415, 422)
DEEP = b"[" * 1000 + b"]" * 1000


def doc():
    return fixture_document()


def enc(value):
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def post(session, body, headers=JSON, base=None):
    return session.post((base + "/v1/score") if base else url("/v1/score"), data=body,
                        headers={**AUTH, **(headers or {})}, timeout=120)


def judge(r, where):
    """None when the answer is acceptable, else a one-line complaint."""
    if r.status_code == 200:
        try:
            result = r.json()
        except ValueError:
            return f"{where}: 200 with a body that is not JSON: {r.text[:120]!r}"
        if not isinstance(result, dict):
            return f"{where}: 200 with a result that is not an object"
        return None
    if r.status_code not in OK_4XX:
        return f"{where}: status {r.status_code}: {r.text[:200]!r}"
    try:
        p = assert_problem(r)
    except (AssertionError, ValueError, KeyError) as e:
        return f"{where}: {r.status_code} without a proper problem body ({e}): {r.text[:200]!r}"
    for e in p.get("errors", []):
        if not (isinstance(e, dict) and e.get("message") and "pointer" in e and e.get("code")):
            return f"{where}: error entry without pointer/code/message: {e}"
    return None


def run_batch(cases, session=None, base=None):
    """cases: [(name, body bytes)].  Returns [(name, response)] and fails
    on any unacceptable answer, listing them all."""
    s = session or requests.Session()
    bad, answers = [], []
    for name, body in cases:
        try:
            r = post(s, body, base=base)
        except requests.RequestException as e:
            bad.append(f"{name}: no answer: {e!r}")
            s = requests.Session()
            continue
        answers.append((name, r))
        complaint = judge(r, name)
        if complaint:
            bad.append(complaint)
    assert not bad, f"{len(bad)} of {len(cases)} bad answers:\n" + "\n".join(bad[:30])
    if base:
        assert_healthy(base=base, ready=False)
    else:
        assert_healthy()
    return answers


def statuses(answers):
    out = {}
    for name, r in answers:
        out.setdefault(r.status_code, []).append(name)
    return out


def with_field(path, raw_value):
    """The fixture document with the node at path (a list of keys and
    indexes) replaced by raw JSON bytes."""
    d = doc()
    node = d
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = "\u2063PLACEHOLDER\u2063"
    return enc(d).replace(enc("\u2063PLACEHOLDER\u2063"), raw_value)


# ---- nesting -----------------------------------------------------------------

def test_deep_nesting():
    n = 100_000
    cases = [
        ("1e5 [ unclosed", b"[" * n),
        ("1e5 [ closed", b"[" * n + b"]" * n),
        ("1e5 { unclosed", b'{"a":' * n),
        ("1e5 { closed", b'{"a":' * n + b"1" + b"}" * n),
        ("1e5 mixed", b'[{"a":' * (n // 2) + b"null" + b"}]" * (n // 2)),
        ("1e5 [ in name", with_field(["name"], b"[" * n + b"]" * n)),
        ("1e5 [ in an indicator's target", with_field(["indicators", 0, "target"],
                                                      b"[" * n + b"]" * n)),
        ("1e5 [ as an extra indicator", with_field(["indicators", 0], b"[" * n + b"]" * n)),
    ]
    answers = run_batch(cases)
    for name, r in answers:
        # 413: nested deeper than 100, refused before any parser (daemon.c)
        assert r.status_code in (400, 413, 422), (name, r.status_code)
    print(statuses(answers))


# ---- numbers -----------------------------------------------------------------

NUMBERS = [b"1e400", b"-1e400", b"1e-400", b"-0", b"-0.0", b"0e0",
           b"1234567890123456789012345678901234567890",
           b"-1234567890123456789012345678901234567890",
           b"0.0000000000000000000000000000000000000001",
           b"1e99999999999999999999", b"1E+308", b"1.7976931348623157e309",
           b"4.9e-325", b"9007199254740993", b"1" * 1000, b"0." + b"0" * 5000 + b"1"]
NOT_NUMBERS = [b"NaN", b"Infinity", b"-Infinity", b"01", b"+1", b".5", b"1.", b"1e", b"0x10",
               b"--1", b"1_000"]


def test_huge_and_odd_numbers():
    cases = []
    for field in (["year"], ["indicators", 0, "weight"], ["indicators", 1, "reported_score"],
                  ["budget", "executed"], ["reported", "total"]):
        for v in NUMBERS + NOT_NUMBERS:
            cases.append((f"/{'/'.join(map(str, field))} = {v[:40].decode()}", with_field(field, v)))
    answers = run_batch(cases)
    by_name = dict(answers)
    for name, r in answers:
        if any(name.endswith(f"= {v.decode()}") for v in NOT_NUMBERS):
            assert r.status_code == 400, (name, r.status_code, r.text[:200])
    assert by_name["/year = 1e400"].status_code in (400, 422)
    print({k: len(v) for k, v in statuses(answers).items()})


# ---- encodings -----------------------------------------------------------------

def test_invalid_utf8_nul_and_bom():
    d = enc(doc())
    name = enc(doc()["name"])
    cases = []
    for label, bad in [("\\xff", b"\xff"), ("overlong /", b"\xc0\xaf"),
                       ("overlong NUL", b"\xc0\x80"), ("surrogate", b"\xed\xa0\x80"),
                       ("truncated", b"\xe4\xb8"), ("5-byte", b"\xf8\x88\x80\x80\x80"),
                       ("above U+10FFFF", b"\xf4\x90\x80\x80"), ("lone continuation", b"\x80")]:
        cases.append((f"invalid UTF-8 in a string ({label})",
                      d.replace(name, name[:-1] + bad + b'"', 1)))
        cases.append((f"invalid UTF-8 in a key ({label})",
                      d.replace(b'"scope"', b'"sc' + bad + b'ope"', 1)))
        cases.append((f"invalid UTF-8 outside strings ({label})",
                      d.replace(b'"scope"', bad + b' "scope"', 1)))
        cases.append((f"invalid UTF-8 at the end ({label})", d + bad))
    for label, esc in [("lone high", b"\\ud800"), ("lone low", b"\\udc00"),
                       ("reversed pair", b"\\udc00\\ud800"), ("bad escape", b"\\x41"),
                       ("short escape", b"\\u12"), ("escape at end", b"\\")]:
        cases.append((f"escape {label} in a string",
                      d.replace(name, name[:-1] + esc + b'"', 1)))
    cases += [
        ("raw NUL in a string", d.replace(name, name[:-1] + b"\x00x\"", 1)),
        ("raw NUL in a key", d.replace(b'"scope"', b'"sc\x00ope"', 1)),
        ("raw NUL outside strings", d.replace(b'"scope"', b'\x00"scope"', 1)),
        ("raw NUL after the document", d + b"\x00"),
        ("raw NUL only", b"\x00"),
        ("\\u0000 in the name", d.replace(name, name[:-1] + b'\\u0000x"', 1)),
        ("\\u0000 in a target", with_field(["indicators", 0, "target"], b'"\\u0000\\u2265' b'5"')),
        ("\\u0000 in a key", d.replace(b'"scope"', b'"scope\\u0000"', 1)),
        ("BOM", b"\xef\xbb\xbf" + d),
        ("UTF-16 BOM", b"\xff\xfe" + d),
        ("UTF-16LE body", d.decode("utf-8").encode("utf-16-le")),
        ("control character in a string", d.replace(name, name[:-1] + b'\x01"', 1)),
        ("tab in a string", d.replace(name, name[:-1] + b'\t"', 1)),
    ]
    answers = run_batch(cases)
    for name_, r in answers:
        if name_.startswith(("invalid UTF-8", "raw NUL", "UTF-16", "control")):
            assert r.status_code == 400, (name_, r.status_code, r.text[:200])
    print({k: v if k != 400 else len(v) for k, v in statuses(answers).items()})


# ---- size ----------------------------------------------------------------------

def test_large_bodies_inside_the_limit():
    ten_mb = "测" * (10 * 1024 * 1024 // 3)
    indicator = {"level1": "产出指标", "level2": "数量指标", "name": "检查次数", "weight": 0.001,
                 "target": "≥5次", "actual": "5次"}
    many = doc()
    many["indicators"] = [indicator] * 100_000
    many.pop("reported", None)
    many_body = json.dumps(many, ensure_ascii=False, separators=(",", ":")).encode()
    assert len(many_body) < 16 * 1024 * 1024, len(many_body)
    cases = [
        ("10 MB name", with_field(["name"], enc(ten_mb))),
        ("10 MB target", with_field(["indicators", 0, "target"], enc(ten_mb))),
        ("10 MB of escapes", with_field(["name"], b'"' + b"\\u6d4b" * (10 * 1024 * 1024 // 6) + b'"')),
        ("10 MB key", enc(doc())[:-1] + b',' + enc("k" * (10 * 1024 * 1024)) + b':1}'),
        ("10 MB string alone", enc("x" * (10 * 1024 * 1024))),
        ("10 MB of whitespace then a document", b" " * (10 * 1024 * 1024) + enc(doc())),
        ("100,000 indicators", many_body),
        ("100,000 empty objects", b"[" + b"{}," * 99_999 + b"{}]"),
        ("1,000,000 zeros in an array", with_field(["indicators"], b"[" + b"0," * 999_999 + b"0]")),
    ]
    answers = run_batch(cases)
    print({name: r.status_code for name, r in answers})


# ---- structure -------------------------------------------------------------------

def test_duplicate_keys_and_odd_tops():
    d = enc(doc())
    cases = [
        ("duplicate scope", d.replace(b'"scope"', b'"scope":"department_wide","scope"', 1)),
        ("duplicate indicators", d[:-1] + b',"indicators":[]}'),
        ("duplicate key inside an indicator",
         with_field(["indicators", 0], b'{"name":"a","name":"b","weight":1,"target":"1","actual":"1",'
                                       b'"level1":"x","level2":"y"}')),
        ("10,000 duplicates of one key", d[:-1] + b',"name":"x"' * 10_000 + b"}"),
        ("two documents", d + d),
        ("trailing garbage", d + b"garbage"),
        ("trailing comma", d[:-1] + b",}"),
        ("comment", b"/* c */" + d),
        ("single quotes", d.replace(b'"scope"', b"'scope'", 1)),
        ("empty", b""),
        ("whitespace only", b" \r\n\t "),
        ("null", b"null"), ("true", b"true"), ("number", b"1"), ("string", b'"project"'),
        ("array", b"[]"), ("empty object", b"{}"), ("array of the document", b"[" + d + b"]"),
        ("unterminated string", b'{"scope":"proj'),
        ("unterminated object", d[:-1]),
    ]
    answers = run_batch(cases)
    for name, r in answers:
        if name not in ("empty object", "duplicate scope", "duplicate indicators",
                        "duplicate key inside an indicator", "10,000 duplicates of one key"):
            assert r.status_code in (400, 422), (name, r.status_code)
    print({name: r.status_code for name, r in answers})


# ---- every JSON type in every field -------------------------------------------------

REPLACEMENTS = [("null", b"null"), ("true", b"true"), ("1e308", b"1e308"), ('""', b'""'),
                ("[]", b"[]"), ("{}", b"{}"), ("1000-deep array", DEEP)]


def nodes(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from nodes(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from nodes(v, path + (i,))


def pointer(path):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def related(a, b):
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


# Cases that once killed the server run apart (test_framework_of_a_scalar_
# type_is_refused, on a server of its own), so a relapse cannot take the
# shared server down for every later test.
KNOWN_CRASHES = {("/framework", "true"), ("/framework", "1e308")}


def test_every_type_in_every_field():
    paths = [p for p in nodes(doc()) if p]
    cases = [(f"{pointer(p)} = {label}", p, with_field(list(p), raw))
             for p in paths for label, raw in REPLACEMENTS
             if (pointer(p), label) not in KNOWN_CRASHES]
    answers = run_batch([(name, body) for name, _, body in cases])
    # A refusal names the problem: one of its errors points at the
    # replaced node, or inside it, or at a parent of it (a syntax error:
    # line and column).
    unnamed = []
    for (name, path, _), (_, r) in zip(cases, answers):
        if r.status_code in (400, 422):
            p = r.json()
            if p["type"].endswith(":malformed-json"):
                # a syntax error (here: nesting over the reader's limit)
                # is named by line, column and message
                if not (p.get("line") and p.get("column") and p["errors"][0]["message"]):
                    unnamed.append(f"{name}: malformed-json without line/column: {p}")
                continue
            ptrs = [e.get("pointer", "") for e in p.get("errors", [])]
            if not any(related(x, pointer(path)) for x in ptrs if x):
                unnamed.append(f"{name}: {r.status_code} errors at {ptrs[:5]}")
    st = statuses(answers)
    print(f"{len(paths)} nodes x {len(REPLACEMENTS)} types = {len(cases)} documents: "
          + ", ".join(f"{k}: {len(v)}" for k, v in sorted(st.items())))
    assert not unnamed, f"{len(unnamed)} refusals do not name the replaced field:\n" + \
        "\n".join(unnamed[:30])


def test_framework_of_a_scalar_type_is_refused():
    """Regression (fixed in e9e4354): a scalar framework was a NULL
    dereference in jx_score that killed the server; run on a server of its
    own so that a relapse does not take the shared one down."""
    cases = [(f"/framework = {v.decode()}", with_field(["framework"], v))
             for v in (b"true", b"false", b"0", b"-1", b"1.5", b"1e308")]
    with start_server() as (base, proc):
        answers = run_batch(cases, base=base)
        assert proc.poll() is None
    for name, r in answers:
        assert r.status_code == 422, (name, r.status_code)


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_fixtures_still_score_after_the_batches(path):
    """The hostile batches left nothing behind: every fixture scores as
    before (200, or the 4xx its expect says)."""
    from conftest import load_fixture
    fx = load_fixture(path)
    r = requests.post(url("/v1/score"), headers=AUTH, json=fx["document"], timeout=30)
    if r.status_code == 200:
        if "total" in fx["expect"]:
            assert r.json()["total"] == fx["expect"]["total"]
    else:
        assert_problem(r)
