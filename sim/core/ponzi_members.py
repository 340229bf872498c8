"""Artzrouni's Ponzi fund member by member, in exact fen: the classic-Ponzi comparison
scheme's arithmetic (issue 18), the counterpart of the aggregate :mod:`sim.core.ponzi`.

Each deposit is a member whose promised capital grows at ``r_p`` and who withdraws ``r_w``
of it a year; the fund earns ``r_n`` and pays the withdrawals. A step (``1/steps_a_year`` of
a year, a day by default) is :func:`sim.core.ponzi.fund_by_steps`'s, so that the two differ
only by the fen each rounding drops (the tests bound it):

- the fund earns ``e^{r_n·dt/2} − 1`` of its balance over the first half of the step;
- at the middle, the step's deposits enter and every member is due ``r_w·dt`` of their
  promised capital at the middle (``P·e^{(r_p − r_w)·dt/2}``; a new deposit counts for half,
  being there half the step);
- the fund pays what is due if it holds it; if not, the scheme has collapsed: it pays what
  it holds, each member the same share of their due (rounded down; the fen rounding leaves
  stay in the fund), takes no more deposits and pays nothing more;
- it earns over the second half; each member's promised capital ends at ``P·e^{(r_p −
  r_w)·dt}`` (a new deposit's at ``D·e^{(r_p − r_w)·dt/2}``).

Every amount paid or counted is whole fen; the fraction of a fen each due, promise and
return leaves is carried to the next step, not dropped, so the roundings do not add up
over the steps. The money is exact: the initial deposit, the deposits and the returns the
fund earned equal the withdrawals paid and the fund, every step.
Members who deposit on the same step the same amount are the same member in all but name,
so they are held as one row with a count (a cohort), and the arithmetic stays in Python
integers whatever the sums.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction

_DIGITS = 40  # decimal digits of the growth factors (their error is far below a fen)


def growth(rate: Decimal, years: Fraction) -> Fraction:
    """``e^{rate·years}`` to 40 digits, as an exact fraction (the same on every machine)."""
    with localcontext() as context:
        context.prec = _DIGITS
        exponent = rate * Decimal(years.numerator) / Decimal(years.denominator)
        return Fraction(exponent.exp())


@dataclass(frozen=True)
class Terms:
    """The fund's promise: rates a year, continuous (``Decimal``, as a scenario writes them)."""

    promised: Decimal  # r_p
    nominal: Decimal  # r_n
    withdrawal: Decimal  # r_w


@dataclass
class Cohort:
    """Members who deposited ``deposit`` fen each on ``step``: their promised capital now
    and what each has been paid."""

    step: int
    deposit: int
    count: int
    promised: int
    paid: int = 0
    owed: int = 0  # the fraction of a fen due but not yet paid (over the dues' denominator)
    grown: int = 0  # the fraction of a fen of promise not yet counted (over the growth's)


@dataclass
class Step:
    """One step's money (fen): in, earned, due, paid, and the fund and promises after it."""

    step: int
    deposits: int
    returns: int
    due: int
    paid: int
    fund: int
    promised: int


@dataclass
class PonziFund:
    """The fund and its members, stepped by :meth:`step`."""

    terms: Terms
    initial: int = 0  # K, fen: the first deposit, by member 0 at time 0
    steps_a_year: int = 365
    fund: int = 0
    collapsed_at: int | None = None  # the step the fund could first not pay what was due
    cohorts: list[Cohort] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    entered: int = 0  # the initial deposit and the deposits
    earned: int = 0  # returns
    paid: int = 0

    def __post_init__(self) -> None:
        dt = Fraction(1, self.steps_a_year)
        t = self.terms
        half = growth(t.promised - t.withdrawal, dt / 2)
        whole = growth(t.promised - t.withdrawal, dt)
        self._growth = whole.denominator * half.denominator  # of a promise
        self._half = half.numerator * whole.denominator
        self._whole = whole.numerator * half.denominator
        self._earn = _ratio(growth(t.nominal, dt / 2) - 1)
        self._earned_part = 0  # the fraction of a fen of return not yet counted
        old, new = half * Fraction(t.withdrawal) * dt, Fraction(t.withdrawal) * dt / 2
        self._dues = old.denominator * new.denominator  # of a due
        self._due_old = old.numerator * new.denominator  # at the middle
        self._due_new = new.numerator * old.denominator  # there half the step
        if self.initial:
            self.cohorts.append(Cohort(-1, self.initial, 1, self.initial))
            self.fund = self.entered = self.initial

    def step(self, deposits: dict[int, int]) -> Step:
        """One step with ``deposits`` (count of members by fen each) made at its middle;
        after the step of the collapse, nothing happens any more (the promises stay as
        they were: what the members were owed)."""
        number = len(self.steps)
        if self.collapsed_at is not None:
            row = Step(number, 0, 0, 0, 0, self.fund, self.steps[-1].promised)
            self.steps.append(row)
            return row
        returns = self._earned()
        new = [Cohort(number, amount, count, amount) for amount, count in deposits.items()]
        taken = sum(c.deposit * c.count for c in new)
        self.fund += taken
        self.entered += taken
        dues = [(c, self._owed(c, c.promised * self._due_old)) for c in self.cohorts]
        dues += [(c, self._owed(c, c.deposit * self._due_new)) for c in new]
        due = sum(each * c.count for c, each in dues)
        if due > self.fund:  # it pays each the same share of their due, and stops
            self.collapsed_at = number
            dues = [(c, each * self.fund // due) for c, each in dues]
        paid = 0
        for c, each in dues:
            c.paid += each
            paid += each * c.count
        self.fund -= paid
        self.paid += paid
        returns += self._earned()
        for c in self.cohorts:
            c.promised, c.grown = divmod(c.promised * self._whole + c.grown, self._growth)
        for c in new:
            c.promised, c.grown = divmod(c.deposit * self._half, self._growth)
        self.cohorts += new
        promised = sum(c.promised * c.count for c in self.cohorts)
        row = Step(number, taken, returns, due, paid, self.fund, promised)
        self.steps.append(row)
        return row

    def _owed(self, cohort: Cohort, exact: int) -> int:
        """Whole fen of a member's due (``exact`` over the dues' denominator) with what
        earlier steps left over: the fractions are carried, not lost."""
        whole, cohort.owed = divmod(exact + cohort.owed, self._dues)
        return whole

    def _earned(self) -> int:
        """Half a step's return on the fund, in whole fen (the fraction carried), entering
        from outside."""
        num, den = self._earn
        amount, self._earned_part = divmod(self.fund * num + self._earned_part, den)
        self.fund += amount
        self.earned += amount
        return amount


def _ratio(value: Fraction) -> tuple[int, int]:
    return value.numerator, value.denominator
