"""Shared test fixtures.

The real public-records data lives in ``shared/`` beside the repository (as on every developer
machine and in CI); tests read it there and never print personal fields from it.
"""

from __future__ import annotations

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
