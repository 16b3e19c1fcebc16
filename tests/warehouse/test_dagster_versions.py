"""Why a rebuilt backup's later partitions are reported by the run (apollo_assets/warehouse/versions.py) rather
than declared as a self-dependency of the warehouse assets (each backup partition on the one before): Dagster 1.13
has no partition mapping that names "the partition before" among dynamic partitions. It refuses a self-dependency
with any other mapping, and `TimeWindowPartitionMapping`, which it lets through when the definitions load, cannot
map dynamic partitions when it is used (the UI's upstream partitions, automation, backfills). Should a later Dagster
change either, these tests fail and the dependency can be declared instead (dbt/README.md, "Versions, not
copies")."""

from __future__ import annotations

import dagster as dg
import pytest

from apollo_assets.backups.partitions import backup_partitions

KEY = dg.AssetKey(["warehouse", "stg_people"])


def self_dependent(mapping: dg.PartitionMapping) -> dg.AssetSpec:
    return dg.AssetSpec(KEY, partitions_def=backup_partitions, deps=[dg.AssetDep(KEY, partition_mapping=mapping)])


@pytest.mark.parametrize(
    "mapping",
    [dg.IdentityPartitionMapping(), dg.LastPartitionMapping(), dg.AllPartitionMapping()],
    ids=lambda m: type(m).__name__,
)
def test_dagster_refuses_a_self_dependency_on_dynamic_partitions(mapping: dg.PartitionMapping) -> None:
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="depends on itself"):
        dg.Definitions(assets=[self_dependent(mapping)]).resolve_asset_graph()


def test_the_previous_time_window_cannot_map_dynamic_partitions() -> None:
    mapping = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    graph = dg.Definitions(assets=[self_dependent(mapping)]).resolve_asset_graph()
    assert graph.get(KEY).has_self_dependency  # accepted when the definitions load…
    partition = backup_partitions.subset_with_partition_keys(["20261102T040000Z"])
    with pytest.raises(Exception, match="is not a TimeWindowPartitionsDefinition"):  # a ParameterCheckError
        graph.get_partition_mapping(KEY, KEY).get_upstream_mapped_partitions_result_for_partitions(
            partition, backup_partitions, backup_partitions
        )  # …but not when the partition before is asked for
