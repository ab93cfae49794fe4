"""A synthetic vendor Network Audit export that exercises every access-event finding.

Rows combine searching orgs (the owner, other California agencies, agencies of other states,
federal and immigration agencies, names without a state) with reasons (ordinary crimes, immigration
purposes, an immigration authority named, dropdown categories, placeholders, empty, redacted) and
with or without a case number. Names are invented; no personal data.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

OWNER = "Alameda CA PD"
ORGS = [
    OWNER,
    "Oakland CA PD",
    "LOS ANGELES COUNTY CA SD",
    "Houston TX PD",
    "Okaloosa County FL SO",
    "[Federal] US Border Patrol [Inactive]",
    "[Federal] FBI",
    "Homeland Security Investigations",
    "Springfield PD",
]
REASONS = [
    "stolen vehicle",
    "ICE+ERO",
    "Assist HSI",
    "HSI child exploitation",
    "Immigration (civil/administrative) - ",
    "Anaheim PD ICE Impersonation series",
    "Niceville burglary",
    "not immigration related, robbery",
    "n/a",
    "",
    "***",
    "Deportation Warrant",
    "sig 21 CBP",
    "Drugs/immigration violations",
]
HEADER = ["ID", "Name", "Org Name", "Total Networks Searched", "Total Devices Searched",
          "Time Frame", "License Plate", "Reason", "Case #", "Filters", "Search Time",
          "Search Type"]  # fmt: skip


def write_vendor_audit(path: Path, repeat: int = 1) -> Path:
    """Write the export; ``len(ORGS) * len(REASONS) * 2 * repeat`` rows."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        combos = itertools.product(range(repeat), ORGS, REASONS, (True, False))
        for i, (_, org, reason, case) in enumerate(combos):
            month, day = 1 + i % 12, 1 + i % 28
            when = f"{month:02d}/{day:02d}/2025, {1 + i % 12:02d}:15:00 PM UTC"
            out.writerow([
                f"00000000-0000-4000-8000-{i:012d}", "***", org, 3, 40,
                f"{when}\n{when}", "***", reason, "24-0001" if case else "", "",
                when, "search",
            ])  # fmt: skip
    return path
