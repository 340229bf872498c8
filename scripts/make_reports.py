"""Regenerate the reports of the shipped scenarios: ``python scripts/make_reports.py``.

Runs one batch per group of shipped scenarios into ``out/report-batches/GROUP`` (the
batches resume: a second call runs only what is missing), then writes
``reports/GROUP.html`` and ``reports/GROUP.md`` with ``python -m sim report``. The default
is 200 replicates of a year per scenario (50 for each of the sweep's 9 points) and 3 re-runs
per scenario for the member-level claims and the paired tests; every interval in the reports
says how many runs it rests on. On two idle cores the groups without the distribution layer
take about 10 minutes (``--only stress-levers sweep-cap-and-decay national-100k``) and the
two that hold the distribution rules (``--only seed-variants distribution``, 2,400 runs, seed
004's rules compiled since 2026-12-06) about half an hour; ``compare-schemes`` (the four
``scenarios/comparison/compare-schemes-*.yaml``, three years each; its report is the
side-by-side one, :mod:`sim.report.schemes_report`) about 14 CPU-seconds a replicate of the
four (it is written in Chinese too, ``reports/compare-schemes.zh.html``). ``--replicates``
scales every group. Delete ``out/report-batches`` after changing the
code: a batch made by an older version lacks the newer columns.
``largest-case-9m`` (9 million members over 3 years) is left out: one run of it takes
longer than a report's batch.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.batch.runner import run_batch  # noqa: E402
from sim.report.render import write_report  # noqa: E402

# group -> (title, scenarios, share of --replicates)
GROUPS: dict[str, tuple[str, list[str], float]] = {
    "seed-variants": (
        "The five source documents' platforms as written, and three partial variants beside them",
        [
            "seed-generic-2x",
            "seed-generic-3x",
            "seed-generic-nocap",
            "seed-talk-5x",
            "seed-local-services-distribution",
            "seed-004-chain-motion",
            # partial variants (not the seeds as written), to show what the full rules change
            "seed-generic-3x-assumed-referral",
            "seed-local-services-1.2x-referral-only",
            "seed-004-pack-3x-direct-only",
        ],
        1.0,
    ),
    "stress-levers": (
        "What can go wrong outside the rules: stress levers, panics, subsidies, legacy debts",
        [
            "growth-then-decay",
            "operator-diversion",
            "custody-shortfall",
            "withdrawal-cap-queue",
            "halt",
            "panic-after-shock",
            "financing-rounds",
            "legacy-debts",
        ],
        1.0,
    ),
    "sweep-cap-and-decay": (
        "Where do members still get paid? The exit cap against how fast inflow fades",
        ["sweep-cap-and-decay"],
        0.25,
    ),
    "national-100k": (
        "A national platform's first year, about 100,000 members",
        ["national-100k"],
        1.0,
    ),
    "distribution": (
        "The distribution layer: seed 004's 链动2+1 pack, the local-services rewards, and the "
        "two-level-only variant",
        ["seed-004-chain-motion", "seed-local-services-distribution", "two-level-only"],
        1.0,
    ),
    "compare-schemes": (
        "消费增值 beside the schemes courts judged: 云联惠, 万家购物 and a classic Ponzi on one "
        "inflow",
        [f"comparison/compare-schemes-{n}" for n in ("points", "yunlianhui", "wanjia", "ponzi")],
        1.0,
    ),
}
CHINESE = {  # every group's report in Chinese too (reports/GROUP.zh.html), with its title
    "seed-variants": "五份原始文件所写的平台，以及旁边的三个不完整变体",
    "stress-levers": "规则之外可能出的问题：压力杠杆、恐慌、补贴、历史债务",
    "sweep-cap-and-decay": "会员还能在哪里拿到钱？出局封顶与流入衰减速度的对比",
    "national-100k": "一个全国性平台的第一年，约 10 万名会员",
    "distribution": "分销层：种子文件 004 的链动2+1 套餐、本地生活奖励，以及只有两级的变体",
    "compare-schemes": None,  # the side-by-side report's own Chinese title
}
LEFT_OUT = {"largest-case-9m": "9 million members over 3 years: too long for a report batch"}


def report(group: str, batches: Path, reports: Path, reruns: int) -> tuple[str, float]:
    started = time.perf_counter()
    title = GROUPS[group][0]
    write_report([batches / group], reports / f"{group}.html", reruns, title, "en")
    if group in CHINESE:
        zh = reports / f"{group}.zh.html"
        write_report([batches / group], zh, reruns, CHINESE[group], "zh")
    return group, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=200, help="replicates per scenario (200)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    parser.add_argument(
        "--reruns", type=int, default=3, help="re-runs for member evidence and paired tests (3)"
    )
    parser.add_argument("--batches", type=Path, default=ROOT / "out" / "report-batches")
    parser.add_argument("--reports", type=Path, default=ROOT / "reports")
    parser.add_argument("--only", nargs="*", choices=sorted(GROUPS), help="some groups only")
    args = parser.parse_args(argv)
    shipped = {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}
    grouped = {name for _, names, _ in GROUPS.values() for name in names}
    unplaced = shipped - grouped - set(LEFT_OUT)
    if unplaced:
        print(f"note: not in any report: {', '.join(sorted(unplaced))}", file=sys.stderr)
    groups = args.only or list(GROUPS)
    started = time.perf_counter()
    for group in groups:
        _, names, share = GROUPS[group]
        replicates = max(2, round(args.replicates * share))
        paths = [ROOT / "scenarios" / f"{name}.yaml" for name in names]
        result = run_batch(paths, replicates, args.batches / group, workers=args.workers)
        print(f"batch {group}: {result.runs} runs ({result.ran} new) in {result.seconds:.0f} s")
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        jobs = [pool.submit(report, g, args.batches, args.reports, args.reruns) for g in groups]
        for job in jobs:
            group, seconds = job.result()
            print(f"report {args.reports / group}.html and .md in {seconds:.0f} s")
    print(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
