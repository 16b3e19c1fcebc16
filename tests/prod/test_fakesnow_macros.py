"""dbt/macros/fakesnow/: the emulator's workarounds change nothing on any other target."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import jinja2
import pytest

MACROS = Path(__file__).resolve().parents[2] / "dbt" / "macros" / "fakesnow"


class Returned(Exception):  # how dbt's `return()` leaves a macro: by raising
    def __init__(self, value: object) -> None:
        self.value = value


def _return(value: object) -> None:
    raise Returned(value)


@dataclass(frozen=True)
class Relation:
    """Enough of dbt's relation: `include()` toggles the parts rendered."""

    database: str | None = "APOLLO"
    schema: str | None = "staging"
    identifier: str = "stg_people__dbt_tmp"

    def include(self, database: bool = True, schema: bool = True) -> Relation:
        return replace(self, database=self.database if database else None, schema=self.schema if schema else None)


def resolve_tmp_relation(target_name: str, relation: Relation) -> object:
    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    source = (MACROS / "incremental_tmp_relation.sql").read_text()
    module = environment.from_string(source).make_module({"target": {"name": target_name}, "return": _return})
    with pytest.raises(Returned) as returned:
        module.snowflake__resolve_incremental_tmp_relation(relation)
    return returned.value.value


def test_only_the_fakesnow_target_gets_an_unqualified_temporary_table():
    relation = Relation()
    assert resolve_tmp_relation("fakesnow", relation) == Relation(database=None, schema=None)
    assert resolve_tmp_relation("snowflake", relation) is relation  # dbt-snowflake's default: the relation as is
