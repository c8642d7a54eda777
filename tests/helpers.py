"""Shared helpers: run source through the engine and compare findings."""

from __future__ import annotations

import textwrap

from python_backend_kit.catalog import bundled_rules
from python_backend_kit.engine import Settings, check_source
from python_backend_kit.rule_docs import marked_codes

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
