"""The raw Redis client behind the default cache, kept once per process."""

from apps.core import redis as core_redis
from apps.core.redis import get_redis

OTHER_CACHE = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
    }
}


def test_the_client_is_looked_up_once_until_the_caches_change(settings, monkeypatch):
    # given the look-ups of the client through django-redis, counted
    looked_up = []
    real = core_redis.get_redis_connection

    def counted(alias):
        looked_up.append(alias)
        return real(alias)

    monkeypatch.setattr(core_redis, "get_redis_connection", counted)
    first = get_redis()
    # when it is asked for again, it is not looked up again
    assert get_redis() is first
    assert len(looked_up) <= 1  # none if an earlier test of this process took it
    before = len(looked_up)
    # when a test points the default cache elsewhere
    settings.CACHES = OTHER_CACHE
    # then the client is looked up again, and is the new cache's
    other = get_redis()
    assert len(looked_up) == before + 1
    assert other is not first
    assert other.connection_pool.connection_kwargs["port"] == 1
    assert get_redis() is other
    assert len(looked_up) == before + 1
