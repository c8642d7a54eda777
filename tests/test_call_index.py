"""Checks that declare ``calls`` see only the calls of those names, and lose nothing by it.

The engine hands a ``Call`` to such a check only when the callee's last
name (the attribute called, or the called name as imported) is one it
declared. A declaration that forgot a name would silently drop findings, so
every source we have runs twice, with the index and with every check seeing
every call, and the findings must match.
"""

from __future__ import annotations

import ast
import asyncio
import textwrap
from pathlib import Path

import pytest

from python_backend_kit.catalog import bundled_rules
from python_backend_kit.checks import load_checks
from python_backend_kit.checks.registry import REGISTRY, Check, rule
from python_backend_kit.engine import FileCheck, Settings, parse
from python_backend_kit.rule_docs import examples

ROOT = Path(__file__).resolve().parent.parent
RULES = bundled_rules()
ALL = Settings(codes=frozenset(RULES), min_python=(3, 13))


def _sources():
    for code, rule_ in sorted(RULES.items()):
        for number, example in enumerate(examples(rule_.text(), str(rule_.path)), start=1):
            yield pytest.param(example.source, id=f"{code}-{number}")
    for path in sorted((ROOT / "examples").rglob("*.py")):
        yield pytest.param(path.read_text(), id=str(path.relative_to(ROOT)))
    for path in sorted(Path(asyncio.__file__).parent.glob("*.py")):  # real code full of task and loop calls
        yield pytest.param(path.read_text(encoding="utf-8"), id=f"stdlib-asyncio-{path.name}")


def _run(source: str, settings: Settings, index_calls: bool):
    tree = parse(source)
    return FileCheck(tree, settings, "<test>", source, index_calls=index_calls).run()


@pytest.mark.parametrize("source", list(_sources()))
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
