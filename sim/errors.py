"""The one error type for bad input: it knows where the problem is, so the CLI can print one line.

Anything a user can get wrong (a scenario, an event log, a command-line value) raises
:class:`InputError`; the command line prints ``str(error)`` and exits with status 2.
Bugs raise anything else and keep their traceback.
"""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path


class InputError(Exception):
    """Bad input, located: ``FILE:LINE: KEY: message`` with the parts that are known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        self.key = key

    def located(
        self, *, file: str | Path | None = None, line: int | None = None, key: str | None = None
    ) -> InputError:
        """Fill in the parts of the location this error does not know yet."""
        return InputError(
            self.message,
            file=self.file or (None if file is None else str(file)),
            line=self.line if self.line is not None else line,
            key=self.key or key,
        )

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        if self.key:
            where += f"{self.key}: "
        return (where + self.message).replace("\n", " ")


class BeyondRange(OverflowError):
    """A valid scenario whose run would leave the range a book or table represents exactly.

    ``key`` names the setting to change; the command line prints one located line, with the
    scenario's file, and exits with status 2 (like bad input: nothing is written)."""

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.message = message
        self.key = key

    def located(self, file: str | Path | None) -> InputError:
        """The one line a command prints, naming the scenario ``file``."""
        return InputError(self.message, file=file, key=self.key)


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A suggestion suffix for a misspelt name, or a list of the valid ones."""
    close = get_close_matches(str(word), list(choices), n=1, cutoff=0.5)
    if close:
        return f"; did you mean '{close[0]}'?"
    return "; expected one of: " + ", ".join(sorted(choices))
