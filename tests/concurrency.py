"""Real races for tests: threads released together, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_together(calls: list[Callable], *, timeout: float = 120) -> list:
    """Start every call at the same moment; return each call's result, or the exception it raised,
    in call order. A thread still running after `timeout` (a deadlock) fails the test."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index: int, call: Callable) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:  # reported to the test as a result
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing call never finished (deadlock?)"
    return results


def outcomes(results: list) -> list[str]:
    """ "ok" for a call that returned, else the DomainError code (or repr) of what it raised."""
    return ["ok" if not isinstance(r, BaseException) else getattr(r, "code", repr(r)) for r in results]
