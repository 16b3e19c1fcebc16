"""The masking key, secret of the keyed pseudonyms: never printed, logged, or stored with the lake.

`APOLLO_MASKING_KEY` holds it (hex, or base64; at least 32 bytes once decoded). In local mode, when the
variable is missing, a random key is created once at `<data_dir>/masking.key` (owner-only) and reused, so
pseudonyms stay stable across runs on one machine. Outside local mode a missing key is an error: a fresh
random key would silently change every pseudonym and break joins with earlier partitions.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from apollo_assets.errors import KnownError
from apollo_assets.masking.tokens.key_file import read_or_create

ENV_VAR = "APOLLO_MASKING_KEY"
KEY_FILE = "masking.key"
MIN_KEY_BYTES = 32
LOCAL_ENVS = frozenset({"local", "dev", "test"})

log = logging.getLogger(__name__)


class MaskingKeyError(KnownError, RuntimeError):
    """No usable masking key. Messages never contain key material."""


@dataclass(frozen=True, eq=False)
class MaskingKey:
    secret: bytes = field(repr=False)
    source: str = "explicit"
    created: bool = False  # a local key file made by this load: callers tell the user (Dagster's log)

    def __post_init__(self) -> None:
        if not isinstance(self.secret, bytes) or len(self.secret) < MIN_KEY_BYTES:
            raise MaskingKeyError(f"a masking key needs at least {MIN_KEY_BYTES} bytes")

    @property
    def key_id(self) -> str:
        """A public identifier of the key (one-way), to tell in metadata which key masked what."""
        return hmac.digest(self.secret, b"apollo-masking-key-id", "sha256").hex()[:12]

    def derive(self, purpose: str) -> MaskingKey:
        """A sub-key for another use (e.g. leak fingerprints), so its outputs never equal pseudonyms."""
        return MaskingKey(hmac.digest(self.secret, purpose.encode(), "sha256"), f"{self.source}/{purpose}")

    def __repr__(self) -> str:
        return f"MaskingKey(id={self.key_id}, source={self.source!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaskingKey) and hmac.compare_digest(self.secret, other.secret)

    def __hash__(self) -> int:
        return hash(self.key_id)


def decode_key(text: str, origin: str = ENV_VAR) -> bytes:
    """Hex first (an even-length hex string is also valid base64), then base64 (standard or URL-safe)."""
    value = text.strip()
    if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", value):
        raw = bytes.fromhex(value)
    else:
        try:
            padded = value + "=" * (-len(value) % 4)
            raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raise MaskingKeyError(f"{origin} is neither hex nor base64") from None
    if len(raw) < MIN_KEY_BYTES:
        raise MaskingKeyError(f"{origin} decodes to {len(raw)} bytes; at least {MIN_KEY_BYTES} are required")
    return raw


def load_masking_key(
    data_dir: Path | str, env: str, *, value: str | None = None, environ: Mapping[str, str] | None = None
) -> MaskingKey:
    """The key given as ``value`` (e.g. a resource's config), else `APOLLO_MASKING_KEY`; else, in local
    mode only, the key file under ``data_dir`` (created once)."""
    environ = os.environ if environ is None else environ
    if value is not None and value.strip():
        return MaskingKey(decode_key(value, origin="the configured masking key"), source="config")
    if text := environ.get(ENV_VAR, "").strip():
        return MaskingKey(decode_key(text), source=f"env:{ENV_VAR}")
    if env.strip().lower() not in LOCAL_ENVS:
        raise MaskingKeyError(
            f"{ENV_VAR} is not set: a masking key is required in the {env!r} environment "
            f"(hex or base64, at least {MIN_KEY_BYTES} bytes); a key file is only created in local mode"
        )
    path = Path(data_dir) / KEY_FILE
    text, created = read_or_create(path, lambda: secrets.token_hex(MIN_KEY_BYTES))
    if created:
        log.info("created a new local masking key at %s (set %s to use your own)", path, ENV_VAR)
    return MaskingKey(decode_key(text, origin=f"masking key file {path}"), source=f"file:{path}", created=created)
