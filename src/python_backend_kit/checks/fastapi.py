"""FastAPI rules (PBK2xx): event handlers, dependencies, responses, CORS."""

from __future__ import annotations

import ast
import re

from ..model.fastapi import APP_CLASSES, BACKGROUND_TASKS, parameters_with_defaults
from ..model.receivers import ASYNC_SESSION, FASTAPI_APP, LOOP, SESSION, attribute_chain
from ..model.names import covering_texts
from ..model.scopes import CLASS, parameter_names
from .common import TASK_FACTORIES, last_names
from .registry import Check, RuleContext, rule

SESSION_KINDS = frozenset({ASYNC_SESSION, SESSION})
FASTAPI_CLASSES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
CORS_CLASSES = frozenset({"fastapi.middleware.cors.CORSMiddleware", "starlette.middleware.cors.CORSMiddleware"})
MIDDLEWARE_WRAPPERS = frozenset({"starlette.middleware.Middleware", "fastapi.middleware.Middleware"})
DEPRECATED_RESPONSES = {
    "fastapi.responses.ORJSONResponse": "ORJSONResponse",
    "fastapi.responses.UJSONResponse": "UJSONResponse",
}
_DEPRECATED_NAMES = frozenset(DEPRECATED_RESPONSES.values())
# regular expressions that match every origin (Starlette uses fullmatch)
MATCH_ALL_REGEXES = frozenset({".*", "^.*$", ".+", "^.+$", "(.*)"})
EVENT_METHODS = frozenset({"on_event", "add_event_handler"})
EVENT_KEYWORDS = ("on_startup", "on_shutdown")
# a file registering an event handler names one of these
EVENT_TEXTS = (*sorted(EVENT_METHODS), *EVENT_KEYWORDS)
# constructors that accept (or used to accept) on_startup=/on_shutdown=
EVENT_CONSTRUCTORS = APP_CLASSES | {"starlette.routing.Router"}
STATUS_CONSTANT = re.compile(r"^(?:fastapi|starlette)\.status\.HTTP_\d{3}(?:_[A-Z0-9_]+)?$")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


# -- shared helpers ----------------------------------------------------------


def _binding_scope(model, name: str) -> ast.AST | None:  # noqa: ANN001
    """The node of the scope that binds *name* as seen from here (None if unbound)."""
    scope = model.scope
    first = True
    while scope is not None:
        if (first or scope.kind != CLASS) and name in scope.bindings:
            return scope.node
        first = False
        scope = scope.parent
    return None


def _track_names(model, targets: list[ast.expr], names: set, present: bool) -> None:  # noqa: ANN001
    """Add (scope, name) of each plain-name target to *names*, or drop it when rebound to something else."""
    for target in targets:
        if isinstance(target, ast.Name):
            key = (_target_scope(model, target.id), target.id)
            if present:
                names.add(key)
            else:
                names.discard(key)


def _target_scope(model, name: str) -> ast.AST:  # noqa: ANN001
    """The node of the scope an assignment to *name* binds in."""
    scope = model.scope
    return model.module_scope.node if name in scope.globals else scope.node


def _is_none(expr: ast.expr | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _is_true(expr: ast.expr | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _call_text(func: ast.expr) -> str:
    chain = attribute_chain(func)
    if chain:
        return chain
    return func.attr if isinstance(func, ast.Attribute) else "call"


class _Generators(Check):
    """Remembers which functions are generators (contain a yield) and their first yield."""

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.first_yield: dict[ast.AST, ast.AST] = {}
        self.generator_names: set[str] = set()

    def visit_Yield(self, node: ast.Yield) -> None:
        function = self.model.function
        if isinstance(function, _FUNCTIONS) and function not in self.first_yield:
            self.first_yield[function] = node
            self.generator_names.add(function.name)

    visit_YieldFrom = visit_Yield  # type: ignore[assignment]


# -- PBK201 / PBK210: startup and shutdown handlers ------------------------------


@rule("PBK201", needs_import=("fastapi", "starlette"), needs_text_too=EVENT_TEXTS, calls=EVENT_METHODS | last_names(EVENT_CONSTRUCTORS))
class OnEventHandler(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        # classes defined in this module: name -> subclasses an app class
        self.local_classes: dict[str, bool] = {}
        # (scope node, name) of names holding an instance of a local non-app class
        self.other_objects: set[tuple[ast.AST, str]] = set()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.local_classes[node.name] = any(self.model.qualname(b) in APP_CLASSES for b in node.bases)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        other = (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and self.local_classes.get(value.func.id) is False
            and _binding_scope(self.model, value.func.id) is not None
        )
        _track_names(self.model, node.targets, self.other_objects, other)

    def _is_app(self, receiver: ast.expr) -> bool:
        model = self.model
        if model.fastapi.app_kind(receiver) is not None:
            return True
        if model.kind_of(receiver) is not None:
            return False  # known to hold something else
        root = receiver
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name):
            if root.id == "self":
                return False  # self of a class that is not an app subclass
            if root is receiver and (_binding_scope(model, root.id), root.id) in self.other_objects:
                return False
        return model.imports("fastapi") or model.imports("starlette")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in EVENT_METHODS:
            if self._is_app(func.value):
                self.report(node, call=_call_text(func))
            return
        if self.model.call_name(node) in EVENT_CONSTRUCTORS:
            used = [k.arg for k in node.keywords if k.arg in EVENT_KEYWORDS and not _is_none(k.value)]
            if used:
                self.report(node, call=f"{_call_text(func)}({', '.join(f'{k}=...' for k in used)})")


@rule("PBK210", needs_import=("fastapi", "starlette"), needs_text_too=EVENT_TEXTS, calls=EVENT_METHODS | last_names(FASTAPI_CLASSES))
class EventHandlerIgnoredByLifespan(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        # (scope node, name) of FastAPI apps constructed with lifespan=
        self.lifespan_apps: set[tuple[ast.AST, str]] = set()

    @staticmethod
    def _has_lifespan(call: ast.Call) -> bool:
        value = _keyword(call, "lifespan")
        return value is not None and not _is_none(value)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        with_lifespan = (
            isinstance(value, ast.Call) and self.model.call_name(value) in FASTAPI_CLASSES and self._has_lifespan(value)
        )
        _track_names(self.model, node.targets, self.lifespan_apps, with_lifespan)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in EVENT_METHODS:
            app = func.value
            if isinstance(app, ast.Attribute) and app.attr == "router":
                app = app.value
            if isinstance(app, ast.Name) and (_binding_scope(self.model, app.id), app.id) in self.lifespan_apps:
                if self.model.fastapi.app_kind(app) == FASTAPI_APP:
                    self.report(node, call=_call_text(func))
            return
        if self.model.call_name(node) in FASTAPI_CLASSES and self._has_lifespan(node):
            used = [k.arg for k in node.keywords if k.arg in EVENT_KEYWORDS and not _is_none(k.value)]
            if used:
                self.report(node, call=", ".join(f"{k}=" for k in used))


# -- PBK202: Depends(...) as a default value -------------------------------------


@rule("PBK202", needs_import=("fastapi", "starlette"))
class DependsAsDefault(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.candidates: list[tuple[ast.AST, ast.arg, str]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        # defaults are evaluated in the enclosing scope: the current one here
        for arg, default in parameters_with_defaults(node.args):
            marker = self.model.fastapi.marker_name(default)
            if marker is not None:
                self.candidates.append((node, arg, marker))

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def finish(self) -> None:
        roles = self.model.fastapi
        for function, arg, marker in self.candidates:
            if roles.is_path_operation(function) or roles.is_dependency(function):
                self.report(arg, marker=marker, param=arg.arg)


# -- PBK203: a session built inside a path operation -------------------------------


@rule("PBK203", ast.Call, needs_import=("fastapi", "starlette"))
def session_created_in_route(node: ast.Call, ctx: RuleContext) -> None:
    model = ctx.model
    verb = model.fastapi.route_verb(model.function)
    if verb is None or verb == "websocket":
        return  # a websocket lives for the whole connection: short sessions inside are right
    if model.receivers.call_result_kind(node) not in SESSION_KINDS:
        return
    root = node.func
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(root, ast.Name) and root.id in parameter_names(model.function.args):  # type: ignore[union-attr]
        return  # an injected factory: tests can replace it
    ctx.report(node, call=f"{_call_text(node.func)}()")


# -- PBK204: ORJSONResponse / UJSONResponse ----------------------------------------


@rule("PBK204", needs_import=("fastapi", "starlette"), needs_text_too=covering_texts(_DEPRECATED_NAMES))
class DeprecatedJSONResponseClass(Check):
    names = _DEPRECATED_NAMES
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.seen: set[tuple[int, str]] = set()

    def _report(self, node: ast.AST, name: str) -> None:
        key = (node.lineno, name)
        if key not in self.seen:
            self.seen.add(key)
            self.report(node, name=name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or node.module is None:
            return
        for alias in node.names:
            name = DEPRECATED_RESPONSES.get(f"{node.module}.{alias.name}")
            if name is not None:
                self._report(alias if hasattr(alias, "lineno") else node, name)

    def visit_Name(self, node: ast.Name) -> None:
        if node.ctx.__class__ is ast.Load and self.model.import_aliases.get(node.id, node.id) in _DEPRECATED_NAMES:
            name = DEPRECATED_RESPONSES.get(self.model.qualname(node) or "")
            if name is not None:
                self._report(node, name)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in _DEPRECATED_NAMES and isinstance(node.ctx, ast.Load):
            name = DEPRECATED_RESPONSES.get(self.model.qualname(node) or "")
            if name is not None:
                self._report(node, name)


# -- PBK205 / PBK209: CORS ---------------------------------------------------------------


def _cors_keywords(node: ast.Call, ctx: RuleContext) -> list[ast.keyword] | None:
    """The keywords configuring a CORSMiddleware, if *node* configures one."""
    model = ctx.model
    qualname = model.call_name(node)
    if qualname in CORS_CLASSES:
        return node.keywords
    first = node.args[0] if node.args else None
    if first is None or model.qualname(first) not in CORS_CLASSES:
        return None
    if qualname in MIDDLEWARE_WRAPPERS or (isinstance(node.func, ast.Attribute) and node.func.attr == "add_middleware"):
        return node.keywords
    return None


def _wildcard_origins(value: ast.expr | None) -> str | None:
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        if any(isinstance(e, ast.Constant) and e.value == "*" for e in value.elts):
            return 'allow_origins=["*"]'
    elif isinstance(value, ast.Constant) and value.value == "*":
        return 'allow_origins="*"'
    return None


@rule("PBK205", ast.Call, needs_import=("fastapi", "starlette"), calls=last_names(CORS_CLASSES, MIDDLEWARE_WRAPPERS) | {"add_middleware"})
def cors_credentials_with_wildcard(node: ast.Call, ctx: RuleContext) -> None:
    keywords = _cors_keywords(node, ctx)
    if keywords is None:
        return
    values = {k.arg: k.value for k in keywords if k.arg}
    if not _is_true(values.get("allow_credentials")):
        return
    option = _wildcard_origins(values.get("allow_origins"))
    regex = values.get("allow_origin_regex")
    if option is None and isinstance(regex, ast.Constant) and regex.value in MATCH_ALL_REGEXES:
        option = f"allow_origin_regex={regex.value!r}"
    if option is not None:
        ctx.report(node, option=option)


# middleware that answer some requests themselves (Starlette 1.10)
ANSWERING_MIDDLEWARE = frozenset(
    f"{package}.middleware.{module}.{name}"
    for package in ("starlette", "fastapi")
    for module, name in (
        ("trustedhost", "TrustedHostMiddleware"),
        ("httpsredirect", "HTTPSRedirectMiddleware"),
        ("authentication", "AuthenticationMiddleware"),
    )
)


def _builds_response(node: ast.Call) -> bool:
    """``JSONResponse(...)``, ``PlainTextResponse(...)``, ``Response(...)`` ..."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name.endswith("Response")


@rule("PBK209", needs_import=("fastapi", "starlette"), needs_text_too=covering_texts(last_names(CORS_CLASSES)))
class CorsMiddlewareNotOutermost(Check):
    """Counts a later middleware only when it can answer a request itself.

    That is known for Starlette's answering middleware, for classes of this
    module and for ``@app.middleware`` functions that build a response; a
    middleware imported from elsewhere is unknown, so it is not counted.
    """

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        # (function or None, receiver text) -> [("cors", call) | ("class", name) | ("function", def)]
        self.events: dict[tuple[ast.AST | None, str], list[tuple[str, object]]] = {}
        self.local_classes: set[str] = set()
        self.answering: set[object] = set()  # class names and function nodes that build responses
        self.middleware_functions: set[ast.AST] = set()

    def _added(self, receiver: ast.expr, event: tuple[str, object]) -> None:
        chain = attribute_chain(receiver)
        if chain is not None:
            self.events.setdefault((self.model.function, chain), []).append(event)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.local_classes.add(node.name)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if _builds_response(node):
            cls = self.model.receivers.enclosing_class()
            if isinstance(cls, ast.ClassDef):
                self.answering.add(cls.name)
            scope = self.model.scope
            while scope is not None:  # a middleware function, or a function nested in it
                if scope.node in self.middleware_functions:
                    self.answering.add(scope.node)
                scope = scope.parent
            return
        if not (isinstance(func, ast.Attribute) and func.attr == "add_middleware" and node.args):
            return
        middleware = node.args[0]
        qualname = self.model.qualname(middleware)
        if qualname in CORS_CLASSES:
            self._added(func.value, ("cors", node))
        elif qualname in ANSWERING_MIDDLEWARE:
            self._added(func.value, ("known", attribute_chain(middleware)))
        elif isinstance(middleware, ast.Name) and middleware.id in self.local_classes and qualname is None:
            self._added(func.value, ("class", middleware.id))

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) and decorator.func.attr == "middleware":
                self.middleware_functions.add(node)
                self._added(decorator.func.value, ("function", node))

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def _answers(self, kind: str, value: object) -> str | None:
        """The name to show when this later middleware can answer by itself."""
        if kind == "known":
            return str(value)
        if kind == "class" and value in self.answering:
            return str(value)
        if kind == "function" and value in self.answering:
            return f"the @middleware function {value.name}()"  # type: ignore[attr-defined]
        return None

    def finish(self) -> None:
        for events in self.events.values():
            for index, (kind, value) in enumerate(events):
                if kind != "cors":
                    continue
                for later_kind, later in events[index + 1 :]:
                    other = self._answers(later_kind, later)
                    if other is not None:
                        self.report(value, other=other)  # type: ignore[arg-type]
                        break


# -- PBK206: commit after yield in a dependency ---------------------------------------


@rule("PBK206", needs_import=("fastapi", "starlette"), calls=("commit",))
class CommitAfterYield(_Generators):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.yielded: dict[ast.AST, set[str]] = {}
        self.candidates: list[tuple[ast.AST, ast.Call]] = []

    def visit_Yield(self, node: ast.Yield) -> None:
        super().visit_Yield(node)
        if isinstance(node.value, ast.Name) and self.model.function is not None:
            self.yielded.setdefault(self.model.function, set()).add(node.value.id)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "commit" and not node.args):
            return
        function = self.model.function
        if function not in self.first_yield:
            return  # no yield before this commit in this function
        receiver = func.value
        if self.model.kind_of(receiver) in SESSION_KINDS or (
            isinstance(receiver, ast.Name) and receiver.id in self.yielded.get(function, ())
        ):
            self.candidates.append((function, node))

    def finish(self) -> None:
        roles = self.model.fastapi
        for function, call in self.candidates:
            if roles.is_dependency(function) and "request" in roles.dependency_scopes(function):
                self.report(call, call=f"{_call_text(call.func)}()")


# -- PBK207: request-scoped resource used by work that outlives the request -----------


@rule("PBK207", needs_import=("fastapi", "starlette"), calls=last_names(TASK_FACTORIES) | {"create_task", "append", "add", "add_task"})
class RequestResourceOutlivesRequest(_Generators):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.bound: dict[int, str] = {}  # id(call) -> name it is assigned to
        self.awaited_calls: set[int] = set()
        self.awaited_names: dict[ast.AST | None, set[str]] = {}
        # (function, call, kind of work, [(name, receiver kind)], bound name)
        self.tasks: list[tuple[ast.AST, ast.Call, str, list[tuple[str, str | None]], str | None]] = []

    @staticmethod
    def _held_calls(expr: ast.expr) -> list[ast.expr]:
        """The calls a value holds: itself, the elements of a literal, the element of a comprehension."""
        if isinstance(expr, ast.Starred):
            expr = expr.value
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return [e.value if isinstance(e, ast.Starred) else e for e in expr.elts]
        if isinstance(expr, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return [expr.elt]
        return [expr]

    def visit_Assign(self, node: ast.Assign) -> None:
        # `t = create_task(...)`, `ts = [create_task(...) for ...]`: remember the name
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            for held in self._held_calls(node.value):
                self.bound[id(held)] = node.targets[0].id

    def visit_Await(self, node: ast.Await) -> None:
        # `await t`, `await create_task(...)`, `await gather(t, *ts, create_task(...))`, `await wait([t])`
        operand = node.value
        parts = [operand]
        if isinstance(operand, ast.Call):
            parts.extend(operand.args)
        names = self.awaited_names.setdefault(self.model.function, set())
        for part in parts:
            for held in self._held_calls(part):
                if isinstance(held, ast.Call):
                    self.awaited_calls.add(id(held))
                elif isinstance(held, ast.Name):
                    names.add(held.id)

    def _parameters(self, expr: ast.expr) -> list[tuple[str, str | None]]:
        """Names passed to a call (as arguments or as its receiver), with their kinds here."""
        if not isinstance(expr, ast.Call):
            return []
        values = [a.value if isinstance(a, ast.Starred) else a for a in expr.args]
        values.extend(k.value for k in expr.keywords)
        if isinstance(expr.func, ast.Attribute):
            values.append(expr.func.value)
        return [(v.id, self.model.kind_of(v)) for v in values if isinstance(v, ast.Name)]

    def _is_task_factory(self, node: ast.Call) -> bool:
        if self.model.call_name(node) in TASK_FACTORIES:
            return True
        func = node.func
        return isinstance(func, ast.Attribute) and func.attr == "create_task" and self.model.kind_of(func.value) == LOOP

    def visit_Call(self, node: ast.Call) -> None:
        function = self.model.function
        if not isinstance(function, _FUNCTIONS):
            return
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("append", "add") and isinstance(func.value, ast.Name):
            for arg in node.args:  # `tasks.append(create_task(...))`: held by the collection
                self.bound.setdefault(id(arg), func.value.id)
        if self._is_task_factory(node):
            coro = node.args[0] if node.args else _keyword(node, "coro")
            names = self._parameters(coro) if coro is not None else []
            if names:
                self.tasks.append((function, node, "task", names, self.bound.get(id(node))))
        elif isinstance(func, ast.Attribute) and func.attr == "add_task" and isinstance(func.value, ast.Name):
            if self._is_background_tasks(function, func.value.id):
                values = [a.value if isinstance(a, ast.Starred) else a for a in node.args[1:]]
                values.extend(k.value for k in node.keywords)
                names = [(v.id, self.model.kind_of(v)) for v in values if isinstance(v, ast.Name)]
                if names:
                    self.tasks.append((function, node, "background", names, None))

    def _is_background_tasks(self, function: ast.AST, name: str) -> bool:
        for arg, _ in parameters_with_defaults(function.args):  # type: ignore[attr-defined]
            if arg.arg == name:
                return self.model.qualname(arg.annotation) in BACKGROUND_TASKS if arg.annotation is not None else False
        return False

    def finish(self) -> None:
        roles = self.model.fastapi
        defined = set(roles.functions)
        for function, call, work, names, bound in self.tasks:
            if not (roles.is_path_operation(function) or roles.is_dependency(function)):
                continue
            if id(call) in self.awaited_calls or (bound is not None and bound in self.awaited_names.get(function, ())):
                continue  # awaited before the function returns: it does not outlive the request
            params = set(parameter_names(function.args))  # type: ignore[attr-defined]
            injected = roles.parameter_dependencies(function)
            for name, kind in names:
                if name not in params:
                    continue
                ref = injected.get(name)
                from_generator = ref is not None and ref.name in self.generator_names
                if work == "task":
                    hit = kind in SESSION_KINDS or from_generator
                else:
                    hit = ref is not None and ref.scope == "function" and (
                        from_generator or (ref.name not in defined and kind in SESSION_KINDS)
                    )
                if hit:
                    self.report(call, name=name, call=f"{_call_text(call.func)}()")
                    break


# -- PBK208: return body, status ----------------------------------------------------------


def _status_text(expr: ast.expr, ctx: RuleContext) -> str | None:
    if isinstance(expr, ast.Constant) and type(expr.value) is int and 100 <= expr.value <= 599:
        return str(expr.value)
    if isinstance(expr, ast.Attribute):
        qualname = ctx.model.qualname(expr) or ""
        if (qualname.startswith("http.HTTPStatus.") and qualname.count(".") == 2) or STATUS_CONSTANT.match(qualname):
            return attribute_chain(expr)
    return None


@rule("PBK208", ast.Return, needs_import=("fastapi", "starlette"))
def tuple_response(node: ast.Return, ctx: RuleContext) -> None:
    value = node.value
    if not (isinstance(value, ast.Tuple) and len(value.elts) >= 2):
        return
    if not ctx.model.fastapi.is_path_operation(ctx.model.function):
        return
    status = _status_text(value.elts[-1], ctx)
    if status is not None:
        ctx.report(node, status=status)
