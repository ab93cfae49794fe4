"""`sanctuary demo`: the main job on embedded defaults.

It creates a local SQLite database and signing key in a demo folder, example API keys, and starts
the decision service with the bundled packs, printing the URL, the keys and a ready `curl`.
``engine_demo`` explains the bundled example requests without a service (used by the tests).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sanctuary.explain import explain
from sanctuary.jsonio import read_requests
from sanctuary.policy import default_engine


def example_request_files() -> list[Path]:
    folder = Path(str(resources.files("sanctuary").joinpath("examples", "requests")))
    return sorted(folder.glob("*.json"))


def engine_demo() -> Iterator[str]:
    engine = default_engine()
    for path in example_request_files():
        for request in read_requests(str(path)):
            yield from explain(request, engine.decide(request))
            yield ""


DEMO_KEYS = [
    # (label, agency, role, name)
    ("pep", "LOCAL-GOV", "pep", "City of Los Angeles records gateway"),
    ("requester", "ICE-ERO", "requester", None),
    ("reviewer", "LOCAL-GOV", "reviewer", "Office of the City Attorney"),
    ("auditor", "LOCAL-GOV", "auditor", "Office of the Inspector General"),
]


@dataclass(frozen=True)
class DemoPlan:
    folder: Path
    db: str
    host: str
    port: int
    keys: dict[str, str]
    example: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def lines(self) -> list[str]:
        pep = self.keys["pep"]
        return [
            f"Sanctuary is starting at {self.url}  (API docs: {self.url}/docs)",
            f"database and signing key: {self.folder}/  ({self.db})",
            "API keys (also saved, readable only by you, in keys.json):",
            *(f"  {label:<10} {key}" for label, key in self.keys.items()),
            "",
            "Ask for a decision (ICE asks the jail for a release date on an I-247A detainer):",
            f"  curl -s -H 'Authorization: Bearer {pep}' -H 'Content-Type: application/json' \\",
            f"       --data @{self.example} {self.url}/v1/decisions",
            "Then check the receipt against the ledger:",
            f"  sanctuary ledger prove --index <ledger.index> --db {self.db}",
            f"  sanctuary ledger verify --db {self.db}",
            "Press Ctrl-C to stop.",
        ]


def prepare_demo(folder: Path, host: str, port: int) -> DemoPlan:
    """Create (or reuse) the demo folder: database, signing key, example keys."""
    from sanctuary.service import add_key

    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{folder / 'sanctuary.db'}"
    keys_file = folder / "keys.json"
    keys: dict[str, str] = json.loads(keys_file.read_text()) if keys_file.exists() else {}
    if set(keys) != {label for label, *_ in DEMO_KEYS}:
        keys = {
            label: add_key(db, agency, role, name=name)[0]
            for label, agency, role, name in DEMO_KEYS
        }
        temporary = keys_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(keys, indent=2))
        os.chmod(temporary, 0o600)
        temporary.replace(keys_file)
    example = example_request_files()[0]
    return DemoPlan(folder, db, host, port, keys, example)


def run_demo(plan: DemoPlan) -> None:
    """Serve until Ctrl-C; uvicorn shuts down cleanly and the ledger writer drains first."""
    import uvicorn

    from sanctuary.service import Settings, create_app

    settings = Settings.load(db=plan.db)
    uvicorn.run(
        create_app(settings), host=plan.host, port=plan.port, log_level="warning", access_log=False
    )
