"""A collector's JSON archive of one transparency portal (none-below/sm-alpr ``data/audit/*.json``).

Shape: ``{"portal": "<slug>", "schema_seen": [...], "rows": [{id, userId, searchDate,
networkCount, reason | offenseType | caseNumber ...}], ...}``. Seven column variants occur (reason,
offenseType and caseNumber each present or not); a missing key is null.

Detected by the top-level keys ``portal`` and ``rows`` (and ``schema_seen``) in the file's head.

Columns mapped as for the portal CSV: id -> event_id, userId -> user (``***`` -> null,
redacted), searchDate -> time, networkCount -> networks_searched, reason, offenseType ->
offense_category, caseNumber -> case_number. The collector's ``first_seen`` is not carried.

Org: the ``portal`` slug, written as the vendor writes names (``alameda-ca-pd`` -> ``Alameda CA
PD``). The collector archives California portals only: when a slug carries no state
(``mendocino-county-soca``) the state is **CA**.

Zone: ``searchDate`` is ISO with ``Z`` (UTC); one without a zone would be read as **UTC**.

Memory: JSON has no streaming reader in the standard library, so a file is parsed whole; the
archive keeps one agency per file (the largest is under 1 MB). Rows are still emitted in batches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from sanctuary.audit.formats._events import FileContext, clean_cells
from sanctuary.audit.formats.interface import (
    DEFAULT_OPTIONS,
    FormatAdapter,
    Head,
    ReadOptions,
    register,
)
from sanctuary.audit.orgs import org_info, slug_to_name
from sanctuary.errors import LogFileError

__all__ = ["PortalJsonAdapter"]

KEYS = {
    "id": "event_id",
    "userId": "user",
    "searchDate": "time",
    "networkCount": "networks_searched",
    "cameraCount": "devices_searched",
    "reason": "reason",
    "offenseType": "offense_category",
    "caseNumber": "case_number",
}
_RAW = frozenset({"time", "networks_searched", "devices_searched"})
COLLECTION_STATE = "CA"


def portal_org(slug: str) -> str:
    """The org name for a portal slug, with the collection's state when the slug has none."""
    name = slug_to_name(slug)
    if org_info(name).state is None:
        name = f"{name} ({COLLECTION_STATE})"
    return name


class PortalJsonAdapter(FormatAdapter):
    name = "portal_json"
    description = (
        "portal-collector JSON archive: `{portal, schema_seen, rows: [{id, userId, searchDate, "
        "networkCount, reason|offenseType|caseNumber}]}`"
    )

    def sniff(self, path: Path, head: Head) -> float:
        keys = set(head.json_keys)
        if {"portal", "rows"} <= keys:
            return 0.95 if "schema_seen" in keys else 0.7
        text = head.text
        if text.lstrip().startswith("{") and '"portal"' in text and '"rows"' in text:
            return 0.6
        return 0.0

    def read(self, path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[pa.RecordBatch]:
        try:
            with path.open("rb") as fh:
                doc = json.load(fh)
        except (ValueError, UnicodeDecodeError) as exc:
            raise LogFileError(f"`{path.name}` is not valid JSON", location=str(path)) from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("rows"), list):
            raise LogFileError(f"`{path.name}` has no `rows` list", location=str(path))
        slug = doc.get("portal")
        org = portal_org(slug) if isinstance(slug, str) and slug else None
        ctx = FileContext(path, self.name, options, "UTC", file_org=org, file_org_source="file")
        for number, item in enumerate(doc["rows"], start=1):
            if not isinstance(item, dict):
                yield from ctx.refuse(None, number, "bad_row", "a row is not a JSON object")
                continue
            raw = {key: item.get(src) for src, key in KEYS.items()}
            clean, redacted = clean_cells(raw, _RAW)
            yield from ctx.access(None, number, clean, redacted)
        yield from ctx.finish()


register(PortalJsonAdapter())
