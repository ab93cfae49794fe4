"""Ledger entries: minimised, canonical JSON leaves.

An entry records what an auditor needs to replay or check a decision, never the people's data
(the OPA decision-log shape): codes, categories, rule ids and pack versions in clear; personal
identifiers only as keyed hashes (HMAC-SHA256 under the *subject hash key*, a secret separate from
the signing key, so that nobody without it can confirm a guessed name); payloads only as digests.
The free-text purpose and the subject's details never appear in clear.

The ledger itself adds ``index`` and ``time`` when it appends; callers must not set them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import TYPE_CHECKING, Any, Literal

import orjson

from sanctuary.canonical import canonical_json
from sanctuary.errors import InputError
from sanctuary.model import Context, Request, Responder, Subject

if TYPE_CHECKING:
    from sanctuary.model import Decision

KINDS = ("decision", "review", "key_event", "pack_change")
RESERVED = ("index", "time")
# The models' own serialisers: what model_dump calls, without its per-call Python wrapper.
_REQUEST_SERIALIZER = Request.__pydantic_serializer__
_RESPONDER_SERIALIZER = Responder.__pydantic_serializer__
_CONTEXT_SERIALIZER = Context.__pydantic_serializer__
_SUBJECT_SERIALIZER = Subject.__pydantic_serializer__
_NO_CASE_NUMBER = {"case_number"}


class EntryError(InputError):
    """An entry the ledger refuses: wrong shape, reserved field, or not canonicalisable."""

    code = "invalid_ledger_entry"


def keyed_hash(key: bytes, value: Any) -> str:
    """``hmac-sha256:<hex>`` of the canonical JSON of ``value`` under ``key``."""
    _require_key(key)
    return _hmac(key, canonical_json(value))


def _require_key(key: bytes) -> None:
    if len(key) < 16:
        raise EntryError("the subject hash key must be at least 16 bytes")


def _hmac(key: bytes, canonical: bytes) -> str:
    # hmac.digest is OpenSSL's one-shot HMAC: the same bytes as hmac.new(...).hexdigest(), without
    # building an HMAC object (a third of an entry's cost at batch rates).
    return "hmac-sha256:" + hmac.digest(key, canonical, "sha256").hex()


def _plain_hash(key: bytes, value: Any) -> str:
    """``keyed_hash`` of a string, or of JSON-mode model output without floats: nothing for
    ``canonical_json`` to refuse, so only its bytes (sorted keys, no whitespace). The caller has
    checked the key."""
    return _hmac(key, orjson.dumps(value, option=orjson.OPT_SORT_KEYS))


def _request_digest(request: Request) -> str:
    """``digest(request.model_dump(mode="json", by_alias=True))``, without the float walk.

    A Request has no float field (a test keeps it so), and JSON-mode output holds only strings,
    integers, booleans, null, lists and string-keyed objects, so ``canonical_json``'s checks cannot
    fail here; they cost more than the hashing.
    """
    plain = _REQUEST_SERIALIZER.to_python(request, mode="json", by_alias=True)
    return "sha256:" + hashlib.sha256(orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise EntryError("a ledger time must carry a time zone", location="time")
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _requester(request: Request, hash_key: bytes) -> dict[str, Any]:
    """Agency facts in clear (they decide cases: state, 287(g) agreements, task-force members);
    an officer's name only as a keyed hash."""
    who = request.requester
    out: dict[str, Any] = {"agency": who.agency}
    if who.on_behalf_of:
        out["on_behalf_of"] = who.on_behalf_of
    if who.state:
        out["state"] = who.state
    if who.agreements:
        out["agreements"] = sorted(who.agreements)
    if who.members:
        out["members"] = sorted(who.members)
    if who.name:
        out["name_hash"] = _plain_hash(hash_key, who.name)
    return out


def _legal_process(request: Request, hash_key: bytes) -> dict[str, Any] | None:
    paper = request.legal_process
    if paper is None:
        return None
    out = paper.model_dump(mode="json", exclude={"issued_by"}, exclude_none=True)
    if paper.issued_by:  # may name a judge or an officer
        out["issued_by_hash"] = _plain_hash(hash_key, paper.issued_by)
    return out


def entry_for_decision(
    request: Request, decision: Decision, *, hash_key: bytes, time: dt.datetime | None = None
) -> dict[str, Any]:
    """The minimised ledger entry of one decision.

    ``time`` is when the decision was made (defaults to ``decision.at``); the ledger adds its own
    append ``time`` and ``index``.
    """
    _require_key(hash_key)
    assessment = decision.purpose_assessment
    entry: dict[str, Any] = {
        "kind": "decision",
        "request_id": decision.request_id,
        "request_digest": _request_digest(request),
        "decided_at": _iso(time or decision.at),
        "jurisdiction": request.jurisdiction,
        "responder": _RESPONDER_SERIALIZER.to_python(
            request.responder, mode="json", exclude_none=True
        ),
        "requester": _requester(request, hash_key),
        "action": request.action,
        "data": sorted(set(request.data)),
        "legal_process": _legal_process(request, hash_key),
        # Booleans about the circumstances, needed to replay the decision; no identifiers.
        "context": _CONTEXT_SERIALIZER.to_python(
            request.context, mode="json", exclude=_NO_CASE_NUMBER
        ),
        "decision": decision.decision,
        "withheld_data": sorted(set(decision.withheld_data)),
        "rules": _unique([r.rule for r in decision.reasons]),
        "packs": [{"id": p.id, "version": p.version} for p in decision.packs],
        "purpose": {
            "category": assessment.governing,
            # Floats have no canonical form; basis points keep four decimals exactly.
            "score_bp": round(assessment.score * 10_000),
            "text_hash": _plain_hash(hash_key, request.purpose),
        },
    }
    if request.subject is not None:  # no float in a Subject either: its canonical JSON is orjson's
        subject = _SUBJECT_SERIALIZER.to_python(request.subject, mode="json")
        entry["subject_hash"] = _plain_hash(hash_key, subject)
    if request.context.case_number:
        entry["case_hash"] = _plain_hash(hash_key, request.context.case_number)
    return entry


def review_entry(
    *,
    resolves: int,
    request_id: str,
    decision: Literal["allow", "allow_redacted", "deny"],
    reason: str,
    reviewer: str,
    hash_key: bytes,
) -> dict[str, Any]:
    """Counsel's resolution of an escalated decision; ``resolves`` is the original entry's index."""
    if resolves < 0:
        raise EntryError(f"`{resolves}` is not an entry index", location="resolves")
    return {
        "kind": "review",
        "resolves": resolves,
        "request_id": request_id,
        "decision": decision,
        "reason_hash": keyed_hash(hash_key, reason),
        "reviewer_hash": keyed_hash(hash_key, reviewer),
    }


def key_event_entry(
    *, event: Literal["created", "rotated", "retired", "witness_added"], vkey: str
) -> dict[str, Any]:
    """A signing or witness key event; ``vkey`` is the public verifier key text."""
    return {"kind": "key_event", "event": event, "vkey": vkey}


def pack_change_entry(
    *, pack_id: str, version: str, pack_digest: str, change: Literal["added", "updated", "retired"]
) -> dict[str, Any]:
    """A policy pack put in or out of force; the pack's content is recorded by digest."""
    return {
        "kind": "pack_change",
        "change": change,
        "pack": {"id": pack_id, "version": version, "digest": pack_digest},
    }


def _check_json(value: Any) -> None:
    """The checks of ``canonical_json`` (string keys, no floats, only JSON types).

    The appender runs this once per entry, so it is written for speed: the scalar test is inlined
    (``type(x) is str or ...``, the common case first) and containers recurse, which measured 2x
    faster than an explicit stack; entries are a few levels deep.
    """
    kind = type(value)
    if kind is dict:
        for key, sub in value.items():
            if type(key) is not str:
                raise EntryError("a ledger entry may only have string keys")
            t = type(sub)
            if not (t is str or t is int or t is bool or sub is None):
                _check_json(sub)
    elif kind is list or kind is tuple:
        for sub in value:
            t = type(sub)
            if not (t is str or t is int or t is bool or sub is None):
                _check_json(sub)
    elif kind is float or isinstance(value, float):
        raise EntryError("a ledger entry may not hold floats; use integers or strings")
    elif not (kind is str or kind is int or kind is bool or value is None):
        raise EntryError(f"a ledger entry may not hold a `{kind.__name__}`")


def check_entry(entry: Any) -> None:
    """Refuse what cannot be a leaf, before anything is written."""
    if type(entry) is not dict:
        raise EntryError("a ledger entry must be a JSON object")
    if entry.get("kind") not in KINDS:
        raise EntryError(
            f"unknown entry kind `{entry.get('kind')}`", location="kind", help=", ".join(KINDS)
        )
    for key in RESERVED:
        if key in entry:
            raise EntryError(f"`{key}` is assigned by the ledger", location=key)
    try:
        _check_json(entry)
    except RecursionError:
        raise EntryError("a ledger entry is nested too deeply") from None


def leaf_bytes(entry: dict[str, Any], index: int, time: str) -> bytes:
    """The canonical leaf: the entry (already checked) with the ledger's ``index`` and ``time``.

    Byte-for-byte ``canonical_json`` (a test pins this); the checks were done by ``check_entry``.
    """
    return orjson.dumps({**entry, "index": index, "time": time}, option=orjson.OPT_SORT_KEYS)
