"""The scoring body: read no further than its size limit, however it is sent, and any non-finite number anywhere
in it is a 422 (never a 500 while echoing it back)."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from itertools import repeat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ml_assets.service.app import create_app
from ml_assets.service.routes.models import MAX_BODY_BYTES

from .conftest import AUTH, TOKEN
from .conftest import settings as service_settings

SCORE = "/models/reply_propensity/score"
CHUNK = 64 * 1024


def post_asgi(app, chunks: Iterator[bytes], headers: list[tuple[bytes, bytes]]) -> tuple[int, dict, int]:
    """POST the chunks to the ASGI app as a server would hand them over; (status, headers, bytes it read)."""
    read, sent = 0, []

    async def receive() -> dict:
        nonlocal read
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": SCORE,
        "raw_path": SCORE.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"authorization", f"Bearer {TOKEN}".encode()), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(app(scope, receive, send))
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, read


@pytest.fixture(scope="module")
def app(sample, registry_template):
    return create_app(service_settings(sample, registry_template))


def test_a_chunked_body_is_read_no_further_than_the_limit(app):
    """No Content-Length: the client would send 30 MB; the app stops within one chunk of its limit."""
    status, headers, read = post_asgi(app, repeat(b" " * CHUNK, 30 * 1024 * 1024 // CHUNK), [])
    assert status == 413
    assert headers["connection"] == "close"  # the server stops reading the rest
    assert MAX_BODY_BYTES < read <= MAX_BODY_BYTES + CHUNK


def test_a_declared_length_over_the_limit_is_refused_before_reading(app):
    length = str(MAX_BODY_BYTES + 1).encode()
    status, _, read = post_asgi(app, repeat(b" " * CHUNK, 40), [(b"content-length", length)])
    assert (status, read) == (413, 0)


def test_a_body_at_the_limit_is_read_in_chunks_and_scored(client):
    body = json.dumps({"prospects": [{"send_hour": 9}]}).encode()
    padded = body + b" " * (MAX_BODY_BYTES - len(body))  # whitespace is valid JSON, up to the last byte allowed

    def chunks() -> Iterator[bytes]:  # a generator: httpx sends it chunked, without a Content-Length
        yield from (padded[i : i + CHUNK] for i in range(0, len(padded), CHUNK))

    response = client.post(SCORE, headers=AUTH, content=chunks())
    assert response.status_code == 200, response.text
    assert client.post(SCORE, headers=AUTH, content=padded + b" ").status_code == 413


def test_a_chunked_body_over_the_limit_is_a_413_through_the_client(client):
    chunks = (b" " * CHUNK for _ in range(2 * MAX_BODY_BYTES // CHUNK))
    assert client.post(SCORE, headers=AUTH, content=chunks).status_code == 413


def strictly_parsed(text: str) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} in a response")

    return json.loads(text, parse_constant=refuse)


def has_non_finite(value: object) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(has_non_finite(v) for v in value.values())
    return isinstance(value, list) and any(has_non_finite(v) for v in value)


NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4) | NON_FINITE
DOCUMENTS = st.recursive(
    LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
)
FIELDS = st.sampled_from(["person_intent_score", "send_hour", "company_num_employees", "person_department", "x"])
# Anywhere: the whole body, in place of the list, of a prospect, of a field's value, beside a valid request.
BODIES = (
    DOCUMENTS
    | DOCUMENTS.map(lambda d: {"prospects": d})
    | DOCUMENTS.map(lambda d: {"prospects": [{}, d]})
    | st.tuples(FIELDS, DOCUMENTS).map(lambda fd: {"prospects": [{fd[0]: fd[1]}]})
    | DOCUMENTS.map(lambda d: {"prospects": [{}], "options": d})
).filter(has_non_finite)


@pytest.mark.parametrize(
    "body",
    [
        '{"prospects": [{"person_intent_score": NaN}]}',
        '{"prospects": [{"send_hour": Infinity}]}',
        '{"prospects": {"send_hour": -Infinity}}',
        '{"prospects": [[NaN]]}',
        '{"prospects": [{}], "options": {"weights": [1, Infinity]}}',
        "[NaN]",
        "-Infinity",
        '{"prospects": [{"company_num_employees": 1e999}]}',
    ],
)
def test_a_non_finite_number_is_a_422(client, body):
    response = client.post(SCORE, headers={**AUTH, "Content-Type": "application/json"}, content=body)
    assert response.status_code == 422, response.text
    assert strictly_parsed(response.text)["detail"]


@settings(max_examples=150, deadline=None)
@given(body=BODIES)
def test_a_non_finite_number_anywhere_is_a_422(client, body):
    response = client.post(SCORE, headers={**AUTH, "Content-Type": "application/json"}, content=json.dumps(body))
    assert response.status_code == 422, response.text
    assert strictly_parsed(response.text)["detail"]
