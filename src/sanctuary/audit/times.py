"""Source timestamps -> timezone-aware UTC.

Every adapter states the zone it applies to a time written without one (DESIGN.md: "inputs without
a zone ... are given an explicit default zone per log format"); the zone applied is returned so it
is kept beside the row (``zone_assumed``) and counted in the read report.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

__all__ = ["TimeParseError", "find_vendor_times", "parse_time", "zone"]

# Vendor exports: `01/25/2024, 01:27:03 PM UTC`, `1/3/2025, 08:54:25 PM UTC`, `11/14/2025 9:53 AM`.
_US = re.compile(
    r"(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}),?\s+"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))?)?"
    r"(?:\s*(?P<ampm>[AaPp][Mm]))?(?:\s*(?P<z>UTC|GMT|Z)\b)?"
)
_UTC_NAMES = {"utc", "gmt", "z"}


class TimeParseError(ValueError):
    """A time the adapter cannot read; the message names the shape, never personal data."""


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _localise(naive: datetime, default_zone: str) -> tuple[datetime, str]:
    # fold=0: an ambiguous wall time at the autumn change is read as the first (daylight) instant.
    return naive.replace(tzinfo=zone(default_zone)).astimezone(UTC), default_zone


def _from_us(m: re.Match[str], default_zone: str) -> tuple[datetime, str | None]:
    hour = int(m["h"])
    ampm = (m["ampm"] or "").upper()
    if ampm:
        if not 1 <= hour <= 12:
            raise TimeParseError(f"hour `{hour}` out of range for a 12-hour clock")
        hour = hour % 12 + (12 if ampm == "PM" else 0)
    frac = (m["f"] or "").ljust(6, "0")
    try:
        naive = datetime(
            int(m["y"]), int(m["mo"]), int(m["d"]), hour, int(m["mi"]), int(m["s"] or 0),
            int(frac or 0),
        )  # fmt: skip
    except ValueError as exc:
        raise TimeParseError(f"impossible date or time `{m.group(0)}`") from exc
    if m["z"] and m["z"].lower() in _UTC_NAMES:
        return naive.replace(tzinfo=UTC), None
    return _localise(naive, default_zone)


def parse_time(value: object, default_zone: str) -> tuple[datetime, str | None]:
    """Return ``(utc_datetime, zone_assumed)``; ``zone_assumed`` is None when the source gave one.

    Accepts datetime objects (Excel cells), ISO 8601 text (``2026-03-20T00:06:23.972Z``,
    ``2025-06-18 00:02:04.789``) and the vendor's US form (``01/25/2024, 01:27:03 PM UTC``).
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC), None
        return _localise(value, default_zone)
    if isinstance(value, date):
        return _localise(datetime.combine(value, time()), default_zone)
    if not isinstance(value, str) or not value.strip():
        raise TimeParseError("empty time")
    text = value.strip()
    if text[:4].isdigit() and len(text) >= 10 and text[4] == "-":
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise TimeParseError(f"unreadable ISO time `{text[:40]}`") from exc
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC), None
        return _localise(parsed, default_zone)
    m = _US.fullmatch(text)
    if m is None:
        raise TimeParseError(f"unreadable time `{text[:40]}`")
    return _from_us(m, default_zone)


def find_vendor_times(text: str, default_zone: str) -> list[tuple[datetime, str | None]]:
    """Every vendor-form time in a cell, in order (the two-line ``Time Frame`` cell: start, end)."""
    return [_from_us(m, default_zone) for m in _US.finditer(text)]
