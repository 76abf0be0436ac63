"""gunicorn reads this file from its working directory (the project root, as in the Procfile).

Hooks only: binding, workers and timeouts stay on the Procfile's command line.
- Prometheus multi-process metrics: with PROMETHEUS_MULTIPROC_DIR set (an empty, writable directory
  per host, e.g. a tmpfs), every worker writes its metrics to files there and `/metrics` merges them.
- The Procfile's worker class (pos_project/gunicorn_workers.py) keeps a slot per worker in the
  arbiter's shared memory: a worker that has exited gives its slot back.
"""

import os
from pathlib import Path

from pos_project.gunicorn_workers import BalancedThreadWorker


def _multiproc_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def on_starting(server):
    # Files left by a previous master would add old counts to the new one's (and their pids may
    # be reused): start from an empty directory.
    directory = _multiproc_dir()
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if isinstance(worker, BalancedThreadWorker):
        worker.leave_table()
    # A dead worker's gauges (live-mode) must not be reported; its counters stay in the totals.
    if _multiproc_dir() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
