"""Service fixtures: a real Service on a temporary SQLite ledger, in process (httpx ASGI)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from svc_helpers import Keys

from sanctuary.service import Service, Settings, add_key, create_app, open_service

PACKS = Path(__file__).parent / "packs"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=f"sqlite:///{tmp_path / 'service.db'}", packs=str(PACKS), log_requests=False)


@pytest.fixture
def keys(settings: Settings) -> Keys:
    def key(agency: str, role: str, **kw: str) -> str:
        return add_key(settings.db, agency, role, **kw)[0]

    return Keys(
        pep=key("LOCAL-GOV", "pep", name="records gateway"),
        ice=key("ICE-ERO", "requester"),
        fbi=key("FBI", "requester"),
        reviewer=key("LOCAL-GOV", "reviewer", name="City Attorney"),
        auditor=key("LOCAL-GOV", "auditor", name="Inspector General"),
    )


@pytest.fixture
def service(settings: Settings, keys: Keys) -> Iterator[Service]:
    del keys  # created first, through the CLI path
    svc = open_service(settings)
    yield svc
    svc.recorder.close()
    svc.store.close()
    svc.ledger.close()


@pytest_asyncio.fixture
async def client(settings: Settings, service: Service) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, service)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sanctuary.test") as http:
        yield http
