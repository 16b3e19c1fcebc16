"""What keeps the HMAC cheap without changing a token: the compiled loop on OpenSSL (`hmac_kernel`), and where
it is not available, the Python loop with one digest per distinct value, none for nulls and a bounded per-key
cache across batches. Either way the tokens stay exactly HMAC-SHA256(key, value)[:32]."""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Iterator

import pyarrow as pa
import pytest

import apollo_assets.masking.tokens.hmac_arrays as hmac_arrays
from apollo_assets.masking import Masker
from apollo_assets.masking.tokens import hmac_kernel
from apollo_assets.masking.tokens.cache import TokenCache, cache_for, clear_token_caches
from apollo_assets.masking.tokens.hmac_arrays import hmac_tokens

from .helpers import KEY, OTHER_KEY, rules, token


@pytest.fixture
def python_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The path of a machine where the compiled loop is not available."""
    monkeypatch.setattr(hmac_kernel, "_openssl", lambda: None)


@pytest.fixture(params=["compiled", "python"])
def either_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":
        monkeypatch.setattr(hmac_kernel, "_openssl", lambda: None)
    return request.param


@pytest.fixture
def hashed(python_loop: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """Every value that reaches the Python HMAC loop, in order."""
    seen: list[bytes] = []
    real = hmac_arrays.digest_function

    def counting(secret: bytes):
        compute = real(secret)
        return lambda items: (seen.extend(items), compute(items))[1]

    monkeypatch.setattr(hmac_arrays, "digest_function", counting)
    clear_token_caches()
    yield seen
    clear_token_caches()


@pytest.mark.parametrize("type_", [pa.string(), pa.large_string(), pa.string_view(), pa.binary(), pa.large_binary()])
def test_tokens_are_the_reference_hmac_for_every_text_type(type_: pa.DataType, either_path: str) -> None:
    values = ["Ada", None, "", "Zoë Chloé", "x" * 300, "Ada"]
    encoded = [v.encode() if v is not None and "binary" in str(type_) else v for v in values]
    array = pa.array(["pad", *encoded], type_).slice(1)  # a slice: offsets that do not start at zero
    tokens = hmac_tokens(array, KEY.secret).to_pylist()
    assert tokens == [None if v is None else token(v) for v in values]


def test_a_repeating_column_is_hashed_once_per_distinct_value_and_once_across_batches(hashed: list[bytes]) -> None:
    names = [f"Person {i % 10}" for i in range(50_000)]
    batch = pa.record_batch({"name": names})
    masker = Masker(rules({"name": "hash"}), KEY, batch.schema)
    first = masker.mask(batch)
    assert sorted(hashed) == sorted({n.encode() for n in names})
    second = masker.mask(batch)
    assert len(hashed) == 10  # the second batch's values were all remembered
    assert first.column("name").to_pylist() == second.column("name").to_pylist()
    assert first.column("name")[3].as_py() == token("Person 3")


def test_nulls_never_reach_the_hmac_loop(hashed: list[bytes]) -> None:
    values = [None if i % 2 else f"unique-{i}@example.com" for i in range(10_000)]
    batch = pa.record_batch({"email": values})
    out = Masker(rules({"email": "email"}), KEY, batch.schema).mask(batch).column("email").to_pylist()
    assert len(hashed) == 5_000 and b"" not in hashed
    assert out[1] is None and out[0] == f"{token('unique-0@example.com')}@example.com"


def test_cached_and_uncached_tokens_are_equal_and_keys_do_not_share_a_cache(python_loop: None) -> None:
    clear_token_caches()
    values = pa.array([f"v{i % 7}" for i in range(5_000)]).dictionary_encode()
    masker = Masker(rules({"v": "hash"}), KEY, pa.schema([("v", values.type)]))
    warm = [masker.mask(pa.record_batch({"v": values})).column("v").to_pylist() for _ in range(2)]
    other = Masker(rules({"v": "hash"}), OTHER_KEY, masker.input_schema).mask(pa.record_batch({"v": values}))
    assert warm[0] == warm[1] == [token(f"v{i % 7}") for i in range(5_000)]
    assert other.column("v").to_pylist() == [token(f"v{i % 7}", OTHER_KEY) for i in range(5_000)]
    assert cache_for(KEY.secret) is not cache_for(OTHER_KEY.secret)


def test_the_cache_stays_bounded_and_right() -> None:
    cache = TokenCache(capacity=100)
    compute = hmac_arrays.digest_function(KEY.secret)
    for start in range(0, 1_000, 10):
        items = [f"value {i}".encode() for i in range(start, start + 10)]
        assert cache.digests(items, compute) == compute(items)
        assert len(cache) <= 100
    recent = [f"value {i}".encode() for i in range(990, 1_000)]
    computed = cache.computed
    assert cache.digests(recent, compute) == compute(recent) and cache.computed == computed


def test_the_compiled_loop_runs_on_this_machine() -> None:
    """CI's machine has the OpenSSL that `hashlib` uses: the fast path must not fall back silently there."""
    assert hmac_kernel._openssl() is not None


@pytest.mark.parametrize("secret", [KEY.secret, b"", b"k" * 64, bytes(range(200))])  # > 64 bytes: hashed first
def test_the_compiled_loop_gives_the_reference_hmac_for_any_bytes_and_length(secret: bytes) -> None:
    rng = random.Random(7)
    values = [rng.randbytes(n) for n in [*range(0, 140), 1000, 5000]]  # one, two and many SHA-256 blocks
    array = pa.array([b"pad", *values], pa.large_binary()).slice(1)
    expected = [hmac.new(secret, v, hashlib.sha256).hexdigest()[:32] for v in values]
    assert hmac_tokens(array, secret).to_pylist() == expected


def test_a_library_without_sha256_falls_back_to_the_python_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hmac_kernel, "_hashlib_libcrypto", lambda: "libc.so.6")  # loads, but no SHA256_*
    hmac_kernel._openssl.cache_clear()
    try:
        assert hmac_kernel.tokens(*hmac_arrays._buffers(pa.array([b"x"])), KEY.secret, 32) is None
        assert hmac_tokens(pa.array(["Ada", None]), KEY.secret).to_pylist() == [token("Ada"), None]
    finally:
        hmac_kernel._openssl.cache_clear()
