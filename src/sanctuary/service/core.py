"""What the service does, without HTTP: decide as an identity, record, then answer.

The order is the contract of DESIGN.md: authenticate -> Request -> decide -> ledger append (durable)
-> answer with the receipt. Nothing is returned before the ledger holds the decision; if the append
fails or takes too long, the caller gets an error and nothing is shared.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import operator
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from typing import Any, Literal

from sanctuary.errors import LedgerUnavailable, SanctuaryError
from sanctuary.jsonio import decision_json
from sanctuary.ledger import Ledger, entry_for_decision, review_entry
from sanctuary.model import Decision, Receipt, Request, construct
from sanctuary.policy import Engine
from sanctuary.service.identity import ForbiddenError, Identity, require
from sanctuary.service.metrics import Metrics
from sanctuary.service.recorder import Recorder, Row
from sanctuary.service.store import ServiceStore
from sanctuary.vocab import resolve_agency

_OUTCOME = operator.itemgetter(3)  # a Row's decision
YIELD_EVERY = 50  # requests of a batch decided between two yields to the event loop


class DecisionTimeout(SanctuaryError):
    code = "timeout"
    http_status = 503


class Overloaded(SanctuaryError):
    """Too much work queued: refused before anything is decided (so nothing is recorded)."""

    code = "overloaded"
    http_status = 503


class NotFound(SanctuaryError):
    code = "not_found"
    http_status = 404


class Conflict(SanctuaryError):
    code = "conflict"
    http_status = 409


@dataclass
class Service:
    engine: Engine
    ledger: Ledger
    store: ServiceStore
    recorder: Recorder
    metrics: Metrics
    timeout: float
    # Two batch slots, first come first served (see _decide_group).
    _batches: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2), init=False)

    # -- decisions ----------------------------------------------------------------------------
    def bind(self, identity: Identity, request: Request) -> Request:
        """The request as this identity may ask it: a requester speaks only for its own agency."""
        require(identity, "requester", "pep")
        if identity.role != "requester":
            return request
        asked = resolve_agency(request.requester.agency).code
        if asked != identity.agency:
            raise ForbiddenError(
                f"this key asks for `{identity.agency}` and cannot ask as `{asked}`",
                location="requester.agency",
            )
        if identity.state and request.requester.state not in (None, identity.state):
            raise ForbiddenError(
                "this key cannot ask for another state", location="requester.state"
            )
        requester = request.requester.model_copy(
            update={
                "name": request.requester.name or identity.name,
                "state": identity.state or request.requester.state,
            }
        )
        return request.model_copy(update={"requester": requester})

    async def decide(self, identity: Identity, request: Request) -> Decision:
        """Decide and record one request; the Decision with its receipt."""
        decision, entry, row = self._prepare(identity, request)
        receipts = await self._record([entry], [row])
        return construct(Decision, **{**decision.__dict__, "ledger": receipts[0]})

    async def decide_many(self, identity: Identity, requests: list[Request]) -> list[Decision]:
        prepared, receipts = await self._decide_group(identity, requests)
        return [
            construct(Decision, **{**d.__dict__, "ledger": receipt})
            for (d, _, _), receipt in zip(prepared, receipts, strict=True)
        ]

    async def decide_json(self, identity: Identity, requests: list[Request]) -> list[bytes]:
        """Decide and record requests as one group; each Decision as JSON bytes with its receipt.

        The HTTP path: each decision is serialised once, straight to JSON, and the ledger writer
        splices the receipt in once (the same bytes are the answer and the body kept for
        ``GET /v1/decisions/{id}``); the whole group waits on one future. Only the ledger entry and
        the JSON of each decision are kept while the group waits for the writer: the Decision and
        Request objects of a batch of 1,000 kept alive were what made the garbage collector's young
        collections cost ~30 µs a decision (each one walks every young object still alive).
        """
        entries: list[dict[str, Any]] = []
        rows: list[Row] = []
        async with self._slot_for(requests):
            async for _, entry, row in self._prepared(identity, requests):
                entries.append(entry)
                rows.append(row)
            return await self._record_json(entries, rows)

    async def _decide_group(
        self, identity: Identity, requests: list[Request]
    ) -> tuple[list[tuple[Decision, dict[str, Any], Row]], list[Receipt]]:
        """Decide and record a group (one request, or a batch call), keeping the Decisions."""
        async with self._slot_for(requests):
            prepared = [p async for p in self._prepared(identity, requests)]
            receipts = await self._record([p[1] for p in prepared], [p[2] for p in prepared])
        return prepared, receipts

    async def _prepared(
        self, identity: Identity, requests: list[Request]
    ) -> AsyncIterator[tuple[Decision, dict[str, Any], Row]]:
        """``_prepare`` for each request, yielding to the event loop every YIELD_EVERY (see
        ``_batch_slot``); callers keep of each what they need until the group is recorded.

        A batch also steps aside while the ledger writer commits. The writer holds the database's
        one write lock (shared by every ``serve`` worker) and needs the GIL back after each
        SQLite step; a batch deciding in the same process kept taking it, which stretched every
        commit and left the other workers waiting for the lock. Measured with bench/load.py
        (two workers, four batches of 1,000 in flight, three runs each, alternated): the lock
        was held 6.1-7.2 s of 12 instead of 9.3-10.1 s, 12,300-14,000 decisions/s instead of
        12,100-12,600, 106-116 µs of server CPU a decision instead of 116-124. Single calls
        never wait here: they are one decision each, and their latency matters more.
        """
        batch = len(requests) > 1
        for n, request in enumerate(requests, start=1):
            if batch and self.recorder.writing:
                await self._wait(self.recorder.quiet())  # a writer that never finishes: 503
            yield self._prepare(identity, request)
            if n % YIELD_EVERY == 0 and n < len(requests):
                await asyncio.sleep(0)

    def _slot_for(self, requests: list[Request]) -> contextlib.AbstractAsyncContextManager[None]:
        """A batch slot for a batch call; single calls never wait for one."""
        return self._batch_slot() if len(requests) > 1 else contextlib.nullcontext()

    @contextlib.asynccontextmanager
    async def _batch_slot(self) -> AsyncIterator[None]:
        """One of the two batch slots, from deciding until recorded.

        Deciding 1,000 requests takes ~0.1 s of CPU; done in one go it would hold every other
        call (even /healthz) behind it, so a batch yields to the event loop every YIELD_EVERY
        requests. Batches also take one of two slots, in arrival order, from deciding until
        recorded: the next batch is decided while the previous one is committed, and no more
        batches pile up than the ledger writer can take. Without the slots, every waiting batch
        advanced a little at each yield, all finished deciding together, queued for the writer
        together, and the last ones timed out after being decided (measured with bench/load.py,
        64 batches of 1,000 in flight). A batch that cannot get a slot in time is refused before
        anything is decided. Single calls never wait for a slot.
        """
        try:
            async with asyncio.timeout(self.timeout):
                await self._batches.acquire()
        except TimeoutError:
            raise Overloaded(
                "the service is busy with other batches; nothing was decided",
                help="retry later, or send smaller batches",
            ) from None
        try:
            yield
        finally:
            self._batches.release()

    def _prepare(
        self, identity: Identity, request: Request
    ) -> tuple[Decision, dict[str, Any], Row]:
        """Bind, decide, and build the ledger entry and the index row (nothing released yet)."""
        bound = self.bind(identity, request)
        decision = self.engine.decide(bound)
        entry = entry_for_decision(bound, decision, hash_key=self.ledger.hash_key)
        entry["key_id"] = identity.key_id
        body = decision_json(decision)  # `ledger` is None until recorded, so not written
        row = (decision.request_id, identity.agency, identity.key_id, decision.decision, body)
        return decision, entry, row

    async def _record(self, entries: list[dict[str, Any]], rows: list[Row]) -> list[Receipt]:
        """Wait until the group is durable; past the timeout, fail closed (nothing is shared).

        The entries are ``_prepare``'s (``entry_for_decision`` plus ``key_id``), so the recorder
        need not walk them (``built``)."""
        receipts: list[Receipt] = await self._wait(self.recorder.submit(entries, rows, built=True))
        self._count(rows)
        return receipts

    async def _record_json(self, entries: list[dict[str, Any]], rows: list[Row]) -> list[bytes]:
        """``_record``, answering each decision's JSON with its receipt (made by the writer)."""
        recorded: list[bytes] = await self._wait(
            self.recorder.submit_json(entries, rows, built=True)
        )
        self._count(rows)
        return recorded

    async def _wait(self, future: Awaitable[Any]) -> Any:
        """Wait for the ledger writer; past the timeout, fail closed (nothing is shared)."""
        try:
            return await asyncio.wait_for(future, timeout=self.timeout)
        except TimeoutError:
            raise DecisionTimeout(
                "the decision could not be recorded in time; nothing may be shared",
                help="retry; the call is safe to repeat",
            ) from None

    def _count(self, rows: list[Row]) -> None:
        for outcome, n in Counter(map(_OUTCOME, rows)).items():  # counted in C, not per row
            self.metrics.decided(outcome, n)

    def recorded(self, identity: Identity, request_id: str) -> dict[str, Any]:
        require(identity, "requester", "pep", "reviewer", "auditor", "admin")
        found = self.store.decision(request_id)
        if found is None:
            raise NotFound(f"no recorded decision `{request_id}`")
        agency, body, index = found
        if identity.role == "requester" and agency != identity.agency:
            raise NotFound(f"no recorded decision `{request_id}`")  # do not reveal others' ids
        import orjson

        result: dict[str, Any] = orjson.loads(body)
        review = self.store.review(index)
        if review is not None:
            result["review"] = {
                k: review[k]
                for k in ("status", "outcome", "reason", "resolved", "resolution_index")
            }
        return result

    # -- reviews ------------------------------------------------------------------------------
    def pending(self, identity: Identity, status: str | None) -> list[dict[str, Any]]:
        require(identity, "reviewer", "admin", "auditor")
        return self.store.reviews(status)

    async def resolve(
        self,
        identity: Identity,
        index: int,
        outcome: Literal["allow", "allow_redacted", "deny"],
        reason: str,
    ) -> dict[str, Any]:
        require(identity, "reviewer")
        review = self.store.review(index)
        if review is None:
            raise NotFound(f"no review for ledger entry `{index}`")
        if review["status"] != "pending":
            raise Conflict(f"review `{index}` is already {review['status']}")
        entry = review_entry(
            resolves=index,
            request_id=review["request_id"],
            decision=outcome,
            reason=reason,
            reviewer=identity.key_id,
            hash_key=self.ledger.hash_key,
        )
        try:
            receipt = await asyncio.wait_for(self.recorder.record(entry), timeout=self.timeout)
        except TimeoutError:
            raise DecisionTimeout("the review could not be recorded in time") from None
        now = dt.datetime.now(dt.UTC).isoformat()
        if not self.store.resolve_review(
            index, identity.key_id, outcome, reason, now, receipt.index
        ):
            raise Conflict(f"review `{index}` was resolved by someone else first")
        return {"index": index, "status": "resolved", "outcome": outcome, "reason": reason,
                "ledger": receipt.model_dump(exclude_none=True)}  # fmt: skip


def ledger_failure(err: Exception) -> LedgerUnavailable:
    return LedgerUnavailable(f"the ledger is unavailable: {type(err).__name__}")
