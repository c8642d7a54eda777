"""Pool and resource rules (PBK4xx): engines, asyncpg pools, HTTP and redis clients.

Where they are created (PBK401, PBK405), how they are configured (PBK402,
PBK406, PBK408) and whether they are closed (PBK403, PBK404, PBK407, PBK409).

PBK401, PBK403 and PBK404 share :class:`ResourceFlow`, which follows, per
function and during the one walk, what happens to each resource it creates:
bound to a name, returned or yielded, stored on an attribute or in a
subscript, entered with ``async with``, handed to an ``AsyncExitStack``,
closed (awaited or not, in a ``finally`` or not). Roles that need forward
knowledge (dependency, lifespan) are decided in ``finish()``.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from ..model.receivers import (
    AIOHTTP_SESSION,
    ASYNC_ENGINE,
    ASYNCPG_CONNECTION,
    ASYNCPG_POOL,
    HTTPX_ASYNC_CLIENT,
    REDIS_ASYNC,
    REDIS_ASYNC_POOL,
    attribute_chain,
    kind_texts_by_module,
)
from ..model.names import last_name, texts_by_module
from ..model.scopes import CLASS, FUNCTION, LAMBDA
from .common import GATHER, SHIELD, TASK_FACTORIES, WAIT_FOR, last_names
from .registry import Check, RuleContext, rule

# -- what creates a resource ------------------------------------------------

ENGINE = "engine"  # AsyncEngine: closed by an awaited dispose()
SYNC_ENGINE = "sync-engine"  # Engine: dispose() is synchronous
PG_POOL = "asyncpg-pool"
AIOHTTP = "aiohttp-session"
HTTPX = "httpx-client"
REDIS = "redis-client"
REDIS_WRAPPER = "redis-client-on-pool"  # Redis.from_pool: a client, not a new pool
REDIS_POOL = "redis-pool"
CONNECTOR = "aiohttp-connector"


class Spec(NamedTuple):
    display: str
    group: str


def _specs(display: str, group: str, *qualnames: str) -> dict[str, Spec]:
    return {q: Spec(display, group) for q in qualnames}


RESOURCES: dict[str, Spec] = {
    **_specs("create_async_engine", ENGINE, "sqlalchemy.ext.asyncio.create_async_engine", "sqlalchemy.ext.asyncio.engine.create_async_engine"),
    **_specs("create_engine", SYNC_ENGINE, "sqlalchemy.create_engine", "sqlalchemy.engine.create_engine", "sqlalchemy.engine.create.create_engine", "sqlmodel.create_engine"),
    **_specs("asyncpg.create_pool", PG_POOL, "asyncpg.create_pool", "asyncpg.pool.create_pool"),
    **_specs("aiohttp.ClientSession", AIOHTTP, "aiohttp.ClientSession", "aiohttp.client.ClientSession"),
    **_specs("aiohttp.TCPConnector", CONNECTOR, "aiohttp.TCPConnector", "aiohttp.connector.TCPConnector"),
    **_specs("httpx.AsyncClient", HTTPX, "httpx.AsyncClient", "httpx._client.AsyncClient"),
    **_specs("httpx2.AsyncClient", HTTPX, "httpx2.AsyncClient"),
    **_specs("redis.asyncio.Redis", REDIS, "redis.asyncio.Redis", "redis.asyncio.StrictRedis", "redis.asyncio.client.Redis", "redis.asyncio.client.StrictRedis"),
    **_specs(
        "redis.asyncio.from_url",
        REDIS,
        "redis.asyncio.from_url",
        "redis.asyncio.utils.from_url",
        "redis.asyncio.Redis.from_url",
        "redis.asyncio.StrictRedis.from_url",
        "redis.asyncio.client.Redis.from_url",
    ),
    **_specs("Redis.from_pool", REDIS_WRAPPER, "redis.asyncio.Redis.from_pool", "redis.asyncio.client.Redis.from_pool"),
    **_specs(
        "redis.asyncio.ConnectionPool",
        REDIS_POOL,
        "redis.asyncio.ConnectionPool",
        "redis.asyncio.BlockingConnectionPool",
        "redis.asyncio.connection.ConnectionPool",
        "redis.asyncio.connection.BlockingConnectionPool",
        "redis.asyncio.ConnectionPool.from_url",
        "redis.asyncio.BlockingConnectionPool.from_url",
        "redis.asyncio.connection.ConnectionPool.from_url",
    ),
}

# PBK401-PBK404 judge only functions that create a resource, so a file must
# name one of these (any spelling of a creation call ends in its last name),
# and import its module: `ClientSession` creates nothing where aiohttp is not imported
CREATION_TEXTS_BY_MODULE = texts_by_module(RESOURCES)
RESOURCE_MODULES = ("aiohttp", "httpx", "redis", "asyncpg", "sqlalchemy", "sqlmodel")
# PBK401: what a path operation or dependency must not build per request
PER_REQUEST_GROUPS = frozenset({ENGINE, SYNC_ENGINE, PG_POOL, AIOHTTP, HTTPX, REDIS, REDIS_POOL})
# PBK401: what no function should build per call (outside the exemptions)
PER_CALL_GROUPS = frozenset({ENGINE, SYNC_ENGINE, PG_POOL})
# PBK403: what a lifespan must close (a bare TCPConnector is owned by its session)
LIFESPAN_GROUPS = frozenset({ENGINE, SYNC_ENGINE, PG_POOL, AIOHTTP, HTTPX, REDIS, REDIS_WRAPPER, REDIS_POOL})
# PBK404
CLIENT_GROUPS = frozenset({AIOHTTP, HTTPX})

# methods that close a resource; the synchronous ones count without await
CLOSE_METHODS = frozenset({"close", "aclose", "dispose", "disconnect", "terminate"})
SYNC_CLOSERS = {SYNC_ENGINE: frozenset({"dispose", "close"}), PG_POOL: frozenset({"terminate"})}

# calls that run the coroutine they receive: a close passed to them is awaited
AWAITING_FUNCTIONS = frozenset({*GATHER, *SHIELD, *WAIT_FOR, *TASK_FACTORIES, "asyncio.run", "asyncio.run_coroutine_threadsafe"})
AWAITING_METHODS = frozenset({"create_task", "run_until_complete", "run_coroutine_threadsafe", "ensure_future", "spawn"})
# calls that take over a resource and close it
MANAGING_METHODS = frozenset({"enter_async_context", "enter_context", "push_async_callback", "callback", "push_async_exit", "push"})
MANAGING_FUNCTIONS = frozenset({"contextlib.aclosing", "contextlib.closing"})
# classes that receive an engine without owning it
NON_OWNING = frozenset(
    {
        "sqlalchemy.ext.asyncio.async_sessionmaker",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.orm.sessionmaker",
        "sqlalchemy.orm.Session",
        "sqlmodel.Session",
        "sqlmodel.ext.asyncio.session.AsyncSession",
        *(f"builtins.{name}" for name in ("print", "isinstance", "len", "repr", "str", "id", "type", "hasattr", "getattr", "bool")),
    }
)
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})
# a function handed to one of these runs once per process
ENTRY_RUNNERS = frozenset({"asyncio.run", "asyncio.runners.run", "anyio.run", "trio.run", "uvloop.run"})
CACHE_DECORATORS = frozenset({"cache", "lru_cache", "cached", "alru_cache", "cached_property", "cache_resource"})
CALLBACK_REGISTRARS = frozenset({"call_soon", "call_soon_threadsafe", "call_later", "call_at", "add_signal_handler", "add_done_callback"})

_TRY_TYPES = tuple(t for t in (ast.Try, getattr(ast, "TryStar", None)) if t is not None)
_RETURN, _STORE, _DERIVE = "return", "store", "derive"


def _strip_await(expr: ast.expr | None) -> ast.expr | None:
    return expr.value if isinstance(expr, ast.Await) else expr


def _builds_object(func: ast.expr) -> bool:
    """`Api(...)`, `Api.connect(...)`, `cls(...)`: the result may own what it receives."""
    chain = attribute_chain(func) or ""
    first, _, _ = chain.partition(".")
    last = chain.rpartition(".")[2]
    return first in ("cls", "self") and "." not in chain or any(part[:1].isupper() for part in (first, last))


def _call_args(call: ast.Call) -> list[ast.expr]:
    """The positional and keyword argument values (the call's own list when it has no keywords: do not change it)."""
    if call.keywords:
        return [*call.args, *[k.value for k in call.keywords]]
    return call.args


class Creation(NamedTuple):
    call: ast.Call
    spec: Spec
    inline: bool  # the receiver of an attribute: used and dropped (`Client().get()`)
    escaped: bool  # directly inside a return, yield or attribute/subscript store
    stored_on: tuple[str, ...]  # the target chains when it is the direct value of a store
    flows: tuple[str, ...]  # the local names it is the (direct or wrapped) value of
    direct: bool  # the direct value (or awaited value) of an assignment
    position: str  # "managed", "owned", "default", "expr" or "" (anything else)


class Close(NamedTuple):
    chain: str
    method: str
    line: int
    awaited: bool


class Facts:
    """What one function does with the resources it creates."""

    def __init__(self, node: ast.AST | None) -> None:
        self.node = node
        self.creations: list[Creation] = []
        self.escaped: set[str] = set()  # names returned, yielded or stored
        self.derived: dict[str, set[str]] = {}  # name -> names its value was built from
        self.aliases: list[tuple[str, str]] = []  # (target chain, value chain)
        self.managed: set[str] = set()  # chains entered with async with or given to an exit stack
        self.moved: set[str] = set()  # names handed to a constructor that may own them
        self.closes: list[Close] = []
        self.passed: list[tuple[str, int]] = []  # (name, line) of names given to any call
        self.yields: list[int] = []
        self.finally_tries: list[tuple[int, int, int, int]] = []  # body lines, finalbody lines

    # -- queries used in finish() --------------------------------------
    def flows_from(self, names: set[str]) -> set[str]:
        """*names* and every name whose value was built from one of them."""
        found = set(names)
        changed = True
        while changed:
            changed = False
            for target, sources in self.derived.items():
                if target not in found and not sources.isdisjoint(found):
                    found.add(target)
                    changed = True
        return found

    def alias_group(self, keys: set[str]) -> set[str]:
        found = set(keys)
        changed = True
        while changed:
            changed = False
            for a, b in self.aliases:
                if (a in found) != (b in found):
                    found.update((a, b))
                    changed = True
        return found

    def protected(self, close_line: int, yield_line: int) -> bool:
        """The close runs in a finally whose try body holds the yield."""
        return any(b0 <= yield_line <= b1 and f0 <= close_line <= f1 for b0, b1, f0, f1 in self.finally_tries)


class ResourceFlow(Check):
    """Follows resources through each function; subclasses decide in finish()."""

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.facts: dict[ast.AST | None, Facts] = {}
        self.done: list[Facts] = []
        # (function, kind, data) for the return/store/derive contexts being walked
        self.contexts: list[tuple[ast.AST | None, str, object]] = []
        self.positions: dict[int, str] = {}  # id(call) -> position (set by the parent)
        self.direct_values: set[int] = set()  # ids of calls that are the value of an assignment
        self.receivers: set[int] = set()  # ids of expressions used as `x.attr`
        self.used: set[int] = set()  # ids of names passed to an awaited call (used, not handed over)
        self.awaited: set[int] = set()  # ids of calls that are awaited (or run by a wrapper)
        self.entry_points: set[str] = set()  # functions run once per process
        self.defaults: set[int] = set()

    def facts_here(self) -> Facts:
        fn = self.model.function
        facts = self.facts.get(fn)
        if facts is None:
            facts = self.facts[fn] = Facts(fn)
        return facts

    def _active(self, kind: str) -> list[object]:
        fn = self.model.function
        return [data for f, k, data in self.contexts if f is fn and k == kind]

    # -- contexts ---------------------------------------------------------
    def _push(self, kind: str, data: object = None) -> None:
        self.contexts.append((self.model.function, kind, data))

    def _pop(self) -> None:
        self.contexts.pop()

    def visit_Return(self, node: ast.Return) -> None:
        self._push(_RETURN)
        self._mark_value(node.value)

    def leave_Return(self, node: ast.Return) -> None:
        self._pop()

    def visit_Yield(self, node: ast.Yield) -> None:
        self.facts_here().yields.append(node.lineno)
        self._push(_RETURN)
        self._mark_value(node.value)

    visit_YieldFrom = visit_Yield

    def leave_Yield(self, node: ast.Yield) -> None:
        self._pop()

    leave_YieldFrom = leave_Yield

    def _mark_value(self, value: ast.expr | None) -> None:
        value = _strip_await(value)
        if isinstance(value, ast.Call):
            self.direct_values.add(id(value))

    def _assignment(self, targets: list[ast.expr], value: ast.expr | None) -> None:
        if value is None:
            self._push("none")
            return
        stored: list[str] = []
        local: str | None = None
        globals_ = self.model.scope.globals
        for target in targets:
            if isinstance(target, ast.Name) and target.id not in globals_:
                local = target.id
            elif isinstance(target, (ast.Attribute, ast.Subscript, ast.Name)):
                stored.append(attribute_chain(target) or "")
        facts = self.facts_here()
        value_chain = attribute_chain(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
        if value_chain:
            for target in targets:
                chain = attribute_chain(target)
                if chain:
                    facts.aliases.append((chain, value_chain))
        if stored:
            self._push(_STORE, tuple(stored))
        elif local is not None:
            facts.derived.setdefault(local, set())
            self._push(_DERIVE, local)
        else:
            self._push("none")
        self._mark_value(value)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assignment(node.targets, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assignment([node.target], node.value)

    def leave_Assign(self, node: ast.AST) -> None:
        self._pop()

    leave_AnnAssign = leave_Assign

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._defaults(node)
        # the body is the lambda's return value
        self.contexts.append((node, _RETURN, None))
        self._mark_value(node.body)

    def leave_Lambda(self, node: ast.Lambda) -> None:
        self._pop()

    # -- facts ------------------------------------------------------------
    def _defaults(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.positions[id(default)] = "default"

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._defaults(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def leave_FunctionDef(self, node: ast.AST) -> None:
        facts = self.facts.pop(node, None)
        if facts is not None:
            self.done.append(facts)

    leave_AsyncFunctionDef = leave_FunctionDef

    def visit_Try(self, node: ast.Try) -> None:
        if node.finalbody and node.body:
            self.facts_here().finally_tries.append(
                (node.body[0].lineno, node.body[-1].end_lineno or node.body[-1].lineno, node.finalbody[0].lineno, node.finalbody[-1].end_lineno or node.finalbody[-1].lineno)
            )

    visit_TryStar = visit_Try

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        facts = self.facts_here()
        for item in node.items:
            expr = _strip_await(item.context_expr)
            if isinstance(expr, ast.Call):
                self.positions[id(expr)] = "managed"
                if self.model.call_name(expr) in MANAGING_FUNCTIONS:
                    facts.managed.update(c for c in map(attribute_chain, _call_args(expr)) if c)
            else:
                chain = attribute_chain(expr) if expr is not None else None
                if chain:
                    facts.managed.add(chain)

    visit_AsyncWith = visit_With

    def visit_Await(self, node: ast.Await) -> None:
        if isinstance(node.value, ast.Call):
            self.awaited.add(id(node.value))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.receivers.add(id(node.value))

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Call):
            self.positions[id(node.value)] = "expr"

    def visit_Name(self, node: ast.Name) -> None:
        if not self.contexts or node.ctx.__class__ is not ast.Load or id(node) in self.receivers or id(node) in self.used:
            return
        fn = self.model.function
        facts = None
        for f, kind, data in self.contexts:
            if f is not fn:
                continue
            facts = facts or self.facts_here()
            if kind == _RETURN or kind == _STORE:
                facts.escaped.add(node.id)
            elif kind == _DERIVE:
                facts.derived.setdefault(data, set()).add(node.id)  # type: ignore[arg-type]

    def visit_Call(self, node: ast.Call) -> None:
        model = self.model
        qualname = model.call_name(node)
        func = node.func
        method = func.attr if func.__class__ is ast.Attribute else None
        facts = self.facts_here()
        args = _call_args(node)
        names = [a for a in args if a.__class__ is ast.Name]

        if names:
            line = node.lineno
            facts.passed.extend([(a.id, line) for a in names])
            if id(node) in self.awaited and not _builds_object(func):
                self.used.update([id(a) for a in names])
        # arguments that the callee runs, owns or manages
        if qualname in AWAITING_FUNCTIONS or method in AWAITING_METHODS:
            for arg in args:
                self._mark_awaited(arg)
        if method in MANAGING_METHODS or qualname in MANAGING_FUNCTIONS:
            for arg in args:
                inner = arg
                if isinstance(arg, ast.Attribute) and arg.attr in CLOSE_METHODS:
                    inner = arg.value  # push_async_callback(engine.dispose)
                inner = _strip_await(inner)
                if isinstance(inner, ast.Call):
                    self.positions[id(inner)] = "managed"
                else:
                    chain = attribute_chain(inner) if inner is not None else None
                    if chain:
                        facts.managed.add(chain)
        elif qualname in RESOURCES:
            for arg in args:
                if isinstance(arg, ast.Call):
                    self.positions.setdefault(id(arg), "owned")
        elif id(node) not in self.awaited and qualname not in NON_OWNING and method not in CLOSE_METHODS and method not in LOG_METHODS:
            # handed to something that is built or registered here (not an awaited
            # call that merely uses it): the new owner may close it
            facts.moved.update([a.id for a in names])

        if qualname in ENTRY_RUNNERS and node.args:
            target = node.args[0]
            target = target.func if isinstance(target, ast.Call) else target
            if isinstance(target, ast.Name):
                self.entry_points.add(target.id)
        elif model.function is None and model.scope.kind != CLASS and isinstance(func, ast.Name):
            self.entry_points.add(func.id)  # called at import (or script) time

        if method in CLOSE_METHODS:
            chain = attribute_chain(func.value)  # type: ignore[union-attr]
            if chain:
                # a close kept in a name or returned is left to whoever awaits it
                awaited = id(node) in self.awaited or id(node) in self.direct_values
                facts.closes.append(Close(chain, method, node.lineno, awaited))

        spec = RESOURCES.get(qualname or "")
        if spec is not None:
            self._creation(node, spec, facts)

    def _mark_awaited(self, arg: ast.expr) -> None:
        if isinstance(arg, ast.Starred) and isinstance(arg.value, (ast.ListComp, ast.GeneratorExp)):
            arg = arg.value.elt
        if isinstance(arg, ast.Call):
            self.awaited.add(id(arg))

    def _creation(self, node: ast.Call, spec: Spec, facts: Facts) -> None:
        fn = self.model.function
        inline = id(node) in self.receivers
        direct = id(node) in self.direct_values
        escaped = stored_on = False
        chains: tuple[str, ...] = ()
        flows: list[str] = []
        if not inline:
            for f, kind, data in self.contexts:
                if f is not fn:
                    continue
                if kind == _RETURN or kind == _STORE:
                    escaped = True
                    if kind == _STORE:
                        chains += data  # type: ignore[operator]
                elif kind == _DERIVE:
                    flows.append(data)  # type: ignore[arg-type]
        stored_on = chains if direct else ()
        facts.creations.append(
            Creation(node, spec, inline, escaped, stored_on, tuple(flows), direct, self.positions.get(id(node), ""))
        )

    def finish(self) -> None:
        self.done.extend(self.facts.values())
        self.facts = {}

    def handled_names(self, facts: Facts) -> set[str]:
        """Names whose value leaves the function, is managed, moved or closed with await."""
        closed = {c.chain for c in facts.closes if c.awaited}
        return facts.escaped | facts.managed | facts.moved | closed


def _is_cached(fn: ast.AST) -> bool:
    for decorator in getattr(fn, "decorator_list", ()):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if last_name(target) in CACHE_DECORATORS:
            return True
    return False


class FlowRule(Check):
    """A rule that reads the one per-file :class:`ResourceFlow` (the engine
    shares it between PBK401 to PBK404) and decides per function in finish()."""

    analysis: ResourceFlow  # set by the engine: the shared instance

    def finish(self) -> None:
        for facts in self.analysis.done:
            if facts.node is not None and facts.creations:
                self.decide(facts)

    def decide(self, facts: Facts) -> None:  # pragma: no cover - subclasses
        raise NotImplementedError

    @property
    def entry_points(self) -> set[str]:
        return self.analysis.entry_points

    def handled_names(self, facts: Facts) -> set[str]:
        return self.analysis.handled_names(facts)

    @staticmethod
    def is_cached(fn: ast.AST) -> bool:
        return _is_cached(fn)


FlowRule.analysis = ResourceFlow  # type: ignore[assignment]


# -- PBK401 ---------------------------------------------------------------


@rule("PBK401", needs_import=RESOURCE_MODULES, needs_text_too=CREATION_TEXTS_BY_MODULE)
class PoolPerRequest(FlowRule):
    def decide(self, facts: Facts) -> None:
        fn = facts.node
        roles = self.model.fastapi
        per_request = roles.is_path_operation(fn) or roles.is_dependency(fn)
        if self.is_cached(fn) or roles.is_lifespan(fn):
            return
        once = getattr(fn, "name", None) in self.entry_points or getattr(fn, "name", None) == "__init__"
        for creation in facts.creations:
            group = creation.spec.group
            if creation.position in ("owned", "default"):
                continue
            if per_request:
                if group not in PER_REQUEST_GROUPS or _shares_a_pool(creation.call):
                    continue
                # a lazily filled cache on the app (not on the request) is created once
                if creation.stored_on and not any(c.startswith(("request.state.", "req.state.")) for c in creation.stored_on):
                    continue
            else:
                # outside request handlers only async functions count: a sync function
                # that builds, uses and disposes an engine is a migration, a CLI command
                # or a startup probe, run once per process
                if group not in PER_CALL_GROUPS or once or not isinstance(fn, ast.AsyncFunctionDef):
                    continue
                if _pool_class(creation.call, self.model) in POOLS_WITHOUT_IDLE_CONNECTIONS:
                    continue  # NullPool: no pool is built
                if creation.escaped or not facts.flows_from(set(creation.flows)).isdisjoint(facts.escaped):
                    continue
            self.report(creation.call, call=creation.spec.display)


def _shares_a_pool(call: ast.Call) -> bool:
    """`Redis(connection_pool=pool)`, `ClientSession(connector=c, connector_owner=False)`: no new pool."""
    for keyword in call.keywords:
        if keyword.arg == "connection_pool" and not isinstance(keyword.value, ast.Call):
            return True  # a pool built right here is a new pool (reported on this call)
        if keyword.arg == "connector_owner" and isinstance(keyword.value, ast.Constant) and keyword.value.value is False:
            return True
    return False


# -- PBK403 ---------------------------------------------------------------


@rule("PBK403", needs_import=RESOURCE_MODULES, needs_text_too=CREATION_TEXTS_BY_MODULE)
class LifespanResourceNotClosed(FlowRule):
    def decide(self, facts: Facts) -> None:
        if not facts.yields or not self.model.fastapi.is_lifespan(facts.node):
            return
        for creation in facts.creations:
            if creation.spec.group not in LIFESPAN_GROUPS or creation.inline or not creation.direct:
                continue
            line = creation.call.lineno
            later_yields = [y for y in facts.yields if y > line]
            if not later_yields:
                continue
            keys = set(creation.stored_on) | (set(creation.flows[-1:]) if not creation.stored_on else set())
            keys.discard("")
            if not keys:
                continue
            keys = facts.alias_group(keys)
            if not keys.isdisjoint(facts.managed) or not keys.isdisjoint(facts.moved):
                continue
            # `await close_all(app)` after the yield: a helper we cannot see may close app.state.x
            roots = {c.partition(".")[0] for c in creation.stored_on}
            if any(name in roots and line > later_yields[0] for name, line in facts.passed):
                continue
            if not self._closed_safely(creation, keys, facts, later_yields[0]):
                self.report(creation.call, call=creation.spec.display)

    def _closed_safely(self, creation: Creation, keys: set[str], facts: Facts, yield_line: int) -> bool:
        sync_closers = SYNC_CLOSERS.get(creation.spec.group, frozenset())
        for close in facts.closes:
            if close.chain not in keys or not (close.awaited or close.method in sync_closers):
                continue
            if close.line < yield_line:
                return True  # closed before the app starts: not held for its lifetime
            if facts.protected(close.line, yield_line):
                return True
        return False


# -- PBK404 ---------------------------------------------------------------


@rule("PBK404", needs_import=RESOURCE_MODULES, needs_text_too=CREATION_TEXTS_BY_MODULE)
class HttpClientNotClosed(FlowRule):
    def decide(self, facts: Facts) -> None:
        if self.model.fastapi.is_lifespan(facts.node):
            return  # PBK403 owns lifespans
        handled: set[str] | None = None
        for creation in facts.creations:
            if creation.spec.group not in CLIENT_GROUPS:
                continue
            if creation.inline or creation.position == "expr":
                self.report(creation.call, call=creation.spec.display)
                continue
            if not creation.direct or creation.escaped or creation.stored_on or not creation.flows:
                continue
            if handled is None:
                handled = self.handled_names(facts)
            names = facts.flows_from({creation.flows[-1]})
            if names.isdisjoint(handled):
                self.report(creation.call, call=creation.spec.display)


# -- PBK402 ---------------------------------------------------------------

POOLS_WITHOUT_IDLE_CONNECTIONS = frozenset({"NullPool", "StaticPool", "SingletonThreadPool", "AssertionPool"})


def _pool_class(call: ast.Call, model) -> str | None:  # noqa: ANN001
    """The class name given as ``poolclass=``; "?" when it cannot be resolved."""
    for keyword in call.keywords:
        if keyword.arg == "poolclass":
            qualname = model.qualname(keyword.value)
            return qualname.rpartition(".")[2] if qualname else "?"
    return None


def _mentions_sqlite(expr: ast.AST | None, depth: int = 0) -> bool:
    """A SQLite URL literal, or a name, attribute or helper that says sqlite."""
    if expr is None or depth > 3:
        return False
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, str) and expr.value.startswith("sqlite")
    if isinstance(expr, ast.JoinedStr):
        return bool(expr.values) and _mentions_sqlite(expr.values[0], depth + 1)
    if isinstance(expr, (ast.Name, ast.Attribute)):
        return "sqlite" in (attribute_chain(expr) or "").lower()
    if isinstance(expr, ast.Call):
        return _mentions_sqlite(expr.func, depth + 1) or any(_mentions_sqlite(a, depth + 1) for a in _call_args(expr))
    return False


@rule("PBK402", needs_import=RESOURCE_MODULES, needs_text_too=CREATION_TEXTS_BY_MODULE)
class MissingPoolPrePing(FlowRule):
    """Engines without ``pool_pre_ping``; a throwaway engine disposed where it is made is fine."""

    def finish(self) -> None:
        for facts in self.analysis.done:
            self.decide(facts)

    def decide(self, facts: Facts) -> None:
        disposed = {c.chain for c in facts.closes if c.method == "dispose"}
        name = getattr(facts.node, "name", "")
        for creation in facts.creations:
            call = creation.call
            if creation.spec.group not in (ENGINE, SYNC_ENGINE) or not self._without_pre_ping(call):
                continue
            if "sqlite" in name.lower():
                continue  # aio_sqlite_engine(url): the helper says what the URL is
            if creation.direct and creation.flows and not facts.alias_group({creation.flows[-1]}).isdisjoint(disposed):
                continue  # used once and disposed: no connection sits idle in its pool
            self.report(call, call=creation.spec.display)

    def _without_pre_ping(self, call: ast.Call) -> bool:
        if any(k.arg is None or k.arg == "pool_pre_ping" for k in call.keywords):
            return False  # **options cannot be read; an explicit value is a decision
        if any(isinstance(a, ast.Starred) for a in call.args):
            return False
        if _pool_class(call, self.model) not in (None, "QueuePool", "AsyncAdaptedQueuePool"):
            return False  # NullPool, StaticPool ... or a pool class we cannot resolve
        url = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "url"), None)
        return not any(_mentions_sqlite(a) for a in (url, *(k.value for k in call.keywords if k.arg in ("creator", "async_creator"))))


# -- PBK405 ---------------------------------------------------------------

LOOP_BOUND = {q: s for q, s in RESOURCES.items() if s.group in (AIOHTTP, CONNECTOR)}


def _at_import_time(model) -> bool:  # noqa: ANN001
    scope = model.scope
    while scope is not None:
        if scope.kind in (FUNCTION, LAMBDA):
            return False
        scope = scope.parent
    return True


@rule("PBK405", needs_import=("aiohttp",), calls=last_names(LOOP_BOUND))
class HttpClientOutsideLoop(Check):
    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.defaults: set[int] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self.defaults.update(id(d) for d in (*node.args.defaults, *node.args.kw_defaults) if d is not None)

    visit_AsyncFunctionDef = visit_Lambda = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        spec = LOOP_BOUND.get(self.model.call_name(node) or "")
        if spec is None or not _at_import_time(self.model):
            return
        if id(node) in self.defaults:
            where = "in a default argument"
        elif self.model.scope.kind == CLASS:
            where = "in a class body"
        else:
            where = "at module level"
        self.report(node, call=spec.display, where=where)


# -- PBK406 ---------------------------------------------------------------

AIOHTTP_REQUEST_METHODS = frozenset({"request", "get", "post", "put", "patch", "delete", "head", "options", "ws_connect"})
AIOHTTP_TLS_CALLS = frozenset({"aiohttp.TCPConnector", "aiohttp.connector.TCPConnector", "aiohttp.request", "aiohttp.client.request"})
HTTPX_TLS_CALLS = frozenset(
    f"{package}.{name}"
    for package in ("httpx", "httpx2")  # httpx2 2.16 (the fork) keeps httpx's API here
    for name in ("AsyncClient", "Client", "AsyncHTTPTransport", "HTTPTransport", "request", "stream", "get", "options", "head", "post", "put", "patch", "delete")
)


def _false_keyword(call: ast.Call, names: tuple[str, ...]) -> str | None:
    for keyword in call.keywords:
        if keyword.arg in names and isinstance(keyword.value, ast.Constant) and keyword.value.value is False:
            return f"{keyword.arg}=False"
    return None


@rule("PBK406", ast.Call, needs_import=("aiohttp", "httpx"), calls=last_names(HTTPX_TLS_CALLS, AIOHTTP_TLS_CALLS) | AIOHTTP_REQUEST_METHODS)
def tls_verification_disabled(node: ast.Call, ctx: RuleContext) -> None:
    if not node.keywords:
        return
    qualname = ctx.model.call_name(node)
    arg = None
    if qualname in HTTPX_TLS_CALLS:
        arg = _false_keyword(node, ("verify",))
    elif qualname in AIOHTTP_TLS_CALLS:
        arg = _false_keyword(node, ("ssl", "verify_ssl"))
    elif isinstance(node.func, ast.Attribute) and node.func.attr in AIOHTTP_REQUEST_METHODS:
        if ctx.model.kind_of(node.func.value) == AIOHTTP_SESSION:
            arg = _false_keyword(node, ("ssl", "verify_ssl"))
    if arg:
        ctx.report(node, arg=arg)


# -- PBK407 and PBK409: receivers, also `app.state.x` -----------------------


def _state_key(chain: str | None) -> str | None:
    """`request.app.state.redis` -> "state.redis": one attribute of the app state."""
    if not chain:
        return None
    parts = chain.split(".")
    if "state" in parts[:-1]:
        at = parts.index("state")
        if at >= 1 and at == len(parts) - 2:
            return ".".join(parts[at:])
    return None


class StateKinds(Check):
    """Receiver kinds, plus what the module stores on ``app.state.<attr>``.

    ``app.state.redis = redis.from_url(...)`` in a lifespan or startup hook makes
    ``app.state.redis`` (and ``request.app.state.redis``) a Redis client anywhere
    in the module; an attribute assigned two different kinds stays unknown.
    Calls on such attributes are decided in ``finish()``, once every assignment
    has been seen.
    """

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.state_kinds: dict[str, str | None] = {}
        self.pending: list[tuple[str, ast.Call, str]] = []  # (state key, call, receiver text)

    def _assigned(self, targets: list[ast.expr], value: ast.expr | None) -> None:
        if value is None:
            return
        for target in targets:
            key = _state_key(attribute_chain(target)) if isinstance(target, ast.Attribute) else None
            if key is None:
                continue
            kind = self.model.kind_of(value)
            if isinstance(value, ast.Constant) and value.value is None:
                continue  # `app.state.redis = None` on shutdown
            if key in self.state_kinds and self.state_kinds[key] != kind:
                kind = None
            self.state_kinds[key] = kind

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assigned(node.targets, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned([node.target], node.value)

    def check_close(self, call: ast.expr | None, methods: dict[str, frozenset[str]]) -> None:
        """Report *call* now, or later for `app.state.x`, when it calls one of *methods*."""
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            return
        receiver = call.func.value
        text = attribute_chain(receiver)
        kind = self.model.kind_of(receiver)
        if kind is not None:
            if call.func.attr in methods.get(kind, ()):
                self.report(call, call=f"{text or kind.rpartition('.')[2]}.{call.func.attr}")
            return
        key = _state_key(text)
        if key is not None:
            self.pending.append((key, call, f"{text}.{call.func.attr}"))

    def finish(self) -> None:
        methods = self.methods()
        for key, call, text in self.pending:
            kind = self.state_kinds.get(key)
            if kind is not None and call.func.attr in methods.get(kind, ()):  # type: ignore[attr-defined]
                self.report(call, call=text)

    def methods(self) -> dict[str, frozenset[str]]:  # pragma: no cover - subclasses
        raise NotImplementedError


REDIS_DEPRECATED_CLOSE = {REDIS_ASYNC: frozenset({"close"})}


@rule("PBK407", needs_import=("redis",))
class RedisCloseDeprecated(StateKinds):
    def methods(self) -> dict[str, frozenset[str]]:
        return REDIS_DEPRECATED_CLOSE

    def visit_Await(self, node: ast.Await) -> None:
        self.check_close(node.value, REDIS_DEPRECATED_CLOSE)


# -- PBK408 ---------------------------------------------------------------

TCP_CONNECTORS = frozenset({"aiohttp.TCPConnector", "aiohttp.connector.TCPConnector"})
HTTPX_LIMITS = frozenset({"httpx.Limits", "httpx._config.Limits", "httpx2.Limits"})


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


@rule("PBK408", ast.Call, needs_import=("aiohttp", "httpx"), calls=last_names(TCP_CONNECTORS, HTTPX_LIMITS))
def unbounded_connection_pool(node: ast.Call, ctx: RuleContext) -> None:
    qualname = ctx.model.call_name(node)
    if qualname in TCP_CONNECTORS:
        limit = _keyword(node, "limit")
        if limit is not None and isinstance(limit.value, ast.Constant) and limit.value.value in (0, None) and limit.value.value is not False:
            ctx.report(node, call=f"aiohttp.TCPConnector(limit={limit.value.value!r})")
    elif qualname in HTTPX_LIMITS:
        if node.args or any(k.arg is None for k in node.keywords):
            return  # positional or **kwargs: cannot tell
        limit = _keyword(node, "max_connections")
        package = qualname.partition(".")[0]  # type: ignore[union-attr]
        if limit is None:
            ctx.report(node, call=f"{package}.Limits() without max_connections")
        elif isinstance(limit.value, ast.Constant) and limit.value.value is None:
            ctx.report(node, call=f"{package}.Limits(max_connections=None)")


# -- PBK409 ---------------------------------------------------------------

ASYNC_CLOSE_METHODS: dict[str, frozenset[str]] = {
    AIOHTTP_SESSION: frozenset({"close"}),
    HTTPX_ASYNC_CLIENT: frozenset({"aclose"}),
    ASYNCPG_POOL: frozenset({"close"}),  # terminate() is synchronous
    ASYNCPG_CONNECTION: frozenset({"close"}),
    REDIS_ASYNC: frozenset({"aclose", "close"}),
    REDIS_ASYNC_POOL: frozenset({"aclose", "disconnect"}),
    ASYNC_ENGINE: frozenset({"dispose"}),
}


@rule("PBK409", needs_import=RESOURCE_MODULES, needs_text_too=kind_texts_by_module(frozenset(ASYNC_CLOSE_METHODS)), calls=CALLBACK_REGISTRARS)
class CloseNotAwaited(StateKinds):
    def methods(self) -> dict[str, frozenset[str]]:
        return ASYNC_CLOSE_METHODS

    def visit_Expr(self, node: ast.Expr) -> None:
        self.check_close(node.value, ASYNC_CLOSE_METHODS)

    def visit_Return(self, node: ast.Return) -> None:
        # an async function returning the coroutine leaves it to nobody
        if self.model.in_async:
            self.check_close(node.value, ASYNC_CLOSE_METHODS)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in CALLBACK_REGISTRARS):
            return
        for arg in _call_args(node):
            if isinstance(arg, ast.Lambda):
                self.check_close(arg.body, ASYNC_CLOSE_METHODS)
