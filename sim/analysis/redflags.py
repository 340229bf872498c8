"""Legal red flags of one run (SPEC §7): the facts a regulator or auditor checks, measured on
a run's members table and summary, each against its statutory threshold, with the numbers.

The flags say where a simulated platform stands against the thresholds the law sets; they do
not decide any case. Thresholds use "at least" (以上 includes the number itself).

The referral tree comes from the ``sponsor`` column, walked in join order (a sponsor always
joins before the recruit): one pass down for chain depths, one pass up for team sizes and
money, so millions of members cost two loops, never recursion.

Who counts as the top of a line. Levels count the organiser — the platform, which sits above
every member without a sponsor and takes a share of every order — as the first level, as the
2013 Opinion says ("包括组织者、领导者本人及其本层级在内"). Participants and money for the
pyramid thresholds are those of the largest team a member leads (the member and everyone below
them, counted with the member, as the Opinion counts a leader's own): the pyramid standard
measures what a leader built by recruiting. The platform's whole intake is measured by the
illegal-fund-raising flag; taking it here too would make any platform with 120 buyers
"serious" without any referral pay at all.

Where compensated depth comes from. Without a distribution layer, from the sponsor tree and
the scenario's two-level ``referral`` rule (who bought, who was paid, and how far up the rule
reaches). A run with the distribution layer (``summary["distribution"]``, SPEC §6) records
each payout's level, its distance up the network from the buyer, so the depth is read from
there: a payout at level L paid a member on a purchase L levels below them, a compensated
chain of L + 1 members, L + 2 levels with the organiser on top (a paid direct sponsor gives 3,
as in the tree). Payouts at level 0 (pools, regions, service points, merchants) are not along
the chain and add no depth. The flag takes the deeper of the two figures. The recruitment flag
adds what the layer paid and which share of it a recruit's first order triggered (拉人头),
later sales (团队计酬) or dividend pools.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from sim.core.mechanics import GOODS_LINES
from sim.errors import InputError

PYRAMID_PARTICIPANTS = 30
PYRAMID_LEVELS = 3
SERIOUS_PARTICIPANTS = 120
SERIOUS_MONEY = 250_000_000  # fen: 2.5 million yuan
FUNDRAISING_MONEY = 100_000_000  # fen: 1 million yuan
FUNDRAISING_PAYERS = 150
FUNDRAISING_LOSS = 50_000_000  # fen: 500,000 yuan

COLUMNS = (
    "member",
    "join_day",
    "sponsor",
    "spent",
    "cash_received",
    "bonuses_received",
    "forced_exits",
)

LAW_PYRAMID = (
    "《禁止传销条例》第七条；《刑法》第二百二十四条之一及立案追诉标准（三十人以上且层级三级以上）"
    " / Regulations on Prohibition of Pyramid Selling, Art. 7; Criminal Law Art. 224-1 and its "
    "filing standard (at least 30 participants and at least 3 levels)"
)
LAW_SERIOUS = (
    "两高一部《关于办理组织领导传销活动刑事案件适用法律若干问题的意见》（2013）：情节严重 / "
    "2013 Opinion of the SPC, SPP and MPS on pyramid-selling cases: serious circumstances "
    "(120 participants or 2.5 million yuan)"
)
LAW_FUNDRAISING = (
    "《防范和处置非法集资条例》（2021）；最高人民法院非法集资司法解释（2022年修正） / "
    "Regulations on Preventing and Handling Illegal Fund-raising (2021); SPC interpretation on "
    "illegal fund-raising cases (2022 amendment)"
)
LAW_ENTRY_FEE = (
    "《禁止传销条例》第七条第（二）项：入门费 / Regulations on Prohibition of Pyramid Selling, "
    "Art. 7(2): an entry fee, including one paid through a required purchase"
)
LAW_RECRUITMENT = (
    "《禁止传销条例》第七条第（一）、（三）项：拉人头、团队计酬 / Regulations on Prohibition of "
    "Pyramid Selling, Art. 7(1) pay by recruits and 7(3) pay on the downline's sales"
)
LAW_PROMISE = (
    "《防范和处置非法集资条例》第二条：许诺还本付息或者给予其他投资回报 / Regulations on "
    "Preventing and Handling Illegal Fund-raising, Art. 2: promising principal and returns"
)


@dataclass(frozen=True)
class Flag:
    """One legal test: what was measured, against which threshold, and whether it is reached.
    ``values`` are ``(name, value)`` pairs; money is in yuan (names ending ``_yuan``)."""

    key: str
    law: str
    raised: bool
    values: tuple[tuple[str, float | int | str], ...]
    threshold: str
    explanation: str

    @property
    def measured(self) -> dict[str, float | int | str]:
        return dict(self.values)


class Tree:
    """The referral tree of a members table, in join order (positions, not member ids)."""

    def __init__(self, members: pd.DataFrame) -> None:
        missing = [c for c in COLUMNS if c not in members.columns]
        if missing:
            raise InputError(
                "missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing),
                file="members table",
            )
        table = members.sort_values(["join_day", "member"], kind="stable").reset_index(drop=True)
        ids = pd.Index(table["member"])
        if not ids.is_unique:
            raise InputError("a member id appears twice", file="members table", key="member")
        known = table["sponsor"].notna().to_numpy()
        sponsors = table["sponsor"][known]
        if pd.api.types.is_integer_dtype(ids.dtype):  # a column with nulls reads as floats
            sponsors = sponsors.astype("int64")
        parent = np.full(len(table), -1, dtype=np.int64)
        parent[known] = ids.get_indexer(sponsors.to_numpy())
        _check_parents(table, parent, known)
        self.table = table
        self.parent = parent
        self.spent = fen(table["spent"])
        self.cash = fen(table["cash_received"])
        self.bonus = fen(table["bonuses_received"])

    def team_sums(self, weights: np.ndarray) -> np.ndarray:
        """Each member's team total (the member and everyone below): one pass up, latest
        joiners first, each adding their total to their sponsor's."""
        totals = [int(w) for w in weights]
        for child, parent in zip(
            range(len(totals) - 1, -1, -1), self.parent[::-1].tolist(), strict=True
        ):
            if parent >= 0:
                totals[parent] += totals[child]
        return np.array(totals, dtype=np.int64)

    def compensated_links(self, direct: bool, indirect: bool) -> np.ndarray:
        """For each member, whether the link to their sponsor carried a bonus: some purchase at
        or below the member paid the sponsor or someone above them within the rule's reach.

        Read from the totals (who bought, who was paid): with the direct reward (one level
        up) a buyer's link carries pay when the sponsor was paid; with the indirect reward (two
        levels up) a buyer's link carries pay when the sponsor's sponsor was paid, and the
        link above a member with a buying recruit when the member's sponsor was paid."""
        parent = self.parent
        has_parent = parent >= 0
        up = np.where(has_parent, parent, 0)
        paid = self.bonus > 0
        bought = self.spent > 0
        paid_parent = has_parent & paid[up]
        grand = np.where(has_parent, parent[up], -1)
        paid_grand = (grand >= 0) & paid[np.where(grand >= 0, grand, 0)]
        buying_recruit = np.zeros(len(parent), dtype=bool)
        buying_recruit[parent[bought & has_parent]] = True
        links = np.zeros(len(parent), dtype=bool)
        if direct:
            links |= bought & paid_parent
        if indirect:
            links |= (bought & paid_grand) | (buying_recruit & paid_parent)
        return links

    def deepest_chain(self, links: np.ndarray) -> int:
        """Members in the longest chain of consecutive compensated links (one pass down); 1
        when nobody was paid but someone bought (a buyer alone), 0 when nobody bought."""
        chain = [1] * len(links)
        for child, (parent, link) in enumerate(
            zip(self.parent.tolist(), links.tolist(), strict=True)
        ):
            if link:
                chain[child] = chain[parent] + 1
        if links.any():
            return max(chain)
        return 1 if (self.spent > 0).any() else 0


def _check_parents(table: pd.DataFrame, parent: np.ndarray, known: np.ndarray) -> None:
    """Every sponsor is a member who joined before their recruit."""
    unknown = known & (parent < 0)
    late = known & (parent >= np.arange(len(parent)))
    for bad, problem in (
        (unknown, "is not a member of the table"),
        (late, "did not join before them"),
    ):
        rows = np.flatnonzero(bad)
        if len(rows):
            member, sponsor = (_id(table[c].iloc[rows[0]]) for c in ("member", "sponsor"))
            raise InputError(
                f"member {member}'s sponsor {sponsor} {problem}",
                file="members table",
                key="sponsor",
            )


def _id(value) -> str:
    """A member id as written (a whole float, as a nullable id column reads, without .0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fen(column: pd.Series) -> np.ndarray:
    """Yuan (float, exact to the fen) as integer fen, so sums and thresholds are exact."""
    values = column.to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise InputError(
            "expected amounts of yuan >= 0, found a negative or missing value",
            file="members table",
            key=str(column.name),
        )
    return np.rint(values * 100).astype(np.int64)


def red_flags(members: pd.DataFrame, summary: dict, scenario) -> list[Flag]:
    """The six flags of SPEC §7 for one run: ``members`` is its members table (the columns of
    ``python -m sim run``'s members.parquet), ``summary`` its summary.json (its
    ``distribution`` entry, when the run had the layer, gives the pyramid and recruitment
    flags their depth and shares), ``scenario`` the scenario it ran."""
    tree = Tree(members)
    layer = summary.get("distribution")
    pyramid = _pyramid(tree, scenario, layer)
    return [
        pyramid,
        _serious(tree, pyramid),
        _fundraising(tree, summary),
        _entry_fee(tree, scenario),
        _recruitment(tree, scenario, layer),
        _promise(tree, scenario),
    ]


def distribution_levels(deepest_level: int) -> int:
    """Levels, counted as the 2013 Opinion counts them, of a compensated chain whose deepest
    payout was ``deepest_level`` levels up from the buyer: the paid member, everyone down to
    the buyer, and the organiser on top (L + 2); 0 when nothing was paid along the chain."""
    return deepest_level + 2 if deepest_level > 0 else 0


def _pyramid(tree: Tree, scenario, layer: dict | None) -> Flag:
    referral = scenario.referral
    links = tree.compensated_links(referral.direct > 0, referral.indirect > 0)
    from_tree = 1 + tree.deepest_chain(links)
    deepest = int(layer.get("deepest_level") or 0) if layer is not None else 0
    from_layer = distribution_levels(deepest)
    levels = max(from_tree, from_layer)
    teams = tree.team_sums(np.ones(len(tree.parent), dtype=np.int64))
    top = int(np.argmax(teams)) if len(teams) else None
    participants = 0 if top is None else int(teams[top])
    raised = levels >= PYRAMID_LEVELS and participants >= PYRAMID_PARTICIPANTS
    reached = "reaching both" if raised else "not reaching both"
    values: tuple[tuple[str, float | int | str], ...] = (
        ("levels", levels),
        ("participants", participants),
        ("largest_team_leader", "" if top is None else _id(tree.table["member"].iloc[top])),
        ("compensated_links", int(links.sum())),
    )
    if layer is None:
        depth = (
            "The deepest chain of members paid bonuses on purchases below them, with the "
            f"platform on top as the organiser, has {levels} levels"
        )
    else:
        source = "distribution layer" if from_layer >= from_tree else "referral rule"
        values += (("deepest_level_paid", deepest), ("depth_source", source))
        depth = _layer_depth(deepest, levels, from_layer >= from_tree)
    return Flag(
        key="pyramid_levels",
        law=LAW_PYRAMID,
        raised=raised,
        values=values,
        threshold=f"levels >= {PYRAMID_LEVELS} and participants >= {PYRAMID_PARTICIPANTS}",
        explanation=(
            f"{depth}, and the largest team (one member and everyone below them) has "
            f"{participants:,} participants, {reached} of the filing thresholds of "
            f"{PYRAMID_LEVELS} levels and {PYRAMID_PARTICIPANTS} participants."
        ),
    )


def _layer_depth(deepest: int, levels: int, from_layer: bool) -> str:
    """Where a distribution run's compensated depth came from, in words."""
    below = "1 level" if deepest == 1 else f"{deepest} levels"
    if from_layer:
        return (
            f"The distribution layer paid a member on a purchase {below} below them, a chain "
            f"of {deepest + 1} members; with the platform on top as the organiser that makes "
            f"{levels} levels"
        )
    paid = (
        "paid no member on a purchase below them (only pools, regions, service points or merchants)"
        if deepest == 0
        else f"paid a member on a purchase at most {below} below them"
    )
    return (
        f"The distribution layer {paid}; the deepest chain the referral rule paid along, read "
        f"from the sponsor tree with the platform on top as the organiser, has {levels} levels"
    )


def _serious(tree: Tree, pyramid: Flag) -> Flag:
    money = tree.team_sums(tree.spent)
    top_money = int(money.max()) if len(money) else 0
    participants = pyramid.measured["participants"]
    reached = participants >= SERIOUS_PARTICIPANTS or top_money >= SERIOUS_MONEY
    raised = pyramid.raised and reached
    if raised:
        verdict = "so the pyramid test above is met with serious circumstances"
    elif reached:
        verdict = "but the pyramid test above is not met, so there is nothing to aggravate"
    else:
        verdict = "below both"
    return Flag(
        key="pyramid_serious",
        law=LAW_SERIOUS,
        raised=raised,
        values=(
            ("participants", participants),
            ("team_money_yuan", top_money / 100),
            ("platform_money_yuan", int(tree.spent.sum()) / 100),
        ),
        threshold=(
            f"pyramid_levels raised and (participants >= {SERIOUS_PARTICIPANTS} or team money "
            f">= {_yuan(SERIOUS_MONEY)})"
        ),
        explanation=(
            f"The largest team has {participants:,} participants and the team that paid in "
            f"most paid {_yuan(top_money)}, against {SERIOUS_PARTICIPANTS} participants or "
            f"{_yuan(SERIOUS_MONEY)}: {verdict}."
        ),
    )


def _fundraising(tree: Tree, summary: dict) -> Flag:
    absorbed = int(tree.spent.sum())
    payers = int((tree.spent > 0).sum())
    loss = int(np.maximum(0, tree.spent - tree.cash - tree.bonus).sum())
    financing = summary.get("money_entered_by_source", {}).get("financing", 0.0)
    hits = [
        absorbed >= FUNDRAISING_MONEY,
        payers >= FUNDRAISING_PAYERS,
        loss >= FUNDRAISING_LOSS,
    ]
    return Flag(
        key="illegal_fundraising",
        law=LAW_FUNDRAISING,
        raised=any(hits),
        values=(
            ("absorbed_yuan", absorbed / 100),
            ("payers", payers),
            ("direct_loss_yuan", loss / 100),
            ("financing_yuan", float(financing)),
        ),
        threshold=(
            f"absorbed >= {_yuan(FUNDRAISING_MONEY)} or payers >= {FUNDRAISING_PAYERS} or "
            f"direct loss >= {_yuan(FUNDRAISING_LOSS)}"
        ),
        explanation=(
            f"{payers:,} members paid in {_yuan(absorbed)} and those who got back less cash "
            f"than they paid are short {_yuan(loss)} in all, against thresholds of "
            f"{_yuan(FUNDRAISING_MONEY)}, {FUNDRAISING_PAYERS} payers or {_yuan(FUNDRAISING_LOSS)} "
            f"of loss: {sum(hits)} of 3 reached."
        ),
    )


def _entry_fee(tree: Tree, scenario) -> Flag:
    split = dict(scenario.order.split)
    goods = float(sum(split.get(line, 0) for line in GOODS_LINES))
    other = 1 - goods
    pool, mint = float(split["pool"]), float(scenario.points.mint_ratio)
    amount = float(scenario.order.amount)
    returns = mint > 0 and pool > 0  # points, and with them any exit multiple, come with orders
    unpaid_earners = int(((tree.bonus > 0) & (tree.spent == 0)).sum())
    raised = returns and other > 0
    if raised:
        explanation = (
            f"Points, the scheme's return, come only with an order of {amount:,.2f} yuan, of "
            f"which {goods:.0%} pays for the goods and {other:.0%} ({other * amount:,.2f} yuan) "
            "does not: a required purchase that works as an entry fee."
        )
    else:
        explanation = (
            f"No order buys a right to returns beyond the goods (mint ratio {mint:g}, pool "
            f"{pool:.0%}, {other:.0%} of the price not for the goods)."
        )
    return Flag(
        key="entry_fee",
        law=LAW_ENTRY_FEE,
        raised=raised,
        values=(
            ("order_amount_yuan", amount),
            ("goods_share", goods),
            ("non_goods_share", other),
            ("pool_share", pool),
            ("mint_ratio", mint),
            ("bonus_earners_who_never_bought", unpaid_earners),
        ),
        threshold="points minted only on purchases, and a share of the price not for the goods",
        explanation=explanation,
    )


def _recruitment(tree: Tree, scenario, layer: dict | None) -> Flag:
    bonuses = int(tree.bonus.sum())
    payouts = bonuses + int(tree.cash.sum())
    share = bonuses / payouts if payouts else 0.0
    values: tuple[tuple[str, float | int | str], ...] = (
        ("bonuses_yuan", bonuses / 100),
        ("share_of_payouts", share),
        ("members_paid_bonuses", int((tree.bonus > 0).sum())),
        ("member_payouts_yuan", payouts / 100),
    )
    if layer is None:
        referral = scenario.referral
        rule = f"direct {float(referral.direct):.2%}, indirect {float(referral.indirect):.2%}"
        return Flag(
            key="recruitment_pay",
            law=LAW_RECRUITMENT,
            raised=bonuses > 0,
            values=values,
            threshold="any bonus paid for recruits' or the downline's orders",
            explanation=(
                f"Members were paid {_yuan(bonuses)} in referral bonuses on their recruits' "
                f"and downline's orders ({rule} of each order), {share:.1%} of the "
                f"{_yuan(payouts)} paid to members in all."
            ),
        )
    paid = round(float(layer.get("paid") or 0) * 100)
    shares = {
        reason: float(layer.get(f"share_{reason}") or 0.0)
        for reason in ("recruit", "sale", "dividend")
    }
    rules = ", ".join(sorted(layer.get("paid_by_rule") or {})) or "no rule paid"
    return Flag(
        key="recruitment_pay",
        law=LAW_RECRUITMENT,
        raised=bonuses > 0 or paid > 0,
        values=(
            *values,
            ("distribution_paid_yuan", paid / 100),
            ("share_recruit", shares["recruit"]),
            ("share_sale", shares["sale"]),
            ("share_dividend", shares["dividend"]),
        ),
        threshold=(
            "any bonus paid for recruits' or the downline's orders (any payout of the "
            "distribution layer)"
        ),
        explanation=(
            f"The distribution layer paid members {_yuan(paid)} ({rules}): "
            f"{shares['recruit']:.1%} of it triggered by recruiting (a recruit's first order), "
            f"{shares['sale']:.1%} by the downline's later sales and {shares['dividend']:.1%} "
            f"by dividend pools. Members' bonuses were {share:.1%} of the {_yuan(payouts)} "
            "paid to members in all."
        ),
    )


def _promise(tree: Tree, scenario) -> Flag:
    points = scenario.points
    multiple = points.exit_multiple
    bought = tree.spent > 0
    buyers = int(bought.sum())
    forced = tree.table["forced_exits"].to_numpy() > 0
    reached = int((bought & forced).sum())
    got = tree.cash + tree.bonus
    if multiple is None:
        paid_back = 0
        explanation = "The scenario sets no exit multiple, so no return on principal is promised."
    else:
        x, exact = float(multiple), Fraction(multiple)
        enough = got * exact.denominator >= exact.numerator * tree.spent
        paid_back = int((bought & enough).sum())
        basis = "spend" if points.exit_against == "spend" else "points' value at grant"
        explanation = (
            f"The scheme advertises an exit at {x:g}x the {basis} — a promised return on "
            f"principal — but only {reached:,} of {buyers:,} buyers ({_share(reached, buyers)}) "
            f"were forced out at it and {paid_back:,} ({_share(paid_back, buyers)}) got "
            f"{x:g}x their spend back in cash."
        )
    return Flag(
        key="promised_multiple",
        law=LAW_PROMISE,
        raised=multiple is not None,
        values=(
            ("multiple", 0.0 if multiple is None else float(multiple)),
            ("buyers", buyers),
            ("reached_cap", reached),
            ("share_reached_cap", reached / buyers if buyers else 0.0),
            ("share_paid_multiple_in_cash", paid_back / buyers if buyers else 0.0),
        ),
        threshold="an exit multiple is set (a return promised on the money paid in)",
        explanation=explanation,
    )


def _yuan(amount_fen: int) -> str:
    return f"{amount_fen / 100:,.2f} yuan"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0.0%"


def flags_table(flags: list[Flag]) -> list[dict]:
    """One row per flag for reports and Markdown: key, raised, measured values as text,
    threshold, law and explanation."""
    return [
        {
            "flag": flag.key,
            "raised": "yes" if flag.raised else "no",
            "measured": "; ".join(f"{name} = {_show(name, v)}" for name, v in flag.values),
            "threshold": flag.threshold,
            "law": flag.law,
            "explanation": flag.explanation,
        }
        for flag in flags
    ]


def _show(name: str, value: float | int | str) -> str:
    if isinstance(value, str):
        return value or "-"
    if name.endswith("_yuan"):
        return f"{value:,.2f}"
    if "share" in name:
        return f"{value:.1%}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}"
