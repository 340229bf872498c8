"""The batches a report reads, and the re-runs that give it member-level evidence.

:func:`load_batch` reads a finished batch folder (``python -m sim batch``): its manifest, its
``runs`` and ``timeseries`` tables and the scenarios it ran, and says in one line of
:class:`InputError` why a folder is not one it can report.

Member-level evidence (who exits when, what old members got, what subsidies change) is not
in a batch, so the report runs a few replicates of each scenario again — a run is a pure
function of its scenario and seed — after checking the scenario file is the one the batch
ran (its sha256), and says so when it cannot.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.analysis.claims import Rerun
from sim.batch.designs import load_variants
from sim.batch.integrity import check_intact
from sim.batch.run import simulate
from sim.batch.store import count_runs, read_manifest, read_table
from sim.errors import InputError

SERIES = (  # the timeseries columns a report reads (older batches may lack some)
    "scenario",
    "point",
    "replicate",
    "day",
    "price",
    "pool",
    "pool_cash",
    "members_active",
    "members_total",
    "orders",
    "inflow",
    "order_volume",
    "subsidies",
    "panic",
)


@dataclass
class Batch:
    """A finished batch folder as a report reads it."""

    folder: Path
    manifest: dict
    runs: pd.DataFrame  # every run, failed ones too
    timeseries: pd.DataFrame
    params: list[str]  # swept parameters (dotted paths)
    scenarios: dict[str, tuple[object, list[dict], str, object]] = field(default_factory=dict)
    # name -> (Scenario or None, design points, why not available, its first point's scenario)


def load_batch(folder: str | Path) -> Batch:
    """A finished batch folder, checked: one line of :class:`InputError` if it is not one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("is not a batch folder (no manifest.json)", file=folder)
    manifest = read_manifest(folder)
    try:
        expected = int(manifest["runs"])
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"manifest.json is not a batch manifest ({error})", file=folder) from None
    check_intact(folder)
    finished = count_runs(folder)
    if finished < expected:
        raise InputError(
            f"the batch is incomplete: {finished} of {expected} runs finished; run its "
            f"command again to finish it ({manifest.get('command') or 'python -m sim batch'})",
            file=folder,
        )
    runs = read_table(folder, "runs")
    names = list(runs.columns)
    params = names[names.index("seed") + 1 : names.index("status")]
    ok = runs[runs["status"] == "ok"]
    if len(ok):  # the columns a table lacks are left out
        timeseries = read_table(folder, "timeseries", columns=list(SERIES))
    else:
        timeseries = pd.DataFrame(columns=list(SERIES))
    batch = Batch(folder, manifest, runs, timeseries, params)
    for entry in manifest.get("scenarios", []):
        batch.scenarios[entry["name"]] = _scenario_of(entry)
    return batch


def _scenario_of(entry: dict) -> tuple[object, list[dict], str, object]:
    """The scenario a batch ran, its design points, why not (if its file changed or is
    gone), and the scenario its first point runs (each point validated once)."""
    path = Path(entry.get("file", ""))
    if not path.is_file():
        return None, [], f"scenario file {path} not found", None
    if hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
        return None, [], f"scenario file {path} changed since the batch ran", None
    try:
        scenario, points, variants = load_variants(path)
    except InputError as error:
        return None, [], f"scenario file no longer loads ({error})", None
    return scenario, points, "", variants[0] if variants else scenario


# -- member-level evidence: re-runs ----------------------------------------------------------


def first_point(batch: Batch, name: str) -> tuple[object | None, str]:
    """The scenario as the batch ran its first sweep point (the scenario itself when it is not
    a sweep), or None and why not."""
    scenario, _, why, first = batch.scenarios.get(name, (None, [], "not in the manifest", None))
    if scenario is None:
        return None, why
    return first, ""


def rerun_scenario(batch: Batch, name: str, count: int) -> tuple[list[Rerun], str]:
    """Replicates 0..count-1 of the scenario's first sweep point, run again, each also without
    its subsidies and without its legacy points when it has them (same seed)."""
    variant, why = first_point(batch, name)
    if variant is None:
        return [], why
    if count <= 0:
        return [], "re-runs were switched off (--reruns 0)"
    rows = batch.runs[
        (batch.runs["scenario"] == name)
        & (batch.runs["point"] == 0)
        & (batch.runs["status"] == "ok")
    ].sort_values("replicate")
    days = batch.manifest.get("days")

    def one(definition, seed) -> dict:
        return simulate(definition, seed, days).summary

    reruns, note = [], ""
    for _, row in rows.head(count).iterrows():
        result = simulate(variant, int(row["seed"]), days)
        summary = result.summary
        if summary["orders"] != row["orders"] or summary["price_end"] != row["price_end"]:
            note = "a re-run differs from the batch (the code changed since it ran)"
        rerun = Rerun(int(row["replicate"]), summary, result.members, layer=result.layer)
        stress = variant.stress
        if stress.subsidies:
            without = variant.model_copy(
                update={"stress": stress.model_copy(update={"subsidies": ()})}
            )
            rerun.without["subsidies"] = one(without, int(row["seed"]))
        if stress.legacy is not None:
            without = variant.model_copy(
                update={"stress": stress.model_copy(update={"legacy": None})}
            )
            rerun.without["legacy"] = one(without, int(row["seed"]))
        reruns.append(rerun)
    return reruns, note or ("" if reruns else "no successful run of the first point")
