"""The test tiers. A test is in the unit tier (`make check`) unless it is marked `integration`:

- `integration`: starts a server or a process (MongoDB-wire server, fake GCS, PostgreSQL, uvicorn, the Dagster
  webserver or daemons, ingest worker pools, a fresh `python`), launches a Dagster run, or builds the dbt project;
- `slow` (whole-graph runs) and `e2e` (the browser) are integration tests too: they get that mark as well.

A test gets its tier from its own marks (or its module's `pytestmark`) and from every fixture it uses, directly or
not: a fixture that starts something is declared with `@tiers.integration` (or `@tiers.slow`) under `@pytest.fixture`,
so a new test that uses it leaves the unit tier without a word. And a unit-tier test that starts a process, listens
on a socket or launches a Dagster run anyway fails with an error that names the mark it needs (`guard`).

The hooks at the end are tests/conftest.py's: it imports them.
"""

from __future__ import annotations

import multiprocessing.process
import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg
import pytest

MARKS = "__apollo_test_marks__"
NOT_UNIT = ("integration", "slow", "e2e")


def marking[F: Callable](*names: str) -> Callable[[F], F]:
    """A decorator for fixture functions (under `@pytest.fixture`): every test that uses the fixture gets `names`."""

    def declare(fixture_function: F) -> F:
        setattr(fixture_function, MARKS, (*getattr(fixture_function, MARKS, ()), *names))
        return fixture_function

    return declare


integration = marking("integration")  # starts a server or a process, launches a Dagster run or builds the dbt project
slow = marking("slow")  # materializes the whole graph


def fixture_marks(item: pytest.Item) -> set[str]:
    """The marks declared by the fixtures the test uses, its fixtures' fixtures included."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    return {
        name
        for definitions in info.name2fixturedefs.values()
        for definition in definitions
        for name in getattr(definition.func, MARKS, ())
    }


def assign(item: pytest.Item) -> None:
    """Mark the test with the marks of its fixtures; any tier other than unit brings `integration`."""
    for name in sorted(fixture_marks(item) - {m.name for m in item.iter_markers()}):
        item.add_marker(name)
    if any(item.get_closest_marker(name) for name in NOT_UNIT) and not item.get_closest_marker("integration"):
        item.add_marker("integration")


def is_unit(item: pytest.Item) -> bool:
    return item.get_closest_marker("integration") is None


class TierError(RuntimeError):
    pass


@contextmanager
def guard(item: pytest.Item) -> Iterator[None]:
    """While a unit-tier test (and the fixtures it sets up) runs, starting a process, listening on a socket or
    launching a Dagster run fails."""
    if not is_unit(item):
        yield
        return

    def refuse(what: str) -> TierError:
        return TierError(
            f"{item.nodeid} is in the unit tier but {what}: mark the test `@pytest.mark.integration`, or the fixture "
            "that does it `@tiers.integration` (tests/tiers.py)"
        )

    def execute_child(self, args, *rest, **kwargs):
        raise refuse(f"starts a process ({args if isinstance(args, str) else ' '.join(map(str, args))[:80]})")

    def start(self):
        raise refuse("starts a multiprocessing process")

    def fork():
        raise refuse("forks")

    def listen(self, *args):
        raise refuse(f"listens on a socket ({self.family.name}: a server)")

    def create_run(self, *args, **kwargs):
        raise refuse("launches a Dagster run (`dg.materialize`, a job's `execute_in_process`)")

    patches = [
        (subprocess.Popen, "_execute_child", execute_child),
        (multiprocessing.process.BaseProcess, "start", start),
        (os, "fork", fork),
        (socket.socket, "listen", listen),
        (dg.DagsterInstance, "create_run", create_run),
        (dg.DagsterInstance, "create_run_for_job", create_run),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, replacement in patches:
        setattr(owner, name, replacement)
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


@pytest.hookimpl(tryfirst=True)  # before `-m` selects: the tiers are marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        assign(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    with guard(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    with guard(item):
        return (yield)
