"""One error tree for all of Sanctuary.

    SanctuaryError                      code                    exit  HTTP
    ├── InputError                      invalid_input           2     400
    │   ├── RequestError                invalid_request               422
    │   ├── PackError                   invalid_pack
    │   ├── ScenarioError               invalid_scenario
    │   ├── VocabularyError             unknown_term                  422
    │   ├── JurisdictionError           unknown_jurisdiction          422
    │   ├── UnknownFormatError          unknown_log_format
    │   ├── LogFileError                unreadable_log
    │   ├── ledger.EntryError           invalid_ledger_entry
    │   ├── protect.RecogniserError     invalid_recogniser
    │   ├── protect.RedactionInputError invalid_redaction_input
    │   ├── inventory.SourceError       unreadable_source
    │   ├── audit.EngineUnavailable     engine_unavailable
    │   └── service.DatasetConfigError  invalid_dataset_config
    ├── DecisionError                   decision_failed         1     500  (could not decide)
    ├── LedgerError                     ledger_error            1     503
    │   ├── LedgerUnavailable           ledger_unavailable            503
    │   └── VerificationError           verification_failed           500
    │       └── ledger.RootMismatchError root_mismatch
    ├── protect.RedactionError          redaction_failed        1     500
    ├── policy.smt.EncodingError        encoding_error          1
    ├── service: AuthError unauthenticated 401 · ForbiddenError forbidden 403 · NotFound
    │   not_found 404 · Conflict conflict 409 · RateLimited rate_limited 429 · Overloaded
    │   overloaded 503 · DecisionTimeout timeout 503 · DatasetUnavailable dataset_unavailable 503
    └── InternalError                   internal_error          1     500

The classes outside this module live beside the code that raises them (named above by package);
all of them derive from these. Every error has a stable snake_case ``code``, a one-line lowercase
``message`` with user input in backticks, an optional ``help`` and an optional ``location``
(``file:line`` or a field path). Messages never carry personal data from requests: only field
names, codes and file positions. Whatever the error, Sanctuary shares nothing (fail closed).
"""

from __future__ import annotations


class SanctuaryError(Exception):
    code = "sanctuary_error"
    exit_code = 1
    http_status = 500

    def __init__(self, message: str, *, help: str | None = None, location: str | None = None):
        super().__init__(message)
        self.message = message
        self.help = help
        self.location = location

    def one_line(self) -> str:
        """The CLI's one-line rendering: ``location: message (help)``."""
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.help:
            text += f" ({self.help})"
        return text.replace("\n", " ")

    def problem(self) -> dict[str, object]:
        """RFC 9457 problem details."""
        body: dict[str, object] = {
            "type": f"https://sanctuary.invalid/problems/{self.code}",
            "title": self.code.replace("_", " "),
            "status": self.http_status,
            "detail": self.message,
            "code": self.code,
        }
        if self.location:
            body["location"] = self.location
        if self.help:
            body["help"] = self.help
        return body


class InputError(SanctuaryError):
    code = "invalid_input"
    exit_code = 2
    http_status = 400


class RequestError(InputError):
    code = "invalid_request"
    http_status = 422


class PackError(InputError):
    code = "invalid_pack"


class ScenarioError(InputError):
    code = "invalid_scenario"


class VocabularyError(InputError):
    code = "unknown_term"
    http_status = 422


class JurisdictionError(InputError):
    code = "unknown_jurisdiction"
    http_status = 422


class UnknownFormatError(InputError):
    """No audit-log adapter recognises a file, or ``--format`` names no adapter."""

    code = "unknown_log_format"


class LogFileError(InputError):
    """A recognised log file cannot be read as a whole (corrupt, wrong encoding, truncated)."""

    code = "unreadable_log"


class DecisionError(SanctuaryError):
    code = "decision_failed"


class LedgerError(SanctuaryError):
    code = "ledger_error"
    http_status = 503


class LedgerUnavailable(LedgerError):
    code = "ledger_unavailable"


class VerificationError(LedgerError):
    code = "verification_failed"
    http_status = 500


class InternalError(SanctuaryError):
    code = "internal_error"


def did_you_mean(word: str, choices: object) -> str | None:
    """A "did you mean" hint for a mistyped key or value, or None when nothing is close."""
    import difflib

    options = [str(c) for c in choices]  # type: ignore[attr-defined]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None
