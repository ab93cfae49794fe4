"""The release rule, over many column sets and requesters: a column leaves only when its category is
cleared by the decision, a withheld category's values never appear, and the ledger digest always
matches the rows answered."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from gw_helpers import a_number_forms, bearer, fake_city, gateway_app, ledger_entry, write_config

from sanctuary.canonical import digest

N = 30
COLUMNS = ["booking_id", "full_name", "release_date", "charge", "custody_status", "home_address",
           "birthplace", "a_number", "immigration_status", "narrative", "bail_amount",
           "misc_code"]  # fmt: skip
ASKERS: list[tuple[str, dict[str, Any]]] = [
    ("fbi", {"requester": {"agency": "FBI"}, "purpose": "bank robbery investigation",
             "purpose_category": "criminal_investigation",
             "context": {"recipient_attests_no_immigration_use": True}}),
    ("ice", {"requester": {"agency": "ICE-ERO"}, "purpose": "locate for removal",
             "legal_process": {"form": "I-200"}}),
    ("ice", {"requester": {"agency": "ICE-ERO"},
             "purpose": "ICE detainer: notify 48 hours before release",
             "legal_process": {"form": "I-247A", "signed_by_judge": False}}),
    ("pep", {"requester": {"agency": "LOCAL-LE", "state": "CA", "name": "Glendale PD"},
             "purpose": "burglary investigation", "purpose_category": "criminal_investigation"}),
    ("pep", {"requester": {"agency": "ICE-HSI"}, "purpose": "human trafficking investigation",
             "purpose_category": "criminal_investigation",
             "legal_process": {"type": "judicial_warrant", "signed_by_judge": True}}),
]  # fmt: skip


async def test_only_cleared_categories_leave(tmp_path: Path) -> None:
    city = fake_city.write_sqlite(tmp_path / "city.sqlite", N, 5)
    bookings = list(fake_city.bookings(N))
    datasets = write_config(tmp_path / "datasets.toml", f"sqlite://{city}")
    rng = random.Random(7)
    seen: set[str] = set()
    async with gateway_app(tmp_path, datasets) as (client, _, keys):
        gateway_categories = None
        for _ in range(40):
            key, ask = rng.choice(ASKERS)
            columns = rng.sample(COLUMNS, rng.randrange(1, len(COLUMNS) + 1))
            response = await client.post(
                "/v1/datasets/jail_bookings/query",
                json={**ask, "columns": columns},
                headers=bearer(keys[key]),
            )
            assert response.status_code == 200, response.text
            body = response.json()
            decision = body["decision"]
            seen.add(decision["decision"])
            if gateway_categories is None:
                gateway_categories = client._transport.app.state.gateway.dataset(  # type: ignore[attr-defined]
                    "jail_bookings"
                ).categories
            redact = {c for o in decision["obligations"] if o["type"] == "redact"
                      for c in o.get("categories", [])}  # fmt: skip
            cleared = set()
            if decision["decision"] in ("allow", "allow_redacted"):
                cleared = set(decision["allowed_data"]) - set(decision["withheld_data"]) - redact
            assert {gateway_categories[c] for c in body["columns"]} <= cleared
            assert set(body["columns"]) | set(body["withheld_columns"]) == set(columns)
            if decision["decision"] not in ("allow", "allow_redacted"):
                assert body["rows"] == []
            for record in bookings:
                if "place_of_birth" not in cleared:
                    assert record["birthplace"].split(",")[0] not in response.text
                if "national_ids" not in cleared:
                    for form in a_number_forms(record["a_number"]):
                        assert form not in response.text
            entry = await ledger_entry(client, decision["ledger"])
            assert entry["released"]["digest"] == digest(body["rows"])
    assert {"allow_redacted", "deny", "escalate"} <= seen  # the loop saw every outcome
