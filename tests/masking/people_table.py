"""A synthetic `people` table with the snapshot's Arrow types (docs/contracts.md sections 2-3), built fast."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FIRST = [a + b for a in ("Jo", "Ma", "Al", "Sa", "Li", "Ka", "Ro", "Da") for b in ("hn", "ry", "ex", "m")]
LAST = [a + b for a in ("Smi", "Joh", "Wil", "Bro", "Gar", "Mil", "Dav", "Rod") for b in ("th", "nson", "er")]
DOMAINS = ["acme.io", "globex.com", "initech.net", "umbrella.org"]
TEAMS = ["sales", "hr"]
TITLES = ["CEO", "VP Sales", "Engineer", "Director of Marketing", "Account Executive"]


def _pick(rng: np.random.Generator, options: list[str], n: int) -> pa.Array:
    return pa.array(options).take(pa.array(rng.integers(0, len(options), n)))


def _numbered(prefix: str, n: int, start: int = 0) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pa.array(np.arange(start, start + n).astype(str)), "")


def people_table(n: int, seed: int = 0, backup_id: str = "20261126T040000Z") -> pa.Table:
    rng = np.random.default_rng(seed)
    first = _pick(rng, FIRST, n)
    last = pc.binary_join_element_wise(_pick(rng, LAST, n), pa.array(rng.integers(0, 500, n).astype(str)), "")
    ids = pc.binary_join_element_wise("65f0a1b2", pa.array(np.char.mod("%016x", np.arange(n))), "")
    serial = pa.array(np.arange(n).astype(str))
    email = pc.binary_join_element_wise(first, ".", last, serial, "@", _pick(rng, DOMAINS, n), "")
    line = pa.array(np.char.mod("%04d", rng.integers(0, 10000, n)))
    phone = pc.binary_join_element_wise("+1 415 555 ", line, "")
    ms = rng.integers(1_500_000_000_000, 1_800_000_000_000, n)
    history = pa.ListArray.from_arrays(
        pa.array(np.arange(0, 2 * n + 1, 2, dtype=np.int32)),
        pa.StructArray.from_arrays(
            [
                pc.binary_join_element_wise("65f0a1b3", pa.array(np.char.mod("%016x", np.arange(2 * n))), ""),
                _pick(rng, ["Acme", "Globex", "Initech"], 2 * n),
                _pick(rng, TITLES, 2 * n),
                pa.array(np.repeat(ms, 2), pa.timestamp("ms", tz="UTC")),
                pa.array([True, False] * n),
            ],
            names=["organization_id", "organization_name", "title", "start_date", "current"],
        ),
    )
    one_each = pa.array(np.arange(n + 1, dtype=np.int32))  # list offsets: one department a person
    twitter = pc.if_else(pa.array(rng.random(n) < 0.5), _numbered("https://twitter.com/u", n), None)
    columns = {
        "_id": ids,
        "first_name": first,
        "last_name": last,
        "name": pc.binary_join_element_wise(first, last, " "),
        "email": email,
        "phone": phone,
        "title": _pick(rng, TITLES, n),
        "seniority": _pick(rng, ["vp", "VP", "director", "entry"], n),
        "departments": pa.ListArray.from_arrays(one_each, _pick(rng, TEAMS, n)),
        "linkedin_url": _numbered("https://linkedin.com/in/p", n),
        "city": _pick(rng, ["Paris", "Austin", "Berlin"], n),
        "state": _pick(rng, ["TX", "CA"], n),
        "country": _pick(rng, ["France", "United States", "Germany"], n),
        "birthdate": pa.array(ms - 10**12, pa.timestamp("ms", tz="UTC")),
        "organization_id": ids,
        "employment_history": history,
        "intent_score": pa.array(rng.random(n).round(3).astype(str)),
        "intent_score__bson_type": _pick(rng, ["double", "int", "string"], n),
        "created_at": pa.array(ms, pa.timestamp("ms", tz="UTC")),
        "updated_at": pa.array(ms, pa.timestamp("ms", tz="UTC")),
        "twitter_url": twitter,
        "_backup_id": pa.array([backup_id] * n),
    }
    table = pa.table(columns)
    # The snapshot writer's field metadata of the drifting field and its type column (masking trusts nothing else).
    drift = {"intent_score": b"drift", "intent_score__bson_type": b"bson_type"}
    fields = [f.with_metadata({b"bson": drift[f.name]}) if f.name in drift else f for f in table.schema]
    return table.cast(pa.schema(fields))
