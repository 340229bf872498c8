"""What every compiled rule walk shares: writing a payout, capping a due by what is left of
the budget, and who recruited a member (:mod:`sim.distribution.compiled_orders`)."""

from __future__ import annotations

from numba import njit

from sim.distribution.compiled_layout import (
    M_RECRUITER,
    O_FEN,
    O_LEVEL,
    O_MEMBER,
    O_REASON,
    O_RULE,
    O_SOURCE,
)

# counters (``g``): payouts written, frozen entries used, frozen entries live, the first
# free (released) entry (-1: none)
G_OUT, G_FROZEN_USED, G_FROZEN_LIVE, G_FROZEN_FREE = 0, 1, 2, 3
N_COUNTERS = 4


# numba's on-disk cache notices edits to this file only (numba#1833), yet the code it keeps
# holds what it calls from the modules it names in DEPENDENCIES: their digest makes an edit
# to one of them an edit here (tests/test_compiled_rules.py checks it).
DEPENDENCIES = ("compiled_layout",)
DEPENDENCIES_SHA256 = "ac372ef362063adf8e6af67bdc23ba1460c2a3a55aeb269522d76e4f75e5b692"


@njit(cache=True)
def emit(out, g, member, fen, source, rule, level, reason):
    """A payout (nothing for 0 fen, as ``Purse.pay``)."""
    if fen <= 0:
        return
    i = g[G_OUT]
    if i >= out.shape[0]:
        raise IndexError("payout buffer full")
    out[i, O_MEMBER] = member
    out[i, O_FEN] = fen
    out[i, O_SOURCE] = source
    out[i, O_RULE] = rule
    out[i, O_LEVEL] = level
    out[i, O_REASON] = reason
    g[G_OUT] = i + 1


@njit(cache=True)
def cap(due, left):
    """``Purse.cap``: what can be paid of ``due`` out of ``left``."""
    if due > left:
        due = left
    return due if due > 0 else 0


@njit(cache=True)
def recruiter_of(ms, sponsor, m):
    """``DistributionState.recruiter_of`` (0: none)."""
    r = ms[m, M_RECRUITER]
    return r if r != 0 else sponsor[m]
