"""`sanctuary scan`: the data inventory of SQLite, DuckDB, PostgreSQL, CSV and Parquet sources."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
import scan_fake_city as fake

from sanctuary.inventory import RULES, SourceError, open_source, render_html, scan
from sanctuary.policy import bundled_packs_dir, load_pack

# What the fake jail bookings and utility accounts hold, column by column.
EXPECTED = {
    "jail_bookings": {
        "release_date": {"release_date"},
        "custody_status": {"custody_status"},
        "home_address": {"home_address"},
        "birthplace": {"place_of_birth"},
        "a_number": {"national_ids"},
        "immigration_status": {"immigration_status", "citizenship"},
        "narrative": {"place_of_birth", "national_ids", "immigration_status"},
        "booking_id": set(),
        "full_name": set(),
        "charge": set(),
        "misc_code": set(),
    },
    "utility_accounts": {
        "service_address": {"home_address"},
        "phone": {"contact_info"},
        "notes": {"national_ids"},
        "account_no": set(),
        "balance_cents": set(),
    },
}
FLAGGED = {"jail_bookings.birthplace", "jail_bookings.a_number", "jail_bookings.immigration_status"}


def columns(inventory: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    return {t["name"]: {c["name"]: c for c in t["columns"]} for t in inventory["tables"]}


def check_inventory(inventory: dict[str, Any], n_bookings: int, n_utility: int) -> None:
    found = columns(inventory)
    assert set(found) == set(EXPECTED)
    for table, expected in EXPECTED.items():
        for column, categories in expected.items():
            got = {f["category"] for f in found[table][column]["categories"]}
            assert got == categories, (table, column, got)
    rows = {t["name"]: t["rows"] for t in inventory["tables"]}
    assert rows == {"jail_bookings": n_bookings, "utility_accounts": n_utility}
    anum = found["jail_bookings"]["a_number"]["categories"][0]
    assert anum["basis"] == "name+values" and anum["cells"] == n_bookings
    narrative = {f["category"]: f for f in found["jail_bookings"]["narrative"]["categories"]}
    # every 4th narrative names an A-number, every 3rd a birthplace (scan_fake_city.booking)
    assert narrative["national_ids"]["cells"] == len(range(0, n_bookings, 4))
    assert narrative["place_of_birth"]["cells"] == len(range(0, n_bookings, 3))
    assert narrative["national_ids"]["basis"] == "text"
    assert {f["where"] for f in inventory["collection_flags"]} == FLAGGED
    for flag in inventory["collection_flags"]:
        assert [r["rule"] for r in flag["rules"]] == [r["rule"] for r in RULES]
    text = orjson.dumps(inventory).decode() + render_html(inventory)
    for record in fake.bookings(n_bookings):
        for key in ("a_number", "birthplace", "full_name", "home_address", "booking_id"):
            assert record[key] not in text, key  # never a value


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("city")
    fake.write_sqlite(folder / "city.sqlite", 120, 60)
    fake.write_duckdb(folder / "city.duckdb", 120, 60)
    fake.write_files(folder / "files", 120, 60)
    return folder


@pytest.mark.parametrize(
    "target",
    ["city.sqlite", "sqlite://{root}/city.sqlite", "city.duckdb", "duckdb://{root}/city.duckdb",
     "files"],
)  # fmt: skip
def test_scan_finds_categories_with_counts_and_never_values(city: Path, target: str) -> None:
    url = target.format(root=city) if "://" in target else str(city / target)
    check_inventory(scan(url), 120, 60)


def test_scan_reads_a_single_csv_and_a_single_parquet(city: Path) -> None:
    csv = scan(str(city / "files" / "utility_accounts.csv"))
    assert csv["kind"] == "csv" and csv["tables"][0]["rows"] == 60
    assert {c["name"] for c in csv["tables"][0]["columns"] if c["categories"]} == {
        "service_address",
        "phone",
        "notes",
    }
    parquet = scan(f"parquet://{city / 'files' / 'jail_bookings.parquet'}")
    assert parquet["kind"] == "parquet" and parquet["summary"]["collection_flags"] == 3


def test_the_sample_bounds_what_is_read(city: Path) -> None:
    inventory = scan(str(city / "city.sqlite"), sample=10)
    assert {t["sampled_rows"] for t in inventory["tables"]} == {10}
    assert inventory["summary"]["rows_sampled"] == 20
    assert {t["rows"] for t in inventory["tables"]} == {120, 60}


@pytest.mark.postgres
def test_scan_a_postgresql_database() -> None:
    import psycopg

    base = os.environ.get("SANCTUARY_TEST_PG")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("SANCTUARY_TEST_PG is not set: CI must run the PostgreSQL scan test")
        pytest.skip("SANCTUARY_TEST_PG is not set")
    schema = "scan_" + uuid.uuid4().hex[:12]
    fake.write_postgres(base, schema, 120, 60)
    try:
        inventory = scan(f"{base}?options=-csearch_path%3D{schema}")
        inventory["tables"] = [t for t in inventory["tables"] if t["name"].startswith(schema)]
        for table in inventory["tables"]:
            table["name"] = table["name"].removeprefix(f"{schema}.")
        inventory["collection_flags"] = [
            {**f, "where": f["where"].removeprefix(f"{schema}.")}
            for f in inventory["collection_flags"]
            if f["where"].startswith(schema)
        ]
        assert inventory["kind"] == "postgresql"
        check_inventory(inventory, 120, 60)
    finally:
        with psycopg.connect(base, autocommit=True) as db:
            db.execute(f"DROP SCHEMA {schema} CASCADE")


def test_the_cited_rules_are_the_bundled_pack_rules() -> None:
    pack = load_pack(bundled_packs_dir() / "us-ca-los-angeles" / "pack.yaml")
    citations = {rule.id: rule.citation for rule in pack.rules}
    for rule in RULES:
        assert citations[rule["rule"]] == rule["citation"]


def test_sources_refuse_what_they_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        open_source(str(tmp_path / "missing.sqlite"))
    with pytest.raises(SourceError, match="unknown source URL scheme"):
        open_source("mysql://somewhere/db")
    (tmp_path / "notes.bin").write_bytes(b"\x00")
    with pytest.raises(SourceError, match="cannot tell"):
        open_source(str(tmp_path / "notes.bin"))
    with pytest.raises(SourceError, match="no table"):
        fake.write_sqlite(tmp_path / "c.sqlite", 2, 2)
        open_source(str(tmp_path / "c.sqlite")).columns("nope")


def test_the_html_page_shows_flags_with_citations_and_escapes_names(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "weird.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute('CREATE TABLE "<script>x</script>" (country_of_birth TEXT, note TEXT)')
        conn.execute("INSERT INTO \"<script>x</script>\" VALUES ('Mexico', 'undocumented')")
    page = render_html(scan(str(db)))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Special Order 40" in page and "188441" in page
    assert "Mexico" not in page


def test_the_command_writes_json_and_html(city: Path, tmp_path: Path) -> None:
    out = tmp_path / "inventory.html"
    done = subprocess.run(
        [sys.executable, "-m", "sanctuary", "scan", str(city / "city.sqlite"), "--html", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert orjson.loads(done.stdout)["summary"]["collection_flags"] == 3
    assert "Data inventory" in out.read_text()
    bad = subprocess.run(
        [sys.executable, "-m", "sanctuary", "scan", str(tmp_path / "nope.sqlite")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "no such file" in bad.stderr and not bad.stdout
