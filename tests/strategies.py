"""Shared hypothesis strategies: valid mechanics and event streams (STYLE §11)."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import strategies as st

from sim.core.mechanics import Mechanics
from sim.replay.event_rules import BONUS_KINDS, FEE_KINDS, Event

ratios = st.integers(0, 1000).map(lambda permille: F(permille, 1000))


@st.composite
def splits(draw):
    """A split with a pool line and up to four other named lines, shares summing to 1."""
    others = ["product_cost", "distribution", "platform", "merchant", "service_point"]
    names = ["pool", *draw(st.lists(st.sampled_from(others), unique=True, max_size=4))]
    cuts = sorted(
        draw(st.lists(st.integers(0, 1000), min_size=len(names) - 1, max_size=len(names) - 1))
    )
    bounds = [0, *cuts, 1000]
    shares = [F(bounds[i + 1] - bounds[i], 1000) for i in range(len(names))]
    order = draw(st.permutations(range(len(names))))
    return tuple((names[i], shares[i]) for i in order)


@st.composite
def mechanics(draw):
    decimals = draw(st.integers(0, 6))
    return Mechanics(
        split=draw(splits()),
        start_price=draw(st.sampled_from([F(1), F(1, 10), F(5, 2)])),
        mint_ratio=draw(ratios),
        sell_payout=draw(ratios),
        exit_multiple=draw(
            st.one_of(
                st.none(),
                st.sampled_from([F(6, 5), F(2), F(3), F(5)]),
                st.integers(1, 60).map(lambda t: F(t, 10)),
            )
        ),
        exit_points=draw(st.sampled_from(["held", "obtained"])),
        exit_against=draw(st.sampled_from(["spend", "grant_value"])),
        exit_counts_cash=draw(st.booleans()),
        decimals=decimals,
        max_points_per_order=draw(st.one_of(st.none(), st.integers(0, 500 * 10**decimals))),
        min_spend_to_sell=draw(st.sampled_from([0, 0, 50_000, 200_000])),
    )


# An action: ("buy", member, fen) or ("sell", member, share of holding in permille; 1000 = all)
actions = st.one_of(
    st.tuples(st.just("buy"), st.integers(0, 7), st.integers(1, 500_000)),
    st.tuples(st.just("buy"), st.integers(0, 7), st.sampled_from([100_000, 50_000, 1])),
    st.tuples(st.just("sell"), st.integers(0, 7), st.integers(1, 1000)),
)
action_lists = st.lists(actions, min_size=1, max_size=60)


REPLAY_MEMBERS = [f"m{i}" for i in range(4)]

# a replay's rows: (action, member, sponsor or source member, fen, kind)
replay_steps = st.lists(
    st.tuples(
        st.sampled_from(["join", "buy", "sell", "bonus", "withdraw", "request", "fee"]),
        st.integers(0, 3),  # the member
        st.integers(0, 3),  # a sponsor or source member
        st.integers(1, 300_000),  # fen
        st.integers(0, 9),  # a kind
    ),
    min_size=20,
    max_size=80,
)


def replay_event(book, records, line: int, day: int, step) -> Event | None:
    """The step as a row on ``day`` the replay (``book`` and ``records`` as they stand) accepts
    now, or None where the rules would refuse it."""
    action, who, other, fen, kind = step
    member, partner = REPLAY_MEMBERS[who], REPLAY_MEMBERS[other]
    known = records.members
    if action == "join":
        if member in known:
            return None
        sponsor = partner if partner in known and partner != member else None
        return Event(line, day, member, "join", None, sponsor)
    if action == "buy":
        return Event(line, day, member, "buy", fen)
    record = book.members.get(member)
    if action == "sell":
        if record is None or not record.held:
            return None
        if record.spent < book.mechanics.min_spend_to_sell:
            return None
        part = record.held * kind // 10  # kind 0 (or too few points): all of them
        return Event(line, day, member, "sell", part or None)
    if action == "bonus":
        source = partner if partner in known else None
        return Event(line, day, member, "bonus", fen, source, BONUS_KINDS[kind])
    if action == "fee":
        return Event(line, day, member, "fee", fen, None, FEE_KINDS[kind % len(FEE_KINDS)])
    balance = 0 if record is None else record.balance
    if action == "withdraw":
        amount = min(fen, balance)
        return Event(line, day, member, "withdraw", amount, None, "paid") if amount else None
    free = balance - records.queue.waiting(member)
    amount = min(fen, free)
    return Event(line, day, member, "withdraw", amount, None, "requested") if amount else None
