"""How `apollo dashboards` starts Streamlit: the command line that keeps it local, headless and silent."""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")

# Every option that keeps Streamlit from reaching outside this machine or opening anything by itself. The same
# settings are in the repository's .streamlit/config.toml, for `streamlit run` by hand from the repository.
QUIET_OPTIONS = {
    "server.headless": "true",  # no browser opened, no e-mail prompt
    "browser.gatherUsageStats": "false",  # no usage statistics sent from the browser
    "server.fileWatcherType": "none",  # a served app, not a development loop
    "server.runOnSave": "false",
    "global.developmentMode": "false",
    "client.toolbarMode": "viewer",
    "client.showErrorDetails": "type",  # an error's type, never a traceback that might quote data
}


def streamlit_command(host: str, port: int) -> list[str]:
    """`python -m streamlit run app.py` bound to `host:port` (the browser is told the same address)."""
    options = {**QUIET_OPTIONS, "server.address": host, "server.port": str(port), "browser.serverAddress": host}
    options["browser.serverPort"] = str(port)
    flags = [f"--{name}={value}" for name, value in options.items()]
    return [sys.executable, "-m", "streamlit", "run", str(APP), *flags]
