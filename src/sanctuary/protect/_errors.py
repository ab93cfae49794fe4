"""Errors of the protection package (subclasses of the one Sanctuary error tree).

SanctuaryError
├── InputError
│   └── RecogniserError        invalid_recogniser   (a bad recogniser catalogue)
└── RedactionError             redaction_failed     (fail closed: nothing is released)
"""

from __future__ import annotations

from sanctuary.errors import InputError, SanctuaryError


class RecogniserError(InputError):
    code = "invalid_recogniser"


class RedactionError(SanctuaryError):
    code = "redaction_failed"


class RedactionInputError(InputError, RedactionError):
    """Bad input to a redaction (exit 2); nothing is released either."""

    code = "invalid_redaction_input"
