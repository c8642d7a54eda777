"""The engine never crashes, never leaks a file's tree, and walks every node once."""

from __future__ import annotations

import ast
import contextlib
import gc
import io
import sys
import sysconfig
import textwrap
import warnings
from pathlib import Path

import pytest

from python_backend_kit import engine
from python_backend_kit.catalog import bundled_rules
from python_backend_kit.checks import load_checks
from python_backend_kit.checks.registry import REGISTRY, Check, _collect_handlers
from python_backend_kit.cli.main import main
from python_backend_kit.engine import INTERNAL_ERROR, FileCheck, Settings, check_source, child_fields

from helpers import probe_rule

ROOT = Path(__file__).resolve().parent.parent
ALL = Settings(codes=frozenset(bundled_rules()), min_python=(3, 13))
BAD = textwrap.dedent(
    """\
    import asyncio
    import time


    async def handler():
        time.sleep(1)
        asyncio.create_task(handler())
    """
)


def codes(findings) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in findings]


# -- one failing rule ------------------------------------------------------------------


@pytest.fixture
def exploding_pbk104(monkeypatch):
    load_checks()
    broken = REGISTRY["PBK104"]

    def explode(self, node):
        raise ValueError("boom")

    monkeypatch.setattr(broken, "visit_Expr", explode)
    monkeypatch.setattr(broken, "handlers", {"visit": [(ast.Expr, "visit_Expr")], "leave": []})


def test_pbk_check_reports_a_failing_rule_once_and_keeps_the_other_findings(exploding_pbk104, tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(BAD)
    (tmp_path / "other.py").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", "--select", "PBK", "."])
    lines = out.getvalue().splitlines()
    assert code == 1
    for name in ("app.py", "other.py"):
        mine = [line for line in lines if line.startswith(name)]
        assert [line for line in mine if " PBK000 " in line] == [
            f"{name}:6:5: PBK000 internal error in PBK104: ValueError: boom (please report it; other rules still ran)"
        ]
        assert any(" PBK105 " in line for line in mine)


def test_engine_reports_a_failing_rule_once_per_file(exploding_pbk104):
    found = check_source(BAD + "    asyncio.create_task(handler())\n", ALL)
    assert [f for f in found if f.code == INTERNAL_ERROR] == [
        engine.Finding(6, 4, INTERNAL_ERROR, {"rule": "PBK104", "error": "ValueError: boom"})
    ]
    assert (6, "PBK105") in codes(found)


def test_a_failing_finish_is_reported(monkeypatch):
    load_checks()
    broken = REGISTRY["PBK104"]

    def finish(self):
        raise KeyError("late")

    monkeypatch.setattr(broken, "finish", finish)
    found = check_source(BAD, ALL)
    assert (1, INTERNAL_ERROR) in codes(found) and (6, "PBK105") in codes(found)


# -- the model -----------------------------------------------------------------------------


def test_a_failing_model_update_is_reported_once_and_the_walk_goes_on(monkeypatch):
    from python_backend_kit.model.receivers import ReceiverKinds

    def explode(self, *args, **kwargs):
        raise TypeError("model bug")

    monkeypatch.setattr(ReceiverKinds, "assign", explode)
    found = check_source("x = 1\ny = 2\n" + BAD, ALL)
    assert [(f.code, f.args) for f in found if f.code == INTERNAL_ERROR] == [
        (INTERNAL_ERROR, {"rule": "model", "error": "TypeError: model bug"})
    ]
    assert (8, "PBK105") in codes(found)


def test_recursion_in_the_model_is_silent(monkeypatch):
    from python_backend_kit.model.receivers import ReceiverKinds

    def recurse(self, *args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(ReceiverKinds, "assign", recurse)
    monkeypatch.setattr(ReceiverKinds, "kind_of", recurse)
    found = check_source("x = 1\n" + BAD, ALL)
    assert INTERNAL_ERROR not in [f.code for f in found]
    assert (7, "PBK105") in codes(found)


# -- memory: nothing of a checked file outlives it ---------------------------------------------


def example_sources() -> list[str]:
    from python_backend_kit.rule_docs import examples  # noqa: F401 - only to be sure the module loads

    sources = [p.read_text() for p in sorted((ROOT / "examples").rglob("*.py"))]
    return sources + [BAD]


def test_checking_a_file_creates_no_reference_cycles():
    sources = example_sources()
    check_source(sources[0], ALL)  # warm caches
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for source in sources:
            check_source(source, ALL)
        # every object of those runs was freed by reference counting
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()


def test_the_walk_leaves_the_gc_as_it_found_it():
    gc.disable()
    try:
        check_source(BAD, ALL)
        assert not gc.isenabled()
    finally:
        gc.enable()
    check_source(BAD, ALL)
    assert gc.isenabled()


# -- the walk itself -----------------------------------------------------------------------------

_NODE_TYPES = [t for t in vars(ast).values() if isinstance(t, type) and issubclass(t, ast.AST) and t is not ast.AST]


def _visit_all_check() -> type[Check]:
    def visit(self, node):
        self.seen.append(node)

    namespace = {f"visit_{t.__name__}": visit for t in _NODE_TYPES}
    cls = type("VisitAll", (Check,), namespace)
    cls.code = "PBK999"
    cls.handlers = _collect_handlers(cls)
    return cls


def visited(source: str | ast.Module) -> list[ast.AST]:
    """Every node the walk hands to a check subscribed to every node type, in order."""
    tree = ast.parse(source) if isinstance(source, str) else source
    file = FileCheck(tree, Settings(codes=frozenset()))
    from python_backend_kit.checks.registry import RuleContext

    check = _visit_all_check()(RuleContext("PBK999", file))
    check.seen = []
    file.attach(check)
    file.run()
    return check.seen


_OPERATORS = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)


def _reachable(tree: ast.AST) -> list[ast.AST]:
    """Every node ast.walk finds, less contexts and operators (shared singletons)."""
    return [n for n in ast.walk(tree) if not isinstance(n, _OPERATORS)]


def _nodes(seen: list[ast.AST]) -> list[ast.AST]:
    return [n for n in seen if not isinstance(n, _OPERATORS)]


def _sample_files(count: int = 40) -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in stdlib.glob("*.py"))
    step = max(1, len(files) // count)
    return files[::step] + [p for p in sorted((ROOT / "src").rglob("*.py"))]


@pytest.mark.parametrize("path", _sample_files(), ids=lambda p: p.name)
def test_every_node_is_visited_exactly_once(path):
    source = path.read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        pytest.skip("not parsable here")
    seen = _nodes(visited(tree))
    assert len(seen) == len({id(n) for n in seen})  # no node twice
    assert {id(n) for n in seen} == {id(n) for n in _reachable(tree)}  # every node


def test_handler_names_do_not_touch_the_aliases_of_removed_node_types():
    # ast.Num, ast.Ellipsis ... warn when looked up (3.12, 3.13) and are gone in 3.14
    class Probe(Check):
        def visit_Constant(self, node: ast.AST) -> None: ...
        def visit_Ellipsis(self, node: ast.AST) -> None: ...
        def visit_Num(self, node: ast.AST) -> None: ...

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        handlers = _collect_handlers(Probe)
    assert (ast.Constant, "visit_Constant") in handlers["visit"]


def test_parents_come_before_children_and_values_before_targets():
    seen = visited("x = f(a)\nfor y in g(b):\n    h(y)\n")
    names = [n.id for n in seen if isinstance(n, ast.Name)]
    assert names == ["f", "a", "x", "g", "b", "y", "h", "y"]
    calls = [n for n in seen if isinstance(n, ast.Call)]
    assert seen.index(calls[0]) < seen.index(calls[0].func)


VERSION_SNIPPETS = {
    (3, 10): "match command:\n    case [x, *rest] if x:\n        pass\n    case {'k': v, **kw}:\n        pass\n    case Point(x=0) | None as p:\n        pass\n",
    (3, 11): "try:\n    pass\nexcept* ValueError as group:\n    pass\n",
    (3, 12): "type Alias[T] = list[T]\ndef f[T: int, *Ts, **P](x: T) -> T:\n    return x\nclass C[T]:\n    pass\n",
    (3, 13): "def f[T = int](x: T) -> T:\n    return x\n",
}


@pytest.mark.parametrize("version", sorted(VERSION_SNIPPETS))
def test_new_syntax_is_walked(version):
    if sys.version_info[:2] < version:
        pytest.skip(f"needs Python {version[0]}.{version[1]}")
    source = VERSION_SNIPPETS[version] + BAD
    assert [f.code for f in check_source(source, ALL)].count(INTERNAL_ERROR) == 0
    seen = _nodes(visited(source))
    assert sorted(type(n).__name__ for n in seen) == sorted(type(n).__name__ for n in _reachable(ast.parse(source)))


# -- the tables the walk is built on -------------------------------------------------------------


@pytest.mark.skipif(not hasattr(ast.Module, "_field_types"), reason="field types are introspectable from Python 3.13")
def test_child_fields_are_exactly_the_fields_that_hold_nodes():
    def holds_nodes(annotation) -> bool:
        text = str(annotation)
        return any(name in text for name in ("ast.expr", "ast.stmt", "ast.arg", "ast.keyword", "ast.alias", "ast.withitem",
                                             "ast.comprehension", "ast.excepthandler", "ast.match_case", "ast.pattern",
                                             "ast.type_param", "ast.arguments", "ast.cmpop"))

    for node_type in _NODE_TYPES:
        types = getattr(node_type, "_field_types", {})
        expected = {f for f in node_type._fields if holds_nodes(types.get(f))}
        expected -= {"ctx", "op"}
        assert set(child_fields(node_type)) == expected, node_type.__name__


def test_skipped_fields_never_hold_nodes_in_real_code():
    for path in _sample_files(15):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            kept = set(child_fields(type(node)))
            for name in node._fields:
                if name in kept or name in ("ctx", "op"):
                    continue
                value = getattr(node, name, None)
                values = value if isinstance(value, list) else [value]
                assert not any(isinstance(v, ast.AST) for v in values), (type(node).__name__, name)


# -- min-python and needs_text ------------------------------------------------------------------------


def test_rules_newer_than_the_target_python_stay_silent(monkeypatch):
    monkeypatch.setattr(engine, "_rule_min_python", lambda code: (3, 12) if code == "PBK105" else None)
    monkeypatch.setattr(engine, "_chosen_by_codes", {})
    older = Settings(codes=frozenset({"PBK105"}), min_python=(3, 11))
    newer = Settings(codes=frozenset({"PBK105"}), min_python=(3, 12))
    assert codes(check_source(BAD, older)) == []
    assert codes(check_source(BAD, newer)) == [(6, "PBK105")]


@pytest.fixture
def needy_check(monkeypatch):
    return probe_rule(monkeypatch, "PBK198", needs_text=("needle", "pin"))


@pytest.mark.parametrize(
    ("source", "ran"),
    [("x = 1\n", False), ("x = 'needle'\n", True), (b"# pin\n", True), (b"x = 1\n", False)],
)
def test_needs_text_skips_a_check_on_files_without_the_text(needy_check, source, ran):
    check_source(source, Settings(codes=frozenset({"PBK198"})))
    assert needy_check == (["ran"] if ran else [])


def test_without_the_source_every_check_runs(needy_check):
    FileCheck(ast.parse("x = 1\n"), Settings(codes=frozenset({"PBK198"}))).run()
    assert needy_check == ["ran"]


# -- shared analyses ---------------------------------------------------------------------------------


class CallCounter(Check):
    """An analysis: counts calls, reports nothing."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self.calls = 0
        self.finished = False

    def visit_Call(self, node):
        self.calls += 1

    def finish(self):
        self.finished = True


@pytest.fixture
def sharing_checks(monkeypatch):
    seen: dict[str, tuple] = {}

    def make(code):
        class User(Check):
            analysis = CallCounter

            def visit_Call(self, node):
                seen[code + " first"] = seen.get(code + " first") or self.analysis.calls

            def finish(self):
                seen[code] = (id(self.analysis), self.analysis.calls, self.analysis.finished)
                self.report(self.model.tree.body[0])

        User.code = code
        User.handlers = _collect_handlers(User)
        monkeypatch.setitem(REGISTRY, code, User)

    make("PBK196")
    make("PBK197")
    monkeypatch.setattr(engine, "_chosen_by_codes", {})
    return seen


def test_rules_naming_one_analysis_share_one_instance_fed_before_them(sharing_checks):
    found = check_source("f()\ng()\n", Settings(codes=frozenset({"PBK196", "PBK197"})))
    assert sharing_checks["PBK196"] == sharing_checks["PBK197"]
    _, calls, finished = sharing_checks["PBK196"]
    assert (calls, finished) == (2, True)  # fed once per node, finished before the rules
    assert sharing_checks["PBK196 first"] == 1  # the analysis saw the node before the rule did
    assert [f.code for f in found] == ["PBK196", "PBK197"]


def test_a_failing_analysis_stops_the_rules_using_it(sharing_checks, monkeypatch):
    def explode(self, node):
        raise RuntimeError("flow")

    monkeypatch.setattr(CallCounter, "visit_Call", explode)
    monkeypatch.delattr(CallCounter, "handlers", raising=False)
    found = check_source("f()\n", Settings(codes=frozenset({"PBK196", "PBK197"})))
    assert [(f.code, f.args["rule"]) for f in found] == [(INTERNAL_ERROR, "analysis CallCounter")]


# -- no quadratic walks over long chains ---------------------------------------------------------------


def _chain(length: int) -> ast.Module:
    """``a.b.b.b ...`` with *length* attributes, built by hand (parsers of 3.11+ refuse it)."""
    node: ast.expr = ast.Name("a", ast.Load(), lineno=1, col_offset=0, end_lineno=1, end_col_offset=1)
    for i in range(length):
        node = ast.Attribute(node, "b", ast.Load(), lineno=1, col_offset=0, end_lineno=1, end_col_offset=i + 3)
    call = ast.Call(node, [], [], lineno=1, col_offset=0, end_lineno=1, end_col_offset=length * 2 + 3)
    return ast.Module([ast.Expr(call, lineno=1, col_offset=0, end_lineno=1, end_col_offset=1)], [])


def test_a_very_long_attribute_chain_is_checked_in_linear_time():
    import time

    start = time.process_time()
    findings = FileCheck(_chain(30_000), ALL).run()
    took = time.process_time() - start
    assert [f for f in findings if f.code == INTERNAL_ERROR and f.args["rule"] in ("engine", "model")] == []
    assert took < 10, f"{took:.1f} s for 30,000 attributes: something walks the chain once per node"


def test_every_rule_declares_the_text_it_needs():
    """Each rule names text that any file it can fire on contains; the doc
    examples (run with their source) prove the texts are not too narrow."""
    from python_backend_kit.checks import load_checks
    from python_backend_kit.checks.registry import REGISTRY

    load_checks()
    missing = [code for code, cls in REGISTRY.items() if not (getattr(cls, "needs_text", None) or getattr(cls, "needs_import", None))]
    assert missing == []


def test_configured_session_factory_keeps_session_rules_alive_without_sqlalchemy_text():
    source = (
        "import asyncio\n"
        "from myapp.db import Database\n\n"
        "async def handler(db: Database):\n"
        "    async with db.session_context() as session:\n"
        "        await asyncio.gather(session.get(1), session.get(2))\n"
    )
    plain = Settings(codes=frozenset({"PBK303"}))
    configured = Settings(codes=frozenset({"PBK303"}), options={"session-factories": ["myapp.db.Database.session_context"]})
    assert check_source(source, plain) == []
    assert [(f.line, f.code) for f in check_source(source, configured)] == [(6, "PBK303")]


def test_skipping_by_text_loses_nothing_on_the_bad_example_app():
    from pathlib import Path

    from python_backend_kit.engine import FileCheck

    for path in sorted((Path(__file__).parent.parent / "examples" / "bad_app").glob("*.py")):
        source = path.read_bytes()
        every = ALL
        with_text = check_source(source, every)
        without_text = FileCheck(ast.parse(source), every).run()  # no source: every check runs
        assert with_text == without_text, path.name


# -- plans shared between files --------------------------------------------------------------


def test_a_rule_failing_on_one_file_still_runs_on_the_next(monkeypatch):
    """Files with the same needed texts share one plan; a failure replaces
    the failing rule's handlers for that file only."""
    load_checks()
    broken = REGISTRY["PBK105"]
    original = broken.visit_Call

    def explode_on_the_first_file(self, node):
        if self.ctx.file.filename == "first.py":
            raise ValueError("boom")
        return original(self, node)

    monkeypatch.setattr(broken, "visit_Call", explode_on_the_first_file)
    engine.forget_plans()
    first = check_source(BAD, ALL, "first.py")
    second = check_source(BAD, ALL, "second.py")
    assert (6, INTERNAL_ERROR) in codes(first) and (6, "PBK105") not in codes(first)
    assert (6, "PBK105") in codes(second) and INTERNAL_ERROR not in {f.code for f in second}


def test_a_probe_attached_to_one_file_sees_nothing_of_the_next():
    seen: list[str] = []

    class Probe(Check):
        def visit_Call(self, node):
            seen.append(self.ctx.file.filename)

    Probe.handlers = _collect_handlers(Probe)
    from python_backend_kit.checks.registry import RuleContext

    first = FileCheck(ast.parse(BAD), ALL, "first.py", BAD)
    first.attach(Probe(RuleContext("PBK999", first)))
    first.run()
    second = FileCheck(ast.parse(BAD), ALL, "second.py", BAD).run()
    assert seen == ["first.py"] * 3  # time.sleep(1), create_task(...), handler()
    assert codes(second) == [(6, "PBK105"), (7, "PBK104")]


def test_string_annotations_that_do_not_parse_are_ignored():
    """A NUL byte inside a string annotation raises ValueError on 3.10 and SyntaxError later;
    neither may reach the model or a rule."""
    source = textwrap.dedent(
        '''\
        from fastapi import Depends
        from sqlalchemy.orm import relationship


        class A:
            x: "a\\0b" = relationship()


        def f(x: "a\\0b" = Depends(get)):
            pass


        async def g(s: "\\0", t: "((", u: "1 +"):
            pass
        '''
    )
    assert "\\0" in source  # the annotations hold NUL characters, the source only escapes
    assert [f for f in check_source(source, ALL) if f.code == INTERNAL_ERROR] == []
