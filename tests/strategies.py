"""Shared hypothesis strategies: valid mechanics and event streams (STYLE §11)."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import strategies as st

from sim.core.mechanics import Mechanics

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
