"""The notebooks run top to bottom on small settings, and are stored without outputs."""

import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

from sim.batch.store import count_runs
from tests.conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"


def execute(name: str, settings: dict, monkeypatch) -> nbformat.NotebookNode:
    for key, value in settings.items():
        monkeypatch.setenv(key, str(value))
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernel's inline
    client.execute(env=env)
    return notebook


def text_of(notebook) -> str:
    """Every text output of the executed notebook, joined."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def images_of(notebook) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )


@pytest.mark.parametrize("name", ["walkthrough.ipynb", "compare-scenarios.ipynb"])
def test_notebooks_are_stored_without_outputs(name):
    notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert "SIM_NOTEBOOK_" in "".join(code[0]["source"])  # the parameter cell comes first


def test_walkthrough_runs_one_small_platform(monkeypatch):
    settings = {"SIM_NOTEBOOK_DAYS": 40, "SIM_NOTEBOOK_SEED": 2}
    notebook = execute("walkthrough.ipynb", settings, monkeypatch)
    text = text_of(notebook)
    assert "seed-generic-3x" in text and "40 days, seed 2" in text
    assert "of the" in text and "buyers got back less cash than they spent" in text
    assert "member_payouts" in text and "left_in_pool" in text  # where the money went
    assert images_of(notebook) >= 3


def test_compare_scenarios_runs_a_small_batch(monkeypatch, tmp_path):
    settings = {
        "SIM_NOTEBOOK_SCENARIOS": "scenarios/seed-generic-3x.yaml scenarios/legacy-debts.yaml",
        "SIM_NOTEBOOK_REPLICATES": 2,
        "SIM_NOTEBOOK_DAYS": 40,
        "SIM_NOTEBOOK_OUT": tmp_path / "batch",
        "SIM_NOTEBOOK_WORKERS": 1,
    }
    notebook = execute("compare-scenarios.ipynb", settings, monkeypatch)
    text = text_of(notebook)
    assert "4 runs (4 run now, 0 failed)" in text
    assert "legacy-debts" in text and "seed-generic-3x" in text
    assert "share_of_buyers_losing" in text
    assert count_runs(tmp_path / "batch") == 4  # compacted: one file per scenario
    assert len(list((tmp_path / "batch" / "runs").rglob("*.parquet"))) == 2
    assert images_of(notebook) >= 2
