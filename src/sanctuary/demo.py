"""`sanctuary demo`: the main job on embedded defaults.

Until the decision service exists this decides the bundled example requests under the bundled packs
and prints each decision in words.
"""

from __future__ import annotations

from collections.abc import Iterator
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
