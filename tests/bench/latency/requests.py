"""tests/bench/latency/requests.py -- request files for openloop.c: each
request as "LENGTH\\n" then its raw bytes (HTTP/1.1, keep-alive).

  requests.py get  OUT HOSTPORT TOKEN PATHFMT IDS_FILE   a GET per id
  requests.py post OUT HOSTPORT TOKEN PATH BODY_FILE      one POST
  requests.py mix  OUT FILE...                            the files' requests
                                                          interleaved, in turn
TOKEN "-" sends no Authorization.
"""
import sys


def raw(method, host, token, path, body=b""):
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    if token != "-":
        head.append(f"Authorization: Bearer {token}")
    if method == "POST":
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def read(path):
    out, data, i = [], open(path, "rb").read(), 0
    while i < len(data):
        nl = data.index(b"\n", i)
        n = int(data[i:nl])
        out.append(data[nl + 1:nl + 1 + n])
        i = nl + 1 + n
    return out


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "get":
        host, token, fmt, ids = sys.argv[3:7]
        reqs = [raw("GET", host, token, fmt % int(line)) for line in open(ids) if line.strip()]
    elif kind == "post":
        host, token, path, body = sys.argv[3:7]
        reqs = [raw("POST", host, token, path, open(body, "rb").read())]
    elif kind == "mix":
        lists = [read(p) for p in sys.argv[3:]]
        n = max(len(x) for x in lists)
        reqs = [x[i % len(x)] for i in range(n) for x in lists]
    else:
        sys.exit(__doc__)
    with open(out, "wb") as f:
        for r in reqs:
            f.write(b"%d\n" % len(r) + r)


if __name__ == "__main__":
    main()
