"""The public API of sanctuary.protect is pinned."""

from __future__ import annotations

import sanctuary.protect as protect


def test_exported_members() -> None:
    assert sorted(protect.__all__) == sorted(
        [
            "Catalogue",
            "Engine",
            "Match",
            "Operator",
            "Recogniser",
            "RecogniserError",
            "RedactionError",
            "RedactionResult",
            "Target",
            "default_catalogue",
            "default_engine",
            "find",
            "get_operator",
            "load_catalogue",
            "operator_names",
            "redact_text",
            "register",
        ]
    )
    for name in protect.__all__:
        assert hasattr(protect, name)
