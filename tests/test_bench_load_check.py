"""bench/load.py counts an answer's decisions by their receipts without parsing every answer; the
count must still fail on an answer that lacks a receipt or does not say what its parse says."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from load import PARSE_EVERY, Tally, _check, accepted_by, listening_workers


def _decision(index: int | None) -> dict[str, object]:
    ledger = {} if index is None else {"index": index, "leaf_hash": "ab" * 32, "tree_size": 9}
    return {"request_id": f'r-{index} "ledger":{{"index":7,', "decision": "deny", "ledger": ledger}


def _answer(*indices: int | None) -> bytes:
    return orjson.dumps({"decisions": [_decision(i) for i in indices]})


def test_every_receipt_is_counted_once_and_a_missing_one_is_an_error() -> None:
    tally = Tally()
    _check(tally, 200, _answer(3, 4, 5), 3, keep=True)  # parsed in full (the first answer)
    _check(tally, 200, _answer(6, None, 8), 3, keep=True)  # counted by its receipts only
    assert (tally.decisions, tally.errors, tally.indices) == (5, 1, [3, 4, 5, 6, 8])


def test_a_single_answer_is_counted_by_its_receipt() -> None:
    tally = Tally()
    _check(tally, 200, orjson.dumps(_decision(11)), 1, keep=True)
    assert (tally.decisions, tally.errors, tally.indices) == (1, 0, [11])


def test_a_parsed_answer_whose_receipts_the_pattern_misses_is_all_errors() -> None:
    pretty = orjson.dumps(orjson.loads(_answer(1, 2)), option=orjson.OPT_INDENT_2)
    tally = Tally()
    _check(tally, 200, pretty, 2, keep=True)  # the first answer is parsed: 2 receipts, 0 found
    assert (tally.decisions, tally.errors) == (0, 2)
    assert "do not match" in tally.error_samples[0]


def test_answers_are_parsed_in_full_now_and_then() -> None:
    pretty = orjson.dumps(_decision(1), option=orjson.OPT_INDENT_2)  # the pattern finds nothing
    tally = Tally()
    for _ in range(PARSE_EVERY):
        _check(tally, 200, pretty, 1, keep=True)
    assert tally.errors == PARSE_EVERY
    assert len(tally.error_samples) == 1  # the one parsed in full: it had a receipt


def test_an_error_status_counts_every_decision_of_the_call() -> None:
    tally = Tally()
    _check(tally, 503, b'{"code":"timeout"}', 1000, keep=True)
    assert (tally.decisions, tally.errors) == (0, 1000)


def test_the_process_holding_the_server_end_of_a_connection_is_found() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert listening_workers(port, os.getpid()) == (os.getpid(),)
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = server.accept()
            with accepted:
                mine = client.getsockname()[1]
                assert accepted_by(port, mine, (os.getpid(),)) == os.getpid()
                assert accepted_by(port, mine, (1,)) is None  # another process holds nothing
