"""Turning one source record into a normalised row: the part every adapter shares.

``FileContext`` holds what is true for a whole file (its path, format, the file's own agency, the
default zone, the duplicate tracker, the batch builders) and builds rows from cleaned fields, so the
adapters only map their columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pyarrow as pa

from sanctuary.audit.formats._io import Deduper, cell_int, cell_text, is_blank
from sanctuary.audit.formats.interface import ReadOptions
from sanctuary.audit.orgs import org_info
from sanctuary.audit.tables import (
    ACCESS_EVENTS,
    CONFIG_EVENTS,
    REFUSED,
    SHARING_PARTNERS,
    BatchBuilder,
)
from sanctuary.audit.times import TimeParseError, find_vendor_times, parse_time

__all__ = ["FileContext", "normalise_reason", "offense_category"]

# The vendor's "Offense Type" dropdown (late 2025), as seen in portal exports, plus the two
# immigration options documented by the people who obtained the logs.
OFFENSE_TYPES = frozenset(
    """Alcohol Offenses (Non-DUI)|Animal Offenses (cruelty/neglect)|Arson|Assault/Battery Offenses
|Assault/Battery Offenses (Domestic)|Bribery|Burglary/Breaking & Entering|Child Abuse/Neglect
|City Planning/Traffic Analysis|Counterfeiting/Forgery
|Criminal Motor Vehicle Offense (incl. Road Rage/Reckless)|Curfew/Loitering/Vagrancy Violations
|Destruction/Damage/Vandalism of Property|Disorderly Conduct/Disturbance
|Disturbing Public Peace/Riot|Driving Under the Influence (DUI/DWI/OWI/OVI)|Drugs/Narcotics
|Financial Crime (Embezzlement/Fraud)|Hit and Run/Car Accident|Homicide/Death Investigation
|Human Trafficking|Illegal Dumping/Littering|Indecent Exposure/Lewd|Juvenile Delinquency
|Kidnapping/Abduction|Larceny/Theft Offenses|Material Witness|Missing/Endangered Person/Runaway
|Motor Vehicle Theft/Stolen|Obstructing Justice|Obstructing the Police (Fleeing/Eluding)
|Pornography/Obscene Material|Prostitution|Protective/Protection Order|Robbery|Sex Offenses
|Stalking|Stolen Property Offenses|Terrorism/Terroristic Threats|Threats/Harassment
|Traffic Infraction|Trespass|Wanted Person (Arrest Warrant/Fugitive)
|Weapons Offense (Guns/Shots Fired)|Welfare Check
|Immigration (civil/administrative)|Immigration (criminal)""".replace("\n", "").split("|")
)

_URL_RESIDUE = re.compile(r"\+|%[0-9A-Fa-f]{2}")
_SPACES = re.compile(r"\s+")


def normalise_reason(reason: str | None) -> str | None:
    """Undo URL-form residue (``Person+Crime``, ``ICE%2FERO``) and fold whitespace.

    Only a reason with no space at all is URL-decoded: ``2+ suspects`` stays as written.
    """
    if reason is None:
        return None
    text = reason
    if not any(c.isspace() for c in text.strip()) and _URL_RESIDUE.search(text):
        text = unquote_plus(text)
    folded = _SPACES.sub(" ", text).strip()
    return folded or None


def offense_category(reason: str | None) -> str | None:
    """The dropdown category of a ``Category - detail`` reason, when it is a known category."""
    if not reason:
        return None
    head = reason.split(" - ", 1)[0].strip().rstrip("-").strip()
    return head if head in OFFENSE_TYPES else None


@dataclass
class FileContext:
    """Per-file state shared by an adapter's rows."""

    path: Path
    format: str
    options: ReadOptions
    default_zone: str
    file_org: str | None = None
    file_org_source: str = "file"
    events: BatchBuilder = field(init=False)
    config: BatchBuilder = field(init=False)
    partners: BatchBuilder = field(init=False)
    refused: BatchBuilder = field(init=False)
    dedup: Deduper = field(default_factory=Deduper)

    def __post_init__(self) -> None:
        size = self.options.batch_size
        self.events = BatchBuilder(ACCESS_EVENTS, size)
        self.config = BatchBuilder(CONFIG_EVENTS, size)
        self.partners = BatchBuilder(SHARING_PARTNERS, size)
        self.refused = BatchBuilder(REFUSED, size)
        if self.options.default_zone:
            self.default_zone = self.options.default_zone

    def _prov(self, sheet: str | None, row: int) -> dict[str, Any]:
        return {"file": str(self.path), "sheet": sheet, "row": row, "format": self.format}

    def org_fields(self, row_org: str | None) -> dict[str, Any]:
        """Who acted: the row's org, else the caller's, else the file's own agency."""
        if row_org:
            name, source = row_org.strip(), "row"
        elif self.options.org:
            name, source = self.options.org, "option"
        elif self.file_org:
            name, source = self.file_org, self.file_org_source
        else:
            return {"org": None, "org_kind": "unknown", "org_state": None, "org_source": "none"}
        info = org_info(name)
        return {"org": name, "org_kind": info.kind, "org_state": info.state, "org_source": source}

    def refuse(
        self, sheet: str | None, row: int, code: str, message: str
    ) -> Iterator[pa.RecordBatch]:
        yield from self.refused.add({"code": code, "message": message, **self._prov(sheet, row)})

    def blank(self, sheet: str | None, row: int) -> Iterator[pa.RecordBatch]:
        """An empty row: nothing to read, but counted (reports keep it apart from refusals)."""
        yield from self.refuse(sheet, row, "blank_row", "empty row")

    def skip_sheet(self, sheet: str | None, why: str) -> Iterator[pa.RecordBatch]:
        """A workbook sheet that is not part of this format (a cover, a chart, a roster)."""
        yield from self.refuse(sheet, 0, "sheet_skipped", why)

    def access(
        self, sheet: str | None, row: int, cells: dict[str, Any], redacted: list[str]
    ) -> Iterator[pa.RecordBatch]:
        """One access event from cleaned ``cells`` (keys: the access_events column names, with
        ``time`` and ``time_frame`` still raw). Refuses the row when time or counts are unreadable.
        """
        try:
            when, assumed = parse_time(cells.get("time"), self.default_zone)
            networks = cell_int(cells.get("networks_searched"))
            devices = cell_int(cells.get("devices_searched"))
        except TimeParseError as exc:
            yield from self.refuse(sheet, row, "bad_time", str(exc))
            return
        except ValueError:
            yield from self.refuse(sheet, row, "bad_count", "a search count is not a whole number")
            return
        try:
            start, end, frame_assumed = self._time_frame(cells)
        except TimeParseError:
            # The search happened whatever its time window: keep it, without a window.
            start, end, frame_assumed = None, None, None
        reason = cells.get("reason")
        out = {
            **cells,
            **self.org_fields(cells.get("org")),
            "time": when,
            "time_frame_start": start,
            "time_frame_end": end,
            "networks_searched": networks,
            "devices_searched": devices,
            "zone_assumed": assumed or frame_assumed,
            "reason_normalised": normalise_reason(reason),
            "offense_category": cells.get("offense_category") or offense_category(reason),
            "redacted": redacted or None,
            "duplicate_of": self.dedup.check(cells.get("event_id"), row),
            **self._prov(sheet, row),
        }
        yield from self.events.add(out)

    def _time_frame(self, cells: dict[str, Any]) -> tuple[Any, Any, str | None]:
        if "time_frame" in cells:  # the vendor's two-line cell: start, end
            raw = cells.get("time_frame")
            if raw is None:
                return None, None, None
            times = find_vendor_times(str(raw), self.default_zone)
            if len(times) != 2:
                raise TimeParseError(f"time frame has {len(times)} times, expected 2")
            return times[0][0], times[1][0], times[0][1] or times[1][1]
        start = cells.get("time_frame_start")
        end = cells.get("time_frame_end")
        s = parse_time(start, self.default_zone) if start is not None else (None, None)
        e = parse_time(end, self.default_zone) if end is not None else (None, None)
        return s[0], e[0], s[1] or e[1]

    def config_event(
        self, sheet: str | None, row: int, cells: dict[str, Any]
    ) -> Iterator[pa.RecordBatch]:
        try:
            when, assumed = parse_time(cells.get("time"), self.default_zone)
        except TimeParseError as exc:
            yield from self.refuse(sheet, row, "bad_time", str(exc))
            return
        out = {
            **cells,
            **self.org_fields(cells.get("org")),
            "time": when,
            "zone_assumed": assumed,
            **self._prov(sheet, row),
        }
        yield from self.config.add(out)

    def partner(
        self, sheet: str | None, row: int, partner: str, relation: str, detail: str | None = None
    ) -> Iterator[pa.RecordBatch]:
        owner = self.org_fields(None)
        info = org_info(partner.strip())
        yield from self.partners.add(
            {
                "owner_org": owner["org"],
                "owner_org_state": owner["org_state"],
                "partner": partner.strip(),
                "partner_kind": info.kind,
                "partner_state": info.state,
                "relation": relation,
                "detail": detail,
                **self._prov(sheet, row),
            }
        )

    def finish(self) -> Iterator[pa.RecordBatch]:
        for builder in (self.events, self.config, self.partners, self.refused):
            yield from builder.finish()


def clean_cells(raw: dict[str, Any], keep_raw: frozenset[str]) -> tuple[dict[str, Any], list[str]]:
    """Clean every field to text-or-None, noting redacted ones; ``keep_raw`` fields (times,
    counts) pass through untouched so typed Excel values survive."""
    cells: dict[str, Any] = {}
    redacted: list[str] = []
    for key, value in raw.items():
        if key in keep_raw and not isinstance(value, str):
            cells[key] = value
            continue
        text, was_redacted = cell_text(value)
        if key in keep_raw and text is not None:
            text = text.strip()
        cells[key] = text
        if was_redacted:
            redacted.append(key)
    return cells, redacted


def read_headed_access(
    ctx: FileContext,
    tables: Iterator[tuple[str | None, Iterator[tuple[int, list[Any]]]]],
    header: Callable[[int, list[Any]], dict[int, str] | None],
    keep_raw: frozenset[str],
) -> Iterator[pa.RecordBatch]:
    """The access rows of sheets whose first row is a header of one format.

    ``header(number, cells)`` maps column positions to fields, or is None when the row is not this
    format's header; a sheet without one is skipped (and reported), not guessed at.
    """
    for sheet, rows in tables:
        mapping: dict[int, str] | None = None
        for number, cells in rows:
            if mapping is None:
                mapping = header(number, cells)
                if mapping is None:
                    yield from ctx.skip_sheet(sheet, "no header of this format on row 1")
                    break  # not a log sheet (a workbook's cover or report sheets)
                continue
            if is_blank(cells):
                yield from ctx.blank(sheet, number)
                continue
            raw = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
            clean, redacted = clean_cells(raw, keep_raw)
            yield from ctx.access(sheet, number, clean, redacted)
    yield from ctx.finish()
