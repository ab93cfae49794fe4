"""Audit-log format adapters: the plug point (``interface``) and the built-in families.

Importing this package registers the built-ins, through the same :func:`register` a third party
calls. See docs/audit-formats.md for each family.
"""

from __future__ import annotations

from sanctuary.audit.formats import (  # noqa: F401  (imported to register the built-ins)
    events_parquet,
    extracted_audit,
    hotlist_events,
    pdf_text,
    portal,
    portal_json,
    reason_workbook,
    sharing_list,
    vendor_audit,
)
from sanctuary.audit.formats.interface import (
    THRESHOLD,
    FormatAdapter,
    Head,
    ReadOptions,
    adapters,
    detect,
    get,
    read_head,
    register,
)

__all__ = [
    "THRESHOLD",
    "FormatAdapter",
    "Head",
    "ReadOptions",
    "adapters",
    "detect",
    "get",
    "read_head",
    "register",
]
