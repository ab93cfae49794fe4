"""Helpers for the dataset gateway tests: fake city data, a datasets file, an app over them."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from sanctuary.service import Settings, add_key, create_app, open_service

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location(
    "scan_fake_city", HERE.parent / "protect" / "scan_fake_city.py"
)
assert _spec and _spec.loader
fake_city = importlib.util.module_from_spec(_spec)
sys.modules["scan_fake_city"] = fake_city
_spec.loader.exec_module(fake_city)

# jail_bookings: explicit mapping for most columns; a_number, home_address, custody_status and
# immigration_status fall back to column_policy; misc_code and bail_amount are unrecognised.
BOOKINGS_TOML = """
[datasets.jail_bookings]
url = "{url}"
table = "{table}"
jurisdiction = "us-ca/los-angeles"
responder = {{kind = "jail", department = "LASD Inmate Reception Center"}}
order_by = ["booking_id"]
max_rows = 500
operator = "{operator}"
[datasets.jail_bookings.columns]
booking_id = "booking_record"
full_name = "booking_record"
booking_date = "booking_record"
release_date = "release_date"
charge = "criminal_history"
narrative = "incident_report"
birthplace = "place_of_birth"

[datasets.utility_accounts]
url = "{url}"
table = "{utility}"
jurisdiction = "us-ca/los-angeles"
responder = {{kind = "other_department", department = "LADWP"}}
[datasets.utility_accounts.columns]
account_no = "utility_records"
holder_name = "utility_records"
notes = "utility_records"
"""

FBI_ASK: dict[str, Any] = {
    "requester": {"agency": "FBI", "name": "FBI Los Angeles Field Office"},
    "purpose": "bank robbery investigation, case 25-0415",
    "purpose_category": "criminal_investigation",
    "context": {"recipient_attests_no_immigration_use": True},
    "columns": ["booking_id", "release_date", "charge", "narrative", "birthplace", "a_number"],
    "limit": 200,
}
ICE_ASK: dict[str, Any] = {
    "requester": {"agency": "ICE-ERO"},
    "purpose": "ICE detainer: notify 48 hours before release",
    "legal_process": {"form": "I-247A", "signed_by_judge": False},
    "columns": ["booking_id", "release_date"],
}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def pg_base() -> str:
    base = os.environ.get("SANCTUARY_TEST_PG")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("SANCTUARY_TEST_PG is not set: CI must run the PostgreSQL gateway tests")
        pytest.skip("SANCTUARY_TEST_PG is not set (a postgresql:// URL to a test database)")
    return base


def write_config(path: Path, url: str, prefix: str = "", operator: str = "label") -> Path:
    text = BOOKINGS_TOML.format(
        url=url,
        table=f"{prefix}jail_bookings",
        utility=f"{prefix}utility_accounts",
        operator=operator,
    )
    path.write_text(text, encoding="utf-8")
    return path


@asynccontextmanager
async def gateway_app(
    tmp_path: Path, datasets: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Any, dict[str, str]]]:
    """An in-process app on a fresh ledger with the bundled packs; yields client, service, keys."""
    settings = Settings(
        db=f"sqlite:///{tmp_path / 'service.db'}", datasets=str(datasets), log_requests=False
    )
    keys = {
        "pep": add_key(settings.db, "LOCAL-GOV", "pep", name="records gateway")[0],
        "fbi": add_key(settings.db, "FBI", "requester")[0],
        "ice": add_key(settings.db, "ICE-ERO", "requester")[0],
        "auditor": add_key(settings.db, "LOCAL-GOV", "auditor")[0],
    }
    service = open_service(settings)
    app = create_app(settings, service)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sanctuary.test") as c:
            yield c, service, keys
    finally:
        gateway = getattr(app.state, "gateway", None)
        if gateway is not None:
            gateway.close()
        service.recorder.close()
        service.store.close()
        service.ledger.close()


async def ledger_entry(client: httpx.AsyncClient, receipt: dict[str, Any]) -> dict[str, Any]:
    """The entry at the receipt's index, read through the public ledger API and proved included
    in the tree the receipt names."""
    import base64
    import json

    from sanctuary.ledger import leaf_hash, verify_inclusion

    index, size = receipt["index"], receipt["tree_size"]
    text = (await client.get(f"/v1/ledger/entries?start={index}&end={index + 1}")).text
    leaf = base64.b64decode(json.loads(text.splitlines()[0])["leaf"])
    assert leaf_hash(leaf).hex() == receipt["leaf_hash"]
    proof = (await client.get(f"/v1/ledger/proof/inclusion?index={index}&size={size}")).json()
    verify_inclusion(
        index,
        size,
        leaf_hash(leaf),
        [bytes.fromhex(h) for h in proof["inclusion"]],
        bytes.fromhex(proof["root_hash"]),
    )
    entry: dict[str, Any] = json.loads(leaf)
    return entry


def a_number_forms(anum: str) -> list[str]:
    d = anum[1:]
    return [anum, d, f"A{d[:3]}-{d[3:6]}-{d[6:]}", f"{d[:3]}-{d[3:6]}-{d[6:]}"]


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+", text)
