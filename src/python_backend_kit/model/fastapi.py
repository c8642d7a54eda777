"""FastAPI roles: path operations, dependencies, lifespans, app objects.

* A **path operation** is a function decorated with
  ``@X.get/post/put/patch/delete/head/options/trace/api_route/websocket(...)``
  where X holds a ``FastAPI()``/``APIRouter()`` (or, in a module that imports
  fastapi, any X). Known as soon as the ``def`` is reached.
* A **dependency** is a function named in ``Depends(f)``/``Security(f)``
  anywhere in the module (also inside ``Annotated`` and aliases).
* A **lifespan** is a function passed as ``lifespan=`` to ``FastAPI(...)``/
  ``Starlette(...)``/``APIRouter(...)``, or an ``@asynccontextmanager``
  function named ``lifespan`` or ending in ``_lifespan``.

Dependencies and ``lifespan=`` usually appear after the function they name,
so those roles are complete only when the walk has finished: checks that
need them collect candidates and decide in ``finish()``.
"""

from __future__ import annotations

import ast

from .receivers import FASTAPI_APP, FASTAPI_ROUTER, STARLETTE_APP

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket"})
DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security", "fastapi.param_functions.Depends", "fastapi.param_functions.Security"})
APP_CLASSES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI", "starlette.applications.Starlette", "fastapi.APIRouter", "fastapi.routing.APIRouter"})
ASYNC_CONTEXT_MANAGERS = frozenset({"contextlib.asynccontextmanager"})
APP_KINDS = frozenset({FASTAPI_APP, FASTAPI_ROUTER, STARLETTE_APP})

PATH_OPERATION = "path-operation"
DEPENDENCY = "dependency"
LIFESPAN = "lifespan"

_TRIGGER_NAMES = frozenset({"Depends", "Security", "FastAPI", "Starlette", "APIRouter"})


def _callee_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


class FastAPIRoles:
    def __init__(self, model) -> None:  # noqa: ANN001 - model owns us
        self.model = model
        self.path_operations: set[ast.AST] = set()
        self.named_lifespans: set[ast.AST] = set()
        # names used in Depends(name) / Security(name), with the scopes declared
        self.dependency_names: dict[str, set[str]] = {}
        self.lifespan_names: set[str] = set()
        # function name -> every def with that name (module, class or nested)
        self.functions: dict[str, list[ast.AST]] = {}

    # -- fed by the engine's walk --------------------------------------
    def visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.setdefault(node.name, []).append(node)
        for decorator in node.decorator_list:
            if self._is_route_decorator(decorator):
                self.path_operations.add(node)
            elif isinstance(node, ast.AsyncFunctionDef) and self._is_lifespan_name(node.name):
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if self.model.qualname(target) in ASYNC_CONTEXT_MANAGERS:
                    self.named_lifespans.add(node)

    def visit_call(self, node: ast.Call) -> None:
        name = _callee_name(node.func)
        if name not in _TRIGGER_NAMES:
            return
        qualname = self.model.qualname(node.func)
        if qualname in DEPENDS:
            dependency = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "dependency"), None)
            if isinstance(dependency, ast.Name):
                scope = next((k.value.value for k in node.keywords if k.arg == "scope" and isinstance(k.value, ast.Constant)), None)
                self.dependency_names.setdefault(dependency.id, set()).add(scope if isinstance(scope, str) else "request")
        elif qualname in APP_CLASSES:
            for keyword in node.keywords:
                if keyword.arg == "lifespan" and isinstance(keyword.value, ast.Name):
                    self.lifespan_names.add(keyword.value.id)

    # -- queries --------------------------------------------------------
    @staticmethod
    def _is_lifespan_name(name: str) -> bool:
        return name == "lifespan" or name.endswith("_lifespan")

    def _is_route_decorator(self, decorator: ast.expr) -> bool:
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            return False
        if decorator.func.attr not in HTTP_VERBS:
            return False
        receiver = decorator.func.value
        if self.model.kind_of(receiver) in APP_KINDS:
            return True
        return self.model.imports("fastapi")

    def is_path_operation(self, function: ast.AST | None) -> bool:
        """Known from the decorators as soon as the def is reached."""
        return function in self.path_operations

    def is_dependency(self, function: ast.AST | None) -> bool:
        """Complete only after the walk (use in finish())."""
        name = getattr(function, "name", None)
        return name is not None and name in self.dependency_names

    def dependency_scopes(self, function: ast.AST | None) -> set[str]:
        """The ``scope=`` values it is declared with: "request" (default) and/or "function"."""
        return self.dependency_names.get(getattr(function, "name", ""), set())

    def is_lifespan(self, function: ast.AST | None) -> bool:
        """Complete only after the walk (use in finish())."""
        if function in self.named_lifespans:
            return True
        name = getattr(function, "name", None)
        return name is not None and name in self.lifespan_names

    def roles(self, function: ast.AST | None) -> set[str]:
        found = set()
        if self.is_path_operation(function):
            found.add(PATH_OPERATION)
        if self.is_dependency(function):
            found.add(DEPENDENCY)
        if self.is_lifespan(function):
            found.add(LIFESPAN)
        return found
