"""The service's index writes queue on the ledger's append lock file, as ledger appends do."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from pathlib import Path

from sanctuary.service.store import ServiceStore

ROW = ("req-1", 0, "LAPD", "k1", "deny", "{}", "2026-11-27T00:00:00Z")


def test_an_index_write_waits_for_the_append_lock_and_goes_ahead_once_it_is_free(
    tmp_path: Path,
) -> None:
    db = tmp_path / "s.db"
    store = ServiceStore(f"sqlite:///{db}")
    other = os.open(f"{db}.lock", os.O_RDWR | os.O_CREAT, 0o600)  # another worker appending
    fcntl.flock(other, fcntl.LOCK_EX)
    done = threading.Event()
    writer = threading.Thread(target=lambda: (store.index_decisions([ROW], []), done.set()))
    writer.start()
    try:
        assert not done.wait(0.5), "the index write did not wait for the append lock"
        # read on a connection of its own: the store's is busy waiting
        with sqlite3.connect(db) as reader:
            assert reader.execute("SELECT count(*) FROM svc_decisions").fetchall() == [(0,)]
    finally:
        os.close(other)  # releases the lock
    assert done.wait(10), "the index write did not go ahead once the lock was free"
    writer.join()
    assert store.execute("SELECT request_id FROM svc_decisions") == [("req-1",)]
    store.close()
