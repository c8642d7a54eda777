"""The flake8 door: ``flake8 --select PBK``.

flake8 does the selecting, ignoring, per-file-ignores and noqa; this class
only decides which opinionated rules to run (those matched by an explicit
``select``/``extend-select``) and turns findings into flake8's tuples. It
never raises out of ``run()``: flake8 would lose the whole run.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Iterator

from . import __version__
from .catalog import CatalogError, bundled_rules
from .config import ConfigError, load_config, parse_blocking_calls, parse_min_python
from .engine import INTERNAL_ERROR, FileCheck, Finding, Settings
from .checks import load_checks
from .messages import message_for
from .selection import enabled_codes

Result = tuple[int, int, str, type]


class Flake8Plugin:
    name = "python-backend-kit"
    version = __version__

    _settings: Settings | None = None
    _setup_error: str | None = None

    def __init__(self, tree: ast.AST, filename: str = "<unknown>") -> None:
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
            comma_separated_list=True,
            default=[],
            help="python-backend-kit: extra blocking calls, as name=PBK106:what-to-use",
        )
        manager.add_option(
            "--pbk-session-factories",
            parse_from_config=True,
            comma_separated_list=True,
            default=[],
            help="python-backend-kit: qualified names of project session factories defined elsewhere",
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
                    **parse_blocking_calls(list(options.pbk_blocking_calls), "--pbk-blocking-calls"),
                }
            if getattr(options, "pbk_session_factories", None):
                opts["session-factories"] = [*opts.get("session-factories", []), *options.pbk_session_factories]
            cls._settings = Settings(codes=codes, min_python=min_python, options=opts)
        except (CatalogError, ConfigError) as exc:
            cls._setup_error = str(exc)

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
        return FileCheck(self.tree, self.settings(), self.filename).run()
