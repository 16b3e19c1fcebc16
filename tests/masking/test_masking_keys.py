"""The masking key: env var (hex/base64), local key file (0600, once), prod refusal, nothing in repr."""

from __future__ import annotations

import base64
import logging
import os
import stat
from pathlib import Path

import pytest

from apollo_assets.masking import ENV_VAR, MaskingKey, MaskingKeyError, load_masking_key

SECRET = bytes(range(32))
LogCapture = pytest.LogCaptureFixture


def test_key_from_env_as_hex_or_base64(tmp_path: Path) -> None:
    for text in (SECRET.hex(), base64.b64encode(SECRET).decode(), base64.urlsafe_b64encode(SECRET).decode()):
        key = load_masking_key(tmp_path, "prod", environ={ENV_VAR: text})
        assert key.secret == SECRET and key.source == f"env:{ENV_VAR}"
    assert not (tmp_path / "masking.key").exists()


def test_configured_value_wins_over_the_environment(tmp_path: Path) -> None:
    key = load_masking_key(str(tmp_path), "prod", value=SECRET.hex(), environ={ENV_VAR: "00" * 40})
    assert key.secret == SECRET and key.source == "config"


@pytest.mark.parametrize("text", ["00" * 31, base64.b64encode(b"x" * 31).decode(), "not a key!"])
def test_short_or_undecodable_keys_are_refused_without_echoing_them(tmp_path: Path, text: str) -> None:
    with pytest.raises(MaskingKeyError, match=ENV_VAR) as caught:
        load_masking_key(tmp_path, "local", environ={ENV_VAR: text})
    assert text not in str(caught.value)


def test_prod_without_a_key_is_an_error_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(MaskingKeyError, match=f"{ENV_VAR} is not set"):
        load_masking_key(tmp_path, "prod", environ={})
    assert not (tmp_path / "masking.key").exists()


def test_local_mode_creates_an_owner_only_key_file_once(tmp_path: Path, caplog: LogCapture) -> None:
    data_dir = tmp_path / "data"
    with caplog.at_level(logging.INFO, logger="apollo_assets.masking.tokens.key"):
        first = load_masking_key(data_dir, "local", environ={})
    path = data_dir / "masking.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "created a new local masking key" in caplog.text and first.secret.hex() not in caplog.text
    assert [p.name for p in data_dir.iterdir()] == ["masking.key"]  # no temp file left behind
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="apollo_assets.masking.tokens.key"):
        again = load_masking_key(data_dir, "local", environ={})
    assert again == first and "created" not in caplog.text
    assert len(first.secret) == 32


def test_a_key_file_readable_by_others_is_restricted(tmp_path: Path) -> None:
    load_masking_key(tmp_path, "local", environ={})
    path = tmp_path / "masking.key"
    os.chmod(path, 0o644)
    load_masking_key(tmp_path, "local", environ={})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_repr_and_str_never_show_the_key() -> None:
    key = MaskingKey(SECRET, source="test")
    for shown in (repr(key), str(key), f"{key}", repr([key]), repr(key.derive("x"))):
        assert SECRET.hex() not in shown and repr(SECRET) not in shown and "secret" not in shown
    assert key.key_id in repr(key)


def test_derived_keys_differ_and_short_keys_are_refused() -> None:
    key = MaskingKey(SECRET)
    assert key.derive("a") != key and key.derive("a") == key.derive("a") != key.derive("b")
    with pytest.raises(MaskingKeyError):
        MaskingKey(b"short")


def test_concurrent_first_use_agrees_on_one_key(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: load_masking_key(tmp_path, "local", environ={}), range(16)))
    assert len({key.secret for key in keys}) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["masking.key"]
