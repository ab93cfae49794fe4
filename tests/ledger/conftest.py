"""Ledger fixtures: a ledger factory per store (SQLite always; PostgreSQL from SANCTUARY_TEST_PG).

Tests marked ``postgres`` need a real server. Without SANCTUARY_TEST_PG they skip on a developer
machine and FAIL under CI=true, so CI can never go green without having run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sanctuary.ledger import Ledger

LedgerFactory = Callable[[], Ledger]


def _pg_base() -> str:
    base = os.environ.get("SANCTUARY_TEST_PG")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("SANCTUARY_TEST_PG is not set: CI must run the PostgreSQL ledger tests")
        pytest.skip("SANCTUARY_TEST_PG is not set (a postgresql:// URL to a test database)")
    return base


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on the test server, as a URL whose search_path points at it."""
    import psycopg

    base = _pg_base()
    schema = "t_" + uuid.uuid4().hex[:16]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def open_ledger(store_url: str, tmp_path: Path) -> Iterator[LedgerFactory]:
    opened: list[Ledger] = []

    def factory() -> Ledger:
        ledger = Ledger.open(
            store_url,
            tmp_path / "signing-key",
            hash_key_path=tmp_path / "hash-key",
            origin="city.example/decisions",
        )
        opened.append(ledger)
        return ledger

    yield factory
    for ledger in opened:
        ledger.close()
