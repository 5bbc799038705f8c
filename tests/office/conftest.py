"""Shared fixtures of the 自评表 file tests: the CLI, the shared folder,
and LibreOffice conversions done once per session (it is slow to start)."""
import json
import os
import pathlib
import resource
import shutil
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BUILD = pathlib.Path(os.environ.get("JX_BUILD", HERE.parent.parent / "build"))
SHARED = pathlib.Path(os.environ.get("JX_SHARED", HERE.parent.parent.parent / "shared"))
SCORE = BUILD / "jixiao-score"


def _sanitized():
    cache = BUILD / "CMakeCache.txt"
    return cache.exists() and "JX_SANITIZE:BOOL=ON" in cache.read_text(errors="replace")


SANITIZED = _sanitized()


def _limits():
    # bounded memory and time for every run (hostile files must be refused
    # within them); ASan reserves terabytes of address space, so its builds
    # are bounded by time only
    if not SANITIZED:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (120, 120))


def run(*args, input=None):
    p = subprocess.run([str(SCORE), *map(str, args)], input=input, capture_output=True,
                       timeout=120, preexec_fn=_limits)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def documents(path, *args):
    rc, out, err = run("--format", "documents", *args, path)
    assert rc == 0, err
    return json.loads(out)


def fixtures():
    return sorted((SHARED / "fixtures").glob("[0-9]*.json"))


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory):
    """convert(paths) -> the same files saved again by LibreOffice (None when absent)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = tmp_path_factory.mktemp("lo-profile")

    def convert(paths):
        if not soffice:
            pytest.skip("LibreOffice not installed")
        out = tmp_path_factory.mktemp("lo-out")
        by_kind = {}
        for p in paths:
            by_kind.setdefault(p.suffix, []).append(p)
        for suffix, group in by_kind.items():
            target = "xlsx:Calc MS Excel 2007 XML" if suffix == ".xlsx" else "docx:MS Word 2007 XML"
            subprocess.run([soffice, "-env:UserInstallation=file://%s" % profile, "--headless",
                            "--convert-to", target, "--outdir", str(out), *map(str, group)],
                           capture_output=True, timeout=600, check=True)
        res = [out / p.name for p in paths]
        for r in res:
            assert r.exists(), "LibreOffice did not write %s" % r
        return res
    return convert
