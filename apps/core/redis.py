"""Access to Redis for carts and locks, real or embedded."""

import fakeredis
import redis
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


def get_redis() -> redis.Redis:
    """The raw Redis client behind the default cache (no key prefix applied)."""
    return get_redis_connection("default")
