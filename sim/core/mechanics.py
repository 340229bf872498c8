"""The parameters of the scheme's rules, as one small frozen value the book and rules take.

Built from a scenario's ``order`` and ``points`` sections (:mod:`sim.scenario.root`) or directly
in a notebook. Everything is exact: money in fen, points in units, ratios as fractions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from sim.core.rules import SplitTable, split_order, split_table

ExitPoints = Literal["held", "obtained"]
ExitAgainst = Literal["spend", "grant_value"]

EXIT_POINTS: tuple[str, ...] = ("held", "obtained")
EXIT_AGAINST: tuple[str, ...] = ("spend", "grant_value")

POOL = "pool"
GOODS_LINES = ("product_cost", "merchant")  # split lines that pay for the goods or service
MEMBER_CASH = "member_cash"
WITHDRAWN = "withdrawn"
OPERATOR_DIVERTED = "operator_diverted"
CUSTODY_SHORTFALL = "custody_shortfall"
RESERVED_ACCOUNTS = (MEMBER_CASH, WITHDRAWN, OPERATOR_DIVERTED, CUSTODY_SHORTFALL)
PARTS_CACHED = 4096  # distinct order amounts whose split is kept (a replay may have many)


@dataclass(frozen=True)
class Mechanics:
    """How one order is split, how points are minted and sold, and when members are forced out.

    ``split`` maps each named line of an order (``pool`` required) to its share of the price.
    ``start_price`` is in yuan per point. ``exit_multiple`` None means no forced exit; the
    test is ``points * price (+ cash realised, if counted) >= multiple * reference`` where the
    points are those ``held`` now or ``obtained`` since entry, and the reference is the
    ``spend`` since entry or the ``grant_value`` (value of the points when granted).
    """

    split: tuple[tuple[str, Fraction], ...] = (
        ("product_cost", Fraction(3, 10)),
        ("distribution", Fraction(3, 10)),
        ("platform", Fraction(1, 10)),
        (POOL, Fraction(3, 10)),
    )
    order_amount: int = 100_000
    start_price: Fraction = Fraction(1)
    mint_ratio: Fraction = Fraction(7, 10)
    sell_payout: Fraction = Fraction(4, 5)
    exit_multiple: Fraction | None = None
    exit_points: ExitPoints = "obtained"
    exit_against: ExitAgainst = "spend"
    exit_counts_cash: bool = False
    decimals: int = 6
    max_points_per_order: int | None = None
    min_spend_to_sell: int = 0
    unit: int = field(init=False)
    split_table: SplitTable = field(init=False, repr=False, compare=False)
    _parts: dict = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", 10**self.decimals)
        names = [name for name, _ in self.split]
        if POOL not in names:
            raise ValueError("order split needs a 'pool' line")
        if len(set(names)) != len(names):
            raise ValueError("order split names a line twice")
        for name in RESERVED_ACCOUNTS:
            if name in names:
                raise ValueError(f"'{name}' is a reserved account name, not a split line")
        for name, share in self.split:
            if not 0 <= share <= 1:
                raise ValueError(f"share of '{name}' must be in [0, 1], got {float(share)}")
        total = sum((share for _, share in self.split), Fraction(0))
        if total != 1:
            raise ValueError(f"split shares must sum to 1, they sum to {float(total):.10g}")
        for name, ratio in (("mint_ratio", self.mint_ratio), ("sell_payout", self.sell_payout)):
            if not 0 <= ratio <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {float(ratio)}")
        if self.start_price <= 0:
            raise ValueError("start_price must be > 0")
        if self.order_amount < 0:
            raise ValueError("order amount must be >= 0")
        if self.exit_multiple is not None and self.exit_multiple <= 0:
            raise ValueError("exit_multiple must be > 0 or null")
        if self.exit_points not in EXIT_POINTS:
            raise ValueError(f"exit_points must be one of {EXIT_POINTS}")
        if self.exit_against not in EXIT_AGAINST:
            raise ValueError(f"exit_against must be one of {EXIT_AGAINST}")
        if not 0 <= self.decimals <= 12:
            raise ValueError("points decimals must be between 0 and 12")
        if self.max_points_per_order is not None and self.max_points_per_order < 0:
            raise ValueError("max_points_per_order must be >= 0 or null")
        if self.min_spend_to_sell < 0:
            raise ValueError("min_spend_to_sell must be >= 0")
        object.__setattr__(self, "split_table", split_table(self.split))

    def parts(self, amount: int) -> dict[str, int]:
        """The order split of ``amount`` fen (:func:`sim.core.rules.split_order`), worked
        out once per distinct amount: the book, the referral budget and the distribution
        layer all read an order's lines from here. The dict is shared: read it, never change
        it."""
        found = self._parts.get(amount)
        if found is None:
            found = split_order(amount, self.split_table)
            if len(self._parts) < PARTS_CACHED:
                self._parts[amount] = found
        return found

    @property
    def pool_share(self) -> Fraction:
        return dict(self.split)[POOL]

    @property
    def grant_share(self) -> Fraction:
        """What an order's points are worth at grant, as a share of its price (before the
        per-order cap): the mint ratio of its pool contribution (0.7 x 0.3 = 0.21)."""
        return self.mint_ratio * self.pool_share

    @property
    def start_price_per_unit(self) -> Fraction:
        """The start price in the book's own units: fen per point unit."""
        return self.start_price * 100 / self.unit
