"""The analysis wing: judging runs — whether and when they collapsed, who paid, where the
money went, what the law and the vendors' claims say of them.

Rooms:

- ``collapse``: the first day a run's exact daily rows meet a condition the scenario names.
- ``outcomes``: participant outcomes from the exact members table: who loses even counting
  the goods, cohorts, Gini, the top 1%, break-even.
- ``moneyflow``: every fen that entered, traced to its account at the end; payouts funded
  by other members' money.
- ``breakeven``: the break-even law (SPEC §5) and its exact simulation; ``lawcheck`` the
  law beside a run's orders.
- ``redflags``: the legal red flags of SPEC §7 against the thresholds of ``sim.core.law``;
  ``redflags_tree`` the referral tree they read (exact fen); ``redflags_org`` the
  organisations the pyramid flags measure, under the ``platform`` and ``leader`` readings;
  ``redflags_money`` the flags about money (fund-raising, entry fee, recruitment pay, the
  promised multiple); ``flag`` one flag as measured, its money said in English or Chinese.
- ``scheme_flags``: the red flags a comparison scheme's run (classic Ponzi, daily release)
  can show, against the same thresholds; the pyramid flags named as not measured.
- ``compensation``: how deep and on what the distribution layer paid, from its exact figures.
- ``claims``: the six claims of the source documents, each judged on a batch;
  ``evidence`` what they read and what a verdict is; ``claims_price`` claims 1–2,
  ``claims_panic`` claim 3 (a paired counterfactual), ``claims_money`` claims 4–6.
- ``discovery``: PRIM scenario discovery over a sweep.
- ``assess``: a platform's published rules judged before any data (``python -m sim assess``).
- ``replay_flags``: the red flags of a replayed platform's real tree, with the first day
  each was raised (the records' paid links, the log up to each day).
- ``netinvest``: the net-investment method (cash out of the platform minus money in, with
  credited cash and points beside), what receivers and courts use.

Works from exact values (fen, point units); an amount becomes yuan where a table row or a
sentence is made (:func:`sim.core.units.fen_to_yuan`). May import core, scenario and the
top-level utilities; never model, replay, batch or report (it reads their results).
"""
