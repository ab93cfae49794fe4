"""The agency a log file belongs to when its rows do not say (portal exports, reason/date sheets).

In order: a vendor file name (``12_1_2025-12_31_2025-San_Mateo_CA_PD_Audit.pdf``,
``..._Okaloosa_County_FL_SO-Audit_EXTRACTED.csv``); a portal slug among the path's parts
(``eugene-or-pd``); a short table of known public releases whose names carry no agency. The
caller's ``org`` option overrides all of these.
"""

from __future__ import annotations

import re
from pathlib import Path

from sanctuary.audit.orgs import STATES, slug_to_name

__all__ = ["file_agency"]

# `<start>-<end>-<Org_Name>-Audit` / `..._Audit` as the vendor names its PDF and CSV exports.
_VENDOR_NAME = re.compile(
    r"^\d{1,2}_\d{1,2}_\d{4}-\d{1,2}_\d{1,2}_\d{4}-(?P<org>.+?)[-_]Audit(?![a-z])", re.IGNORECASE
)
_SLUG = re.compile(r"^(?P<slug>[a-z][a-z-]*-(?P<st>[a-z]{2})-(?:pd|so|da))$")

# Releases whose file names name no agency (path fragment -> agency, as the vendor writes it).
KNOWN_RELEASES: tuple[tuple[str, str], ...] = (
    ("EPDSearchAuditLogs", "Eugene OR PD"),  # transparency.flocksafety.com/eugene-or-pd
    ("san-mateo-public-records", "San Mateo CA PD"),
    ("irvine-police-department", "Irvine CA PD"),
)


def file_agency(path: Path) -> str | None:
    m = _VENDOR_NAME.match(path.name)
    if m:
        return m["org"].replace("_", " ").strip()
    for part in (path.stem, *reversed(path.parent.parts)):
        s = _SLUG.match(part.lower())
        if s and s["st"].upper() in STATES:
            return slug_to_name(s["slug"])
    text = str(path)
    for fragment, agency in KNOWN_RELEASES:
        if fragment in text:
            return agency
    return None
