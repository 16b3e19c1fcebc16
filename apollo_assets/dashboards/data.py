"""The app's reads, cached by Streamlit: the warehouse and the instance once per server, a mart's slice or its
freshness for a minute (a new materialization shows within that), shared by every viewer."""

from __future__ import annotations

from contextlib import ExitStack

import dagster as dg
import pandas as pd
import streamlit as st

from apollo_assets.dashboards.freshness import MartFreshness, mart_freshness, open_instance
from apollo_assets.dashboards.settings import dagster_ui_url
from apollo_assets.dashboards.source import MartSource, open_marts
from apollo_assets.metrics import marts
from apollo_assets.settings import load_settings

CACHE_SECONDS = 60


@st.cache_resource(show_spinner=False)
def _marts() -> MartSource:
    # Kept open for the server's life: the resource (and Snowflake's credentials) is initialised once.
    return ExitStack().enter_context(open_marts(load_settings()))


@st.cache_resource(show_spinner=False)
def _instance() -> dg.DagsterInstance | None:
    return open_instance(load_settings().dagster_home)


@st.cache_resource(show_spinner=False)
def dagster_ui() -> str:
    return dagster_ui_url()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def backup_ids() -> list[str]:
    return marts.backup_ids(_marts())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def mart_slices(models: tuple[str, ...], backup_id: str) -> list[pd.DataFrame]:
    """A page's marts for one backup, read side by side."""
    return marts.read_slices(_marts(), models, backup_id)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def freshness(model: str) -> MartFreshness:
    return mart_freshness(model, _instance(), _marts())
