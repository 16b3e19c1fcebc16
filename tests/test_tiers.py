"""The tiers (tests/tiers.py): a test takes the marks of the fixtures it uses, and a unit-tier test that starts a
process, listens on a socket or launches a Dagster run fails, naming the mark it needs."""

from __future__ import annotations

import dagster as dg
import pytest

# pytester restores its snapshot of sys.modules after an in-process run: Dagster modules first imported by the inner
# tests would be dropped and, imported again by a later test, register Dagster's serialized types a second time.
# An instance loads them (the storage modules load on first use), before any snapshot is taken.
dg.DagsterInstance.ephemeral()

CONFTEST = """
import pytest

from tests import tiers
from tests.tiers import pytest_collection_modifyitems, pytest_runtest_call, pytest_runtest_setup


@pytest.fixture(scope="session")
@tiers.integration
def server():
    return "mongodb://127.0.0.1:1"


@pytest.fixture
def client(server):
    return server


@pytest.fixture
@tiers.slow
def whole_graph():
    return None
"""

INI = """
[pytest]
markers =
    integration: x
    slow: x
    e2e: x
"""


@pytest.fixture
def inner(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    return pytester


def run(inner: pytest.Pytester, *args: str) -> pytest.RunResult:
    # In this process (a subprocess would be refused: these tests are unit tests), without plugins they do not need.
    return inner.runpytest_inprocess("-p", "no:hypothesispytest", "-p", "no:cacheprovider", *args)


def test_a_test_that_uses_a_declared_fixture_even_through_another_is_integration(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_a="""
        def test_through_client(client): pass
        def test_with_server(server): pass
        def test_plain(): pass
        """
    )
    run(inner, "-m", "not integration").assert_outcomes(passed=1, deselected=2)
    run(inner, "-m", "integration").assert_outcomes(passed=2, deselected=1)


def test_slow_and_e2e_tests_are_integration_tests_too(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_a="""
        import pytest

        def test_graph(whole_graph): pass

        @pytest.mark.e2e
        def test_browser(): pass

        @pytest.mark.slow
        def test_marked(): pass

        def test_plain(): pass
        """
    )
    run(inner, "-m", "not integration").assert_outcomes(passed=1, deselected=3)
    run(inner, "-m", "slow").assert_outcomes(passed=2, deselected=2)


def test_a_unit_test_that_starts_a_process_or_a_server_or_a_run_fails_naming_the_mark(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_a="""
        import multiprocessing
        import socket
        import subprocess

        import dagster as dg
        import pytest


        @pytest.fixture(scope="session")
        def undeclared_server():
            subprocess.Popen(["sleep", "60"])


        def test_process():
            subprocess.run(["true"])

        def test_worker():
            multiprocessing.get_context("spawn").Process(target=print).start()

        def test_listen():
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                s.listen()

        def test_run():
            @dg.asset
            def a() -> None: ...
            dg.materialize([a])

        def test_fixture(undeclared_server): pass
        """
    )
    result = run(inner)
    result.assert_outcomes(failed=4, errors=1)
    for name, what in [
        ("test_process", "starts a process (true)"),
        ("test_worker", "starts a multiprocessing process"),
        ("test_listen", "listens on a socket (AF_INET: a server)"),
        ("test_run", "launches a Dagster run (*)"),
        ("test_fixture", "starts a process (sleep 60)"),
    ]:
        result.stdout.fnmatch_lines([f"*test_a.py::{name} is in the unit tier but {what}: mark the test*"])
