"""FastAPI roles: path operations, dependencies, lifespans, app objects.

* A **path operation** is a function decorated with
  ``@X.get/post/put/patch/delete/head/options/trace/api_route/websocket(...)``
  where X holds a ``FastAPI()``/``APIRouter()`` (or, in a module that imports
  fastapi, any X whose kind is not known to be something else). Known as
  soon as the ``def`` is reached.
* A **dependency** is a function named in ``Depends(f)``/``Security(f)``
  anywhere in the module (also inside ``Annotated`` and aliases).
* A **lifespan** is a function passed as ``lifespan=`` to ``FastAPI(...)``/
  ``Starlette(...)``/``APIRouter(...)``, or an ``@asynccontextmanager``
  function named ``lifespan`` or ending in ``_lifespan``.
* An **app object** is an expression whose kind is ``FastAPI``,
  ``APIRouter``, ``Starlette`` or a Starlette ``Router``: a name bound from
  the constructor or annotated with the class, ``app.router`` of a FastAPI
  or Starlette app, or ``self`` in a subclass of one of those classes.

Dependencies and ``lifespan=`` usually appear after the function they name,
so those roles are complete only when the walk has finished: checks that
need them collect candidates and decide in ``finish()``.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from .receivers import CLASS_KINDS, FASTAPI_APP, FASTAPI_ROUTER, STARLETTE_APP, STARLETTE_ROUTER

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket"})
_FASTAPI_MODULES = ("fastapi", "fastapi.params", "fastapi.param_functions")
DEPENDS = frozenset(f"{m}.{n}" for m in _FASTAPI_MODULES for n in ("Depends", "Security"))
# parameter markers: qualified name -> the name users write
PARAMETER_MARKERS: dict[str, str] = {
    f"{m}.{n}": n
    for m in _FASTAPI_MODULES
    for n in ("Depends", "Security", "Query", "Path", "Body", "Header", "Cookie", "Form", "File")
}
APP_CLASSES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI", "starlette.applications.Starlette", "fastapi.APIRouter", "fastapi.routing.APIRouter"})
BACKGROUND_TASKS = frozenset({"fastapi.BackgroundTasks", "fastapi.background.BackgroundTasks", "starlette.background.BackgroundTasks"})
ASYNC_CONTEXT_MANAGERS = frozenset({"contextlib.asynccontextmanager"})
APP_KINDS = frozenset({FASTAPI_APP, FASTAPI_ROUTER, STARLETTE_APP, STARLETTE_ROUTER})
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
# `app.router` of an application object
_ROUTER_OF = {FASTAPI_APP: FASTAPI_ROUTER, STARLETTE_APP: STARLETTE_ROUTER}

PATH_OPERATION = "path-operation"
DEPENDENCY = "dependency"
LIFESPAN = "lifespan"

DEFAULT_SCOPE = "request"

_TRIGGER_NAMES = frozenset({"Depends", "Security", "FastAPI", "Starlette", "APIRouter"})


class DependencyRef(NamedTuple):
    """One ``Depends(f, scope=...)`` / ``Security(f)`` declaration."""

    name: str | None  # the dependency's name when it is a plain name, else None
    scope: str  # "request" (the default) or "function"
    call: ast.Call


class FastAPIRoles:
    #: visit_call() learns only from calls of these names (as imported)
    CALL_NAMES = _TRIGGER_NAMES
    #: a type annotation holds a call it learns from (``Annotated[T, Depends(f)]``)
    #: only in a file importing one of these: elsewhere the walk skips annotations
    ANNOTATION_IMPORTS = ("fastapi",)

    def __init__(self, model) -> None:  # noqa: ANN001 - model owns us
        self.model = model
        # path operation -> the decorator method that made it one ("get", "websocket" ...)
        self.path_operations: dict[ast.AST, str] = {}
        self.named_lifespans: set[ast.AST] = set()
        # names used in Depends(name) / Security(name), with the scopes declared
        self.dependency_names: dict[str, set[str]] = {}
        self.lifespan_names: set[str] = set()
        # function name -> every def with that name (module, class or nested)
        self.functions: dict[str, list[ast.AST]] = {}
        # module-level aliases holding a Depends: name -> declaration (computed on demand)
        self._aliases: dict[str, DependencyRef] | None = None

    # -- fed by the engine's walk --------------------------------------
    def visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.setdefault(node.name, []).append(node)
        for decorator in node.decorator_list:
            verb = self._route_verb(decorator)
            if verb is not None:
                self.path_operations.setdefault(node, verb)
            elif isinstance(node, ast.AsyncFunctionDef) and self._is_lifespan_name(node.name):
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if self.model.qualname(target) in ASYNC_CONTEXT_MANAGERS:
                    self.named_lifespans.add(node)

    def visit_call(self, node: ast.Call) -> None:
        # the walk hands over only calls whose callee ends in one of CALL_NAMES
        qualname = self.model.qualname(node.func)
        if qualname in DEPENDS:
            ref = self._reference(node)
            if ref.name is not None:
                self.dependency_names.setdefault(ref.name, set()).add(ref.scope)
        elif qualname in APP_CLASSES:
            for keyword in node.keywords:
                if keyword.arg == "lifespan" and isinstance(keyword.value, ast.Name):
                    self.lifespan_names.add(keyword.value.id)

    # -- declarations ---------------------------------------------------
    @staticmethod
    def _reference(call: ast.Call) -> DependencyRef:
        dependency = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "dependency"), None)
        scope = next((k.value.value for k in call.keywords if k.arg == "scope" and isinstance(k.value, ast.Constant)), None)
        name = dependency.id if isinstance(dependency, ast.Name) else None
        return DependencyRef(name, scope if isinstance(scope, str) else DEFAULT_SCOPE, call)

    def dependency_call(self, expr: ast.expr | None) -> DependencyRef | None:
        """The declaration when *expr* is a ``Depends(...)``/``Security(...)`` call."""
        if isinstance(expr, ast.Call) and self.model.qualname(expr.func) in DEPENDS:
            return self._reference(expr)
        return None

    def marker_name(self, expr: ast.expr | None) -> str | None:
        """``Depends``, ``Query``, ``Body`` ... when *expr* calls a FastAPI parameter marker."""
        if isinstance(expr, ast.Call):
            return PARAMETER_MARKERS.get(self.model.qualname(expr.func) or "")
        return None

    def annotation_dependency(self, annotation: ast.expr | None) -> DependencyRef | None:
        """The ``Depends`` inside ``Annotated[T, Depends(f)]`` or a module-level alias of it."""
        annotation = self.model.unquote(annotation)
        if isinstance(annotation, ast.Name):
            return self.aliases().get(annotation.id)
        if isinstance(annotation, ast.Subscript) and self.model.qualname(annotation.value) in _ANNOTATED:
            inner = annotation.slice
            if isinstance(inner, ast.Tuple):
                for metadata in inner.elts[1:]:
                    ref = self.dependency_call(metadata)
                    if ref is not None:
                        return ref
        return None

    def parameter_dependencies(self, function: ast.AST) -> dict[str, DependencyRef]:
        """Parameter name -> the dependency it is injected from (default or annotation)."""
        args = getattr(function, "args", None)
        if not isinstance(args, ast.arguments):
            return {}
        found: dict[str, DependencyRef] = {}
        for arg, default in parameters_with_defaults(args):
            ref = self.dependency_call(default) or self.annotation_dependency(arg.annotation)
            if ref is not None:
                found[arg.arg] = ref
        return found

    def aliases(self) -> dict[str, DependencyRef]:
        """Module-level ``X = Annotated[T, Depends(f)]`` (also ``X: TypeAlias = ...``, ``type X = ...``).

        A bounded peek at the module's own statements; computed once, on
        the first query (queries come from ``finish()`` or from inside
        functions, after the module's imports have been seen).
        """
        if self._aliases is None:
            self._aliases = {}
            type_alias = getattr(ast, "TypeAlias", None)
            for stmt in self.model.tree.body:
                target = value = None
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                    target, value = stmt.targets[0], stmt.value
                elif isinstance(stmt, ast.AnnAssign):
                    target, value = stmt.target, stmt.value
                elif type_alias is not None and isinstance(stmt, type_alias):
                    target, value = stmt.name, stmt.value  # type: ignore[attr-defined]
                if isinstance(target, ast.Name) and isinstance(value, ast.Subscript):
                    ref = self.annotation_dependency(value)
                    if ref is not None:
                        self._aliases[target.id] = ref
        return self._aliases

    # -- app objects ----------------------------------------------------
    def app_kind(self, expr: ast.expr | None) -> str | None:
        """FastAPI / APIRouter / Starlette / Router when *expr* is known to hold one."""
        if expr is None:
            return None
        kind = self.model.kind_of(expr)
        if kind in APP_KINDS:
            return kind
        if kind is not None:
            return None
        if isinstance(expr, ast.Attribute) and expr.attr == "router":
            return _ROUTER_OF.get(self.app_kind(expr.value) or "")
        if isinstance(expr, ast.Name) and expr.id == "self":
            return self._self_app_kind()
        return None

    def _self_app_kind(self) -> str | None:
        """``self`` in a class that subclasses an app class (a bounded peek at its bases)."""
        cls = self.model.receivers.enclosing_class()
        if not isinstance(cls, ast.ClassDef):
            return None
        for base in cls.bases:
            kind = CLASS_KINDS.get(self.model.qualname(base) or "")
            if kind in APP_KINDS:
                return kind
        return None

    # -- queries --------------------------------------------------------
    @staticmethod
    def _is_lifespan_name(name: str) -> bool:
        return name == "lifespan" or name.endswith("_lifespan")

    def _route_verb(self, decorator: ast.expr) -> str | None:
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            return None
        verb = decorator.func.attr
        if verb not in HTTP_VERBS:
            return None
        receiver = decorator.func.value
        if self.app_kind(receiver) is not None:
            return verb
        if self.model.kind_of(receiver) is not None:
            return None  # known to hold something else (an HTTP client, a session ...)
        return verb if self.model.imports("fastapi") else None

    def is_path_operation(self, function: ast.AST | None) -> bool:
        """Known from the decorators as soon as the def is reached."""
        return function in self.path_operations

    def route_verb(self, function: ast.AST | None) -> str | None:
        """The decorator method that made *function* a path operation (``get``, ``websocket`` ...)."""
        return self.path_operations.get(function)  # type: ignore[arg-type]

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


def parameters_with_defaults(args: ast.arguments) -> list[tuple[ast.arg, ast.expr | None]]:
    """Every named parameter with its default value (None when it has none)."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = list(zip(positional, defaults))
    pairs.extend(zip(args.kwonlyargs, args.kw_defaults))
    return pairs
