"""A token bucket per API key: bursts are absorbed, sustained overload gets 429."""

from __future__ import annotations

import threading
import time

from sanctuary.errors import SanctuaryError


class RateLimited(SanctuaryError):
    code = "rate_limited"
    http_status = 429


class RateLimiter:
    def __init__(self, per_second: float, burst: float) -> None:
        self.per_second = per_second
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.per_second)
            if tokens < cost:
                self._buckets[key] = (tokens, now)
                raise RateLimited(
                    f"too many calls for this key; the limit is {self.per_second:g}/s"
                )
            self._buckets[key] = (tokens - cost, now)
