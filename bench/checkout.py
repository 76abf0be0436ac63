"""Checkout load benchmark: one full kiosk checkout as the unit, on a production-like stack.

    python bench/checkout.py --clients 8,16,32 --seconds 20
    python bench/checkout.py --quick            # smoke run: 16 clients for 5 s

It starts a throw-away PostgreSQL (fsync on, as production) and Redis in a temporary directory, or
takes DATABASE_URL / REDIS_URL and creates a fresh database beside DATABASE_URL's (dropped at the end).
Then, as a platform deploys the Procfile: `migrate` (release), the demo seed (`seed_demo`) plus more
paired kiosks and POS terminals, `collectstatic && gunicorn` with 4 workers (web, DEBUG=0, production
settings) and a Celery worker (worker).

One checkout is what a customer at a kiosk and the cashier at the counter do over HTTP with
`Authorization: Device <token>`:

  kiosk: POST /api/carts → POST /api/carts/{id}/items (×2, two products) →
         POST /api/orders/start-payment/{cartId}
  POS:   POST /payments with the CASH method (from GET /payments/methods/active?channel=POS, read once
         per client as a terminal caches it).

The kiosk places the order and the counter takes the cash: a kiosk cannot take cash (payments/demo.py
offers CASH on the POS channel only), so the cash payment is the POS's request, as in the store.

Per level of concurrent clients it prints checkouts/s, p50/p95/p99 of add-item and of the whole
checkout, and the errors. It measures `pgbench -N` and `-S` (8 clients) on the same PostgreSQL, counts
the SQL queries and Redis commands of each checkout step (one checkout in-process through Django's test
client, CaptureQueriesContext and the Redis server's INFO commandstats deltas, before the web and worker
processes start so nothing else talks to Redis), and ends with one line:

  RESULT checkouts_per_s=… pgbench_n_tps=… ratio=… add_item_p95_ms_16=… checkout_p95_ms_16=… queries_per_checkout=…

checkouts_per_s is the best level's throughput; ratio = checkouts_per_s / pgbench_n_tps; the latency
fields are those of the 16-client level (of the level nearest 16, and named after it, when 16 is not run).
`--profile` adds a cProfile of in-process checkouts (top functions by own time and by cumulative time).
`--instructions N` counts the instructions of N in-process checkouts under valgrind's callgrind: on a
machine whose speed moves by ±10% from one run to the next, that count does not move, so it is the
figure to compare two commits by (the throughput is the figure the targets are set in).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("create_cart", "add_item_1", "add_item_2", "start_payment", "cash_payment")
PGBENCH_CLIENTS = 8
WEB_WORKERS = 4
CPU_CHECKOUTS = 300  # in-process checkouts timed on the CPU clock
WEB_THREADS = 8  # the Procfile's WEB_THREADS default
WEB_WORKER_CLASS = "pos_project.gunicorn_workers.BalancedThreadWorker"  # the Procfile's
DURABILITY = ["fsync", "synchronous_commit", "full_page_writes"]
LONG_CART = 10  # lines of the cart whose add-item cost is counted line by line
JSON_MARK = "BENCH-JSON "  # the in-process parts' answer, told apart from the app's JSON log lines


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- pure parts (tested in tests/bench) -----------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks (numpy's default);
    0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


@dataclass
class LevelResult:
    clients: int
    seconds: float
    checkouts: int = 0
    add_item_ms: list[float] = field(default_factory=list)
    checkout_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    step_ms: dict[str, list[float]] = field(default_factory=dict)
    client_cpu_s: float = 0.0  # the load generator's own CPU time in the window (all of its process)
    server_cpu_s: dict[str, float] = field(default_factory=dict)  # CPU seconds in the window, by process
    web_connections: list[int] = field(default_factory=list)  # each web worker's, mid-window, most first

    def add(self, steps: dict[str, float], total_ms: float) -> None:
        """One checkout that ended inside the window."""
        self.checkouts += 1
        self.checkout_ms.append(total_ms)
        for step, ms in steps.items():
            self.step_ms.setdefault(step, []).append(ms)
            if step.startswith("add_item"):
                self.add_item_ms.append(ms)

    def steps_summary(self) -> str:
        """p50/p95 of each step: which request the checkout's time goes to."""
        parts = [
            f"{step} {percentile(self.step_ms[step], 50):.0f}/{percentile(self.step_ms[step], 95):.0f}"
            for step in STEPS
            if step in self.step_ms
        ]
        cpu = 100 * self.client_cpu_s / self.seconds if self.seconds else 0.0
        return f"    steps p50/p95 ms: {', '.join(parts)}; load client CPU {cpu:.0f}% of one core"

    def cpu_summary(self) -> str:
        """CPU ms per checkout of each process group in the window: what one checkout cost the
        machine. On this machine the cost of the same code moves with its speed (see README)."""
        if not self.checkouts or not self.server_cpu_s:
            return ""
        costs = {**self.server_cpu_s, "load client": self.client_cpu_s}
        parts = ", ".join(f"{name} {1000 * seconds / self.checkouts:.1f}" for name, seconds in costs.items())
        total = 1000 * sum(costs.values()) / self.checkouts
        spread = (
            f"; web workers' connections {' '.join(map(str, self.web_connections))}" if self.web_connections else ""
        )
        return f"    CPU ms per checkout: {parts}; all {total:.1f}{spread}"

    @property
    def per_second(self) -> float:
        return self.checkouts / self.seconds if self.seconds else 0.0

    def error_count(self) -> int:
        return sum(self.errors.values())

    def summary(self) -> str:
        add = "/".join(f"{percentile(self.add_item_ms, q):.0f}" for q in (50, 95, 99))
        whole = "/".join(f"{percentile(self.checkout_ms, q):.0f}" for q in (50, 95, 99))
        errors = ", ".join(f"{key}×{n}" for key, n in sorted(self.errors.items())) or "none"
        return (
            f"clients={self.clients:<3} checkouts/s={self.per_second:7.2f} ({self.checkouts} in {self.seconds:.0f} s)  "
            f"add-item p50/p95/p99={add} ms  checkout p50/p95/p99={whole} ms  errors={self.error_count()} ({errors})"
        )


def reference_level(levels: list[LevelResult], wanted: int = 16) -> LevelResult:
    """The level the RESULT line's latencies come from: `wanted` clients, else the nearest."""
    return min(levels, key=lambda level: (abs(level.clients - wanted), level.clients))


def result_line(levels: list[LevelResult], pgbench_n_tps: float, queries_per_checkout: int) -> str:
    best = max(level.per_second for level in levels)
    ref = reference_level(levels)
    ratio = best / pgbench_n_tps if pgbench_n_tps else 0.0
    return (
        f"RESULT checkouts_per_s={best:.2f} pgbench_n_tps={pgbench_n_tps:.0f} ratio={ratio:.4f} "
        f"add_item_p95_ms_{ref.clients}={percentile(ref.add_item_ms, 95):.0f} "
        f"checkout_p95_ms_{ref.clients}={percentile(ref.checkout_ms, 95):.0f} "
        f"queries_per_checkout={queries_per_checkout}"
    )


def parse_pgbench_tps(output: str) -> float:
    """pgbench's `tps = 4476.123 (without initial connection time)` (15+) or the older `excluding` line."""
    match = re.search(
        r"tps = ([0-9.]+) \((?:without initial connection time|excluding connections establishing)\)", output
    )
    if match is None:
        raise ValueError(f"no tps in pgbench output:\n{output}")
    return float(match.group(1))


def parse_levels(text: str) -> list[int]:
    levels = [int(part) for part in text.split(",") if part.strip()]
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("--clients wants a comma-separated list of positive numbers")
    return levels


# --- the stack -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin_dir() -> Path:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    sys.exit("bench/checkout.py: PostgreSQL server binaries not found (install postgresql)")


def with_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=path))


class Stack:
    """Processes this run started (each in its own process group) and what to clean up."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.pg_data: Path | None = None
        self.as_pg: list[str] = []
        self.created_databases: list[str] = []
        self.admin_url = ""

    # PostgreSQL refuses to run as root: as root the server runs as the `postgres` system user.
    def start_postgres(self) -> str:
        pg_bin = pg_bin_dir()
        self.pg_bin = pg_bin
        if os.getuid() == 0:
            if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
                subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
            shutil.chown(self.workdir, "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        self.pg_data = self.workdir / "pg"
        port = free_port()
        subprocess.run(
            [
                *self.as_pg,
                str(pg_bin / "initdb"),
                "-D",
                str(self.pg_data),
                "-U",
                "cloudpos",
                "--auth=trust",
                "-E",
                "UTF8",
            ]
            + ["--locale=C.UTF-8"],
            check=True,
            capture_output=True,
        )
        # fsync, synchronous_commit and full_page_writes stay at their defaults (on), as in production.
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {self.workdir} -c max_connections=200"
        subprocess.run(
            [*self.as_pg, str(pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-l", str(self.workdir / "pg.log"), "-w"]
            + ["-o", options, "start"],
            check=True,
            capture_output=True,
        )
        log(f"PostgreSQL {pg_bin.parent.name} on 127.0.0.1:{port} (fsync on)")
        return f"postgres://cloudpos@127.0.0.1:{port}/postgres"

    def start_redis(self) -> str:
        port = free_port()
        self.spawn(
            "redis",
            ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
            env=dict(os.environ),
            cwd=self.workdir,
        )
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        log(f"Redis on 127.0.0.1:{port}")
        return f"redis://127.0.0.1:{port}/0"

    def create_database(self, server_url: str, prefix: str) -> str:
        self.admin_url = server_url
        name = f"{prefix}_{secrets.token_hex(4)}"
        with _admin_connect(server_url) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created_databases.append(name)
        return with_path(server_url, f"/{name}")

    def spawn(self, name: str, argv: list[str], *, env: dict, cwd: Path = ROOT) -> subprocess.Popen:
        out = open(self.workdir / f"{name}.log", "ab")
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((name, process))
        return process

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 10
        for _name, process in reversed(self.processes):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        if self.created_databases and self.pg_data is None:
            with _admin_connect(self.admin_url) as conn:
                for name in self.created_databases:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if self.pg_data is not None:
            subprocess.run(
                [*self.as_pg, str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-m", "immediate", "stop"],
                capture_output=True,
            )

    def tail_logs(self, lines: int = 30) -> None:
        for name, _process in self.processes:
            path = self.workdir / f"{name}.log"
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                print(f"--- {name}.log (last {lines} lines) ---\n" + "\n".join(text), file=sys.stderr)


def _admin_connect(url: str):
    """A connection for CREATE/DROP DATABASE: the url's database, or `postgres` if that one is missing."""
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError:
        return psycopg.connect(with_path(url, "/postgres"), autocommit=True)


def production_env(*, database_url: str, redis_url: str, workdir: Path) -> dict:
    """What a platform sets for the Procfile's processes (README, "Running in production")."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not re.match(r"^(DJANGO_ALLOW_ASYNC_UNSAFE|PYTEST_.*|CELERY_.*|CONN_.*|TOSS_.*|KAKAO_.*|AWS_.*)$", k)
    }
    venv_bin = str(Path(sys.executable).parent)
    env.update(
        {
            "PATH": f"{venv_bin}{os.pathsep}{env.get('PATH', '')}",
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
            "PROMETHEUS_MULTIPROC_DIR": str(workdir / "prometheus"),
            "LOG_LEVEL": "INFO",
        }
    )
    return env


def run_django(env: dict, *args: str, extra_env: dict | None = None) -> str:
    """Run this file's in-process part (`_setup`, `_count`) with the app's settings; its stdout."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        env={**env, **(extra_env or {})},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise SystemExit(f"bench/checkout.py {args[0]} failed ({result.returncode})")
    return result.stdout


def last_json(stdout: str) -> dict:
    for line in reversed(stdout.splitlines()):
        if line.startswith(JSON_MARK):
            return json.loads(line.removeprefix(JSON_MARK))
    raise ValueError(f"no JSON line in:\n{stdout[-2000:]}")


# --- pgbench ---------------------------------------------------------------------------------------


def run_pgbench(database_url: str, seconds: int, scale: int) -> dict[str, float]:
    parts = urlsplit(database_url)
    pgbench = shutil.which("pgbench") or str(pg_bin_dir() / "pgbench")
    conn = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    dbname = parts.path.lstrip("/")
    subprocess.run([pgbench, *conn, "-i", "-q", "-s", str(scale), dbname], check=True, capture_output=True, env=env)
    tps = {}
    for mode in ("-N", "-S"):
        out = subprocess.run(
            [pgbench, *conn, mode, "-c", str(PGBENCH_CLIENTS), "-j", "2", "-T", str(seconds), dbname],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
        tps[mode] = parse_pgbench_tps(out)
        log(f"pgbench {mode} -c {PGBENCH_CLIENTS} -T {seconds} (scale {scale}): {tps[mode]:.0f} tps")
    return tps


# --- the load --------------------------------------------------------------------------------------


class StepFailed(Exception):
    def __init__(self, step: str, status: int | str):
        super().__init__(f"{step}:{status}")
        self.key = f"{step}:{status}"


HEADERS = {"X-Forwarded-Proto": "https", "Content-Type": "application/json"}


async def _call(session, method: str, url: str, step: str, token: str, body: dict | None = None) -> dict:
    headers = {**HEADERS, "Authorization": f"Device {token}"}
    try:
        async with session.request(method, url, headers=headers, json=body, allow_redirects=False) as response:
            payload = await response.read()
            if response.status >= 300:
                raise StepFailed(step, response.status)
            return json.loads(payload)
    except StepFailed:
        raise
    except Exception as exc:  # connection reset, timeout: an error of this step, the run goes on
        raise StepFailed(step, type(exc).__name__) from exc


async def one_checkout(
    session, base: str, kiosk: str, pos: str, products: list[int], cash_method: int
) -> tuple[dict[str, float], float]:
    """One checkout; returns (each step's latency, the whole checkout's), in ms."""
    steps: dict[str, float] = {}

    async def timed(step: str, method: str, path: str, token: str, body: dict | None = None) -> dict:
        t0 = time.perf_counter()
        answer = await _call(session, method, f"{base}{path}", step, token, body)
        steps[step] = (time.perf_counter() - t0) * 1000
        return answer

    started = time.perf_counter()
    cart = await timed("create_cart", "POST", "/api/carts", kiosk, {})
    for index, product in enumerate(products[:2]):
        body = {"productId": product, "qty": 1}
        await timed(f"add_item_{index + 1}", "POST", f"/api/carts/{cart['cartId']}/items", kiosk, body)
    order = await timed("start_payment", "POST", f"/api/orders/start-payment/{cart['cartId']}", kiosk)
    await timed("cash_payment", "POST", "/payments", pos, {"orderId": order["orderId"], "paymentMethodId": cash_method})
    return steps, (time.perf_counter() - started) * 1000


async def drive(
    base: str,
    setup: dict,
    clients: int,
    seconds: float,
    cash_method: int,
    warmup: float = 0,
    server_cpu: Callable[[], dict[str, dict[int, float]]] | None = None,
    web_connections: Callable[[], list[int]] | None = None,
) -> LevelResult:
    """`clients` terminals checking out back to back for `warmup` + `seconds`. Only the checkouts that
    end inside the measured window count (with their latencies), and the errors that happen in it: the
    load is already at its level when the window opens, and the checkouts still running when it
    closes are let finish but not counted."""
    import aiohttp

    result = LevelResult(clients=clients, seconds=seconds)
    kiosks, poses, products = setup["kiosks"], setup["pos"], setup["products"]
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
        window_opens = time.perf_counter() + warmup
        window_closes = window_opens + seconds

        def in_window() -> bool:
            return window_opens <= time.perf_counter() <= window_closes

        async def client(index: int) -> None:
            kiosk, pos = kiosks[index % len(kiosks)], poses[index % len(poses)]
            while time.perf_counter() < window_closes:
                try:
                    steps, total = await one_checkout(session, base, kiosk, pos, products, cash_method)
                except StepFailed as failure:
                    if in_window():
                        result.errors[failure.key] = result.errors.get(failure.key, 0) + 1
                    await asyncio.sleep(0.05)  # a failing server must not be hammered in a tight loop
                    continue
                if in_window():
                    result.add(steps, total)

        async def client_cpu() -> None:
            # The client's CPU time over the window: what the load generator took from the server.
            await asyncio.sleep(max(0.0, window_opens - time.perf_counter()))
            cpu_at_open, server_at_open = time.process_time(), server_cpu() if server_cpu else {}
            if web_connections:
                await asyncio.sleep(max(0.0, (window_opens + window_closes) / 2 - time.perf_counter()))
                result.web_connections = web_connections()
            await asyncio.sleep(max(0.0, window_closes - time.perf_counter()))
            result.client_cpu_s = time.process_time() - cpu_at_open
            if server_cpu:
                result.server_cpu_s = cpu_spent(server_at_open, server_cpu())

        await asyncio.gather(client_cpu(), *(client(i) for i in range(clients)))
    return result


def _processes() -> dict[int, tuple[int, float]]:
    """Every process on the machine: pid → (parent pid, utime + stime of all its threads), in one
    pass over /proc (the reading is taken inside the load's event loop, at the window's edges)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
                found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
            except (OSError, IndexError, ValueError):
                continue  # ended while being read
    return found


def cpu_spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds each group spent between two readings, process by process: one that started in
    between counts whole, one that ended in between (a database connection closed at its
    CONN_MAX_AGE) is left out, which undercounts it rather than subtracting its past."""
    return {
        name: sum(seconds - before.get(name, {}).get(pid, 0.0) for pid, seconds in pids.items())
        for name, pids in after.items()
    }


def server_cpu_reader(stack: Stack) -> Callable[[], dict[str, dict[int, float]]]:
    """CPU seconds so far of each web process (gunicorn's master and workers), of the Celery worker,
    Redis and PostgreSQL (the postmaster and its backends) this run started, by name and pid."""
    roots = {name: process.pid for name, process in stack.processes}
    if stack.pg_data is not None and (stack.pg_data / "postmaster.pid").exists():
        roots["postgres"] = int((stack.pg_data / "postmaster.pid").read_text().split()[0])

    def read() -> dict[str, dict[int, float]]:
        processes = _processes()
        children: dict[int, list[int]] = {}
        for pid, (parent, _cpu) in processes.items():
            children.setdefault(parent, []).append(pid)
        readings = {}
        for name, root in roots.items():
            pids = [root, *children.get(root, [])]
            pids += [grandchild for pid in pids[1:] for grandchild in children.get(pid, [])]  # the worker's pool
            readings[name] = {pid: processes[pid][1] for pid in pids if pid in processes}
        return readings

    return read


def web_connections_reader(stack: Stack, port: int) -> Callable[[], list[int]]:
    """The established connections each gunicorn worker holds on `port`, most first. A kept-alive
    connection stays with the worker that accepted it, so this is how evenly the workers share the
    clients (README, "Checkout benchmark")."""
    master = dict(stack.processes)["web"].pid

    def read() -> list[int]:
        established = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
                    established.add(f"socket:[{fields[9]}]")
        held = []
        for pid, (parent, _cpu) in _processes().items():
            if parent == master:
                try:
                    held.append(sum(os.readlink(fd) in established for fd in Path(f"/proc/{pid}/fd").iterdir()))
                except OSError:
                    continue  # ended while being read
        return sorted(held, reverse=True)

    return read


def use_uvloop() -> bool:
    """Run the load client's event loop on uvloop (libuv, in C) when it is installed: the client
    shares the two cores with the server, and asyncio's own loop is Python."""
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


async def cash_method_id(base: str, pos_token: str) -> int:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        methods = await _call(session, "GET", f"{base}/payments/methods/active?channel=POS", "methods", pos_token)
    return next(m["id"] for m in methods["methods"] if m["kind"] == "CASH")


def wait_http(base: str, stack: Stack, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"{base}/healthz", headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    stack.tail_logs()
    raise SystemExit("gunicorn did not answer /healthz in time")


# --- py-spy ----------------------------------------------------------------------------------------


# Where a sample's innermost frame is, by its file: waiting on a server (py-spy counts a C call that
# waits on a socket as active) or Python running in some layer.
SAMPLE_KINDS = (
    ("waiting on PostgreSQL", ("psycopg/connection.py", "psycopg/client_cursor.py", "psycopg/cursor.py")),
    ("waiting on Redis", ("redis/_parsers/socket.py", "redis/connection.py")),
    ("gunicorn (accept, signals, socket writes)", ("gunicorn/", "selectors.py")),
    ("Django ORM (building SQL, making rows)", ("django/db/",)),
    ("psycopg (adapting values)", ("psycopg/",)),
    ("Django templates", ("django/template/",)),
    ("Django (other)", ("django/",)),
    ("the app (apps/, pos_project/)", ("apps/", "pos_project/")),
    ("redis-py, django-redis, Celery, kombu", ("redis/", "django_redis/", "celery/", "kombu/")),
    ("logging, prometheus-client, JSON", ("logging/", "prometheus_client/", "json/")),
)


def sample_kind(frame: str) -> str:
    """`function (path:line)` → the SAMPLE_KINDS entry its path falls in, else "other Python"."""
    path = frame.rpartition("(")[2]
    for kind, markers in SAMPLE_KINDS:
        if any(marker in path for marker in markers):
            return kind
    return "other Python"


@dataclass
class SpySummary:
    samples: int
    kinds: list[tuple[str, int]]
    own: list[tuple[str, int]]
    app_inclusive: list[tuple[str, int]]


def summarize_collapsed(text: str, top: int = 25) -> SpySummary:
    """py-spy's raw (collapsed) output — `frame;frame;…;leaf count` per line — as the samples by kind of
    innermost frame, the top functions by own samples, and the app's functions (apps/) by inclusive
    samples (once per stack however deep it recurses): where the hot path's time goes."""
    total, kinds, own, app = 0, {}, {}, {}
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [frame for frame in stack.split(";") if frame and not frame.startswith("process ")]
        if not frames:
            continue
        total += n
        own[frames[-1]] = own.get(frames[-1], 0) + n
        kind = sample_kind(frames[-1])
        kinds[kind] = kinds.get(kind, 0) + n
        for frame in {frame for frame in frames if "(apps/" in frame}:
            app[frame] = app.get(frame, 0) + n

    def ranked(counts: dict) -> list[tuple[str, int]]:
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]

    return SpySummary(total, ranked(kinds), ranked(own), ranked(app))


def py_spy_profile(stack: Stack, base: str, setup: dict, cash: int, clients: int, seconds: float) -> str:
    """Sample gunicorn's workers (on CPU only, py-spy's default) while `clients` check out, in a round
    of its own: the sampler costs CPU, so no measured level runs under it."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    web = next(process for name, process in stack.processes if name == "web")
    raw = stack.workdir / "py-spy.txt"
    argv = [py_spy, "record", "--subprocesses", "--function", "--format", "raw", "-o", str(raw)]
    spy = subprocess.Popen(
        [*argv, "--duration", str(int(seconds) + 1), "--pid", str(web.pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    time.sleep(1)
    asyncio.run(drive(base, setup, clients, seconds, cash))
    _out, err = spy.communicate(timeout=120)
    if not raw.exists():
        return f"py-spy failed: {err.decode(errors='replace')[-1000:]}"
    summary = summarize_collapsed(raw.read_text())
    total = summary.samples or 1
    lines = [f"\npy-spy of the web workers, {clients} clients for {seconds:.0f} s: {summary.samples} samples"]
    for title, rows in (
        ("by where the innermost frame is", summary.kinds),
        ("top functions by own samples", summary.own),
        ("top app functions (apps/) by inclusive samples", summary.app_inclusive),
    ):
        lines.append(f"  {title}:")
        lines += [f"    {100 * n / total:5.1f}%  {frame}" for frame, n in rows]
    return "\n".join(lines)


# --- in-process parts (run with the app's settings, in a subprocess) ----------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def inprocess_setup(kiosks: int, pos_count: int) -> dict:
    """seed_demo, then `kiosks` kiosks and `pos_count` POS terminals paired through the app's own pairing
    service, and two products any kiosk may sell (listed, not stock-tracked, no required option)."""
    _django()
    from django.core.management import call_command

    from apps.carts import services as carts
    from apps.inventory.models import StoreProduct
    from apps.stores import services as stores
    from apps.stores.management.commands.seed_demo import DEMO_EMAIL
    from apps.stores.models import Device, Store

    call_command("seed_demo", stdout=open(os.devnull, "w"))
    store = Store.objects.get(owner__email=DEMO_EMAIL)
    tokens: dict[str, list[str]] = {"KIOSK": [], "POS": []}
    wanted = {Device.Kind.KIOSK: kiosks, Device.Kind.POS: pos_count}
    pairings = 0
    for kind, count in wanted.items():
        for index in range(count):
            device, _created = Device.objects.get_or_create(store=store, kind=kind, name=f"bench {kind} {index + 1}")
            code = stores.device_issue_pairing_code(device)
            pairings += 1  # the pairing rate limit counts per client address: give each its own
            _device, token = stores.device_pair(code, client_address=f"10.99.{pairings // 250}.{pairings % 250}")
            tokens[kind].append(token)
    kiosk = Device.objects.filter(store=store, kind=Device.Kind.KIOSK, name__startswith="bench").first()
    products = []
    listings = StoreProduct.objects.filter(store=store, is_listed=True, track_stock=False).order_by(
        "display_order", "id"
    )
    for listing in listings:
        cart = carts.cart_create(store=store, device=kiosk)
        try:
            carts.cart_line_add(cart.id, device=kiosk, product_id=listing.product_id, qty=1)
        except Exception:  # a required option, sold out...: not a candidate
            continue
        finally:
            carts.cart_abandon(cart.id, device=kiosk)
        products.append(listing.product_id)
        if len(products) == LONG_CART:
            break
    if len(products) < 2:
        raise SystemExit("seed_demo has fewer than two products a kiosk can add without options")
    # The checkout adds the first two; the cart-length count below uses them all.
    return {"store": store.pk, "kiosks": tokens["KIOSK"], "pos": tokens["POS"], "products": products}


def _count_redis_client_side() -> dict:
    """Count what redis-py sends: every command packed (a pipeline's or MULTI's commands one by one)
    and every write to a socket (one round trip: a pipeline is sent at once). The server's
    commandstats also count the commands a Lua script runs inside, so both are reported."""
    from redis import connection as rc

    counter = {"commands": 0, "round_trips": 0, "paused": False}
    for serializer in (rc.PythonRespSerializer, rc.HiredisRespSerializer):
        original_pack = serializer.pack

        def pack(self, *args, _original=original_pack):
            if not counter["paused"]:
                counter["commands"] += 1
            return _original(self, *args)

        serializer.pack = pack
    original_send = rc.AbstractConnection.send_packed_command

    def send_packed_command(self, command, check_health=True):
        if not counter["paused"]:
            counter["round_trips"] += 1
        return original_send(self, command, check_health)

    rc.AbstractConnection.send_packed_command = send_packed_command
    return counter


class InProcessTerminals:
    """The bench's kiosk and POS calling the app through Django's test client, in this process
    (the views, middleware and services exactly as gunicorn runs them)."""

    def __init__(self, setup: dict):
        from django.test import Client

        self.client = Client()
        self.kiosk, self.pos, self.products = setup["kiosks"][0], setup["pos"][0], setup["products"]
        methods = self.call("/payments/methods/active?channel=POS", self.pos, method="get")
        self.cash = next(m["id"] for m in methods["methods"] if m["kind"] == "CASH")

    def call(self, path: str, token: str, body: dict | None = None, method: str = "post"):
        headers = {"HTTP_AUTHORIZATION": f"Device {token}", "HTTP_HOST": "127.0.0.1"}
        if method == "get":
            response = self.client.get(path, secure=True, **headers)
        else:
            response = self.client.post(
                path, json.dumps(body or {}), content_type="application/json", secure=True, **headers
            )
        if response.status_code >= 300:
            raise SystemExit(f"{path}: {response.status_code} {response.content[:500]!r}")
        return response.json()

    def checkout(self, step=lambda name, fn: fn()) -> None:
        """One checkout; `step(name, fn)` runs each request (to count or time it)."""
        cart = step("create_cart", lambda: self.call("/api/carts", self.kiosk, {}))
        items = f"/api/carts/{cart['cartId']}/items"
        for index, product in enumerate(self.products[:2]):
            step(
                f"add_item_{index + 1}",
                lambda product=product: self.call(items, self.kiosk, {"productId": product, "qty": 1}),
            )
        order = step("start_payment", lambda: self.call(f"/api/orders/start-payment/{cart['cartId']}", self.kiosk))
        step(
            "cash_payment",
            lambda: self.call("/payments", self.pos, {"orderId": order["orderId"], "paymentMethodId": self.cash}),
        )


def inprocess_count(setup: dict, profile_checkouts: int) -> dict:
    """SQL queries and Redis commands of each step of one checkout, through Django's test client
    (the views, middleware and services exactly as gunicorn runs them). The third checkout is
    counted: the first ones warm per-process caches, as a long-running worker has them warm."""
    _django()
    import redis
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    server = redis.Redis.from_url(settings.REDIS_URL)
    sent = _count_redis_client_side()

    def commandstats() -> dict[str, int]:
        sent["paused"] = True  # the counter's own INFO is not the app's
        try:
            return {name: stats["calls"] for name, stats in server.info("commandstats").items()}
        finally:
            sent["paused"] = False

    terminals = InProcessTerminals(setup)
    call, kiosk, products = terminals.call, terminals.kiosk, terminals.products

    def add_item_by_length() -> list[int]:
        """SQL queries of each add-item while one cart grows to LONG_CART lines (distinct products,
        then distinct notes: the same product with another note is a line of its own)."""
        cart = call("/api/carts", kiosk, {})
        counts = []
        for index in range(LONG_CART):
            body = {"productId": products[index % len(products)], "qty": 1, "note": f"line {index + 1}"}
            with CaptureQueriesContext(connection) as queries:
                call(f"/api/carts/{cart['cartId']}/items", kiosk, body)
            counts.append(len(queries.captured_queries))
        return counts

    def checkout(measure: dict | None) -> None:
        def step(name: str, fn):
            if measure is None:
                return fn()
            before = commandstats()
            sent.update(commands=0, round_trips=0)
            with CaptureQueriesContext(connection) as queries:
                value = fn()
            client_side = dict(sent)
            after = commandstats()
            calls = {
                k.removeprefix("cmdstat_"): after.get(k, 0) - before.get(k, 0)
                for k in after
                if k != "cmdstat_info" and after.get(k, 0) != before.get(k, 0)
            }
            measure[name] = {
                "queries": len(queries.captured_queries),
                "redis": client_side["commands"],
                "redis_round_trips": client_side["round_trips"],
                "redis_server_calls": sum(calls.values()),
                "redis_commands": calls,
                "sql": [q["sql"][:160] for q in queries.captured_queries],
            }
            return value

        terminals.checkout(step)

    checkout(None)
    checkout(None)
    measured: dict = {}
    checkout(measured)
    report = {"steps": measured, "add_item_by_length": add_item_by_length()}
    # The CPU one checkout costs the app's Python, one after another in one thread (so neither the
    # other processes on the machine nor the GIL's hand-offs count): steadier than the throughput
    # from one run to the next, and what the throughput is bound by on two cores.
    started = time.process_time()
    for _ in range(CPU_CHECKOUTS):
        checkout(None)
    report["cpu_ms_per_checkout"] = (time.process_time() - started) * 1000 / CPU_CHECKOUTS
    if profile_checkouts:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(profile_checkouts):
            checkout(None)
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        report["profile"] = text.getvalue()
    return report


def inprocess_instructions(setup: dict, checkouts: int) -> dict:
    """Run under callgrind started with instrumentation off: warm up, then count the instructions
    of `checkouts` checkouts by switching it on and off around them (callgrind_control). Unlike
    the CPU clock, the count is the same from one run to the next on a noisy machine, so two
    commits compare to the tenth of a percent. The server's CPU (PostgreSQL, Redis) is not in it."""
    _django()
    terminals = InProcessTerminals(setup)
    for _ in range(5):
        terminals.checkout()
    control = ["callgrind_control", "--instr"]
    subprocess.run([*control, "on", str(os.getpid())], check=True, capture_output=True)
    for _ in range(checkouts):
        terminals.checkout()
    subprocess.run([*control, "off", str(os.getpid())], check=True, capture_output=True)
    return {"checkouts": checkouts}


def count_instructions(env: dict, setup_file: Path, workdir: Path, checkouts: int) -> float | None:
    """Instructions per checkout of the app's Python in one process (see inprocess_instructions),
    or None without valgrind."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        log("valgrind is not installed: no instruction count")
        return None
    argv = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={workdir / 'callgrind.out'}",
        sys.executable, str(Path(__file__).resolve()), "_instructions", str(setup_file), str(checkouts),
    ]  # fmt: skip
    result = subprocess.run(
        argv, env={**env, "ALLOWED_HOSTS": "127.0.0.1,testserver"}, cwd=ROOT, capture_output=True, text=True
    )
    try:
        if result.returncode != 0:
            raise ValueError(f"exit status {result.returncode}")
        return parse_callgrind_collected(result.stderr) / checkouts
    except ValueError as error:
        sys.stderr.write(result.stdout[-2000:] + result.stderr[-4000:])
        raise SystemExit(f"bench/checkout.py _instructions failed under callgrind: {error}") from None


def parse_callgrind_collected(stderr: str) -> int:
    """The instructions callgrind counted while instrumentation was on (`==pid== Collected : N`)."""
    found = re.search(r"^==\d+== Collected\s*:\s*([\d,]+)\s*$", stderr, re.MULTILINE)
    if found is None:
        raise ValueError("no 'Collected' line in callgrind's report")
    return int(found.group(1).replace(",", ""))


# --- main ------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=parse_levels, default=[8, 16, 32], help="levels, e.g. 8,16,32")
    parser.add_argument("--seconds", type=float, default=20, help="seconds per level")
    parser.add_argument("--quick", action="store_true", help="smoke run: one level (16 clients) for 5 s")
    parser.add_argument("--kiosks", type=int, default=8, help="paired kiosks (clients share them round-robin)")
    parser.add_argument("--pos", type=int, default=2, help="paired POS terminals taking the cash payments")
    parser.add_argument(
        "--warmup", type=float, default=None, help="unmeasured seconds before each level's window (default 3, 2 quick)"
    )
    parser.add_argument("--pgbench-scale", type=int, default=None, help="pgbench -i -s (default 10, 1 quick)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N in-process checkouts")
    parser.add_argument(
        "--py-spy", type=float, default=0, metavar="S", help="after the levels, py-spy the web workers for S s of load"
    )
    parser.add_argument(
        "--instructions",
        type=int,
        default=0,
        metavar="N",
        help="count the instructions of N in-process checkouts under valgrind's callgrind (exact run to run)",
    )
    parser.add_argument(
        "--worker-class",
        default=WEB_WORKER_CLASS,
        help="gunicorn's worker class (default the Procfile's; gthread for plain gunicorn, to compare)",
    )
    parser.add_argument("--show-sql", action="store_true", help="print each step's SQL (first 160 characters)")
    parser.add_argument("--keep", action="store_true", help="leave the work directory (logs) in place")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.seconds = [16], 5
    args.warmup = args.warmup if args.warmup is not None else (2 if args.quick else 3)
    args.pgbench_scale = args.pgbench_scale or (1 if args.quick else 10)
    return args


def print_counts(counts: dict, show_sql: bool = False) -> int:
    steps = counts["steps"]
    print(
        "\nPer checkout step (one checkout in-process, caches warm): SQL queries; Redis commands sent,"
        " round trips, and commands the server ran (Lua scripts' inner commands included, by name):"
    )
    for name in STEPS:
        step = steps[name]
        commands = ", ".join(f"{k}×{v}" for k, v in sorted(step["redis_commands"].items()))
        print(
            f"  {name:<14} {step['queries']:>3} SQL  {step['redis']:>3} Redis sent"
            f"  {step['redis_round_trips']:>3} trips  {step['redis_server_calls']:>3} server ({commands})"
        )
        if show_sql:
            for sql in step["sql"]:
                print(f"      {sql}")
    totals = {key: sum(steps[s][key] for s in STEPS) for key in ("queries", "redis", "redis_round_trips")}
    server = sum(steps[s]["redis_server_calls"] for s in STEPS)
    print(
        f"  {'checkout':<14} {totals['queries']:>3} SQL  {totals['redis']:>3} Redis sent"
        f"  {totals['redis_round_trips']:>3} trips  {server:>3} server"
    )
    if "cpu_ms_per_checkout" in counts:
        print(
            f"  Python CPU per checkout in-process (test client, {CPU_CHECKOUTS} checkouts in one thread):"
            f" {counts['cpu_ms_per_checkout']:.1f} ms"
        )
    if counts.get("instructions_per_checkout"):
        print(
            "  instructions per checkout in-process (callgrind, the app's Python without the servers):"
            f" {counts['instructions_per_checkout'] / 1e6:.2f} M"
        )
    by_length = counts.get("add_item_by_length") or []
    if by_length:
        print(
            "  add-item SQL as one cart grows (lines already in it → queries): "
            + ", ".join(f"{lines}→{n}" for lines, n in enumerate(by_length))
        )
    return totals["queries"]


def main(argv: list[str] | None = None) -> None:
    if argv is None:
        argv = sys.argv[1:]
    if argv and argv[0] == "_setup":
        print(JSON_MARK + json.dumps(inprocess_setup(int(argv[1]), int(argv[2]))))
        return
    if argv and argv[0] == "_instructions":
        print(JSON_MARK + json.dumps(inprocess_instructions(json.loads(Path(argv[1]).read_text()), int(argv[2]))))
        return
    if argv and argv[0] == "_count":
        print(JSON_MARK + json.dumps(inprocess_count(json.loads(Path(argv[1]).read_text()), int(argv[2]))))
        return
    args = parse_args(argv)
    log(f"load client: aiohttp on {'uvloop' if use_uvloop() else 'asyncio'}'s event loop")
    log(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    workdir = Path(tempfile.mkdtemp(prefix="cloudpos-bench-"))
    stack = Stack(workdir)
    try:
        server = os.environ.get("DATABASE_URL") or stack.start_postgres()
        database_url = stack.create_database(server, "cloudpos_bench")
        with _admin_connect(database_url) as conn:
            settings = dict(conn.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [DURABILITY]))
        log("PostgreSQL " + ", ".join(f"{name}={settings.get(name)}" for name in DURABILITY))
        if settings.get("fsync") != "on":
            log("warning: fsync is off on this server: the figures are not production's")
        pgbench_url = stack.create_database(server, "cloudpos_pgbench")
        redis_url = os.environ.get("REDIS_URL") or stack.start_redis()
        env = production_env(database_url=database_url, redis_url=redis_url, workdir=workdir)

        log("release: migrate")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        # The web line's collectstatic, done first so the in-process count sees the same static files.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
        )
        log(f"seed: seed_demo, {args.kiosks} kiosks and {args.pos} POS paired")
        # Eager Celery while seeding: the demo's thumbnail tasks must not queue up for the measured run.
        setup = last_json(
            run_django(env, "_setup", str(args.kiosks), str(args.pos), extra_env={"CELERY_TASK_ALWAYS_EAGER": "1"})
        )
        setup_file = workdir / "setup.json"
        setup_file.write_text(json.dumps(setup))

        log("counting SQL queries and Redis commands of one checkout (in-process)")
        counts = last_json(
            run_django(
                env, "_count", str(setup_file), str(args.profile), extra_env={"ALLOWED_HOSTS": "127.0.0.1,testserver"}
            )
        )

        if args.instructions:
            log(f"counting instructions of {args.instructions} in-process checkouts (callgrind)")
            counts["instructions_per_checkout"] = count_instructions(env, setup_file, workdir, args.instructions)

        tps = run_pgbench(pgbench_url, int(max(args.seconds, 5)), args.pgbench_scale)

        port = free_port()
        # As the Procfile's web line runs it: its worker class, no access log.
        gunicorn = [
            sys.executable, "-m", "gunicorn", "pos_project.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(WEB_WORKERS), "--worker-class", args.worker_class, "--threads", str(WEB_THREADS),
            "--timeout", "30",
        ]  # fmt: skip
        stack.spawn("web", gunicorn, env=env)
        celery = [sys.executable, "-m", "celery", "-A", "pos_project.celery:app", "worker", "--loglevel=INFO"]
        stack.spawn("worker", [*celery, "--concurrency=4"], env=env)
        base = f"http://127.0.0.1:{port}"
        wait_http(base, stack)
        log(f"web: gunicorn, {WEB_WORKERS} {args.worker_class} workers x {WEB_THREADS} threads on {base}; celery")

        cash = asyncio.run(cash_method_id(base, setup["pos"][0]))
        # Every worker's first requests import and warm its caches: one short unmeasured round first.
        warm = asyncio.run(drive(base, setup, WEB_WORKERS * 2, 2, cash))
        log(f"first requests (2 s, not counted): {warm.checkouts} checkouts, {warm.error_count()} errors")
        levels = []
        server_cpu, connections = server_cpu_reader(stack), web_connections_reader(stack, port)
        for clients in args.clients:
            level = asyncio.run(
                drive(
                    base, setup, clients, args.seconds, cash,
                    warmup=args.warmup, server_cpu=server_cpu, web_connections=connections,
                )
            )  # fmt: skip
            levels.append(level)
            log(level.summary())
            time.sleep(1)
        spy_report = ""
        if args.py_spy:
            spy_report = py_spy_profile(stack, base, setup, cash, reference_level(levels).clients, args.py_spy)

        print("\nPer level:")
        for level in levels:
            print("  " + level.summary())
            print("  " + level.steps_summary())
            if level.cpu_summary():
                print("  " + level.cpu_summary())
        print(f"\npgbench -c {PGBENCH_CLIENTS}: -N {tps['-N']:.0f} tps, -S {tps['-S']:.0f} tps")
        queries = print_counts(counts, show_sql=args.show_sql)
        if counts.get("profile"):
            (workdir / "profile.txt").write_text(counts["profile"])
            print("\ncProfile of in-process checkouts:\n" + counts["profile"])
        if spy_report:
            print(spy_report)
        log(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
        if any(level.checkouts == 0 for level in levels):
            stack.tail_logs()
        print(result_line(levels, tps["-N"], queries))
        if any(level.checkouts == 0 for level in levels):
            raise SystemExit(1)
    except BaseException:
        stack.tail_logs()
        raise
    finally:
        stack.stop()
        if args.keep:
            log(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
