"""Service configuration: environment variables ``SANCTUARY_*`` over an optional TOML file.

Defaults work with nothing set: a SQLite database in the working folder, the bundled packs.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from sanctuary.errors import InputError


@dataclass(frozen=True)
class Settings:
    db: str = "sqlite:///./sanctuary.db"
    packs: str | None = None
    signing_key: str | None = None
    max_body_bytes: int = 1_048_576  # a batch of 1,000 requests fits; larger bodies are refused
    max_batch: int = 1_000
    rate_per_second: float = 2_000.0  # per key, token bucket
    rate_burst: float = 4_000.0
    decision_timeout_seconds: float = 5.0  # past this the call fails closed (nothing is shared)
    log_requests: bool = True
    # TOML file of `[datasets.NAME]` tables for the dataset gateway (docs/gateway.md); a config
    # file with its own `[datasets.*]` tables registers them here.
    datasets: str | None = None

    @classmethod
    def load(cls, config: Path | None = None, **overrides: Any) -> Settings:
        """Defaults < the TOML file (``SANCTUARY_CONFIG``) < ``SANCTUARY_*`` < ``overrides``."""
        settings = cls()
        path = config or (
            Path(os.environ["SANCTUARY_CONFIG"]) if "SANCTUARY_CONFIG" in os.environ else None
        )
        if path is not None:
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as err:
                raise InputError(
                    f"cannot read the configuration: {err}", location=str(path)
                ) from None
            section = dict(data.get("service", data))
            if isinstance(data.get("datasets"), dict):
                section.pop("datasets", None)
                section.setdefault("datasets", str(path))
            settings = settings._with(section, str(path))
        env = {
            f.name: os.environ[f"SANCTUARY_{f.name.upper()}"]
            for f in fields(cls)
            if f"SANCTUARY_{f.name.upper()}" in os.environ
        }
        settings = settings._with(env, "environment")
        return settings._with({k: v for k, v in overrides.items() if v is not None}, "arguments")

    def to_env(self) -> dict[str, str]:
        """These settings as ``SANCTUARY_*`` variables (what ``load`` reads back)."""
        return {
            f"SANCTUARY_{f.name.upper()}": str(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) is not None
        }

    def _with(self, values: dict[str, Any], source: str) -> Settings:
        known = {f.name: f for f in fields(self)}
        changes: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                raise InputError(f"unknown setting `{key}`", location=source)
            default = getattr(Settings, key)
            try:
                if isinstance(default, bool):
                    changes[key] = (
                        value
                        if isinstance(value, bool)
                        else str(value).lower() in ("1", "true", "yes")
                    )
                elif isinstance(default, int):
                    changes[key] = int(value)
                elif isinstance(default, float):
                    changes[key] = float(value)
                else:
                    changes[key] = str(value)
            except ValueError:
                raise InputError(
                    f"setting `{key}` has a bad value `{value}`", location=source
                ) from None
        return replace(self, **changes)
