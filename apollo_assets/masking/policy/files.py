"""Reading a masking policy from `policies/<collection>.yaml`, with errors that name the file and field.

```yaml
collection: people
default: hash                       # optional: hash | drop, for fields the policy does not name
fields:
  _id: keep
  email: email
  birthdate: {generalize: year}     # or {action: generalize, to: year}
  employment_history[].title: keep
  notes: {action: redact, allow: [email], reason: "quotes the support address"}
```
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import yaml

from apollo_assets.masking.policy.model import DEFAULTS, MaskingPolicy, PolicyError
from apollo_assets.masking.policy.rules import parse_rule, validate_rules

POLICY_DIR = Path(__file__).parents[1] / "policies"
# A collection name that can be a policy file's: `system.version`, `événements`; no path separator, no leading dot.
_COLLECTION = re.compile(r"\w[^/\\\x00]*")
_TOP_KEYS = {"collection", "default", "fields", "description"}

log = logging.getLogger(__name__)


def load_policy(collection: str, policy_dir: Path | None = None) -> MaskingPolicy:
    """The policy of ``collection``; without a policy file, an empty one (every field fail-closed)."""
    folder = Path(policy_dir) if policy_dir is not None else POLICY_DIR
    if not _COLLECTION.fullmatch(collection):
        raise PolicyError(str(folder), None, f"bad collection name {collection!r}")
    for path in (folder / f"{collection}.yaml", folder / f"{collection}.yml"):
        if path.is_file():
            return policy_from_yaml(path.read_text(encoding="utf-8"), str(path), collection)
    log.warning("no masking policy for %r in %s: every field is masked fail-closed", collection, folder)
    return MaskingPolicy.empty(collection, source=str(folder / f"{collection}.yaml"))


def policy_from_yaml(text: str, source: str = "<string>", collection: str | None = None) -> MaskingPolicy:
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: no object construction
    except yaml.YAMLError as exc:
        raise PolicyError(source, None, f"not valid YAML: {exc}") from None
    return parse_policy(data, source, collection)


def parse_policy(data: object, source: str, collection: str | None = None) -> MaskingPolicy:
    if not isinstance(data, dict):
        raise PolicyError(source, None, "expected a mapping with `collection` and `fields`")
    if unknown := sorted(map(str, set(data) - _TOP_KEYS)):
        raise PolicyError(source, None, f"unknown top-level key(s) {unknown}; expected {sorted(_TOP_KEYS)}")
    name = data.get("collection", collection)
    if not isinstance(name, str) or (collection is not None and name != collection):
        raise PolicyError(source, None, f"`collection` is {name!r}, expected {collection!r}")
    default = data.get("default", "hash")
    if default not in DEFAULTS:
        raise PolicyError(source, None, f"`default` is {default!r}; expected one of {list(DEFAULTS)}")
    fields = data.get("fields") or {}
    if not isinstance(fields, dict):
        raise PolicyError(source, None, "`fields` must map field paths to actions")
    rules = [parse_rule(path, spec, source) for path, spec in fields.items()]
    validate_rules(rules, source)
    return MaskingPolicy(collection=name, rules=tuple(rules), default=default, source=source)


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe loading that refuses a key given twice (plain PyYAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                problem = f"{key!r} given twice"
                raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)
