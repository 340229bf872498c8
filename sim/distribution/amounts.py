"""How much a rule pays on an order: a share of the order, or a fixed amount per pack.

Both round down to the fen, so a rule never pays more than its schedule says.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple


class Share(NamedTuple):
    """``share`` of the order's amount (seed 000: 0.3% direct), rounded down to the fen."""

    share: Fraction

    def of(self, amount: int) -> int:
        share = Fraction(self.share)
        if not 0 <= share <= 1:
            raise ValueError(f"a share must be in [0, 1], got {share}")
        return share.numerator * amount // share.denominator


class PerPack(NamedTuple):
    """``fen`` for every whole pack of ``pack`` fen in the order (seed 004: 100 per 1000 pack);
    with no ``pack``, ``fen`` per order whatever its amount."""

    fen: int
    pack: int | None = None

    def of(self, amount: int) -> int:
        if self.pack is None:
            return self.fen
        return self.fen * (amount // self.pack)


Amount = Share | PerPack


def yuan_per_pack(yuan: int, pack_yuan: int = 1000) -> PerPack:
    """A fixed amount in whole yuan per pack priced in whole yuan (the seeds' notation)."""
    return PerPack(yuan * 100, pack_yuan * 100)
