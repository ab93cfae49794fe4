"""`hmac`: a keyed, joinable pseudonym: `NATIONAL_IDS_3f9a2c1b7e4d5a60`.

token = category prefix + first 16 hex digits (64 bits) of HMAC-SHA256(key, category NUL
canonical value). The same person's A-number printed as `A123-456-789` or `A123456789` gives the
same token, so releases can be joined; without the key nobody can test candidate values (an
unkeyed or known-salt hash of a 9-digit A-number falls to 10^9 guesses). The key (>= 32 bytes)
comes from a file named by SANCTUARY_REDACT_KEY_FILE (mode 0600) or hex in SANCTUARY_REDACT_KEY;
there is no default key: without one, redaction fails.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from pathlib import Path

from sanctuary.protect._errors import RedactionInputError
from sanctuary.protect.operators.interface import Operator, Target, register

MIN_KEY_BYTES = 32
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def load_key(environ: dict[str, str] | None = None) -> bytes:
    """The HMAC key from SANCTUARY_REDACT_KEY_FILE or SANCTUARY_REDACT_KEY (hex)."""
    env = os.environ if environ is None else environ
    if path := env.get("SANCTUARY_REDACT_KEY_FILE"):
        return read_key_file(Path(path))
    if text := env.get("SANCTUARY_REDACT_KEY"):
        return _check(_from_hex(text.strip(), "SANCTUARY_REDACT_KEY"), "SANCTUARY_REDACT_KEY")
    raise RedactionInputError(
        "no redaction key: set SANCTUARY_REDACT_KEY_FILE or SANCTUARY_REDACT_KEY",
        help="create one with: python -c 'import secrets; print(secrets.token_hex(32))'",
    )


def read_key_file(path: Path) -> bytes:
    try:
        if path.stat().st_mode & 0o077:
            raise RedactionInputError(
                "the key file is readable by others", location=str(path), help="chmod 600 it"
            )
        raw = path.read_bytes()
    except OSError:
        raise RedactionInputError("cannot read the key file", location=str(path)) from None
    text = raw.strip()
    if re.fullmatch(rb"[0-9a-fA-F]+", text):
        return _check(_from_hex(text.decode(), str(path)), str(path))
    return _check(raw, str(path))


def _from_hex(text: str, where: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise RedactionInputError("the key is not hexadecimal", location=where) from None


def _check(key: bytes, where: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise RedactionInputError(f"the key is shorter than {MIN_KEY_BYTES} bytes", location=where)
    return key


def canonical(value: str, label: str) -> str:
    """One spelling per identifier: upper case, no separators, A-numbers padded to 9 digits."""
    text = _NOT_ALNUM.sub("", value.upper())
    if label == "A_NUMBER":
        digits = text[1:] if text.startswith("A") else text
        return "A" + digits.zfill(9)
    if text:
        return text
    return " ".join(value.lower().split())


@register
class HmacToken(Operator):
    name = "hmac"

    def __init__(self, key: bytes | None = None, length: int = 16) -> None:
        self.key = _check(key, "key") if key is not None else load_key()
        if not 16 <= length <= 64:
            raise ValueError("token length must be 16 to 64 hex digits")
        self.length = length

    def token(self, value: str, target: Target) -> str:
        message = f"{target.category}\0{canonical(value, target.label)}".encode()
        digest = hmac.new(self.key, message, hashlib.sha256).hexdigest()[: self.length]
        return f"{target.category.upper()}_{digest}"

    def replace(self, value: str, target: Target) -> str | None:
        return self.token(value, target)
