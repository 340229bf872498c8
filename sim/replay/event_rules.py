"""What a row of a platform's event log may hold: its columns, actions and kinds, the
limits of its values, the event a row becomes and the exact conversion of its amounts.

Both readers of a log use these (:mod:`sim.replay.eventlog`, row by row, the reference for
every rule and message; :mod:`sim.replay.parquet_batches`, a batch at a time).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from sim.core.units import points_to_units, yuan_to_fen

COLUMNS = ("day", "member", "action", "amount")
OPTIONAL = ("sponsor", "source_member", "kind")
ACTIONS = ("join", "buy", "sell", "withdraw", "bonus", "fee")
ALL = "all"
YUAN_ACTIONS = ("buy", "withdraw", "bonus", "fee")

# the ``kind`` of a bonus row: what the platform's records call the payment (the README maps
# each to the rules that pay it); empty means ``other``
BONUS_KINDS = (
    "direct",  # 直推: the buyer's sponsor
    "indirect",  # 间推: the sponsor's sponsor
    "see_point",  # 见点: every order some levels down
    "differential",  # 级差: the difference between two ranks' rates
    "peer",  # 平级: a rank's equal above
    "dividend",  # 分红: a share of a pool (tiers, shareholders)
    "regional",  # 区域代理: a region's agent
    "service",  # 服务中心: a service point's owner
    "merchant",  # a merchant's recruiter
    "other",
)
# the ``kind`` of a fee row (what was bought) and the ledger account it enters; empty: other
FEE_KINDS = ("region", "service_point", "membership", "other")
# the ``kind`` of a withdraw row: ``paid`` (the default: money left the platform) or
# ``requested`` (the member asked; the platform's records show it queued, not yet paid)
WITHDRAW_KINDS = ("paid", "requested")
KINDS_OF = {"bonus": BONUS_KINDS, "fee": FEE_KINDS, "withdraw": WITHDRAW_KINDS}
DEFAULT_KIND = {"bonus": "other", "fee": "other", "withdraw": "paid"}
HEADER = ",".join(COLUMNS)


class Event(NamedTuple):
    """One row of the log. ``amount`` is fen for buy, withdraw, bonus and fee, point units
    for a sale, None for ``sell all`` and a join. ``other`` is the sponsor of a join or the
    member whose order earned a bonus (None: not given); ``kind`` is set for bonus, fee and
    withdraw rows (their defaults filled in), None otherwise. A named tuple: a log of tens of
    millions of rows makes as many (a frozen dataclass takes three times as long to make)."""

    line: int
    day: int
    member: str
    action: str
    amount: int | None
    other: str | None = None
    kind: str | None = None


@lru_cache(maxsize=1 << 16)
def exact(text: str, in_yuan: bool, unit: int) -> int:
    """Decimal text as fen (yuan) or point units, exactly; a log repeats few amounts, so
    each is worked out once (an error is raised again each time: it is not cached)."""
    if in_yuan:
        return yuan_to_fen(text, "an amount in yuan")
    return points_to_units(text, unit, "a number of points or 'all'")


MAX_ID = 200  # characters of a member id
MAX_EVENT_DAY = 10**9  # day numbers (days since the platform opened; int64 in the trace)
