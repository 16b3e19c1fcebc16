"""Reading one backup's slice of a metric mart: the only SQL the metrics run."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import pandas as pd

ACTIVATION_L1 = "mart_activation_l1"
ACTIVATION_L2 = "mart_activation_l2"
RETENTION_L1 = "mart_retention_l1"
RETENTION_L2 = "mart_retention_l2"
ADOPTION_L1 = "mart_adoption_l1"
ADOPTION_L2 = "mart_adoption_l2"
FUNNEL = "mart_engagement_funnel"
REPLY_TRAINING = "mart_reply_training"

# The columns each mart is read with. A mart holds aggregates (weeks x use cases or features), so a backup's slice
# is a few thousand rows whatever the product's size: the shaping happens in pandas, in the same code on both
# warehouses, and the SQL stays one filtered scan.
COLUMNS: dict[str, tuple[str, ...]] = {
    ACTIVATION_L1: ("cohort_week", "use_case", "is_key_action", "new_accounts", "activated_accounts"),
    ACTIVATION_L2: ("cohort_week", "use_case", "feature", "new_accounts", "activated_accounts"),
    RETENTION_L1: ("cohort_week", "weeks_since_signup", "use_case", "cohort_users", "active_users"),
    RETENTION_L2: ("cohort_week", "weeks_since_signup", "use_case", "feature", "cohort_users", "active_users"),
    ADOPTION_L1: ("activity_week", "use_case", "active_accounts", "adopting_accounts", "is_complete_week"),
    ADOPTION_L2: ("activity_week", "use_case", "feature", "active_accounts", "adopting_accounts", "is_complete_week"),
    FUNNEL: ("send_week", "campaign_status", "messages_sent", "messages_opened", "messages_replied"),
}
WEEK_COLUMNS = ("cohort_week", "activity_week", "send_week")
# Where the backups of the warehouse are listed: every backup with usage has adoption rows.
BACKUPS_MART = ADOPTION_L1


class MartReader(Protocol):
    """What the metrics need of a warehouse (`apollo_assets.warehouse.interface.Warehouse` has it)."""

    def relation(self, model: str) -> str: ...

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame: ...


def backup_ids(reader: MartReader) -> list[str]:
    """The backups the marts hold, newest first."""
    sql = f"select distinct backup_id from {reader.relation(BACKUPS_MART)} order by backup_id desc"
    return [str(value) for value in reader.frame(sql)["backup_id"]]


def read_slice(reader: MartReader, model: str, backup_id: str) -> pd.DataFrame:
    """One backup's rows of a metric mart, weeks as timestamps and counts as numbers on either warehouse."""
    columns = COLUMNS[model]
    sql = f"select {', '.join(columns)} from {reader.relation(model)} where backup_id = ?"
    return normalized(reader.frame(sql, [backup_id]), columns)


def read_slices(reader: MartReader, models: Sequence[str], backup_id: str) -> list[pd.DataFrame]:
    """`read_slice` of several marts side by side (a page's), each on its own connection: the warehouse does the
    waiting (DuckDB and the Snowflake connector release the GIL)."""
    with ThreadPoolExecutor(max_workers=max(1, len(models)), thread_name_prefix="mart-slice") as pool:
        return list(pool.map(lambda model: read_slice(reader, model, backup_id), models))


def normalized(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """DuckDB gives dates as datetime64 and Snowflake as `date` objects; counts may come as decimals or objects."""
    frame = frame.reindex(columns=list(columns))
    for column in columns:
        if column in WEEK_COLUMNS:
            frame[column] = pd.to_datetime(frame[column])
        elif column == "is_key_action" or column == "is_complete_week":
            frame[column] = frame[column].astype("boolean")
        elif column not in ("use_case", "feature", "campaign_status"):
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame


def reply_share(reader: MartReader, backup_id: str) -> tuple[int, float | None]:
    """Messages of the reply model's training set for a backup, and the share replied (the label's balance)."""
    sql = (
        "select count(*) as messages, sum(case when replied then 1 else 0 end) as replied "
        f"from {reader.relation(REPLY_TRAINING)} where backup_id = ?"
    )
    row = reader.frame(sql, [backup_id]).iloc[0]
    messages = int(row["messages"])
    return messages, (float(row["replied"]) / messages if messages else None)
