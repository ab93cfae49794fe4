"""Load on a real `sanctuary serve`: decisions/s, p50/p99 latency, errors, client and server CPU.

    .venv/bin/python bench/load.py                       # SQLite ledger, ~2 minutes
    .venv/bin/python bench/load.py --pg postgresql://postgres@127.0.0.1:54329/sanctuary_test
    .venv/bin/python bench/load.py --soak 300            # plus 5 minutes at c=16, RSS every 10 s
    .venv/bin/python bench/load.py --quick               # 3 s per cell
    .venv/bin/python bench/load.py --serve-args "--workers 2" --profile /tmp/prof   # py-spy

What it does, all on 127.0.0.1 and bounded in time and count (every phase stops by itself):
1. makes a fresh ledger (a temporary SQLite file, or a fresh database on the --pg server, dropped
   at the end), creates a `pep` key with `sanctuary keys add … --db`, and starts
   `python -m sanctuary serve --db … --port …` as a subprocess (the bundled packs, access log on,
   written to a file; the per-key rate limit is raised because one key carries the whole load);
2. for each endpoint (single requests, batches of 100, batches of 1000) and each concurrency level
   (1, 16, 64 requests in flight), warms up, then runs for --seconds and counts decisions/s,
   latency p50/p99 per HTTP call, and errors (any status but 200, a decision without a receipt, or
   a receipt index seen twice);
3. reports the CPU used by the client processes, the server, and everything else on the machine
   (`other`: on a shared machine it says how much the figures were disturbed), the server's CPU
   per decision (`µs/dec`, the figure that depends least on that) with the share of it spent in
   the kernel (`sys`), the server's CPU per ledger entry appended in the window (`µs/app`, from
   the database, all workers: it also counts calls that straddle the window's edges), and from
   /metrics the ledger writer's entries per commit and milliseconds per ledger append and per
   index write;
4. checks the ledger at the end with `sanctuary ledger verify`.

Columns are per cell; latencies are per HTTP call (a batch call is one call). Only calls that start
and finish inside the measured window count, so a cell whose calls take longer than the window
shows few calls. With `--workers N` the writer columns are blank (/metrics answers from one
worker), and a line under each cell gives the cores of each busy server process. The kernel hands
a new connection to whichever worker accepts first, so at low concurrency every connection could
land on one worker (one figure, ~1 core), which halves the rate; the clients therefore open their
connections one after the other and reopen any that landed on a worker that already has its share
(`_placed`, which reads /proc). The cells of one run share one database, so later cells run on a
larger one (~1M decisions after a table of two workers; its pages cost more to write as it grows).
`--soak S` then runs single calls at concurrency 16 for S seconds and prints the server's
RSS every 10 s, and its growth after the first minute.

The client is a minimal HTTP/1.1 keep-alive client on asyncio (uvloop when installed) with the
request bytes prepared in advance, split over --clients processes, so that it costs far less CPU
than the server; the table shows how much it used. Requests are the seeded, realistic mix of
bench/request_space.py, decided under the bundled Los Angeles packs.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from request_space import random_bodies

from sanctuary.errors import SanctuaryError
from sanctuary.jsonio import request_from_obj

TICK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"


# --- the client ------------------------------------------------------------------------------


@dataclass
class Job:
    port: int
    key: str
    bodies: list[bytes]  # prepared request bodies, used round-robin
    per_call: int  # decisions per HTTP call (1 = single endpoint)
    connections: int
    warmup: float
    seconds: float
    max_calls: int
    first: int = 0  # the number, over all client processes, of this process's first connection
    total: int = 1  # connections over all client processes
    workers: tuple[int, ...] = ()  # the server processes that accept connections (`placed`)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    decisions: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    checked: int = 0  # answers counted
    cpu: float = 0.0  # client process CPU seconds during the measured window
    wall: float = 0.0


def _head(path: str, key: str, length: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


async def _call(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, message: bytes
) -> tuple[int, bytes]:
    writer.write(message)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


# Each decision of an answer ends with its receipt, `"ledger":{"index":N,...}` (a quote inside a
# JSON string is escaped, so the pattern cannot come from a request's text). Finding the indices
# takes ~0.6 ms for a batch of 1,000; parsing the 1.8 MB answer took ~8 ms of the client's CPU
# (0.2 of the machine's 2 cores at ~18,000 decisions/s), during which, with one batch in flight
# per worker, the worker that answered had nothing to do. Every PARSE_EVERY-th answer is still
# parsed in full, and must give the same indices.
_RECEIPT_INDEX = re.compile(rb'"ledger":\{"index":(\d+),')
PARSE_EVERY = 16


def _check(tally: Tally, status: int, body: bytes, per_call: int, keep: bool) -> None:
    """Count the decisions of one answer, or an error; remember receipt indices."""
    if status != 200:
        tally.errors += per_call
        if len(tally.error_samples) < 5:
            tally.error_samples.append(f"{status} {body[:200]!r}")
        return
    if not keep:
        return
    good = [int(index) for index in _RECEIPT_INDEX.findall(body)]
    tally.checked += 1
    if tally.checked % PARSE_EVERY == 1 and _parsed_indices(body, per_call) != good:
        tally.errors += per_call
        if len(tally.error_samples) < 5:
            tally.error_samples.append(f"receipts found do not match the parsed answer: {good[:5]}")
        return
    tally.errors += per_call - len(good)
    tally.decisions += len(good)
    tally.indices.extend(good)


def _parsed_indices(body: bytes, per_call: int) -> list[int]:
    parsed = orjson.loads(body)
    decisions = parsed["decisions"] if per_call > 1 else [parsed]
    return [d["ledger"]["index"] for d in decisions if "index" in d.get("ledger", {})]


async def _connection(
    job: Job, messages: list[bytes], number: int, tally: Tally, t: Any, placed: Any
) -> None:
    # Connections open one after the other, within the first half of the warm-up (see `_placed`).
    await asyncio.sleep(number * min(0.05, job.warmup / 2 / job.total))
    reader, writer = await _placed(job, messages[number % len(messages)], placed)
    offset = number * 7919
    i = offset
    try:
        while time.perf_counter() < t["end"] and t["calls"] < job.max_calls:
            message = messages[i % len(messages)]
            i += 1
            start = time.perf_counter()
            status, body = await _call(reader, writer, message)
            done = time.perf_counter()
            measured = t["start"] <= start and done <= t["end"]
            if measured:
                t["calls"] += 1
                tally.latencies.append(done - start)
            _check(tally, status, body, job.per_call, keep=measured)
    finally:
        writer.close()


async def _placed(
    job: Job, first_call: bytes, placed: Any
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection, spread evenly over the server's workers.

    With several `serve` workers, a connection is taken by whichever worker accepts it first, and
    connections opened at once all landed on one worker in a third of the runs (that worker then
    did all the work, at half the rate). So each connection makes one call of the warm-up, looks
    up in /proc which worker holds its other end, and is opened again (up to 20 times) while that
    worker already has its share. ``placed`` counts the connections of each worker, over all client
    processes."""
    for _ in range(20):
        reader, writer = await asyncio.open_connection(HOST, job.port, limit=2**24)
        if len(job.workers) < 2:
            return reader, writer
        await _call(reader, writer, first_call)  # a warm-up call: not counted
        owner = accepted_by(job.port, writer.get_extra_info("sockname")[1], job.workers)
        share = -(-job.total // len(job.workers))
        with placed.get_lock():
            if owner is None or placed[job.workers.index(owner)] < share:
                if owner is not None:
                    placed[job.workers.index(owner)] += 1
                return reader, writer
        writer.close()
        await writer.wait_closed()
    return reader, writer  # the line of per-worker cores under the cell will show it


def accepted_by(port: int, client_port: int, processes: tuple[int, ...]) -> int | None:
    """Which of ``processes`` holds the server end of a loopback connection (from /proc)."""
    local, remote = f"0100007F:{port:04X}", f"0100007F:{client_port:04X}"
    inode = next(
        (f[9] for f in _tcp_sockets() if f[1] == local and f[2] == remote and f[3] == "01"), None
    )
    return None if inode is None else next(iter(holders(f"socket:[{inode}]", processes)), None)


def listening_workers(port: int, server: int) -> tuple[int, ...]:
    """The processes that accept connections on ``port``: the workers, or the server alone."""
    local = f"0100007F:{port:04X}"
    inode = next((f[9] for f in _tcp_sockets() if f[1] == local and f[3] == "0A"), None)
    if inode is None:
        return (server,)
    holding = holders(f"socket:[{inode}]", tuple(family(server)))
    workers = tuple(p for p in holding if p != server)  # the supervisor holds it but never accepts
    return workers if len(workers) > 1 else (server,)


def _tcp_sockets() -> list[list[str]]:
    with open("/proc/net/tcp") as table:
        return [line.split() for line in table.readlines()[1:]]


def holders(link: str, processes: tuple[int, ...]) -> list[int]:
    out = []
    for pid in processes:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == link:
                    out.append(pid)
                    break
            except OSError:
                continue
    return out


async def _drive(job: Job, placed: Any) -> Tally:
    path = "/v1/decisions"
    messages = []
    for k in range(0, len(job.bodies) - job.per_call + 1, job.per_call):
        chunk = job.bodies[k : k + job.per_call]
        payload = chunk[0] if job.per_call == 1 else b'{"requests":[' + b",".join(chunk) + b"]}"
        messages.append(_head(path, job.key, len(payload)) + payload)
    tally = Tally()
    now = time.perf_counter()
    clock = {"start": now + job.warmup, "end": now + job.warmup + job.seconds, "calls": 0}
    tasks = [
        asyncio.create_task(_connection(job, messages, job.first + n, tally, clock, placed))
        for n in range(job.connections)
    ]
    await asyncio.sleep(max(0.0, clock["start"] - time.perf_counter()))
    cpu0, wall0 = sum(os.times()[:2]), time.perf_counter()
    await asyncio.gather(*tasks)
    tally.cpu, tally.wall = sum(os.times()[:2]) - cpu0, time.perf_counter() - wall0
    return tally


def _client_main(job: Job, out: Any, placed: Any) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    try:
        out.send(asyncio.run(_drive(job, placed)))
    except Exception as err:  # the parent reports it as errors
        out.send(Tally(errors=1, error_samples=[f"client failed: {type(err).__name__}: {err}"]))


def run_clients(job: Job, processes: int) -> Tally:
    """Split the connections over ``processes`` client processes; merge their tallies."""
    ctx = mp.get_context("fork")
    children = []
    first = 0
    placed = ctx.Array("i", max(len(job.workers), 1))  # connections per worker (`_placed`)
    for p in range(processes):
        share = job.connections // processes + (1 if p < job.connections % processes else 0)
        if share == 0:
            continue
        parent, child = ctx.Pipe(duplex=False)
        sub = Job(**{**job.__dict__, "connections": share, "first": first,
                     "total": job.connections})  # fmt: skip
        first += share
        proc = ctx.Process(target=_client_main, args=(sub, child, placed), daemon=True)
        proc.start()
        children.append((proc, parent))
    merged = Tally()
    deadline = time.monotonic() + job.warmup + job.seconds + 60
    for proc, pipe in children:
        if pipe.poll(max(0.1, deadline - time.monotonic())):
            part: Tally = pipe.recv()
        else:
            part = Tally(errors=1, error_samples=["client process timed out"])
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
        merged.latencies += part.latencies
        merged.decisions += part.decisions
        merged.errors += part.errors
        merged.error_samples += part.error_samples
        merged.indices += part.indices
        merged.cpu += part.cpu
        merged.wall = max(merged.wall, part.wall)
    return merged


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def family(pid: int) -> list[int]:
    """The server and its descendants (``--workers`` processes), from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        out.append(todo.pop())
        todo += parents.get(out[-1], [])
    return out


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) of the server's processes, from /proc."""
    return sum(proc_cpu_split(pid))


def proc_cpu_split(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of the server's processes, from /proc."""
    user = system = 0.0
    for member in family(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user += int(fields[11]) / TICK
        system += int(fields[12]) / TICK
    return user, system


def proc_cpu_by_member(pid: int) -> dict[int, float]:
    """CPU seconds of each of the server's processes, from /proc."""
    out: dict[int, float] = {}
    for member in family(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[member] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def proc_rss_mb(pid: int) -> float:
    """Resident memory of the server's processes (MB)."""
    total = 0.0
    for member in family(pid):
        try:
            lines = Path(f"/proc/{member}/status").read_text().splitlines()
        except OSError:
            continue
        total += sum(int(ln.split()[1]) / 1024 for ln in lines if ln.startswith("VmRSS:"))
    return total


def ledger_gauges(port: int) -> dict[str, float]:
    """The writer's counters from /metrics (batches, entries, seconds appending and indexing)."""
    data = b""
    try:
        with socket.create_connection((HOST, port), timeout=60) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            while chunk := s.recv(65536):
                data += chunk
    except OSError:  # a saturated server may not answer in time: report no writer figures
        return {}
    out = {}
    for line in data.decode().splitlines():
        if line.startswith("sanctuary_ledger_"):
            name, value = line.rsplit(" ", 1)
            out[name.removeprefix("sanctuary_ledger_")] = float(value)
    return out


def ledger_size(db: str | None) -> int:
    """The ledger's entry count, read from its database (every worker's appends; 0 if unknown)."""
    query = "SELECT coalesce(max(idx) + 1, 0) FROM entries"
    try:
        if db is None:
            return 0
        if db.startswith("sqlite:///"):
            path = db.removeprefix("sqlite:///")
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
                return int(conn.execute(query).fetchone()[0])
        import psycopg

        with psycopg.connect(db) as pg:
            row = pg.execute(query).fetchone()
            return int(row[0]) if row else 0
    except Exception:  # the figure is optional: no size, no µs/app
        return 0


def machine_busy() -> float:
    """CPU seconds spent busy on the whole machine so far (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICK


def cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "sanctuary", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"`sanctuary {args[0]} {args[1]}` failed: {done.stderr.strip()}")
    return done.stdout


@contextmanager
def pg_database(base: str) -> Iterator[str]:
    """A fresh database on the server of ``base``, dropped afterwards."""
    import psycopg

    name = "load_" + secrets.token_hex(6)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    head, _, tail = base.rpartition("/")
    query = tail.partition("?")[2]
    try:
        yield f"{head}/{name}" + (f"?{query}" if query else "")
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def server(
    db: str, folder: Path, serve_args: list[str], launcher: list[str]
) -> Iterator[tuple[int, int, str]]:
    """A real `sanctuary serve` on a free loopback port: (port, pid, pep key)."""
    env = {
        **os.environ,
        "SANCTUARY_SIGNING_KEY": str(folder / "signing-key"),
        "SANCTUARY_HASH_KEY": str(folder / "hash-key"),
        "SANCTUARY_RATE_PER_SECOND": "1000000",  # one key carries the whole load
        "SANCTUARY_RATE_BURST": "1000000",
    }
    key = cli("keys", "add", "LOCAL-GOV", "--role", "pep", "--name", "load", "--db", db, env=env)
    key = key.split()[-1]
    port = free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [*launcher, "serve", "--db", db, "--port", str(port), *serve_args],
        stdout=log,
        stderr=log,
        env=env,
    )
    try:
        _wait_ready(port, process, folder / "server.log")
        yield port, process.pid, key
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start within 60 s")


# --- runs and reports ------------------------------------------------------------------------


def valid_bodies(n: int) -> list[bytes]:
    """Seeded realistic requests that validate, each with a unique id, as JSON bytes."""
    out = []
    for i, body in enumerate(random_bodies(n * 2)):
        try:
            request_from_obj(body)
        except SanctuaryError:
            continue
        out.append(orjson.dumps({**body, "id": f"load-{i}"}))
        if len(out) == n:
            break
    return out


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Cell:
    endpoint: str
    concurrency: int
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int
    calls: int
    client_cpu: float  # cores
    server_cpu: float  # cores
    server_us: float  # server CPU µs per decision
    batch: float  # entries per ledger commit
    append_ms: float  # ms per ledger append (one commit)
    index_ms: float  # ms per decisions-index write (one commit)
    other_cpu: float  # cores used by everything else on the machine
    samples: list[str]
    system_share: float = 0.0  # part of the server's CPU spent in the kernel (system time)
    # server CPU µs per ledger entry appended during the window (read from the database, so every
    # worker's): unlike µs/dec it also counts the work on calls that straddle the window's edges,
    # which matters when one call takes seconds (16 batches of 1,000 in flight)
    server_us_appended: float | None = None
    # cores used by each busy server process, when there are several (`--workers`): the kernel
    # gives a new connection to whichever worker accepts first, so at low concurrency all of them
    # can land on one worker, which then does all the work
    per_process: list[float] = field(default_factory=list)


def measure(
    job: Job,
    endpoint: str,
    pid: int,
    processes: int,
    seen: set[int],
    profile: Path | None,
    db: str | None = None,
) -> Cell:
    job = Job(**{**job.__dict__, "workers": listening_workers(job.port, pid)})
    spy = None
    if profile is not None:  # py-spy samples the server over the measured window
        spy = subprocess.Popen(
            [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid),
             "--format", "raw", "--nonblocking", "--threads", "--duration",
             str(int(job.warmup + job.seconds)), "-o",
             str(profile / f"{endpoint}-c{job.connections}.txt")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    # Server and machine CPU are read over the measured window (the clients' clock starts the
    # warm-up right after they fork); the clients measure their own CPU over the same window.
    result: list[Tally] = []
    runner = threading.Thread(target=lambda: result.append(run_clients(job, processes)))
    runner.start()
    time.sleep(job.warmup + 0.05)
    members0 = proc_cpu_by_member(pid)
    split0, busy0, wall0 = proc_cpu_split(pid), machine_busy(), time.perf_counter()
    gauges0, size0 = ledger_gauges(job.port), ledger_size(db)
    time.sleep(max(0.0, job.seconds - 0.1))
    gauges1, size1 = ledger_gauges(job.port), ledger_size(db)
    split1, busy1, wall = proc_cpu_split(pid), machine_busy(), time.perf_counter() - wall0
    members1 = proc_cpu_by_member(pid)
    per_process = sorted(
        ((members1[m] - members0.get(m, 0.0)) / wall for m in members1), reverse=True
    )
    writer = {k: gauges1.get(k, 0.0) - gauges0.get(k, 0.0) for k in gauges1}
    if len(family(pid)) > 1:  # several workers: /metrics answers from one of them, so say nothing
        writer = {}
    batches = max(writer.get("batches_total", 0.0), 1.0)
    runner.join()
    tally = result[0] if result else Tally(errors=1, error_samples=["the clients failed"])
    client = tally.cpu / max(tally.wall, 1e-9)
    server = (sum(split1) - sum(split0)) / wall
    system = (split1[1] - split0[1]) / wall
    other = max(0.0, (busy1 - busy0) / wall - server - client)
    duplicates = len(tally.indices) - len(set(tally.indices)) + len(seen & set(tally.indices))
    seen.update(tally.indices)
    if spy is not None:
        spy.wait(timeout=60)
    samples = list(tally.error_samples)
    if duplicates:
        samples.append(f"{duplicates} receipt indices seen twice")
    return Cell(
        endpoint,
        job.connections,
        tally.decisions / job.seconds,
        pct(tally.latencies, 0.50) * 1000,
        pct(tally.latencies, 0.99) * 1000,
        tally.errors + duplicates,
        len(tally.latencies),
        client,
        server,
        server / (tally.decisions / job.seconds) * 1e6 if tally.decisions else float("nan"),
        writer.get("appended_total", 0.0) / batches,
        writer.get("append_seconds_total", 0.0) / batches * 1000,
        writer.get("index_seconds_total", 0.0) / batches * 1000,
        other,
        samples,
        system / server if server else 0.0,
        server * wall / appended * 1e6 if (appended := size1 - size0) > 0 else None,
        [cores for cores in per_process if cores >= 0.01] if len(per_process) > 1 else [],
    )


def print_cell(cell: Cell) -> None:
    print(
        f"  {cell.endpoint:<11} {cell.concurrency:>4} {cell.rate:>12,.0f} {cell.p50_ms:>9.2f} "
        f"{cell.p99_ms:>9.2f} {cell.errors:>7} {cell.calls:>8} {cell.client_cpu:>8.2f} "
        f"{cell.server_cpu:>8.2f} {cell.other_cpu:>7.2f} {cell.server_us:>9.0f} "
        f"{cell.system_share:>5.0%} "
        + (f"{cell.server_us_appended:>8.0f} " if cell.server_us_appended else f"{'-':>8} ")
        + (
            f"{cell.batch:>7.1f} {cell.append_ms:>7.2f} {cell.index_ms:>7.2f}"
            if cell.batch
            else f"{'-':>7} {'-':>7} {'-':>7}"
        ),
        flush=True,
    )
    if cell.per_process:
        shares = " + ".join(f"{cores:.2f}" for cores in cell.per_process)
        print(f"      server processes' cores: {shares}")
    for sample in cell.samples[:3]:
        print(f"      error: {sample}")


def soak(
    port: int, pid: int, key: str, bodies: list[bytes], seconds: float, processes: int
) -> None:
    """Single requests at concurrency 16 for ``seconds``; the server's RSS every 10 s."""
    print(f"\nsoak: single requests, concurrency 16, {seconds:.0f} s; server RSS every 10 s")
    job = Job(port, key, bodies, 1, 16, 0.0, seconds, 10**9)
    job.workers = listening_workers(port, pid)
    result: list[Tally] = []
    runner = threading.Thread(target=lambda: result.append(run_clients(job, processes)))
    start = time.monotonic()
    runner.start()
    rss = [(0.0, proc_rss_mb(pid))]
    while runner.is_alive() and time.monotonic() - start < seconds + 90:
        time.sleep(10 - (time.monotonic() - start) % 10)
        rss.append((time.monotonic() - start, proc_rss_mb(pid)))
        print(f"  t={rss[-1][0]:>5.0f} s  rss={rss[-1][1]:>7.1f} MB", flush=True)
    runner.join(timeout=90)
    tally = result[0] if result else Tally(errors=1, error_samples=["the soak did not finish"])
    after = [m for t, m in rss if t >= 60] or [rss[-1][1]]
    p50, p99 = pct(tally.latencies, 0.5) * 1000, pct(tally.latencies, 0.99) * 1000
    print(
        f"  {tally.decisions:,} decisions, {tally.decisions / seconds:,.0f}/s, "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, errors {tally.errors}"
    )
    print(
        f"  RSS start {rss[0][1]:.1f} MB, at 60 s {after[0]:.1f} MB, end {rss[-1][1]:.1f} MB, "
        f"max {max(m for _, m in rss):.1f} MB; growth after the first minute "
        f"{rss[-1][1] - after[0]:+.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", help="PostgreSQL server URL (a fresh database is made on it)")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--levels", default="1,16,64")
    parser.add_argument("--endpoints", default="single,batch100,batch1000")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--soak", type=float, default=0.0, help="soak seconds (0: none)")
    parser.add_argument("--quick", action="store_true", help="3 s per cell")
    parser.add_argument("--profile", type=Path, help="folder for py-spy profiles of the server")
    parser.add_argument(
        "--serve-args", default="", help="extra `sanctuary serve` options, e.g. '--workers 2'"
    )
    parser.add_argument(
        "--launcher", default="", help="a script run instead of `python -m sanctuary` (probes)"
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.warmup = 3.0, 1.0
    levels = [int(v) for v in args.levels.split(",")]
    sizes = {"single": 1, "batch100": 100, "batch1000": 1000}
    endpoints = [e for e in args.endpoints.split(",") if e]
    bodies = valid_bodies(5000)
    with tempfile.TemporaryDirectory(prefix="sanctuary-load-") as tmp:
        folder = Path(tmp)
        with pg_database(args.pg) if args.pg else _sqlite(folder) as db:
            store = "PostgreSQL" if args.pg else "SQLite (WAL, synchronous=FULL)"
            print(f"ledger: {store}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
            launcher = [sys.executable, *(args.launcher.split() or ["-m", "sanctuary"])]
            with server(db, folder, args.serve_args.split(), launcher) as (port, pid, key):
                print(
                    f"server pid {pid} on {HOST}:{port}; {args.clients} client processes; "
                    f"{args.seconds:g} s per cell after {args.warmup:g} s warm-up\n"
                )
                print(
                    f"  {'endpoint':<11} {'conc':>4} {'decisions/s':>12} {'p50 ms':>9} "
                    f"{'p99 ms':>9} {'errors':>7} {'calls':>8} {'client':>8} {'server':>8} "
                    f"{'other':>7} {'µs/dec':>9} {'sys':>5} {'µs/app':>8} {'batch':>7} "
                    f"{'app ms':>7} {'idx ms':>7}"
                )
                seen: set[int] = set()
                for endpoint in endpoints:
                    for level in levels:
                        job = Job(
                            port, key, bodies, sizes[endpoint], level, args.warmup,
                            args.seconds, 10**7,
                        )  # fmt: skip
                        print_cell(
                            measure(job, endpoint, pid, args.clients, seen, args.profile, db)
                        )
                print(f"\n  server RSS after the table: {proc_rss_mb(pid):.1f} MB")
                if args.soak:
                    soak(port, pid, key, bodies, args.soak, args.clients)
            verify = subprocess.run(
                [sys.executable, "-m", "sanctuary", "ledger", "verify", "--db", db],
                capture_output=True,
                text=True,
                timeout=600,
                env={
                    **os.environ,
                    "SANCTUARY_SIGNING_KEY": str(folder / "signing-key"),
                    "SANCTUARY_HASH_KEY": str(folder / "hash-key"),
                },
            )
            print(f"\nsanctuary ledger verify: exit {verify.returncode}: {verify.stdout.strip()}")


@contextmanager
def _sqlite(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / 'sanctuary.db'}"


if __name__ == "__main__":
    main()
