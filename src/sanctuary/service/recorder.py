"""Group commit: decisions from concurrent calls are appended to the ledger together.

One writer thread takes whatever entries are waiting (up to ``max_batch``), appends them in one
durable transaction with one signed checkpoint, indexes the decisions for ``GET /v1/decisions``,
and only then wakes the callers with their receipts. One commit per batch instead of per call is how
a log reaches thousands of durable appends per second (Tessera batches the same way).

Fail closed: if the append raises, every caller in the batch gets the error, and the service answers
with an error and shares nothing.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sanctuary.errors import LedgerUnavailable
from sanctuary.ledger import Ledger
from sanctuary.model import Receipt
from sanctuary.service.store import ServiceStore


@dataclass
class Pending:
    entry: dict[str, Any]
    # (request_id, agency, key_id, decision, body without receipt) for the decisions index
    row: tuple[str, str, str, str, dict[str, Any]] | None
    escalated: bool
    future: asyncio.Future[Receipt]
    loop: asyncio.AbstractEventLoop
    enqueued: float = field(default_factory=time.perf_counter)


class Recorder:
    def __init__(self, ledger: Ledger, store: ServiceStore, *, max_batch: int = 512) -> None:
        self.ledger = ledger
        self.store = store
        self.max_batch = max_batch
        self._queue: queue.Queue[Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="ledger-writer", daemon=True)
        self.batches = 0
        self.appended = 0
        self.failures = 0
        self.broken: str | None = None  # set by tests and operators to simulate a dead store
        self._thread.start()

    async def record(
        self,
        entry: dict[str, Any],
        row: tuple[str, str, str, str, dict[str, Any]] | None = None,
        *,
        escalated: bool = False,
    ) -> Receipt:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Receipt] = loop.create_future()
        self._queue.put(Pending(entry, row, escalated, future, loop))
        return await future

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _take(self) -> list[Pending] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)
                break
            batch.append(item)
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
                for item in batch:
                    item.loop.call_soon_threadsafe(_settle, item.future, None, failure)
                continue
            for item, receipt in zip(batch, receipts, strict=True):
                item.loop.call_soon_threadsafe(_settle, item.future, receipt, None)

    def _commit(self, batch: list[Pending]) -> list[Receipt]:
        if self.broken:
            raise LedgerUnavailable(self.broken)
        receipts = self.ledger.append_many([p.entry for p in batch], checkpoint=True)
        self.batches += 1
        self.appended += len(batch)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        rows, reviews = [], []
        for item, receipt in zip(batch, receipts, strict=True):
            if item.row is None:
                continue
            request_id, agency, key_id, decision, body = item.row
            recorded = {**body, "ledger": receipt.model_dump(exclude_none=True)}
            rows.append((request_id, receipt.index, agency, key_id, decision, _json(recorded), now))
            if item.escalated:
                reviews.append((receipt.index, request_id, agency, now))
        self.store.add_decisions(rows)
        self.store.add_reviews(reviews)
        return receipts


def _json(value: Any) -> str:
    import orjson

    return orjson.dumps(value).decode()


def _settle(
    future: asyncio.Future[Receipt], receipt: Receipt | None, error: Exception | None
) -> None:
    if future.done():  # the caller gave up (timeout); the entry is recorded all the same
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert receipt is not None
        future.set_result(receipt)
