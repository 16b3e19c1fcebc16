"""Parsing and checking the rule of one field (`fields:` entries of a policy file)."""

from __future__ import annotations

from apollo_assets.masking.policy.model import (
    ACTIONS,
    ALWAYS_KEPT,
    GRANULARITIES,
    PATTERNS,
    FieldRule,
    PolicyError,
)
from apollo_assets.masking.policy.paths import ancestors, is_valid_path, normalize_path

_OPTIONS = {"to", "allow", "reason"}
_FORMS = "write `keep`, `{action: generalize, to: year}` or `{generalize: year}`"


def parse_rule(path: object, spec: object, source: str) -> FieldRule:
    if not isinstance(path, str) or not is_valid_path(path):
        raise PolicyError(
            source,
            str(path),
            "bad field path; use names joined by `.`, `[]` for arrays "
            "(e.g. `address.city`, `employment_history[].title`)",
        )
    action, options = _split(path, spec, source)
    if action not in ACTIONS:
        raise PolicyError(source, path, f"unknown action {action!r}; expected one of {list(ACTIONS)}")
    if unknown := sorted(map(str, set(options) - _OPTIONS)):
        raise PolicyError(source, path, f"unknown option(s) {unknown}; expected some of {sorted(_OPTIONS)}")
    to = options.get("to", "month" if action == "generalize" else None)
    if action != "generalize" and to is not None:
        raise PolicyError(source, path, f"`to` only applies to generalize, not {action}")
    if action == "generalize" and to not in GRANULARITIES:
        raise PolicyError(source, path, f"generalize to {to!r}; expected one of {list(GRANULARITIES)}")
    allow = options.get("allow") or []
    if not isinstance(allow, list) or not set(allow) <= set(PATTERNS):
        raise PolicyError(source, path, f"`allow` must be a list of {list(PATTERNS)}, got {allow!r}")
    reason = None if options.get("reason") is None else str(options["reason"])
    return FieldRule(normalize_path(path), action, to, frozenset(allow), reason)


def _split(path: str, spec: object, source: str) -> tuple[object, dict]:
    """(action, options) from either spelling of a rule."""
    if isinstance(spec, str):
        return spec, {}
    if not isinstance(spec, dict):
        raise PolicyError(source, path, f"expected an action, got {spec!r}; {_FORMS}")
    options = dict(spec)
    if "action" in options:
        return options.pop("action"), options
    named = [key for key in options if key in ACTIONS]
    if len(named) != 1:
        raise PolicyError(source, path, f"no action given; {_FORMS}")
    action = named[0]
    parameter = options.pop(action)
    if parameter is not None:
        if action != "generalize":
            raise PolicyError(source, path, f"{action} takes no parameter (got {parameter!r})")
        options.setdefault("to", parameter)
    return action, options


def validate_rules(rules: list[FieldRule], source: str) -> None:
    """Checks across rules: each field named once, nothing named inside a field masked whole."""
    by_path: dict[str, FieldRule] = {}
    for rule in rules:
        if rule.path in by_path:
            raise PolicyError(source, rule.path, "named twice (`x` and `x[]` are the same field)")
        by_path[rule.path] = rule
    for rule in rules:
        if rule.path == ALWAYS_KEPT and rule.action != "keep":
            raise PolicyError(source, rule.path, "the backup id is always kept; remove this rule")
        for parent in ancestors(rule.path):
            outer = by_path.get(parent)
            if outer is not None and outer.action != "keep":
                problem = f"is inside {parent!r}, already masked whole ({outer.action})"
                raise PolicyError(source, rule.path, problem)
