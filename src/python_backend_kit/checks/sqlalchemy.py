"""SQLAlchemy rules (PBK3xx): async sessions, connections and engines.

Every rule here reads receiver kinds from the model (``model.kind_of``): a
name is a session only when the model knows it is (an annotation, a factory
call, ``self.attr`` set from one of those, or a configured factory). Unknown
receivers are never flagged.
"""

from __future__ import annotations

import ast
from collections import Counter

from ..model.receivers import (
    ASYNC_CONNECTION,
    ASYNC_ENGINE,
    ASYNC_SCOPED_SESSION,
    ASYNC_SESSION,
    ASYNC_SESSION_FACTORY,
    CONNECTION,
    ENGINE,
    SESSION,
    attribute_chain,
    kind_texts,
)
from ..model.names import covering_texts
from ..model.scopes import COMPREHENSION, FUNCTION
from .common import GATHER, SHIELD, TASK_FACTORIES, WAIT_FOR, last_names
from .registry import Check, RuleContext, rule

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp)
SESSION_KINDS = frozenset({ASYNC_SESSION, SESSION})
# what one awaitable must not share with a concurrent one (PBK303)
SHARED_KINDS = frozenset({ASYNC_SESSION, ASYNC_CONNECTION})

# calls that take a coroutine and run or await it (PBK303 looks through them)
AWAITABLE_WRAPPERS = frozenset(
    {*TASK_FACTORIES, *WAIT_FOR, *SHIELD}
)

# -- coroutine and plain methods (checked with inspect on SQLAlchemy 2.0.58 and 2.1.9) --
_SESSION_COROUTINES = frozenset(
    {
        "execute", "scalar", "scalars", "get", "get_one", "commit", "rollback", "flush", "refresh",
        "delete", "merge", "close", "aclose", "stream", "stream_scalars", "run_sync", "connection",
        "invalidate", "reset", "delete_all", "merge_all",
        "exec",  # sqlmodel's AsyncSession.exec
    }
)  # fmt: skip
COROUTINE_METHODS: dict[str, frozenset[str]] = {
    ASYNC_SESSION: _SESSION_COROUTINES,
    ASYNC_SCOPED_SESSION: (_SESSION_COROUTINES - {"run_sync"}) | {"remove"},
    ASYNC_CONNECTION: frozenset(
        {
            "execute", "scalar", "scalars", "commit", "rollback", "close", "aclose", "run_sync",
            "invalidate", "exec_driver_sql", "execution_options", "get_isolation_level",
            "get_raw_connection", "start",
            "stream", "stream_scalars",  # startable contexts: `await` or `async with`
        }
    ),  # fmt: skip
    # dispose() is a close: PBK409 reports it, so a line gets one code
    ASYNC_ENGINE: frozenset({"raw_connection"}),
}
# AsyncConnection.stream()/stream_scalars() work with `await` and with `async with`
STARTABLE = frozenset({"stream", "stream_scalars"})
PLAIN_METHODS: dict[str, frozenset[str]] = {
    ASYNC_SESSION: frozenset(
        {
            "add", "add_all", "expunge", "expunge_all", "in_transaction", "is_modified",
            "expire", "expire_all", "in_nested_transaction", "get_bind", "get_transaction",
        }
    ),  # fmt: skip
    ASYNC_SCOPED_SESSION: frozenset({"add", "add_all", "expunge", "expunge_all", "is_modified", "expire", "expire_all", "get_bind"}),
}
# builtins that look at a value without awaiting it (PBK307: `print(coro)` is no hand-off)
_INSPECTING_BUILTINS = frozenset(
    {"builtins.print", "builtins.len", "builtins.repr", "builtins.str", "builtins.type", "builtins.id", "builtins.bool", "builtins.isinstance"}
)


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _call_values(call: ast.Call) -> list[ast.expr]:
    values = [a.value if isinstance(a, ast.Starred) else a for a in call.args]
    values.extend(k.value for k in call.keywords)
    return values


def _root_name(expr: ast.expr) -> str | None:
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _method_on(call: ast.expr, model, table: dict[str, frozenset[str]]) -> tuple[str, str] | None:  # noqa: ANN001
    """(receiver text, method) when *call* calls a method of *table* on a receiver of a known kind."""
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return None
    func = call.func
    methods = table.get(model.kind_of(func.value) or "")
    if methods is None or func.attr not in methods:
        return None
    return attribute_chain(func.value) or "session", func.attr


# -- PBK301: expire_on_commit ---------------------------------------------------------

ASYNC_SESSION_CLASSES = frozenset(
    {
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlmodel.ext.asyncio.session.AsyncSession",
    }
)
ASYNC_SESSIONMAKERS = frozenset({"sqlalchemy.ext.asyncio.async_sessionmaker", "sqlalchemy.ext.asyncio.session.async_sessionmaker"})
SESSIONMAKERS = frozenset({"sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker"})


# PBK301 looks only at these calls: a file without their names has nothing to report
_PBK301_CALLS = last_names(ASYNC_SESSION_CLASSES, ASYNC_SESSIONMAKERS, SESSIONMAKERS)


@rule("PBK301", ast.Call, needs_import=("sqlalchemy", "sqlmodel"), needs_text_too=covering_texts(_PBK301_CALLS), calls=_PBK301_CALLS)
def expire_on_commit(node: ast.Call, ctx: RuleContext) -> None:
    model = ctx.model
    qualname = model.call_name(node)
    if qualname in ASYNC_SESSION_CLASSES or qualname in ASYNC_SESSIONMAKERS:
        pass
    elif qualname in SESSIONMAKERS:
        if model.receivers.call_result_kind(node) != ASYNC_SESSION_FACTORY:
            return  # a sync sessionmaker: reloading on access works there
    else:
        return
    keyword = _keyword(node, "expire_on_commit")
    if keyword is None:
        if any(k.arg is None for k in node.keywords):
            return  # **options may carry it
    elif not (isinstance(keyword.value, ast.Constant) and keyword.value.value is True):
        return  # False, or a value the checker cannot see
    ctx.report(node, call=qualname.rpartition(".")[2])  # type: ignore[union-attr]


# -- PBK302: relationships that load lazily -----------------------------------------------

RELATIONSHIPS = frozenset(
    {"sqlalchemy.orm.relationship", "sqlalchemy.orm.relationships.relationship", "sqlalchemy.orm._orm_constructors.relationship"}
)
WRITE_ONLY_MAPPED = frozenset({"sqlalchemy.orm.WriteOnlyMapped", "sqlalchemy.orm.base.WriteOnlyMapped"})
DYNAMIC_MAPPED = frozenset({"sqlalchemy.orm.DynamicMapped", "sqlalchemy.orm.base.DynamicMapped"})
_LAZY_FLAGGED = {"select": "'select'", True: "True", "dynamic": "'dynamic'"}


@rule("PBK302", needs_import=("sqlalchemy", "sqlmodel"), needs_text_too=covering_texts(last_names(RELATIONSHIPS)), calls=last_names(RELATIONSHIPS))
class ImplicitLazyLoad(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.annotations: dict[int, str] = {}  # id(relationship call) -> "write_only" / "dynamic"

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.value, ast.Call):
            shape = self._collection_shape(node.annotation)
            if shape is not None:
                self.annotations[id(node.value)] = shape

    def _collection_shape(self, annotation: ast.expr) -> str | None:
        annotation = self.model.unquote(annotation)
        if isinstance(annotation, ast.Subscript):
            qualname = self.model.qualname(annotation.value)
            if qualname in WRITE_ONLY_MAPPED:
                return "write_only"
            if qualname in DYNAMIC_MAPPED:
                return "dynamic"
        return None

    def visit_Call(self, node: ast.Call) -> None:
        if self.model.call_name(node) not in RELATIONSHIPS:
            return
        keyword = _keyword(node, "lazy")
        if keyword is None:
            if any(k.arg is None for k in node.keywords):
                return  # **options may carry lazy=
            shape = self.annotations.get(id(node))
            if shape == "write_only":
                return
            lazy = "'dynamic' (DynamicMapped)" if shape == "dynamic" else "'select' (the default)"
        else:
            value = keyword.value
            if not isinstance(value, ast.Constant):
                return
            text = _LAZY_FLAGGED.get(value.value) if type(value.value) in (str, bool) else None
            if text is None:
                return
            lazy = text
        self.report(node, lazy=lazy)


# -- loop bookkeeping shared by PBK303 and PBK310 -----------------------------------------


class _Loop:
    __slots__ = ("node", "function", "bound", "conditions", "adds", "writes", "breaks")

    def __init__(self, node: ast.AST, function: ast.AST | None, conditions: int) -> None:
        self.node = node
        self.function = function
        self.bound: set[str] = set()  # names (re)bound inside the loop
        self.conditions = conditions  # conditional nesting when the loop started
        self.adds: set[str] = set()
        self.writes: list[tuple[ast.AST, str, str]] = []
        self.breaks = False  # a retry or search loop, not one pass per row


class _LoopTracking(Check):
    """Knows the loops around the current node (in the current function) and
    which names each loop rebinds: a session bound inside a loop is a fresh
    one per iteration."""

    bound_names_only = True

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.loops: list[_Loop] = []
        self.conditions = 0

    def visit_For(self, node: ast.AST) -> None:
        self.loops.append(_Loop(node, self.model.function, self.conditions))

    visit_AsyncFor = visit_While = visit_For

    def leave_For(self, node: ast.AST) -> None:
        loop = self.loops.pop()
        self.loop_done(loop)

    leave_AsyncFor = leave_While = leave_For

    def loop_done(self, loop: _Loop) -> None:
        """Called when a loop ends."""

    def visit_Name(self, node: ast.Name) -> None:
        if self.loops and node.ctx.__class__ is not ast.Load:
            function = self.model.function
            for loop in reversed(self.loops):
                if loop.function is not function:
                    break
                loop.bound.add(node.id)

    def innermost_loop(self) -> _Loop | None:
        if self.loops and self.loops[-1].function is self.model.function:
            return self.loops[-1]
        return None

    def repeats(self, key: str) -> bool:
        """Whether the code here runs several times with the same value of *key*:
        inside a loop or comprehension that does not rebind its root name."""
        root = key.partition(".")[0]
        scope = self.model.scope
        in_comprehension = False
        while scope is not None and scope.kind == COMPREHENSION:
            if root in scope.bindings:
                return False  # `for s in sessions`: a different session each time
            in_comprehension = True
            scope = scope.parent
        if in_comprehension:
            return True
        loop = self.innermost_loop()
        return loop is not None and root not in loop.bound

    # conditional code: if/else branches, except handlers, match cases
    def visit_If(self, node: ast.AST) -> None:
        self.conditions += 1

    def leave_If(self, node: ast.AST) -> None:
        self.conditions -= 1

    visit_ExceptHandler = visit_match_case = visit_If
    leave_ExceptHandler = leave_match_case = leave_If


# -- PBK303: one session, several concurrent tasks ----------------------------------------


@rule("PBK303", needs_import=("sqlalchemy", "sqlmodel"), needs_text_option="session-factories", needs_text_too=kind_texts(SHARED_KINDS), calls=last_names(GATHER, TASK_FACTORIES) | {"create_task", "start_soon"})
class SessionSharedAcrossTasks(_LoopTracking):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.awaited: set[int] = set()  # task calls awaited on the spot (no concurrency)
        # function -> session key -> [(call node, weight)]
        self.tasks: dict[ast.AST, dict[str, list[tuple[ast.Call, int]]]] = {}

    def _key(self, expr: ast.expr) -> str | None:
        if self.model.kind_of(expr) in SHARED_KINDS:
            return attribute_chain(expr)
        return None

    def _sessions(self, call: ast.expr) -> set[str]:
        """Sessions (as text) a coroutine call uses, as its receiver or an argument."""
        while isinstance(call, ast.Call) and self.model.call_name(call) in AWAITABLE_WRAPPERS and call.args:
            call = call.args[0]
        if not isinstance(call, ast.Call):
            return set()
        values = _call_values(call)
        if isinstance(call.func, ast.Attribute):
            values.append(call.func.value)
        return {key for key in map(self._key, values) if key}

    def visit_Await(self, node: ast.Await) -> None:
        self.awaited.add(id(node.value))

    def visit_Call(self, node: ast.Call) -> None:
        qualname = self.model.call_name(node)
        if qualname in GATHER:
            self._gather(node)
            return
        function = self.model.function
        if not isinstance(function, _FUNCTIONS) or id(node) in self.awaited:
            return
        func = node.func
        if qualname in TASK_FACTORIES or (isinstance(func, ast.Attribute) and func.attr == "create_task"):
            coro = node.args[0] if node.args else (_keyword(node, "coro") or _keyword(node, "coroutine"))
            keys = self._sessions(coro.value if isinstance(coro, ast.keyword) else coro) if coro is not None else set()
        elif isinstance(func, ast.Attribute) and func.attr == "start_soon" and node.args:
            target = node.args[0]
            values = _call_values(node)[1:]
            if isinstance(target, ast.Attribute):
                values.append(target.value)
            keys = {key for key in map(self._key, values) if key}
        else:
            return
        per_function = self.tasks.setdefault(function, {})
        for key in keys:
            per_function.setdefault(key, []).append((node, 2 if self.repeats(key) else 1))

    def _gather(self, node: ast.Call) -> None:
        counts: Counter[str] = Counter()
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                value = arg.value
                if isinstance(value, _COMPREHENSIONS):
                    targets = {n.id for g in value.generators for n in _target_names(g.target)}
                    for key in self._sessions(value.elt):
                        if key.partition(".")[0] not in targets:
                            counts[key] += 2  # one awaitable per item, all on this session
                elif isinstance(value, (ast.List, ast.Tuple)):
                    for element in value.elts:
                        counts.update(self._sessions(element))
                continue
            counts.update(self._sessions(arg))
        shared = [key for key, count in counts.items() if count >= 2]
        if shared:
            self.report(node, name=shared[0])

    def _function_done(self, node: ast.AST) -> None:
        per_function = self.tasks.pop(node, None)
        if not per_function:
            return
        reported: set[int] = set()
        for key, calls in per_function.items():
            if sum(weight for _, weight in calls) >= 2:
                for call, _ in calls:
                    if id(call) not in reported:
                        reported.add(id(call))
                        self.report(call, name=key)

    leave_FunctionDef = leave_AsyncFunctionDef = _function_done


def _target_names(target: ast.expr) -> list[ast.Name]:
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


# -- PBK304: sync database API in async code ------------------------------------------

SYNC_CONNECTS = {
    "sqlite3.connect": "sqlite3.connect",
    "sqlite3.dbapi2.connect": "sqlite3.connect",
    "psycopg2.connect": "psycopg2.connect",
    "psycopg.connect": "psycopg.connect",
    "psycopg.Connection.connect": "psycopg.connect",
    "pymysql.connect": "pymysql.connect",
    "mysql.connector.connect": "mysql.connector.connect",
}
# methods of sync receivers that talk to the database (plain bookkeeping like add() is left alone)
SYNC_IO_METHODS: dict[str, frozenset[str]] = {
    SESSION: frozenset(
        {
            "execute", "scalar", "scalars", "get", "get_one", "commit", "rollback", "flush", "refresh",
            "merge", "close", "query", "connection", "begin", "begin_nested", "invalidate", "reset",
            "exec", "bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings",
        }
    ),  # fmt: skip
    ENGINE: frozenset({"connect", "begin", "dispose", "raw_connection"}),
    CONNECTION: frozenset(
        {"execute", "exec_driver_sql", "scalar", "scalars", "commit", "rollback", "close", "begin", "begin_nested", "invalidate"}
    ),
}


@rule("PBK304", needs_text=("async",), calls=last_names(SYNC_CONNECTS) | frozenset().union(*SYNC_IO_METHODS.values()))
class SyncDatabaseApiInAsync(Check):
    """Constructing a sync Session, sessionmaker or engine does no IO, so only
    the calls that reach the database are flagged: sync driver connects,
    IO methods of sync receivers, and a sync session entered with `with`
    (its exit commits or rolls back and returns the connection)."""

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.awaited: set[int] = set()

    def visit_Await(self, node: ast.Await) -> None:
        # `await db.exec(...)`: the receiver is really async, whatever its annotation says
        self.awaited.add(id(node.value))

    def visit_Call(self, node: ast.Call) -> None:
        model = self.model
        if not model.in_async or id(node) in self.awaited:
            return
        qualname = model.call_name(node)
        if qualname in SYNC_CONNECTS:
            self.report(node, call=f"{SYNC_CONNECTS[qualname]}()")
            return
        func = node.func
        if isinstance(func, ast.Attribute):
            methods = SYNC_IO_METHODS.get(model.kind_of(func.value) or "")
            if methods is not None and func.attr in methods:
                self.report(node, call=f"{attribute_chain(func) or func.attr}()")

    def visit_With(self, node: ast.With) -> None:
        if not self.model.in_async:
            return
        for item in node.items:
            expr = item.context_expr
            if isinstance(expr, ast.Call) and self.model.receivers.call_result_kind(expr) == SESSION:
                func = expr.func
                if not (isinstance(func, ast.Attribute) and self.model.kind_of(func.value) in SYNC_IO_METHODS):
                    self.report(expr, call=f"{attribute_chain(expr.func) or 'Session'}()")


# -- PBK305: a session instance at module level ---------------------------------------


@rule("PBK305", needs_import=("sqlalchemy", "sqlmodel"), needs_text_option="session-factories", needs_text_too=kind_texts(SESSION_KINDS))
class ModuleLevelSession(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.main_blocks: set[int] = set()
        self.in_main = 0

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (
            self.model.scope.kind == "module"
            and isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
        ):
            self.main_blocks.add(id(node))
            self.in_main += 1

    def leave_If(self, node: ast.If) -> None:
        if id(node) in self.main_blocks:
            self.in_main -= 1

    def _assign(self, targets: list[ast.expr], value: ast.expr | None) -> None:
        if not isinstance(value, ast.Call) or self.model.receivers.call_result_kind(value) not in SESSION_KINDS:
            return
        scope = self.model.scope
        if scope.kind == "module":
            if not self.in_main and any(isinstance(t, ast.Name) for t in targets):
                self.report(value)
        elif any(isinstance(t, ast.Name) and t.id in scope.globals for t in targets):
            self.report(value)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assign(node.targets, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assign([node.target], node.value)


# -- PBK306: a session that is never closed -------------------------------------------

CLOSING = frozenset({"contextlib.closing", "contextlib.aclosing"})
# methods through which a value is handed to an owner that will close it
HAND_OFF_METHODS = frozenset(
    {"enter_async_context", "enter_context", "push_async_callback", "callback", "push", "append", "add", "put", "put_nowait", "set", "extend", "insert", "setdefault"}
)
_TRY_TYPES = tuple(t for t in (ast.Try, getattr(ast, "TryStar", None)) if t is not None)


def _names_in(expr: ast.expr | None) -> set[str]:
    """Names that *expr* hands over: itself, tuple/list/dict members, call arguments (one level)."""
    if expr is None:
        return set()
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, ast.Name):
        return {expr.id}
    out: set[str] = set()
    if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        parts = list(expr.elts)
    elif isinstance(expr, ast.Dict):
        parts = list(expr.values)
    elif isinstance(expr, ast.Call):
        parts = _call_values(expr)
    else:
        return out
    for part in parts:
        if isinstance(part, ast.Starred):
            part = part.value
        if isinstance(part, ast.Name):
            out.add(part.id)
    return out


def _closed_names(statements: list[ast.stmt], depth: int = 0) -> set[str]:
    """Names closed by `x.close()` / `await x.close()` in a finally body (a bounded peek)."""
    out: set[str] = set()
    if depth > 3:
        return out
    for stmt in statements:
        if isinstance(stmt, ast.Expr):
            value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
            if isinstance(value, ast.Call) and value.args and isinstance(value.args[0], ast.Call):
                value = value.args[0]  # await asyncio.shield(s.close())
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in ("close", "aclose"):
                name = _root_name(value.func.value)
                if name:
                    out.add(name)
        elif isinstance(stmt, ast.If):
            out |= _closed_names(stmt.body, depth + 1) | _closed_names(stmt.orelse, depth + 1)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            out |= _closed_names(stmt.body, depth + 1)
        elif isinstance(stmt, _TRY_TYPES):
            out |= _closed_names(stmt.body, depth + 1) | _closed_names(stmt.finalbody, depth + 1)
    return out


SESSION_IO = (_SESSION_COROUTINES | SYNC_IO_METHODS[SESSION]) - {"close", "aclose", "invalidate", "reset"}


@rule("PBK306", needs_import=("sqlalchemy", "sqlmodel"), needs_text_option="session-factories", needs_text_too=kind_texts(SESSION_KINDS))
class SessionNotClosed(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.created: dict[ast.AST, list[tuple[str, ast.Call]]] = {}
        self.handled: dict[ast.AST, set[str]] = {}
        # function -> the calls made in it (and in functions nested in it) that
        # may use a session; read only when the function created one
        self.calls: dict[ast.AST, list[ast.Call]] = {}

    def _functions(self) -> list[ast.AST]:
        out = []
        scope = self.model.scope
        while scope is not None:
            if scope.kind == FUNCTION:
                out.append(scope.node)
            scope = scope.parent
        return out

    def _handle(self, names: set[str]) -> None:
        if names:
            for function in self._functions():
                self.handled.setdefault(function, set()).update(names)

    def _assign(self, targets: list[ast.expr], value: ast.expr | None) -> None:
        if value is None:
            return
        if not all(isinstance(t, ast.Name) for t in targets) or isinstance(value, ast.Name):
            self._handle(_names_in(value))  # stored elsewhere, or aliased: its owner changes
        function = self.model.function
        scope = self.model.scope
        if not isinstance(function, _FUNCTIONS) or scope.kind != FUNCTION:
            return
        if len(targets) != 1 or not isinstance(targets[0], ast.Name) or targets[0].id in scope.globals:
            return
        if isinstance(value, ast.Call) and self.model.receivers.call_result_kind(value) in SESSION_KINDS:
            self.created.setdefault(function, []).append((targets[0].id, value))

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assign(node.targets, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assign([node.target], node.value)

    def visit_Return(self, node: ast.Return) -> None:
        self._handle(_names_in(node.value))

    def visit_Yield(self, node: ast.Yield) -> None:
        self._handle(_names_in(node.value))

    visit_YieldFrom = visit_Yield

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            expr = item.context_expr
            if isinstance(expr, ast.Name):
                self._handle({expr.id})
            elif isinstance(expr, ast.Call):
                func = expr.func
                if self.model.call_name(expr) in CLOSING:
                    self._handle(_names_in(expr))
                elif isinstance(func, ast.Attribute) and func.attr == "begin" and isinstance(func.value, ast.Name):
                    self._handle({func.value.id})  # the transaction ends: the connection goes back

    visit_AsyncWith = visit_With

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in HAND_OFF_METHODS:
            names = _names_in(node)
            names.update(n for n in map(_root_name, _call_values(node)) if n)  # push_async_callback(s.close)
            self._handle(names)
            return
        function = self._innermost_function(self.model.scope)
        if function is not None:
            self.calls.setdefault(function, []).append(node)

    @staticmethod
    def _innermost_function(scope) -> ast.AST | None:  # noqa: ANN001
        while scope is not None:
            if scope.kind == FUNCTION:
                return scope.node
            scope = scope.parent
        return None

    @staticmethod
    def _used_names(calls: list[ast.Call]) -> set[str]:
        """A session holds a connection only once it has talked to the database:
        a method that does IO, or the session passed on to code that may."""
        used: set[str] = set()
        for call in calls:
            used |= _names_in(call)
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr in SESSION_IO and isinstance(func.value, ast.Name):
                used.add(func.value.id)
        return used

    def visit_Try(self, node: ast.Try) -> None:
        self._handle(_closed_names(node.finalbody))

    if len(_TRY_TYPES) > 1:
        visit_TryStar = visit_Try

    def _function_done(self, node: ast.AST) -> None:
        created = self.created.pop(node, [])
        handled = self.handled.pop(node, set())
        calls = self.calls.pop(node, [])
        if calls:  # the enclosing function makes these calls too
            outer = self._innermost_function(self.model.scope.parent)
            if outer is not None:
                self.calls.setdefault(outer, []).extend(calls)
        if not created:
            return
        used = self._used_names(calls)
        for name, call in created:
            if name in used and name not in handled:
                self.report(call, name=name)

    leave_FunctionDef = leave_AsyncFunctionDef = _function_done


# -- PBK307: a coroutine method called without await ------------------------------------


@rule("PBK307", needs_import=("sqlalchemy", "sqlmodel"), needs_text_option="session-factories", needs_text_too=kind_texts(frozenset(COROUTINE_METHODS)))
class MissingAwait(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        # (function, name) -> (call, text) of a coroutine stored in a name, not yet awaited
        self.pending: dict[tuple[ast.AST, str], tuple[ast.Call, str]] = {}

    def _coroutine(self, call: ast.expr, startable_ok: bool = True) -> str | None:
        found = _method_on(call, self.model, COROUTINE_METHODS)
        if found is None:
            return None
        receiver, method = found
        if startable_ok and method in STARTABLE and self.model.kind_of(call.func.value) == ASYNC_CONNECTION:  # type: ignore[attr-defined]
            return None
        return f"{receiver}.{method}"

    def visit_Expr(self, node: ast.Expr) -> None:
        text = self._coroutine(node.value, startable_ok=False)
        if text:
            self.report(node.value, call=text)

    def visit_Return(self, node: ast.Return) -> None:
        if isinstance(self.model.function, ast.AsyncFunctionDef):
            text = self._coroutine(node.value) if node.value is not None else None
            if text:
                self.report(node.value, call=text)  # type: ignore[arg-type]

    def visit_Attribute(self, node: ast.Attribute) -> None:
        text = self._coroutine(node.value)
        if text:  # session.execute(q).scalars(): the coroutine has no such attribute
            self.report(node.value, call=text)

    def visit_AsyncWith(self, node: ast.AsyncWith) -> None:
        for item in node.items:
            text = self._coroutine(item.context_expr)
            if text:  # a coroutine is not an async context manager
                self.report(item.context_expr, call=text)

    def _function_key(self, name: str) -> tuple[ast.AST, str] | None:
        scope = self.model.scope
        while scope is not None:
            if scope.kind == FUNCTION and (scope.node, name) in self.pending:
                return scope.node, name
            scope = scope.parent
        return None

    def _hand_off(self, names: set[str]) -> None:
        for name in names:
            key = self._function_key(name)
            if key is not None:
                del self.pending[key]

    def _assign(self, targets: list[ast.expr], value: ast.expr | None) -> None:
        if value is None:
            return
        if isinstance(value, ast.Name):
            self._hand_off({value.id})
            return
        function = self.model.function
        if not isinstance(function, ast.AsyncFunctionDef) or self.model.scope.kind != FUNCTION:
            return  # a sync function may build the coroutine for its caller
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            text = self._coroutine(value)
            if text and isinstance(value, ast.Call):
                self.pending[(function, targets[0].id)] = (value, text)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assign(node.targets, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assign([node.target], node.value)

    def visit_Await(self, node: ast.Await) -> None:
        if isinstance(node.value, ast.Name):
            self._hand_off({node.value.id})

    def visit_Call(self, node: ast.Call) -> None:
        if self.pending and self.model.call_name(node) not in _INSPECTING_BUILTINS:
            self._hand_off(_names_in(node))

    def _collected(self, node: ast.AST) -> None:
        if self.pending:
            self._hand_off(_names_in(node))  # type: ignore[arg-type]

    visit_List = visit_Tuple = visit_Set = visit_Dict = _collected

    def visit_Yield(self, node: ast.Yield) -> None:
        if self.pending and node.value is not None:
            self._hand_off(_names_in(node.value))

    visit_YieldFrom = visit_Yield

    def _function_done(self, node: ast.AST) -> None:
        for key in [k for k in self.pending if k[0] is node]:
            call, text = self.pending.pop(key)
            self.report(call, call=text)

    leave_FunctionDef = leave_AsyncFunctionDef = _function_done


# -- PBK308: await on a plain method ---------------------------------------------------


@rule("PBK308", ast.Await, needs_import=("sqlalchemy", "sqlmodel"), needs_text_option="session-factories", needs_text_too=kind_texts(frozenset(PLAIN_METHODS)))
def await_on_sync_method(node: ast.Await, ctx: RuleContext) -> None:
    found = _method_on(node.value, ctx.model, PLAIN_METHODS)
    if found is not None:
        ctx.report(node, call=".".join(found))


# -- PBK309: session.query() on an AsyncSession ------------------------------------------


ASYNC_SESSION_RECEIVERS = frozenset({ASYNC_SESSION, ASYNC_SCOPED_SESSION})


@rule("PBK309", ast.Call, needs_import=("sqlalchemy", "sqlmodel"), needs_text_option="session-factories", needs_text_too=kind_texts(ASYNC_SESSION_RECEIVERS), calls=("query",))
def query_on_async_session(node: ast.Call, ctx: RuleContext) -> None:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "query":
        if ctx.model.kind_of(func.value) in ASYNC_SESSION_RECEIVERS:
            ctx.report(node, name=attribute_chain(func.value) or "session")


# -- PBK310: flush or commit on every iteration ---------------------------------------

INSERTS = frozenset(
    {
        "sqlalchemy.insert",
        "sqlalchemy.sql.insert",
        "sqlalchemy.sql.expression.insert",
        "sqlalchemy.dialects.postgresql.insert",
        "sqlalchemy.dialects.sqlite.insert",
        "sqlalchemy.dialects.mysql.insert",
        "sqlmodel.insert",
    }
)
ADDS = frozenset({"add", "add_all"})


@rule("PBK310", needs_import=("sqlalchemy", "sqlmodel"), needs_text_option="session-factories", needs_text_too=kind_texts(frozenset({ASYNC_SESSION})), calls=ADDS)
class FlushInLoop(_LoopTracking):
    def _session_key(self, expr: ast.expr) -> str | None:
        if self.model.kind_of(expr) == ASYNC_SESSION:
            return attribute_chain(expr)
        return None

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ADDS:
            key = self._session_key(func.value)
            if key:
                function = self.model.function
                for loop in reversed(self.loops):
                    if loop.function is not function:
                        break
                    loop.adds.add(key)

    def visit_Await(self, node: ast.Await) -> None:
        loop = self.innermost_loop()
        if loop is None or self.conditions != loop.conditions or self.model.scope.kind != FUNCTION:
            return
        call = node.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            return
        method = call.func.attr
        if method == "execute":
            if not (call.args and self._is_insert(call.args[0])):
                return
        elif method not in ("flush", "commit"):
            return
        key = self._session_key(call.func.value)
        if key:
            loop.writes.append((node, key, f"{key}.{method}()"))

    def _is_insert(self, statement: ast.expr) -> bool:
        while isinstance(statement, ast.Call) and isinstance(statement.func, ast.Attribute):
            statement = statement.func.value  # insert(t).values(...).returning(...)
        return isinstance(statement, ast.Call) and self.model.call_name(statement) in INSERTS

    def visit_Break(self, node: ast.Break) -> None:
        loop = self.innermost_loop()
        if loop is not None:
            loop.breaks = True

    def loop_done(self, loop: _Loop) -> None:
        if loop.breaks:
            return
        for node, key, text in loop.writes:
            if key in loop.adds and key.partition(".")[0] not in loop.bound:
                self.report(node, call=text)
