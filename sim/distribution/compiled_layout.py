"""The compiled rule set's flat arrays: what each column and each code means.

``ms`` holds one int64 row per member (by id; row 0 unused) with what the rules keep per
member (:class:`~sim.distribution.state.DistributionState`'s dicts as columns); ``fz`` the
frozen funds of chain motion, one row per (member, rule, level, reason) entry, chained per
member in the order first frozen (a dict's order); ``prm`` one row of settings per rule
step; ``out`` one row per payout, in the order the reference's outcomes list them.

The numbers here are compiled into :mod:`sim.distribution.compiled_orders` as constants.
"""

# member columns
(
    M_OWN_ORDERS,
    M_OWN_VOLUME,
    M_TEAM_ORDERS,
    M_TEAM_VOLUME,
    M_RECRUITER,  # only where spill-over placed the member under someone else (0: sponsor)
    M_TIER,
    M_IDENTITY,  # chain motion: 1 agent, 2 boss
    M_AGENT_RECRUITS,
    M_LINE_A,  # the two contributed lines (0: none yet)
    M_LINE_B,
    M_TASK_DONE,
    M_FROZEN_HEAD,  # first frozen entry (-1: nothing frozen)
    M_FROZEN_TAIL,
    M_TEAM_SIZE,  # members below, counted as they join (only when a tier asks for it)
    M_PERIOD,  # orders in the member's team this period, their own included (re-assignment)
) = range(15)
N_MEMBER_COLS = 15

# frozen entry columns
F_NEXT, F_RULE, F_LEVEL, F_REASON, F_AMOUNT = range(5)
N_FROZEN_COLS = 5

# payout columns
O_MEMBER, O_FEN, O_SOURCE, O_RULE, O_LEVEL, O_REASON = range(6)
N_OUT_COLS = 6

# rule kinds (a step of the program: one rule paid out of its line)
K_CHAIN, K_POOL, K_DIFFERENTIAL, K_REGIONAL, K_SERVICE, K_DIRECT, K_MERCHANT = range(7)

# step settings (prm columns): the line, where the rest goes, then by kind
S_KIND, S_LINE, S_UNPAID = 0, 1, 2
# chain motion
(
    S_FROZEN,
    S_FREEZE_NUM,
    S_FREEZE_DEN,
    S_PEER_NUM,
    S_PEER_DEN,
    S_BOSS_AT,
    S_ORDERS_OVER,
    S_PROMOTE_FIRST,
    S_CONTRIBUTE_AGENTS,
    S_UNLOCK_BOTH,
    S_PEER_TO_OWNER,
) = range(3, 14)
# level differential (and its peer bonus): S_PEER_NUM / S_PEER_DEN as above (0: no peer)
S_INCLUDE_BUYER = 14
# regional agents
S_DIFFERENTIAL = 15
# dividend pools: the pool's index in the pools array
S_POOL = 16
# direct / indirect: how many levels
S_LEVELS = 17
# chain motion: orders counted per period for line re-assignment
S_REASSIGN = 18
N_STEP_COLS = 19

# payout rule names, in the order their ids are numbered
RULE_NAMES = (
    "chain_direct",
    "chain_see_point",
    "chain_peer",
    "level_differential",
    "peer_bonus",
    "regional_agent",
    "service_point",
    "direct_indirect",
    "merchant_recruitment",
)
(
    R_CHAIN_DIRECT,
    R_CHAIN_SEE_POINT,
    R_CHAIN_PEER,
    R_DIFFERENTIAL,
    R_DIFF_PEER,
    R_REGIONAL,
    R_SERVICE,
    R_DIRECT,
    R_MERCHANT,
) = range(9)
REASONS = ("recruit", "sale")

# the chain motion identities
AGENT, BOSS = 1, 2
# no gate: a team volume no order can reach
NO_GATE = 1 << 62
