"""The columns of a batch's three tables: their names, types and what each one means.

:mod:`sim.batch.store` writes every description into the Parquet files' schema metadata, so
a file read by DuckDB, polars or pyarrow explains itself; the README's words, kept here once.
Money is in yuan, points in points (float64 from the exact fen and units).
"""

from __future__ import annotations

import pyarrow as pa

from sim.distribution.summary import METRICS as DISTRIBUTION_METRICS

METRICS = (
    ("scheme", pa.string()),
    ("members", pa.int64()),
    ("members_who_bought", pa.int64()),
    ("members_active_at_end", pa.int64()),
    ("orders", pa.int64()),
    ("sales", pa.int64()),
    ("forced_exits", pa.int64()),
    ("money_entered", pa.float64()),
    ("paid_to_members", pa.float64()),
    ("withdrawn_by_members", pa.float64()),
    ("withdrawal_queue_at_end", pa.float64()),
    ("unpaid_claims", pa.float64()),
    ("price_end", pa.float64()),
    ("price_peak", pa.float64()),
    ("price_peak_day", pa.int64()),
    ("price_min_after_peak", pa.float64()),
    ("days_price_fell", pa.int64()),
    ("share_of_buyers_losing", pa.float64()),
    ("share_of_buyers_losing_counting_credited", pa.float64()),
    ("share_of_buyers_losing_counting_points", pa.float64()),
    # the net-investment method (sim.analysis.netinvest): cash out of the platform - money in
    ("net_investment_participants", pa.int64()),
    ("net_investment_net_winners", pa.int64()),
    ("net_investment_net_losers", pa.int64()),
    ("net_investment_share_net_losers", pa.float64()),
    ("net_investment_clawback_pool", pa.float64()),
    ("net_investment_net_losses", pa.float64()),
    ("net_investment_credited_on_platform", pa.float64()),
    ("net_investment_queued_for_withdrawal", pa.float64()),
    # collapse (sim.analysis.collapse): whether, when, why, and each condition's first day
    ("collapsed", pa.bool_()),
    ("collapse_day", pa.int64()),
    ("collapse_condition", pa.string()),
    ("operator_halt_day", pa.int64()),
    ("unpaid_withdrawals_day", pa.int64()),
    ("pool_drawdown_day", pa.int64()),
    ("inflow_stall_day", pa.int64()),
    ("loss_majority_day", pa.int64()),
    # participant outcomes (sim.analysis.outcomes)
    ("goods_fair_value", pa.float64()),
    ("share_losing_counting_goods", pa.float64()),
    ("gini_net_result", pa.float64()),
    ("top1_payout_share", pa.float64()),
    ("share_reaching_1x", pa.float64()),
    ("share_ever_breaking_even", pa.float64()),
    ("share_reaching_cap", pa.float64()),
    ("median_days_to_break_even", pa.float64()),
    # where the money went (sim.analysis.moneyflow); the money_share_* sum to 1
    ("share_payouts_funded_by_others", pa.float64()),
    ("money_share_split_lines", pa.float64()),
    ("money_share_rules_not_given", pa.float64()),
    ("money_share_member_fees", pa.float64()),
    ("money_share_referral_bonuses", pa.float64()),
    ("money_share_member_payouts", pa.float64()),
    ("money_share_left_in_pool", pa.float64()),
    ("money_share_operator_diverted", pa.float64()),
    ("money_share_custody_shortfall", pa.float64()),
    ("operator_take_share", pa.float64()),
    ("distribution_take_share", pa.float64()),
    # the distribution layer (sim.distribution.summary): null for a run without it
    *((name, kind) for name, _, kind in DISTRIBUTION_METRICS),
    # a comparison scheme's fund and promise (sim.batch.scheme_metrics): null for 消费增值
    ("fund_at_end", pa.float64()),
    ("owed_at_end", pa.float64()),
    ("red_flags_raised", pa.string()),
    ("ledger_balanced", pa.bool_()),
)

# the columns that say which run a row belongs to (every table has them)
RUN_IDENTITY = {
    "scenario": "the scenario's name (the hive partition key: the folder scenario=NAME)",
    "point": "index of the sweep point (0 without a sweep)",
    "replicate": "replicate i, run with child i of numpy SeedSequence(run.seed).spawn(N)",
    "seed": "the run's seed (the same for replicate i at every sweep point)",
}

RUNS = {
    "key": "the run's name, SCENARIO__pPOINT__rREPLICATE (zero-padded)",
    **RUN_IDENTITY,
    "params": "the sweep point's values as a JSON object {dotted path: value}, "
    'e.g. {"points.exit_multiple": 2.0}; null without a sweep',
    "status": "ok, or error: the run raised",
    "error": "the exception, one line (null for a run that finished)",
    "scheme": "the rules run: consumption_appreciation (消费增值), or a comparison scheme, "
    "classic_ponzi or daily_release (then only the columns every scheme shares are filled)",
    "members": "members who joined",
    "members_who_bought": "members who bought (at least one order)",
    "members_active_at_end": "members holding points at the end",
    "orders": "orders applied",
    "sales": "voluntary sales (target reached, panic, legacy)",
    "forced_exits": "forced exits",
    "money_entered": "money that entered the platform (yuan)",
    "paid_to_members": "cash paid to members for sales and forced exits (yuan)",
    "withdrawn_by_members": "cash paid out of the platform to members (yuan)",
    "withdrawal_queue_at_end": "cash asked for and not yet withdrawn at the end (yuan)",
    "unpaid_claims": "payouts booked but never paid for lack of pool cash (yuan)",
    "price_end": "price (yuan per point) at the end",
    "price_peak": "highest price",
    "price_peak_day": "day of the highest price",
    "price_min_after_peak": "lowest price from the peak on",
    "days_price_fell": "days the price fell",
    "share_of_buyers_losing": "share of buyers whose net_withdrawn < 0: less cash left the "
    "platform for them than they paid in",
    "share_of_buyers_losing_counting_credited": "share of buyers whose net_result < 0 (cash "
    "credited on the platform counted as if it had been withdrawn)",
    "net_investment_participants": "members who paid in or withdrew anything",
    "net_investment_net_winners": "participants who withdrew more than they paid in",
    "net_investment_net_losers": "participants who paid in more than they withdrew",
    "net_investment_share_net_losers": "net losers / participants",
    "net_investment_clawback_pool": "sum of net winnings (withdrawn - paid in, where > 0)",
    "net_investment_net_losses": "sum of net losses (paid in - withdrawn, where > 0)",
    "net_investment_credited_on_platform": "cash credited to members but not withdrawn",
    "net_investment_queued_for_withdrawal": "of it, cash waiting in the withdrawal queue",
    "share_of_buyers_losing_counting_points": "share of buyers still below their spend after "
    "selling their points at the final price and payout ratio",
    "collapsed": "whether an enabled collapse condition fired",
    "collapse_day": "the first day an enabled collapse condition fired (null: never)",
    "collapse_condition": "the condition that fired first (null: none)",
    "operator_halt_day": "first day the operator halted the platform (null: never)",
    "unpaid_withdrawals_day": "first day cash owed to members went unpaid (null: never)",
    "pool_drawdown_day": "first day the pool fell far below its peak (null: never)",
    "inflow_stall_day": "first day new money had dried up (null: never)",
    "loss_majority_day": "first day most buyers were below break-even (null: never)",
    "goods_fair_value": "what the goods are worth, as a share of the price paid",
    "share_losing_counting_goods": "share of buyers below their spend counting the goods at "
    "goods_fair_value x spent",
    "gini_net_result": "Gini of members' net results (0 equal, at most 1)",
    "top1_payout_share": "share of all payouts going to the best-paid 1% of members",
    "share_reaching_1x": "share of buyers whose cash back and bonuses reach their spend at the end",
    "share_ever_breaking_even": "share of buyers who were ever back at 1x",
    "share_reaching_cap": "share of buyers forced out at least once",
    "median_days_to_break_even": "median of break_even_day - join_day over those who broke even",
    "share_payouts_funded_by_others": "share of pool payouts paid with other members' money or "
    "subsidies (null if nothing was paid)",
    "money_share_split_lines": "share of the money entered kept by the split lines",
    "money_share_rules_not_given": "share of the money entered kept by lines the seeds name "
    "without rules (order.rules_not_given): kept, rules not given",
    "money_share_member_fees": "share of the money entered that members paid as fees for "
    "regions and service points",
    "money_share_referral_bonuses": "share of the money entered paid as referral bonuses",
    "money_share_member_payouts": "share of the money entered paid back to members for points",
    "money_share_left_in_pool": "share of the money entered left in the pool",
    "money_share_operator_diverted": "share of the money entered the operator took",
    "money_share_custody_shortfall": "share of the money entered never really held",
    "operator_take_share": "share of the money entered the operator took: kept split lines "
    "other than product_cost, merchant and lines without rules, members' fees, money diverted "
    "from the pool",
    "distribution_take_share": "share of the money entered paid to members as referral and "
    "distribution bonuses",
    "distribution_paid": "yuan the distribution layer's rules paid (null without the layer)",
    "distribution_share_recruit": "share of distribution_paid triggered by recruits' first orders",
    "distribution_share_sale": "share of distribution_paid triggered by later orders",
    "distribution_top1_share": "share of distribution_paid taken by the best-paid 1% of members",
    "distribution_deepest_level": "the farthest level up a buyer's chain that was paid",
    "fund_at_end": "a comparison scheme's fund at the end (yuan; null for 消费增值)",
    "owed_at_end": "what a comparison scheme still owed its members at the end: a Ponzi's "
    "promised capital, a release scheme's points not yet released (yuan; null for 消费增值)",
    "red_flags_raised": "the legal red flags the run raised (summary.json's red_flags; the "
    "pyramid flags with the operator as organiser), keys sorted and comma-separated; empty: none",
    "ledger_balanced": "the ledger balanced to the fen",
}

TIMESERIES = {
    **RUN_IDENTITY,
    "day": "0, 1, ...",
    "price": "price (yuan per point) = posted pool / points",
    "pool": "posted pool (what the platform shows)",
    "pool_cash": "cash really in the pool (less than pool only under a custody shortfall)",
    "points": "points in circulation",
    "members_active": "members holding points",
    "members_total": "members who ever joined (including legacy members)",
    "members_bought": "members who have bought (at least one order)",
    "members_losing": "members who bought and whose cash back and bonuses are below their "
    "spend at the end of the day",
    "new_members": "members who joined that day",
    "orders": "orders applied that day",
    "inflow": "money that entered that day: order_volume + subsidies (+ fees)",
    "order_volume": "yuan of that day's orders",
    "subsidies": "financing paid into the pool that day",
    "sales": "voluntary sales that day (target reached, panic, legacy)",
    "forced_exits": "forced exits that day",
    "payouts": "cash paid to members for sales and forced exits that day",
    "bonuses": "referral bonuses paid that day (with the distribution layer: every payout of "
    "its rules)",
    "withdrawals": "cash paid out of the platform to members that day",
    "withdrawal_queue": "cash members asked to withdraw and have not received",
    "unpaid_claims": "payouts booked but never paid for lack of pool cash (cumulative)",
    "diverted": "cash the operator took from the pool that day",
    "legacy_points": "points released to legacy members that day",
    "skipped_intents": "intents the rules refused (nothing left to sell, minimum spend)",
    "panic": "a panic trigger fired that day",
    "halted": "the platform is halted",
    "fees": "yuan paid that day for regions and service points (0 without the distribution "
    "layer); a release scheme's: the fee share of its sales and the memberships paid into the fund",
    # the comparison schemes' own columns (classic_ponzi, daily_release); pool is their fund
    "due": "a comparison scheme: cash due to members that day (withdrawals, releases)",
    "returns": "a classic Ponzi: what the fund earned that day at the nominal rate",
    "promised": "a classic Ponzi: the promised capital of its members at the end of the day",
    "agents": "a release scheme: the regional agents' share paid that day",
    "outstanding": "a release scheme: points booked and not yet released, yuan",
    "collapsed": "a comparison scheme: it has failed to pay what was due (from that day on)",
}

ACCOUNTS = {
    **RUN_IDENTITY,
    "day": "0, 1, ...",
    "account": "a ledger account: each split line, pool, member_cash, withdrawn, "
    "operator_diverted, custody_shortfall, ...",
    "balance": "its balance at the end of the day (yuan); a run's balances on a day sum to "
    "the money entered so far",
}

ACCOUNTS_COLUMNS = (
    ("day", pa.int64()),
    ("account", pa.string()),
    ("balance", pa.float64()),
)

# table -> (what one row is, what each column means)
TABLES = {
    "runs": ("one row per run", RUNS),
    "timeseries": ("one row per run and day", TIMESERIES),
    "accounts": ("one row per run, day and ledger account", ACCOUNTS),
}
