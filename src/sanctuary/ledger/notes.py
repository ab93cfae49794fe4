"""C2SP signed notes, verifier keys and tlog checkpoints.

Formats (https://c2sp.org/signed-note, /tlog-checkpoint, /tlog-cosignature):

* note = text (ends in ``\\n``) + ``\\n`` + one line per signature:
  ``— <key name> base64(4-byte key id || signature)``;
* key id = SHA-256(name || ``\\n`` || type || public key)[:4]; type 0x01 is Ed25519 over the text,
  0x04 an Ed25519 witness cosignature over ``cosignature/v1\\ntime <t>\\n`` + text, whose signature
  is an 8-byte big-endian timestamp then the 64-byte signature;
* verifier key = ``name+<hex key id>+base64(type || public key)``;
* checkpoint text = origin line, decimal tree size, base64 root hash (no extension lines here).

Verification follows the spec: unknown keys are ignored, a note without a verifying known
signature is rejected, and so is a note where a known key's signature fails.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sanctuary.errors import VerificationError

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
SIG_PREFIX = "\u2014 "  # em dash and space
NAME_RE = re.compile(r"^[^\s+]+$")
MAX_SIGNATURES = 100


def b64decode_strict(text: str, what: str) -> bytes:
    """Decode base64, refusing non-canonical forms (spare bits set in the last character would
    otherwise let one byte of a signed note change without changing what it says)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:  # binascii.Error, or non-ASCII text
        raise VerificationError(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode() != text:
        raise VerificationError(f"{what} is not canonical base64")
    return raw


def key_id(name: str, key_type: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public).digest()[:4]


def _check_name(name: str) -> None:
    if not NAME_RE.match(name):
        raise VerificationError(f"key name `{name}` must be non-empty, without spaces or `+`")


@dataclass(frozen=True)
class Verifier:
    name: str
    key_type: int
    public: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.key_type, self.public)

    def vkey(self) -> str:
        blob = base64.b64encode(bytes([self.key_type]) + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{blob}"

    def verify(self, text: str, sig: bytes) -> bool:
        key = Ed25519PublicKey.from_public_bytes(self.public)
        message = text.encode()
        if self.key_type == COSIGNATURE_V1:
            if len(sig) != 8 + 64:
                return False
            (stamp,) = struct.unpack(">Q", sig[:8])
            message = f"cosignature/v1\ntime {stamp}\n".encode() + message
            sig = sig[8:]
        elif len(sig) != 64:
            return False
        try:
            key.verify(sig, message)
        except InvalidSignature:
            return False
        return True


def parse_vkey(text: str) -> Verifier:
    """Parse ``name+hexid+base64(type||key)``; the id must match what the rest implies."""
    parts = text.strip().split("+", 2)  # base64 may hold `+`
    if len(parts) != 3:
        raise VerificationError("a verifier key has the form `name+keyid+base64key`")
    name, hexid, blob = parts
    _check_name(name)
    raw = b64decode_strict(blob, "the verifier key")
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise VerificationError("the verifier key is not an Ed25519 key")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.key_id.hex() != hexid:
        raise VerificationError(f"the verifier key id `{hexid}` does not match the key")
    return verifier


class Signer:
    """An Ed25519 note signer (type 0x01)."""

    def __init__(self, name: str, private: Ed25519PrivateKey) -> None:
        _check_name(name)
        self.name = name
        self._key = private
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Verifier(name, ED25519, public)

    def sign(self, text: str) -> str:
        """The signature line for ``text``."""
        sig = self._key.sign(text.encode())
        blob = base64.b64encode(self.verifier.key_id + sig).decode()
        return f"{SIG_PREFIX}{self.name} {blob}\n"

    def cosign(self, text: str, stamp: int) -> str:
        """A tlog-cosignature/v1 line (what a witness adds), for tests and witnesses."""
        witness = Verifier(self.name, COSIGNATURE_V1, self.verifier.public)
        message = f"cosignature/v1\ntime {stamp}\n".encode() + text.encode()
        sig = struct.pack(">Q", stamp) + self._key.sign(message)
        blob = base64.b64encode(witness.key_id + sig).decode()
        return f"{SIG_PREFIX}{self.name} {blob}\n"


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    sig: bytes
    line: str


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[Signature, ...]


def parse_note(note: str) -> Note:
    """Split a signed note into text and signature lines, strictly (no trailing garbage)."""
    if not note.endswith("\n"):
        raise VerificationError("a signed note must end with a newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise VerificationError("a signed note needs a blank line before its signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise VerificationError("a signed note must not contain control characters")
    lines = block.split("\n")[:-1]
    if not lines or len(lines) > MAX_SIGNATURES:
        raise VerificationError("a signed note needs between 1 and 100 signatures")
    sigs = []
    for line in lines:
        if not line.startswith(SIG_PREFIX):
            raise VerificationError("a signature line must start with an em dash and a space")
        fields = line[len(SIG_PREFIX) :].split(" ")
        if len(fields) != 2:
            raise VerificationError("a signature line has a key name and a signature")
        name, blob = fields
        _check_name(name)
        raw = b64decode_strict(blob, "a signature")
        if len(raw) < 5:
            raise VerificationError("a signature is too short")
        sigs.append(Signature(name, raw[:4], raw[4:], line + "\n"))
    return Note(text, tuple(sigs))


def verify_note(note: str, verifiers: list[Verifier]) -> tuple[Note, list[Verifier]]:
    """The parsed note and the known keys that signed it; raise if none did or one failed."""
    parsed = parse_note(note)
    good: list[Verifier] = []
    for sig in parsed.signatures:
        for v in verifiers:
            if v.name == sig.name and v.key_id == sig.key_id:
                if not v.verify(parsed.text, sig.sig):
                    raise VerificationError(f"the signature by `{v.name}` does not verify")
                good.append(v)
    if not good:
        raise VerificationError("no signature on the note is by a known key")
    return parsed, good


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a tlog-checkpoint note text (three lines; extension lines are refused)."""
    lines = text.split("\n")
    if len(lines) != 4 or lines[3] != "":
        raise VerificationError("a checkpoint has exactly an origin, a size and a root hash")
    origin, size, root = lines[:3]
    if not origin or not re.fullmatch(r"0|[1-9][0-9]{0,19}", size):
        raise VerificationError("a checkpoint needs an origin and a decimal tree size")
    raw = b64decode_strict(root, "the checkpoint root hash")
    if len(raw) != 32:
        raise VerificationError("the checkpoint root hash is not 32 bytes")
    return Checkpoint(origin, int(size), raw)


def open_checkpoint(note: str, verifiers: list[Verifier], origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint note and return its contents."""
    parsed, _ = verify_note(note, verifiers)
    checkpoint = parse_checkpoint(parsed.text)
    if origin is not None and checkpoint.origin != origin:
        raise VerificationError(f"the checkpoint is for origin `{checkpoint.origin}`")
    return checkpoint
