"""Configuration: ``[tool.pbk]`` in the nearest pyproject.toml.

Every problem is a :class:`ConfigError` with one line naming the option.
The minimum Python comes from ``min-python``, else ``requires-python``,
else 3.11.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from .checks.blocking_calls import BlockingCall
from .engine import DEFAULT_MIN_PYTHON

LIST_KEYS = ("select", "ignore", "extend-select", "extend-ignore", "exclude", "extend-exclude", "session-factories")
BOOL_KEYS = ("respect-gitignore", "force-exclude")
KNOWN_KEYS = frozenset((*LIST_KEYS, *BOOL_KEYS, "min-python", "per-file-ignores", "blocking-calls"))
VERSION = re.compile(r"3\.(\d+)")
BLOCKING_CODES = ("PBK105", "PBK106", "PBK107", "PBK108")
QUALNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    path: Path | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    min_python: tuple[int, int] = DEFAULT_MIN_PYTHON
    min_python_source: str = "default"  # "min-python", "requires-python" or "default"
    respect_gitignore: bool = True
    force_exclude: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        """Where per-file-ignores and exclude patterns are relative to."""
        return self.path.parent if self.path else Path.cwd()


def find_pyproject(start: Path) -> Path | None:
    start = start.resolve()
    for folder in (start, *start.parents) if start.is_dir() else start.parents:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def parse_min_python(value: Any, option: str = "min-python") -> tuple[int, int]:
    if not isinstance(value, str):  # TOML 3.10 is the float 3.1: insist on a string
        raise ConfigError(f"{option}: {value!r} must be a string like \"3.11\"")
    match = VERSION.fullmatch(value.strip())
    if not match:
        raise ConfigError(f"{option}: {value!r} is not a Python version like 3.11")
    return (3, int(match.group(1)))


def min_python_from_requires(spec: str) -> tuple[int, int] | None:
    """The lowest 3.x a ``requires-python`` specifier admits, if it says.

    The clauses of a specifier all have to hold, so the highest lower bound wins
    (``>=3.9, >=3.10`` admits 3.10 and up). ``>3.9`` admits 3.9.1, so it counts as 3.9.
    """
    lows = [int(m.group(1)) for m in re.finditer(r"(?:>=|~=|===?|\^|>)\s*3\.(\d+)", spec)]
    return (3, max(lows)) if lows else None


def parse_blocking_calls(value: Any, option: str = "blocking-calls") -> dict[str, BlockingCall]:
    """``{"boto3.client": "PBK106: aioboto3"}`` or a list of ``"name=PBK10x:instead"``."""
    items = value.items() if isinstance(value, dict) else None
    if items is None and isinstance(value, list):
        items = []
        for entry in value:
            name, sep, rest = str(entry).partition("=")
            if not sep:
                raise ConfigError(f"{option}: {entry!r} must look like name=PBK106:what-to-use")
            items.append((name, rest))
    if items is None:
        raise ConfigError(f"{option}: must be a table or a list")
    table = {}
    for name, spec in items:
        name = str(name).strip()
        if not QUALNAME.fullmatch(name):
            raise ConfigError(f"{option}: {name!r} is not a qualified name like boto3.client")
        if not isinstance(spec, str):
            raise ConfigError(f"{option}: {name!r} must map to a string like \"PBK106: what to use instead\"")
        code, _, instead = spec.partition(":")
        code = code.strip().upper()
        if code not in BLOCKING_CODES:
            raise ConfigError(f"{option}: {name!r}: {code!r} is not one of {', '.join(BLOCKING_CODES)}")
        table[name] = BlockingCall(code, instead.strip() or "a non-blocking alternative")
    return table


def parse_session_factories(value: Any, option: str = "session-factories") -> list[str]:
    names = _string_list(value, option)
    for name in names:
        if not QUALNAME.fullmatch(name):
            raise ConfigError(f"{option}: {name!r} is not a qualified name like myapp.db.SessionLocal")
    return names


def _string_list(value: Any, option: str) -> list[str]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{option}: must be a list of strings")
    return [v.strip() for v in value if v.strip()]


def from_table(table: dict[str, Any], path: Path | None, requires_python: str | None = None) -> Config:
    config = Config(path=path)
    where = f"{path}: " if path else ""
    for key in table:
        if key not in KNOWN_KEYS:
            raise ConfigError(f"{where}[tool.pbk]: unknown option {key!r}")
    try:
        if "select" in table:
            config.select = _string_list(table["select"], "select")
        config.ignore = _string_list(table.get("ignore", []), "ignore") + _string_list(table.get("extend-ignore", []), "extend-ignore")
        config.extend_select = _string_list(table.get("extend-select", []), "extend-select")
        config.exclude = _string_list(table.get("exclude", []), "exclude") + _string_list(table.get("extend-exclude", []), "extend-exclude")
        pfi = table.get("per-file-ignores", {})
        if not isinstance(pfi, dict):
            raise ConfigError("per-file-ignores: must be a table of pattern = [codes]")
        config.per_file_ignores = {k: _string_list(v, f"per-file-ignores.{k!r}") for k, v in pfi.items()}
        for key in BOOL_KEYS:
            if key in table:
                if not isinstance(table[key], bool):
                    raise ConfigError(f"{key}: must be true or false")
                setattr(config, key.replace("-", "_"), table[key])
        if "min-python" in table:
            config.min_python = parse_min_python(table["min-python"])
            config.min_python_source = "min-python"
        elif requires_python:
            found = min_python_from_requires(requires_python)
            if found:
                config.min_python, config.min_python_source = found, "requires-python"
        if "blocking-calls" in table:
            config.options["blocking-calls"] = parse_blocking_calls(table["blocking-calls"])
        if "session-factories" in table:
            config.options["session-factories"] = parse_session_factories(table["session-factories"])
    except ConfigError as exc:
        raise ConfigError(f"{where}[tool.pbk] {exc}") from None
    return config


def load_config(start: Path, explicit: Path | None = None) -> Config:
    path = explicit or find_pyproject(start)
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    table = data.get("tool", {}).get("pbk", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.pbk] must be a table")
    requires = data.get("project", {}).get("requires-python")
    return from_table(table, path, requires if isinstance(requires, str) else None)
