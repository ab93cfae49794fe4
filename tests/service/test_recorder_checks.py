"""The recorder checks each entry as it is submitted, so a bad entry fails its own caller and
never reaches the writer (which appends without walking the entries again)."""

from __future__ import annotations

import pytest

from sanctuary.ledger.entries import EntryError
from sanctuary.service import Service


async def test_an_entry_the_ledger_refuses_fails_its_caller_before_the_writer(
    service: Service,
) -> None:
    before = service.ledger.size
    with pytest.raises(EntryError):
        await service.recorder.record({"kind": "review", "score": 0.5})
    with pytest.raises(EntryError):
        await service.recorder.record({"kind": "review", "index": 3})
    assert service.ledger.size == before
    receipt = await service.recorder.record({"kind": "review", "score_bp": 5000})
    assert receipt.index == before  # the writer is fine and the next entry goes in
