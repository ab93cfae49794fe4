"""API keys and the identities they stand for.

A key is ``sk_<key id>_<secret>``: the key id is public (it names the key in logs and the ledger),
the secret is 32 random bytes shown once. At rest only a scrypt hash of the whole key is kept
(DESIGN.md: keys stored hashed). Verifying scrypt on every call would cost ~50 ms, so a verified key
is remembered in memory, by its SHA-256, for the life of the process; revocation clears that memory.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from typing import Literal

from sanctuary.errors import InputError, SanctuaryError
from sanctuary.service.store import KeyRow, ServiceStore
from sanctuary.vocab import resolve_agency

Role = Literal["requester", "pep", "reviewer", "auditor", "admin"]
ROLES: tuple[Role, ...] = ("requester", "pep", "reviewer", "auditor", "admin")
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}


class AuthError(SanctuaryError):
    code = "unauthenticated"
    exit_code = 2
    http_status = 401


class ForbiddenError(SanctuaryError):
    code = "forbidden"
    exit_code = 2
    http_status = 403


@dataclass(frozen=True)
class Identity:
    key_id: str
    agency: str  # the agency code the key is bound to
    name: str | None
    state: str | None
    role: Role


def _hash(key: str, salt: bytes) -> bytes:
    return hashlib.scrypt(key.encode(), salt=salt, **SCRYPT)


def mint_key(
    agency: str, role: str, *, name: str | None = None, state: str | None = None
) -> tuple[str, KeyRow]:
    """A new key for ``agency`` with ``role`` and the row that stores its hash (nothing written)."""
    if role not in ROLES:
        raise InputError(
            f"unknown role `{role}`", help=f"one of: {', '.join(ROLES)}", location="--role"
        )
    resolved = resolve_agency(agency)
    if resolved.code == "UNKNOWN" and role == "requester":
        raise InputError(
            f"cannot resolve agency `{agency}` to a code",
            help="use a code of spec/vocab.md: ICE-ERO, FBI, LOCAL-LE (with --name, --state)…",
            location="AGENCY",
        )
    if state is not None and not (len(state) == 2 and state.isalpha() and state.isupper()):
        raise InputError(f"`{state}` is not a two-letter state code", location="--state")
    key_id = secrets.token_hex(4)
    key = f"sk_{key_id}_{secrets.token_urlsafe(32)}"
    salt = secrets.token_bytes(16)
    display = name or (agency if agency != resolved.code else None)
    return key, KeyRow(key_id, resolved.code, display, state, role, salt, _hash(key, salt), None)


def identity_of(row: KeyRow) -> Identity:
    return Identity(row.key_id, row.agency, row.name, row.state, row.role)  # type: ignore[arg-type]


class Authenticator:
    """Turns a bearer key into an Identity; remembers verified keys by digest."""

    def __init__(self, store: ServiceStore) -> None:
        self.store = store
        self._verified: dict[bytes, Identity] = {}
        self._lock = threading.Lock()
        # One verification per new key, however many calls present it at once (single flight).
        self._verifying: dict[bytes, asyncio.Future[Identity]] = {}

    @staticmethod
    def _key(authorization: str | None) -> tuple[str, bytes]:
        if not authorization or not authorization.startswith("Bearer "):
            raise AuthError("an API key is required: `Authorization: Bearer <key>`")
        key = authorization.removeprefix("Bearer ").strip()
        return key, hashlib.sha256(key.encode()).digest()

    def known(self, authorization: str | None) -> Identity | None:
        """The identity of a key verified before, without blocking; None if it must be checked."""
        return self._verified.get(self._key(authorization)[1])

    async def verify(self, authorization: str | None) -> Identity:
        """Verify a key in a worker thread (scrypt would stall every other call)."""
        _, digest = self._key(authorization)
        pending = self._verifying.get(digest)
        if pending is None:
            pending = asyncio.ensure_future(asyncio.to_thread(self.identify, authorization))
            self._verifying[digest] = pending
            pending.add_done_callback(lambda _: self._verifying.pop(digest, None))
        return await asyncio.shield(pending)

    def identify(self, authorization: str | None) -> Identity:
        key, digest = self._key(authorization)
        known = self._verified.get(digest)
        if known is not None:
            return known
        parts = key.split("_", 2)  # the secret itself may contain "_"
        if len(parts) != 3 or parts[0] != "sk":
            raise AuthError("the API key is not valid")
        row = self.store.key(parts[1])
        if row is None or row.revoked or not hmac.compare_digest(_hash(key, row.salt), row.hash):
            raise AuthError("the API key is not valid")
        identity = identity_of(row)
        with self._lock:
            self._verified[digest] = identity
        return identity

    def forget(self) -> None:
        with self._lock:
            self._verified.clear()


def require(identity: Identity, *roles: Role) -> None:
    if identity.role not in roles:
        raise ForbiddenError(
            f"the `{identity.role}` role may not do this", help=f"needs: {', '.join(roles)}"
        )
