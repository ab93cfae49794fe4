"""The public API of sanctuary.protect is pinned."""

from __future__ import annotations

import sanctuary.protect as protect

EXPECTED = """
FORMATS Catalogue ColumnRule Engine Match Operator Recogniser RecogniserError RedactionError
RedactionInputError RedactionResult Summary Target column_policy default_catalogue default_engine
find get_operator
load_catalogue operator_names redact_file redact_table redact_text register
"""


def test_exported_members() -> None:
    assert sorted(protect.__all__) == sorted(EXPECTED.split())
    for name in protect.__all__:
        assert hasattr(protect, name)
