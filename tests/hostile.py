"""Hostile collections for fuzzing the masking boundary: a hypothesis strategy and the policy it is masked with.

Each generated collection plants unique personal values (e-mail addresses, phone numbers, full names) wherever
real collections hide them: in unlisted fields, in kept fields that drift into documents or arrays of documents,
as keys of sub-documents (maps keyed by e-mail address...), as top-level keys, inside forged Extended JSON wrappers
(`{"$oid": <e-mail>}`), under field names that look like policy paths (`history[].title`), generated columns
(`city__bson_type`), `$` operators, unicode, path separators or very long names. Kept positions (a kept field's
scalars, the elements of a kept array, a named key's scalars) only ever hold values from `SAFE`, so any planted
value found in the output is a leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

COLLECTION = "hostile"
# Letters that are not hex digits: a planted value cannot hide inside a pseudonym by chance.
_LETTERS = "ghijklmnopqrstuvwxyz"
SAFE = ("Paris", "Lyon", "sales", "ops", 7, 3.5, True, None)
# Field names that are data-free but hostile: path syntax, generated column names, operators, unicode, paths.
HOSTILE_NAMES = (
    "city.label",
    "history[].title",
    "prefs.theme",
    "tags[]",
    "profile.city",
    "$set",
    "city__bson_type",
    "tags__bson_type",
    "ünïcødé/ключ",
    "../../etc/passwd",
    "x" * 300,
    " padded ",
    'quo"te',
    "",
)
SAFE_KEYS = ("label", "name", "kind", "value", "a.b", "$x", "list[]", "note", "note__bson_type", "ünï")


def policy_yaml(default: str) -> str:
    """The policy of `COLLECTION`: kept fields that the generator makes drift, named keys inside them."""
    return f"""collection: {COLLECTION}
default: {default}
fields:
  _id: keep
  city: keep
  city.label: keep
  tags: keep
  history[].title: keep
  prefs.theme: keep
  profile.city: keep
  contact: email
  mobile: phone
"""


@dataclass
class Planted:
    """The personal values planted in one collection (as values and as keys)."""

    values: list[str] = field(default_factory=list)

    def found_in(self, text: str) -> list[str]:
        lowered = text.lower()
        return [v for v in self.values if v.lower() in lowered]


_word = st.text(_LETTERS, min_size=5, max_size=9)


@st.composite
def personal(draw: st.DrawFn, planted: Planted, kind: str | None = None) -> str:
    kind = kind or draw(st.sampled_from(["email", "phone", "name"]))
    if kind == "email":
        value = f"{draw(_word)}.{draw(_word)}@{draw(_word)}.io"
    elif kind == "phone":
        digits = draw(st.lists(st.integers(0, 9), min_size=10, max_size=10))
        value = f"+{draw(st.integers(1, 98))} {''.join(map(str, digits[:3]))} {''.join(map(str, digits[3:]))}"
    else:
        value = f"{draw(_word).capitalize()} {draw(_word).capitalize()}"
    planted.values.append(value)
    return value


def _safe() -> st.SearchStrategy:
    return st.sampled_from(SAFE)


@st.composite
def secret(draw: st.DrawFn, planted: Planted, depth: int) -> object:
    """Anything, with personal values in it: what an unlisted field or an unnamed key may hold."""
    options = ["personal", "safe", "forged"] + (["document", "array"] if depth > 0 else [])
    kind = draw(st.sampled_from(options))
    if kind == "personal":
        return draw(personal(planted))
    if kind == "safe":
        return draw(_safe())
    if kind == "forged":  # a document shaped like an Extended JSON scalar wrapper
        wrapper = draw(st.sampled_from(["$oid", "$date", "$numberDecimal", "$numberLong", "$binary"]))
        return {wrapper: draw(personal(planted))}
    if kind == "document":
        return draw(document(planted, depth - 1))
    return draw(st.lists(secret(planted, depth - 1), max_size=3))


@st.composite
def document(draw: st.DrawFn, planted: Planted, depth: int, named: tuple[str, ...] = ()) -> dict:
    """A sub-document whose keys are hostile (personal data, path syntax) and values secret; a key in ``named``
    (a key the policy keeps) holds only what a kept field may hold."""
    out: dict = {}
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["personal", "safe", "named"] if named else ["personal", "safe"]))
        if how == "personal":
            out[draw(personal(planted))] = draw(secret(planted, depth))
        elif how == "safe":
            out[draw(st.sampled_from([k for k in SAFE_KEYS if k not in named]))] = draw(secret(planted, depth))
        else:
            out[draw(st.sampled_from(named))] = draw(kept(planted, depth))
    return out


@st.composite
def kept(draw: st.DrawFn, planted: Planted, depth: int, named: tuple[str, ...] = ()) -> object:
    """What a kept field holds: safe scalars, or (drift) documents and arrays whose insides are secret."""
    options = ["safe", "safe_array"] + (["document", "documents"] if depth > 0 else [])
    kind = draw(st.sampled_from(options))
    if kind == "safe":
        return draw(_safe())
    if kind == "safe_array":
        return draw(st.lists(_safe(), max_size=3))
    if kind == "document":
        return draw(document(planted, depth - 1, named))
    return draw(st.lists(st.one_of(_safe(), document(planted, depth - 1, named)), min_size=1, max_size=3))


@st.composite
def hostile_document(draw: st.DrawFn, planted: Planted, i: int) -> dict:
    """One document of the collection; every field but `_id` may be missing."""
    doc: dict = {"_id": i}
    fields = {
        "city": lambda: draw(kept(planted, 2, named=("label",))),
        "tags": lambda: draw(kept(planted, 2)),
        "history": lambda: [
            {"title": draw(kept(planted, 1)), **draw(document(planted, 1))} for _ in range(draw(st.integers(0, 2)))
        ],
        "prefs": lambda: {"theme": draw(_safe()), **draw(document(planted, 1))},
        "profile": lambda: {"city": draw(kept(planted, 1)), **draw(document(planted, 1))},
        "contact": lambda: draw(st.one_of(personal(planted, "email"), secret(planted, 2))),
        "mobile": lambda: draw(st.one_of(personal(planted, "phone"), secret(planted, 2))),
        "notes": lambda: draw(secret(planted, 2)),
    }
    for name in draw(st.lists(st.sampled_from(sorted(fields)), unique=True)):
        doc[name] = fields[name]()
    for name in draw(st.lists(st.sampled_from(HOSTILE_NAMES), max_size=2, unique=True)):
        doc[name] = draw(secret(planted, 1))
    if draw(st.integers(0, 9)) == 0:  # a top-level key that is personal data
        doc[draw(personal(planted))] = draw(_safe())
    return doc


@st.composite
def hostile_collection(draw: st.DrawFn) -> tuple[list[dict], Planted, str]:
    """(documents, what was planted in them, the policy's default action)."""
    planted = Planted()
    documents = [draw(hostile_document(planted, i)) for i in range(draw(st.integers(1, 8)))]
    return documents, planted, draw(st.sampled_from(["hash", "drop"]))
