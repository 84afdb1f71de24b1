"""A rate limiter per channel config, in Redis, shared by every worker on every host.

The bucket holds `capacity` tokens; a spent token comes back one window later (window = capacity / rate,
so one second at rates of 1/s and more, plus a small margin). So no window of that length ever holds more
than `capacity` sends, however many workers draw from the bucket — a stricter guarantee than a refilling
bucket, which lets a full burst and a full refill land in the same second.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings

from engage.redis import redis_client

# KEYS: grants zset, used-count key, sequence key. ARGV: capacity, wanted, window_ms.
# Returns {granted, wait_ms}. Grants are members "<ms>:<seq>:<n>" scored by the Redis server's clock.
_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local want = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - window)
local freed = 0
for _, m in ipairs(expired) do freed = freed + tonumber(string.match(m, ':(%d+)$')) end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window) end
local used = tonumber(redis.call('GET', KEYS[2]) or '0') - freed
if used < 0 then used = 0 end
if redis.call('ZCARD', KEYS[1]) == 0 then used = 0 end
local free = cap - used
if free > 0 then
  local n = math.min(free, want)
  local seq = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[1], now, now .. ':' .. seq .. ':' .. n)
  redis.call('SET', KEYS[2], used + n, 'PX', window * 2)
  redis.call('PEXPIRE', KEYS[1], window * 2)
  redis.call('PEXPIRE', KEYS[3], window * 2)
  return {n, 0}
end
redis.call('SET', KEYS[2], used, 'PX', window * 2)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = window
if #oldest > 0 then wait = tonumber(oldest[2]) + window - now + 1 end
return {0, wait}
"""


class RateLimiter:
    """`acquire(n)` blocks until at least one token is free and returns how many (≤ n) were granted."""

    def __init__(self, name: str, rate: float, *, sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.capacity = max(1, math.floor(rate))
        margin = float(getattr(settings, "CHANNELS_RATE_WINDOW_MARGIN", 0.05))
        self.window_ms = math.ceil(1000 * self.capacity / rate * (1 + margin))
        self.keys = [f"engage:rate:{name}:grants", f"engage:rate:{name}:used", f"engage:rate:{name}:seq"]
        self.sleep = sleep
        self._script = redis_client().register_script(_LUA)

    def try_acquire(self, n: int) -> tuple[int, float]:
        """(granted, seconds to wait before asking again) without blocking."""
        granted, wait_ms = self._script(keys=self.keys, args=[self.capacity, max(1, n), self.window_ms])
        return int(granted), int(wait_ms) / 1000

    def acquire(self, n: int) -> int:
        while True:
            granted, wait = self.try_acquire(n)
            if granted:
                return granted
            self.sleep(wait)


def limiter_for(*, config_id: int | None, rate: float) -> RateLimiter | None:
    """The shared limiter of a channel config, or None when nothing limits it."""
    if config_id is None or rate <= 0:
        return None
    return RateLimiter(f"config:{config_id}", rate)


def source_limiter_for(dispatch: Any) -> RateLimiter | None:
    """The shared limiter of a campaign (or journey) whose dispatch message asks for `messages_per_second`:
    one bucket per campaign across its runs, treatments and workers, beside the channel config's."""
    rate = float((dispatch.message or {}).get("messages_per_second") or 0)
    if dispatch.campaign_id:
        owner = f"campaign:{dispatch.campaign_id}"
    elif dispatch.journey_id:
        owner = f"journey:{dispatch.journey_id}"
    else:
        owner = ""
    if rate <= 0 or not owner:
        return None
    return RateLimiter(f"{dispatch.tenant_id}:{owner}", rate)


def backoff_seconds(attempt: int, *, base: float = 1.0, cap: float = 300.0) -> float:
    """Capped exponential backoff with full jitter (so throttled workers do not retry in step)."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return random.uniform(ceiling / 2, ceiling)
