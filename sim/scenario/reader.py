"""The only YAML reader: safe, exact, and able to say on which line each key was written.

Scenario files come from users, so reading one must never run code and every mistake must be
reported as one located line. PyYAML's ``SafeLoader`` only *composes* the document into nodes
here; this module builds the values itself, which lets it:

- refuse every tag outside plain YAML (``!!python/...``, ``!!binary``, custom ``!tags``) before
  anything is constructed;
- read floats as :class:`decimal.Decimal` from their text, so ``0.3`` is exactly 3/10, and refuse
  ``.inf``/``.nan``; plain scalars YAML 1.2 reads as numbers (``1e-3``) are numbers too;
- keep mapping keys as the text written (YAML 1.1 would turn ``on:`` or ``no:`` into booleans);
- refuse duplicate keys, which PyYAML silently overwrites, and merge keys (``<<``), which hide
  where a value came from; anchors and aliases still work;
- record the 1-based line of every key and list item under its path, e.g.
  ``("order", "split", "pool")``, so later validation errors can point at the line.

Dates stay strings (their text); later sections may parse them.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.core.units import LARGEST_DIGITS
from sim.errors import InputError
from sim.limits import SCENARIO_MB, check_input_file

KeyPath = tuple[str | int, ...]
Lines = dict[KeyPath, int]

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    _STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "value", "merge")
}
_TRUE, _FALSE = ("true", "yes", "on"), ("false", "no", "off")
_NOT_FINITE = (".inf", "+.inf", "-.inf", ".nan", "inf", "+inf", "-inf", "nan")
_MAX_VALUES = 200_000  # guards against alias bombs ("billion laughs")
# Every number a scenario holds (amounts, prices, rates, counts, seeds) lies within these:
# beyond them exact fen and point units would leave what files and the books represent.
LARGEST, FINEST = Decimal(10) ** LARGEST_DIGITS, Decimal(10) ** -12
# YAML 1.2 core-schema floats that YAML 1.1 leaves as strings (1e-3, 1.0e3).
_YAML12_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def load_yaml(path: str | Path) -> tuple[dict[str, Any], Lines]:
    """Read a YAML mapping from ``path``; return it and a map from key path to line number.

    Every problem (missing file, bad encoding, bad YAML, forbidden tag, duplicate key, empty
    file, top level not a mapping) raises one :class:`InputError` naming the file and line.
    """
    text = _read_text(path)
    builder = _Builder(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = None if root is None else builder.value(root, ())
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error, path) from None
    except yaml.reader.ReaderError as error:  # a control character in the text
        line = text.count("\n", 0, error.position) + 1
        message = f"invalid YAML: {error.reason} (character #x{error.character:04x})"
        raise InputError(message, file=path, line=line) from None
    except yaml.YAMLError as error:
        raise InputError(f"invalid YAML: {_one_line(str(error))}", file=path) from None
    except RecursionError:
        raise InputError("invalid YAML: nested too deeply", file=path) from None
    if data is None:  # no document, or an empty one ("---")
        raise InputError("file is empty; expected a scenario mapping", file=path)
    if not isinstance(data, dict):
        raise InputError(
            f"expected a scenario mapping at the top level, got {_kind(data)}",
            file=path,
            line=root.start_mark.line + 1,
        )
    return data, builder.lines


def _read_text(path: str | Path) -> str:
    check_input_file(path, "a scenario file", SCENARIO_MB)  # before a FIFO or 26 MB is read
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}", file=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        byte = raw[error.start]
        raise InputError(
            f"file is not UTF-8 text (byte 0x{byte:02x} at offset {error.start})",
            file=path,
            line=line,
        ) from None


def _yaml_error(error: yaml.MarkedYAMLError, path: str | Path) -> InputError:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "cannot parse"
    message = f"invalid YAML: {problem}"
    if error.context and error.problem:
        started = error.context_mark
        if started is not None and mark is not None and started.line != mark.line:
            message += f" ({error.context} started on line {started.line + 1})"
        else:
            message += f" ({error.context})"
    if mark is not None:
        message += f" at column {mark.column + 1}"
    line = None if mark is None else mark.line + 1
    return InputError(_one_line(message), file=path, line=line)


class _Builder:
    """Builds plain Python values from composed nodes, recording the line of every path."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self.lines: Lines = {}
        self.count = 0
        self.active: set[int] = set()

    def fail(self, message: str, node: Node, path: KeyPath = ()) -> InputError:
        key = ".".join(str(part) for part in path) or None
        return InputError(message, file=self.path, line=node.start_mark.line + 1, key=key)

    def value(self, node: Node, path: KeyPath) -> Any:
        self.count += 1
        if self.count > _MAX_VALUES:
            raise self.fail(f"document expands to more than {_MAX_VALUES} values", node, path)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            raise self.fail("an alias refers to the value that contains it", node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                self.check_tag(node, path, _STD + "seq")
                return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
            self.check_tag(node, path, _STD + "map")
            return self.mapping(node, path)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STD + "merge":
                raise self.fail(
                    "merge keys ('<<') are not supported; write the keys out", key_node, path
                )
            if not isinstance(key_node, ScalarNode):
                raise self.fail(
                    "mapping keys must be plain names, not lists or mappings", key_node, path
                )
            key = key_node.value
            self.check_tag(key_node, (*path, key))
            if key in result:
                raise self.fail(f"key '{key}' appears twice", key_node, (*path, key))
            self.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = self.value(value_node, (*path, key))
        return result

    def check_tag(self, node: Node, path: KeyPath, *allowed: str) -> None:
        if node.tag not in (allowed or _SCALAR_TAGS):
            tag = node.tag.replace(_STD, "!!", 1) if node.tag.startswith(_STD) else node.tag
            raise self.fail(f"YAML tag '{tag}' is not allowed", node, path)

    def scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        self.check_tag(node, path)
        tag, text = node.tag.removeprefix(_STD), node.value
        if tag == "null":
            return None
        if tag == "bool" and text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        if tag == "bool":
            raise self.fail(f"cannot read '{text}' as true or false", node, path)
        if tag == "int":
            return self.integer(node, path)
        if tag == "float" or (
            node.style is None and tag == "str" and _YAML12_FLOAT.fullmatch(text)
        ):
            return self.decimal(node, path)
        return text  # str, timestamp, '=' and '<<' as values

    def integer(self, node: ScalarNode, path: KeyPath) -> int:
        text = node.value.replace("_", "")
        sign, digits = (-1, text[1:]) if text[:1] == "-" else (1, text.lstrip("+"))
        if ":" in digits:
            raise self.fail(f"base-60 number '{node.value}' is not supported; quote it", node, path)
        if len(digits) > 1 and digits[0] == "0" and digits[1] not in "xXbB":
            raise self.fail(
                f"number '{node.value}' has a leading zero (YAML reads it as octal); "
                "remove the zero or quote it",
                node,
                path,
            )
        if len(digits) > 40:  # int() of a huge string is slow; no valid number is this long
            raise self.fail(_out_of_range(node.value), node, path)
        try:
            number = sign * int(digits, 0)
        except ValueError:
            raise self.fail(f"cannot read '{node.value}' as a whole number", node, path) from None
        if abs(number) > LARGEST:
            raise self.fail(_out_of_range(node.value), node, path)
        return number

    def decimal(self, node: ScalarNode, path: KeyPath) -> Decimal:
        text = node.value.replace("_", "")
        if text.lower() in _NOT_FINITE:
            raise self.fail(f"expected a finite number, got '{node.value}'", node, path)
        if ":" in text:
            raise self.fail(f"base-60 number '{node.value}' is not supported; quote it", node, path)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise self.fail(f"cannot read '{node.value}' as a number", node, path) from None
        if not number.is_finite():
            raise self.fail(f"expected a finite number, got '{node.value}'", node, path)
        if abs(number) > LARGEST or (number and abs(number) < FINEST):
            raise self.fail(_out_of_range(node.value), node, path)
        return number


def _out_of_range(text: str) -> str:
    shown = text if len(text) <= 24 else text[:21] + "..."
    return f"number '{shown}' is out of range; numbers lie within ±1e15 and, unless 0, 1e-12"


def _kind(value: object) -> str:
    return "a list" if isinstance(value, list) else f"the value {value!r}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
