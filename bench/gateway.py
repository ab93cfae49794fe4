"""Latency of a typical dataset-gateway query, in process over the ASGI transport (loopback
PostgreSQL when --pg or SANCTUARY_TEST_PG is set, else SQLite).

    .venv/bin/python bench/gateway.py [--n 300] [--bookings 300000] [--limit 50] [--pg URL]

A typical query: an FBI key asks 6 columns of jail bookings (two of them withheld by the decision)
for one charge, 50 rows, narratives redacted. Anchor in the same run and process: POST /v1/decisions
with the same Request (decide + ledger append, no data), so the gateway's own cost is the
difference. A bounded loop, one request at a time; p50/p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "service"))

from gw_helpers import FBI_ASK, bearer, fake_city, gateway_app, write_config


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered) * 1e3:6.2f} ms   p99 {p99 * 1e3:6.2f} ms"


async def loop(client: Any, path: str, body: dict[str, Any], key: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.post(path, json=body, headers=bearer(key))
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return times


async def bench(url: str, prefix: str, n: int, limit: int, tmp: Path) -> None:
    datasets = write_config(tmp / "datasets.toml", url, prefix=prefix)
    ask = {**FBI_ASK, "limit": limit, "filter": [{"column": "charge", "value": "PC 459 burglary"}]}
    request = {k: v for k, v in ask.items() if k not in ("columns", "filter", "limit")}
    request |= {
        "jurisdiction": "us-ca/los-angeles",
        "responder": {"kind": "jail", "department": "LASD Inmate Reception Center"},
        "action": "disclose_information",
        "data": ["booking_record", "release_date", "criminal_history", "incident_report",
                 "place_of_birth", "national_ids"],
    }  # fmt: skip
    async with gateway_app(tmp, datasets) as (client, _, keys):
        first = await client.post("/v1/datasets/jail_bookings/query", json=ask,
                                  headers=bearer(keys["fbi"]))  # fmt: skip
        body = first.json()
        print(f"decision {body['decision']['decision']}, {len(body['rows'])} rows, "
              f"{len(body['columns'])} columns, redactions {body['redactions']}")  # fmt: skip
        await loop(client, "/v1/decisions", request, keys["fbi"], 20)  # warm
        gateway = await loop(client, "/v1/datasets/jail_bookings/query", ask, keys["fbi"], n)
        decisions = await loop(client, "/v1/decisions", request, keys["fbi"], n)
    print(f"gateway query   ({n}x): {percentiles(gateway)}")
    print(f"decision anchor ({n}x): {percentiles(decisions)}")
    ratio = statistics.median(gateway) / statistics.median(decisions)
    print(f"gateway / decision (p50): {ratio:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--bookings", type=int, default=300_000)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--pg", default=os.environ.get("SANCTUARY_TEST_PG"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.pg:
            import psycopg

            schema = "bench_" + uuid.uuid4().hex[:8]
            fake_city.write_postgres(args.pg, schema, args.bookings, 1_000)
            try:
                with psycopg.connect(args.pg, autocommit=True) as db:  # the index a city would have
                    db.execute(f"CREATE INDEX ON {schema}.jail_bookings (charge, booking_id)")
                    db.execute(f"ANALYZE {schema}.jail_bookings")
                print(f"PostgreSQL (loopback), {args.bookings:,} bookings")
                asyncio.run(bench(args.pg, f"{schema}.", args.n, args.limit, tmp))
            finally:
                with psycopg.connect(args.pg, autocommit=True) as db:
                    db.execute(f"DROP SCHEMA {schema} CASCADE")
        else:
            import sqlite3

            path = fake_city.write_sqlite(tmp / "city.sqlite", args.bookings, 1_000)
            with sqlite3.connect(path) as db:  # the same index as on PostgreSQL
                db.execute("CREATE INDEX by_charge ON jail_bookings (charge, booking_id)")
            print(f"SQLite, {args.bookings:,} bookings")
            asyncio.run(bench(f"sqlite://{path}", "", args.n, args.limit, tmp))


if __name__ == "__main__":
    main()
