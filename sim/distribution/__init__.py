"""The distribution layer (分销, SPEC §6): bonus rules paid out of an order's split lines.

A :class:`RuleSet` applies the rules to each join, order and day of a run and returns
:class:`Outcome` values: payouts to members (by rule, level and reason) and named leftovers,
which together spend each line's budget to the fen. :mod:`~sim.distribution.booking` posts
them to the ledger.

Rooms: one module a rule — ``direct`` (直推 / 间推), ``differential`` (级差 / 平级),
``regional`` (区代 / 市代 / 省代), ``dividends`` (分红), ``merchant`` (招商), ``chain``
(链动2+1), ``service`` (服务点), with ``tiers`` (the ladder), ``spillover`` (三三滑落) and
``amounts`` (share or fixed per pack); ``base`` the shared vocabulary (order, payout,
outcome, rule), ``network`` the referral tree they read (the model grows it; a replay
builds one from the log), ``state`` what the rules share, ``ruleset`` the rules applied per join,
order and day, ``presets`` the seeds' rule sets, ``build`` scenario section -> rules,
``venues`` districts, regions sold, service points and shops, ``runtime`` the layer in one
run, ``booking`` posting outcomes to a book, ``payouts`` and ``summary`` what was paid
(``bonuses.parquet``, the summary's figures). ``compiled_rules`` (with ``compiled_orders``,
``compiled_chain``, ``compiled_joins``, ``compiled_purse`` and ``compiled_layout``) is the
rules' compiled twin: a day's orders and joins in one numba call each, proven equal to the
Python rules, which stay the reference.

May import core, scenario and the top-level ``sim.draws``; never model or higher.
"""

from sim.distribution.amounts import Amount, PerPack, Share, yuan_per_pack
from sim.distribution.base import (
    DIVIDEND,
    RECRUIT,
    SALE,
    Income,
    Network,
    Order,
    Outcome,
    Payout,
    Purse,
    Rule,
)
from sim.distribution.chain import AGENT, BOSS, ChainMotion
from sim.distribution.differential import LevelDifferential
from sim.distribution.direct import DirectIndirect
from sim.distribution.dividends import ShareholderDividend, TierDividend
from sim.distribution.merchant import MerchantRecruitment
from sim.distribution.presets import Preset, local_services, seed004_pack, two_level_only
from sim.distribution.regional import LEVELS, RegionalAgents, RegionMap
from sim.distribution.ruleset import RuleSet
from sim.distribution.service import ServicePoints
from sim.distribution.spillover import SpillOver
from sim.distribution.state import DistributionState
from sim.distribution.tiers import Tier, TierLadder

__all__ = [
    "AGENT",
    "BOSS",
    "DIVIDEND",
    "LEVELS",
    "RECRUIT",
    "SALE",
    "Amount",
    "ChainMotion",
    "DirectIndirect",
    "DistributionState",
    "Income",
    "LevelDifferential",
    "MerchantRecruitment",
    "Network",
    "Order",
    "Outcome",
    "Payout",
    "PerPack",
    "Preset",
    "Purse",
    "RegionMap",
    "RegionalAgents",
    "Rule",
    "RuleSet",
    "ServicePoints",
    "Share",
    "ShareholderDividend",
    "SpillOver",
    "Tier",
    "TierDividend",
    "TierLadder",
    "local_services",
    "seed004_pack",
    "two_level_only",
    "yuan_per_pack",
]
