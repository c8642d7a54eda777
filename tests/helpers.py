"""Shared helpers: run source through the engine and compare findings."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest

from python_backend_kit.catalog import bundled_rules
from python_backend_kit.engine import Settings, check_source
from python_backend_kit.rule_docs import examples, marked_codes

ROOT = Path(__file__).resolve().parent.parent

ALL_CODES = frozenset(bundled_rules())


def findings(source: str, codes=None, min_python=(3, 11), **options) -> list[tuple[int, str]]:
    """(line, code) of every finding in *source* (dedented)."""
    settings = Settings(codes=frozenset(codes or ALL_CODES), min_python=min_python, options=options)
    return [(f.line, f.code) for f in check_source(textwrap.dedent(source), settings)]


def assert_marked(source: str, codes=None, min_python=(3, 11), **options) -> None:
    """The findings equal the `# PBKnnn` markers in *source*, line for line."""
    source = textwrap.dedent(source)
    expected = sorted(marked_codes(source))
    selected = frozenset(codes or ALL_CODES)
    expected = [e for e in expected if e[1] in selected]
    got = sorted(set(findings(source, selected, min_python, **options)))
    assert got == expected, f"expected {expected}, got {got}\n{source}"


def every_source():
    """pytest params: every rule-doc example, every example app file, and
    CPython's asyncio package (real code full of task and loop calls)."""
    for code, rule_ in sorted(bundled_rules().items()):
        for number, example in enumerate(examples(rule_.text(), str(rule_.path)), start=1):
            yield pytest.param(example.source, id=f"{code}-{number}")
    for path in sorted((ROOT / "examples").rglob("*.py")):
        yield pytest.param(path.read_text(), id=str(path.relative_to(ROOT)))
    for path in sorted(Path(asyncio.__file__).parent.glob("*.py")):
        yield pytest.param(path.read_text(encoding="utf-8"), id=f"stdlib-asyncio-{path.name}")


def probe_rule(monkeypatch, code: str, **attributes) -> list[str]:
    """Register, for one test, a check under *code* with *attributes* (such as
    ``needs_text``) that records "ran" when it sees the module; the record."""
    from python_backend_kit import engine
    from python_backend_kit.checks.registry import REGISTRY, Check, _collect_handlers

    seen: list[str] = []

    def visit_Module(self, node) -> None:  # noqa: N802 - the engine's naming
        seen.append("ran")

    probe = type("Probe", (Check,), {"visit_Module": visit_Module, **attributes})
    probe.code = code
    probe.handlers = _collect_handlers(probe)
    monkeypatch.setitem(REGISTRY, code, probe)
    monkeypatch.setattr(engine, "_chosen_by_codes", {})
    return seen
