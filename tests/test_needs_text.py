"""Rules skipped by their needed text lose nothing by it.

A rule declares strings that any file it could fire on contains
(``needs_text``; ``needs_import`` for modules, looked for on the lines of
import statements; ``needs_text_too`` for a second group that must also
occur); the engine skips it on files without them. A string chosen too
narrowly would silently drop findings, so every source we have runs twice:
with its text (rules skipped) and without (every rule runs). The same goes
for the type annotations the walk skips in files that do not import
fastapi (the last tests here).
"""

from __future__ import annotations

import ast

import pytest

from python_backend_kit.catalog import bundled_rules
from python_backend_kit.checks import load_checks
from python_backend_kit.checks.pools import CREATION_TEXTS_BY_MODULE, RESOURCES
from python_backend_kit.checks.registry import REGISTRY, Check, rule
from python_backend_kit.engine import FileCheck, Settings, check_source, parse

from helpers import every_source, probe_rule

ALL = Settings(codes=frozenset(bundled_rules()), min_python=(3, 13))


@pytest.mark.parametrize("source", list(every_source()))
def test_skipping_by_text_loses_no_finding(source):
    tree = parse(source)
    with_text = FileCheck(tree, ALL, "<test>", source).run()
    every_rule = FileCheck(tree, ALL, "<test>", None).run()
    assert with_text == every_rule


@pytest.fixture
def two_groups(monkeypatch):
    """A rule that needs "alpha" or "beta", and also "gamma"."""
    return probe_rule(monkeypatch, "PBK197", needs_text=("alpha", "beta"), needs_text_too=("gamma",))


@pytest.mark.parametrize(
    ("source", "ran"),
    [
        ("alpha = 1\n", False),
        ("gamma = 1\n", False),
        ("alpha = gamma\n", True),
        (b"beta = gamma\n", True),
        (b"beta = 1\n", False),
        ("x = 1\n", False),
    ],
)
def test_a_second_group_must_occur_too(two_groups, source, ran):
    check_source(source, Settings(codes=frozenset({"PBK197"})))
    assert two_groups == (["ran"] if ran else [])


def test_a_configured_name_counts_for_both_groups(two_groups):
    settings = Settings(codes=frozenset({"PBK197"}), options={"session-factories": ["app.db.make"]})
    REGISTRY["PBK197"].needs_text_option = "session-factories"
    check_source("make()\n", settings)
    assert two_groups == ["ran"]


def test_a_second_group_alone_is_refused():
    with pytest.raises(ValueError, match="needs_text_too"):
        rule("PBK196", ast.Module, needs_text_too=("x",))(lambda node, ctx: None)
    assert "PBK196" not in REGISTRY


def test_a_file_without_a_creation_skips_the_resource_flow():
    source = "import httpx\n\nasync def f(client: httpx.AsyncClient):\n    return await client.get('/')\n"
    bare = "import httpx\n\nasync def f(client):\n    return await client.get('/')\n"
    load_checks()
    settings = Settings(codes=frozenset({"PBK401", "PBK404"}))
    assert FileCheck(parse(source), settings, "<test>", source).checks  # AsyncClient named: runs
    assert not FileCheck(parse(bare), settings, "<test>", bare).checks


@pytest.fixture
def by_module(monkeypatch):
    """A rule that needs "trigger", and also "Client" in a file importing httpx or "Pool" in one importing asyncpg."""
    return probe_rule(monkeypatch, "PBK195", needs_text=("trigger",), needs_text_too={"httpx": ("Client",), "asyncpg": ("Pool",)})


@pytest.mark.parametrize(
    ("source", "ran"),
    [
        ("import httpx\ntrigger = httpx.Client()\n", True),
        (b"from asyncpg import Pool\ntrigger: Pool\n", True),
        ("import asyncpg\ntrigger = Client()\n", False),  # Client, but httpx is not imported
        ("import httpx\ntrigger = Pool()\n", False),  # Pool, but asyncpg is not imported
        ("# httpx, Client\ntrigger = 1\n", False),  # named, not imported
        ("import httpx\nx = httpx.Client()\n", False),  # the first group is missing
    ],
)
def test_names_by_module_count_only_where_the_module_is_imported(by_module, source, ran):
    check_source(source, Settings(codes=frozenset({"PBK195"})))
    assert by_module == (["ran"] if ran else [])


def test_creation_texts_by_module_cover_every_resource_constructor():
    """PBK401-PBK404 need a creation's name in a file importing its module."""
    for qualname in RESOURCES:
        module, last = qualname.partition(".")[0], qualname.rpartition(".")[2]
        assert any(text in last for text in CREATION_TEXTS_BY_MODULE[module]), qualname


def test_a_resource_name_without_its_module_skips_the_resource_flow():
    load_checks()
    settings = Settings(codes=frozenset({"PBK401", "PBK404"}))
    # aiohttp's ClientSession named in a file that imports only sqlalchemy: nothing to create
    source = "import sqlalchemy\n\nasync def f(ClientSession):\n    return ClientSession()\n"
    assert not FileCheck(parse(source), settings, "<test>", source).checks
    imported = "import aiohttp\n" + source
    assert FileCheck(parse(imported), settings, "<test>", imported).checks


def test_kind_texts_follow_factories_and_method_results():
    from python_backend_kit.model.receivers import ASYNC_CONNECTION, ASYNC_SESSION, kind_texts

    # an AsyncConnection comes from AsyncEngine.connect(), an engine from create_async_engine()
    assert {"AsyncConnection", "AsyncEngine", "create_async_engine"} <= set(kind_texts({ASYNC_CONNECTION}))
    # an AsyncSession: the class, calling an async_scoped_session, sessionmaker(class_=AsyncSession)
    # ("sessionmaker" also finds async_sessionmaker)
    assert set(kind_texts({ASYNC_SESSION})) == {"AsyncSession", "async_scoped_session", "sessionmaker"}


def test_session_rules_skip_files_without_a_session():
    load_checks()
    settings = Settings(codes=frozenset({"PBK306", "PBK307"}))
    models = "from sqlalchemy.orm import Mapped, mapped_column\n\nclass User:\n    id: Mapped[int] = mapped_column(primary_key=True)\n"
    assert not FileCheck(parse(models), settings, "<test>", models).checks
    uses = models + "\nasync def f(session: AsyncSession):\n    session.commit()\n"
    assert len(FileCheck(parse(uses), settings, "<test>", uses).checks) == 2


# -- annotations: walked only where FastAPI can declare dependencies in them -------------------

ANNOTATED = """\
from typing import Annotated

def handler(a: Annotated[int, Marker(1)], b=Default(2)) -> Returned(3):
    local: Declared(4) = Value(5)
"""


def _calls_seen(source: str, with_source: bool = True) -> list[str]:
    seen: list[str] = []

    @rule("PBK999")
    class CallSpy(Check):
        def visit_Call(self, node: ast.Call) -> None:
            seen.append(node.func.id)

    try:
        FileCheck(parse(source), Settings(codes=frozenset({"PBK999"})), "<test>", source if with_source else None).run()
    finally:
        del REGISTRY["PBK999"]
    return seen


def test_annotations_are_not_walked_in_a_file_without_fastapi():
    assert _calls_seen(ANNOTATED) == ["Default", "Value"]


def test_annotations_are_walked_in_a_file_naming_fastapi():
    source = "import fastapi\n" + ANNOTATED
    assert _calls_seen(source) == ["Marker", "Default", "Returned", "Declared", "Value"]


def test_annotations_are_walked_without_the_source():
    assert sorted(_calls_seen(ANNOTATED, with_source=False)) == ["Declared", "Default", "Marker", "Returned", "Value"]


def test_a_dependency_declared_in_an_annotation_is_still_known():
    source = (
        "from typing import Annotated\n"
        "from fastapi import Depends, FastAPI\n\n"
        "app = FastAPI()\n\n"
        "async def get_db():\n"
        "    yield 1\n\n"
        "@app.get('/')\n"
        "async def read(db: Annotated[int, Depends(get_db)]):\n"
        "    return db\n"
    )
    check = FileCheck(parse(source), Settings(codes=frozenset({"PBK113"})), "<test>", source)
    check.run()
    get_db = check.tree.body[3]
    assert check.model.fastapi.is_dependency(get_db)


# -- needs_import: module names looked for on the import lines only ---------------------------


def test_import_lines_keep_every_import_statement():
    from python_backend_kit.engine import import_lines

    source = 'x = "fastapi"\nfrom fastapi import (\n    Depends,\n)\ndef f():\n    import redis.asyncio as r\ny = 1\n'
    assert import_lines(source) == "from fastapi import (\n    import redis.asyncio as r"
    assert import_lines(source.encode()) == import_lines(source).encode()
    assert import_lines("x = 1\n") == ""
    # a backslash carries the module onto the line of the word import
    assert import_lines("from \\\n    fastapi \\\n import x\n") == "from \\\n    fastapi \\\n import x"
    assert import_lines(b"from \\\r\n  starlette import y\r\n") == b"from \\\r\n  starlette import y\r"


@pytest.fixture
def importing_check(monkeypatch):
    return probe_rule(monkeypatch, "PBK195", needs_import=("fastapi", "starlette"))


@pytest.mark.parametrize(
    ("source", "ran"),
    [
        ("from fastapi import FastAPI\n", True),
        ("import starlette.responses as r\n", True),
        ("def f():\n    from fastapi import Depends\n", True),
        ("from \\\n    fastapi import Depends\n", True),
        ('"""Works well with fastapi."""\nx = 1  # fastapi\n', False),
        ("from myapp import fastapi_settings_helper_x\n", True),  # a superset is fine: the rule runs and finds nothing
        ("x = 1\n", False),
    ],
)
def test_needs_import_looks_at_import_lines(importing_check, source, ran):
    check_source(source, Settings(codes=frozenset({"PBK195"})))
    assert importing_check == (["ran"] if ran else [])
