"""django-redis client that times the Django cache calls (sessions, rate limits, cached reads) for
`cloudpos_cache_operation_duration_seconds`. Carts and locks use the raw Redis client and are not
timed here: their time shows in the request latency of the views that use them."""

from __future__ import annotations

import functools
import time

from django_redis.client import DefaultClient

from .registry import CACHE_OPERATION

TIMED = ("get", "set", "add", "delete", "get_many", "set_many", "delete_many", "incr", "decr", "has_key", "touch")


def _timed(name: str):
    original = getattr(DefaultClient, name)
    # The operation's labelled child, taken at its first call (so an operation never called stays out
    # of /metrics, as before) and kept, rather than looked up by labels() on every cache call
    child = None

    @functools.wraps(original)
    def method(self, *args, **kwargs):
        nonlocal child
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            try:
                if child is None:
                    child = CACHE_OPERATION.labels(name)
                child.observe(time.perf_counter() - started)
            except OSError:  # a metrics file that cannot be written never fails the cache call
                pass

    return method


class TimedRedisClient(DefaultClient):
    pass


for _name in TIMED:
    setattr(TimedRedisClient, _name, _timed(_name))
