"""The Procfile's gunicorn worker class spreads the connections evenly over the workers
(pos_project/gunicorn_workers.py).

The table's rules are tested in-process; the balancing itself by a real gunicorn arbiter with four
workers and the project's gunicorn.conf.py, serving a WSGI app that answers with its worker's pid,
reached by keep-alive connections held open as terminals hold them.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from pos_project.gunicorn_workers import FREE, NOT_SERVING, ConnectionTable

from .procfile import BASE_DIR, free_port, procfile_commands

# The Procfile's own: a web line back on plain gthread fails the balancing tests below.
WORKER_CLASS = re.search(r"--worker-class (\S+)", procfile_commands()["web"]).group(1)
WORKERS = 4
# Long enough that no held connection is closed by gunicorn while a test runs (its default is 2 s).
KEEP_ALIVE_SECONDS = 60
# Closing or opening a connection is seen by its worker on the next turn of its loop, within
# milliseconds; a new worker is serving once it has imported the tiny app. Generous bounds for CI.
SETTLE_SECONDS = 0.5
BOOT_SECONDS = 20


# --- the table -------------------------------------------------------------------------------------


def test_reserved_slots_are_distinct_and_not_counted_until_their_worker_serves():
    # Given a table, when the arbiter reserves slots for two workers about to boot
    table = ConnectionTable(slots=4)
    first, second = table.reserve(), table.reserve()

    # Then each has its own slot, and a booting worker does not count: it cannot accept yet
    assert {first, second} == {0, 1}
    assert table.connections[first] == NOT_SERVING
    assert table.fewest(now=100.0) is None

    # When one starts serving with three connections and the other with one
    table.publish(first, 3, now=100.0)
    table.publish(second, 1, now=100.0)

    # Then the fewest is the second's
    assert table.fewest(now=100.5) == 1


def test_a_worker_whose_loop_stopped_turning_is_left_out():
    # Given two serving workers, one of which last wrote its count 3 s ago (hung, or killed)
    table = ConnectionTable(slots=4, stale_after=2.0)
    hung, serving = table.reserve(), table.reserve()
    table.publish(hung, 0, now=100.0)
    table.publish(serving, 5, now=103.0)

    # Then only the serving worker counts: the hung one's 0 must not stop the others accepting
    assert table.fewest(now=103.0) == 5


def test_a_released_slot_is_reserved_again_and_a_full_table_reserves_none():
    # Given a full table
    table = ConnectionTable(slots=2)
    first, _ = table.reserve(), table.reserve()
    assert table.reserve() is None

    # When a worker exits and the arbiter releases its slot
    table.release(first)

    # Then the slot is free and goes to the next worker
    assert table.connections[first] == FREE
    assert table.reserve() == first


# --- a real arbiter --------------------------------------------------------------------------------


class Arbiter:
    """gunicorn as the Procfile runs it (worker class, threads, the project's gunicorn.conf.py)."""

    def __init__(self, worker_class: str = WORKER_CLASS) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tests.deploy.worker_pid_app:application",
                "--config",
                str(BASE_DIR / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--worker-class",
                worker_class,
                "--threads",
                "2",
                "--keep-alive",
                str(KEEP_ALIVE_SECONDS),
                "--timeout",
                "30",
            ],  # fmt: skip
            cwd=BASE_DIR,
            env={key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.held: list[tuple[int, http.client.HTTPConnection]] = []

    def ask(self, connection: http.client.HTTPConnection) -> int:
        connection.request("GET", "/")
        return int(connection.getresponse().read())

    def once(self) -> int | None:
        """The pid of the worker that answers a one-off request (closed after it), or None while
        gunicorn is not listening yet."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", "/", headers={"Connection": "close"})
            return int(connection.getresponse().read())
        except OSError:
            return None
        finally:
            connection.close()

    def wait_serving(self, count: int = WORKERS, besides: frozenset[int] = frozenset()) -> set[int]:
        """Asks one-off requests until `count` workers not in `besides` have answered."""
        seen: set[int] = set()
        deadline = time.monotonic() + BOOT_SECONDS
        while len(seen) < count:
            assert time.monotonic() < deadline, f"only workers {seen} answered within {BOOT_SECONDS} s"
            pid = self.once()
            if pid is None:
                time.sleep(0.1)
            elif pid not in besides:
                seen.add(pid)
        time.sleep(SETTLE_SECONDS)  # the one-off connections closed, and every worker saw it
        return seen

    def hold(self, count: int) -> list[int]:
        """Opens `count` keep-alive connections one after another and keeps them open; the pids
        of the workers that took them."""
        pids = []
        for _ in range(count):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            pid = self.ask(connection)
            self.held.append((pid, connection))
            pids.append(pid)
        return pids

    def let_go(self, pid: int) -> None:
        """Closes the held connections of one worker."""
        for held_pid, connection in self.held:
            if held_pid == pid:
                connection.close()
        self.held = [(held_pid, connection) for held_pid, connection in self.held if held_pid != pid]
        time.sleep(SETTLE_SECONDS)

    def per_worker(self) -> Counter:
        return Counter(pid for pid, _ in self.held)

    def stop(self) -> None:
        for _, connection in self.held:
            connection.close()
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def arbiter():
    running = Arbiter()
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.slow
def test_connections_are_spread_evenly_and_a_freed_worker_takes_the_next(arbiter):
    # Given the four workers serving
    workers = arbiter.wait_serving()

    # When sixteen terminals connect one after another and keep their connections
    arbiter.hold(16)

    # Then every worker holds four (plain gthread gives most of them to one worker)
    assert arbiter.per_worker() == {pid: 4 for pid in workers}

    # When one worker's four terminals go away and four others connect
    emptied = sorted(workers)[0]
    arbiter.let_go(emptied)
    arbiter.hold(4)

    # Then the emptied worker takes all four: the others hold more
    assert arbiter.per_worker() == {pid: 4 for pid in workers}


@pytest.mark.slow
def test_a_killed_workers_place_goes_to_its_replacement(arbiter):
    # Given twelve connections held by four workers
    workers = arbiter.wait_serving()
    arbiter.hold(12)
    assert sorted(arbiter.per_worker().values()) == [3, 3, 3, 3]

    # When one worker is killed (as gunicorn's timeout kills a stuck one) and its terminals reconnect
    killed = sorted(workers)[0]
    os.kill(killed, signal.SIGKILL)
    arbiter.held = [(pid, connection) for pid, connection in arbiter.held if pid != killed]
    replacement = arbiter.wait_serving(count=1, besides=frozenset(workers))
    arbiter.hold(3)

    # Then the replacement takes them, and the dead worker's slot did not hold the others back
    (new_pid,) = replacement
    assert arbiter.per_worker() == {pid: 3 for pid in (workers - {killed}) | {new_pid}}
