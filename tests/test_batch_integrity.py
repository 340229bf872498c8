"""Batch folders that check themselves: one writer at a time, every data file checked against
the digest recorded when it was written (damage named in one line, re-run on resume), the
plan keyed by content and resolved path, workers that die with their parent."""

from __future__ import annotations

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

from sim.batch.integrity import JOURNAL, LOCK, data_files
from sim.batch.runner import run_batch
from sim.batch.store import BatchStore
from tests.conftest import ROOT, SCENARIOS
from tests.test_hostile_inputs import assert_refused

GENERIC = SCENARIOS / "seed-generic-3x.yaml"
DAYS = 30


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in data_files(folder)}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """An uninterrupted 3-replicate batch: what every repaired batch must equal."""
    out = tmp_path_factory.mktemp("fresh") / "batch"
    run_batch([GENERIC], 3, out, days=DAYS)
    return out


def test_a_live_owner_locks_the_folder_and_a_dead_ones_lock_is_taken_over(cli, tmp_path):
    out = tmp_path / "batch"
    out.mkdir()
    (out / LOCK).write_text(f"{os.getppid()}\n")
    result = cli("batch", GENERIC, "--replicates", 1, "--days", DAYS, "--out", out, "--quiet")
    assert_refused(result, "batch:", f"another batch (pid {os.getppid()}) is writing")
    assert sorted(p.name for p in out.iterdir()) == [LOCK]
    (out / LOCK).write_text("999999999\n")  # no such process
    result = cli("batch", GENERIC, "--replicates", 1, "--days", DAYS, "--out", out, "--quiet")
    assert result.code == 0, result.err
    assert not (out / LOCK).exists()


def test_a_damaged_compacted_file_is_named_then_repaired_by_the_same_command(cli, tmp_path, fresh):
    out = tmp_path / "batch"
    shutil.copytree(fresh, out)
    part = next((out / "timeseries").rglob("part-0.parquet"))
    part.write_bytes(part.read_bytes()[:-100])  # truncated
    for argv in (["compare", out], ["report", out, "--out", tmp_path / "r.html"]):
        assert_refused(cli(*argv), f"{part}: damaged")
    result = cli("batch", GENERIC, "--replicates", 3, "--days", DAYS, "--out", out, "--quiet")
    assert result.code == 0
    assert result.err.strip().startswith(f"warning: {part}") and "run again" in result.err
    assert contents(out) == contents(fresh)


def test_a_truncated_run_file_is_run_again_on_resume(tmp_path, fresh, monkeypatch):
    out = tmp_path / "batch"
    with monkeypatch.context() as patch:  # a batch cut short before compaction
        patch.setattr(BatchStore, "compact", lambda self: None)
        run_batch([GENERIC], 3, out, days=DAYS)
    runs = sorted((out / "timeseries").rglob("run-*.parquet"))
    assert len(runs) == 3
    runs[1].write_bytes(runs[1].read_bytes()[:50])
    flipped = sorted((out / "accounts").rglob("run-*.parquet"))[2]
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: the size is right, the digest is not
    flipped.write_bytes(bytes(data))
    result = run_batch([GENERIC], 3, out, days=DAYS)
    assert (result.ran, result.resumed) == (2, 1)
    assert contents(out) == contents(fresh)


def test_a_corrupt_manifest_is_one_line_everywhere(cli, tmp_path, fresh):
    out = tmp_path / "batch"
    shutil.copytree(fresh, out)
    (out / "manifest.json").write_text('{"scenarios": [')
    for argv in (
        ["batch", GENERIC, "--replicates", 3, "--days", DAYS, "--out", out, "--quiet"],
        ["compare", out],
        ["report", out, "--out", tmp_path / "r.html"],
    ):
        assert_refused(cli(*argv), "manifest.json: damaged: cannot read it as JSON")
    assert not (tmp_path / "r.html").exists()


def test_the_plan_is_the_file_not_the_way_its_path_was_typed(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "batch"
    relative = GENERIC.relative_to(ROOT)
    assert cli("batch", relative, "--replicates", 1, "--days", DAYS, "--out", out).code == 0
    result = cli("batch", GENERIC, "--replicates", 2, "--days", DAYS, "--out", out)
    assert result.code == 0, result.err
    assert "(1 run now, 1 already done, 0 failed)" in result.out


def test_compare_warns_on_an_unfinished_batch_and_takes_a_batch_twice_as_once(cli, tmp_path, fresh):
    out = tmp_path / "batch"
    shutil.copytree(fresh, out)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "runs": 4}))
    result = cli("compare", out, out / ".." / "batch", "--out", tmp_path / "cmp")
    assert result.code == 0
    assert result.err.strip() == (
        f"warning: {out}: 3 of 4 runs finished; compared on those "
        "(run the batch command again to finish it)"
    )
    header = (tmp_path / "cmp.md").read_text().splitlines()[2]
    assert header.count("batch:seed-generic-3x") == 1


def test_an_unreachable_scheduler_is_one_line_before_anything_is_written(cli, tmp_path):
    out = tmp_path / "batch"
    started = time.perf_counter()
    result = cli(
        "batch", GENERIC, "--replicates", 1, "--scheduler", "tcp://127.0.0.1:9", "--out", out
    )
    assert_refused(result, "--scheduler: cannot reach the Dask scheduler within 10 s")
    assert time.perf_counter() - started < 30
    assert not out.exists()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_kill_9_of_a_two_worker_batch_leaves_no_worker_and_resumes_identically(tmp_path):
    out, whole = tmp_path / "killed", tmp_path / "whole"
    command = [sys.executable, "-m", "sim", "batch", GENERIC, "--replicates", 8]
    command += ["--days", 120, "--workers", 2, "--quiet", "--out"]
    command = [str(part) for part in command]
    process = subprocess.Popen([*command, str(out)], cwd=ROOT)
    deadline = time.time() + 120
    while time.time() < deadline and not list((out / "runs").rglob("run-*.parquet")):
        time.sleep(0.1)
    workers = _children(process.pid)
    assert len(workers) >= 2, workers  # the pool's processes (and its resource tracker)
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(5)
    assert [pid for pid in workers if _running(pid)] == []
    assert (out / LOCK).exists()  # the dead owner's lock, taken over below
    subprocess.run([*command, str(out)], cwd=ROOT, check=True)
    subprocess.run([*command, str(whole)], cwd=ROOT, check=True)
    assert contents(out) == contents(whole)
    assert pq.read_table(next((out / "runs").rglob("part-0.parquet"))).num_rows == 8
    assert (out / JOURNAL).is_file() and not (out / LOCK).exists()
