"""An oplog update applied to a document, as the server applies it when it replays the oplog.

The `o` of an update entry (`op: "u"`) is one of:

- a replacement: the whole new document (no key starts with `$`);
- modifiers, MongoDB before 5.0 (`$v: 1` or no `$v`): `$set` {dotted path: value} and `$unset` {dotted path: ...};
- a diff, MongoDB 5.0 and later (`$v: 2`, `diff`): an object diff has sections `d` {field: false} (delete),
  `u` {field: value} (set: in place when the field exists, else appended), `i` {field: value} (insert:
  always appended), `b` {field: {o: offset, d: bytes}} (a binary's bytes from `o` on replaced by `d`: how
  compressed time-series columns grow) and `s<field>` {sub-diff}; an array diff is marked `a: true`, may resize
  the array (`l`: new length, padding with nulls) and has `u<index>` and `s<index>` entries in index order.
  A sub-diff that meets a value of another type, or an index beyond the array, leaves null there (a later
  entry rewrites it), as the server does.

Documents are Python values decoded with the reader's codec options. Errors name what could not be applied,
never a value nor a field name (names can be data, e.g. dynamic keys).
"""

from __future__ import annotations

from typing import Any

from bson.binary import Binary

from apollo_assets.errors import ApolloError


class UpdateError(ApolloError, ValueError):
    """An update that cannot be applied to the document."""


def is_replacement(update: dict[str, Any]) -> bool:
    return not any(key.startswith("$") for key in update)


def apply_update(document: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """The document after `update` (modifiers or a diff; a replacement is not an update of a document)."""
    version = update.get("$v", 1)
    if version == 2:
        if set(update) != {"$v", "diff"} or not isinstance(update["diff"], dict):
            raise UpdateError("a $v: 2 update is {$v: 2, diff: {...}}")
        return apply_diff(document, update["diff"])
    if version != 1:
        raise UpdateError(f"unknown update format $v: {version!r}")
    out = _copy(document)
    for operator, fields in update.items():
        if operator == "$v":
            continue
        if not isinstance(fields, dict):
            raise UpdateError(f"{operator} is not followed by a document")
        if operator == "$set":
            for path, value in fields.items():
                _set(out, path.split("."), value)
        elif operator == "$unset":
            for path in fields:
                _unset(out, path.split("."))
        else:
            raise UpdateError(f"the {operator} operator is not one the oplog records ($set, $unset)")
    return out


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _index(part: str, depth: int) -> int:
    if not part.isdigit():
        raise UpdateError(f"path component {depth + 1} is in an array but is not a number")
    return int(part)


def _set(container: Any, parts: list[str], value: Any) -> None:
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(container, dict):
            if last:
                container[part] = value
                return
            if part not in container:
                container[part] = {}
            container = container[part]
        elif isinstance(container, list):
            index = _index(part, depth)
            container.extend([None] * (index + 1 - len(container)))
            if last:
                container[index] = value
                return
            if container[index] is None:
                container[index] = {}
            container = container[index]
        else:
            raise UpdateError(f"$set through a value that is not a document or an array (path component {depth})")


def _unset(container: Any, parts: list[str]) -> None:
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(container, dict):
            if part not in container:
                return
            if last:
                del container[part]
                return
            container = container[part]
        elif isinstance(container, list):
            index = _index(part, depth)
            if index >= len(container):
                return
            if last:
                container[index] = None  # $unset of an array element leaves null, the array keeps its length
                return
            container = container[index]
        else:
            return


def is_array_diff(diff: Any) -> bool:
    return isinstance(diff, dict) and diff.get("a") is True


def apply_diff(document: dict[str, Any], diff: dict[str, Any]) -> dict[str, Any]:
    """An object diff ($v: 2) applied to a document."""
    sections: dict[str, Any] = {}
    changes: dict[str, tuple[str, Any]] = {}
    for key, value in diff.items():
        if key in ("d", "u", "i", "b"):
            if not isinstance(value, dict):
                raise UpdateError(f"diff section {key!r} is not a document")
            sections[key] = value
            for name, change in value.items():
                if name in changes:
                    raise UpdateError("a field appears twice in one diff")
                changes[name] = (key, change)
        elif key.startswith("s") and len(key) > 1:
            if key[1:] in changes:
                raise UpdateError("a field appears twice in one diff")
            if not isinstance(value, dict):
                raise UpdateError("a sub-diff is not a document")
            changes[key[1:]] = ("s", value)
        else:
            raise UpdateError(f"unknown diff section {key[:1]!r}")
    out: dict[str, Any] = {}
    placed: set[str] = set()
    for name, value in document.items():
        kind, change = changes.get(name, ("", None))
        if kind == "":
            out[name] = value
        elif kind == "u":
            out[name] = change
            placed.add(name)
        elif kind == "b":
            out[name] = _binary(value, change)
        elif kind == "s":
            out[name] = _sub_diff(value, change)
        # "d": left out; "i": appended below
    for section in ("u", "i"):
        for name, value in sections.get(section, {}).items():
            if name not in placed:
                out.pop(name, None)
                out[name] = value
    return out


def _binary(value: Any, change: Any) -> Binary | bytes:
    if not isinstance(change, dict) or set(change) != {"o", "d"} or not isinstance(change["o"], int):
        raise UpdateError("a binary diff is {o: offset, d: bytes}")
    if not isinstance(value, bytes):
        raise UpdateError("a binary diff on a value that is not binary")
    offset, data = change["o"], bytes(change["d"])
    if not 0 <= offset <= len(value):
        raise UpdateError("a binary diff whose offset is past the end of the binary")
    joined = bytes(value[:offset]) + data
    return Binary(joined, value.subtype) if isinstance(value, Binary) else joined


def _sub_diff(value: Any, diff: dict[str, Any]) -> Any:
    if is_array_diff(diff):
        return apply_array_diff(value, diff) if isinstance(value, list) else None
    return apply_diff(value, diff) if isinstance(value, dict) else None


def _array_modification(pre: Any, kind: str, change: Any, present: bool) -> Any:
    if kind == "u":
        return change
    if not present or not isinstance(change, dict):
        return None
    return _sub_diff(pre, change)


def apply_array_diff(array: list[Any], diff: dict[str, Any]) -> list[Any]:
    """An array diff (`a: true`) applied to an array."""
    resize = diff.get("l")
    if resize is not None and (not isinstance(resize, int) or resize < 0):
        raise UpdateError("an array diff whose new length is not a count")
    modifications: dict[int, tuple[str, Any]] = {}
    for key, change in diff.items():
        if key in ("a", "l"):
            continue
        if key[:1] not in ("u", "s") or not key[1:].isdigit():
            raise UpdateError("unknown array diff entry")
        modifications[int(key[1:])] = (key[0], change)
    out: list[Any] = []
    keep = len(array) if resize is None else min(len(array), resize)
    for index in range(keep):
        if index in modifications:
            out.append(_array_modification(array[index], *modifications[index], present=True))
        else:
            out.append(array[index])
    end = max([resize or 0, *(i + 1 for i in modifications if i >= keep)])
    if resize is not None and end > resize:
        raise UpdateError("an array diff changes an element past its new length")
    for index in range(keep, end):
        if index in modifications:
            out.append(_array_modification(None, *modifications[index], present=False))
        else:
            out.append(None)
    return out
