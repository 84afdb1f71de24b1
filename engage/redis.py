"""One Redis connection pool per process, on settings.REDIS_URL."""

from __future__ import annotations

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    """The process-wide Redis client (cache, rate limits, test clock, trigger versions)."""
    return redis.Redis.from_url(
        str(settings.REDIS_URL), socket_timeout=5, socket_connect_timeout=5, health_check_interval=30
    )
