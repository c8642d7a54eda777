"""FastAPI roles in the semantic model: apps, routers, path operations, dependencies, lifespans."""

from __future__ import annotations

import ast
import textwrap

from python_backend_kit.checks.registry import Check, RuleContext, _collect_handlers
from python_backend_kit.engine import FileCheck, Settings


def run(source: str) -> tuple[FileCheck, dict[str, ast.AST]]:
    tree = ast.parse(textwrap.dedent(source))
    file = FileCheck(tree, Settings(codes=frozenset()))
    file.run()
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return file, functions


def roles_of(source: str) -> dict[str, set]:
    file, functions = run(source)
    return {name: file.model.fastapi.roles(node) for name, node in functions.items()}


class AppProbe(Check):
    """Records app_kind(<expr>) at every probe(<expr>) call."""

    code = "PBK998"

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.seen: list = []

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "probe":
            self.seen.append(self.model.fastapi.app_kind(node.args[0]))


def app_kinds(source: str) -> list:
    tree = ast.parse(textwrap.dedent(source))
    file = FileCheck(tree, Settings(codes=frozenset()))
    AppProbe.handlers = _collect_handlers(AppProbe)
    check = AppProbe(RuleContext("PBK998", file))
    file.attach(check)
    file.run()
    return check.seen


def test_every_verb_decorator_on_apps_and_routers_makes_a_path_operation():
    verbs = ["get", "post", "put", "patch", "delete", "head", "options", "trace", "websocket"]
    body = "\n".join(f"@app.{v}('/{v}')\nasync def app_{v}(): ...\n@router.{v}('/{v}')\ndef router_{v}(): ..." for v in verbs)
    source = (
        "import fastapi\n"
        "from fastapi import APIRouter as R\n"
        "app = fastapi.FastAPI()\nrouter = R(prefix='/x')\n"
        + body
        + "\n@app.api_route('/r', methods=['GET'])\nasync def routed(): ...\n"
    )
    file, functions = run(source)
    roles = file.model.fastapi
    for v in verbs:
        assert roles.is_path_operation(functions[f"app_{v}"]), v
        assert roles.is_path_operation(functions[f"router_{v}"]), v
        assert roles.route_verb(functions[f"app_{v}"]) == v
    assert roles.route_verb(functions["routed"]) == "api_route"


def test_app_objects_are_recognised_without_a_fastapi_import_in_scope_of_the_decorator():
    # the app comes from an annotated parameter: the receiver kind is enough
    roles = roles_of(
        """
        from fastapi import APIRouter

        def register(router: APIRouter) -> None:
            @router.get("/")
            async def index(): ...
        """
    )
    assert roles["index"] == {"path-operation"}


def test_verb_decorators_on_other_objects_are_not_path_operations():
    roles = roles_of(
        """
        import flask
        import httpx
        from fastapi import FastAPI

        client = httpx.Client()
        flask_app = flask.Flask(__name__)

        @client.get("/")  # a known non-app receiver, even in a fastapi module
        def a(): ...

        @flask_app.route("/")
        def b(): ...

        @get("/")  # not an attribute call
        def c(): ...
        """
    )
    assert roles["a"] == set()
    assert roles["b"] == set()
    assert roles["c"] == set()


def test_unknown_receivers_count_only_in_modules_that_import_fastapi():
    roles = roles_of(
        """
        from .routes import router

        @router.get("/")
        def index(): ...
        """
    )
    assert roles["index"] == set()
    roles = roles_of(
        """
        import fastapi
        from .routes import router

        @router.get("/")
        def index(): ...
        """
    )
    assert roles["index"] == {"path-operation"}


def test_depends_and_security_in_every_position():
    file, functions = run(
        """
        from typing import Annotated
        import typing as t
        from fastapi import Depends, Security, FastAPI
        from fastapi import params

        def in_default(): ...
        def in_annotated(): ...
        def in_alias(): ...
        def in_security(): ...
        def in_keyword(): ...
        def in_params(): ...
        def in_decorator(): ...
        def in_string(): ...
        def unused(): ...

        Alias = Annotated[int, Depends(in_alias, scope="function")]
        app = FastAPI()

        @app.get("/", dependencies=[Depends(in_decorator)])
        async def route(
            a=Depends(in_default),
            b: t.Annotated[int, Depends(in_annotated)] = 0,
            c: Alias = 0,
            d=Security(in_security, scopes=["x"]),
            e=Depends(dependency=in_keyword),
            f=params.Depends(in_params),
            g: "Annotated[int, Depends(in_string)]" = 0,
        ): ...
        """
    )
    roles = file.model.fastapi
    for name in ("in_default", "in_annotated", "in_alias", "in_security", "in_keyword", "in_params", "in_decorator"):
        assert roles.is_dependency(functions[name]), name
    assert not roles.is_dependency(functions["unused"])
    assert roles.dependency_scopes(functions["in_alias"]) == {"function"}
    assert roles.dependency_scopes(functions["in_default"]) == {"request"}

    injected = roles.parameter_dependencies(functions["route"])
    assert {p: (r.name, r.scope) for p, r in injected.items()} == {
        "a": ("in_default", "request"),
        "b": ("in_annotated", "request"),
        "c": ("in_alias", "function"),
        "d": ("in_security", "request"),
        "e": ("in_keyword", "request"),
        "f": ("in_params", "request"),
        "g": ("in_string", "request"),
    }


def test_alias_forms():
    file, functions = run(
        """
        from typing import Annotated, TypeAlias
        from fastapi import Depends

        def get_a(): ...
        def get_b(): ...

        A: TypeAlias = Annotated[int, Depends(get_a)]
        B = Annotated[int, "doc", Depends(get_b, scope="function")]
        NotAnAlias = Annotated[int, "no dependency"]

        def use(a: A, b: B, c: NotAnAlias): ...
        """
    )
    injected = file.model.fastapi.parameter_dependencies(functions["use"])
    assert {p: (r.name, r.scope) for p, r in injected.items()} == {"a": ("get_a", "request"), "b": ("get_b", "function")}


def test_depends_from_another_package_is_not_a_dependency():
    roles = roles_of(
        """
        from mylib import Depends

        def helper(): ...

        x = Depends(helper)
        """
    )
    assert roles["helper"] == set()


def test_lifespans():
    roles = roles_of(
        """
        from contextlib import asynccontextmanager
        from fastapi import APIRouter, FastAPI
        from starlette.applications import Starlette

        async def passed(app): yield
        async def passed_to_starlette(app): yield
        async def passed_to_router(app): yield

        @asynccontextmanager
        async def lifespan(app): yield

        @asynccontextmanager
        async def db_lifespan(app): yield

        async def lifespan_without_decorator(app): yield

        @asynccontextmanager
        async def session_scope(): yield

        app = FastAPI(lifespan=passed)
        star = Starlette(lifespan=passed_to_starlette)
        router = APIRouter(lifespan=passed_to_router)
        """
    )
    for name in ("passed", "passed_to_starlette", "passed_to_router", "lifespan", "db_lifespan"):
        assert roles[name] == {"lifespan"}, name
    assert roles["lifespan_without_decorator"] == set()
    assert roles["session_scope"] == set()


def test_app_kinds():
    kinds = app_kinds(
        """
        import fastapi
        from fastapi import APIRouter, FastAPI
        from starlette.applications import Starlette
        from starlette.routing import Router
        import httpx

        app = fastapi.FastAPI()
        router = APIRouter()
        star = Starlette()
        plain = Router()
        client = httpx.AsyncClient()

        def f(a: FastAPI, other):
            probe(a)
            probe(a.router)
            probe(other)

        class MyApp(FastAPI):
            def setup(self):
                probe(self)

        class Service:
            def __init__(self, app: FastAPI):
                self.app = app

            def run(self):
                probe(self)
                probe(self.app)

        probe(app)
        probe(app.router)
        probe(router)
        probe(star)
        probe(star.router)
        probe(plain)
        probe(client)
        probe(FastAPI())
        """
    )
    assert kinds == [
        "fastapi.FastAPI",
        "fastapi.APIRouter",
        None,
        "fastapi.FastAPI",
        None,
        "fastapi.FastAPI",
        "fastapi.FastAPI",
        "fastapi.APIRouter",
        "fastapi.APIRouter",
        "starlette.Starlette",
        "starlette.Router",
        "starlette.Router",
        None,
        "fastapi.FastAPI",
    ]


def test_marker_names():
    file, functions = run(
        """
        import fastapi
        from fastapi import Body, Query as Q
        from mylib import Header

        def f(a=Body(), b=Q(None), c=fastapi.File(), d=Header(), e=fastapi.params.Form()): ...
        """
    )
    from python_backend_kit.model.fastapi import parameters_with_defaults

    # the defaults resolve in the module scope, where the file ended
    markers = [file.model.fastapi.marker_name(d) for _, d in parameters_with_defaults(functions["f"].args)]
    assert markers == ["Body", "Query", "File", None, "Form"]


def test_aliased_depends_and_app_classes():
    roles = roles_of(
        """
        from fastapi import Depends as D, FastAPI as F
        from fastapi import Security as S

        def a(): ...
        def b(): ...
        async def boot(app): yield

        app = F(lifespan=boot)
        x = D(a)
        y = S(b)
        """
    )
    assert roles["a"] == {"dependency"}
    assert roles["b"] == {"dependency"}
    assert roles["boot"] == {"lifespan"}
