"""A vendor sharing-partner list extracted to CSV (the Okaloosa County FL SO release).

Shape: ``[Page,] Organization Name, Networks Shared With Me, Networks I'm Sharing``: one row per
partner organisation; the two network cells list the networks flowing each way (comma-separated).

Detected by the header (``Organization Name`` and both ``Networks ...`` columns).

Rows -> ``sharing_partners``: a partner whose networks are shared with the owner ->
``receives_data_from`` (``detail`` = those networks); a partner the owner shares with ->
``shares_data_with`` (``detail`` = the owner's networks shared); both -> two rows; neither ->
``listed_partner``. Partner kind and state come from the name (``Crestview FL PD`` -> local, FL).

Owner: the caller's ``org``, else the file's agency, else the network most often named in
``Networks I'm Sharing`` (the owner shares its own network), found in a first pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from sanctuary.audit.formats._events import FileContext
from sanctuary.audit.formats._hints import file_agency
from sanctuary.audit.formats._io import cell_text, is_blank, iter_csv, norm_header
from sanctuary.audit.formats.interface import (
    DEFAULT_OPTIONS,
    FormatAdapter,
    Head,
    ReadOptions,
    register,
)

__all__ = ["SharingListAdapter"]

_NAME = "organization name"
_WITH_ME = "networks shared with me"
_I_SHARE = "networks i'm sharing"


def _columns(header: list[Any]) -> dict[str, int] | None:
    names = {norm_header(h).replace("’", "'"): i for i, h in enumerate(header)}
    if not {_NAME, _WITH_ME, _I_SHARE} <= set(names):
        return None
    return {key: names[key] for key in (_NAME, _WITH_ME, _I_SHARE)}


def _owner(path: Path, cols: dict[str, int]) -> str | None:
    seen: Counter[str] = Counter()
    for number, cells in iter_csv(path):
        if number == 1 or len(cells) <= cols[_I_SHARE]:
            continue
        for network in cells[cols[_I_SHARE]].split(","):
            if network.strip():
                seen[network.strip()] += 1
    return seen.most_common(1)[0][0] if seen else None


class SharingListAdapter(FormatAdapter):
    name = "sharing_list"
    description = (
        "sharing-partner list (CSV): `[Page,] Organization Name, Networks Shared With Me, "
        "Networks I'm Sharing`"
    )

    def sniff(self, path: Path, head: Head) -> float:
        rows = head.sheets.get("", [])
        return 0.95 if rows and _columns(rows[0]) is not None else 0.0

    def read(self, path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Iterator[pa.RecordBatch]:
        rows = iter_csv(path)
        first = next(rows, None)
        cols = _columns(first[1]) if first else None
        if cols is None:
            return
        owner = file_agency(path) or _owner(path, cols)
        ctx = FileContext(path, self.name, options, "UTC", file_org=owner)
        for number, cells in rows:
            if is_blank(cells):
                yield from ctx.blank(None, number)
                continue
            cells = [*cells, "", "", "", ""]
            name, _ = cell_text(cells[cols[_NAME]])
            if name is None:
                yield from ctx.refuse(None, number, "no_partner_name", "no organization name")
                continue
            with_me, _ = cell_text(cells[cols[_WITH_ME]])
            i_share, _ = cell_text(cells[cols[_I_SHARE]])
            if with_me:
                yield from ctx.partner(None, number, name, "receives_data_from", with_me)
            if i_share:
                yield from ctx.partner(None, number, name, "shares_data_with", i_share)
            if not with_me and not i_share:
                yield from ctx.partner(None, number, name, "listed_partner")
        yield from ctx.finish()


register(SharingListAdapter())
