"""Exact, agent-based stress tests of the 消费增值 (consumption-appreciation) points scheme.

The arithmetic of the scheme lives in :mod:`sim.core.rules` as pure functions; :mod:`sim.core.book`
applies it to a pool and its members, :mod:`sim.core.ledger` accounts for every fen, and
:mod:`sim.replay.apply` runs a real event log through the same book.
"""

__version__ = "0.1.0"
