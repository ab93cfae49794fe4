"""Prometheus text metrics, kept by hand: a few counters and one latency histogram."""

from __future__ import annotations

import threading
from collections import Counter

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.decisions: Counter[str] = Counter()
        self.buckets: Counter[float] = Counter()
        self.latency_sum = 0.0
        self.latency_count = 0

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1
            self.latency_sum += seconds
            self.latency_count += 1
            for bound in BUCKETS:
                if seconds <= bound:
                    self.buckets[bound] += 1

    def decided(self, decision: str, n: int = 1) -> None:
        with self._lock:
            self.decisions[decision] += n

    def render(self, gauges: dict[str, float]) -> str:
        with self._lock:
            lines = [
                "# HELP sanctuary_http_requests_total HTTP requests by route and status.",
                "# TYPE sanctuary_http_requests_total counter",
            ]
            for (method, route, status), n in sorted(self.requests.items()):
                labels = f'method="{method}",route="{route}",status="{status}"'
                lines.append(f"sanctuary_http_requests_total{{{labels}}} {n}")
            lines += [
                "# HELP sanctuary_decisions_total Decisions made, by outcome.",
                "# TYPE sanctuary_decisions_total counter",
            ]
            lines += [
                f'sanctuary_decisions_total{{decision="{d}"}} {n}'
                for d, n in sorted(self.decisions.items())
            ]
            lines += [
                "# HELP sanctuary_http_request_duration_seconds Time to answer a call.",
                "# TYPE sanctuary_http_request_duration_seconds histogram",
            ]
            lines += [
                f'sanctuary_http_request_duration_seconds_bucket{{le="{b}"}} {self.buckets[b]}'
                for b in BUCKETS
            ]
            lines.append(
                f'sanctuary_http_request_duration_seconds_bucket{{le="+Inf"}} {self.latency_count}'
            )
            lines.append(f"sanctuary_http_request_duration_seconds_sum {self.latency_sum:.6f}")
            lines.append(f"sanctuary_http_request_duration_seconds_count {self.latency_count}")
            for name, value in sorted(gauges.items()):
                lines += [f"# TYPE {name} gauge", f"{name} {value}"]
        return "\n".join(lines) + "\n"
