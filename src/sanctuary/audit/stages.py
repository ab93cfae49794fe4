"""Stage timings of an audit, logged at DEBUG on the ``sanctuary.audit`` logger.

    stage <name> wall=<seconds> cpu=<seconds>

``cpu`` is the process's CPU time over the stage (every thread, DuckDB's workers included): on a
shared machine it is steadier than the wall time. ``bench/audit.py --stages`` prints them. Off
(one level check) unless the logger is enabled; no data of the audit is ever logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["log", "note", "stage"]

log = logging.getLogger("sanctuary.audit")


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the enclosed block as stage ``name``."""
    if not log.isEnabledFor(logging.DEBUG):
        yield
        return
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    note(name, time.perf_counter() - wall, time.process_time() - cpu)


def note(name: str, wall: float, cpu: float | None = None) -> None:
    """Log a stage measured by the caller (``cpu`` None: not measurable apart)."""
    if log.isEnabledFor(logging.DEBUG):
        cpu_text = "-" if cpu is None else f"{cpu:.3f}"
        log.debug("stage %s wall=%.3f cpu=%s", name, wall, cpu_text)
