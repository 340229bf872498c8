"""The replay wing: a platform's own event log, run through the book's rules.

Rooms:

- ``eventlog``: a log (CSV or Parquet: ``day,member,action,amount`` and the optional
  ``sponsor``, ``source_member``, ``kind``) read and checked, one line of error per bad row;
  ``event_rules`` what a row may hold and the event it becomes, ``parquet_batches`` a
  Parquet log's plainly valid batches read with Arrow at once.
- ``records``: what joins, bonuses, withdrawals and fees mean: the referral tree, the
  records' money posted to the book's ledger; ``history`` the members' money day by day,
  in typed columns, for the red flags' first days.
- ``entitlement``: rules against records: the bonuses the scenario's published referral
  rule makes due on the logged tree and orders, beside what the records paid;
  ``distribution_due`` the same for its distribution rules (the model's rule set fed the
  log's joins, orders and days).
- ``forensics``: per member paid in, paid out, net investment and outcome; the clawback
  pool and its largest winners.
- ``teams``: each recruiter's team: participants and levels below (all links, paid links),
  the money it paid in, the head's own pay.
- ``insolvency``: withdrawal requests in order; the first day one waited too long unpaid.
- ``summary``: what a replay found, printed and as ``summary.json``.
- ``apply``: the log applied in file order with the forced exits the rules insert, the
  ledger checked at the end of every day; the trace (``trace``: a batch of columns at a time),
  members and ledger tables. ``compiled_apply``: the same, a chunk of rows at a time, the
  orders and sales through the compiled kernel (proven equal event for event; a log it
  declines takes the reference path).

May import core, scenario and distribution (the rules' accounts and fees), the compiled book
of the model wing (``sim.model.compiled_book``: the kernel with a ledger, no agents) and the
top-level utilities (``sim.errors``, ``sim.outputs``); nothing else of the agent model.
"""
