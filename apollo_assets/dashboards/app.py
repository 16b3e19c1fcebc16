"""The dashboards' Streamlit entry point: `apollo dashboards` runs `streamlit run` on this file."""

from __future__ import annotations

import duckdb
import streamlit as st

from apollo_assets.dashboards import data, pages


def main() -> None:
    st.set_page_config(page_title="Apollo metrics", layout="wide")
    navigation = st.navigation(
        [
            st.Page(pages.overview, title="L1 overview", url_path="overview", default=True),
            st.Page(pages.features, title="L2 features", url_path="features"),
            st.Page(pages.funnel, title="Engagement funnel", url_path="funnel"),
            st.Page(pages.cohorts, title="Retention cohorts", url_path="cohorts"),
        ]
    )
    try:
        backups = data.backup_ids()
        if not backups:
            st.warning("The marts hold no backup yet: run `make run` (or wait for the first backup's run).")
            st.stop()
        st.sidebar.selectbox(
            "Backup (as of)",
            backups,
            key=pages.BACKUP_KEY,
            bind="query-params",
            # No format_func: a bound widget writes its label into the URL, and `?backup=<id>` must stay an id.
            help="Every number on the pages is this backup's; backup ids name the time they were taken (UTC).",
        )
        navigation.run()
    except duckdb.IOException:
        # DuckDB admits no reader while dbt writes the file: a build is running.
        st.warning("The warehouse is being written by a dbt build: reload the page in a moment.")


main()
