"""The scenario wing: reading scenario files and checking them, once, at the edge of the program.

Rooms:

- ``reader``: the only YAML reader (safe, exact numbers, each key's line number).
- ``checks``: what every section shares: the checkers (one [0, 1] check for ratios, shares
  and probabilities), the value types, and ``Section``, the strict frozen base of every model.
- ``root``: ``Scenario`` (name, order, points and the sections below; the rules that span
  sections; ``mechanics()``, built once), ``load_scenario`` and the located errors.
- ``scheme``: the ``scheme`` section: the 消费增值 scheme (the default) or a comparison
  scheme (``classic_ponzi``) and its terms; the commands that run the default only.
- ``paid_from``: the checks tying bonuses to ``order.split``: every bonus from a line other
  than the pool, within its share, never from a line whose rules are not given.
- ``sections``: the agent model's sections (run, inflow, population, referral, network,
  stress) and how a run is judged (collapse, outcomes).
- ``distribution``: the ``distribution`` section (preset or rules, ladder, placement,
  venues); ``distribution_rules`` the rule specs, their amounts and the tiers they read;
  ``distribution_presets`` the seeds' rule sets as specs.
- ``sweep``: the ``sweep`` section and what a dotted path holds; its design points are made
  in :mod:`sim.batch.designs`.
- ``points``: a scenario with values set by dotted path (a sweep's point, a Mesa user's
  keyword arguments), and a scenario named by a file or a shipped scenario's name.

May import core and the top-level utilities (``sim.errors``); nothing of the higher wings.
Within the wing, ``root`` holds the others and none of them imports it (but ``points``,
which builds scenarios).
"""
