"""The ingest package's names are imported on first use (the definitions import the package for its snapshot
assets, and the path brings numba and pandas; tests/test_definitions_load.py holds that): each one resolves."""

from __future__ import annotations

import importlib

import pytest

import apollo_assets.ingest as ingest


def test_every_name_of_the_package_resolves_to_its_module():
    for name in ingest.__all__:
        value = getattr(ingest, name)
        assert value.__module__.startswith("apollo_assets.ingest."), name
        assert getattr(importlib.import_module(value.__module__), name) is value


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        ingest.no_such_name  # noqa: B018
