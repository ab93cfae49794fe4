"""Group commit: decisions from concurrent calls are appended to the ledger together.

One writer thread takes whatever is waiting (up to ``max_batch`` entries), appends it in one durable
transaction with one signed checkpoint, indexes the decisions for ``GET /v1/decisions`` (and the
escalations for the review queue) in one more transaction, and only then wakes the callers with
their receipts. One commit per batch instead of per call is how a log reaches thousands of durable
appends per second (Tessera batches the same way).

A call submits a *group* (one entry, or the whole of a batch request) and waits on one future, so
a batch of 1,000 decisions costs one queue item and one wake-up, not a thousand. The callers of a
batch are woken with one hand-off per event loop.

Fail closed: if the append raises, every caller in the batch gets the error, and the service answers
with an error and shares nothing. A decision's index row is written after its ledger entry is
durable and before anyone is answered; if only the index write fails, the callers get an error too
(the ledger then holds decisions nobody was told about, which is the safe direction).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import orjson

from sanctuary.errors import LedgerUnavailable
from sanctuary.ledger import Ledger
from sanctuary.model import Receipt
from sanctuary.service.store import ServiceStore

# (request_id, agency, key_id, decision, Decision JSON without receipt) for the decisions index;
# the JSON as bytes (the hot path) or as the dict of Decision.to_json_dict()
Row = tuple[str, str, str, str, bytes | dict[str, Any]]


@dataclass
class Pending:
    """One caller's group of entries, in order, and the future that gets their receipts."""

    entries: list[dict[str, Any]]
    rows: list[Row] | None  # one per entry, or None for entries that are not decisions
    future: asyncio.Future[list[Receipt]]
    loop: asyncio.AbstractEventLoop


class Recorder:
    def __init__(self, ledger: Ledger, store: ServiceStore, *, max_batch: int = 1024) -> None:
        self.ledger = ledger
        self.store = store
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Pending | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="ledger-writer", daemon=True)
        self.batches = 0
        self.appended = 0
        self.failures = 0
        self.append_seconds = 0.0  # time spent in ledger appends (commit included)
        self.index_seconds = 0.0  # time spent writing the decisions index
        self.broken: str | None = None  # set by tests and operators to simulate a dead store
        self._closed = False
        self._thread.start()

    def submit(
        self, entries: list[dict[str, Any]], rows: list[Row] | None = None
    ) -> asyncio.Future[list[Receipt]]:
        """Queue a group for the writer; the future resolves once the group is durable.

        Cancelling the future (a caller's timeout) does not withdraw the entries: they are recorded
        all the same, and the caller has already answered with an error.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Receipt]] = loop.create_future()
        if self._closed:
            future.set_exception(LedgerUnavailable("the ledger writer has stopped"))
            return future
        self._queue.put(Pending(entries, rows, future, loop))
        return future

    async def record(
        self, entry: dict[str, Any], row: Row | None = None, *, escalated: bool | None = None
    ) -> Receipt:
        """Append one entry (and index it, if it is a decision); its receipt once durable.

        ``escalated`` is accepted for older callers; an escalation is read from the row's decision.
        """
        del escalated
        receipts = await self.submit([entry], [row] if row is not None else None)
        return receipts[0]

    def close(self) -> None:
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _take(self) -> list[Pending] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch, size = [first], len(first.entries)
        while size < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)
                break
            batch.append(item)
            size += len(item.entries)
        return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            try:
                receipts = self._commit(batch)
            except Exception as err:  # every caller learns the append failed; nothing is released
                self.failures += 1
                failure = (
                    err
                    if isinstance(err, LedgerUnavailable)
                    else LedgerUnavailable(f"the ledger append failed: {type(err).__name__}")
                )
                _wake([(item, None, failure) for item in batch])
                continue
            outcomes: list[Outcome] = []
            at = 0
            for item in batch:
                outcomes.append((item, receipts[at : at + len(item.entries)], None))
                at += len(item.entries)
            _wake(outcomes)

    def _commit(self, batch: list[Pending]) -> list[Receipt]:
        if self.broken:
            raise LedgerUnavailable(self.broken)
        entries = [e for item in batch for e in item.entries]
        started = time.perf_counter()
        receipts = self.ledger.append_many(entries, checkpoint=True)
        appended = time.perf_counter()
        self.append_seconds += appended - started
        self.batches += 1
        self.appended += len(entries)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        rows, reviews = [], []
        at = 0
        for item in batch:
            if item.rows is not None:
                for row, receipt in zip(item.rows, receipts[at:], strict=False):
                    request_id, agency, key_id, decision, body = row
                    recorded = with_receipt(body, receipt).decode()
                    rows.append(
                        (request_id, receipt.index, agency, key_id, decision, recorded, now)
                    )
                    if decision == "escalate":
                        reviews.append((receipt.index, request_id, agency, now))
            at += len(item.entries)
        self.store.index_decisions(rows, reviews)
        self.index_seconds += time.perf_counter() - appended
        return receipts


def receipt_json(receipt: Receipt) -> dict[str, Any]:
    """A receipt as JSON (what ``model_dump(exclude_none=True)`` gives, without its cost)."""
    out: dict[str, Any] = {
        "index": receipt.index,
        "leaf_hash": receipt.leaf_hash,
        "tree_size": receipt.tree_size,
    }
    if receipt.checkpoint is not None:
        out["checkpoint"] = receipt.checkpoint
    return out


def with_receipt(decision_json: bytes | dict[str, Any], receipt: Receipt) -> bytes:
    """A Decision's JSON object (without ``ledger``) with its receipt as the last field."""
    if isinstance(decision_json, dict):
        decision_json = orjson.dumps(decision_json)
    return decision_json[:-1] + b',"ledger":' + orjson.dumps(receipt_json(receipt)) + b"}"


Outcome = tuple[Pending, list[Receipt] | None, Exception | None]


def _wake(outcomes: list[Outcome]) -> None:
    """Hand the results to each event loop once, however many callers wait on it."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_loop[outcome[0].loop].append(outcome)
    for loop, group in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(_settle, group)


def _settle(group: list[Outcome]) -> None:
    for item, receipts, error in group:
        if item.future.done():  # the caller gave up (timeout); the entries are recorded anyway
            continue
        if error is not None:
            item.future.set_exception(error)
        else:
            assert receipts is not None
            item.future.set_result(receipts)
