"""The replay wing: a platform's own event log, run through the reference book.

Rooms:

- ``eventlog``: a CSV log (``day,member,action,amount``) read and checked, one line of
  error per bad row.
- ``apply``: the log applied in file order with the forced exits the rules insert, the
  ledger checked after every event; the trace, members and ledger tables.

May import core and the top-level utilities (``sim.errors``, ``sim.outputs``); nothing of
the agent model.
"""
