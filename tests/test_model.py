"""The semantic model core: qualified names, scopes, async context, kinds."""

from __future__ import annotations

import ast
import textwrap

from python_backend_kit.checks.registry import Check, RuleContext
from python_backend_kit.engine import FileCheck, Settings


class Probe(Check):
    """Records what the model says at every call to probe(<expr>)."""

    code = "PBK999"
    seen: list

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "probe":
            arg = node.args[0] if node.args else None
            self.seen.append(
                {
                    "line": node.lineno,
                    "qualname": self.model.qualname(arg) if arg is not None else None,
                    "async": self.model.in_async,
                    "kind": self.model.kind_of(arg) if arg is not None else None,
                }
            )


def probe(source: str) -> list[dict]:
    tree = ast.parse(textwrap.dedent(source))
    file = FileCheck(tree, Settings(codes=frozenset()))
    from python_backend_kit.checks.registry import _collect_handlers

    Probe.handlers = _collect_handlers(Probe)
    check = Probe(RuleContext("PBK999", file))
    check.seen = []
    file.attach(check)
    file.run()
    return check.seen


def qualnames(source: str) -> list:
    return [p["qualname"] for p in probe(source)]


def test_import_aliases_resolve():
    assert qualnames(
        """
        import asyncio as aio
        from asyncio import gather as g
        import sqlalchemy.ext.asyncio as sa
        import os.path
        probe(aio.gather)
        probe(g)
        probe(sa.AsyncSession)
        probe(os.path.join)
        """
    ) == ["asyncio.gather", "asyncio.gather", "sqlalchemy.ext.asyncio.AsyncSession", "os.path.join"]


def test_local_rebinding_hides_the_import():
    assert qualnames(
        """
        from asyncio import gather
        probe(gather)
        gather = my_gather
        probe(gather)
        """
    ) == ["asyncio.gather", None]


def test_parameters_and_locals_shadow_module_names():
    assert qualnames(
        """
        import time
        def f(time):
            probe(time.sleep)
        def g():
            for time in range(3):
                probe(time.sleep)
        probe(time.sleep)
        """
    ) == [None, None, "time.sleep"]


def test_value_is_resolved_before_the_target_is_bound():
    assert qualnames(
        """
        import asyncio
        asyncio = probe(asyncio.sleep)
        """
    ) == ["asyncio.sleep"]


def test_function_local_import():
    assert qualnames(
        """
        def f():
            import time as t
            probe(t.sleep)
        probe(t.sleep)
        """
    ) == ["time.sleep", None]


def test_class_body_names_are_not_visible_in_methods():
    assert qualnames(
        """
        import time
        class C:
            time = None
            def m(self):
                probe(time.sleep)
        """
    ) == ["time.sleep"]


def test_relative_imports_never_match_third_party_names():
    assert qualnames(
        """
        from .asyncio import create_task
        from .. import time
        probe(create_task)
        probe(time.sleep)
        """
    ) == [".asyncio.create_task", "...time.sleep"]


def test_builtins_resolve_unless_rebound():
    assert qualnames(
        """
        probe(open)
        def open(): ...
        probe(open)
        """
    ) == ["builtins.open", None]


def test_global_declaration_binds_in_module_scope():
    assert qualnames(
        """
        import time
        def f():
            global time
            time = 3
        probe(time.sleep)
        """
    ) == [None]


def async_flags(source: str) -> list[bool]:
    return [p["async"] for p in probe(source)]


def test_async_context_ends_at_nested_def_lambda_and_class():
    assert async_flags(
        """
        probe(0)
        async def f():
            probe(1)
            def g():
                probe(2)
            h = lambda: probe(3)
            class K:
                probe(4)
            [probe(5) for _ in range(3)]
            async def inner():
                probe(6)
        """
    ) == [False, True, False, False, False, True, True]


def test_decorators_and_defaults_are_outside_the_function():
    assert async_flags(
        """
        async def outer():
            def deco(x): return x
            @probe(1)
            def f(x=probe(2)):
                pass
            async def g(x=probe(3)):
                probe(4)
        """
    ) == [True, True, True, True]
    assert async_flags(
        """
        @probe(1)
        async def f(x=probe(2)):
            probe(3)
        """
    ) == [False, False, True]


def kinds(source: str) -> list:
    return [p["kind"] for p in probe(source)]


def test_event_loop_kinds():
    assert kinds(
        """
        import asyncio
        from asyncio import AbstractEventLoop
        async def f(given: AbstractEventLoop, other):
            loop = asyncio.get_running_loop()
            probe(loop)
            probe(given)
            probe(other)
            probe(asyncio.get_event_loop())
            loop = object()
            probe(loop)
        class Service:
            def __init__(self):
                self.loop = asyncio.new_event_loop()
            def run(self):
                probe(self.loop)
                self.loop = None
                probe(self.loop)
        def elsewhere():
            probe(loop)
        """
    ) == ["asyncio.loop", "asyncio.loop", None, "asyncio.loop", None, "asyncio.loop", "asyncio.loop", None]


def test_deep_trees_do_not_exhaust_recursion():
    import sys

    source = "x = " + " + ".join(["1"] * 900) + "\n"
    source += "if a:\n    pass\n" + "".join(f"elif a == {i}:\n    pass\n" for i in range(900))
    source += "probe(1)\n"
    tree = ast.parse(source)  # parsing needs the normal limit; walking must not
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)
    try:
        file = FileCheck(tree, Settings(codes=frozenset()))
        file.run()
    finally:
        sys.setrecursionlimit(limit)
    assert file.findings == []


def test_sqlalchemy_session_kinds():
    assert kinds(
        """
        from typing import Annotated, Optional
        from fastapi import Depends
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
        from sqlalchemy.orm import sessionmaker
        from sqlmodel.ext.asyncio.session import AsyncSession as SQLModelSession

        engine = create_async_engine("sqlite+aiosqlite://")
        factory = async_sessionmaker(engine, expire_on_commit=False)
        legacy = sessionmaker(engine, class_=AsyncSession)
        SessionDep = Annotated[AsyncSession, Depends(get_db)]

        async def f(a: AsyncSession, b: Annotated[AsyncSession, Depends(get_db)], c: SessionDep,
                    d: Optional[AsyncSession], e: "AsyncSession | None", g: SQLModelSession, h):
            probe(a); probe(b); probe(c); probe(d); probe(e); probe(g); probe(h)
            async with factory() as s1:
                probe(s1)
            async with legacy() as s2:
                probe(s2)
            s3 = factory()
            probe(s3)
            probe(factory)
            probe(engine)
            async with engine.connect() as conn:
                probe(conn)

        class Repository:
            def __init__(self, session: AsyncSession):
                self.session = session

            async def get(self):
                probe(self.session)
        """
    ) == (
        ["sqlalchemy.AsyncSession"] * 6
        + [None, "sqlalchemy.AsyncSession", "sqlalchemy.AsyncSession", "sqlalchemy.AsyncSession"]
        + ["sqlalchemy.async_sessionmaker", "sqlalchemy.AsyncEngine", "sqlalchemy.AsyncConnection", "sqlalchemy.AsyncSession"]
    )


def test_configured_session_factory_from_another_module():
    source = """
        from myapp.db import SessionLocal

        async def f():
            async with SessionLocal() as s:
                probe(s)
            probe(SessionLocal)
        """
    tree = ast.parse(textwrap.dedent(source))
    seen = []

    class P(Check):
        code = "PBK999"

        def visit_Call(self, node):
            if isinstance(node.func, ast.Name) and node.func.id == "probe":
                seen.append(self.model.kind_of(node.args[0]))

    from python_backend_kit.checks.registry import _collect_handlers

    P.handlers = _collect_handlers(P)
    file = FileCheck(tree, Settings(codes=frozenset(), options={"session-factories": ["myapp.db.SessionLocal"]}))
    check = P(RuleContext("PBK999", file))
    file.attach(check)
    file.run()
    assert seen == ["sqlalchemy.AsyncSession", "sqlalchemy.async_sessionmaker"]


def test_client_and_path_kinds():
    assert kinds(
        """
        import aiohttp, httpx, asyncpg, requests
        import redis.asyncio as redis
        from pathlib import Path

        async def f(p: Path):
            async with aiohttp.ClientSession() as s:
                probe(s)
            client = httpx.AsyncClient()
            probe(client)
            pool = await asyncpg.create_pool(dsn)
            probe(pool)
            async with pool.acquire() as conn:
                probe(conn)
            r = redis.from_url("redis://")
            probe(r)
            with requests.Session() as rs:
                probe(rs)
            probe(p / "x")
            probe(Path(__file__).parent)
        """
    ) == [
        "aiohttp.ClientSession", "httpx.AsyncClient", "asyncpg.Pool", "asyncpg.Connection",
        "redis.asyncio.Redis", "requests.Session", "pathlib.Path", "pathlib.Path",
    ]


def roles_of(source: str) -> dict[str, set]:
    tree = ast.parse(textwrap.dedent(source))
    file = FileCheck(tree, Settings(codes=frozenset()))
    file.run()
    roles = file.model.fastapi
    return {
        node.name: roles.roles(node)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def test_fastapi_roles():
    roles = roles_of(
        """
        from contextlib import asynccontextmanager
        from typing import Annotated
        from fastapi import APIRouter, Depends, FastAPI, Security

        async def get_db():
            yield 1

        def get_user(): ...
        def get_scoped(): ...
        def helper(): ...

        UserDep = Annotated[dict, Depends(get_user)]

        async def startup(app):
            yield

        @asynccontextmanager
        async def db_lifespan(app):
            yield

        app = FastAPI(lifespan=startup)
        router = APIRouter()

        @app.get("/a")
        async def read_a(db=Depends(get_db)): ...

        @router.post("/b")
        def write_b(user: UserDep, token=Security(get_scoped)): ...

        @router.websocket("/ws")
        async def ws(): ...

        @router.api_route("/c", methods=["GET"])
        async def c(x: Annotated[int, Depends(get_scoped, scope="function")]): ...
        """
    )
    assert roles["read_a"] == {"path-operation"}
    assert roles["write_b"] == {"path-operation"}
    assert roles["ws"] == {"path-operation"}
    assert roles["c"] == {"path-operation"}
    assert roles["get_db"] == {"dependency"}
    assert roles["get_user"] == {"dependency"}
    assert roles["get_scoped"] == {"dependency"}
    assert roles["helper"] == set()
    assert roles["startup"] == {"lifespan"}
    assert roles["db_lifespan"] == {"lifespan"}


def test_route_decorators_need_an_app_object_or_a_fastapi_import():
    roles = roles_of(
        """
        import flask
        app = flask.Flask(__name__)

        @app.get("/")
        def index(): ...
        """
    )
    assert roles["index"] == set()


def test_dependency_scopes():
    tree = ast.parse(
        textwrap.dedent(
            """
            from fastapi import Depends
            def a(): ...
            def b(): ...
            def r1(x=Depends(a, scope="function")): ...
            def r2(x=Depends(b), y=Depends(b, scope="function")): ...
            """
        )
    )
    file = FileCheck(tree, Settings(codes=frozenset()))
    file.run()
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert file.model.fastapi.dependency_scopes(functions["a"]) == {"function"}
    assert file.model.fastapi.dependency_scopes(functions["b"]) == {"request", "function"}
