"""``pbk check``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..catalog import bundled_rules
from ..checks import load_checks
from ..config import Config, ConfigError, load_config, parse_min_python
from ..engine import Settings
from ..messages import message_for
from ..selection import SelectionError, enabled_codes, validate_selectors
from .discovery import discover
from .formats import WRITERS, Row
from .runner import check_file, suppressed_by_noqa


def _settings(args: argparse.Namespace, config: Config, rules: dict) -> Settings:
    try:
        select = args.select if args.select is not None else config.select
        if select is not None:
            select = validate_selectors(select, rules, "--select")
        ignore = validate_selectors([*config.ignore, *(args.ignore or [])], rules, "--ignore")
        extend = validate_selectors([*config.extend_select, *(args.extend_select or [])], rules, "--extend-select")
    except SelectionError as exc:
        raise ConfigError(str(exc)) from None
    min_python = parse_min_python(args.min_python, "--min-python") if args.min_python else config.min_python
    return Settings(codes=enabled_codes(rules, select, ignore, extend), min_python=min_python, options=config.options)


def run_check(args: argparse.Namespace) -> int:
    rules = bundled_rules()
    load_checks()
    paths = args.paths or [Path(".")]
    config = load_config(paths[0] if paths[0].exists() else Path.cwd(), args.config)
    settings = _settings(args, config, rules)

    rows: list[Row] = []
    for path in discover(paths, config.exclude):
        result = check_file(path, settings, str(path))
        for finding in result.findings:
            line = result.lines[finding.line - 1] if 0 < finding.line <= len(result.lines) else ""
            rows.append(Row(result.path, finding, message_for(finding, rules), rules.get(finding.code), line))

    WRITERS[args.output_format](rows, sys.stdout)
    if rows and not args.exit_zero:
        return 1
    return 0
