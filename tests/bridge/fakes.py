"""Test doubles at the bridge's wires: a network printer capturing what it is sent (raw TCP, like
port 9100), an ESC/POS decoder to read it back, a proxy that loses an acknowledgement, and the
bridge agent and the SIMULATED terminal as real subprocesses."""

from __future__ import annotations

import json
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
STATUS_QUERY = b"\x10\x04\x04"
PAPER_OK, PAPER_END = b"\x12", b"\x72"


# --- a network printer ------------------------------------------------------------------------------


class _PrinterHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        printer: FakePrinter = self.server.fake
        self.request.settimeout(5)
        data = b""
        try:
            first = self.request.recv(65536)
            if first == STATUS_QUERY:
                self.request.sendall(PAPER_END if printer.paper_out else PAPER_OK)
                return
            data = first
            while True:
                chunk = self.request.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        if data:
            with printer.lock:
                printer.prints.append(data)


class FakePrinter:
    """Listens on 127.0.0.1; every connection that sends bytes is one print (`prints`)."""

    def __init__(self, port: int = 0):
        self.prints: list[bytes] = []
        self.lock = threading.Lock()
        self.paper_out = False
        self.port = port
        self.server = None

    def start(self) -> FakePrinter:
        server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), _PrinterHandler, bind_and_activate=False)
        server.allow_reuse_address = True
        server.daemon_threads = True
        server.server_bind()
        server.server_activate()
        server.fake = self
        self.server = server
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wait_prints(self, count: int, timeout: float = 20.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.prints) >= count:
                    return list(self.prints)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} prints, got {len(self.prints)}")


# --- reading ESC/POS back ------------------------------------------------------------------------------

_ESC_ARGS = {b"@": 0, b"E": 1, b"a": 1, b"R": 1, b"!": 1, b"d": 1, b"p": 3, b"M": 1, b"t": 1, b"-": 1, b"G": 1}
_ESC_ARGS |= {b"{": 1, b"J": 1, b"2": 0, b"3": 1, b"V": 1}
_GS_ARGS = {b"!": 1, b"B": 1, b"b": 1, b"L": 2, b"W": 2, b"h": 1, b"w": 1, b"H": 1, b"f": 1}
_FS_ARGS = {b"&": 0, b".": 0, b"!": 1, b"W": 1}


@dataclass
class Printed:
    lines: list[str] = field(default_factory=list)
    bold: list[str] = field(default_factory=list)  # lines printed in bold
    large: list[str] = field(default_factory=list)  # lines printed at double width and height
    commands: list[str] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def decode(data: bytes) -> Printed:
    """Walk the ESC/POS stream: commands become names, text between them is decoded as CP949 (the
    Korean double-byte mode must be on before any Hangul, or the text does not count)."""
    out = Printed()
    i, text, bold, large, korean = 0, b"", False, False, False

    def flush():
        nonlocal text
        line = text.decode("cp949") if korean else text.decode("ascii")
        out.lines.append(line)
        if bold:
            out.bold.append(line)
        if large:
            out.large.append(line)
        text = b""

    while i < len(data):
        byte = data[i : i + 1]
        if byte == b"\n":
            flush()
            i += 1
        elif byte == b"\x1b":
            cmd = data[i + 1 : i + 2]
            n = _ESC_ARGS[cmd]
            args = data[i + 2 : i + 2 + n]
            if cmd == b"E":
                bold = args == b"\x01"
            elif cmd == b"p":
                out.commands.append("DRAWER")
            elif cmd == b"@":
                out.commands.append("INIT")
            elif cmd == b"R" and args == b"\x0d":
                out.commands.append("KOREA")
            i += 2 + n
        elif byte == b"\x1d":
            cmd = data[i + 1 : i + 2]
            if cmd == b"V":
                mode = data[i + 2]
                out.commands.append("CUT")
                i += 4 if mode in (65, 66) else 3
            elif cmd == b"(":
                length = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5 : i + 5 + length]
                if body[:3] == b"1P0":  # QR: store the data in the symbol area
                    out.qr.append(body[3:].decode())
                i += 5 + length
            else:
                n = _GS_ARGS[cmd]
                if cmd == b"!":
                    large = data[i + 2] == 0x11
                i += 2 + n
        elif byte == b"\x1c":
            cmd = data[i + 1 : i + 2]
            if cmd == b"&":
                korean = True
                out.commands.append("DOUBLE_BYTE_ON")
            i += 2 + _FS_ARGS[cmd]
        else:
            text += byte
            i += 1
    if text:
        flush()
    return out


# --- a proxy that loses acknowledgements -------------------------------------------------------------


class LossyProxy:
    """Forwards HTTP to the server, except that the first `drop` print acknowledgements are
    delivered to the server and their answers lost (the connection is cut), or — with
    `drop_before=True` — never delivered at all."""

    def __init__(self, upstream: str, *, drop: int = 1, drop_before: bool = False, hold: bool = False):
        self.upstream = upstream.rstrip("/")
        self.drop = drop
        self.drop_before = drop_before
        self.dropped: list[str] = []
        # hold: a dropped acknowledgement is first held open until `release` is set (the bridge
        # is waiting for its answer: the moment to kill it)
        self.hold = hold
        self.holding = threading.Event()
        self.release = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                is_ack = self.path.endswith("/ack")
                if is_ack and proxy.drop > 0 and proxy.drop_before:
                    proxy.drop -= 1
                    proxy.dropped.append(self.path)
                    if proxy.hold:
                        proxy.holding.set()
                        proxy.release.wait(60)
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                answer = requests.request(
                    self.command, proxy.upstream + self.path, data=body, headers=headers, timeout=60
                )
                if is_ack and proxy.drop > 0:
                    proxy.drop -= 1
                    proxy.dropped.append(self.path)
                    self.connection.shutdown(socket.SHUT_RDWR)  # the answer never reaches the bridge
                    return
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- processes -------------------------------------------------------------------------------------------


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the bridge is no Django program
    return env


class BridgeProcess:
    """`python -m bridge run` in its own process, with its own state directory."""

    def __init__(self, server: str, state_dir: Path, *, wait: int = 1, terminal_timeout: float = 2.0):
        self.server, self.state_dir = server, state_dir
        self.wait, self.terminal_timeout = wait, terminal_timeout
        self.process: subprocess.Popen | None = None
        self.log = state_dir / "bridge.log"

    def pair(self, code: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bridge", "--state-dir", str(self.state_dir), "pair", code, "--server", self.server],
            cwd=REPO,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )

    def start(self) -> BridgeProcess:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "bridge", "--state-dir", str(self.state_dir), "--log-level", "DEBUG", "run"]
        command += ["--server", self.server, "--wait", str(self.wait), "--terminal-timeout", str(self.terminal_timeout)]
        command += ["--status-every", "1"]
        log = self.log.open("a")
        self.process = subprocess.Popen(command, cwd=REPO, env=_env(), stdout=log, stderr=subprocess.STDOUT)
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def wait_exit(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def journal(self) -> list[str]:
        path = self.state_dir / "journal.log"
        return path.read_text().splitlines() if path.exists() else []


class SimTermProcess:
    """The SIMULATED terminal (`python -m bridge.simterm`) in its own process."""

    def __init__(self, *, delay: float = 0.0):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.delay = delay
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> SimTermProcess:
        command = [sys.executable, "-m", "bridge.simterm", "--port", str(self.port), "--delay", str(self.delay)]
        quiet = subprocess.DEVNULL
        self.process = subprocess.Popen(command, cwd=REPO, env=_env(), stdout=quiet, stderr=quiet)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if self.send("PING") == "PONG\tSIMULATED":
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the simulated terminal did not start")

    def send(self, line: str) -> str:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(line.encode() + b"\n")
            buffer = b""
            while not buffer.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
        return buffer.decode().rstrip("\n")

    def ledger(self) -> dict:
        return json.loads(self.send("LEDGER").split("\t", 1)[1])

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")
