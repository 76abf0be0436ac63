"""Run the Procfile's processes the way an operator's platform does, for the production smoke test.

Every process is the Procfile's own line, run with `bash -c` in its own process group, with the
production environment (DEBUG=0) a platform would set: PORT, DATABASE_URL, REDIS_URL and friends.
Nothing here imports the application; the processes are black boxes reached over HTTP.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

BASE_DIR = Path(__file__).resolve().parents[2]
PROCFILE = BASE_DIR / "Procfile"
PROCESS_TYPES = ("release", "web", "worker", "beat")
# A Redis database of its own on the test server, so the smoke's broker queue and carts never meet
# the pytest run's (database 0, flushed around every test).
SMOKE_REDIS_DB = 11
# Variables of the test run that must not leak into a production process.
NOT_INHERITED = re.compile(r"^(DJANGO_ALLOW_ASYNC_UNSAFE|PYTEST_.*|CELERY_.*|CONN_.*|TOSS_.*|KAKAO_.*|AWS_.*)$")


def procfile_commands(path: Path = PROCFILE) -> dict[str, str]:
    """`name: command` per line, as Heroku-style platforms read it."""
    commands = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_-]+):\s*(.+)$", line)
        if match:
            commands[match.group(1)] = match.group(2).strip()
    return commands


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


@dataclass
class ProcfileProcess:
    name: str
    command: str
    log_path: Path
    popen: subprocess.Popen | None = None

    def start(self, env: dict, cwd: Path) -> None:
        log = self.log_path.open("ab")
        # A session (and so a process group) of its own: `bash -c "a && b"` forks, and stopping
        # must reach gunicorn's and celery's children too, as a platform stopping a dyno does.
        self.popen = subprocess.Popen(
            ["bash", "-c", self.command],
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self, grace_seconds: float = 10) -> None:
        """SIGTERM the whole group, then SIGKILL whatever is left after the grace period."""
        if self.popen is None:
            return
        for sig, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, 5.0)):
            if not self._group_running():
                break
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and self._group_running():
                time.sleep(0.1)
        self.popen.poll()

    def _group_running(self) -> bool:
        self.popen.poll()  # reap bash itself, so it does not linger as a zombie of the group
        return bool(group_members(self.popen.pid))


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...; comm may hold spaces, so split after its closing paren.
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


class TlsTerminatingProxy(HTTPAdapter):
    """Stands in for the load balancer in front of gunicorn: the client speaks https:// to it, and
    it forwards over plain HTTP with `X-Forwarded-Proto: https` (and nothing else), as nginx or an
    ALB does. So the client (a requests.Session acting as the browser) keeps and sends `Secure`
    cookies exactly as a browser on HTTPS would, and production settings stay as they are."""

    def __init__(self, backend: str):
        super().__init__()
        self.backend = backend  # http://127.0.0.1:PORT

    def send(self, request, *args, **kwargs):
        public_url = request.url
        forwarded = request.copy()
        parts = urlsplit(public_url)
        forwarded.url = urlunsplit(("http", urlsplit(self.backend).netloc, parts.path, parts.query, ""))
        forwarded.headers["X-Forwarded-Proto"] = "https"
        response = super().send(forwarded, *args, **kwargs)
        # The browser sees the public URL: relative redirects resolve against it, cookies belong to it.
        response.url = public_url
        response.request = request
        return response


@dataclass
class SmokeStack:
    """The running Procfile stack and what the tests need to drive it."""

    workdir: Path
    port: int
    env: dict
    processes: dict[str, ProcfileProcess] = field(default_factory=dict)
    seed_output: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per start-up step

    @property
    def backend_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The public (https) address, reached through TlsTerminatingProxy."""
        return f"https://127.0.0.1:{self.port}"

    @property
    def static_root(self) -> Path:
        return Path(self.env["STATIC_ROOT"])

    def browser(self) -> requests.Session:
        """A fresh terminal's browser behind the TLS proxy, speaking Korean."""
        session = requests.Session()
        session.mount(self.base_url, TlsTerminatingProxy(self.backend_url))
        # Browsers send Origin on every POST; Django's CSRF check compares it with https://<host>.
        session.headers.update({"Origin": self.base_url, "Accept-Language": "ko"})
        return session

    def pairing_code(self, kind: str) -> str:
        """A code seed_demo printed for the demo device of that kind (POS, KIOSK)."""
        codes = dict(re.findall(r"\((POS|KIOSK)\): (\d{6})", self.seed_output))
        assert kind in codes, f"seed_demo printed no {kind} pairing code:\n{self.seed_output}"
        return codes[kind]

    def manage(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["python", "manage.py", *args],
            env=self.env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def run_once(self, name: str, timeout: float = 180) -> subprocess.CompletedProcess:
        """A one-off Procfile process (release) run to completion."""
        result = subprocess.run(
            ["bash", "-c", procfile_commands()[name]],
            env=self.env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        (self.workdir / f"{name}.log").write_text(result.stdout + result.stderr, encoding="utf-8")
        return result

    def start(self, name: str) -> ProcfileProcess:
        process = ProcfileProcess(name, procfile_commands()[name], self.workdir / f"{name}.log")
        process.start(self.env, BASE_DIR)
        self.processes[name] = process
        return process

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.stop()

    def logs(self, tail_lines: int = 150) -> str:
        parts = []
        for name in PROCESS_TYPES:
            path = self.workdir / f"{name}.log"
            if path.exists():
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[-tail_lines:]
                parts.append(f"----- {name} (last {len(lines)} lines) -----\n" + "\n".join(lines))
        if self.timings:
            parts.append("----- start-up -----\n" + ", ".join(f"{k}: {v:.1f} s" for k, v in self.timings.items()))
        if self.seed_output:
            parts.append("----- seed_demo -----\n" + self.seed_output)
        return "\n".join(parts) or "(no process logs)"

    def wait_until(self, what: str, check, *, timeout: float, watch: tuple[str, ...] = ()) -> None:
        """Poll `check()` until it is true; fail early if a watched process died meanwhile."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            dead = [name for name in watch if not self.processes[name].alive()]
            if dead:
                raise AssertionError(f"{', '.join(dead)} exited while waiting for {what}:\n{self.logs()}")
            time.sleep(0.25)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}:\n{self.logs()}")


def production_env(*, database_url: str, redis_url: str, workdir: Path, port: int) -> dict:
    """What a platform sets for a production deploy (README, "Running in production")."""
    env = {k: v for k, v in os.environ.items() if not NOT_INHERITED.match(k)}
    venv_bin = str(Path(sys.executable).parent)
    env.update(
        {
            "PATH": f"{venv_bin}{os.pathsep}{env.get('PATH', '')}",
            "VIRTUAL_ENV": str(Path(venv_bin).parent),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "pos_project.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "STATIC_ROOT": str(workdir / "staticfiles"),
            "MEDIA_ROOT": str(workdir / "media"),
            "CELERY_BEAT_SCHEDULE_FILE": str(workdir / "celerybeat-schedule"),
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "CELERY_CONCURRENCY": "2",
            "LOG_LEVEL": "INFO",
        }
    )
    return env


def create_smoke_database(database_url: str) -> str:
    """A fresh, empty database beside DATABASE_URL's (same server and role), as a new deploy has."""
    import psycopg

    name = f"cloudpos_smoke_{secrets.token_hex(4)}"
    with psycopg.connect(_maintenance_conninfo(database_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_path(database_url, f"/{name}")


def drop_smoke_database(smoke_url: str) -> None:
    import psycopg

    name = urlsplit(smoke_url).path.lstrip("/")
    assert name.startswith("cloudpos_smoke_"), name  # never anything else
    with psycopg.connect(_maintenance_conninfo(smoke_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _maintenance_conninfo(database_url: str) -> str:
    return with_path(database_url, "/postgres")  # CREATE/DROP DATABASE run from another database


def smoke_redis_url(redis_url: str) -> str:
    return with_path(redis_url, f"/{SMOKE_REDIS_DB}")
