"""``pbk check``: find the files, check them (in parallel when it pays), report."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Iterable

from ..catalog import Rule, bundled_rules
from ..config import Config, ConfigError, load_config, parse_min_python
from ..engine import Finding, Settings
from ..messages import message_for
from ..selection import BAD_INPUT_CODES, SelectionError, enabled_codes, matches, validate_selectors
from .discovery import discover
from .formats import BUILTIN_NAMES, CONTEXT_LINES, HUMAN_FORMATS, WRITERS, Row, char_column, summary, write_statistics
from .runner import Task, check_files

def default_jobs() -> int:
    counter = getattr(os, "process_cpu_count", None)  # 3.13+: honours CPU affinity
    if counter is not None:
        return counter() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


# -- what to check --------------------------------------------------------


def _validated(selectors: Iterable[str], rules: dict[str, Rule], option: str) -> list[str]:
    try:
        return validate_selectors(selectors, rules, option)
    except SelectionError as exc:
        raise ConfigError(str(exc)) from None


def build_settings(args: argparse.Namespace, config: Config, rules: dict[str, Rule]) -> tuple[Settings, list[str]]:
    """The run's settings and its ignore selectors (for the codes no rule file defines)."""
    where = f"{config.path}: [tool.pbk] " if config.path else ""
    select = None
    if args.select is not None:
        select = _validated(args.select, rules, "--select")
    elif config.select is not None:
        select = _validated(config.select, rules, f"{where}select")
    ignore = _validated(config.ignore, rules, f"{where}ignore") + _validated(args.ignore or [], rules, "--ignore")
    extend = _validated(config.extend_select, rules, f"{where}extend-select")
    extend += _validated(args.extend_select or [], rules, "--extend-select")
    min_python = parse_min_python(args.min_python, "--min-python") if args.min_python else config.min_python
    codes = enabled_codes(rules, select, ignore, extend)
    return Settings(codes=codes, min_python=min_python, options=config.options), ignore


def _per_file_ignores(config: Config, rules: dict[str, Rule]) -> list[tuple[str, tuple[str, ...]]]:
    where = f"{config.path}: [tool.pbk] " if config.path else ""
    table = []
    for pattern, codes in config.per_file_ignores.items():
        table.append((pattern, tuple(_validated(codes, rules, f"{where}per-file-ignores.{pattern!r}"))))
    return table


def _pattern_matches(pattern: str, absolute: str, root: str) -> bool:
    import fnmatch

    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if "/" not in pattern.rstrip("/"):
        return fnmatch.fnmatchcase(os.path.basename(absolute), pattern)
    rel = os.path.relpath(absolute, root).replace(os.sep, "/")
    candidates = [pattern, pattern[3:]] if pattern.startswith("**/") else [pattern]
    if pattern.endswith("/"):  # a folder: everything in it
        candidates = [c + "*" for c in candidates]
    return any(fnmatch.fnmatchcase(rel, c) or fnmatch.fnmatchcase(absolute, c) for c in candidates)


def _shown(path: Path, cwd: str | None = None) -> str:
    """Paths below the working directory are shown relative to it, as ruff does."""
    text = str(path)
    if text in (".", ""):
        return text
    text = os.path.normpath(text)
    if os.path.isabs(text):
        below = os.path.join(cwd or os.getcwd(), "")  # with a trailing separator
        if text.startswith(below):
            return text[len(below):]
    return text


def _row(shown: str, finding: Finding, lines: dict[int, str], rules: dict[str, Rule]) -> Row:
    rule = rules.get(finding.code)
    line = lines.get(finding.line)
    end_row = finding.end_line or finding.line
    end_col = finding.end_col if finding.end_line else finding.col
    column = char_column(line, finding.col) + 1
    end_column = char_column(lines.get(end_row), end_col or 0) + 1
    if end_row == finding.line and end_column < column:
        end_column = column
    context = tuple(sorted((n, t) for n, t in lines.items() if abs(n - finding.line) <= CONTEXT_LINES))
    return Row(
        path=shown,
        code=finding.code,
        message=message_for(finding, rules),
        row=finding.line,
        column=column,
        end_row=end_row,
        end_column=end_column,
        name=rule.name if rule else BUILTIN_NAMES.get(finding.code),
        url=rule.url if rule else None,
        context=context,
    )


def run_check(args: argparse.Namespace) -> int:
    rules = bundled_rules()
    paths = args.paths or [Path(".")]
    if args.isolated:
        config = Config()
    else:
        start = paths[0] if paths[0].exists() else Path.cwd()
        config = load_config(start, args.config)
    settings, ignore = build_settings(args, config, rules)
    per_file = _per_file_ignores(config, rules)
    builtin_codes = frozenset(c for c in BAD_INPUT_CODES if not matches(c, ignore))
    respect_gitignore = config.respect_gitignore and not args.no_respect_gitignore

    root = str(config.root)
    cwd = os.getcwd()
    tasks: list[Task] = []
    for path in discover(paths, config.exclude, respect_gitignore, config.root, args.force_exclude or config.force_exclude):
        ignored: tuple[str, ...] = ()
        if per_file:
            absolute = os.path.abspath(path)
            ignored = tuple(sorted({c for pattern, codes in per_file if _pattern_matches(pattern, absolute, root) for c in codes}))
        tasks.append((str(path), _shown(path, cwd), ignored))
    if not tasks and not args.quiet:
        print("warning: no Python files found under the given paths", file=sys.stderr)

    context = CONTEXT_LINES if args.output_format == "full" and not args.statistics else 0
    jobs = args.jobs or default_jobs()
    rows: list[Row] = []
    for shown, findings, lines in check_files(tasks, settings, builtin_codes, context, jobs):
        rows.extend(_row(shown, f, lines, rules) for f in findings)
    rows.sort(key=lambda r: (r.path, r.row, r.column, r.code))

    out = sys.stdout
    if args.statistics:
        write_statistics(rows, out, as_json=args.output_format in ("json", "json-lines"))
    elif args.output_format == "sarif":
        WRITERS["sarif"](rows, out, [rules[c] for c in settings.codes if c in rules])
    else:
        WRITERS[args.output_format](rows, out)
    if not args.quiet and (args.output_format in HUMAN_FORMATS or args.statistics and args.output_format not in ("json", "json-lines")):
        out.write(summary(len(rows)) + "\n")
    out.flush()
    if rows and not args.exit_zero:
        return 1
    return 0
