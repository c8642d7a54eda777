"""Checks that declare ``calls`` see only the calls of those names, and lose nothing by it.

The engine hands a ``Call`` to such a check only when the callee's last
name (the attribute called, or the called name as imported) is one it
declared. A declaration that forgot a name would silently drop findings, so
every source we have runs twice, with the index and with every check seeing
every call, and the findings must match.
"""

from __future__ import annotations

import ast
import textwrap

import pytest

from python_backend_kit.catalog import bundled_rules
from python_backend_kit.checks import load_checks
from python_backend_kit.checks.registry import REGISTRY, Check, rule
from python_backend_kit.engine import FileCheck, Settings, parse

from helpers import every_source

RULES = bundled_rules()
ALL = Settings(codes=frozenset(RULES), min_python=(3, 13))


def _run(source: str, settings: Settings, index_calls: bool):
    tree = parse(source)
    return FileCheck(tree, settings, "<test>", source, index_calls=index_calls).run()


@pytest.mark.parametrize("source", list(every_source()))
def test_the_index_loses_no_finding(source):
    assert _run(source, ALL, True) == _run(source, ALL, False)


def test_some_rules_declare_calls():
    load_checks()
    declared = [code for code, cls in REGISTRY.items() if cls.calls is not None]
    assert len(declared) >= 20, declared  # the index is in use, not a dead branch


ALIASED = """
import asyncio
from asyncio import gather as run_all, get_event_loop as current_loop

async def main(a, b):
    await run_all(a(), b())  # PBK101
    current_loop()  # PBK110
"""


@pytest.mark.parametrize("index_calls", [True, False])
def test_a_name_imported_under_another_name_still_reaches_its_checks(index_calls):
    source = textwrap.dedent(ALIASED)
    found = sorted((f.line, f.code) for f in _run(source, ALL, index_calls))
    assert found == [(6, "PBK101"), (7, "PBK110")]


@pytest.fixture
def spy_rule():
    """A throwaway rule that records the calls it is handed."""
    seen: list[str] = []

    @rule("PBK999", calls=("wanted",))
    class Spy(Check):
        def visit_Call(self, node: ast.Call) -> None:
            seen.append(ast.unparse(node))

    yield seen
    del REGISTRY["PBK999"]


def test_a_check_with_calls_sees_only_those(spy_rule):
    source = "import m\nfrom m import wanted as w\nm.wanted()\nm.other()\nw()\nwanted(x())\nf()()\n"
    FileCheck(parse(source), Settings(codes=frozenset({"PBK999"})), "<test>", source).run()
    assert spy_rule == ["m.wanted()", "w()", "wanted(x())"]


def test_without_the_index_it_sees_every_call(spy_rule):
    source = "m.wanted()\nm.other()\n"
    FileCheck(parse(source), Settings(codes=frozenset({"PBK999"})), "<test>", source, index_calls=False).run()
    assert spy_rule == ["m.wanted()", "m.other()"]


def _names_seen(check_class: type[Check], source: str, index_calls: bool = True) -> list[tuple[int, str, str]]:
    """(line, identifier, context) of every Name handed to *check_class*, registered as PBK999."""
    seen: list[tuple[int, str, str]] = []

    def visit_Name(self, node: ast.Name) -> None:  # noqa: N802 - the engine's naming
        seen.append((node.lineno, node.id, type(node.ctx).__name__))

    rule("PBK999")(type("NameSpy", (check_class,), {"visit_Name": visit_Name}))
    try:
        FileCheck(parse(source), Settings(codes=frozenset({"PBK999"})), "<test>", source, index_calls=index_calls).run()
    finally:
        del REGISTRY["PBK999"]
    return seen


NAMES_SOURCE = "from m import Wanted as W\nx = Wanted\ny = W\nWanted = 1\nz = other\ndel x\n"


def test_a_check_with_names_sees_only_those_names_read():
    class Named(Check):
        names = frozenset({"Wanted"})

    assert _names_seen(Named, NAMES_SOURCE) == [(2, "Wanted", "Load"), (3, "W", "Load")]


def test_a_check_wanting_bound_names_sees_only_bindings():
    class Bound(Check):
        bound_names_only = True

    assert _names_seen(Bound, NAMES_SOURCE) == [(2, "x", "Store"), (3, "y", "Store"), (4, "Wanted", "Store"), (5, "z", "Store"), (6, "x", "Del")]


def test_without_the_index_a_check_sees_every_name():
    class Named(Check):
        names = frozenset({"Wanted"})

    assert len(_names_seen(Named, NAMES_SOURCE, index_calls=False)) == 8  # x Wanted y W Wanted z other x
