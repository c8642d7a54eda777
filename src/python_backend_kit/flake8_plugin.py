"""The flake8 door: ``flake8 --select PBK``.

flake8 does the selecting, ignoring, per-file-ignores, excludes and noqa with
its own options; ``[tool.pbk]`` ``select``/``ignore``/``per-file-ignores``/
``exclude`` are for ``pbk check`` only, so a project never has two sources of
truth for one flake8 run. This class only decides which opinionated rules to
run (those matched by an explicit ``select``/``extend-select``) and turns
findings into flake8's tuples.

The rule options come from flake8's options and config files
(``--pbk-min-python``, ``--pbk-blocking-calls``, ``--pbk-session-factories``,
or ``pbk-min-python = 3.10`` in ``[flake8]``), then from ``[tool.pbk]`` in the
nearest pyproject.toml, then (for the minimum Python) from ``requires-python``.
A bad value stops flake8 with exit code 2 and one line naming the option.

It never raises out of ``run()``: flake8 would lose the whole run.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Iterator

from . import __version__
from .catalog import CatalogError, bundled_rules
from .config import ConfigError, load_config, parse_blocking_calls, parse_min_python, parse_session_factories
from .engine import INTERNAL_ERROR, FileCheck, Finding, Settings
from .checks import load_checks
from .messages import message_for
from .selection import enabled_codes

Result = tuple[int, int, str, type]


def _entries(value: Any) -> list[str]:
    """One entry per line (flake8 config files; the advice may then hold commas),
    or ``a=PBK105:x,b=PBK106:y`` on one line."""
    if isinstance(value, (list, tuple)):
        value = "\n".join(value)
    text = str(value).strip()
    parts = text.splitlines() if "\n" in text else text.split(",")
    return [part.strip().rstrip(",").strip() for part in parts if part.strip().rstrip(",").strip()]


class Flake8Plugin:
    name = "python-backend-kit"
    version = __version__

    _settings: Settings | None = None
    _setup_error: str | None = None

    def __init__(self, tree: ast.AST, filename: str = "<unknown>", lines: list[str] | None = None) -> None:
        # flake8 hands over the physical lines too: with the text, rules whose
        # needed words a file lacks are skipped (and often the whole walk)
        self.lines = lines
        self.tree = tree
        self.filename = filename

    # -- options --------------------------------------------------------
    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--pbk-min-python",
            parse_from_config=True,
            default=None,
            help="python-backend-kit: oldest Python the code supports (e.g. 3.10); "
            "rules recommending newer features stay silent below it. "
            "Default: [tool.pbk] min-python, else requires-python, else 3.11.",
        )
        manager.add_option(
            "--pbk-blocking-calls",
            parse_from_config=True,
            default="",  # split here, not by flake8: the advice may contain spaces
            help="python-backend-kit: extra blocking calls, one per line in a config file (or comma-separated), each as "
            "qualified.name=PBK106:what to use instead (adds to [tool.pbk] blocking-calls)",
        )
        manager.add_option(
            "--pbk-session-factories",
            parse_from_config=True,
            comma_separated_list=True,
            default=[],
            help="python-backend-kit: qualified names of the project's session factories defined "
            "in other modules, comma-separated (adds to [tool.pbk] session-factories)",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls._settings, cls._setup_error = None, None
        try:
            rules = bundled_rules()
            load_checks()
            config = load_config(Path.cwd())
            explicit = [*(options.select or []), *(getattr(options, "extend_select", None) or [])]
            codes = enabled_codes(rules, select=None, extend_select=[s for s in explicit if s.startswith("PBK")])
            min_python = config.min_python
            if getattr(options, "pbk_min_python", None):
                min_python = parse_min_python(options.pbk_min_python, "--pbk-min-python")
            opts = dict(config.options)
            if getattr(options, "pbk_blocking_calls", None):
                opts["blocking-calls"] = {
                    **opts.get("blocking-calls", {}),
                    **parse_blocking_calls(_entries(options.pbk_blocking_calls), "--pbk-blocking-calls"),
                }
            if getattr(options, "pbk_session_factories", None):
                extra = parse_session_factories(list(options.pbk_session_factories), "--pbk-session-factories")
                opts["session-factories"] = [*opts.get("session-factories", []), *extra]
            cls._settings = Settings(codes=codes, min_python=min_python, options=opts)
        except (CatalogError, ConfigError) as exc:
            # like flake8's own option errors: one line, exit 2, before any file is read
            import sys

            print(f"flake8: python-backend-kit: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
            raise SystemExit(2) from None

    @classmethod
    def settings(cls) -> Settings:
        if cls._settings is None and cls._setup_error is None:
            # used without flake8's option handling (e.g. from a test)
            cls._settings = Settings(codes=enabled_codes(bundled_rules()))
        return cls._settings  # type: ignore[return-value]

    # -- checking -------------------------------------------------------
    def run(self) -> Iterator[Result]:
        try:
            findings = self._findings()
            rules = bundled_rules()
            results = [(f.line, f.col, f"{f.code} {message_for(f, rules)}", type(self)) for f in findings]
        except Exception as exc:  # never let flake8's worker die
            results = [(1, 0, f"{INTERNAL_ERROR} internal error: {type(exc).__name__}: {exc}", type(self))]
        yield from results

    def _findings(self) -> list[Finding]:
        if self._setup_error is not None:
            return [Finding(1, 0, INTERNAL_ERROR, {"rule": "configuration", "error": self._setup_error})]
        if not isinstance(self.tree, ast.Module):
            return []
        load_checks()
        source = "".join(self.lines) if self.lines is not None else None
        return FileCheck(self.tree, self.settings(), self.filename, source).run()
