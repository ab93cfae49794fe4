"""Shared test fixtures.

Tests marked ``postgres`` need a real server (``pg_url``). Without SANCTUARY_TEST_PG they skip on a
developer machine and FAIL under CI=true, so CI can never go green without having run them.

The real public-records data lives in ``shared/`` beside the repository (as on every developer
machine and in CI); tests read it there and never print personal fields from it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared folder is missing: expected it at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def alpr_dir(shared_dir: Path) -> Path:
    return shared_dir / "data" / "alpr-audits"


def _pg_base() -> str:
    base = os.environ.get("SANCTUARY_TEST_PG")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("SANCTUARY_TEST_PG is not set: CI must run the PostgreSQL tests")
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
