"""The model wing: the agent model of one platform, one step a day.

Rooms:

- ``scheme``: ``SchemeRun``, whose ``step`` is the README's day, call by call (no Mesa).
- ``mesa_model``: ``SchemeModel``, that run as a ``mesa.Model``, and its
  ``model.datacollector`` (the day rows as Mesa's collector, yuan and points).
- ``columns``: the members held as columns, one row each (no object per member), read as
  views on demand (``model.members``).
- ``agents``: the behaviours — consumer, referrer, panic seller, old member — as functions
  over the columns: decisions only (intents).
- ``market``: intents, the day's result, and ``ReferenceMarket``, which applies a day's
  stream through the reference book.
- ``compiled_book``, ``compiled_market``: the same on the compiled kernel (``run.core:
  fast``): ``CompiledBook`` (the book the model reads) and ``CompiledMarket``;
  ``joining``: a day's walk-ins and wake-ups, and ``consequences``: what the day's applied
  events set off (repeat orders, comebacks, sell targets, break-even), each in one compiled
  pass on that core; ``compiled_day``: the glue between the model and those passes.
- ``inflow``: arrival processes; ``network``: the referral network and sponsor rules;
  ``stress``: the stress levers' schedule; ``withdrawals``: the withdrawal queue.
- ``calendar``: members' wake-ups by day, linked lists in flat arrays.
- ``sell_targets``: members' sell targets in an indexed heap keyed by price; ``panic``: the panic
  triggers; ``break_even``: the count of members below break-even; ``arithmetic``: orders
  minting nothing and leftover pools taken over, counted and foreseen.
- ``ponzi_run``: a run of the classic-Ponzi comparison scheme (``scheme.kind:
  classic_ponzi``): the member-level fund a day at a time, its ledger and its files;
  ``release_run`` the same for the daily-release scheme (``daily_release``, 消费全返), and
  ``cohorts`` what both hand on (members held as cohorts, written a row each);
  ``release_network`` a release run's referral tree (with ``network`` set) and its
  promoters' pay by who recruited whom, for the pyramid flags.
- ``daily``: a day's figures and its exact row of the time series; ``members``: the exact
  members table (``model.members.to_pandas()``).

May import core, scenario, distribution and the top-level utilities (``sim.draws``,
``sim.errors``); never replay, analysis, batch or report.
"""
