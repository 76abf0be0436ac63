"""gunicorn's `gthread` worker, with the connections spread evenly over the workers.

gunicorn's workers share one listening socket, and a new connection goes to whichever worker wakes
first. Under load that is mostly the same one: in the checkout bench 14 of 16 terminals' keep-alive
connections sat on one worker, two on another and none on the other two. A connection stays with
its worker while it is kept alive, and one worker's threads run one at a time (the GIL): its
terminals queued behind each other while the other workers idled, and the checkout's p95 grew to
up to twice its mean; balanced, it stays near 1.3 times (issue 18; README, "Checkout benchmark").

`BalancedThreadWorker` accepts a new connection only while it holds no more connections than the
worker holding the fewest; the others leave the listening socket to it. The worker holding the
fewest accepts, so a new connection waits for the balance at most until that worker's next look at
the counts (`RECHECK_SECONDS`). The counts are kept in memory the arbiter makes before it forks the
workers (`ConnectionTable`).
"""

from __future__ import annotations

import multiprocessing
import time

from gunicorn.workers.gthread import ThreadWorker

FREE = -1  # no worker holds the slot
NOT_SERVING = -2  # held by a worker not serving: still loading the app, or shutting down


class ConnectionTable:
    """Every worker's open connections, in shared memory.

    The arbiter reserves and releases the slots: it is single-threaded, so no lock is needed. A
    worker writes only its own slot, once per turn of its loop, with the time it wrote it.
    """

    def __init__(self, slots: int = 64, stale_after: float = 2.0) -> None:
        self.connections = multiprocessing.RawArray("q", [FREE] * slots)
        self.written_at = multiprocessing.RawArray("d", slots)  # time.monotonic(), the same clock in every process
        self.stale_after = stale_after

    def reserve(self) -> int | None:
        """A free slot for a worker about to be forked; None when all are taken (that worker
        then accepts as plain gthread does, and is not counted)."""
        for slot, connections in enumerate(self.connections[:]):
            if connections == FREE:
                self.connections[slot] = NOT_SERVING
                return slot
        return None

    def release(self, slot: int) -> None:
        self.connections[slot] = FREE

    def publish(self, slot: int, connections: int, now: float) -> None:
        self.connections[slot] = connections
        self.written_at[slot] = now

    def fewest(self, now: float) -> int | None:
        """The fewest connections a serving worker holds. A worker whose loop has not turned for
        `stale_after` (hung, or killed and not yet reaped) is left out: a worker's loop turns ten
        times a second even when idle (RECHECK_SECONDS)."""
        serving = [
            connections
            for connections, written_at in zip(self.connections[:], self.written_at[:], strict=True)
            if connections >= 0 and now - written_at < self.stale_after
        ]
        return min(serving, default=None)


# Made when gunicorn's arbiter loads the worker class, before it forks a worker: every worker
# inherits the same shared memory. A module imported once per process, so a reload (HUP) keeps it.
TABLE = ConnectionTable()

# How often an idle worker looks at the table again. Another worker's count changing does not wake
# it: without this, it would go on accepting (or not) on a view up to the loop's one second old.
# Ten idle turns a second cost an idle worker about 2 ms of CPU a second (0.2 % of a core).
RECHECK_SECONDS = 0.1


class BalancedThreadWorker(ThreadWorker):
    """gthread, which accepts only while `nr_conns < worker_connections` (checked on every turn of
    its loop). Here `worker_connections` is read from the table: the configured maximum, or the
    fewest any worker holds plus one, whichever is lower."""

    def __init__(self, *args, **kwargs) -> None:
        self._slot: int | None = None
        super().__init__(*args, **kwargs)
        self._slot = TABLE.reserve()  # in the arbiter, before the fork

    @property
    def worker_connections(self) -> int:
        if self._slot is None or not self.alive:
            return self._most_connections
        now = time.monotonic()
        TABLE.publish(self._slot, self.nr_conns, now)
        fewest = TABLE.fewest(now)
        if fewest is None:
            return self._most_connections
        return min(self._most_connections, fewest + 1)

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._most_connections = value  # gunicorn's --worker-connections

    def handle_exit(self, sig, frame) -> None:
        # SIGTERM: it accepts no more while it finishes its requests, so it must not count as the
        # fewest meanwhile (the others would stop accepting for it).
        if self._slot is not None:
            TABLE.publish(self._slot, NOT_SERVING, time.monotonic())
        super().handle_exit(sig, frame)

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        super().wait_for_and_dispatch_events(min(timeout, RECHECK_SECONDS))

    def leave_table(self) -> None:
        """Called by the arbiter when this worker has exited (gunicorn.conf.py's child_exit)."""
        if self._slot is not None:
            TABLE.release(self._slot)
            self._slot = None
