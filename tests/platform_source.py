"""The platform's modules read as source (ast), nothing imported: for the tests that hold its structure
(tests/test_layers.py, tests/test_errors.py)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("apollo_assets", "ml_assets")


@dataclass(frozen=True)
class Module:
    name: str  # dotted
    path: Path
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def platform_modules(root: Path = ROOT) -> Iterator[Module]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            yield Module(module_name(path, root), path, ast.parse(path.read_text(), filename=str(path)))


def absolute(node: ast.ImportFrom, module: Module) -> str:
    """The module an `import from` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports(module: Module) -> Iterator[tuple[int, str]]:
    """(line, imported module) of every import in the module, in functions and `TYPE_CHECKING` blocks too. For
    `from package import name` it is `package.name` when that is a module of the platform, else `package`."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            source = absolute(node, module)
            for alias in node.names:
                yield node.lineno, submodule(source, alias.name) or source


def submodule(package: str, name: str) -> str | None:
    path = ROOT.joinpath(*package.split("."), name)
    return f"{package}.{name}" if path.with_suffix(".py").exists() or (path / "__init__.py").exists() else None
