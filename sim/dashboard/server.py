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
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import InputError
from sim.i18n import LANGS
from sim.scenario.points import scenario_from
from sim.scenario.scheme import points_scheme_only


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


def environment(scenario: str, lang: str = "en") -> dict[str, str]:
    """The server's environment: the scenario to open with, the page's language; no
    telemetry."""
    return {
        **os.environ,
        "SIM_DASHBOARD_SCENARIO": scenario,
        "SIM_DASHBOARD_LANG": lang,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }


def serve(scenario: str | Path, port: int, host: str = "127.0.0.1", lang: str = "en") -> int:
    """Check ``scenario`` (a file or a shipped scenario's name), then become the server of
    the page, in ``lang``, until stopped (returns only if the scenario is refused: it
    raises)."""
    points_scheme_only(scenario_from(str(scenario)), scenario, "the dashboard")
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise InputError(
                f"cannot serve on {host}:{port} ({error.strerror or error}); choose another "
                "port with --port",
                key="--port",
            ) from None
    print(f"dashboard: http://{host}:{port} (Ctrl-C stops it)", flush=True)
    # the server takes this process's place: stopping it (Ctrl-C, a signal) stops the server,
    # and no server outlives the command that started it
    os.execve(sys.executable, command(host, port), environment(str(scenario), lang))


def page_lang() -> str:
    """The language the served page is in (``--lang``, passed in ``SIM_DASHBOARD_LANG``)."""
    lang = os.environ.get("SIM_DASHBOARD_LANG", "en")
    return lang if lang in LANGS else "en"


def free_port() -> int:
    """A port nobody on this machine listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(scenario: str, seconds: float = 60.0, lang: str = "en") -> Iterator[str]:
    """``python -m sim dashboard SCENARIO`` on a free port, for a test or a measurement: the
    page's URL once it answers (TimeoutError after ``seconds``); stopped on leaving."""
    port = free_port()
    command = [sys.executable, "-m", "sim", "dashboard", scenario, "--port", str(port)]
    command += ["--lang", lang]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise TimeoutError(f"the dashboard did not answer at {url}") from None
                time.sleep(0.25)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
