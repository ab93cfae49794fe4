"""Ledger fixtures: a ledger factory per store (SQLite always; PostgreSQL from SANCTUARY_TEST_PG).

Tests marked ``postgres`` need a real server. Without SANCTUARY_TEST_PG they skip on a developer
machine and FAIL under CI=true, so CI can never go green without having run them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sanctuary.ledger import Ledger

LedgerFactory = Callable[[], Ledger]


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
