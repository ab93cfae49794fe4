"""Ledger stores behind one interface, chosen by URL.

``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db`` (the default is
``sqlite:///./sanctuary.db``, or ``SANCTUARY_DB``), and ``postgresql://…`` / ``postgres://…``.
"""

from __future__ import annotations

import os

from sanctuary.errors import InputError
from sanctuary.ledger.stores.interface import Store, StoredCheckpoint

__all__ = ["DEFAULT_URL", "Store", "StoredCheckpoint", "default_url", "open_store"]

DEFAULT_URL = "sqlite:///./sanctuary.db"


def default_url() -> str:
    return os.environ.get("SANCTUARY_DB") or DEFAULT_URL


def open_store(url: str | None = None) -> Store:
    """Open (and migrate) the store named by ``url``."""
    url = url or default_url()
    if url.startswith("sqlite:///"):
        from sanctuary.ledger.stores.sqlite import SQLiteStore

        path = url[len("sqlite:///") :]
        if not path:
            raise InputError("a sqlite url needs a path: `sqlite:///path/to.db`", location="--db")
        return SQLiteStore(path, url=url)
    if url.startswith(("postgresql://", "postgres://")):
        from sanctuary.ledger.stores.postgres import PostgresStore

        return PostgresStore(url)
    raise InputError(
        f"unsupported database url `{_scheme(url)}`",
        help="use sqlite:///path or postgresql://…",
        location="--db",
    )


def _scheme(url: str) -> str:
    # Never echo a whole URL: it may carry a password.
    return url.split("://", 1)[0] + "://…" if "://" in url else url[:40]
