"""The Snowflake load SQL as text: types, identifiers, DDL, stages and COPY (no database needed)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from apollo_assets.warehouse.snowflake import sql
from apollo_assets.warehouse.snowflake.column_types import family, loads_into, snowflake_type

FORMAT = "FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE BINARY_AS_TEXT = FALSE)"


@pytest.mark.parametrize(
    ("arrow_type", "expected"),
    [
        (pa.string(), "VARCHAR"),
        (pa.null(), "VARCHAR"),
        (pa.int64(), "NUMBER(38, 0)"),
        (pa.float64(), "FLOAT"),
        (pa.bool_(), "BOOLEAN"),
        (pa.timestamp("ms", tz="UTC"), "TIMESTAMP_TZ"),
        (pa.timestamp("us"), "TIMESTAMP_TZ"),
        (pa.decimal128(38, 9), "NUMBER(38, 9)"),
        (pa.binary(), "BINARY"),
        (pa.struct([("city", pa.string())]), "OBJECT"),
        (pa.list_(pa.struct([("title", pa.string())])), "ARRAY"),
        (pa.large_list(pa.string()), "ARRAY"),
    ],
)
def test_lake_types_map_to_snowflake_types(arrow_type, expected):
    assert snowflake_type(arrow_type) == expected


def test_a_later_backup_may_load_into_compatible_columns_only():
    assert loads_into("NUMBER", pa.int64())
    assert loads_into("VARIANT", pa.struct([("a", pa.int64())]))  # fakesnow reports OBJECT and ARRAY as VARIANT
    assert loads_into("OBJECT", pa.struct([("a", pa.int64())]))
    assert loads_into("TEXT", pa.int64())  # a field first seen all-null is text: it takes what comes later
    assert loads_into("NUMBER", pa.null())
    assert not loads_into("NUMBER", pa.string())  # drift appearing in a later backup
    assert not loads_into("NUMBER", pa.float64())  # would be rounded silently
    assert family("TIMESTAMP_TZ") == family(snowflake_type(pa.timestamp("ms", tz="UTC")))


def test_identifiers_are_stored_upper_case_and_quoted():
    assert sql.identifier("_backup_id") == '"_BACKUP_ID"'
    assert sql.identifier("timestamp") == '"TIMESTAMP"'  # a reserved word stays a column name
    assert sql.identifier("odd name") == '"odd name"'  # unquoted SQL cannot spell it: exact case kept
    assert sql.identifier('a"b') == '"a""b"'
    assert sql.table_name("usage_events") == 'LAKE."USAGE_EVENTS"'


def test_create_table_and_added_columns():
    schema = pa.schema([("_id", pa.string()), ("address", pa.struct([("city", pa.string())])), ("n", pa.int32())])
    assert sql.create_table_sql("people", schema) == (
        'CREATE TABLE IF NOT EXISTS LAKE."PEOPLE" ("_ID" VARCHAR, "ADDRESS" OBJECT, "N" NUMBER(38, 0))'
    )
    assert sql.add_column_sql("people", pa.field("twitter_url", pa.string())) == (
        'ALTER TABLE LAKE."PEOPLE" ADD COLUMN "TWITTER_URL" VARCHAR'
    )


def test_partition_rows_are_deleted_by_bound_backup_id():
    assert sql.delete_partition_sql("people") == 'DELETE FROM LAKE."PEOPLE" WHERE "_BACKUP_ID" = ?'


def test_external_stage_reads_the_bucket_through_the_integration():
    statement = sql.create_stage_sql("LAKE.S", "gcs://acme-lake/apollo/", "gcs_lake")
    assert statement == (
        f"CREATE STAGE IF NOT EXISTS LAKE.S URL = 'gcs://acme-lake/apollo/' STORAGE_INTEGRATION = \"GCS_LAKE\" {FORMAT}"
    )
    assert sql.create_stage_sql("LAKE.U") == f"CREATE STAGE IF NOT EXISTS LAKE.U {FORMAT}"
    with pytest.raises(ValueError, match="storage integration"):
        sql.create_stage_sql("LAKE.S", "gcs://acme-lake/apollo/", None)
    with pytest.raises(ValueError, match="storage integration"):
        sql.create_stage_sql("LAKE.S", "gcs://acme-lake/apollo/", "x; DROP TABLE y")


def test_copy_names_the_committed_files_and_forces_the_reload():
    location = sql.stage_location("LAKE.S", ["people", "backup_id=B1", "v=abc"])
    statement = sql.copy_sql("people", location, files=["part-0000.parquet", "it's.parquet"])
    assert statement == (
        'COPY INTO LAKE."PEOPLE" FROM @LAKE.S/people/backup_id=B1/v=abc/ '
        "FILES = ('part-0000.parquet', 'it''s.parquet') "
        f"{FORMAT} MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE FORCE = TRUE"
    )
    uploaded = sql.copy_sql("people", sql.stage_location("LAKE.U", ["people", "backup_id=B1", "v=abc"]), purge=True)
    assert "FILES" not in uploaded and uploaded.endswith("FORCE = TRUE PURGE = TRUE")


def test_put_uploads_as_is():
    assert sql.put_sql("/tmp/x y/part-0000.parquet", sql.stage_location("LAKE.U", ["people"])) == (
        "PUT 'file:///tmp/x y/part-0000.parquet' @LAKE.U/people/ AUTO_COMPRESS = FALSE OVERWRITE = TRUE"
    )


def test_stage_names_and_paths_are_quoted():
    assert sql.stage_name("LAKE", "APOLLO_LAKE_UPLOADS") == '"LAKE"."APOLLO_LAKE_UPLOADS"'
    assert sql.stage_name("LAKE", 'we"ird') == '"LAKE"."we""ird"'
    plain = sql.stage_location('"LAKE"."S"', ["people", "backup_id=20261126T040000Z", "v=ab12"])
    assert plain == '@"LAKE"."S"/people/backup_id=20261126T040000Z/v=ab12/'
    # A folder holding anything but [A-Za-z0-9_=.-] (an encoded name's `%`, a quote): one single-quoted location.
    odd = sql.stage_location('"LAKE"."S"', ["a%2Fb", "it's"])
    assert odd == """'@"LAKE"."S"/a%2Fb/it''s/'"""
    assert sql.copy_sql("x", odd).startswith("""COPY INTO LAKE."X" FROM '@"LAKE"."S"/a%2Fb/it''s/' """)
    assert sql.put_sql("/tmp/f.parquet", odd) == (
        """PUT 'file:///tmp/f.parquet' '@"LAKE"."S"/a%2Fb/it''s/' AUTO_COMPRESS = FALSE OVERWRITE = TRUE"""
    )


@pytest.mark.parametrize("folder", ["..", ".", "", "a/b", "a\x00b"])
def test_a_stage_path_folder_is_one_name(folder):
    with pytest.raises(ValueError, match="one name"):
        sql.stage_location('"LAKE"."S"', ["people", folder])


def test_the_stages_are_named_in_quotes(tmp_path):
    from apollo_assets.storage import Location
    from apollo_assets.warehouse.snowflake.stage import ExternalStage, InternalStage

    assert InternalStage().name == '"LAKE"."APOLLO_LAKE_UPLOADS"'
    external = ExternalStage(Location(fs=None, root="acme-lake/apollo", url="gs://acme-lake/apollo"), "GCS_LAKE")
    assert external.name.startswith('"LAKE"."APOLLO_LAKE_') and external.create_sql().startswith(
        f"CREATE STAGE IF NOT EXISTS {external.name} URL = 'gcs://acme-lake/apollo/' STORAGE_INTEGRATION = \"GCS_LAKE\""
    )
