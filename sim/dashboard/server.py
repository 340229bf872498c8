"""``python -m sim dashboard``: serve the dashboard page (:mod:`sim.dashboard.app`) with
Solara on this machine.

The scenario is read (and refused, as one line, exit 2) before the server starts. Solara runs
in production mode, so the page asks nothing of the internet: its scripts, styles and fonts
come from the ``solara-assets`` package through the local server, and Solara's first-run
check that fetches a page from solara.dev and its look for a newer version on PyPI are off
(the browser test checks that no request leaves the machine). The page uses no Markdown
component: Solara's Markdown loads KaTeX from a CDN the assets package does not carry.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sim.scenario.points import scenario_from


def command(host: str, port: int) -> list[str]:
    """The Solara server's command line."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.dashboard.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]


def environment(scenario: str) -> dict[str, str]:
    """The server's environment: the scenario to open with; no telemetry."""
    return {
        **os.environ,
        "SIM_DASHBOARD_SCENARIO": scenario,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }


def serve(scenario: str | Path, port: int, host: str = "127.0.0.1") -> int:
    """Check ``scenario`` (a file or a shipped scenario's name), then serve the page until
    interrupted; the server's exit status."""
    scenario_from(str(scenario))
    print(f"dashboard: http://{host}:{port} (Ctrl-C stops it)", flush=True)
    try:
        return subprocess.call(command(host, port), env=environment(str(scenario)))
    except KeyboardInterrupt:
        return 0
