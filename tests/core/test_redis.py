"""The raw Redis client behind the default cache, kept once per process."""

from apps.core.redis import get_redis


def test_the_client_is_kept_until_the_caches_change(settings):
    # given the client of the configured cache
    first = get_redis()
    # then it is the same object on the next call (no look-up through django-redis each time)
    assert get_redis() is first
    # when a test points the default cache elsewhere
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    # then the client is the new cache's
    other = get_redis()
    assert other is not first
    assert other.connection_pool.connection_kwargs["port"] == 1
