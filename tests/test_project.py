"""The project's own promises: CI runs the README's test command, and the code passes ruff."""

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up and run", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one():
    run_main, run_tests = readme_commands()
    assert "python -m sim run scenarios/" in run_main
    assert "pytest" in run_tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert run_tests in ci.splitlines()


def test_readme_main_command_uses_shipped_files():
    run_main = readme_commands()[0]
    for path in re.findall(r"(?:examples|scenarios)/[\w.-]+", run_main):
        assert (ROOT / path).is_file(), path


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(args):
    run = subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
