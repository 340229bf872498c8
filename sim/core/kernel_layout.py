"""The compiled kernel's flat arrays: what each column and each code means.

**Layout**: ``hot`` is an int64 (capacity, 8) array, one 64-byte row per member with the
fields an order touches (held, spend since entry, spend, obtained, obtained since entry,
grant value since entry, status, heap position); ``cold`` an int64 (capacity, 5) array
(cash, cash since entry, entries, sales, forced exits; a sixth column, unpaid, under a
custody shortfall); the heap 24 bytes per member: 128 bytes per member in all
(:attr:`sim.core.kernel_book.KernelBook.nbytes`). The fields are exposed as per-field views
(:attr:`~sim.core.kernel_book.KernelBook.held`, ...).
``prm`` holds the mechanics as integers (and the custody shortfall's share), ``g`` the
book's totals and counters, and an event buffer one row per event applied. ``G_POOL`` is the
*posted* pool, the price's numerator; the cash really in it is ``G_POOL - G_MISSING +
G_UNPAID`` (what a custody shortfall skimmed, and payouts booked but not paid).

The numbers here are compiled into the kernel as constants (numba freezes module globals).
"""

# -- actions (input) and event kinds (output) ----------------------------------------------

BUY, SELL, SELL_ALL = 0, 1, 2
EV_BUY, EV_SELL, EV_FORCED_EXIT, EV_REFUSED, EV_GRANT = 0, 1, 2, 3, 4
EVENT_NAMES = ("buy", "sell", "forced_exit", "refused", "grant")

# member status; NONE = never bought (the book has no record of the member)
NONE, ACTIVE, SOLD_OUT, EXITED = 0, 1, 2, 3
STATUS_NAMES = ("none", "active", "sold_out", "exited")

# hot member fields: one 64-byte row per member
H_HELD, H_SPENT_ENTRY, H_SPENT, H_OBTAINED, H_OBTAINED_ENTRY, H_GRANT_VALUE_ENTRY = range(6)
H_STATUS, H_POS = 6, 7
N_HOT = 8
# cold member fields; C_UNPAID (payouts booked but not paid) only under a custody shortfall
C_CASH, C_CASH_ENTRY, C_ENTRIES, C_SALES, C_FORCED_EXITS, C_UNPAID = range(6)
N_COLD = 5
# heap node columns (node p lives in row p + 1; 24 bytes: a fourth column, which put a
# node's two children on one cache line, cost 8 bytes a member for about 6% of W1's speed)
N_NUM, N_DEN, N_MEMBER = 0, 1, 2
N_NODE = 3

# parameters
(
    P_SPLIT_DEN,
    P_POOL_INDEX,
    P_MINT_NUM,
    P_MINT_DEN,
    P_PAY_NUM,
    P_PAY_DEN,
    P_EXIT_ON,
    P_MULT_NUM,
    P_MULT_DEN,
    P_OBTAINED,
    P_GRANT_VALUE,
    P_COUNTS_CASH,
    P_CAP,
    P_MIN_SPEND,
    P_START_NUM,
    P_START_DEN,
    P_SHORT_NUM,
    P_SHORT_DEN,
) = range(18)
N_PARAMS = 18

# global state and counters
(
    G_POOL,
    G_POINTS,
    G_PRICE_NUM,
    G_PRICE_DEN,
    G_HEAP,
    G_HOLDERS,
    G_LAST_AMOUNT,
    G_LAST_POOL_PART,
    G_BUYS,
    G_SELLS,
    G_EXITS,
    G_REFUSED,
    G_MONEY_IN,
    G_POOL_IN,
    G_MINTED,
    G_PAID_SALES,
    G_PAID_EXITS,
    G_UNITS_SOLD,
    G_UNITS_EXITED,
    G_REKEYED,
    G_MISSING,
    G_UNPAID,
) = range(22)
N_GLOBAL = 22
COUNTERS = (
    ("buys", G_BUYS),
    ("sales", G_SELLS),
    ("forced_exits", G_EXITS),
    ("refused", G_REFUSED),
    ("money_in", G_MONEY_IN),
    ("pool_in", G_POOL_IN),
    ("minted", G_MINTED),
    ("paid_sales", G_PAID_SALES),
    ("paid_exits", G_PAID_EXITS),
    ("units_sold", G_UNITS_SOLD),
    ("units_exited", G_UNITS_EXITED),
    ("heap_rekeyed", G_REKEYED),
    ("missing", G_MISSING),
    ("unpaid", G_UNPAID),
)

# event record columns
(
    E_SOURCE,
    E_KIND,
    E_MEMBER,
    E_AMOUNT,
    E_POINTS_DELTA,
    E_CASH_DELTA,
    E_POOL,
    E_POINTS,
    E_PRICE_NUM,
    E_PRICE_DEN,
) = range(10)
N_EVENT = 10
