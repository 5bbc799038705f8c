"""Helpers of the edge tests (test_45 .. test_48): raw connections from the
attackers' address (127.0.0.2) and the innocent client's (127.0.0.3), as
operations.md asks of load and fault tests."""
import socket
import time

from conftest import HOST, PORT

ATTACKER = "127.0.0.2"
INNOCENT = "127.0.0.3"


def connect_from(source, host=HOST, port=PORT, timeout=10):
    s = socket.create_connection((host, port), timeout=timeout, source_address=(source, 0))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def abort(s):
    """Closes with RST: no TIME_WAIT left behind."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
    s.close()


def status_of(data):
    if not data.startswith(b"HTTP/1."):
        return None
    return int(data.split(b" ", 2)[1])


def exchange_from(source, request_bytes, wait=10.0, host=HOST, port=PORT):
    """Sends request_bytes from `source` and reads until the server closes
    the connection or `wait` seconds pass.  Returns (first status or None,
    closed: bool, seconds until the close or the end of the wait)."""
    s = connect_from(source, host, port, timeout=wait)
    t0 = time.monotonic()
    data = b""
    closed = False
    try:
        try:
            s.sendall(request_bytes)
        except (BrokenPipeError, ConnectionResetError):
            pass
        deadline = t0 + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            except (ConnectionResetError, BrokenPipeError):
                closed = True
                break
            if not b:
                closed = True
                break
            data += b
    finally:
        abort(s)
    return status_of(data), closed, time.monotonic() - t0


def get_from(source, path="/healthz", host=HOST, port=PORT, timeout=30):
    """One GET on a fresh connection from `source`; (status, seconds)."""
    t0 = time.monotonic()
    s = connect_from(source, host, port, timeout=timeout)
    try:
        s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    finally:
        abort(s)
    return status_of(data), time.monotonic() - t0
