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
from sanctuary.ledger.entries import check_entry
from sanctuary.model import Receipt
from sanctuary.service.store import ServiceStore

# (request_id, agency, key_id, decision, Decision JSON without receipt) for the decisions index;
# the JSON as bytes (the hot path) or as the dict of Decision.to_json_dict()
Row = tuple[str, str, str, str, bytes | dict[str, Any]]


@dataclass
class Pending:
    """One caller's group of entries, in order, and the future that gets their receipts.

    With ``as_json`` the future gets instead each decision's JSON with its receipt (``rows`` are
    then required): the writer makes it anyway for the decisions index, so the caller answers
    with the same bytes instead of splicing the receipt in a second time.
    """

    entries: list[dict[str, Any]]
    rows: list[Row] | None  # one per entry, or None for entries that are not decisions
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    as_json: bool = False
    recorded: list[bytes] | None = None  # set by the writer when ``as_json``


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
        # True while the writer commits; batches being decided step aside until it is over
        # (Service._prepared says why). Read without the lock: a stale read costs one decision.
        self.writing = False
        self._quiet_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._quiet_lock = threading.Lock()
        self._thread.start()

    def submit(
        self, entries: list[dict[str, Any]], rows: list[Row] | None = None, *, built: bool = False
    ) -> asyncio.Future[list[Receipt]]:
        """Queue a group for the writer; the future resolves once the group is durable.

        Each entry is checked here (``check_entry``: an entry the ledger refuses fails this caller
        alone, and the writer does not walk entries while it holds the write lock), unless
        ``built``: every entry is ``entry_for_decision``'s, plus string fields. Its values are
        JSON by construction, which tests/ledger/test_ledger_entries_reference.py checks against
        ``canonical_json`` for generated requests; the walk measured ~7% of a batch's CPU.

        Cancelling the future (a caller's timeout) does not withdraw the entries: they are recorded
        all the same, and the caller has already answered with an error.
        """
        return self._submit(entries, rows, as_json=False, built=built)

    def submit_json(
        self, entries: list[dict[str, Any]], rows: list[Row], *, built: bool = False
    ) -> asyncio.Future[Any]:
        """``submit`` for decisions; the future resolves to each Decision's JSON with its receipt
        (``with_receipt``), once the group is durable and indexed."""
        if len(rows) != len(entries):
            raise ValueError("one index row per entry")
        return self._submit(entries, rows, as_json=True, built=built)

    def _submit(
        self, entries: list[dict[str, Any]], rows: list[Row] | None, *, as_json: bool, built: bool
    ) -> asyncio.Future[Any]:
        if not built:
            for entry in entries:
                check_entry(entry)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if self._closed:
            future.set_exception(LedgerUnavailable("the ledger writer has stopped"))
            return future
        self._queue.put(Pending(entries, rows, future, loop, as_json))
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

    async def quiet(self) -> None:
        """Return once the writer is between commits (at once if it is)."""
        loop = asyncio.get_running_loop()
        with self._quiet_lock:
            if not self.writing:
                return
            future: asyncio.Future[None] = loop.create_future()
            self._quiet_waiters.append((loop, future))
        await future

    def _set_writing(self, writing: bool) -> None:
        with self._quiet_lock:
            self.writing = writing
            if writing:
                return
            waiters, self._quiet_waiters = self._quiet_waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_release, future)

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
            self._set_writing(True)
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
            finally:
                self._set_writing(False)
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
        receipts = self.ledger.append_many(entries, checkpoint=True, checked=True)
        appended = time.perf_counter()
        self.append_seconds += appended - started
        self.batches += 1
        self.appended += len(entries)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        rows: list[tuple[str, int, str, str, str, str, str]] = []
        reviews: list[tuple[int, str, str, str]] = []
        at = 0
        splice = ReceiptSplicer(receipts[-1]) if receipts else None
        for item in batch:
            if item.rows is not None and splice is not None:
                recorded = []
                for row, receipt in zip(item.rows, receipts[at:], strict=False):
                    request_id, agency, key_id, decision, body = row
                    spliced = splice(body, receipt)
                    recorded.append(spliced)
                    rows.append(
                        (request_id, receipt.index, agency, key_id, decision, spliced.decode(), now)
                    )
                    if decision == "escalate":
                        reviews.append((receipt.index, request_id, agency, now))
                if item.as_json:
                    item.recorded = recorded
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


class ReceiptSplicer:
    """``with_receipt`` for the receipts of one append: the same bytes, made faster.

    The receipts of one ``append_many`` share their tree size and checkpoint, so that part of the
    JSON is made once; only the index and leaf hash differ (an integer and a hex string, which
    JSON writes as they are). A receipt of another append falls back to ``with_receipt``.
    """

    def __init__(self, last: Receipt) -> None:
        self.tree_size = last.tree_size
        self.checkpoint = last.checkpoint
        tail = {"tree_size": last.tree_size}
        if last.checkpoint is not None:
            tail["checkpoint"] = last.checkpoint  # type: ignore[assignment]
        self.tail = b'",' + orjson.dumps(tail)[1:] + b"}"

    def __call__(self, decision_json: bytes | dict[str, Any], receipt: Receipt) -> bytes:
        if (
            type(decision_json) is not bytes
            or receipt.tree_size != self.tree_size
            or receipt.checkpoint != self.checkpoint
        ):
            return with_receipt(decision_json, receipt)
        return b'%s,"ledger":{"index":%d,"leaf_hash":"%s%s' % (
            decision_json[:-1],
            receipt.index,
            receipt.leaf_hash.encode(),
            self.tail,
        )


Outcome = tuple[Pending, list[Receipt] | None, Exception | None]


def _wake(outcomes: list[Outcome]) -> None:
    """Hand the results to each event loop once, however many callers wait on it."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_loop[outcome[0].loop].append(outcome)
    for loop, group in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(_settle, group)


def _release(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _settle(group: list[Outcome]) -> None:
    for item, receipts, error in group:
        if item.future.done():  # the caller gave up (timeout); the entries are recorded anyway
            continue
        if error is not None:
            item.future.set_exception(error)
        elif item.as_json:
            item.future.set_result(item.recorded)
        else:
            assert receipts is not None
            item.future.set_result(receipts)
