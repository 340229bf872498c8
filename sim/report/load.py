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

from sim.analysis.claims import PANIC, Rerun
from sim.batch.designs import load_variants
from sim.batch.integrity import check_intact
from sim.batch.run import simulate
from sim.batch.scheme_metrics import POINTS_SCHEME
from sim.batch.store import count_runs, read_manifest, read_table
from sim.errors import InputError
from sim.i18n import N_

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


def load_batch(folder: str | Path, series=SERIES, schemes: bool = False) -> Batch:
    """A finished batch folder, checked: one line of :class:`InputError` if it is not one.
    ``series``: the timeseries columns to read; ``schemes``: whether runs of a comparison
    scheme may be in it (the side-by-side report's), else they are refused."""
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
    if not schemes:
        _points_scheme_only(runs, folder)
    names = list(runs.columns)
    params = names[names.index("seed") + 1 : names.index("status")]
    ok = runs[runs["status"] == "ok"]
    if len(ok):  # the columns a table lacks are left out
        timeseries = read_table(folder, "timeseries", columns=list(series))
    else:
        timeseries = pd.DataFrame(columns=list(series))
    batch = Batch(folder, manifest, runs, timeseries, params)
    for entry in manifest.get("scenarios", []):
        batch.scenarios[entry["name"]] = _scenario_of(entry)
    return batch


def _points_scheme_only(runs: pd.DataFrame, folder: Path) -> None:
    """The report's evidence (re-runs, claims, red flags) is the points scheme's: a batch
    that holds a comparison scheme's runs is refused in one line, naming one of them."""
    if "scheme" not in runs:  # a batch made before there were comparison schemes
        return
    other = runs[runs.scheme.notna() & (runs.scheme != POINTS_SCHEME)]
    if len(other):
        first = other.iloc[0]
        raise InputError(
            f"holds runs of scenario '{first.scenario}', a {first.scheme} scheme: this "
            "report covers the consumption_appreciation scheme; python -m sim report makes "
            "the side-by-side report of such a batch (sim.report.schemes_report)",
            file=folder,
        )


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


DAILY = ("day", "price", "panic", "orders")  # the day rows a re-run keeps for the claims


def panics(scenario) -> bool:
    """Whether the scenario has panic sellers who react to a trigger."""
    spec = scenario.population.panic_seller
    triggers = spec.shock_days or spec.herding is not None or spec.price_growth is not None
    return dict(scenario.population.mix).get("panic_seller", 0) > 0 and bool(
        triggers and spec.react_probability > 0
    )


def without(scenario, lever: str):
    """The scenario with one lever switched off and nothing else changed: ``subsidies``,
    ``legacy`` (the stress levers) or ``panic`` (panic sellers never react)."""
    stress, population = scenario.stress, scenario.population
    if lever == "subsidies":
        return scenario.model_copy(update={"stress": stress.model_copy(update={"subsidies": ()})})
    if lever == "legacy":
        return scenario.model_copy(update={"stress": stress.model_copy(update={"legacy": None})})
    calm = population.panic_seller.model_copy(update={"react_probability": 0.0})
    return scenario.model_copy(
        update={"population": population.model_copy(update={"panic_seller": calm})}
    )


def claim_levers(variant) -> list[str]:
    """The levers a re-run is also run without (same seed): subsidies, legacy points, the
    panic reaction, those the scenario has."""
    return [
        lever
        for lever, present in (
            ("subsidies", bool(variant.stress.subsidies)),
            ("legacy", variant.stress.legacy is not None),
            (PANIC, panics(variant)),
        )
        if present
    ]


def rerun_of(
    variant, seed: int, days: int | None, replicate: int = 0, result=None, lang: str = "en"
) -> Rerun:
    """One run of ``variant`` (``result`` if it is already run) with the runs without each of
    its :func:`claim_levers`, as the claims read it; its red flags explained in ``lang``."""
    result = simulate(variant, seed, days) if result is None else result
    rerun = Rerun(replicate, result.summary, result.members, layer=result.layer)
    rerun.red_flags = result.red_flags(lang)
    rerun.daily = result.timeseries()[list(DAILY)]
    for lever in claim_levers(variant):
        other = simulate(without(variant, lever), seed, days)
        rerun.without[lever] = other.summary
        rerun.without_daily[lever] = other.timeseries()[list(DAILY)]
    return rerun


def rerun_scenario(
    batch: Batch, name: str, count: int, lang: str = "en"
) -> tuple[list[Rerun], str]:
    """Replicates 0..count-1 of the scenario's first sweep point, run again, each also without
    its subsidies, without its legacy points and without its panic reaction when it has them
    (same seed); the red flags explained in ``lang``."""
    variant, why = first_point(batch, name)
    if variant is None:
        return [], why
    if count <= 0:
        return [], N_("re-runs were switched off (--reruns 0)")
    rows = batch.runs[
        (batch.runs["scenario"] == name)
        & (batch.runs["point"] == 0)
        & (batch.runs["status"] == "ok")
    ].sort_values("replicate")
    days = batch.manifest.get("days")
    reruns, note = [], ""
    for _, row in rows.head(count).iterrows():
        rerun = rerun_of(variant, int(row["seed"]), days, int(row["replicate"]), lang=lang)
        summary = rerun.summary
        if summary["orders"] != row["orders"] or summary["price_end"] != row["price_end"]:
            note = N_("a re-run differs from the batch (the code changed since it ran)")
        reruns.append(rerun)
    return reruns, note or ("" if reruns else N_("no successful run of the first point"))
