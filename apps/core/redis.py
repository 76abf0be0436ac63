"""Access to Redis for carts and locks, real or embedded."""

import fakeredis
import redis
from django.core.signals import setting_changed
from django.dispatch import receiver
from django_redis import get_redis_connection

# One fake server per process: every connection of the embedded default sees the same data,
# exactly as every connection to a real Redis does.
_EMBEDDED_SERVER = fakeredis.FakeServer()


class EmbeddedConnectionPool(redis.ConnectionPool):
    """django-redis pool for the embedded default (no REDIS_URL): fakeredis in-process."""

    def __init__(self, **kwargs):
        kwargs["connection_class"] = fakeredis.FakeRedisConnection
        kwargs["server"] = _EMBEDDED_SERVER
        for unsupported in ("parser_class",):
            kwargs.pop(unsupported, None)
        super().__init__(**kwargs)


# The client, once per process: looking it up through django-redis on every call (the thread's cache
# handler, then its client) was 1 % of a checkout's instructions (issue 18). It is thread-safe and
# its connection pool reconnects in a forked child. Forgotten when a test changes CACHES.
_client: redis.Redis | None = None


def get_redis() -> redis.Redis:
    """The raw Redis client behind the default cache (no key prefix applied)."""
    global _client
    client = _client
    if client is None:
        client = _client = get_redis_connection("default")
    return client


@receiver(setting_changed)
def _forget_client(*, setting: str, **kwargs) -> None:
    global _client
    if setting == "CACHES":
        _client = None
