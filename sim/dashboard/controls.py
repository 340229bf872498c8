"""The dashboard's controls: which scenario values a slider or a choice sets, by dotted path,
and the scenario a set of control values makes.

Pure functions over scenarios (no widget here), so what a control does is tested without a
browser: :func:`controls_for` lists the controls a scenario offers with its own values
(:func:`controls_of` the controls behind them), :func:`scenario_with` is the scenario to
run. The population mix is shown as two shares (referrers, panic sellers; consumers are the
rest), so it always sums to 1; so does the order split, whose first line not moved takes up
the difference. The distribution rules are the scenario's own, none, or a preset (which
needs the split lines its rules are paid from).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sim.errors import InputError
from sim.i18n import N_
from sim.scenario.distribution_presets import PRESETS
from sim.scenario.points import SHIPPED, with_values
from sim.scenario.root import EXIT_AGAINST, Scenario
from sim.scenario.sections import INFLOW_KINDS

REFERRERS, PANIC = "mix.referrer", "mix.panic_seller"  # the mix, as the two shares shown


@dataclass(frozen=True)
class Control:
    """One control: ``path`` (a dotted scenario path, or a mix share), its label, the group
    it is shown in, and either a range (``low``, ``high``, ``step``) or ``choices``."""

    path: str
    label: str
    group: str
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    choices: tuple[str, ...] = ()
    whole: bool = False  # an int field (days, a day number)


CONTROLS = (
    Control("points.mint_ratio", N_("mint ratio"), "rules", 0.05, 1.0, 0.05),
    Control("points.sell_payout", N_("sell payout"), "rules", 0.05, 1.0, 0.05),
    Control("points.exit_multiple", N_("forced exit at (x spend)"), "rules", 1.0, 10.0, 0.5),
    Control(
        "points.exit_against", N_("forced exit measured against"), "rules", choices=EXIT_AGAINST
    ),
    Control("inflow.kind", N_("inflow"), "inflow", choices=INFLOW_KINDS),
    Control("inflow.rate", N_("walk-ins a day"), "inflow", 0.0, 500.0, 5.0),
    Control("inflow.growth", N_("daily growth of walk-ins"), "inflow", 0.0, 0.05, 0.001),
    Control("inflow.decay_start_day", N_("decay starts on day"), "inflow", 0, 1000, 10, whole=True),
    Control(
        "inflow.half_life_days", N_("half-life of the decay (days)"), "inflow", 5.0, 365.0, 5.0
    ),
    Control(REFERRERS, N_("referrers (share of joiners)"), "population", 0.0, 0.5, 0.01),
    Control(PANIC, N_("panic sellers (share of joiners)"), "population", 0.0, 0.5, 0.01),
    Control(
        "stress.diversion.daily_share",
        N_("diverted a day (share of pool)"),
        "stress",
        0.0,
        0.05,
        0.001,
    ),
    Control("stress.custody_shortfall", N_("custody shortfall (share)"), "stress", 0.0, 0.5, 0.01),
    Control(
        "stress.withdrawal_cap",
        N_("withdrawal cap (yuan a day, 0: none)"),
        "stress",
        0,
        1_000_000,
        10_000,
        whole=True,
    ),
    Control(
        "stress.halt_day",
        N_("operator halts on day (0: never)"),
        "stress",
        0,
        3650,
        10,
        whole=True,
    ),
)
BY_PATH = {control.path: control for control in CONTROLS}
OFF_AT_ZERO = ("stress.withdrawal_cap", "stress.halt_day")  # 0 shown for "none" (null)


SPLIT = "order.split."  # a split line's share: order.split.<line>
PRESET = "distribution.preset"
AS_WRITTEN, NO_LAYER = "as written", "none"  # the preset control's other choices


def controls_of(values: dict[str, Any]) -> list[Control]:
    """The controls behind ``values`` (:func:`controls_for`), in the order shown: the fixed
    ones, each line of the order split, the distribution preset."""
    split = [
        Control(path, f"split: {path.removeprefix(SPLIT)}", "split", 0.0, 1.0, 0.01)
        for path in values
        if path.startswith(SPLIT)
    ]
    preset = Control(
        PRESET, N_("distribution rules"), "distribution", choices=(AS_WRITTEN, NO_LAYER, *PRESETS)
    )
    return [*CONTROLS, *split, preset]


def shipped_names() -> list[str]:
    """The shipped scenarios a user can pick, but the 9-million-member case."""
    return sorted(p.stem for p in SHIPPED.glob("*.yaml") if not p.stem.startswith("largest"))


def controls_for(scenario: Scenario) -> dict[str, Any]:
    """Each control's value in ``scenario`` (a control the scenario has no value for, such as
    the exit multiple of a scenario without one, is left out)."""
    data = scenario.model_dump()
    values: dict[str, Any] = {}
    for control in CONTROLS:
        if control.path.startswith("mix."):
            value = data["population"]["mix"].get(control.path[4:], 0.0)
        else:
            value = data
            for part in control.path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value is None and control.path in OFF_AT_ZERO:
                value = 0
        if value is None:
            continue
        values[control.path] = _shown(value, control)
    for line, share in data["order"]["split"].items():
        values[SPLIT + line] = float(share)
    values[PRESET] = AS_WRITTEN
    return values


def scenario_with(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """``scenario`` with the controls' ``values`` (only those that differ from its own are
    set, so an untouched dashboard runs the scenario as written)."""
    own = controls_for(scenario)
    changed = {path: value for path, value in values.items() if own.get(path) != value}
    if REFERRERS in changed or PANIC in changed:
        data = scenario.model_dump()
        mix = data["population"]["mix"]
        mix["referrer"] = float(values.get(REFERRERS, mix.get("referrer", 0.0)))
        mix["panic_seller"] = float(values.get(PANIC, mix.get("panic_seller", 0.0)))
        mix["consumer"] = max(round(1.0 - mix["referrer"] - mix["panic_seller"], 12), 0.0)
        data.pop("sweep", None)
        scenario = type(scenario).from_dict(data)
    split = {p.removeprefix(SPLIT): v for p, v in changed.items() if p.startswith(SPLIT)}
    if split or changed.get(PRESET, AS_WRITTEN) != AS_WRITTEN:
        scenario = _with_split_and_rules(scenario, split, changed.get(PRESET, AS_WRITTEN))
    overrides: dict[str, Any] = {}
    for path, value in changed.items():
        if path.startswith(("mix.", SPLIT, PRESET)):
            continue
        if path in OFF_AT_ZERO and not value:
            value = None
        overrides[path] = value
    return with_values(scenario, overrides)


def _with_split_and_rules(scenario: Scenario, split: dict[str, float], preset: str) -> Scenario:
    """``scenario`` with the split lines moved (the first line not moved takes up the
    difference, so the shares still sum to 1) and the distribution rules a preset, none, or
    as written; a split the rules cannot be paid from is refused by the scenario's checks."""
    data = scenario.model_dump()
    data.pop("sweep", None)
    shares = {line: Decimal(str(share)) for line, share in data["order"]["split"].items()}
    for line, share in split.items():
        shares[line] = Decimal(str(share))
    rest = [line for line in shares if line not in split]
    if split and rest:
        shares[rest[0]] += 1 - sum(shares.values())
        if shares[rest[0]] < 0:
            raise InputError(
                f"the split's lines but '{rest[0]}' take {float(1 - shares[rest[0]]):.0%} of "
                f"an order; '{rest[0]}' cannot make up the difference",
                key="order.split",
            )
    data["order"]["split"] = shares
    if preset == NO_LAYER:
        data["distribution"] = None
    elif preset != AS_WRITTEN:
        layer = dict(data.get("distribution") or {})
        layer.update(preset=preset, rules=[], ladder=None)
        data["distribution"] = layer
    return type(scenario).from_dict(data)


def _shown(value: Any, control: Control) -> Any:
    if control.choices:
        return str(value)
    if control.whole:
        return int(value)
    return float(Decimal(str(value)))
