"""Realistic FAKE city records for the scan and gateway tests and benchmarks.

Jail bookings (release dates, narratives that mention A-numbers and birthplaces, birthplaces,
home addresses, an immigration-status column the ordinance forbids collecting) and utility accounts
(service addresses, phones, notes naming a consular ID). Every value is invented; a seed makes the
records reproducible. Writers for SQLite, DuckDB, PostgreSQL, CSV and Parquet.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FIRST = [
    "Maria",
    "Jose",
    "Ana",
    "Luis",
    "Rosa",
    "Carlos",
    "Lucia",
    "Miguel",
    "Sofia",
    "Jorge",
    "Linh",
    "Minh",
    "Grace",
    "David",
    "Emily",
    "James",
    "Aisha",
    "Omar",
    "Mei",
    "Ivan",
]
LAST = [
    "Hernandez",
    "Garcia",
    "Lopez",
    "Martinez",
    "Nguyen",
    "Kim",
    "Smith",
    "Johnson",
    "Reyes",
    "Flores",
    "Cruz",
    "Morales",
    "Ortiz",
    "Chavez",
    "Ramos",
    "Tran",
    "Park",
    "Brown",
]
BIRTHPLACES = [
    "Guadalajara, Mexico",
    "Tegucigalpa, Honduras",
    "Guatemala City, Guatemala",
    "Quetzaltenango, Guatemala",
    "Managua, Nicaragua",
    "Puebla, Mexico",
    "Manila, Philippines",
    "Oaxaca, Mexico",
    "Santa Ana, El Salvador",
    "Ho Chi Minh City, Vietnam",
]
STREETS = [
    "W Pico Blvd",
    "S Broadway",
    "E Cesar E Chavez Ave",
    "N Figueroa St",
    "S Vermont Ave",
    "W Olympic Blvd",
    "E 1st St",
    "S Central Ave",
    "N Spring St",
    "W 6th St",
]
CHARGES = [
    "PC 459 burglary",
    "PC 211 robbery",
    "VC 23152(a) DUI",
    "PC 273.5 domestic battery",
    "HS 11350 possession",
    "PC 484 petty theft",
    "PC 245(a)(1) assault",
]
STATUSES = [
    "undocumented",
    "lawful permanent resident",
    "DACA recipient",
    "U.S. citizen",
    "visa overstay",
    "TPS holder",
]

BOOKING_COLUMNS = {
    "booking_id": "TEXT",
    "full_name": "TEXT",
    "booking_date": "DATE",
    "release_date": "DATE",
    "charge": "TEXT",
    "custody_status": "TEXT",
    "home_address": "TEXT",
    "birthplace": "TEXT",
    "a_number": "TEXT",
    "immigration_status": "TEXT",
    "narrative": "TEXT",
    "bail_amount": "NUMERIC",
    "misc_code": "TEXT",
}
UTILITY_COLUMNS = {
    "account_no": "TEXT",
    "holder_name": "TEXT",
    "service_address": "TEXT",
    "phone": "TEXT",
    "opened": "DATE",
    "balance_cents": "INTEGER",
    "notes": "TEXT",
}


def a_number(rng: random.Random) -> str:
    return "A" + "".join(rng.choice("0123456789") for _ in range(9))


def printed(anum: str) -> str:
    """The A-number as printed in a narrative: A123-456-789."""
    d = anum[1:]
    return f"A{d[:3]}-{d[3:6]}-{d[6:]}"


def booking(rng: random.Random, i: int) -> dict[str, Any]:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    booked = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(300))
    anum = a_number(rng)
    born = rng.choice(BIRTHPLACES)
    city = born.split(",")[0]
    narrative = (
        f"Subject arrested for {rng.choice(CHARGES).split(' ', 2)[2]} near {rng.choice(STREETS)}. "
        f"Property logged as evidence item {rng.randrange(10_000, 99_999)}."
    )
    if i % 3 == 0:
        narrative += f" During booking the subject stated he was born in {city}."
    if i % 4 == 0:
        narrative += f" Prior contact shows A-number {printed(anum)} on an old I-213."
    if i % 5 == 0:
        narrative += " Deputy noted an ICE detainer request (I-247A) was received."
    return {
        "booking_id": f"B25-{i:06d}",
        "full_name": name,
        "booking_date": booked,
        "release_date": booked + dt.timedelta(days=rng.randrange(1, 90)),
        "charge": rng.choice(CHARGES),
        "custody_status": rng.choice(["in custody", "released", "transferred"]),
        "home_address": f"{rng.randrange(100, 9999)} {rng.choice(STREETS)}, Los Angeles, CA 900"
        f"{rng.randrange(10, 99)}",
        "birthplace": born,
        "a_number": anum,
        "immigration_status": rng.choice(STATUSES),
        "narrative": narrative,
        "bail_amount": rng.choice([0, 5000, 15000, 50000]),
        "misc_code": f"K{rng.randrange(100, 999)}",
    }


def utility(rng: random.Random, i: int) -> dict[str, Any]:
    notes = rng.choice(
        [
            "Autopay enrolled.",
            "Customer requested paperless billing.",
            f"ID shown at account opening: matricula consular {rng.randrange(10**7, 10**8)}.",
            "Payment plan approved by supervisor.",
        ]
    )
    return {
        "account_no": f"UA-{i:07d}",
        "holder_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "service_address": f"{rng.randrange(100, 9999)} {rng.choice(STREETS)}, Los Angeles, CA",
        "phone": f"(213) 555-{rng.randrange(1000, 9999)}",
        "opened": dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650)),
        "balance_cents": rng.randrange(0, 50_000),
        "notes": notes,
    }


def bookings(n: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    return (booking(rng, i) for i in range(n))


def utilities(n: int, seed: int = 2) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    return (utility(rng, i) for i in range(n))


def _ddl(table: str, columns: dict[str, str]) -> str:
    return f"CREATE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns.items())})"


def tables(n_bookings: int, n_utility: int) -> list[tuple[str, dict[str, str], Iterator[Any]]]:
    return [
        ("jail_bookings", BOOKING_COLUMNS, bookings(n_bookings)),
        ("utility_accounts", UTILITY_COLUMNS, utilities(n_utility)),
    ]


def write_sqlite(path: Path, n_bookings: int = 200, n_utility: int = 100) -> Path:
    with sqlite3.connect(path) as db:
        for table, columns, rows in tables(n_bookings, n_utility):
            db.execute(_ddl(table, columns))
            marks = ", ".join("?" * len(columns))
            db.executemany(
                f"INSERT INTO {table} VALUES ({marks})",
                ([_plain(r[c]) for c in columns] for r in rows),
            )
    return path


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def write_duckdb(path: Path, n_bookings: int = 200, n_utility: int = 100) -> Path:
    import duckdb
    import pyarrow as pa

    db = duckdb.connect(str(path))
    try:
        for table, _, rows in tables(n_bookings, n_utility):
            arrow = pa.Table.from_pylist(list(rows))  # noqa: F841 - read by DuckDB by name
            db.execute(f"CREATE TABLE {table} AS SELECT * FROM arrow")
    finally:
        db.close()
    return path


def write_files(folder: Path, n_bookings: int = 200, n_utility: int = 100) -> Path:
    """jail_bookings.parquet and utility_accounts.csv."""
    import csv

    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.Table.from_pylist(list(bookings(n_bookings))), folder / "jail_bookings.parquet"
    )
    with (folder / "utility_accounts.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(UTILITY_COLUMNS))
        writer.writeheader()
        writer.writerows({k: _plain(v) for k, v in r.items()} for r in utilities(n_utility))
    return folder


def write_postgres(url: str, schema: str, n_bookings: int = 200, n_utility: int = 100) -> None:
    """The two tables in a fresh `schema` (dropped first) of the database at `url`."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        db.execute(f"CREATE SCHEMA {schema}")
        for table, columns, rows in tables(n_bookings, n_utility):
            db.execute(_ddl(f"{schema}.{table}", columns))
            with db.cursor().copy(f"COPY {schema}.{table} ({', '.join(columns)}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row([row[c] for c in columns])
