"""``python -m sim bench``: throughput and memory of the compiled kernel on workload W1.

W1: ``orders`` orders of 1000 yuan, each by a member drawn uniformly at random from
``members`` members (numpy's default Generator, seeded); split 300/300/100/300 (product
cost, distribution, platform, pool); mint ratio 0.7; payout 0.8; forced exit when the
points held are worth 3x the spend since entry; nothing else (no sales, no levers).

Timing covers drawing the members and running the kernel
(:class:`sim.core.kernel_book.KernelBook`, events not recorded); numba's compile time is
excluded: the kernel is warmed up on a tiny book first (compiled, or loaded from numba's
on-disk cache). Members are drawn in chunks of ``CHUNK`` ids, so memory does not grow with
the number of orders.

Memory is reported two ways: the process's peak resident set (``resource.getrusage``
``ru_maxrss``: everything — Python, numpy, numba and LLVM included), and the peak of the
arrays the run allocates, traced by ``tracemalloc`` (the book's state plus one chunk of
member ids), per member. The last line printed is ``orders_per_s <number>``.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from fractions import Fraction

import numpy as np

from sim.core.kernel_book import KernelBook, warm_up
from sim.core.mechanics import POOL, Mechanics

CHUNK = 1 << 16
ORDER_FEN = 100_000  # 1000 yuan

W1 = Mechanics(
    split=(
        ("product_cost", Fraction(3, 10)),
        ("distribution", Fraction(3, 10)),
        ("platform", Fraction(1, 10)),
        (POOL, Fraction(3, 10)),
    ),
    order_amount=ORDER_FEN,
    mint_ratio=Fraction(7, 10),
    sell_payout=Fraction(4, 5),
    exit_multiple=Fraction(3),
    exit_points="held",
    exit_against="spend",
)


def _peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB on Linux


def run_bench(orders: int, members: int, seed: int = 0) -> dict[str, float | int]:
    """Run W1 and return its figures: ``orders``, ``members``, ``seed``, ``seconds``
    (drawing + core), ``core_seconds``, ``orders_per_s``, ``forced_exits``, ``holders``,
    ``final_price`` (yuan per point), ``pool`` (fen), ``points`` (units),
    ``peak_rss_bytes`` (process, ru_maxrss), ``traced_peak_bytes`` (tracemalloc peak of
    the run's arrays), ``bytes_per_member`` (that peak / members) and
    ``state_bytes_per_member`` (the book's state alone / members)."""
    if orders < 0 or members <= 0:
        raise ValueError("orders must be >= 0 and members > 0")
    warm_up()
    rng = np.random.default_rng(seed)
    tracemalloc.start()
    try:
        book = KernelBook(W1, members)
        core = 0.0
        started = time.perf_counter()
        done = 0
        while done < orders:
            ids = rng.integers(0, members, size=min(CHUNK, orders - done), dtype=np.int64)
            tick = time.perf_counter()
            book.buy_many(ids, ORDER_FEN)
            core += time.perf_counter() - tick
            done += len(ids)
            del ids
        seconds = time.perf_counter() - started
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    counters = book.counters()
    return {
        "orders": orders,
        "members": members,
        "seed": seed,
        "seconds": seconds,
        "core_seconds": core,
        "orders_per_s": orders / seconds if seconds > 0 else float("inf"),
        "forced_exits": counters["forced_exits"],
        "holders": book.holders,
        "final_price": book.price_yuan,
        "pool": book.pool,
        "points": book.points,
        "peak_rss_bytes": _peak_rss_bytes(),
        "traced_peak_bytes": traced_peak,
        "bytes_per_member": traced_peak / members,
        "state_bytes_per_member": book.nbytes / members,
    }


def main(orders: int, members: int) -> int:
    """Run W1, print its figures, the last line ``orders_per_s <number>``; exit status."""
    if orders < 0 or members <= 0:
        print("bench: --orders must be >= 0 and --members > 0", file=sys.stderr)
        return 2
    r = run_bench(orders, members)
    mb = 1024 * 1024
    print(
        f"workload W1: {r['orders']:,} orders of 1000 yuan by members drawn uniformly from "
        f"{r['members']:,}; split 300/300/100/300; mint 0.7; payout 0.8; "
        "forced exit at 3x spend since entry"
    )
    print(
        f"seconds {r['seconds']:.3f} (drawing members + core; core alone "
        f"{r['core_seconds']:.3f}; numba compile excluded: warmed up on a tiny book first)"
    )
    print(f"forced_exits {r['forced_exits']}")
    print(f"holders {r['holders']}")
    print(f"final_price {r['final_price']:.6f} yuan per point")
    print(
        f"peak_rss_mb {r['peak_rss_bytes'] / mb:.1f} "
        "(whole process, ru_maxrss: Python, numpy, numba and LLVM included)"
    )
    print(
        f"run_arrays_peak_mb {r['traced_peak_bytes'] / mb:.2f} "
        "(tracemalloc: book state + one chunk of member ids)"
    )
    print(
        f"bytes_per_member {r['bytes_per_member']:.1f} (tracemalloc peak / members; "
        f"book state alone {r['state_bytes_per_member']:.1f})"
    )
    print(f"orders_per_s {r['orders_per_s']:.0f}")
    return 0
