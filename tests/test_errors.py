"""Every exception class of the platform derives from `ApolloError`, so that its error boundaries (the `apollo`
command, the model steps) tell the platform's refusals from a library's failure without a list to keep up to date.

Read from the source (ast), nothing imported: classes defined inside functions count too."""

from __future__ import annotations

import ast
import builtins

from tests.platform_source import Module, absolute, platform_modules

BASE = ("apollo_assets.errors", "ApolloError")
LIBRARY_EXCEPTION_SUFFIXES = ("Error", "Exception", "Failure", "Exceeded")  # `dg.Failure`, `HTTPException`, ...

type ClassId = tuple[str, str]  # (module, class name)


def platform_classes() -> dict[ClassId, list[ClassId | str]]:
    """Every class of the platform, with its bases: a platform class as (module, name), else the base's text."""
    classes: dict[ClassId, list[ClassId | str]] = {}
    for module in platform_modules():
        imported = imported_names(module)
        defined = {node.name for node in ast.walk(module.tree) if isinstance(node, ast.ClassDef)}
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef):
                classes[module.name, node.name] = [resolve(b, module.name, defined, imported) for b in node.bases]
    return classes


def imported_names(module: Module) -> dict[str, ClassId]:
    return {
        alias.asname or alias.name: (absolute(node, module), alias.name)
        for node in ast.walk(module.tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def resolve(base: ast.expr, module: str, defined: set[str], imported: dict[str, ClassId]) -> ClassId | str:
    if isinstance(base, ast.Name):
        if base.id in defined:
            return (module, base.id)
        if base.id in imported:
            return imported[base.id]
    return ast.unparse(base)


def is_exception(cls: ClassId, classes: dict[ClassId, list[ClassId | str]]) -> bool:
    for base in classes.get(cls, []):
        if isinstance(base, tuple) and base in classes:
            if is_exception(base, classes):
                return True
            continue
        name = base[1] if isinstance(base, tuple) else base.rpartition(".")[2]
        builtin = getattr(builtins, name, None)
        if isinstance(builtin, type) and issubclass(builtin, BaseException):
            return True
        if name.endswith(LIBRARY_EXCEPTION_SUFFIXES):
            return True
    return False


def derives_from_base(cls: ClassId, classes: dict[ClassId, list[ClassId | str]]) -> bool:
    return cls == BASE or any(isinstance(b, tuple) and derives_from_base(b, classes) for b in classes.get(cls, []))


def test_every_exception_class_of_the_platform_derives_from_apollo_error():
    classes = platform_classes()
    exceptions = [cls for cls in classes if cls != BASE and is_exception(cls, classes)]
    assert ("apollo_assets.mongo.errors", "BackupFormatError") in exceptions
    assert ("apollo_assets.backups.integrity", "CorruptBackupError") in exceptions  # a `dg.Failure`
    assert len(exceptions) > 30
    outside = [f"{module}.{name}" for module, name in exceptions if not derives_from_base((module, name), classes)]
    assert not outside, f"derive these from apollo_assets.errors.ApolloError (or KnownError): {outside}"


def test_the_reading_of_bases_tells_exceptions_from_other_classes():
    classes = platform_classes()
    assert not is_exception(("apollo_assets.lake.datasets", "PartitionedDataset"), classes)
    assert is_exception(("apollo_assets.mongo.timeseries", "BucketError"), classes)  # via BackupFormatError
    assert derives_from_base(("apollo_assets.mongo.timeseries", "BucketError"), classes)
    assert derives_from_base(("ml_assets.model_file", "ModelFileError"), classes)  # via ml_assets' ValueFreeError
