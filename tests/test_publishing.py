"""All-or-nothing outputs: a folder is staged on its own filesystem, fsynced and published with
one rename; a place that cannot take it is refused in one line before any work; kill -9 at
any moment leaves the old output or the new one, and the next run sweeps up what it left."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sim.outputs import ASIDE, STAGE
from tests.conftest import EXAMPLES, ROOT, SCENARIOS, orders, write_log
from tests.test_hostile_inputs import assert_refused, files_under

GENERIC = SCENARIOS / "seed-generic-3x.yaml"
EXAMPLE = EXAMPLES / "seed-767-orders.csv"
REPLAY_FILES = [
    "clawback.parquet",
    "flags.parquet",
    "ledger.parquet",
    "members.parquet",
    "summary.json",
    "teams.parquet",
    "trace.parquet",
]


def replay(cli, out, *extra):
    return cli("replay", EXAMPLE, "--scenario", GENERIC, "--out", out, "--quiet", *extra)


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_new_nested_folder_is_published_whole_and_nothing_else_is_left(cli, tmp_path):
    out = tmp_path / "a" / "b" / "out"
    assert replay(cli, out).code == 0
    assert sorted(p.name for p in out.iterdir()) == REPLAY_FILES
    assert hidden(tmp_path) == [] and hidden(out.parent) == []


def test_a_second_run_replaces_the_folder_in_one_rename(cli, tmp_path):
    out = tmp_path / "out"
    assert replay(cli, out, "--format", "csv").code == 0
    first = out.stat().st_ino
    assert replay(cli, out).code == 0  # parquet only: the old CSV copies go with the old folder
    assert sorted(p.name for p in out.iterdir()) == REPLAY_FILES
    assert out.stat().st_ino != first
    assert hidden(tmp_path) == []


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda out: (out / "notes.txt").write_text("mine"), "holds 'notes.txt'"),
        (lambda out: (out / "trace.parquet").mkdir(), "holds 'trace.parquet'"),
    ],
)
def test_a_folder_holding_the_users_files_is_never_replaced(cli, tmp_path, make, fragment):
    out = tmp_path / "out"
    out.mkdir()
    make(out)
    before = sorted(p.name for p in out.rglob("*"))
    assert_refused(replay(cli, out), "out:", fragment, "new or empty folder")
    assert sorted(p.name for p in out.rglob("*")) == before
    assert hidden(tmp_path) == []


def test_places_that_cannot_take_a_folder_are_one_line_before_any_work(cli, tmp_path):
    regular = tmp_path / "file.txt"
    regular.write_text("x")
    dangling = tmp_path / "dangling"
    os.symlink(tmp_path / "nowhere", dangling)
    cases = {
        regular: "not a folder",
        regular / "under": "not a folder",
        dangling: "symlink that leads nowhere",
        Path("/proc/sim-cannot-write"): "cannot write",
        Path("/sys/sim-cannot-write"): "cannot write in /sys: ",
    }
    for out, fragment in cases.items():
        started = time.perf_counter()
        result = cli("run", GENERIC, "--out", out, "--quiet")  # a year: refused before it
        assert_refused(result, str(out), fragment)
        assert time.perf_counter() - started < 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling", "file.txt"]


def test_an_empty_out_is_an_error(cli):
    result = cli("run", GENERIC, "--out", "", "--quiet")
    assert_refused(result, "--out", "empty path")


def test_a_symlinked_out_folder_is_written_where_it_leads(cli, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    os.symlink(real, tmp_path / "link")
    assert replay(cli, tmp_path / "link").code == 0
    assert (tmp_path / "link").is_symlink()
    assert sorted(p.name for p in real.iterdir()) == REPLAY_FILES


def test_a_full_disk_while_writing_is_one_line_and_leaves_the_old_output(
    cli, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    assert replay(cli, out).code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    log = write_log(tmp_path / "events.csv", orders(30))
    result = cli("replay", log, "--scenario", GENERIC, "--out", out, "--quiet")
    assert_refused(result, "cannot write: No space left on device")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert hidden(tmp_path) == []


def test_stale_staging_of_dead_processes_is_swept_and_live_ones_are_kept(cli, tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    (tmp_path / f"{STAGE}{dead}-abc").mkdir()
    (tmp_path / f"{ASIDE}{dead}-def" / "old").mkdir(parents=True)
    live = tmp_path / f"{STAGE}{os.getppid()}-ghi"
    live.mkdir()
    assert replay(cli, tmp_path / "out").code == 0
    assert hidden(tmp_path) == [live.name]


def test_kill_9_at_any_moment_leaves_the_old_output_or_the_new_one(tmp_path):
    out = tmp_path / "out"
    log = write_log(tmp_path / "events.csv", orders(20_000))
    command = [sys.executable, "-m", "sim", "replay", log, "--scenario", GENERIC, "--quiet"]
    subprocess.run([*command, "--out", out], cwd=ROOT, check=True)
    complete = {p.name: p.read_bytes() for p in out.iterdir()}
    started = time.perf_counter()
    subprocess.run([*command, "--out", tmp_path / "timing"], cwd=ROOT, check=True)
    duration = time.perf_counter() - started
    for step in range(1, 9):
        process = subprocess.Popen([*command, "--out", out], cwd=ROOT)
        time.sleep(duration * step / 8)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert {p.name: p.read_bytes() for p in out.iterdir()} == complete  # same inputs
        for name in REPLAY_FILES:
            if name.endswith(".parquet"):
                pq.read_table(out / name)
            else:
                json.loads((out / name).read_text(encoding="utf-8"))
    subprocess.run([*command, "--out", out], cwd=ROOT, check=True)
    assert hidden(tmp_path) == []
    assert files_under(out) == sorted(out / name for name in REPLAY_FILES)


@pytest.mark.skipif(
    not Path("/dev/shm").is_dir() or Path("/dev/shm").stat().st_dev == Path("/tmp").stat().st_dev,
    reason="needs /dev/shm on another filesystem than /tmp",
)
def test_an_out_on_another_filesystem_is_staged_there_and_published(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    other = Path("/dev/shm") / f"sim-test-{os.getpid()}"
    try:
        out = other / "deeper" / "out"
        assert replay(cli, out).code == 0
        assert sorted(p.name for p in out.iterdir()) == REPLAY_FILES
        assert hidden(other) == [] and list(tmp_path.iterdir()) == []
    finally:
        shutil.rmtree(other, ignore_errors=True)


def test_a_read_only_place_is_one_line_before_any_work(cli, tmp_path, monkeypatch):
    """Root writes anywhere, so the read-only filesystem is simulated where the probe hits it."""
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    out = tmp_path / "out"
    started = time.perf_counter()
    result = cli("run", GENERIC, "--out", out, "--quiet")
    assert_refused(result, f"{out}: cannot write in {tmp_path}: Read-only file system")
    assert time.perf_counter() - started < 5
    assert list(tmp_path.iterdir()) == []
