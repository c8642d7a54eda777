"""``pbk``: lint async backends without flake8, explain rules, install the skill.

Exit codes: 0 clean, 1 findings, 2 usage or configuration error.

Adding a subcommand: write ``_<name>_parser(commands)`` below, call it from
:func:`build_parser`, and point ``handler`` at ``".<module>:<function>"``;
the module is imported only when its command runs, so ``pbk`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .. import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# errors that end the run with one line and exit 2: (module, class)
USER_ERRORS = (
    ("python_backend_kit.catalog", "CatalogError"),
    ("python_backend_kit.config", "ConfigError"),
)


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like ruff
        raise UsageError(f"{self.prog}: {message}")


def _codes(value: str) -> list[str]:
    return [v for v in value.replace(" ", ",").split(",") if v]


def _jobs(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of processes")
    return number


def _check_parser(commands: argparse._SubParsersAction) -> None:
    from .formats import WRITERS

    check = commands.add_parser("check", help="lint files and directories")
    check.set_defaults(handler=".check:run_check")
    check.add_argument("paths", nargs="*", type=Path, help="files or directories (default: .)")
    check.add_argument("--select", type=_codes, help="codes or prefixes to run, instead of the defaults (PBK runs every rule)")
    check.add_argument("--ignore", type=_codes, default=None, help="codes or prefixes to skip")
    check.add_argument("--extend-select", type=_codes, default=None, help="codes or prefixes to run in addition")
    check.add_argument("--output-format", choices=list(WRITERS), default="concise", help="how to print findings (default: concise)")
    check.add_argument("--statistics", action="store_true", help="print how often each code was found, not the findings")
    check.add_argument("-e", "--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("-q", "--quiet", action="store_true", help="print the findings only, no summary or warnings")
    check.add_argument("-j", "--jobs", type=_jobs, default=None, help="worker processes (default: the number of CPUs)")
    check.add_argument("--min-python", help="oldest Python the code supports, e.g. 3.10 (default: [tool.pbk] or requires-python)")
    check.add_argument("--config", type=Path, help="the pyproject.toml to read [tool.pbk] from (default: the nearest one)")
    check.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    check.add_argument("--no-respect-gitignore", action="store_true", help="check files that .gitignore excludes too")
    check.add_argument("--force-exclude", action="store_true", help="apply the excludes to files named on the command line too (for pre-commit)")


def _rule_parser(commands: argparse._SubParsersAction) -> None:
    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.set_defaults(handler=".rule:run_rule")
    rule.add_argument("code", nargs="?", help="e.g. PBK303")
    rule.add_argument("--all", action="store_true", help="every rule")
    rule.add_argument("--output-format", choices=("text", "json"), default="text")


def _bundle_parsers(commands: argparse._SubParsersAction) -> None:
    """``pbk skill`` and ``pbk docs``: their modules define their own arguments."""
    from . import docs, skill

    skill.add_parser(commands)
    commands.choices["skill"].set_defaults(handler=".skill:run_skill")
    docs.add_parser(commands)
    commands.choices["docs"].set_defaults(handler=".docs:run_docs")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (when *command* is ``check`` or ``rule``) only
    that command's: ``pbk check`` runs on every save, and the other
    commands' modules are not worth importing for it."""
    parser = _Parser(prog="pbk", description="python-backend-kit: rules for correct async Python backends")
    parser.add_argument("--version", action="version", version=f"pbk {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, required=True, metavar="COMMAND")
    if command in _LIGHT_COMMANDS:
        _LIGHT_COMMANDS[command](commands)
        return parser
    _check_parser(commands)
    _rule_parser(commands)
    _bundle_parsers(commands)
    return parser


_LIGHT_COMMANDS = {"check": _check_parser, "rule": _rule_parser}


def _is_user_error(exc: BaseException) -> bool:
    if isinstance(exc, UsageError):
        return True
    for module_name, class_name in USER_ERRORS:
        module = sys.modules.get(module_name)  # never imported: cannot be its error
        if module is not None and isinstance(exc, getattr(module, class_name)):
            return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    try:
        arguments = sys.argv[1:] if argv is None else list(argv)
        # the subcommand comes first when it is named (pbk has no global option taking a value)
        args = build_parser(arguments[0] if arguments else None).parse_args(arguments)
        module_name, _, function = args.handler.partition(":")
        from importlib import import_module

        return getattr(import_module(module_name, __package__), function)(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `pbk check | head`: stop quietly, as ruff does
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FINDINGS
    except Exception as exc:
        if not _is_user_error(exc):
            raise
        text = str(exc).strip()
        print(text.splitlines()[0] if text else type(exc).__name__, file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
