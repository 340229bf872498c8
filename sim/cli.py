"""Command line: ``python -m sim COMMAND``. Argument parsing only; the work is elsewhere.

Bad input of any kind prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from sim import __version__, limits
from sim.analysis.breakeven import DEFAULT_MAX_ORDERS
from sim.batch.executors import DEFAULT_WORKERS, EXECUTORS
from sim.errors import BeyondRange, InputError
from sim.i18n import lang_option, wrote

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m sim",
        description="Exact stress tests of the 消费增值 consumption-appreciation points scheme.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    replay = commands.add_parser(
        "replay",
        help="replay a platform's event log (CSV or Parquet) through the rules",
        description="Apply a platform's event log in file order, insert the forced exits the "
        "rules trigger, check the ledger every day, and write trace, members and "
        "ledger tables.",
    )
    replay.add_argument(
        "events", type=Path, help="CSV or .parquet with columns day,member,action,amount, ..."
    )
    replay.add_argument("--scenario", type=Path, required=True, help="scenario YAML")
    replay.add_argument("--out", type=_out_path, required=True, help="output folder")
    replay.add_argument(
        "--format",
        choices=("parquet", "csv"),
        default="parquet",
        help="parquet (default) or csv: CSV copies of every table beside the Parquet files",
    )
    replay.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    lang_option(replay)
    _input_limit(replay)
    replay.set_defaults(handler=_replay)

    run = commands.add_parser(
        "run",
        help="run the agent model on a scenario",
        description="Simulate a population of members on the scenario's platform, one day per "
        "step, and write timeseries.parquet, members.parquet and summary.json.",
    )
    run.add_argument("scenario", type=Path, help="scenario YAML")
    run.add_argument("--seed", type=_non_negative, help="seed (default: the scenario's run.seed)")
    run.add_argument("--days", type=_days, help="horizon (default: the scenario's run.days)")
    run.add_argument("--out", type=_out_path, help="output folder (default: out/NAME/seed-N)")
    run.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    run.add_argument(
        "--plot", action="store_true", help="also write run.html: the run's main series"
    )
    lang_option(run)
    _input_limit(run)
    run.set_defaults(handler=_run)

    batch = commands.add_parser(
        "batch",
        help="run replicates (and sweep points) of scenarios into a Parquet dataset",
        description="Run N replicates of each scenario (and of each point of its sweep) with "
        "seeds spawned from the scenario's seed into the Parquet tables DIR/runs, "
        "DIR/timeseries and DIR/accounts (one file per scenario when done). Re-running the "
        "same command resumes; more --replicates add runs to a finished batch.",
    )
    batch.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files")
    batch.add_argument("--replicates", type=_replicates, required=True, help="replicates per point")
    batch.add_argument(
        "--workers",
        type=_whole(1, limits.MAX_WORKERS),
        default=DEFAULT_WORKERS,
        help="worker processes (default %(default)s)",
    )
    batch.add_argument(
        "--executor",
        choices=EXECUTORS,
        help="serial, process (local processes) or dask (default: dask with --scheduler, "
        "else serial for 1 worker and process for more)",
    )
    batch.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    batch.add_argument(
        "--days", type=_days, help="horizon for every run (default: each scenario's run.days)"
    )
    batch.add_argument("--out", type=_out_path, help="output folder (default: out/batch-NAME)")
    batch.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    _input_limit(batch)
    batch.set_defaults(handler=_batch)

    compare = commands.add_parser(
        "compare", help="side-by-side table of batches: each metric's mean and 95%% interval"
    )
    compare.add_argument("batches", type=Path, nargs="+", help="batch output folders")
    compare.add_argument(
        "--out",
        type=_out_path,
        help="the table (.csv, .md; default: comparison.* in the first batch)",
    )
    lang_option(compare)
    compare.set_defaults(handler=_compare)

    report = commands.add_parser(
        "report",
        help="write a self-contained HTML report (and a Markdown summary) of batches or of a "
        "replay",
        description="Test the six claims of the source documents on batches, with collapse "
        "probabilities, phase diagrams, PRIM boxes and time series; write NAME.html (figures "
        "embedded, nothing loaded from the network) and NAME.md beside it, all or nothing.",
    )
    report.add_argument(
        "batches", type=Path, nargs="+", help="batch output folders, or one replay output folder"
    )
    report.add_argument(
        "--out", type=_out_path, help="the .html file to write (default: reports/NAME.html)"
    )
    report.add_argument(
        "--reruns",
        type=_whole(0, limits.MAX_REPLICATES),
        default=2,
        help="replicates of each scenario run again for member-level evidence "
        "(default %(default)s)",
    )
    report.add_argument("--title", help="the report's title")
    lang_option(report, environment=False)
    report.set_defaults(handler=_report)

    bench = commands.add_parser(
        "bench", help="benchmark the compiled kernel (W1) or whole runs at national scale"
    )
    bench.add_argument(
        "--orders",
        type=_whole(1, limits.MAX_ORDERS),
        default=10_000_000,
        help="orders of W1, or rows of the replay_10m log (default %(default)s)",
    )
    bench.add_argument(
        "--members",
        type=_whole(1, limits.MAX_MEMBERS),
        default=100_000,
        help="members (default %(default)s)",
    )
    bench.add_argument(
        "--workload",
        choices=(
            "w1",
            "year_1m",
            "largest_9m",
            "seed004_1m",
            "seed004_9m",
            "replicates_100k",
            "replay_10m",
            "yunlianhui_9m",
            "wanjia_2m",
        ),
        default="w1",
        help="w1: the compiled kernel alone (--orders, --members); the others: whole runs at "
        "national scale (see the README's Performance) (default %(default)s)",
    )
    bench.add_argument(
        "--replicates",
        type=_whole(1, 10_000),
        default=20,
        help="runs of the replicates_100k workload (default %(default)s)",
    )
    bench.set_defaults(handler=_bench)

    breakeven = commands.add_parser(
        "breakeven",
        help="how many times orders must grow before a member's points are worth 1x, 2x, the cap",
        description="The break-even law (SPEC §5) for the scenario's pool share and mint ratio: "
        "how many times the platform's cumulative orders must grow after a member's order for "
        "their points to be worth each multiple of their spend, beside an exact simulation of "
        "one buyer (constant orders, nobody selling, no forced exit).",
    )
    breakeven.add_argument("--scenario", type=Path, required=True, help="scenario YAML")
    breakeven.add_argument(
        "--multiples", nargs="+", help="multiples of spend (default: 1 2 and the exit cap)"
    )
    breakeven.add_argument(
        "--entry",
        type=_whole(1, limits.MAX_ORDERS),
        default=100,
        help="simulated buyer's order number (default %(default)s)",
    )
    breakeven.add_argument(
        "--max-orders",
        type=_whole(1, limits.MAX_ORDERS),
        default=DEFAULT_MAX_ORDERS,
        help="simulation limit (default %(default)s)",
    )
    breakeven.add_argument("--json", action="store_true", help="print the rows as JSON")
    lang_option(breakeven)
    _input_limit(breakeven)
    breakeven.set_defaults(handler=_breakeven)

    assess = commands.add_parser(
        "assess",
        help="judge a platform's published rules before any data",
        description="From the rules alone: which statutory features they have (pay per "
        "recruit, pay on downline sales, a required purchase to join, a promised multiple), "
        "the growth of orders the break-even law needs for 1x, 2x and the exit cap, and what "
        "an order loses the moment it is placed.",
    )
    assess.add_argument("scenario", type=Path, help="scenario YAML")
    assess.add_argument("--json", action="store_true", help="print the assessment as JSON")
    lang_option(assess)
    _input_limit(assess)
    assess.set_defaults(handler=_assess)

    dashboard = commands.add_parser(
        "dashboard",
        help="serve the interactive dashboard on this machine",
        description="A page in the browser: pick a scenario, move its controls (the rules, "
        "inflow, population mix, stress levers, days, seed) and the run is done again and "
        "drawn; its red flags and tables to download.",
    )
    dashboard.add_argument(
        "scenario", nargs="?", default="national-100k", help="YAML or shipped (national-100k)"
    )
    dashboard.add_argument("--port", type=_whole(1024, 65535), default=8765, help="port (8765)")
    lang_option(dashboard)
    dashboard.set_defaults(handler=_dashboard)

    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("files", type=Path, nargs="+", help="scenario YAML files")
    _input_limit(validate)
    validate.set_defaults(handler=_validate)
    return parser


def _dashboard(args: argparse.Namespace) -> int:
    from sim.dashboard.server import serve

    return serve(args.scenario, args.port, lang=args.lang)


def _replay(args: argparse.Namespace) -> int:
    from sim.replay.apply import replay_file
    from sim.replay.entitlement import Entitlement
    from sim.replay.summary import describe
    from sim.scenario.root import load_scenario
    from sim.scenario.scheme import points_scheme_only

    scenario = load_scenario(args.scenario)
    points_scheme_only(scenario, args.scenario, "replay")
    formats = ("parquet", "csv") if args.format == "csv" else ("parquet",)
    book, summary = replay_file(
        args.events,
        scenario.mechanics(),
        args.out,
        formats,
        progress=not args.quiet,
        bonus_line=scenario.referral.paid_from,
        entitlement=Entitlement.of(scenario),
        wait_days=scenario.collapse.unpaid_withdrawals.request_wait_days or 1,
        judge=_replay_flags(scenario),
        scenario_name=scenario.name,
    )
    if not args.quiet:
        print(describe(book, summary, (args.events, scenario.name), args.lang))
        print(wrote(args.out, summary.files, args.lang))
    return 0


def _replay_flags(scenario) -> Callable:
    """The red flags of a replay's tree with their first days (the analysis wing reads the
    replay's results as plain values)."""
    import pandas as pd

    from sim.analysis.replay_flags import replay_flags

    def judge(figures, records, link_days) -> dict:
        members = pd.DataFrame(
            {
                "member": [f.member for f in figures],
                "first_day": [f.first_day for f in figures],
                "sponsor": [f.sponsor for f in figures],
            }
        )
        history = records.history.columns()
        return {"flags": replay_flags(members, history, link_days, scenario)}

    return judge


def _input_limit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-input-mb",
        type=_whole(1, 1_000_000),
        help=f"raise the size limit of scenario files ({limits.SCENARIO_MB} MB) and event "
        f"logs ({limits.EVENTS_MB:,} MB) to this many MB",
    )


def _out_path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder, got an empty path")
    return Path(text)


def _whole(low: int, high: int) -> Callable[[str], int]:
    """An option's whole number: ASCII digits only ('²' and '٣' are digits to Python), within
    [low, high] (the limits in sim.limits)."""

    def parse(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or len(text) > 20:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low:,} to {high:,}, got '{text[:40]}'"
            )
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low:,} to {high:,}, got {value:,}"
            )
        return value

    return parse


_non_negative = _whole(0, limits.MAX_SEED)
_days = _whole(1, limits.MAX_DAYS)
_replicates = _whole(1, limits.MAX_REPLICATES)


def _run(args: argparse.Namespace) -> int:
    from sim.batch.run import run_to_files, settle_imports
    from sim.batch.summary import describe
    from sim.outputs import default_out
    from sim.scenario.root import load_scenario
    from sim.scenario.scheme import growth_problem

    settle_imports()
    scenario = load_scenario(args.scenario)
    if args.days is not None and (found := growth_problem(scenario.scheme, args.days)):
        key, problem = found
        raise InputError(
            f"with --days {args.days}: {problem}", file=args.scenario, key=f"scheme.{key}"
        )
    seed = scenario.run.seed if args.seed is None else args.seed
    out = args.out or default_out("out", scenario.name, f"seed-{seed}")
    pages = None
    if args.plot:
        from sim.report.run_page import run_page

        pages = lambda result: {"run.html": run_page(result, args.lang)}  # noqa: E731

    result, files = run_to_files(scenario, out, seed, args.days, not args.quiet, pages)
    if not args.quiet:
        if scenario.scheme.ponzi:
            from sim.model.ponzi_run import describe_ponzi as describe
        elif scenario.scheme.comparison:
            from sim.model.release_run import describe_release as describe
        print(describe(result.summary, args.lang))
        print(wrote(out, files, args.lang))
    return 0


def _batch(args: argparse.Namespace) -> int:
    from sim.batch.runner import run_batch
    from sim.outputs import default_out

    out = args.out or default_out("out", f"batch-{args.scenarios[0].stem}")
    result = run_batch(
        args.scenarios,
        args.replicates,
        out,
        args.workers,
        args.executor,
        args.scheduler,
        args.days,
        progress=not args.quiet,
    )
    if not args.quiet:
        print(
            f"Batch: {result.runs} runs ({result.ran} run now, {result.resumed} already done, "
            f"{result.failed} failed) in {result.seconds:.1f} s -> {result.out}/"
        )
    return 0


def _compare(args: argparse.Namespace) -> int:
    from sim.batch.compare import compare_batches

    print(compare_batches(args.batches, args.out, args.lang))
    return 0


def _report(args: argparse.Namespace) -> int:
    from sim.report.render import write_report

    out = args.out or Path("reports") / f"{args.batches[0].name}.html"
    html, markdown = write_report(args.batches, out, args.reruns, args.title, args.lang)
    print(f"wrote {html} and {markdown}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    if args.workload != "w1":
        from sim.batch.workloads import report

        for line in report(args.workload, args.replicates, args.orders):
            print(line, flush=True)
        return 0
    from sim.batch.kernel_bench import main as bench_main

    return bench_main(args.orders, args.members)


def _breakeven(args: argparse.Namespace) -> int:
    from sim.analysis.breakeven import describe, law_table, parse_multiples, to_json
    from sim.scenario.root import load_scenario
    from sim.scenario.scheme import points_scheme_only

    scenario = load_scenario(args.scenario)
    points_scheme_only(scenario, args.scenario, "breakeven")
    multiples = parse_multiples(args.multiples)
    rows = law_table(scenario, multiples, args.entry, args.max_orders)
    print(to_json(rows) if args.json else describe(scenario, rows, args.lang))
    return 0


def _assess(args: argparse.Namespace) -> int:
    from sim.analysis.assess import assess, describe
    from sim.scenario.root import load_scenario
    from sim.scenario.scheme import points_scheme_only

    scenario = load_scenario(args.scenario)
    points_scheme_only(scenario, args.scenario, "assess")
    found, lang = assess(scenario, args.lang), args.lang
    print(json.dumps(found, indent=2, ensure_ascii=False) if args.json else describe(found, lang))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from sim.batch.designs import load_variants
    from sim.model.arithmetic import likely
    from sim.model.inflow import check_inflow

    status = 0
    for path in args.files:
        try:
            scenario, _, variants = load_variants(path)  # every sweep point, as batch checks
            for variant in variants:
                check_inflow(variant.inflow, variant.run.days)
        except BeyondRange as refused:
            print(f"error: {refused.located(path)}", file=sys.stderr)
            status = EXIT_BAD_INPUT
        except InputError as error:
            print(f"error: {error}", file=sys.stderr)
            status = EXIT_BAD_INPUT
        else:
            print(f"ok: {path} (scenario '{scenario.name}')")
            for line in dict.fromkeys(w for variant in variants for w in likely(variant)):
                print(f"warning: {path}: {line}", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = build_parser().parse_args(argv)
    limits.raise_input_limit(getattr(args, "max_input_mb", None))
    try:
        return args.handler(args)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BeyondRange as error:  # a valid scenario whose run leaves the exact range
        print(f"error: {error.located(getattr(args, 'scenario', None))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:  # the last resort: an I/O failure outside the staged writing
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("error: out of memory; use fewer members, days or replicates", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
