"""Batches step aside while the ledger writer commits (Service._prepared says why): they wait,
decide nothing meanwhile, carry on when the commit is over, and fail closed if it never is.
Single calls never wait."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from svc_helpers import ICE_ASK

from sanctuary.jsonio import request_from_obj
from sanctuary.model import Request
from sanctuary.service import Identity, Service
from sanctuary.service.core import DecisionTimeout

PEP = Identity("k-test", "LOCAL-GOV", "records gateway", None, "pep")


def _asks(n: int, prefix: str) -> list[Request]:
    return [request_from_obj({**ICE_ASK, "id": f"{prefix}-{k}"}) for k in range(n)]


async def test_quiet_returns_at_once_between_commits(service: Service) -> None:
    assert not service.recorder.writing
    await asyncio.wait_for(service.recorder.quiet(), timeout=1)


async def test_a_batch_waits_while_the_writer_commits_then_goes_on(service: Service) -> None:
    decided: list[int] = []
    real = service._prepare

    def counting(identity: Identity, request: Request) -> Any:
        decided.append(1)
        return real(identity, request)

    service._prepare = counting  # type: ignore[method-assign]
    before = service.ledger.size
    service.recorder._set_writing(True)  # as the writer does when it takes a commit
    task = asyncio.create_task(service.decide_json(PEP, _asks(3, "wait")))
    await asyncio.sleep(0.2)
    assert not task.done()
    assert decided == []  # not one decision while the commit is under way
    service.recorder._set_writing(False)
    answers = await asyncio.wait_for(task, timeout=10)
    assert len(answers) == 3 and len(decided) == 3
    assert service.ledger.size == before + 3


async def test_a_single_call_does_not_wait_for_the_writer(service: Service) -> None:
    service.recorder._set_writing(True)
    try:
        (answer,) = await asyncio.wait_for(service.decide_json(PEP, _asks(1, "one")), timeout=10)
    finally:
        service.recorder._set_writing(False)
    assert b'"ledger"' in answer


async def test_a_batch_fails_closed_when_the_writer_never_finishes(service: Service) -> None:
    before = service.ledger.size
    service.timeout = 0.2
    service.recorder._set_writing(True)
    try:
        with pytest.raises(DecisionTimeout):
            await service.decide_json(PEP, _asks(3, "stuck"))
    finally:
        service.recorder._set_writing(False)
    assert service.ledger.size == before
    assert service.store.execute("SELECT count(*) FROM svc_decisions")[0][0] == 0
