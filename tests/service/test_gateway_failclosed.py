"""The dataset gateway fails closed: no decision, no log, no redaction, no source -> no rows.

In process on SQLite, DuckDB and Parquet sources (no server needed); the PostgreSQL end-to-end
tests are in test_gateway_postgres.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gw_helpers import FBI_ASK, a_number_forms, bearer, fake_city, gateway_app, write_config

from sanctuary.canonical import digest
from sanctuary.protect import Operator, Target, register
from sanctuary.service import Settings
from sanctuary.service.datasets import DatasetConfigError, load_datasets

N = 40
BOOKINGS = list(fake_city.bookings(N))
Q = "/v1/datasets/jail_bookings/query"


class Exploding(Operator):
    """An operator that always fails: a redaction failure must release nothing."""

    name = "test_exploding"

    def replace(self, value: str, target: Target) -> str | None:
        raise RuntimeError("boom")


@pytest.fixture
def exploding() -> Iterator[str]:
    """Registered for one test only: the registry is global, and other tests pin its names."""
    from sanctuary.protect.operators import interface

    register(Exploding)
    yield Exploding.name
    interface._REGISTRY.pop(Exploding.name, None)


@pytest.fixture
def city(tmp_path: Path) -> Path:
    return fake_city.write_sqlite(tmp_path / "city.sqlite", N, 10)


def config(tmp_path: Path, city: Path, operator: str = "label") -> Path:
    return write_config(tmp_path / "datasets.toml", f"sqlite://{city}", operator=operator)


def assert_no_values(text: str) -> None:
    for record in BOOKINGS:
        assert record["booking_id"] not in text
        assert record["birthplace"] not in text
        for form in a_number_forms(record["a_number"]):
            assert form not in text


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


async def last_entry(client: httpx.AsyncClient) -> dict[str, Any]:
    import base64
    import json

    size = (await client.get("/v1/ledger/checkpoint")).text.splitlines()[1]
    line = (await client.get(f"/v1/ledger/entries?start={int(size) - 1}")).text.splitlines()[0]
    entry: dict[str, Any] = json.loads(base64.b64decode(json.loads(line)["leaf"]))
    return entry


async def test_a_ledger_that_cannot_append_releases_nothing(tmp_path: Path, city: Path) -> None:
    async with gateway_app(tmp_path, config(tmp_path, city)) as (client, service, keys):
        service.recorder.broken = "the disk is full"
        response = await client.post(Q, json=FBI_ASK, headers=bearer(keys["fbi"]))
        assert_problem(response, 503, "ledger_unavailable")
        assert_no_values(response.text)


async def test_a_redaction_that_fails_releases_nothing_and_is_logged_as_failed(
    tmp_path: Path, city: Path, exploding: str
) -> None:
    datasets = config(tmp_path, city, operator=exploding)
    async with gateway_app(tmp_path, datasets) as (client, _, keys):
        response = await client.post(Q, json=FBI_ASK, headers=bearer(keys["fbi"]))
        assert_problem(response, 500, "redaction_failed")
        assert_no_values(response.text)
        assert "boom" not in response.text
        entry = await last_entry(client)
        assert entry["decision"] == "allow_redacted"
        assert entry["released"] == {
            "digest": digest([]),
            "rows": 0,
            "columns": [],
            "failed": "redaction_failed",
        }


async def test_a_source_that_breaks_after_opening_releases_nothing(
    tmp_path: Path, city: Path
) -> None:
    async with gateway_app(tmp_path, config(tmp_path, city)) as (client, _, keys):
        ok = await client.post(Q, json=FBI_ASK, headers=bearer(keys["fbi"]))
        assert ok.status_code == 200 and len(ok.json()["rows"]) == N
        with sqlite3.connect(city) as db:
            db.execute("ALTER TABLE jail_bookings RENAME TO gone")
        response = await client.post(Q, json=FBI_ASK, headers=bearer(keys["fbi"]))
        assert_problem(response, 503, "dataset_unavailable")
        assert str(city) not in response.text  # no paths to callers
        assert (await last_entry(client))["released"]["failed"] == "dataset_unavailable"


async def test_a_dataset_that_cannot_open_is_unavailable_not_a_caller_error(
    tmp_path: Path,
) -> None:
    datasets = write_config(tmp_path / "d.toml", f"sqlite://{tmp_path / 'missing.sqlite'}")
    async with gateway_app(tmp_path, datasets) as (client, _, keys):
        response = await client.post(Q, json=FBI_ASK, headers=bearer(keys["fbi"]))
        assert_problem(response, 503, "dataset_unavailable")
        assert "missing.sqlite" not in response.text


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"sql": "SELECT * FROM jail_bookings"}, 422, "invalid_request"),
        ({"columns": ['booking_id" FROM jail_bookings; --']}, 400, "invalid_input"),
        ({"columns": []}, 422, "invalid_request"),
        ({"filter": [{"column": "booking_id", "op": "like", "value": "%"}]}, 422,
         "invalid_request"),
        ({"filter": [{"column": "booking_id", "op": "in", "value": "B25-000001"}]}, 400,
         "invalid_input"),
        ({"filter": [{"column": "1=1 OR booking_id", "value": "x"}]}, 400, "invalid_input"),
        ({"data": ["release_date"]}, 422, "invalid_request"),
        ({"requester": {"agency": "ICE-ERO"}}, 403, "forbidden"),
    ],
)  # fmt: skip
async def test_bad_queries_are_refused_before_anything_is_read(
    tmp_path: Path, city: Path, change: dict[str, Any], status: int, code: str
) -> None:
    async with gateway_app(tmp_path, config(tmp_path, city)) as (client, _, keys):
        response = await client.post(Q, json={**FBI_ASK, **change}, headers=bearer(keys["fbi"]))
        assert_problem(response, status, code)
        assert_no_values(response.text)
    with sqlite3.connect(city) as db:  # and nothing was written to the source
        assert db.execute("SELECT count(*) FROM jail_bookings").fetchone()[0] == N


async def test_who_may_query(tmp_path: Path, city: Path) -> None:
    async with gateway_app(tmp_path, config(tmp_path, city)) as (client, _, keys):
        assert_problem(await client.post(Q, json=FBI_ASK), 401, "unauthenticated")
        response = await client.post(Q, json=FBI_ASK, headers=bearer(keys["auditor"]))
        assert_problem(response, 403, "forbidden")
        response = await client.post(
            "/v1/datasets/nope/query", json=FBI_ASK, headers=bearer(keys["fbi"])
        )
        assert_problem(response, 404, "not_found")
        response = await client.post(Q, json=FBI_ASK, headers=bearer(keys["pep"]))
        assert response.status_code == 200 and response.json()["rows"]


async def test_in_filters_and_limits(tmp_path: Path, city: Path) -> None:
    ask = {
        **FBI_ASK,
        "columns": ["booking_id", "bail_amount"],
        "filter": [{"column": "booking_id", "op": "in", "value": ["B25-000003", "B25-000007"]}],
    }
    async with gateway_app(tmp_path, config(tmp_path, city)) as (client, _, keys):
        body = (await client.post(Q, json=ask, headers=bearer(keys["fbi"]))).json()
        assert [r["booking_id"] for r in body["rows"]] == ["B25-000003", "B25-000007"]
        assert body["decision"]["decision"] == "allow_redacted"
        assert "other" in body["decision"]["allowed_data"]  # bail_amount: unrecognised -> other
        limited = {**FBI_ASK, "limit": 5}
        body = (await client.post(Q, json=limited, headers=bearer(keys["fbi"]))).json()
        assert len(body["rows"]) == 5 and body["released"]["digest"] == digest(body["rows"])


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
async def test_duckdb_and_parquet_datasets(tmp_path: Path, kind: str) -> None:
    if kind == "duckdb":
        url = f"duckdb://{fake_city.write_duckdb(tmp_path / 'city.duckdb', N, 10)}"
    else:
        folder = fake_city.write_files(tmp_path / "files", N, 10)
        url = f"parquet://{folder / 'jail_bookings.parquet'}"
    datasets = tmp_path / "datasets.toml"
    write_config(datasets, url)
    text = datasets.read_text().split("[datasets.utility_accounts]")[0]
    if kind == "parquet":  # one table: the default
        text = text.replace('table = "jail_bookings"\n', "")
    datasets.write_text(text)
    async with gateway_app(tmp_path, datasets) as (client, _, keys):
        response = await client.post(Q, json=FBI_ASK, headers=bearer(keys["fbi"]))
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["rows"]) == N and body["withheld_columns"] == ["birthplace", "a_number"]
        for record in BOOKINGS:
            assert record["birthplace"] not in response.text
            for form in a_number_forms(record["a_number"]):
                assert form not in response.text


def test_the_datasets_file_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text('[datasets.x]\nurl = "sqlite:///x.db"\ncolums = {a = "other"}\n')
    with pytest.raises(DatasetConfigError, match="unknown key `colums`") as err:
        load_datasets(path)
    assert err.value.help == "did you mean `columns`?"
    path.write_text('[datasets.x]\nurl = "sqlite:///x.db"\ncolumns = {a = "birth_place"}\n')
    with pytest.raises(DatasetConfigError, match="unknown data category `birth_place`"):
        load_datasets(path)
    path.write_text('[datasets.x]\ntable = "t"\n')
    with pytest.raises(DatasetConfigError, match="needs `url`"):
        load_datasets(path)


def test_a_config_file_registers_its_datasets(tmp_path: Path, city: Path) -> None:
    path = tmp_path / "sanctuary.toml"
    path.write_text(
        '[service]\ndb = "sqlite:///./s.db"\n\n'
        + config(tmp_path, city).read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    settings = Settings.load(path)
    assert settings.datasets == str(path) and settings.db == "sqlite:///./s.db"
    assert set(load_datasets(Path(settings.datasets))) == {"jail_bookings", "utility_accounts"}


async def test_the_openapi_document_describes_the_query(tmp_path: Path, city: Path) -> None:
    async with gateway_app(tmp_path, config(tmp_path, city)) as (client, _, _keys):
        schema = (await client.get("/openapi.json")).json()
        operation = schema["paths"]["/v1/datasets/{name}/query"]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert set(body["required"]) == {"requester", "purpose", "columns"}
        assert "$defs" not in str(body) and "sql" not in body["properties"]
