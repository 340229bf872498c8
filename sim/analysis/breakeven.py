"""The break-even law (SPEC §5): how many times a platform's cumulative orders must grow after a
member's order before that member's points are worth ``x`` times what they spent.

Derived from the mint rule (:func:`sim.core.rules.mint`), constant orders of ``A``, pool share
``s`` (so ``c = s·A`` per order), mint ratio ``m``, nobody selling:

1. order ``j+1`` mints ``m·c / p_j`` points at ``p_j = j·c / Q_j``, so ``Q_{j+1} = Q_j·(1 + m/j)``:
   the points grow like ``n^m`` and the price ``p_n = n·c / Q_n`` like ``n^(1−m)``;
2. the buyer of order ``k`` got ``m·c / p_{k−1}`` points, worth ``m·c·p_n / p_{k−1} ≈
   m·c·(n/k)^(1−m)`` after ``n`` orders;
3. that is ``x·A`` when ``n/k = (x·A / (m·c))^(1/(1−m)) = (x / (m·s))^(1/(1−m))``.

Step 1 is exact: ``Q_n ∝ Γ(n+m)/Γ(n)``, so the buyer of order ``k`` holds
``m·s · Γ(n+1)/Γ(n+m) · Γ(k−1+m)/Γ(k)`` times their spend. Step 2's power law is its large-``k``
form: for ``k ≥ 10`` it is within ``(2−m)/(2k)`` of it (6.5% at ``k = 10``, 0.65% at 100),
and it misses buyer 1, who was minted at the start price (see :func:`first_reached`).

:func:`first_reached` measures the same thing exactly, to the point unit, through the rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from sim.core import rules
from sim.core.mechanics import POOL, Mechanics
from sim.core.units import fen_to_yuan
from sim.errors import InputError
from sim.i18n import gettext, money

DEFAULT_MAX_ORDERS = 5_000_000  # about 10 s of stepping; beyond, "not reached"
BASES = ("spend", "grant_value")


def growth_needed(multiple: float, pool_share: float, mint_ratio: float) -> float | None:
    """Growth factor ``n/k`` of cumulative orders after a member's order (the ``k``-th) until
    their points are worth ``multiple`` × their spend: ``(x / (m·s))^(1/(1−m))``.

    1.0 when the points are worth that at once (``m·s ≥ x``); None when never (no points
    are minted, or ``m = 1`` and the price does not rise)."""
    _check_law_inputs(pool_share, mint_ratio)
    if multiple <= 0:
        raise ValueError(f"multiple must be > 0, got {multiple}")
    at_entry = mint_ratio * pool_share  # the points' worth, as a multiple of spend, at entry
    if at_entry >= multiple:
        return 1.0
    if at_entry == 0 or mint_ratio == 1:
        return None
    return (multiple / at_entry) ** (1 / (1 - mint_ratio))


def multiple_after(growth: float, pool_share: float, mint_ratio: float) -> float:
    """The inverse: what a member's points are worth, as a multiple of their spend, once
    cumulative orders have grown ``growth``-fold since their order: ``m·s·g^(1−m)``."""
    _check_law_inputs(pool_share, mint_ratio)
    if growth < 1:
        raise ValueError(f"growth must be >= 1 (orders only accumulate), got {growth}")
    return mint_ratio * pool_share * growth ** (1 - mint_ratio)


def _check_law_inputs(pool_share: float, mint_ratio: float) -> None:
    for name, ratio in (("pool_share", pool_share), ("mint_ratio", mint_ratio)):
        if not 0 <= ratio <= 1:
            raise ValueError(f"{name} must be in [0, 1], got {ratio}")


def first_reached(
    mechanics: Mechanics,
    entries: Iterable[int],
    multiples: Iterable[Fraction | Decimal | int | float],
    *,
    against: str = "spend",
    max_orders: int = DEFAULT_MAX_ORDERS,
) -> dict[tuple[int, Fraction], int | None]:
    """Exact simulation: constant orders of ``mechanics.order_amount``, each by a new member,
    no selling, no forced exit. For the buyer of each order number in ``entries`` and each
    multiple ``x``, the first cumulative order count ``n`` after which their points are worth
    ``x`` × their spend (or × the points' value at grant, ``against="grant_value"``); None if
    not within ``max_orders``. Keys are ``(entry, Fraction(x))``.

    Steps :meth:`sim.core.book.Book.buy` without its ledger — split, mint at the price before the
    order, pool and points up, reprice — through the same rules (the tests check it against
    the Book), because the Book keeps a record per member and costs five times as much per
    order. Who buys does not move the price when nobody sells, so only the tracked buyers'
    grants are kept. A per-order cap on points (``max_points_per_order``) applies here; the
    law ignores it. "Worth ``x``" is the rules' own forced-exit test
    (:func:`sim.core.rules.exit_trigger`), and the price only rises here, so each buyer's target
    is one price to pass.

    Buyer 1 differs from the law: the law's price before order ``k`` is ``∝ k^(1−m)``, but
    buyer 1 is minted at the start price, which is ``Γ(m)`` (1.30 for ``m = 0.7``) times
    lower relative to the later price path, so its points are worth 1.30x the law's figure and
    it needs only ``Γ(m)^(−1/(1−m))`` (0.42) of the law's growth: 76 orders for 1x, 768 for 2x
    (SPEC §5's seeds: price 4.76 and 767 orders).
    """
    if against not in BASES:
        raise ValueError(f"against must be one of {BASES}, got {against!r}")
    entries = sorted(set(entries))
    if not entries or entries[0] < 1:
        raise ValueError("entries must be order numbers >= 1")
    targets = sorted({_exact(x) for x in multiples})
    found: dict[tuple[int, Fraction], int | None] = {(k, x): None for k in entries for x in targets}
    amount = mechanics.order_amount
    contribution = rules.split_order(amount, mechanics.split_table)[POOL]
    ratio, cap = mechanics.mint_ratio, mechanics.max_points_per_order
    upcoming = entries[::-1]  # entries still to come, next one last
    pool = points = 0
    price = mechanics.start_price_per_unit
    # (trigger price as numerator, denominator, entry, x), lowest trigger last
    pending: list[tuple[int, int, int, Fraction]] = []
    for n in range(1, max_orders + 1):
        before = price
        granted = rules.mint(contribution, before, ratio, cap)
        pool += contribution
        points += granted
        price = rules.price(pool, points, price)
        if upcoming and n == upcoming[-1]:
            upcoming.pop()
            reference = amount if against == "spend" else rules.grant_value(granted, before)
            for x in targets:
                trigger = rules.exit_trigger(granted, reference, 0, x)
                if trigger is not None:  # None: no points, never worth anything
                    pending.append((trigger.numerator, trigger.denominator, n, x))
            pending.sort(key=lambda t: Fraction(t[0], t[1]), reverse=True)
        # price >= trigger, in integers (a Fraction comparison costs more than an order)
        while pending and price.numerator * pending[-1][1] >= pending[-1][0] * price.denominator:
            *_, k, x = pending.pop()
            found[(k, x)] = n
        if not pending and not upcoming:
            break
    return found


def _exact(multiple: Fraction | Decimal | int | float) -> Fraction:
    """A multiple as an exact fraction (a float by its shortest decimal: 1.2 is 6/5)."""
    value = Fraction(str(multiple)) if isinstance(multiple, float) else Fraction(multiple)
    if value <= 0:
        raise ValueError(f"multiple must be > 0, got {multiple}")
    return value


MAX_MULTIPLE = 1_000_000  # --multiples: a million times one's spend is already never reached


def parse_multiples(texts: Sequence[str] | None) -> list[Decimal] | None:
    """``--multiples`` from the command line: positive decimals (None: the defaults)."""
    if texts is None:
        return None
    out = []
    for text in texts:
        try:
            value = Decimal(text.strip().lower().removesuffix("x"))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value <= 0 or value > MAX_MULTIPLE:
            raise InputError(
                f"expected multiples > 0 and at most {MAX_MULTIPLE:,} such as 1 2 3, "
                f"got '{text[:40]}'",
                key="--multiples",
            )
        if value.normalize().as_tuple().exponent < -6:
            raise InputError(
                f"expected multiples with at most 6 decimals, got '{text[:40]}'",
                key="--multiples",
            )
        out.append(value)
    return out


def law_table(
    scenario,
    multiples: Sequence[Decimal | int | float] | None = None,
    entry: int | None = None,
    max_orders: int = DEFAULT_MAX_ORDERS,
) -> list[dict]:
    """One row per multiple — 1x, 2x and the scenario's exit cap by default — with the law's
    growth factor and, if ``entry`` is given, the factor simulated for the buyer of that order.

    Row keys: ``label``, ``multiple``, ``basis`` (``spend``, or ``grant_value`` for a cap on
    the points' value at grant), ``multiple_of_spend`` (the law's ``x``), ``law_growth``
    (None: never), ``entry``, ``simulated_orders`` and ``simulated_growth`` (None: not
    simulated, or not reached within ``max_orders``), ``max_orders``.
    """
    mech = scenario.mechanics()
    share, mint = float(mech.pool_share), float(mech.mint_ratio)
    chosen = (1, 2) if multiples is None else multiples
    wanted = [(Decimal(str(x)), "spend", False) for x in chosen]
    cap = scenario.points.exit_multiple
    if multiples is None and cap is not None:
        basis = scenario.points.exit_against
        wanted = [w for w in wanted if not (w[0] == cap and basis == "spend")]
        wanted.append((cap, basis, True))
    rows = []
    wanted.sort(key=lambda w: w[0] * (Decimal(str(mint * share)) if w[1] == "grant_value" else 1))
    for x, basis, is_cap in wanted:
        of_spend = float(x) * (mint * share if basis == "grant_value" else 1.0)
        law = growth_needed(of_spend, share, mint) if of_spend > 0 else None
        rows.append(
            {
                "label": _label(x, basis, is_cap),
                "multiple": float(x),
                "basis": basis,
                "multiple_of_spend": of_spend,
                "law_growth": law,
                "entry": entry,
                "simulated_orders": None,
                "simulated_growth": None,
                "max_orders": max_orders,
            }
        )
    if entry is not None:
        for basis in BASES:
            mine = [r for r in rows if r["basis"] == basis and r["law_growth"] is not None]
            if not mine:
                continue  # the law says never: no point stepping max_orders orders to see it
            xs = [Decimal(str(r["multiple"])) for r in mine]
            found = first_reached(mech, [entry], xs, against=basis, max_orders=max_orders)
            for row, x in zip(mine, xs, strict=True):
                orders = found[(entry, Fraction(x))]
                row["simulated_orders"] = orders
                row["simulated_growth"] = None if orders is None else orders / entry
    return rows


def _label(multiple: Decimal, basis: str, is_cap: bool) -> str:
    text = f"{multiple.normalize():f}x"
    if basis == "grant_value":
        text += " grant value"
    return text + (" (exit cap)" if is_cap else "")


def describe(scenario, rows: list[dict], lang: str = "en") -> str:
    """The table and a two-sentence explanation, for the terminal, in ``lang``."""
    _ = gettext(lang)
    mech = scenario.mechanics()
    share, mint = float(mech.pool_share), float(mech.mint_ratio)
    entry = next((r["entry"] for r in rows if r["entry"] is not None), None)
    multiple, law = _("multiple"), _("law: orders must grow")
    head = f"{multiple:<22} {law:>22}"
    if entry is not None:
        head += _("   simulated, buyer of order {entry}").format(entry=f"{entry:,}")
    lines = [
        _(
            "Break-even law for scenario '{scenario}': pool {share} of each {amount} yuan "
            "order, mint ratio {mint}, constant orders, nobody selling"
        ).format(
            scenario=scenario.name,
            share=f"{share:.0%}",
            amount=money(fen_to_yuan(mech.order_amount), lang),
            mint=f"{mint:g}",
        ),
        head,
    ]
    for row in rows:
        law = row["law_growth"]
        growth = _("never") if law is None else f"{law:,.1f}x"
        line = f"{_label_in(row['label'], _):<22} {growth:>22}"
        if entry is not None:
            line += "   " + _simulated(row, _)
        lines.append(line)
    lines.append(_explanation(share, mint, rows, _))
    return "\n".join(lines)


def _label_in(label: str, _) -> str:
    """A multiple's label (``3x grant value (exit cap)``) with its words in the language."""
    return label.replace(" grant value", _(" grant value")).replace(" (exit cap)", _(" (exit cap)"))


def _simulated(row: dict, _) -> str:
    if row["law_growth"] is None:
        return _("not simulated (never, by the law)")
    orders = row["simulated_orders"]
    if orders is None:
        return _("not reached within {orders} orders").format(orders=f"{row['max_orders']:,}")
    return _("{growth}x (order {order})").format(
        growth=f"{row['simulated_growth']:,.1f}", order=f"{orders:,}"
    )


def _explanation(share: float, mint: float, rows: list[dict], _) -> str:
    reached = [r for r in rows if r["law_growth"] is not None]
    if not reached or mint >= 1:
        return _(
            "With these ratios new orders do not raise the points price, so a member's points "
            "never gain value from the platform's growth."
        )
    first, *rest = reached
    later = "".join(
        _(", {growth}·k for {label}").format(
            growth=f"{r['law_growth']:,.0f}", label=_label_in(r["label"], _)
        )
        for r in rest
    )
    return _(
        "With steady orders and nobody selling, the points price grows only like n^{power} "
        "after n orders, because each order adds {share} of its price to the pool but mints "
        "points worth only {minted} of it. So a member who joins when the platform has taken k "
        "orders must wait until it has taken about {first}·k orders for points worth {label} "
        "their spend{later}: every later member waits for ever more new money."
    ).format(
        power=f"{1 - mint:.2g}",
        share=f"{share:.0%}",
        minted=f"{mint * share:.0%}",
        first=f"{first['law_growth']:,.0f}",
        label=_label_in(first["label"], _),
        later=later,
    )


def to_json(rows: list[dict]) -> str:
    return json.dumps(rows, indent=2, allow_nan=False)
