"""Secret files: the checkpoint signing key and the subject hash key.

Both are created on first use with mode 0600, written atomically (temporary file, fsync, then a
hard link that fails if another process won the race, so two processes never end up with two keys),
and refused when group or others can read them. The signing key file uses the note signer form
``PRIVATE+KEY+<name>+<hex key id>+base64(0x01 || seed)``.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from sanctuary.errors import LedgerError
from sanctuary.ledger.notes import ED25519, Signer, key_id


def _create_exclusive(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic create-if-absent
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        tmp.unlink()
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _read_private(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise LedgerError(
            f"key file `{path}` is readable by others", help="chmod 600 it", location=str(path)
        )
    return path.read_bytes()


def _signer_text(name: str, key: Ed25519PrivateKey) -> str:
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = Signer(name, key).verifier.public
    blob = base64.b64encode(bytes([ED25519]) + seed).decode()
    return f"PRIVATE+KEY+{name}+{key_id(name, ED25519, public).hex()}+{blob}\n"


def parse_signer(text: str, *, location: str = "signing key") -> Signer:
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise LedgerError("the signing key file is not a note signer key", location=location)
    name, hexid, blob = parts[2:]
    try:
        raw = base64.b64decode(blob, validate=True)
    except binascii.Error:
        raise LedgerError("the signing key is not valid base64", location=location) from None
    if len(raw) != 33 or raw[0] != ED25519:
        raise LedgerError("the signing key is not an Ed25519 key", location=location)
    signer = Signer(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if signer.verifier.key_id.hex() != hexid:
        raise LedgerError("the signing key id does not match the key", location=location)
    return signer


def load_or_create_signer(path: Path, name: str) -> Signer:
    """The signing key at ``path``, generated (named ``name``) if the file does not exist."""
    if not path.exists():
        _create_exclusive(path, _signer_text(name, Ed25519PrivateKey.generate()).encode())
    return parse_signer(_read_private(path).decode(), location=str(path))


def load_or_create_secret(path: Path) -> bytes:
    """A 32-byte secret (the subject hash key), hex in the file, generated if absent."""
    if not path.exists():
        _create_exclusive(path, secrets.token_hex(32).encode() + b"\n")
    try:
        key = bytes.fromhex(_read_private(path).decode().strip())
    except ValueError:
        raise LedgerError("the hash key file is not hex", location=str(path)) from None
    if len(key) < 16:
        raise LedgerError("the hash key is shorter than 16 bytes", location=str(path))
    return key
