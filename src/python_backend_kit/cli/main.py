"""``pbk``: lint async backends without flake8, explain rules, install the skill.

Exit codes: 0 clean, 1 findings, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .. import __version__
from ..catalog import CatalogError, bundled_rules
from ..config import ConfigError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like ruff
        raise UsageError(f"{self.prog}: {message}")


def _codes(value: str) -> list[str]:
    return [v for v in value.replace(" ", ",").split(",") if v]


def build_parser() -> argparse.ArgumentParser:
    from .formats import WRITERS

    parser = _Parser(prog="pbk", description="python-backend-kit: rules for correct async Python backends")
    parser.add_argument("--version", action="version", version=f"pbk {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)

    check = commands.add_parser("check", help="lint files and directories")
    check.add_argument("paths", nargs="*", type=Path, help="files or directories (default: .)")
    check.add_argument("--select", type=_codes, help="codes or prefixes to run (PBK runs every rule)")
    check.add_argument("--ignore", type=_codes, default=None, help="codes or prefixes to skip")
    check.add_argument("--extend-select", type=_codes, default=None, help="codes to run in addition")
    check.add_argument("--output-format", choices=sorted(WRITERS), default="concise")
    check.add_argument("--min-python", help="oldest Python the code supports, e.g. 3.10")
    check.add_argument("--config", type=Path, help="pyproject.toml to read [tool.pbk] from")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")

    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", nargs="?", help="e.g. PBK303")
    rule.add_argument("--all", action="store_true", help="every rule")
    rule.add_argument("--output-format", choices=("text", "json"), default="text")

    from . import docs, skill  # the skill bundle's commands

    skill.add_parser(commands)
    docs.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "check":
            from .check import run_check

            return run_check(args)
        if args.command == "rule":
            from .rule import run_rule

            return run_rule(args)
        if args.command in ("skill", "docs"):
            from . import docs, skill

            return skill.run_skill(args) if args.command == "skill" else docs.run_docs(args)
    except (UsageError, ConfigError, CatalogError) as exc:
        print(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
