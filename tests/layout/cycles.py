#!/usr/bin/env python3
"""tests/layout/cycles.py -- the layering rules of issue 14, checked on the build.

Design.  A file calling a function that another file defines is an edge
file -> file; the rule is that these edges form no cycle (the layers of
docs and README: http -> routes -> input, db, lib; core calls none of them).
The calls are read from the object files, not guessed from the source:
`nm` lists for each .o the global functions it defines (T, W) and the
symbols it leaves undefined (U); an undefined symbol that another object
of the same target defines is an edge.  Every strongly connected component
of more than one file is a cycle and is printed with the symbols of each
edge inside it.  Two targets are checked: jixiao-server and the report
library (lib/report).

It also reads the sources for the include rules the graph cannot see:
  - no file under server/db/ or server/input/ includes a routes/ or http/
    header (they are below the routes and know no HTTP);
  - no file under lib/ includes a header of server/ (lib/ knows no server).

Usage: cycles.py BUILD_DIR [SOURCE_DIR]   (SOURCE_DIR: the checkout, default
the folder two levels above this script).  Prints each violation and
`N passed, M failed` last; exits 1 on any violation, 2 when the build has
no object files to read (build first).
"""
import os
import re
import subprocess
import sys

TARGETS = [
    ("jixiao-server", "server/CMakeFiles/jixiao-server.dir"),
    ("lib/report", "lib/report/CMakeFiles/jixiao_report.dir"),
]
DEFINES = set("TW")


def objects(objdir):
    out = []
    for root, _dirs, files in os.walk(objdir):
        for f in files:
            if f.endswith(".o"):
                out.append(os.path.join(root, f))
    return sorted(out)


def read_symbols(obj):
    """(defined global functions, undefined symbols) of one object file."""
    res = subprocess.run(["nm", "-P", obj], capture_output=True, text=True, check=True)
    defined, undefined = set(), set()
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind in DEFINES:
            defined.add(name)
        elif kind == "U":
            undefined.add(name)
    return defined, undefined


def sccs(nodes, edges):
    """Tarjan's strongly connected components (iterative)."""
    index, low, onstack, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        onstack.add(start)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    onstack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    advanced = True
                    break
                if w in onstack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    onstack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def check_target(name, objdir):
    """Prints the cycles of one target; answers their number, or None without objects."""
    objs = objects(objdir)
    if not objs:
        print(f"{name}: no object files under {objdir} (build the target first)")
        return None
    def label(o):
        rel = os.path.relpath(o, objdir)
        return rel[:-2] if rel.endswith(".o") else rel  # "db/tx.c"
    syms = {label(o): read_symbols(o) for o in objs}
    owner = {}
    for f, (defined, _u) in syms.items():
        for s in defined:
            owner.setdefault(s, f)
    edges, why = {}, {}
    for f, (_d, undefined) in syms.items():
        for s in undefined:
            g = owner.get(s)
            if g and g != f:
                edges.setdefault(f, set()).add(g)
                why.setdefault((f, g), set()).add(s)
    cycles = [c for c in sccs(sorted(syms), edges) if len(c) > 1]
    for c in cycles:
        members = set(c)
        print(f"FAIL {name}: call cycle among {len(c)} files: {' '.join(c)}")
        for f in c:
            for g in sorted(edges.get(f, ()) & members):
                calls = sorted(why[(f, g)])
                more = f" (+{len(calls) - 4} more)" if len(calls) > 4 else ""
                print(f"    {f} -> {g}: {', '.join(calls[:4])}{more}")
    if not cycles:
        print(f"ok   {name}: {len(syms)} files, {sum(len(v) for v in edges.values())} edges, no call cycle")
    bad = upward_calls(edges, why) if name == "jixiao-server" else 0
    return len(cycles) + bad


def layer(f):
    """The server's layers, lowest first: core files (and http/req.c, the
    request accessors every layer reads), then input/ and db/ side by side,
    routes/, http/, main.c."""
    if f == "http/req.c" or "/" not in f and f != "main.c":
        return 0
    if f.startswith(("input/", "db/")):
        return 1
    if f.startswith("routes/"):
        return 2
    if f.startswith("http/"):
        return 3
    return 4


def upward_calls(edges, why):
    """Calls against the direction of server/README.md: a lower layer
    calling a higher one, or input/ calling db/ (db/ may use input/'s
    decoded types and the import pipeline's batch)."""
    bad = 0
    for f in sorted(edges):
        for g in sorted(edges[f]):
            if layer(g) > layer(f) or (f.startswith("input/") and g.startswith("db/")):
                print(f"FAIL layers: {f} calls {g}: {', '.join(sorted(why[(f, g)])[:4])}")
                bad += 1
    if not bad:
        print("ok   layers: no file calls a layer above its own (server/README.md)")
    return bad


INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def sources(top):
    for root, _dirs, files in os.walk(top):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(root, f)


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return INCLUDE.findall(fh.read())


def check_includes(src):
    """Prints each forbidden include; answers their number."""
    bad = 0
    server = os.path.join(src, "server")
    for layer in ("db", "input"):
        for f in sources(os.path.join(server, layer)):
            for inc in includes(f):
                norm = os.path.normpath(os.path.join(os.path.dirname(f), inc))
                rel = os.path.relpath(norm, server)
                first = inc.split("/")[0]
                if first in ("routes", "http") or rel.split(os.sep)[0] in ("routes", "http"):
                    print(f'FAIL include: {os.path.relpath(f, src)} includes "{inc}" '
                          f"(server/{layer}/ may not include routes/ or http/)")
                    bad += 1
    server_headers = {os.path.relpath(h, server) for h in sources(server) if h.endswith(".h")}
    lib = os.path.join(src, "lib")
    for f in sources(lib):
        here = os.path.dirname(f)
        for inc in includes(f):
            own = any(os.path.exists(os.path.join(d, inc))
                      for d in (here, lib, os.path.join(lib, "include")))
            target = os.path.normpath(os.path.join(here, inc))
            into_server = target == server or target.startswith(server + os.sep)
            if into_server or (not own and inc in server_headers):
                print(f'FAIL include: {os.path.relpath(f, src)} includes "{inc}", '
                      "a server header (lib/ knows nothing of the server)")
                bad += 1
    if not bad:
        print("ok   includes: db/ and input/ include no routes/ or http/ header; lib/ no server header")
    return bad


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().split("\n\n")[-1], file=sys.stderr)
        return 2
    build = os.path.abspath(argv[1])
    src = os.path.abspath(argv[2]) if len(argv) > 2 else \
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    passed = failed = 0
    missing = False
    for name, rel in TARGETS:
        n = check_target(name, os.path.join(build, rel))
        if n is None:
            missing = True
            failed += 1
        elif n:
            failed += 1
        else:
            passed += 1
    if check_includes(src):
        failed += 1
    else:
        passed += 1
    print(f"{passed} passed, {failed} failed")
    if missing:
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
