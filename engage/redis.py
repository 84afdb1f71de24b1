"""One Redis connection pool per process, on settings.REDIS_URL."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Generic, TypeVar

import redis
from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)
T = TypeVar("T")


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    """The process-wide Redis client (cache, rate limits, test clock, trigger versions)."""
    return redis.Redis.from_url(
        str(settings.REDIS_URL), socket_timeout=5, socket_connect_timeout=5, health_check_interval=30
    )


class VersionedCache(Generic[T]):
    """A per-process cache of one value per tenant, trusted while a version token in Redis is unchanged: a bump
    (after the writing transaction commits) makes every process reload on its next read. Without Redis, every read
    loads (one warning each)."""

    def __init__(self, key: str, what: str) -> None:
        self.key = key  # with a {tenant_id} field
        self.what = what
        self._values: dict[int, tuple[bytes | str, T]] = {}

    def bump(self, *, tenant_id: int) -> None:
        """Once the transaction commits, replace the tenant's token."""
        key = self.key.format(tenant_id=tenant_id)
        transaction.on_commit(lambda: redis_client().set(key, uuid.uuid4().hex))

    def get(self, *, tenant_id: int, load: Callable[[], T]) -> T:
        """The cached value while the token is unchanged, else `load()` (cached under the current token)."""
        key = self.key.format(tenant_id=tenant_id)
        try:
            client = redis_client()
            version = client.get(key)
            if version is None:
                # No token yet (or Redis lost it): set one, so that values cached before are not trusted.
                client.set(key, uuid.uuid4().hex, nx=True)
                version = client.get(key)
        except redis.RedisError:
            log.warning("%s: Redis unavailable, reading tenant %s's from the database", self.what, tenant_id)
            return load()
        cached = self._values.get(tenant_id)
        if cached is not None and version is not None and cached[0] == version:
            return cached[1]
        value = load()
        if version is not None:
            self._values[tenant_id] = (version, value)
        return value

    def clear(self) -> None:
        self._values.clear()
